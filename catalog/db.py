"""Database URLs, engines and Alembic, shared by every command."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text

import migrations

DEFAULT_DB = "cegdb.sqlite"
MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def database_url(db: str | None = None) -> str:
    """`--db` wins, then CEGDB_DATABASE_URL, then ./cegdb.sqlite. A bare path means SQLite."""
    value = db or os.environ.get("CEGDB_DATABASE_URL") or DEFAULT_DB
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser())


def sqlite_url(path: Path) -> str:
    """The sqlite:/// URL of a file. `%`, `?` and `#` are percent-encoded: SQLAlchemy reads what
    follows `?` as options and decodes `%xx`, so `a?b.sqlite` used to open `a` and `%41` `A`."""
    text = str(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"sqlite:///{text}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL, or None for other databases."""
    if url.startswith("sqlite:///"):
        from sqlalchemy.engine import make_url

        return Path(make_url(url).database or "")
    return None


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite ignores FOREIGN KEY clauses unless asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs with escaped passwords contain it.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def table_rows(conn, table: str, skip_columns: Iterable[str] = ()) -> Iterator[tuple[Any, ...]]:
    """Rows of one schema table, columns in schema order, ordered by primary key.

    Takes a sqlite3 connection (exports and releases read the file directly) or a SQLAlchemy
    one (any database): one ordering rule for determinism checks, hashes and CSVs.
    """
    from catalog.schema import SQLModel

    columns = [c for c in SQLModel.metadata.tables[table].columns if c.name not in set(skip_columns)]
    pk = [c.name for c in columns if c.primary_key]
    sql = f"SELECT {', '.join(c.name for c in columns)} FROM {table} ORDER BY {', '.join(pk)}"
    result = conn.execute(sql) if isinstance(conn, sqlite3.Connection) else conn.execute(text(sql))
    for row in result:
        yield tuple(row)


def content_rows(conn, tables: Iterable[str] | None = None,
                 skip_columns: Iterable[str] = ()) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(table, row) for every row of the given schema tables (default: all, sorted by name)."""
    from catalog.schema import SQLModel

    for table in (sorted(SQLModel.metadata.tables) if tables is None else tables):
        for row in table_rows(conn, table, skip_columns):
            yield table, row
