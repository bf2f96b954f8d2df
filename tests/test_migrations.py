"""The first Alembic revision creates the schema; upgrade, downgrade, upgrade again; no drift."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalog import db
from cegdb.pipeline import build
from catalog.schema import SQLModel


def _tables(url):
    engine = db.make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _drift(url):
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": _include})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def _include(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and "_fts" in (name or ""))


def _roundtrip(url):
    expected = set(SQLModel.metadata.tables)
    db.upgrade(url)
    assert _tables(url) == expected
    assert db.current_revision(url) == db.head_revision()
    assert _drift(url) == []
    db.downgrade(url, "base")
    assert _tables(url) == set()
    db.upgrade(url)
    assert _tables(url) == expected
    assert _drift(url) == []


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'm.sqlite'}")


def test_sqlite_connections_enforce_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'fk.sqlite'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_upgrade_downgrade_upgrade_on_postgresql(postgres_url):
    db.downgrade(postgres_url, "base")
    _roundtrip(postgres_url)
    db.downgrade(postgres_url, "base")


def test_build_on_postgresql_matches_sqlite(postgres_url, tmp_path, catalog_dir):
    from catalog.db import content_rows

    db.downgrade(postgres_url, "base")
    build(catalog_dir, postgres_url)
    sqlite_url = f"sqlite:///{tmp_path / 's.sqlite'}"
    build(catalog_dir, sqlite_url)
    results = []
    for url in (postgres_url, sqlite_url):
        engine = db.make_engine(url)
        with engine.connect() as conn:
            results.append({(t, tuple(round(v, 6) if isinstance(v, float) else v for v in r))
                            for t, r in content_rows(conn) if t != "alembic_version"})
        engine.dispose()
    assert results[0] == results[1]
    db.downgrade(postgres_url, "base")
