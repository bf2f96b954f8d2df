"""The CLI's one top-level error handler: user and environment errors are one line, exit code 1.

A full or read-only disk, a `--db` that is not a catalog, an unreachable PostgreSQL server, an
unknown database driver, a folder where a file belongs, text that is not UTF-8: each used to end
in a Python traceback. They are turned into `Error: <path or URL>: <what happened>; <what to do>`
here, for every command of the group (the scrapers' included). `cegdb --verbose ...` keeps the
traceback, for a bug report.
"""

from __future__ import annotations

import csv
import errno
import sqlite3

import click

# What to do, by errno.
_OS_HINTS = {
    errno.ENOSPC: "the disk is full; free some space and run the command again (nothing was replaced)",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "the filesystem is read-only; pass a path on a writable disk",
    errno.EACCES: "permission denied; pass a path you can write, or fix its permissions",
    errno.EPERM: "operation not permitted; pass a path you can write",
    errno.EISDIR: "is a folder where a file belongs; pass a file path",
    errno.ENOTDIR: "a part of the path is a file, not a folder; pass another path",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "already exists; move it away or pass another path",
}


def remember_db(ctx: click.Context, _param, value):
    """Callback of every `--db` option: the handler names the database in its message."""
    if value:
        ctx.meta["cegdb_db"] = value
    return value


def _redacted(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True) if "://" in url else url
    except Exception:  # noqa: BLE001 - any unparsable text is shown as given
        return url


def _first_line(value) -> str:
    return str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__


def _sqlite_message(exc: sqlite3.Error, where: str) -> str:
    text = _first_line(exc)
    low = text.lower()
    if "disk is full" in low or "disk i/o" in low:
        return f"{where}: {text}: the disk is full or failing; free space and run again (nothing was replaced)"
    if "readonly" in low or "read-only" in low:
        return f"{where}: {text}: the database or its folder is read-only; pass a writable path"
    if "not a database" in low or "malformed" in low:
        return f"{where}: {text}: not a cegdb catalog; pass the file `cegdb build` wrote (or rebuild it)"
    if "no such table" in low or "no such column" in low:
        return f"{where}: {text}: not a cegdb catalog of this version; rebuild it with `cegdb build`"
    if "locked" in low:
        return f"{where}: {text}: another program holds it; let it finish and run again"
    if "unable to open" in low:
        return f"{where}: {text}: check the path and its folder's permissions"
    return f"{where}: {text}"


def describe(exc: BaseException, db_value: str | None) -> str | None:
    """One line for a user or environment error; None for anything else (a bug: keep the traceback)."""
    where = _redacted(db_value) if db_value else "the database"
    try:
        import sqlalchemy.exc as sa_exc
    except ImportError:  # pragma: no cover - a dependency of the project
        sa_exc = None
    if sa_exc is not None:
        if isinstance(exc, sa_exc.NoSuchModuleError):
            return f"{where}: unknown database driver ({_first_line(exc)}); use sqlite:///PATH or postgresql+psycopg://..."
        if isinstance(exc, sa_exc.ArgumentError):
            return f"{where}: not a database URL ({_first_line(exc)}); pass a path or sqlite:///... / postgresql+psycopg://..."
        if isinstance(exc, sa_exc.DBAPIError) and isinstance(exc.orig, sqlite3.Error):
            return _sqlite_message(exc.orig, where)
        if isinstance(exc, sa_exc.OperationalError):
            return (f"{where}: cannot use the database ({_first_line(exc.orig)}); check that the server runs and "
                    "the URL, user and password are right")
        if isinstance(exc, sa_exc.SQLAlchemyError):
            return f"{where}: {_first_line(exc)}"
    if isinstance(exc, sqlite3.Error):
        return _sqlite_message(exc, where)
    if isinstance(exc, UnicodeError):
        name = getattr(exc, "filename", None) or where
        return f"{name}: not UTF-8 text ({_first_line(exc)}); save it as UTF-8"
    if isinstance(exc, csv.Error):
        return f"{where}: not a readable CSV ({_first_line(exc)})"
    if isinstance(exc, OSError):
        path = exc.filename or where
        if exc.filename2:
            path = f"{exc.filename} -> {exc.filename2}"
        hint = _OS_HINTS.get(exc.errno)
        return f"{path}: {exc.strerror or _first_line(exc)}" + (f"; {hint}" if hint else "")
    return None


class ErrorHandlingGroup(click.Group):
    """A click group whose subcommands' user and environment errors become one line (exit 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if ctx.params.get("verbose"):
                raise
            message = describe(exc, ctx.meta.get("cegdb_db"))
            if message is None:
                raise
            raise click.ClickException(message + " (run with --verbose for the traceback)") from None


# Sizes a user passes: negative ones used to be blamed on the data, --bootstrap 1e9 tried to
# allocate 22 GiB. 0 skips the intervals.
SIZE_RANGES = {"bootstrap": click.IntRange(0, 1_000_000), "resamples": click.IntRange(0, 1_000_000),
               "size": click.IntRange(0, 1_000_000)}


def restrict_sizes(group: click.Group) -> None:
    """Give every integer size option of every command of `group` (recursively) its range."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            restrict_sizes(command)
        for param in command.params:
            if isinstance(param, click.Option) and param.name in SIZE_RANGES and \
                    isinstance(param.type, click.types.IntParamType):
                param.type = SIZE_RANGES[param.name]
