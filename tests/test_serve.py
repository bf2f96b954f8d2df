"""Datasette over the built catalog, through Datasette's own test client."""

from pathlib import Path

import pytest
from datasette.app import Datasette

from catalog import schema
from publish import serving


@pytest.fixture
def datasette(built_db: Path) -> Datasette:
    return Datasette(immutables=[str(built_db)], metadata=serving.metadata(built_db.stem),
                     settings=serving.SETTINGS)


def test_every_column_of_every_table_has_a_description():
    meta = serving.metadata()["databases"]["cegdb"]["tables"]
    for table in schema.TABLES:
        columns = meta[table.__tablename__]["columns"]
        assert set(columns) == set(table.__table__.columns.keys()), table.__tablename__
        missing = [name for name, text in columns.items() if not text.strip()]
        assert missing == [], f"{table.__tablename__}: columns without description: {missing}"
        assert meta[table.__tablename__]["description"]


def test_units_are_part_of_the_column_descriptions():
    columns = serving.metadata()["databases"]["cegdb"]["tables"]["model"]["columns"]
    assert columns["training_compute_flop"].endswith("[FLOP]")
    assert columns["gpu_hours"].endswith("[hours]")


async def test_home_page_has_title_and_licence(datasette):
    response = await datasette.client.get("/")
    assert response.status_code == 200
    assert serving.TITLE in response.text
    assert "CC BY 4.0" in response.text


async def test_model_table_has_the_facets(datasette, built_db):
    # Three default facets fit the first screen (issue 17: six filled it); the others stay one click away.
    response = await datasette.client.get(f"/{built_db.stem}/model.json?_extra=facet_results")
    assert response.status_code == 200
    facets = response.json()["facet_results"]
    assert set(facets) == {"organization_id", "accessibility", "release_year"}
    response = await datasette.client.get(f"/{built_db.stem}/model.json?_extra=facet_results&_facet=attention")
    assert "attention" in response.json()["facet_results"]


