"""Scraped claims in the catalog: stored per item, validated like curated ones, resolved, conflicts
listed, skipped on a re-run, carried over by a rebuild; the fault run of 100 items."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
import respx
from click.testing import CliRunner

from _scrape_fixtures import HF, llama_config, mixtral_config, route_repo
from catalog import db
from cegdb.pipeline import build
from cegdb.cli import main
from scrapers import pipeline
from scrapers.http import HostLimiter, PoliteClient
from scrapers.snapshots import SnapshotStore
from scrapers.sources import hf
from conftest import rows


@pytest.fixture
def hub():
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{HF}/robots.txt").respond(200, text="User-agent: *\nAllow: /\n")
        yield router


def scrape(path, tmp_path, *args):
    result = CliRunner().invoke(main, ["scrape", *args, "--db", str(path), "--snapshots", str(tmp_path / "snaps")])
    return result


def test_scrape_hf_stores_claims_resolves_and_lists_conflicts(built_db, tmp_path, hub):
    route_repo(hub, "toylab/Toy-MoE", config=mixtral_config())
    route_repo(hub, "toylab/Toy-Small")
    result = scrape(built_db, tmp_path, "hf", "toylab/Toy-MoE", "toylab/Toy-Small")
    assert result.exit_code == 0, result.output
    assert "2 item(s) stored" in result.output and "1 model(s) created" in result.output

    # Toy-MoE maps to the curated toy-moe by its hf_repo; the config's count disagrees with the
    # curated 100e9, both are kept, the curated one wins, the conflict is listed.
    scraped = dict(rows(built_db, "select field, value_num from claim where model_id = 'toy-moe' "
                                  "and origin = 'scraper:hf' and value_num is not null"))
    assert scraped["parameters"] == pytest.approx(46.7e9, rel=0.01)
    assert scraped["active_parameters"] == pytest.approx(12.9e9, rel=0.01)
    assert scraped["moe_experts"] == 8 and scraped["num_layers"] == 32
    assert rows(built_db, "select parameters, moe_experts from model where id = 'toy-moe'") == [(100e9, 8.0)]
    conflict = rows(built_db, """select a.origin, b.origin from conflict k join claim a on a.id = k.claim_a_id
                                 join claim b on b.id = k.claim_b_id
                                 where k.entity_id = 'toy-moe' and k.field = 'parameters'""")
    assert ("curated", "scraper:hf") in conflict

    # Toy-Small is new: a model row with origin scraper:hf, its organisation from the owner.
    assert rows(built_db, "select id, name, organization_id, origin, hf_repo_id, num_layers, parameters "
                          "from model where origin = 'scraper:hf'") == [
        ("toy-small", "Toy-Small", "toylab", "scraper:hf", "toylab/Toy-Small", 16.0, 1235814400.0)]
    # Every claim has its source (one per fetched URL), snapshot, locator and origin_ref.
    claims = rows(built_db, "select c.source_id, s.url, c.snapshot_id, c.locator, c.origin_ref, c.method "
                            "from claim c join source s on s.id = c.source_id where c.origin = 'scraper:hf'")
    assert claims and all(sid.endswith("-config") and url == ref and snap and loc
                          for sid, url, snap, loc, ref, _m in claims)
    assert {claim[-1] for claim in claims} >= {"reported", "derived"}
    assert rows(built_db, "select count(*) from snapshot") == [(6,)]
    assert rows(built_db, "select count(*) from source where origin = 'scraper:hf'") == [(6,)]
    params = rows(built_db, "select method, note from claim where model_id = 'toy-small' and field = 'parameters'")
    assert params[0][0] == "derived" and "config.json" in params[0][1]
    # The snapshot bodies are on disk under their hash.
    for sha, path in rows(built_db, "select sha256, path from snapshot"):
        assert (tmp_path / "snaps" / path).name == sha


def test_rerun_skips_stored_items_and_refresh_keeps_unchanged_claims(built_db, tmp_path, hub):
    routes = route_repo(hub, "toylab/Toy-Small")
    assert scrape(built_db, tmp_path, "hf", "toylab/Toy-Small").exit_code == 0
    before = rows(built_db, "select id, field from claim where origin = 'scraper:hf' order by id")
    again = scrape(built_db, tmp_path, "hf", "toylab/Toy-Small")
    assert again.exit_code == 0 and "1 skipped" in again.output
    assert routes["api"].call_count == 1
    refreshed = scrape(built_db, tmp_path, "hf", "toylab/Toy-Small", "--refresh")
    assert refreshed.exit_code == 0, refreshed.output
    assert f"0 new, {len(before)} unchanged" in refreshed.output
    assert rows(built_db, "select id, field from claim where origin = 'scraper:hf' order by id") == before
    assert routes["api"].call_count == 2


def test_an_invalid_value_fails_the_whole_item_and_names_the_field(built_db, tmp_path, hub):
    route_repo(hub, "toylab/Bad", config={**llama_config(), "num_hidden_layers": 20000})
    route_repo(hub, "toylab/Good")
    result = scrape(built_db, tmp_path, "hf", "toylab/Bad", "toylab/Good")
    assert result.exit_code == 1
    assert "toylab/Bad" in result.output and "num_layers" in result.output
    assert rows(built_db, "select id from model where origin = 'scraper:hf'") == [("good",)]
    assert rows(built_db, "select count(*) from claim where origin_ref like '%toylab/Bad%'") == [(0,)]
    # Its snapshot rows were written before parsing, and stay.
    assert rows(built_db, "select count(*) from snapshot where url like '%toylab/Bad%'")[0][0] == 3


def test_rebuild_carries_scraped_claims_and_imported_models_over(built_db, tmp_path, hub, catalog_dir):
    route_repo(hub, "toylab/Toy-MoE", config=mixtral_config())
    route_repo(hub, "toylab/Toy-Small")
    assert scrape(built_db, tmp_path, "hf", "toylab/Toy-MoE", "toylab/Toy-Small").exit_code == 0
    query = ("select entity_id, field, value_num, value_text, source_id, locator, snapshot_id, origin_ref "
             "from claim where origin = 'scraper:hf' order by entity_id, field, locator")
    scraped = rows(built_db, query)
    conflicts = rows(built_db, "select entity_id, field, value_a, value_b from conflict order by 1, 2, 3, 4")
    report = build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert report.counts["carried_claims"] == len(scraped) and report.counts["carried_models"] == 1
    assert rows(built_db, query) == scraped
    assert rows(built_db, "select entity_id, field, value_a, value_b from conflict order by 1, 2, 3, 4") == conflicts
    assert rows(built_db, "select origin, num_layers from model where id = 'toy-small'") == [("scraper:hf", 16.0)]
    assert rows(built_db, "select count(*) from snapshot") == [(6,)]
    assert rows(built_db, "pragma foreign_key_check") == []
    # Twice: nothing lost, nothing doubled.
    build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert rows(built_db, query) == scraped


def test_rebuild_drops_a_carried_claim_that_no_longer_validates(built_db, tmp_path, hub, catalog_dir):
    route_repo(hub, "toylab/Toy-Small")
    assert scrape(built_db, tmp_path, "hf", "toylab/Toy-Small").exit_code == 0
    conn = sqlite3.connect(built_db)
    conn.execute("update claim set value_num = 99999 where origin = 'scraper:hf' and field = 'num_layers'")
    conn.commit()
    conn.close()
    report = build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert report.counts["carried_dropped"] == 1
    assert rows(built_db, "select count(*) from claim where origin = 'scraper:hf' and field = 'num_layers'") == [(0,)]


def test_curated_model_promoted_from_a_scraped_one_keeps_the_scraped_claims(built_db, tmp_path, hub, catalog_dir):
    route_repo(hub, "toylab/Toy-Small")
    assert scrape(built_db, tmp_path, "hf", "toylab/Toy-Small").exit_code == 0
    (catalog_dir / "models/toylab/toy-small.yaml").write_text(
        "id: toy-small\nname: Toy Small\norganization: toylab\nprimary_source: toy2025card\nclaims:\n"
        "  num_layers: {value: 18, source: toy2025card, locator: Overview, confidence: high}\n")
    build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert rows(built_db, "select origin, name, num_layers from model where id = 'toy-small'") == [
        ("curated", "Toy Small", 18.0)]
    assert rows(built_db, "select count(*) from conflict where entity_id = 'toy-small' and field = 'num_layers'") == [(1,)]


def test_to_yaml_writes_reviewable_curation_files(built_db, tmp_path, hub):
    route_repo(hub, "toylab/Toy-Small")
    out = tmp_path / "review"
    result = CliRunner().invoke(main, ["scrape", "hf", "toylab/Toy-Small", "--no-store", "--to-yaml", str(out),
                                       "--snapshots", str(tmp_path / "snaps"), "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 0, result.output
    import yaml

    model = yaml.safe_load((out / "models/todo/toy-small.yaml").read_text())
    assert model["organization"] == "TODO" and model["hf_repo"] == "toylab/Toy-Small"
    assert model["claims"]["num_layers"]["value"] == 16
    assert model["claims"]["num_layers"]["locator"] == "config.json: num_hidden_layers"
    sources = yaml.safe_load((out / "sources/hf.yaml").read_text())
    assert set(sources) == {"hf-toylab-toy-small", "hf-toylab-toy-small-config", "hf-toylab-toy-small-card"}
    assert not (tmp_path / "none.sqlite").exists()


def test_scrape_needs_a_built_catalog(tmp_path):
    result = CliRunner().invoke(main, ["scrape", "hf", "a/b", "--db", str(tmp_path / "missing.sqlite")])
    assert result.exit_code != 0 and "cegdb build" in result.output


def test_every_scrape_command_has_an_example():
    for name in ("hf", "card", "arxiv", "s2", "epoch"):
        result = CliRunner().invoke(main, ["scrape", name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name


def test_fault_run_of_100_items_with_10_failing(built_db, tmp_path):
    """90 stored, 10 reported with the reason; a re-run fetches only the 10."""
    repos = [f"fault/Model-{n:03d}" for n in range(100)]
    failing = set(repos[::10])
    kinds = {}
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{HF}/robots.txt").respond(404)
        for number, repo in enumerate(repos):
            if repo not in failing:
                route_repo(router, repo, config=llama_config(layers=8 + number % 8))
                continue
            kind = ("api404", "server500", "badjson", "invalid")[len(kinds) % 4]
            kinds[repo] = kind
            if kind == "api404":
                route_repo(router, repo, api_status=404)
            elif kind == "server500":
                route_repo(router, repo, config_status=500)
            elif kind == "badjson":
                routes = route_repo(router, repo)
                routes["config"].mock(return_value=httpx.Response(200, content=b"{not json"))
            else:
                route_repo(router, repo, config={**llama_config(), "vocab_size": 10})
        summary, fetched_api = _scrape(built_db, tmp_path, repos, "first")
    assert summary.items_stored == 90 and len(summary.failures) == 10
    assert {f.label for f in summary.failures} == failing
    reasons = {f.label: f.reason for f in summary.failures}
    for repo, kind in kinds.items():
        expected = {"api404": "HTTP 404", "server500": "HTTP 500 after", "badjson": "not valid JSON",
                    "invalid": "vocab_size"}[kind]
        assert expected in reasons[repo], (repo, reasons[repo])
    assert rows(built_db, "select count(*) from model where origin = 'scraper:hf'") == [(90,)]

    # The failing ones are fixed upstream; a day later the HTTP cache has expired (a new one here).
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{HF}/robots.txt").respond(404)
        for repo in repos:
            route_repo(router, repo)
        summary, fetched_api = _scrape(built_db, tmp_path, repos, "second")
    assert sorted(fetched_api) == sorted(hf.urls(r)["api"] for r in failing)
    assert summary.items_skipped == 90 and summary.items_stored == 10 and not summary.failures
    assert rows(built_db, "select count(*) from model where origin = 'scraper:hf'") == [(100,)]


def _scrape(path, tmp_path, repos, run):
    """pipeline.run with a client whose sleeps are free; returns the API URLs it fetched."""
    fetched = []
    client = PoliteClient(SnapshotStore(tmp_path / "snaps"), cache_dir=tmp_path / f"cache-{run}",
                          sleep=lambda s: None, limiter=HostLimiter(sleep=lambda s: None))
    original = client.get

    def spy(url, **kwargs):
        if "/api/models/" in url:
            fetched.append(url)
        return original(url, **kwargs)

    client.get = spy
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn, client:
            summary = pipeline.run([hf.task(r) for r in repos], client, origin=hf.ORIGIN, conn=conn)
    finally:
        engine.dispose()
    return summary, fetched


def test_scrape_and_rebuild_on_postgresql(postgres_url, tmp_path, catalog_dir, hub):
    """PostgreSQL rebuilds in place: the carried rows are read before the delete, same transaction."""
    from sqlalchemy import text

    db.downgrade(postgres_url, "base")
    build(catalog_dir, postgres_url, analysis=None)
    route_repo(hub, "toylab/Toy-MoE", config=mixtral_config())
    route_repo(hub, "toylab/Toy-Small")
    result = CliRunner().invoke(main, ["scrape", "hf", "toylab/Toy-MoE", "toylab/Toy-Small", "--db", postgres_url,
                                       "--snapshots", str(tmp_path / "snaps")])
    assert result.exit_code == 0, result.output
    engine = db.make_engine(postgres_url)
    query = text("select entity_id, field, value_num, value_text, locator from claim "
                 "where origin = 'scraper:hf' order by 1, 2, 5")
    try:
        with engine.connect() as conn:
            scraped = conn.execute(query).all()
            conflicts = conn.execute(text("select count(*) from conflict")).scalar()
        build(catalog_dir, postgres_url, analysis=None)
        with engine.connect() as conn:
            assert conn.execute(query).all() == scraped
            assert conn.execute(text("select count(*) from conflict")).scalar() == conflicts
            assert conn.execute(text("select origin from model where id = 'toy-small'")).scalar() == "scraper:hf"
    finally:
        engine.dispose()
        db.downgrade(postgres_url, "base")


def test_sqlite_snapshot_from_postgresql_carries_the_scraped_claims(postgres_url, tmp_path, catalog_dir, hub):
    """A team scrapes into PostgreSQL; the SQLite file it publishes must keep those claims."""
    from sqlalchemy import text

    db.downgrade(postgres_url, "base")
    build(catalog_dir, postgres_url, analysis=None)
    route_repo(hub, "toylab/Toy-Small")
    result = CliRunner().invoke(main, ["scrape", "hf", "toylab/Toy-Small", "--db", postgres_url,
                                       "--snapshots", str(tmp_path / "snaps")])
    assert result.exit_code == 0, result.output
    query = text("select entity_id, field, value_num, value_text from claim where origin = 'scraper:hf' "
                 "order by 1, 2, 3, 4")
    snapshot = tmp_path / "snapshot.sqlite"
    pg, lite = db.make_engine(postgres_url), db.make_engine(f"sqlite:///{snapshot}")
    try:
        with pg.connect() as conn:
            scraped = conn.execute(query).all()
        assert scraped
        result = CliRunner().invoke(main, ["build", "--db", str(snapshot), "--datasets", str(catalog_dir),
                                           "--carry-from", postgres_url])
        assert result.exit_code == 0, result.output
        with lite.connect() as conn:
            assert conn.execute(query).all() == scraped
    finally:
        pg.dispose()
        lite.dispose()
        db.downgrade(postgres_url, "base")


def test_offline_rescrape_reads_only_snapshots(built_db, tmp_path, hub):
    route_repo(hub, "toylab/Toy-Small")
    assert scrape(built_db, tmp_path, "hf", "toylab/Toy-Small").exit_code == 0
    calls = hub.calls.call_count
    result = scrape(built_db, tmp_path, "hf", "toylab/Toy-Small", "toylab/Never-Fetched", "--offline", "--refresh")
    assert hub.calls.call_count == calls  # nothing went to the network
    assert result.exit_code == 1
    assert "1 item(s) stored" in result.output and "0 new" in result.output
    assert "toylab/Never-Fetched" in result.output and "not in the snapshot store" in result.output


def test_an_unexpected_fetch_error_costs_one_item_only(built_db, tmp_path, hub):
    route_repo(hub, "toylab/Toy-Small")
    tasks = [hf.task("toylab/Toy-Small"), hf.task("toylab/Broken")]
    tasks[1].fetch = lambda client: (_ for _ in ()).throw(OSError("disk full"))
    client = PoliteClient(SnapshotStore(tmp_path / "snaps"), sleep=lambda s: None)
    engine = db.make_engine(f"sqlite:///{built_db}")
    try:
        with engine.connect() as conn, client:
            summary = pipeline.run(tasks, client, origin=hf.ORIGIN, conn=conn)
    finally:
        engine.dispose()
    assert summary.items_stored == 1
    assert [(f.label, f.reason) for f in summary.failures] == [("toylab/Broken", "OSError: disk full")]
