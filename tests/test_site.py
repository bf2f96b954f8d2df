"""The site a researcher lands on (issue 17), through Datasette's own test client on the toy catalog:
front page, stable claim links, forgiving URLs, search, complete and valid BibTeX."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import bibtexparser
import pytest
from datasette.app import Datasette

from catalog.claimkeys import claim_key
from cegdb.pipeline import build
from conftest import TOY_CHAT, rows, write_catalog
from publish import bibtex, serving
from publish.plugin import front


@pytest.fixture
def datasette(built_db: Path) -> Datasette:
    return Datasette(immutables=[str(built_db)], metadata=serving.metadata(built_db.stem),
                     settings=serving.SETTINGS)


async def test_front_page_answers(datasette, built_db):
    html = (await datasette.client.get("/")).text
    assert "What the catalog concludes" in html and 'action="/-/search"' in html
    assert 'href="/cite"' in html and f'href="/{built_db.stem}/compute_by_model"' in html
    # every innovation with a FLOP-basis class is in the headline table, linked to its page
    for innovation_id, klass in rows(built_db, "select innovation_id, compute_class from innovation_summary "
                                               "where basis = 'flop'"):
        assert f'/{built_db.stem}/innovation/{innovation_id}"' in html and klass in html
    assert re.search(r"\b2 models\b", html), "counts are shown"


async def test_database_page_hides_internal_and_empty_tables(datasette, built_db):
    html = (await datasette.client.get(f"/{built_db.stem}")).text
    listed = re.findall(rf'href="/{built_db.stem}/(\w+)"><strong>', html)
    assert listed[:2] == ["model", "innovation"]
    assert "alembic_version" not in listed and "snapshot" not in listed  # internal; empty in the toy build
    assert front.TABLE_GUIDE["claim"] in html


def _summary_db(path: Path, new_columns: bool) -> Path:
    conn = sqlite3.connect(path)
    extra = (", gain_small real, gain_small_lower real, gain_small_upper real, trend text, tau real, "
             "i_squared real, series_disagree integer, comparison text") if new_columns else ""
    conn.executescript(f"""
        create table innovation (id text primary key, name text, category text);
        create table innovation_summary (innovation_id text, basis text, compute_class text, slope real,
          slope_lower real, slope_upper real, ceg_at_min real, compute_min real, compute_max real, n_points int,
          literature_class text, agreement text, tentative integer, data_version text{extra});
        insert into innovation values ('rope', 'RoPE', 'positional'), ('moe', 'MoE', 'moe');
    """)
    if new_columns:
        conn.execute("insert into innovation_summary (innovation_id, basis, compute_class, slope, slope_lower, "
                     "slope_upper, ceg_at_min, gain_small, gain_small_lower, gain_small_upper, trend, comparison) "
                     "values ('rope', 'flop', 'undetermined', 0.2, -0.3, 0.7, 9.9, 1.6, 1.2, 2.1, 'undetermined', "
                     "'RoPE against learned positions, 3 series')")
    else:
        conn.execute("insert into innovation_summary (innovation_id, basis, compute_class, slope, slope_lower, "
                     "slope_upper, ceg_at_min) values ('rope', 'flop', 'compute-dependent', 0.3, 0.1, 0.5, 1.6)")
    conn.execute("insert into innovation_summary (innovation_id, basis, compute_class) "
                 "values ('moe', 'steps', 'insufficient evidence')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("new_columns", [False, True], ids=["todays-columns", "rewritten-classifier"])
def test_headline_rows_read_either_summary_shape(tmp_path, new_columns):
    path = _summary_db(tmp_path / "s.sqlite", new_columns)
    ds = Datasette(immutables=[str(path)])
    headline = asyncio.run(front.headline_rows(ds.get_database("s")))
    assert [h["innovation_id"] for h in headline] == ["rope"], "FLOP basis only"
    row = headline[0]
    if new_columns:
        assert (row["gain_small"], row["gain_small_lower"], row["trend"]) == (1.6, 1.2, "undetermined")
        assert row["compute_class"] == "undetermined" and row["comparison"].startswith("RoPE against")
    else:
        # no trend column: the slope's interval (0.1, 0.5) lies above +0.05, so the gain grows
        assert (row["gain_small"], row["trend"], row["comparison"]) == (1.6, "grows", None)


def test_trend_from_slope_thresholds():
    assert front._trend_from_slope(0.2, 0.06, 0.4) == "grows"
    assert front._trend_from_slope(-0.2, -0.4, -0.06) == "shrinks"
    assert front._trend_from_slope(0.0, -0.08, 0.09) == "flat"
    assert front._trend_from_slope(0.0, -0.3, 0.3) == "undetermined"
    assert front._trend_from_slope(None, None, None) == "undetermined"


def test_claim_keys_survive_a_rebuild_that_renumbers_claims(tmp_path):
    first = tmp_path / "a.sqlite"
    build(write_catalog(tmp_path / "a"), f"sqlite:///{first}")
    # a model whose file is read first: every later claim id moves
    early = TOY_CHAT.replace("id: toy-chat", "id: aaa-early").replace("name: Toy-Chat", "name: Early")
    second = tmp_path / "b.sqlite"
    build(write_catalog(tmp_path / "b", **{"models/aaa/aaa-early.yaml": early}), f"sqlite:///{second}")
    sql = ("select id, stable_key from claim where entity_id = 'toy-moe' and field = 'gpu_hours' "
           "and source_id = 'toy2025card'")
    (id_a, key_a), = rows(first, sql)
    (id_b, key_b), = rows(second, sql)
    assert id_a != id_b and key_a == key_b
    assert rows(first, "select count(*) from claim where stable_key is null") == [(0,)]
    # the key is the content hash (derived claims included)
    for entity_type, entity_id, field, source_id, locator, num, txt, key in rows(
            first, "select entity_type, entity_id, field, source_id, locator, value_num, value_text, stable_key "
                   "from claim"):
        assert key == claim_key(entity_type, entity_id, field, source_id, locator, num, txt)


async def test_claim_link_redirects_to_the_claim(datasette, built_db):
    (claim_id, key), = rows(built_db, "select id, stable_key from claim where entity_id = 'toy-moe' "
                                      "and field = 'parameters'")
    response = await datasette.client.get(f"/claim/{key}")
    assert response.status_code == 302 and response.headers["location"] == f"/{built_db.stem}/claim/{claim_id}"
    assert (await datasette.client.get("/claim/0123456789abcdef")).status_code == 404


async def test_model_page_links_every_resolved_value_to_its_winning_claim(datasette, built_db):
    html = (await datasette.client.get(f"/{built_db.stem}/model/toy-moe")).text
    grid = html.split('class="cegdb-grid cegdb-values"')[1].split("About this row")[0]
    values = grid.count('<span class="label">')
    links = re.findall(r'class="cegdb-claim-link" href="#claim-(\d+)"', grid)
    assert values >= 6 and len(links) == values
    # gpu_hours: the paper (curated, high) wins over the card (medium); its row is marked
    (winner,), = rows(built_db, "select id from claim where entity_id = 'toy-moe' and field = 'gpu_hours' "
                                "and source_id = 'toy2024paper'")
    assert str(winner) in links
    assert re.search(rf'<tr id="claim-{winner}" class="cegdb-winner-row">', html)
    assert "Source against source" in html and "×1.33" in html  # 2.0M against 1.5M
    assert "Cite this number" in html and 'href="/cite"' in html


@pytest.mark.parametrize("path, target", [
    ("/{db}/model/TOY-MOE", "/{db}/model/toy-moe"),
    ("/{db}/model/Toy-Chat", "/{db}/model/toy-chat"),
    ("/model/toy-moe", "/{db}/model/toy-moe"),
    ("/innovation/ROPE", "/{db}/innovation/rope"),
    ("/hardware/x100", "/{db}/hardware/chipco-x100"),
])
async def test_forgiving_urls_redirect(datasette, built_db, path, target):
    response = await datasette.client.get(path.format(db=built_db.stem))
    assert response.status_code == 302 and response.headers["location"] == target.format(db=built_db.stem)


async def test_a_missing_row_gets_a_404_with_suggestions(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/model/toy")
    assert response.status_code == 404
    assert f'href="/{built_db.stem}/model/toy-moe"' in response.text and "Did you mean" in response.text
    response = await datasette.client.get(f"/{built_db.stem}/model/zzz-nothing")
    assert response.status_code == 404 and "Nothing close" in response.text


async def test_search_puts_the_exact_name_first_and_finds_hardware(datasette):
    results = (await datasette.client.get("/-/search", params={"q": "toy-moe", "_format": "json"})).json()["results"]
    assert results[0]["id"] == "toy-moe"
    results = (await datasette.client.get("/-/search", params={"q": "toy-chat", "_format": "json"})).json()["results"]
    assert results[0]["id"] == "toy-chat"
    results = (await datasette.client.get("/-/search", params={"q": "toy", "_format": "json"})).json()["results"]
    assert {"toy-moe", "toy-chat"} <= {r["id"] for r in results}
    results = (await datasette.client.get("/-/search", params={"q": "X100", "_format": "json"})).json()["results"]
    assert results[0]["table"] == "hardware" and results[0]["id"] == "chipco-x100"
    page = await datasette.client.get("/-/search", params={"q": 'toy "unbalanced'})
    assert page.status_code == 200


async def test_hardware_table_is_searchable(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/hardware.json", params={"_search": "x100", "_shape": "array"})
    assert [r["id"] for r in response.json()] == ["chipco-x100"]


async def test_source_bib_is_complete_and_parses(datasette, built_db):
    response = await datasette.client.get(f"/{built_db.stem}/source.bib")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.text)
    (count,), = rows(built_db, "select count(*) from source")
    assert library.failed_blocks == [] and len(library.entries) == count
    paper = next(e for e in library.entries if e.key == "toy2024paper")
    assert paper["author"] == "A. Author and B. Author"


def test_source_bib_has_every_row_past_a_page():
    # 250 sources: more than a table page (100); authors comma-separated as curators write them
    sources = [{"id": f"s{i:03d}", "kind": "paper", "title": f"Paper {i}", "url": f"https://example.org/{i}",
                "authors": "Ada Lovelace, Alan Turing, Grace Hopper", "year": 2020} for i in range(250)]
    library = bibtexparser.parse_string(bibtex.source_entries(sources))
    assert len(library.entries) == 250 and library.failed_blocks == []
    splitter = bibtexparser.middlewares.SeparateCoAuthors()
    entry = splitter.transform(library).entries[0]
    assert entry["author"] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]


@pytest.mark.parametrize("authors, expected", [
    ("Ada Lovelace, Alan Turing", "Ada Lovelace and Alan Turing"),
    ("Lovelace, A.; Turing, A.", "Lovelace, A. and Turing, A."),
    ("A. Author and B. Author", "A. Author and B. Author"),
    ("Mistral AI", "{Mistral AI}"),
    ("DeepSeek-AI", "{DeepSeek-AI}"),
    ("Noam Shazeer", "Noam Shazeer"),
    ("A. Smith et al.", "A. Smith and others"),
    ("R&D Team", "{R\\&D Team}"),
])
def test_authors_are_joined_with_and(authors, expected):
    assert bibtex.format_authors(authors) == expected


@pytest.mark.parametrize("table", ["model", "hardware"])
async def test_bib_is_refused_where_rows_are_not_works(datasette, built_db, table):
    response = await datasette.client.get(f"/{built_db.stem}/{table}.bib")
    assert response.status_code == 404 and "@misc" not in response.text


async def test_canned_queries_hide_sql_and_paginate(datasette, built_db):
    meta = serving.metadata(built_db.stem)["databases"][built_db.stem]["queries"]
    assert all(q.get("hide_sql") for q in meta.values())
    page2 = await datasette.client.get(f"/{built_db.stem}/compute_by_model.json",
                                       params={"page": "2", "_shape": "array"})
    assert page2.status_code == 200 and page2.json() == []


async def test_conflicts_query_splits_by_kind_with_ratios(datasette, built_db):
    rows_ = (await datasette.client.get(f"/{built_db.stem}/conflicts.json", params={"_shape": "array"})).json()
    kinds = [r["kind"] for r in rows_]
    assert kinds == sorted(kinds, key=lambda k: k == "source vs our arithmetic")
    gpu = next(r for r in rows_ if r["field"] == "gpu_hours" and r["kind"] == "source vs source")
    assert gpu["ratio"] == pytest.approx(2.0 / 1.5, abs=0.01)


def test_plain_words_of_a_compute_independent_class_follow_its_trend():
    """A growing compute-independent gain never reads 'about constant' beside 'grows'."""
    from publish.plugin import front

    assert "about constant" in front._class_words("compute-independent", "flat")
    assert "grows with compute" in front._class_words("compute-independent", "grows")
    assert "persists or grows" in front._class_words("compute-independent", "flat or grows")
    assert front._class_words("undetermined", "grows") == front.CLASS_WORDS["undetermined"]
