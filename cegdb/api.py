"""`cegdb.open(...)`: a read-only catalog whose methods return pandas DataFrames.

Units and descriptions come from catalog.schema (declared once on the SQLModel fields), so a frame's
`attrs["units"]` says the same as the Datasette metadata and datapackage.json. Provenance of each value
stays in rows (claims carry their source's id, title and URL); `attrs` only describes the frame.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import Boolean, Float, Integer

from catalog import schema
from cegdb import release_fetch
from cegdb.errors import CatalogError, QueryRefused

TABLES = {t.__tablename__: t for t in schema.TABLES}
REQUIRED_TABLES = ("model", "claim", "source", "alembic_version")
# sqlite3 authorizer action codes a SELECT needs (https://sqlite.org/c3ref/c_alter_table.html).
READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
# A catalog may come from anywhere (a release URL brings its own matching SHA256SUMS), so the
# connection is bounded like the public server's: values up to 10 MB (the longest in the catalog
# is a few kB; zeroblob(4e9) in a crafted view fails at once), statements stopped past a time
# limit by a progress handler (an endless recursive CTE in a view), printf/format bounded by value.
MAX_VALUE_BYTES = 10_000_000
OPEN_TIME_LIMIT_S = 5.0
QUERY_TIME_LIMIT_S = 60.0
PROGRESS_STEPS = 10_000


def _read_only(action, *_args):
    return sqlite3.SQLITE_OK if action in READ_ACTIONS else sqlite3.SQLITE_DENY


def open(location: str | Path, *, cache_dir: str | Path | None = None) -> Catalog:  # noqa: A001
    """Open a catalog read-only.

    `location` is a built catalog (`cegdb build` -> cegdb.sqlite), a release folder (`cegdb release`;
    every file SHA256SUMS lists is verified first), or the http(s) URL of a published release (its
    SQLite file is downloaded once into `cache_dir`, default `$CEGDB_CACHE` or ~/.cache/cegdb, and
    verified against its SHA256SUMS). A checksum mismatch raises ChecksumMismatch naming the file.
    """
    text = str(location)
    if release_fetch.is_url(text):
        path = release_fetch.fetch_release(text, Path(cache_dir) if cache_dir else None)
    else:
        path = Path(location).expanduser()
        if path.is_dir():
            path = release_fetch.verified_folder(path)
        elif path.name == release_fetch.SUMS and path.is_file():
            path = release_fetch.verified_folder(path.parent)
        elif not path.is_file():
            raise CatalogError(f"{path}: no such file; build one with `cegdb build --db {path}`")
        elif (path.parent / release_fetch.SUMS).is_file():
            # A SQLite file inside a release folder is verified against the folder's SHA256SUMS.
            sums = release_fetch.read_sums(path.parent / release_fetch.SUMS)
            if path.name in sums:
                release_fetch.verified_folder(path.parent, only=path.name)
    return Catalog(path, text)


def _bound(conn: sqlite3.Connection, deadline) -> None:
    """Length limits, a progress handler that stops statements past deadline(), bounded printf."""
    from publish.plugin.guards import printf_refusal

    if hasattr(conn, "setlimit"):
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1_000_000)
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline() else 0, PROGRESS_STEPS)
    helper = sqlite3.connect(":memory:", check_same_thread=False)

    def printf(fmt=None, *args):
        refusal = printf_refusal(fmt, args)
        if refusal:
            raise ValueError(refusal)
        marks = ", ".join("?" * (len(args) + 1))
        return helper.execute(f"SELECT printf({marks})", (fmt, *args)).fetchone()[0]

    for name in ("printf", "format"):
        conn.create_function(name, -1, printf, deterministic=True)


def _schema_problem(conn: sqlite3.Connection, kinds: dict[str, str]) -> str | None:
    """A crafted file can put a view (an endless recursive CTE), a trigger or a generated column
    (zeroblob, printf) where cegdb writes plain tables; reading it would run that code."""
    views = sorted(n for n in TABLES if kinds.get(n) == "view")
    if views:
        return f"{', '.join(views)} {'is a view' if len(views) == 1 else 'are views'} where the schema has tables"
    triggers = sorted(n for n, kind in kinds.items() if kind == "trigger")
    if triggers:
        return f"it has triggers ({', '.join(triggers[:3])}), which no cegdb catalog has"
    for name in TABLES:
        if kinds.get(name) == "table":
            hidden = [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{name}")') if r[6] in (2, 3)]
            if hidden:
                return f"table {name} has generated columns ({', '.join(hidden)}), which no cegdb catalog has"
    return None


class Catalog:
    """A cegdb catalog opened read-only (`file:...?mode=ro`); every method returns a new DataFrame."""

    def __init__(self, path: Path, location: str | None = None, *, time_limit_s: float = QUERY_TIME_LIMIT_S):
        self.path = Path(path)
        self.location = location or str(path)
        self.time_limit_s = time_limit_s
        self._deadline = time.monotonic() + OPEN_TIME_LIMIT_S
        try:
            self._conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                         check_same_thread=False)
            _bound(self._conn, lambda: self._deadline)
            kinds = {r[0]: r[1] for r in self._conn.execute("SELECT name, type FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise CatalogError(f"{self.path}: not a SQLite catalog ({exc})") from None
        names = {n for n, kind in kinds.items() if kind == "table"}
        problem = _schema_problem(self._conn, kinds)
        if problem:
            self._conn.close()
            raise CatalogError(f"{self.path}: {problem}; not a catalog cegdb wrote, refused")
        missing = [t for t in REQUIRED_TABLES if t not in names]
        if missing:
            self._conn.close()
            raise CatalogError(f"{self.path}: not a cegdb catalog (no table {', '.join(missing)}); "
                               f"build one with `cegdb build`")
        self._conn.set_authorizer(_read_only)
        try:
            row = self._conn.execute("SELECT data_version FROM release ORDER BY data_version DESC LIMIT 1"
                                     ).fetchone() if "release" in names else None
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise CatalogError(f"{self.path}: cannot read its release row ({exc})") from None
        self.release = row[0] if row else None

    def __repr__(self) -> str:
        return f"<cegdb.Catalog {self.location}" + (f" release {self.release}>" if self.release else ">")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the frames ---------------------------------------------------------------------------

    def models(self, organization: str | None = None, year: int | tuple[int, int] | None = None,
               open_weights: bool | None = None, domain: str | None = None) -> pd.DataFrame:
        """One row per model, the resolved value of each field (the `model` table).

        organization: an organisation id or name (case-insensitive); year: a release year or an
        inclusive (lo, hi) range; open_weights: True for accessibility 'open_weights', False for
        'api' or 'unreleased' (unknown accessibility matches neither); domain: language | vision |
        multimodal | speech | other."""
        where, params = [], []
        if organization is not None:
            where.append("m.organization_id IN (SELECT id FROM organization WHERE id = ? OR lower(name) = lower(?))")
            params += [organization, organization]
        if year is not None:
            lo, hi = (year, year) if isinstance(year, int) else year
            where.append("m.release_year BETWEEN ? AND ?")
            params += [int(lo), int(hi)]
        if open_weights is not None:
            where.append("m.accessibility = 'open_weights'" if open_weights
                         else "m.accessibility IN ('api', 'unreleased')")
        if domain is not None:
            if domain not in schema.DOMAINS:
                raise ValueError(f"domain {domain!r}: one of {', '.join(schema.DOMAINS)}")
            where.append("m.domain = ?")
            params.append(domain)
        return self._select("SELECT m.* FROM model m", where, params, "m.id", "model")

    def hardware(self) -> pd.DataFrame:
        """One row per accelerator (the `hardware` table): peak FLOP/s per precision, memory, ..."""
        return self._select("SELECT * FROM hardware", [], [], "id", "hardware")

    def innovations(self) -> pd.DataFrame:
        """One row per algorithmic innovation, with the analysis' compute-dependence class."""
        return self._select("SELECT * FROM innovation", [], [], "id", "innovation")

    def claims(self, model: str | None = None, field: str | None = None) -> pd.DataFrame:
        """Every sourced value (the `claim` table) with its source's title and URL.

        model: a model id, name or alias (an unknown one raises KeyError); field: a claim field such
        as training_compute_flop. value_num is in the unit of the row's `unit` column."""
        where, params = [], []
        if model is not None:
            where.append("c.entity_type = 'model' AND c.entity_id = ?")
            params.append(self._model_id(model))
        if field is not None:
            where.append("c.field = ?")
            params.append(field)
        query = ("SELECT c.*, s.title AS source_title, s.url AS source_url, s.year AS source_year "
                 "FROM claim c JOIN source s ON s.id = c.source_id")
        return self._select(query, where, params, "c.id", "claim",
                            extra={"source_title": ("Title of the claim's source", None),
                                   "source_url": ("Where the source can be read", None),
                                   "source_year": ("Publication year of the source", None)})

    def conflicts(self) -> pd.DataFrame:
        """Pairs of claims for the same field that disagree (numbers: by more than 5%), with both sources' titles."""
        query = ("SELECT k.*, a.title AS source_a_title, b.title AS source_b_title FROM conflict k "
                 "JOIN source a ON a.id = k.source_a_id JOIN source b ON b.id = k.source_b_id")
        return self._select(query, [], [], "k.id", "conflict",
                            extra={"source_a_title": ("Title of the first claim's source", None),
                                   "source_b_title": ("Title of the second claim's source", None)})

    def costs(self, model: str | None = None, *, prices: dict | None = None, purchases: dict | None = None,
              method: str | None = None, year: int | None = 2024) -> pd.DataFrame:
        """Training cost in dollars by the cloud and amortised methods, with bounds (docs/cost.md).

        Without prices: the catalog's estimates from Epoch's price series. `prices` {chip: USD per
        chip-hour} and `purchases` {chip: USD per chip} re-price the chips they name (a chip is an
        id, or words of one: "H100" is every H100 variant); a bad price raises analysis.cost.PriceError
        naming it. `method`: cloud | amortized. `year`: costs in US dollars of that year (the price
        index FRED PCU518210518210; None: nominal). Same numbers as `cegdb cost`, e.g.
        `cat.costs("deepseek-v3", prices={"H800": 2})` gives DeepSeek's $5.576M.
        """
        from analysis import cost_store

        if method not in (None, "cloud", "amortized"):
            raise ValueError(f"method {method!r}: cloud or amortized")
        ids = [self._model_id(model)] if model is not None else None
        estimates = cost_store.reprice(self._conn, model_ids=ids, prices=prices, purchases=purchases, year=year)
        columns = ["model_id", "method", "cost_usd", "lower_usd", "upper_usd", "user_priced", "note"]
        frame = pd.DataFrame.from_records(
            [(e.model_id, e.method, e.value, e.lower, e.upper, e.user_priced, e.note) for e in estimates
             if method is None or e.method == method], columns=columns)
        frame.attrs.update(units={"cost_usd": "USD", "lower_usd": "USD", "upper_usd": "USD"},
                           descriptions={"cost_usd": f"Training cost (USD of {year})" if year else
                                         "Training cost (nominal USD)", "lower_usd": "Lower bound",
                                         "upper_usd": "Upper bound", "note": "Inputs, formula and assumptions"},
                           source=self.location, release=self.release, table=None)
        return frame

    def ceg(self, innovation: str | None = None) -> pd.DataFrame:
        """Compute-equivalent gains (`ceg_estimate`): fitted, reported and per-run, with intervals."""
        where, params = self._innovation_filter(innovation, "innovation_id")
        return self._select("SELECT * FROM ceg_estimate", where, params, "innovation_id, compute_flop, id",
                            "ceg_estimate")

    def summary(self) -> pd.DataFrame:
        """One row per innovation and gain basis (`innovation_summary`): slope, class, the literature's verdicts."""
        return self._select("SELECT * FROM innovation_summary", [], [], "innovation_id, basis",
                            "innovation_summary")

    def runs(self, innovation: str | None = None) -> pd.DataFrame:
        """Training-run points (`run`): one loss at one compute per row, baseline or treatment arm."""
        where, params = self._innovation_filter(innovation, "innovation_id")
        return self._select("SELECT * FROM run", where, params, "innovation_id, series, arm, compute_flop, id", "run")

    def sql(self, query: str, params: tuple | list | dict | None = None) -> pd.DataFrame:
        """One read-only SELECT (or WITH ... SELECT) with optional parameters.

        Anything else (DELETE, UPDATE, ATTACH, PRAGMA and pragma functions, several statements) raises
        QueryRefused; the connection is read-only as well (columns: `SELECT sql FROM sqlite_master`). attrs["units"] is empty: a query can compute anything, so
        no unit is guessed (the schema's column names carry their unit: training_compute_flop)."""
        bare = SQL_COMMENT.sub(" ", query).strip()
        first = bare.split(None, 1)[0].upper() if bare else ""
        if first not in ("SELECT", "WITH", "VALUES"):
            raise QueryRefused(f"sql() runs one read-only SELECT; refused: {query.strip()[:60]!r}")
        try:
            # sqlite3 itself refuses a second statement (ProgrammingError); a `;` inside a string
            # literal, `SELECT ';'`, is no second statement.
            columns, records = self._run(query, params or ())
        except sqlite3.ProgrammingError as exc:
            if "one statement" in str(exc):
                raise QueryRefused(f"sql() runs one statement; refused: {query.strip()[:60]!r}") from None
            raise
        except sqlite3.DatabaseError as exc:
            if "not authorized" in str(exc):
                raise QueryRefused(f"sql() runs one read-only SELECT; refused: {query.strip()[:60]!r}") from None
            raise
        frame = pd.DataFrame.from_records(records, columns=columns)
        frame.attrs.update(units={}, descriptions={}, source=self.location, release=self.release, table=None)
        return frame

    # --- helpers ------------------------------------------------------------------------------

    def _run(self, query: str, params) -> tuple[list[str], list[tuple]]:
        """Execute and fetch within this catalog's time limit."""
        self._deadline = time.monotonic() + self.time_limit_s
        try:
            cursor = self._conn.execute(query, params)
            return [d[0] for d in cursor.description], cursor.fetchall()
        except sqlite3.OperationalError as exc:
            if str(exc) == "interrupted":
                raise QueryRefused(f"the query ran longer than {self.time_limit_s:g} s and was stopped "
                                   "(Catalog.time_limit_s)") from None
            raise

    def _model_id(self, model: str) -> str:
        row = self._conn.execute(
            "SELECT id FROM model WHERE id = ? UNION ALL SELECT id FROM model WHERE lower(name) = lower(?) "
            "UNION ALL SELECT entity_id FROM alias WHERE entity_type = 'model' AND alias = ? LIMIT 1",
            (model, model, model)).fetchone()
        if row is None:
            raise KeyError(f"no model {model!r} (an id, name or alias; see models())")
        return row[0]

    def _innovation_filter(self, innovation: str | None, column: str) -> tuple[list[str], list]:
        if innovation is None:
            return [], []
        row = self._conn.execute("SELECT id FROM innovation WHERE id = ? OR lower(name) = lower(?) LIMIT 1",
                                 (innovation, innovation)).fetchone()
        if row is None:
            raise KeyError(f"no innovation {innovation!r} (an id or name; see innovations())")
        return [f"{column} = ?"], [row[0]]

    def _select(self, query: str, where: list[str], params: list, order: str, table: str,
                extra: dict[str, tuple[str, str | None]] | None = None) -> pd.DataFrame:
        if where:
            query += " WHERE " + " AND ".join(where)
        columns, records = self._run(f"{query} ORDER BY {order}", params)
        frame = pd.DataFrame.from_records(records, columns=columns)
        model = TABLES[table]
        docs = {**schema.column_docs(model), **(extra or {})}
        types = {c.name: c.type for c in model.__table__.columns}
        for name in columns:
            kind = types.get(name)
            if isinstance(kind, Boolean):
                frame[name] = frame[name].astype("boolean")
            elif isinstance(kind, Float):
                frame[name] = frame[name].astype("float64")
            elif isinstance(kind, Integer):
                frame[name] = frame[name].astype("Int64")
        assert all(c in docs for c in columns), f"{table}: columns without docs: " \
            f"{[c for c in columns if c not in docs]}"
        frame.attrs.update(units={c: docs[c][1] for c in columns}, descriptions={c: docs[c][0] for c in columns},
                           source=self.location, release=self.release, table=table)
        return frame
