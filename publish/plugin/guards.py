"""The public server's limits that no request parameter gets around (issue 18; docs/architecture.md,
"Safety and limits"). Kept apart from the plugin's hooks, which call into it:

* `printf_refusal`: printf/format widths and precisions are bounded by value, whatever the type of
  the argument (an int, a text `'2147483647'`, a float `999999999.0`, a BLOB format): each of those
  ran 9 to 22 s inside one SQLite call, past the 3 s time limit.
* `request_refusal`: a query string over MAX_QUERY_BYTES is a 414 before Datasette sees it. A bound
  parameter of ~100 kB (`_search`, `name__exact`, `_where`) was a 500 whose log held the whole SQL
  and parameters and a traceback, 203 kB per request.
* `pinned_host`: absolute URLs (`next_url`, facet links, `<link rel=alternate>`) are built from the
  Host header; a Host not in CEGDB_ALLOWED_HOSTS is replaced by the address the server listens on.
* `user_error`: request mistakes Datasette answers with a 500 (`?_sort=nope`, a value too long for
  SQLite's limits) are a 400 with the message.
* `NeutralisingCsv`: Datasette's `.csv` output gets the same formula neutralisation as our exports.
* `quiet_sql_errors` and `ShortAccessLines`: a failing query logs one short line, and an access
  log line holds at most MAX_LOGGED_PATH characters of the URL.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3

from publish.export import neutralise_formula

# A long custom SQL query still fits (URL-encoded, about 3 to 6 KB of SQL); a URL is never data.
MAX_QUERY_BYTES = 16_384
MAX_LOGGED_PATH = 300
MAX_PRINTF_NUMBER = 100_000
# printf's width and precision are digits in the format or `*` arguments.
_PRINTF_NUMBERS = re.compile(r"%[-+ 0#,!]*(\d*)(?:\.(\d*))?")
_LEADING_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _magnitude(value) -> float:
    """What SQLite may read from a `*` argument: numbers as they are, text and BLOBs by their
    leading number (SQLite converts them the same way)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return abs(float(value)) if value == value else 0.0  # NaN reads as 0
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        match = _LEADING_NUMBER.match(value)
        if match:
            try:
                return abs(float(match.group(0)))
            except (OverflowError, ValueError):
                return float("inf")
    return 0.0


def printf_refusal(fmt, args) -> str | None:
    """Why printf(fmt, *args) must not run, or None. Conservative: any `*` in the format bounds every
    argument, since which one feeds the `*` depends on the conversions before it."""
    if isinstance(fmt, (bytes, bytearray, memoryview)):
        fmt = bytes(fmt).decode("utf-8", "replace")  # SQLite reads a BLOB format as text
    if not isinstance(fmt, str):
        return None  # NULL or a number: printed as it is
    for match in _PRINTF_NUMBERS.finditer(fmt):
        if any(len(group) > 6 or int(group) > MAX_PRINTF_NUMBER for group in match.groups() if group):
            return "printf width or precision too large"
    if "*" in fmt and any(_magnitude(a) > MAX_PRINTF_NUMBER for a in args):
        return "printf width or precision too large"
    return None


def request_refusal(scope) -> tuple[int, bytes] | None:
    """(status, body) for a request refused before Datasette, or None."""
    if len(scope.get("query_string") or b"") > MAX_QUERY_BYTES or len(scope.get("raw_path") or b"") > MAX_QUERY_BYTES:
        return 414, (f"414: the URL is longer than {MAX_QUERY_BYTES} bytes; no value in this catalog "
                     "needs one that long\n").encode()
    return None


def allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in os.environ.get("CEGDB_ALLOWED_HOSTS", "").split(",") if h.strip()}


def pinned_host(scope) -> dict:
    """The scope with its Host header replaced by the server's own address, unless it is allowed."""
    server = scope.get("server")
    if not server:
        return scope
    own = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
    allowed = allowed_hosts() | {own.lower()}
    headers, changed = [], False
    for name, value in scope.get("headers", []):
        if name.lower() == b"host" and value.decode("latin-1").lower() not in allowed:
            value, changed = own.encode("latin-1"), True
        headers.append((name, value))
    return {**scope, "headers": headers} if changed else scope


# Datasette raises these request mistakes with its default status, 500.
_USER_MISTAKES = ("Cannot sort table by", "Cannot use _sort and _sort_desc", "Invalid _through")
_TOO_BIG = ("too big", "too large", "too complex", "too many")


def user_error(exception) -> str | None:
    """The message of a 400 for an exception that is the request's fault, or None."""
    from datasette.views.base import DatasetteError

    if isinstance(exception, DatasetteError) and exception.status == 500 and \
            str(exception.message).startswith(_USER_MISTAKES):
        return str(exception.message)
    cause = exception
    if isinstance(exception, DatasetteError) and isinstance(exception.__cause__, sqlite3.Error):
        cause = exception.__cause__
    if isinstance(cause, sqlite3.Error) and any(t in str(cause) for t in _TOO_BIG):
        return f"{cause}: a value or query longer than this server allows"
    return None


class NeutralisingCsv:
    """Stands in for the `csv` module inside datasette.views.base: its writers neutralise formulas."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def writer(self, *args, **kwargs):
        inner = self._module.writer(*args, **kwargs)

        class Writer:
            def writerow(self, row):
                return inner.writerow([neutralise_formula(c) if isinstance(c, str) else c for c in row])

            def writerows(self, rows):
                return inner.writerows([[neutralise_formula(c) if isinstance(c, str) else c for c in row]
                                        for row in rows])

        return Writer()


def quiet_sql_errors(database_class) -> None:
    """Datasette logs every failing query with its whole SQL and parameters (`log_sql_errors`): one
    short line instead."""
    if getattr(database_class.execute, "cegdb_quiet", False):
        return
    original = database_class.execute

    async def execute(self, sql, params=None, truncate=False, custom_time_limit=None, page_size=None,
                      log_sql_errors=True):
        try:
            return await original(self, sql, params=params, truncate=truncate, custom_time_limit=custom_time_limit,
                                  page_size=page_size, log_sql_errors=False)
        except sqlite3.DatabaseError as exc:
            if log_sql_errors and str(exc) != "interrupted":
                logging.getLogger("cegdb.serve").warning("query failed: %s (%s)", str(exc)[:120],
                                                         " ".join(str(sql).split())[:120])
            raise

    execute.cegdb_quiet = True
    database_class.execute = execute


class ShortAccessLines(logging.Filter):
    """uvicorn's access log writes the whole URL; long ones are cut to MAX_LOGGED_PATH characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str) \
                and len(record.args[2]) > MAX_LOGGED_PATH:
            path = record.args[2]
            record.args = (*record.args[:2], f"{path[:MAX_LOGGED_PATH]}...[{len(path)} chars]", *record.args[3:])
        return True


def install_log_limits() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, ShortAccessLines) for f in access.filters):
        access.addFilter(ShortAccessLines())
