"""`cegdb scrape card|arxiv|s2|epoch` into a fixture catalog, offline (respx or local files), and
the real Epoch export into the real catalog when ../shared/reference is there."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import respx
from click.testing import CliRunner

from _scrape_fixtures import HF, mixtral_config, route_repo
from cegdb.cli import main
from conftest import rows

REPO = Path(__file__).resolve().parent.parent
EPOCH_REFERENCE = REPO.parent / "shared/reference/epoch/All_ML_Systems_-_full_view.csv"

EPOCH_CSV = textwrap.dedent('''\
    Model,Domain,Organization,Publication date,Parameters,Parameters notes,Training compute (FLOP),Training compute notes,Training compute lower bound,Training compute upper bound,Training compute estimation method,Training dataset size (datapoints),Dataset size notes,Training time (hours),Training hardware,Hardware quantity,Training chip-hours,Confidence,Model accessibility,Brand new column
    Toy-MoE,Language,Toy Lab,2024-05-01,80000000000.0,"80B total, 10B activated",6e+22,Reported by the authors,3e+22,1.2e+23,Reported,750000000000.0,"750B words",240,ChipCo X100,1024,1500000,Confident,Open weights (unrestricted),x
    Tiny Old Net,Vision,Some University,1989-01-01,40.0,,,,,,,,,,,,,Speculative,Unreleased,
    Imported LM (base),Language,"Toy Lab,Unknown Institute",2023-03-01,7000000000.0,,8.4e+22,,,,Operation counting,2000000000000.0,"2T tokens",,Mystery Chip 9000,,,Likely,API access,
    Imported LM (base),Language,Toy Lab,2023-04-01,13000000000.0,,,,,,,,,,,,,,,
    ''')

CARD = textwrap.dedent('''\
    ---
    license: apache-2.0
    ---
    # Toy models

    ## Hardware and Software

    | | Training Time (GPU hours) | Training Power Consumption (W) |
    | :---- | :---: | :---: |
    | Toy-MoE | 1.46M | 700 |
    | Toy-Chat | 0.2M | 700 |

    ## Training Data

    Toy-MoE was pretrained on ~1.2 trillion tokens of data.
    ''')

ATOM = textwrap.dedent('''\
    <?xml version="1.0" encoding="UTF-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <title>arXiv Query: id_list=2405.00002</title>
      <entry>
        <id>http://arxiv.org/abs/2405.00002v2</id>
        <updated>2024-06-01T00:00:00Z</updated>
        <published>2024-05-02T00:00:00Z</published>
        <title>A Second Toy Paper</title>
        <summary>About toys.</summary>
        <author><name>C. Author</name></author>
        <author><name>D. Author</name></author>
        <arxiv:doi>10.1234/toy.2</arxiv:doi>
        <link href="http://arxiv.org/abs/2405.00002v2" rel="alternate" type="text/html"/>
        <arxiv:primary_category term="cs.LG"/>
        <category term="cs.LG"/>
      </entry>
    </feed>
    ''')

ARXIV_ERROR = textwrap.dedent('''\
    <?xml version="1.0" encoding="UTF-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom">
      <title>arXiv Query: id_list=abc</title>
      <entry>
        <id>http://arxiv.org/api/errors#incorrect_id_format_for_abc</id>
        <title>Error</title>
        <summary>incorrect id format for abc</summary>
        <updated>2024-01-01T00:00:00-05:00</updated>
        <link href="http://arxiv.org/api/errors#incorrect_id_format_for_abc" rel="alternate" type="text/html"/>
        <author><name>arXiv api core</name></author>
      </entry>
    </feed>
    ''')


def cegdb(db_path, tmp_path, *args):
    return CliRunner().invoke(main, ["scrape", *args, "--db", str(db_path), "--snapshots", str(tmp_path / "snaps")])


def test_epoch_import_maps_rows_to_models_and_claims(built_db, tmp_path):
    csv = tmp_path / "epoch.csv"
    csv.write_text(EPOCH_CSV)
    result = cegdb(built_db, tmp_path, "epoch", "--file", str(csv))
    # Issue 20: the --db route keeps an unusual magnitude with a warning, as the generated route does.
    assert result.exit_code == 0, result.output
    assert "4 item(s) stored" in result.output and "3 model(s) created" in result.output
    tiny = rows(built_db, "select parameters, warnings, warning_fields from model where name = 'Tiny Old Net'")
    assert tiny[0][0] is not None and "below" in tiny[0][1] and "parameters" in tiny[0][2]
    assert "Brand new column" in result.output  # unmapped column reported, not fatal
    assert "Unknown Institute" in result.output and "Mystery Chip 9000" in result.output

    # Toy-MoE matched the curated model by name: Epoch's values sit beside the curated ones.
    claims = {r[0]: r[1:] for r in rows(built_db, """
        select field, value_num, value_text, method, confidence, evidence, locator, quote, lower, upper, note
        from claim where origin = 'import:epoch' and model_id = 'toy-moe'""")}
    assert claims["parameters"][0] == 80e9 and claims["parameters"][3] == "high"
    assert claims["parameters"][6] == "80B total, 10B activated"  # Epoch's note is the quote
    assert claims["training_compute_flop"][7:9] == (3e22, 1.2e23)  # bounds kept
    assert claims["training_compute_flop"][2] == "reported"
    assert claims["training_tokens"][0] == pytest.approx(1e12)  # 750B words x 4/3
    assert claims["training_tokens"][2] == "derived" and "words" in claims["training_tokens"][9]
    assert claims["hardware"][1] == "chipco-x100" and claims["gpu_hours"][0] == 1.5e6
    assert claims["training_days"][0] == 10.0
    assert "row 2" in claims["parameters"][5] and "Parameters" in claims["parameters"][5]
    # The curated value still wins, and the disagreement is listed.
    assert rows(built_db, "select parameters from model where id = 'toy-moe'") == [(100e9,)]
    assert rows(built_db, """select count(*) from conflict k join claim a on a.id = k.claim_a_id
                             join claim b on b.id = k.claim_b_id where k.entity_id = 'toy-moe'
                             and k.field = 'parameters' and 'import:epoch' in (a.origin, b.origin)""") == [(1,)]

    # New models: origin import:epoch, organisation mapped, duplicate names kept apart.
    imported = rows(built_db, "select id, name, organization_id, release_date, accessibility, origin, parameters "
                              "from model where origin = 'import:epoch' and name <> 'Tiny Old Net' order by id")
    assert imported == [
        ("imported-lm-base", "Imported LM (base)", "toylab", "2023-03-01", "api", "import:epoch", 7e9),
        ("imported-lm-base-2", "Imported LM (base)", "toylab", "2023-04-01", None, "import:epoch", 13e9)]
    confidence = rows(built_db, "select confidence, note from claim where model_id = 'imported-lm-base-2'")
    assert confidence[0][0] == "low" and "Epoch's confidence" in confidence[0][1]
    assert rows(built_db, "select kind, license, url from source where origin = 'import:epoch'") == [
        ("dataset", "CC-BY-4.0", "https://epoch.ai/data/ai-models")]

    again = cegdb(built_db, tmp_path, "epoch", "--file", str(csv))
    assert "1 skipped" in again.output and "0 new" in again.output
    refreshed = cegdb(built_db, tmp_path, "epoch", "--file", str(csv), "--refresh")
    assert "0 new" in refreshed.output and "unchanged" in refreshed.output


def test_epoch_offline_reads_the_snapshot_of_the_file(built_db, tmp_path):
    csv = tmp_path / "epoch.csv"
    csv.write_text(EPOCH_CSV)
    assert cegdb(built_db, tmp_path, "epoch", "--file", str(csv)).exit_code == 0  # warnings, not refusals (issue 20)
    csv.unlink()
    result = cegdb(built_db, tmp_path, "epoch", "--file", str(tmp_path / "missing.csv"), "--offline")
    assert result.exit_code != 0  # click refuses a missing --file before anything runs


def test_card_from_a_local_file_takes_only_the_named_model(built_db, tmp_path):
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(CARD)
    result = cegdb(built_db, tmp_path, "card", str(card), "--model", "toy-moe",
                   "--url", "https://example.org/toy/MODEL_CARD.md")
    assert result.exit_code == 0, result.output
    claims = rows(built_db, "select model_id, field, value_num, confidence, locator, quote, lower "
                            "from claim where origin = 'scraper:card' order by field")
    assert {c[0] for c in claims} == {"toy-moe"}
    by_field = {c[1]: c for c in claims}
    assert by_field["gpu_hours"][2] == 1.46e6 and by_field["gpu_hours"][3] == "high"
    assert by_field["gpu_hours"][5] == "| Toy-MoE | 1.46M | 700 |"
    assert by_field["training_tokens"][2] == 1.2e12 and by_field["training_tokens"][3] == "medium"
    assert rows(built_db, "select url, kind from source where origin = 'scraper:card'") == [
        ("https://example.org/toy/MODEL_CARD.md", "model_card")]
    # The curated 2.0M (toy2025card) and the curated 1.5M disagree with nothing new within 5%...
    # but 1.46M vs the curated 2.0M does: listed.
    assert rows(built_db, "select count(*) from conflict where entity_id = 'toy-moe' and field = 'gpu_hours' "
                          "and (value_a = '1.46e+06' or value_b = '1.46e+06')") == [(1,)]
    # The same card for the other model is a different item, not skipped.
    other = cegdb(built_db, tmp_path, "card", str(card), "--model", "toy-chat",
                  "--url", "https://example.org/toy/MODEL_CARD.md")
    assert other.exit_code == 0 and "1 item(s) stored" in other.output
    assert rows(built_db, "select value_num from claim where origin = 'scraper:card' and model_id = 'toy-chat'") == [
        (2e5,)]


def test_card_for_an_unknown_model_is_a_usage_error(built_db, tmp_path):
    card = tmp_path / "MODEL_CARD.md"
    card.write_text(CARD)
    result = cegdb(built_db, tmp_path, "card", str(card), "--model", "no-such-model")
    assert result.exit_code == 2 and "no-such-model" in result.output


def test_hf_readme_card_claims_attach_to_the_repo_model(built_db, tmp_path):
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{HF}/robots.txt").respond(404)
        route_repo(router, "toylab/Toy-MoE", config=mixtral_config(), readme=CARD)
        result = cegdb(built_db, tmp_path, "hf", "toylab/Toy-MoE")
    assert result.exit_code == 0, result.output
    card_claims = rows(built_db, "select c.field, c.value_num, s.kind from claim c join source s on s.id = c.source_id "
                                 "where c.origin = 'scraper:hf' and s.kind = 'model_card' order by c.field")
    assert card_claims == [("gpu_hours", 1.46e6, "model_card"), ("training_tokens", 1.2e12, "model_card")]


@pytest.fixture
def no_arxiv_spacing(monkeypatch):
    """The 3 s between arXiv requests is tested in test_scrape_http.py on a fake clock."""
    from scrapers.http import HOST_LIMITS, HostLimit

    monkeypatch.setitem(HOST_LIMITS, "export.arxiv.org", HostLimit(0.0, 1))


def test_arxiv_paper_becomes_a_source_row(built_db, tmp_path, no_arxiv_spacing):
    with respx.mock(assert_all_called=False) as router:
        router.get("https://export.arxiv.org/robots.txt").respond(404)
        router.get("https://export.arxiv.org/api/query", params={"id_list": "2405.00002"}).respond(200, text=ATOM)
        router.get("https://export.arxiv.org/api/query", params={"id_list": "abc"}).respond(400, text=ARXIV_ERROR)
        result = cegdb(built_db, tmp_path, "arxiv", "arXiv:2405.00002v2", "abc")
    assert result.exit_code == 1
    assert "incorrect id format for abc" in result.output
    assert rows(built_db, "select id, kind, title, authors, date, arxiv_id, doi, url, origin from source "
                          "where origin = 'scraper:arxiv'") == [
        ("arxiv-2405.00002", "preprint", "A Second Toy Paper", "C. Author, D. Author", "2024-05-02", "2405.00002",
         "10.1234/toy.2", "https://arxiv.org/abs/2405.00002", "scraper:arxiv")]


def test_arxiv_paper_already_curated_gets_no_second_row(built_db, tmp_path, no_arxiv_spacing):
    atom = ATOM.replace("2405.00002", "2405.00001").replace("<arxiv:doi>10.1234/toy.2</arxiv:doi>", "")
    with respx.mock(assert_all_called=False) as router:
        router.get("https://export.arxiv.org/robots.txt").respond(404)
        router.get("https://export.arxiv.org/api/query").respond(200, text=atom)
        result = cegdb(built_db, tmp_path, "arxiv", "2405.00001")
    assert result.exit_code == 0 and "same paper as source 'toy2024paper'" in result.output
    assert rows(built_db, "select count(*) from source where arxiv_id = '2405.00001'") == [(1,)]


def test_s2_adds_citation_counts_and_a_rebuild_keeps_them(built_db, tmp_path, catalog_dir):
    from cegdb.pipeline import build

    paper = {"paperId": "abc123", "title": "A Toy Mixture-of-Experts Model", "year": 2024,
             "externalIds": {"ArXiv": "2405.00001", "CorpusId": 1}, "citationCount": 42,
             "influentialCitationCount": 3, "venue": "arXiv.org", "journal": None, "authors": None}
    with respx.mock(assert_all_called=False) as router:
        router.get("https://api.semanticscholar.org/robots.txt").respond(404)
        router.get(url__startswith="https://api.semanticscholar.org/graph/v1/paper/arXiv:2405.00001").respond(
            200, json=paper)
        router.get(url__startswith="https://api.semanticscholar.org/graph/v1/paper/arXiv:0000.00000").respond(
            404, json={"error": "Paper with id arXiv:0000.00000 not found"})
        result = cegdb(built_db, tmp_path, "s2", "arXiv:2405.00001", "arXiv:0000.00000")
    assert result.exit_code == 1 and "HTTP 404" in result.output
    assert rows(built_db, "select citation_count from source where id = 'toy2024paper'") == [(42,)]
    build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert rows(built_db, "select citation_count from source where id = 'toy2024paper'") == [(42,)]


@pytest.mark.skipif(not EPOCH_REFERENCE.exists(), reason=f"{EPOCH_REFERENCE} is not here (reference samples)")
def test_done_when_the_real_epoch_export_loads_into_the_real_catalog_with_conflicts(tmp_path):
    """`cegdb scrape epoch --file ../shared/reference/epoch/All_ML_Systems_-_full_view.csv`."""
    from cegdb.pipeline import build

    path = tmp_path / "real.sqlite"
    build(REPO / "datasets", f"sqlite:///{path}", analysis=None, fts=False)
    result = CliRunner().invoke(main, ["scrape", "epoch", "--file", str(EPOCH_REFERENCE), "--db", str(path),
                                       "--snapshots", str(tmp_path / "snaps")])
    assert "item(s) stored" in result.output, result.output
    stored = rows(path, "select count(distinct entity_id), count(*) from claim where origin = 'import:epoch'")[0]
    assert stored[0] > 1200 and stored[1] > 4000  # (June 2025 export: 1,412 models, 4,568 claims)
    assert rows(path, "select count(*) from model where origin = 'import:epoch'")[0][0] > 1500
    failed = int(result.output.split("failed: ")[1].split(" ")[0]) if "failed: " in result.output else 0
    assert failed < 0.1 * 1892  # rows refused by the catalog's ranges are reported, not fatal
    # Curated models are matched by name, not duplicated, and their disagreements are listed.
    assert rows(path, "select count(*) from model where origin = 'import:epoch' and name like 'GPT-3 175B%'") == [(0,)]
    curated_vs_epoch = rows(path, """
        select k.entity_id, k.field from conflict k join claim a on a.id = k.claim_a_id join claim b on b.id = k.claim_b_id
        where 'curated' in (a.origin, b.origin) and 'import:epoch' in (a.origin, b.origin)""")
    assert len(curated_vs_epoch) >= 10
    # Issue 20: Epoch's tokens seen are its 374B words x 4/3 x 0.6 epochs = 299.2B, the paper's 300B;
    # the 499B-token data set is training_dataset_tokens, so the two no longer conflict.
    assert ("gpt-3-175b", "training_tokens") not in curated_vs_epoch
    assert rows(path, "select distinct round(value_num / 1e9, 1) from claim where origin = 'import:epoch' "
                      "and entity_id = 'gpt-3-175b' and field = 'training_tokens'") == [(299.2,)]
    assert rows(path, "pragma foreign_key_check") == []
    assert rows(path, "pragma journal_mode") == [("delete",)]
