"""Issue 18, the Python API: a crafted catalog cannot hang or exhaust `cegdb.open`, a release
URL's cache refreshes instead of pinning an error, SHA256SUMS is bounded and named in errors,
`SELECT ';'` is one statement."""

from __future__ import annotations

import shutil
import sqlite3

import httpx
import pytest
import respx

import cegdb
from cegdb import release_fetch
from test_api import BASE, _mock_release, release_folder  # noqa: F401 - the fixture


def _crafted(built_db, tmp_path, sql: str):
    path = tmp_path / "crafted.sqlite"
    shutil.copy(built_db, path)
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    return path


ENDLESS = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT n AS data_version FROM c"


@pytest.mark.parametrize("sql, message", [
    (f"DROP TABLE release; CREATE VIEW release AS {ENDLESS};", "release is a view"),
    ("DROP TABLE hardware; CREATE VIEW hardware AS SELECT zeroblob(4000000000) AS id;", "hardware is a view"),
    ("CREATE TRIGGER t AFTER INSERT ON claim BEGIN SELECT 1; END;", "triggers"),
    ("DROP TABLE alias; CREATE TABLE alias (entity_type, entity_id, alias, "
     "x AS (printf('%.*c', 999999999, 'x')));", "generated columns"),
])
def test_a_crafted_catalog_is_refused_at_open(built_db, tmp_path, sql, message):
    """cegdb.open never returned (an endless CTE in a view) or took 4 GB (zeroblob, printf)."""
    with pytest.raises(cegdb.CatalogError, match=message):
        cegdb.open(_crafted(built_db, tmp_path, sql))


def test_queries_are_stopped_past_the_time_limit_and_values_are_bounded(built_db):
    with cegdb.open(built_db) as cat:
        cat.time_limit_s = 0.2
        with pytest.raises(cegdb.QueryRefused, match="longer than 0.2 s"):
            cat.sql(ENDLESS.replace("SELECT n AS data_version FROM c", "SELECT count(*) FROM c"))
        with pytest.raises(sqlite3.DataError):
            cat.sql("SELECT zeroblob(4000000000)")
        with pytest.raises(sqlite3.OperationalError):
            cat.sql("SELECT printf('%.*c', '999999999', 'x')")
        assert len(cat.models()) == 2  # the catalog still answers afterwards


def test_a_semicolon_in_a_string_is_one_statement(built_db):
    with cegdb.open(built_db) as cat:
        assert cat.sql("SELECT ';' AS s")["s"].tolist() == [";"]
        assert cat.sql("SELECT 1 AS n;")["n"].tolist() == [1]
        with pytest.raises(cegdb.QueryRefused):
            cat.sql("SELECT 1; DELETE FROM model")


def test_a_huge_sha256sums_is_refused_while_downloading(tmp_path):
    with respx.mock() as router:
        router.get(BASE + "SHA256SUMS").mock(return_value=httpx.Response(
            200, content=b"0" * (release_fetch.MAX_SUMS_BYTES + 10)))
        with pytest.raises(cegdb.CatalogError, match="larger than"):
            cegdb.open(BASE, cache_dir=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*/*"))


def test_a_stale_cached_sha256sums_is_fetched_again(release_folder, tmp_path):  # noqa: F811
    cache = tmp_path / "cache"
    with respx.mock(assert_all_called=False) as router:
        _mock_release(router, release_folder)
        cegdb.open(BASE, cache_dir=cache).close()
    sums = next(cache.glob("*/SHA256SUMS"))
    # What an older upload's SHA256SUMS looks like: it names a file the server no longer has.
    sums.write_text("ab" * 32 + "  cegdb-2026.11.0.sqlite\n")
    next(cache.glob("*/cegdb-2026.12.0.sqlite")).unlink()
    with respx.mock(assert_all_called=False) as router:
        sums_route, _ = _mock_release(router, release_folder)
        router.get(BASE + "cegdb-2026.11.0.sqlite").mock(return_value=httpx.Response(404))
        with cegdb.open(BASE, cache_dir=cache) as cat:
            assert cat.release == "2026.12.0"
        assert sums_route.call_count == 1


def test_a_sha256sums_that_is_not_utf8_names_the_file(release_folder):  # noqa: F811
    (release_folder / "SHA256SUMS").write_bytes(b"\xff\xfe" + "x".encode("utf-16-le"))
    with pytest.raises(cegdb.CatalogError, match="SHA256SUMS: not UTF-8"):
        cegdb.open(release_folder)
    with pytest.raises(cegdb.CatalogError, match="SHA256SUMS: not UTF-8"):
        cegdb.open(release_folder / "cegdb-2026.12.0.sqlite")


def test_serve_refuses_a_crafted_catalog(built_db, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cegdb.cli import main
    from publish import serving

    monkeypatch.setattr(serving, "run_forwarding_signals", lambda args: pytest.fail("served a crafted catalog"))
    crafted = _crafted(built_db, tmp_path, f"DROP TABLE release; CREATE VIEW release AS {ENDLESS};")
    result = CliRunner().invoke(main, ["serve", "--db", str(crafted)])
    assert result.exit_code == 1 and "release is a view" in result.output, result.output
