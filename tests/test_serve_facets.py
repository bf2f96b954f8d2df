"""Facet counts of an immutable served catalog: counted once per distinct query, never wrong."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.facets import ColumnFacet

from publish import serving
from publish.plugin import facets

FACETS = tuple(serving.TABLE_OPTIONS["model"]["facets"])


def _served(db: Path, immutable: bool = True) -> Datasette:
    kwargs = {"immutables": [str(db)]} if immutable else {"files": [str(db)]}
    return Datasette(metadata=serving.metadata(db.stem), settings=serving.SETTINGS, **kwargs)


async def _facets(ds: Datasette, db: Path, query: str = "") -> dict:
    response = await ds.client.get(f"/{db.stem}/model.json?_extra=facet_results{query}")
    assert response.status_code == 200, response.text
    return {name: [(r["value"], r["count"]) for r in facet["results"]]
            for name, facet in response.json()["facet_results"].items()}


def _facet_queries(ds: Datasette) -> list[str]:
    """Wrap the database's execute to see which facet GROUP BYs reach SQLite."""
    seen = []
    original = ds.execute

    async def execute(db_name, sql, *args, **kwargs):
        if "count(*) as count from (" in sql:
            seen.append(sql)
        return await original(db_name, sql, *args, **kwargs)

    ds.execute = execute
    return seen


def test_the_plugin_replaces_datasettes_column_facet():
    from datasette.plugins import pm

    classes = [k for group in pm.hook.register_facet_classes() for k in group]
    assert facets.CachedColumnFacet in classes and ColumnFacet not in classes


async def test_cached_counts_equal_datasettes_own(built_db, tmp_path):
    ds = _served(built_db)
    seen = _facet_queries(ds)
    first = await _facets(ds, built_db)
    assert set(FACETS) <= set(first) and len(seen) == len(FACETS)
    second = await _facets(ds, built_db)
    assert second == first
    assert len(seen) == len(FACETS), "the second view counted again"

    # Datasette's own column facet on a writable copy gives the same numbers.
    copy = tmp_path / "writable" / built_db.name
    copy.parent.mkdir()
    shutil.copy(built_db, copy)
    assert await _facets(_served(copy, immutable=False), copy) == first


async def test_a_filtered_view_is_counted_for_its_filter(built_db):
    ds = _served(built_db)
    everything = await _facets(ds, built_db)
    org, count = everything["organization_id"][0]
    filtered = await _facets(ds, built_db, f"&organization_id={org}")
    assert filtered["organization_id"] == [(org, count)]
    assert sum(n for _, n in filtered["accessibility"]) <= count


async def test_a_writable_database_is_always_counted_afresh(built_db, tmp_path):
    copy = tmp_path / "writable" / built_db.name
    copy.parent.mkdir()
    shutil.copy(built_db, copy)
    ds = _served(copy, immutable=False)
    before = await _facets(ds, copy)
    conn = sqlite3.connect(copy)
    conn.execute("update model set release_year = 1901")
    conn.commit()
    conn.close()
    after = await _facets(ds, copy)
    assert after["release_year"] != before["release_year"]
    assert after["release_year"][0][0] == 1901


async def test_two_servers_of_different_files_under_one_name_do_not_share_counts(built_db, tmp_path):
    other = tmp_path / "other" / built_db.name
    other.parent.mkdir()
    shutil.copy(built_db, other)
    conn = sqlite3.connect(other)
    conn.execute("update model set release_year = 1902")
    conn.commit()
    conn.close()
    first = await _facets(_served(built_db), built_db)
    second = await _facets(_served(other), other)
    assert second["release_year"] == [(1902, len(_ids(other)))]
    assert first["release_year"] != second["release_year"]


def _ids(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("select id from model")]
    finally:
        conn.close()


def test_the_cache_keeps_the_most_recent_queries():
    cache = facets.ImmutableQueryCache(size=2)
    for sql in ("a", "b", "c"):
        cache.put(cache.key(sql, {"p0": 1}), [sql])
    assert cache.get(cache.key("a", {"p0": 1})) is None
    assert cache.get(cache.key("c", {"p0": 1})) == ["c"]
    assert cache.get(cache.key("c", {"p0": 2})) is None