async def test_model_page_links_to_its_claims(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/model/toy-moe")
    assert response.status_code == 200
    assert f"/{built_db.stem}/claim?model_id=toy-moe" in response.text


async def test_claims_link_to_their_source(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/claim.json?_shape=array&field=gpu_hours&_labels=on")
    rows = response.json()
    assert {row["source_id"]["value"] for row in rows} == {"toy2024paper", "toy2025card"}


async def test_model_provenance_canned_query(datasette, built_db):
    response = await datasette.client.get(
        f"/{built_db.stem}/model_provenance.json?_shape=array&model_id=toy-moe")
    assert response.status_code == 200
    rows = response.json()
    gpu = [r for r in rows if r["field"] == "gpu_hours"]
    assert {r["url"] for r in gpu} == {"https://arxiv.org/abs/2405.00001", "https://example.org/toy/MODEL_CARD.md"}


async def test_conflicts_canned_query_names_both_sources(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/conflicts.json?_shape=array")
    rows = response.json()
    assert any(r["source_a"] == "A Toy Mixture-of-Experts Model" and r["source_b"] == "Toy model card" for r in rows)


async def test_writes_are_refused(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}.json?sql=delete+from+model")
    assert response.status_code == 400
    response = await datasette.client.get(f"/{built_db.stem}/model.json?_shape=array")
    assert len(response.json()) == 2


async def test_csv_download(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/model.csv")
    assert response.status_code == 200
    assert response.text.splitlines()[0].startswith("id,name,")


async def test_slow_query_is_stopped_by_the_time_limit(built_db):
    ds = Datasette(immutables=[str(built_db)], metadata=serving.metadata(built_db.stem),
                   settings={"sql_time_limit_ms": 50})
    slow = ("with recursive c(x) as (select 1 union all select x + 1 from c where x < 100000000) "
            "select count(*) from c")
    response = await ds.client.get(f"/{built_db.stem}.json", params={"sql": slow})
    assert response.status_code == 400
    assert "too long" in response.text.lower()


async def test_bib_renderer_on_the_source_table(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/source.bib")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    assert "@article{toy2024paper," in response.text and "eprint = {2405.00001}" in response.text


async def test_bib_renderer_on_a_query_that_returns_sources(datasette, built_db):
    sql = "select id, kind, title, url, year from source where kind = 'model_card'"
    response = await datasette.client.get(f"/{built_db.stem}.bib", params={"sql": sql})
    assert response.status_code == 200
    assert response.text.startswith("@misc{toy2025card,")


async def test_bib_is_not_offered_for_tables_without_sources(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/hardware.json")
    assert "bib" not in response.json().get("renderers", {})


async def test_model_page_shows_readable_values_innovations_claims_and_conflicts(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/model/toy-moe")
    html = response.text
    assert "1.5M GPU-hours" in html and "100B parameters" in html and "6e22 FLOP" in html
    assert "Mixture of experts" in html and "64 experts, top-4" in html
    assert "Conflicts (2)" in html
    assert 'href="https://arxiv.org/abs/2405.00001"' in html


async def test_other_row_pages_keep_datasettes_default(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/organization/toylab")
    assert response.status_code == 200 and "Resolved values" not in response.text


async def test_hardware_page_has_the_model_pages_template(datasette, built_db):
    # Issue 17: hardware rows had Datasette's stock page (80.0, no units, no claims).
    response = await datasette.client.get(f"/{built_db.stem}/hardware/chipco-x100")
    html = response.text
    assert response.status_code == 200 and "Resolved values" in html and "Claims (" in html
    assert "Models trained on it" in html and 'class="cegdb-claim-link"' in html


async def test_compare_models_canned_query(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/compare_models.json",
                                          params={"_shape": "array", "model_a": "toy-moe", "model_b": "toy-chat"})
    rows = {r["field"]: (r["model_a"], r["model_b"]) for r in response.json()}
    assert rows["parameters"] == ("100000000000.0", "100000000000.0")
    assert rows["gpu_hours"] == ("1500000.0", None)


async def test_cite_page(datasette):
    response = await datasette.client.get("/cite")
    assert response.status_code == 200
    assert "@misc{cegdb_" in response.text and "CC BY 4.0" in response.text


async def test_charts_dashboard_page(datasette):
    response = await datasette.client.get("/-/dashboards/cegdb")
    assert response.status_code == 200
    assert "chart-compute-over-time" in response.text and "vega-lite" in response.text.lower()


async def test_column_descriptions_are_folded_on_table_pages(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/model")
    assert "column-descriptions-fold" in response.text  # the script that folds them
    assert "Parameters active per token (MoE) [parameters]" in response.text  # still there


@pytest.mark.parametrize("path", ["model/toy-moe", "innovation/moe"])
async def test_our_pages_keep_datasettes_links_from_other_tables(datasette, built_db, path):
    response = await datasette.client.get(f"/{built_db.stem}/{path}")
    assert response.status_code == 200
    assert "cegdb-badge" in response.text  # our page, not Datasette's default one
    assert "<h2>Links from other tables</h2>" in response.text
    assert "from model_id in claim" in response.text or "from innovation_id in" in response.text


def test_the_classes_query_puts_undetermined_and_insufficient_evidence_last():
    import sqlite3
    conn = sqlite3.connect(":memory:")
    conn.executescript("""
        create table innovation (id text, name text);
        create table innovation_summary (innovation_id text, basis text, compute_class text, tentative int,
          slope real, slope_lower real, slope_upper real, compute_min real, compute_max real, n_points int,
          n_series int, literature_class text, literature_sources text, agreement text, reason text);""")
    for i, klass in (("a", "insufficient evidence"), ("b", "undetermined"), ("c", "diminishing"),
                     ("d", "compute-independent"), ("e", "undetermined")):
        conn.execute("insert into innovation values (?, ?)", (i, i))
        conn.execute("insert into innovation_summary (innovation_id, basis, compute_class) values (?, 'flop', ?)",
                     (i, klass))
    order = [r[2] for r in conn.execute(serving.CANNED_QUERIES["classes"]["sql"])]
    assert order == ["diminishing", "compute-independent", "undetermined", "undetermined", "insufficient evidence"]
