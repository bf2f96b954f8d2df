"""The Python API: `cegdb.open` on a built catalog, a release folder and a release URL (respx, no
network), DataFrames with units in attrs, read-only SQL, `cegdb.ceg` on a planted sweep, and the
worked example in docs/examples/ executed on the catalog built from the repository."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import httpx
import pandas as pd
import pytest
import respx
from click.testing import CliRunner

import cegdb
from _ceg_fixtures import COMPUTE, loss
from cegdb.cli import main
from conftest import REPO

METHODS = ("models", "hardware", "innovations", "claims", "conflicts", "ceg", "summary", "runs")


@pytest.fixture
def cat(built_db):
    with cegdb.open(built_db) as catalog:
        yield catalog


@pytest.mark.parametrize("method", METHODS)
def test_every_method_returns_a_frame_with_units_and_source(cat, built_db, method):
    frame = getattr(cat, method)()
    assert isinstance(frame, pd.DataFrame)
    assert set(frame.attrs["units"]) == set(frame.columns)
    assert set(frame.attrs["descriptions"]) == set(frame.columns)
    assert frame.attrs["source"] == str(built_db)


def test_units_come_from_the_schema(cat):
    models = cat.models()
    assert models.attrs["units"]["training_compute_flop"] == "FLOP"
    assert models.attrs["units"]["gpu_hours"] == "hours"
    assert models.attrs["units"]["name"] is None
    assert cat.hardware().attrs["units"]["bf16_tflops"] == "TFLOP/s"
    assert cat.ceg().attrs["units"]["ceg"] == "x"
    assert models["training_compute_flop"].dtype == "float64"


def test_model_filters(cat):
    assert set(cat.models()["id"]) == {"toy-moe", "toy-chat"}
    assert set(cat.models(organization="toylab")["id"]) == {"toy-moe", "toy-chat"}
    assert set(cat.models(organization="Toy Lab")["id"]) == {"toy-moe", "toy-chat"}
    assert cat.models(organization="chipco").empty
    years = dict(zip(cat.models()["id"], cat.models()["release_year"]))
    year = years["toy-moe"]
    assert "toy-moe" in set(cat.models(year=int(year))["id"])
    assert set(cat.models(year=(2000, 2100))["id"]) == {"toy-moe", "toy-chat"}
    assert cat.models(year=(1990, 1999)).empty
    assert set(cat.models(open_weights=True)["id"]) == \
        set(cat.sql("SELECT id FROM model WHERE accessibility = 'open_weights'")["id"])
    assert "toy-moe" in set(cat.models(open_weights=True, domain="language")["id"])
    assert "toy-moe" not in set(cat.models(open_weights=False)["id"])
    with pytest.raises(ValueError, match="domain"):
        cat.models(domain="languages")


def test_claims_filters_and_sources(cat):
    claims = cat.claims(model="toy-moe", field="gpu_hours")
    assert sorted(claims["value_num"]) == [1.5e6, 2.0e6]
    assert set(claims["source_title"]) == {"A Toy Mixture-of-Experts Model", "Toy model card"}
    assert claims["source_url"].str.startswith("https://").all()
    assert set(cat.claims(model="Toy-MoE")["entity_id"]) == {"toy-moe"}  # a name works like an id
    assert set(cat.claims(field="gpu_hours")["field"]) == {"gpu_hours"}
    with pytest.raises(KeyError, match="no model"):
        cat.claims(model="no-such-model")


def test_conflicts_name_both_sources(cat):
    conflicts = cat.conflicts()
    gpu = conflicts[conflicts["field"] == "gpu_hours"]
    assert len(gpu) == 1 and {gpu.iloc[0]["source_a_title"], gpu.iloc[0]["source_b_title"]} == \
        {"A Toy Mixture-of-Experts Model", "Toy model card"}


def test_sql_is_read_only(cat, built_db):
    assert cat.sql("SELECT count(*) AS n FROM model WHERE id = ?", ("toy-moe",))["n"].tolist() == [1]
    for query in ("DELETE FROM model", "  -- comment\n delete from claim",
                  "WITH x AS (SELECT 1) DELETE FROM model", "SELECT 1; DELETE FROM model",
                  "ATTACH DATABASE ':memory:' AS other", "PRAGMA journal_mode = WAL"):
        with pytest.raises(cegdb.QueryRefused):
            cat.sql(query)
    # The connection itself refuses writes too (read-only file and an authorizer).
    with pytest.raises(sqlite3.DatabaseError):
        cat._conn.execute("DELETE FROM model")
    conn = sqlite3.connect(built_db)
    assert conn.execute("SELECT count(*) FROM model").fetchone()[0] == 2
    conn.close()


def test_opening_what_is_not_a_catalog_says_so(tmp_path):
    with pytest.raises(cegdb.CatalogError, match="no such file"):
        cegdb.open(tmp_path / "missing.sqlite")
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(cegdb.CatalogError, match="not a cegdb catalog"):
        cegdb.open(other)
    with pytest.raises(cegdb.CatalogError, match="SHA256SUMS"):
        cegdb.open(tmp_path)


@pytest.fixture
def release_folder(built_db, tmp_path, monkeypatch):
    from publish.release import release

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    return release(built_db, "2026.12.0", tmp_path / "dist", REPO).folder


def _flip_last_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def test_release_folder_is_verified_before_use(release_folder):
    with cegdb.open(release_folder) as cat:
        assert cat.release == "2026.12.0"
        assert len(cat.models()) == 2 and cat.models().attrs["release"] == "2026.12.0"
    _flip_last_byte(release_folder / "model.csv")
    with pytest.raises(cegdb.ChecksumMismatch, match="model.csv"):
        cegdb.open(release_folder)


def test_a_tampered_release_sqlite_is_refused_by_folder_and_by_path(release_folder):
    sqlite_path = release_folder / "cegdb-2026.12.0.sqlite"
    _flip_last_byte(sqlite_path)
    for location in (release_folder, sqlite_path):
        with pytest.raises(cegdb.ChecksumMismatch, match="cegdb-2026.12.0.sqlite"):
            cegdb.open(location)


def test_release_missing_a_listed_file_is_refused(release_folder):
    (release_folder / "sources.bib").unlink()
    with pytest.raises(cegdb.ChecksumMismatch, match="sources.bib"):
        cegdb.open(release_folder)


BASE = "https://releases.example.org/cegdb/2026.12.0/"


def _mock_release(router, folder, body=None):
    sums = (folder / "SHA256SUMS").read_bytes()
    data = body if body is not None else (folder / "cegdb-2026.12.0.sqlite").read_bytes()
    return (router.get(BASE + "SHA256SUMS").mock(return_value=httpx.Response(200, content=sums)),
            router.get(BASE + "cegdb-2026.12.0.sqlite").mock(return_value=httpx.Response(200, content=data)))


def test_release_url_is_downloaded_once_and_verified(release_folder, tmp_path):
    cache = tmp_path / "cache"
    with respx.mock(assert_all_called=False) as router:
        sums_route, sqlite_route = _mock_release(router, release_folder)
        for url in (BASE, BASE.rstrip("/"), BASE + "SHA256SUMS"):
            with cegdb.open(url, cache_dir=cache) as cat:
                assert cat.release == "2026.12.0" and len(cat.models()) == 2
                assert cat.models().attrs["source"] == url
        assert sums_route.call_count == 1 and sqlite_route.call_count == 1
    cached = next(cache.glob("*/cegdb-2026.12.0.sqlite"))
    # A cache damaged later is found at the next open, never used: it is fetched again (issue 18:
    # it used to stay an error forever), and a server that serves damaged bytes is an error.
    _flip_last_byte(cached)
    with respx.mock(assert_all_called=False) as router:
        sums_route, sqlite_route = _mock_release(router, release_folder)
        with cegdb.open(BASE, cache_dir=cache) as cat:
            assert cat.release == "2026.12.0"
        assert sums_route.call_count == 1 and sqlite_route.call_count == 1
    _flip_last_byte(cached)
    good = (release_folder / "cegdb-2026.12.0.sqlite").read_bytes()
    with respx.mock(assert_all_called=False) as router:
        _mock_release(router, release_folder, body=good[:-1] + bytes([good[-1] ^ 1]))
        with pytest.raises(cegdb.ChecksumMismatch, match="cegdb-2026.12.0.sqlite"):
            cegdb.open(BASE, cache_dir=cache)


def test_release_url_with_a_wrong_download_is_an_error_and_nothing_is_kept(release_folder, tmp_path):
    cache = tmp_path / "cache"
    good = (release_folder / "cegdb-2026.12.0.sqlite").read_bytes()
    with respx.mock(assert_all_called=False) as router:
        _mock_release(router, release_folder, body=good[:-1] + bytes([good[-1] ^ 1]))
        with pytest.raises(cegdb.ChecksumMismatch, match="cegdb-2026.12.0.sqlite"):
            cegdb.open(BASE, cache_dir=cache)
    assert not list(cache.glob("*/*.sqlite*"))
    with respx.mock() as router:
        router.get("https://releases.example.org/other/SHA256SUMS").mock(return_value=httpx.Response(404))
        with pytest.raises(cegdb.CatalogError, match="HTTP 404"):
            cegdb.open("https://releases.example.org/other/", cache_dir=cache)


def planted_runs(gain: float = 3.0) -> pd.DataFrame:
    rows = []
    for c in COMPUTE:
        rows.append({"innovation": "planted", "series": "sweep", "arm": "baseline", "compute_flop": c,
                     "loss": loss(c)})
        rows.append({"innovation": "planted", "series": "sweep", "arm": "treatment", "compute_flop": c,
                     "loss": loss(gain * c)})
    return pd.DataFrame(rows)


def test_ceg_on_own_runs_recovers_a_planted_constant_3x(tmp_path):
    points, series = cegdb.ceg(planted_runs(), bootstrap=50)
    exact = points[points["censored"].isna()]
    assert len(exact) >= 5
    assert ((exact["ceg"] - 3.0).abs() < 0.3).all(), exact["ceg"].tolist()
    assert points.attrs["units"]["ceg"] == "x" and points.attrs["units"]["compute_flop"] == "FLOP"
    assert series.iloc[0]["class"] == "compute-independent"
    assert abs(series.iloc[0]["slope"]) < 0.05

    # The same numbers as `cegdb ceg FILE.csv --json`: one engine.
    path = tmp_path / "runs.csv"
    planted_runs().to_csv(path, index=False)
    result = CliRunner().invoke(main, ["ceg", str(path), "--json", "--bootstrap", "50"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)[0]
    assert [p["ceg"] for p in cli["points"]] == pytest.approx(points["ceg"].tolist(), rel=1e-12)
    assert [p["ceg_lower"] for p in cli["points"]] == pytest.approx(points["ceg_lower"].tolist(), rel=1e-12)
    assert cli["class"] == series.iloc[0]["class"] and cli["slope"] == pytest.approx(series.iloc[0]["slope"])


def test_ceg_on_own_runs_names_the_bad_row():
    runs = planted_runs()
    runs.loc[3, "arm"] = "control"
    with pytest.raises(ValueError, match="column arm"):
        cegdb.ceg(runs)
    with pytest.raises(ValueError, match="missing column"):
        cegdb.ceg(runs.drop(columns=["loss"]))


def test_worked_example_runs_on_the_repository_catalog(tmp_path, repo_catalog):
    path = repo_catalog
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(REPO / "docs" / "examples" / "python_api.py"), str(path)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "DeepSeek-V3 vs Llama 3.1 405B" in out and "nvidia-h800" in out and "nvidia-h100-sxm" in out
    assert "Transformer:" in out and "class: " in out and "My sweep" in out
