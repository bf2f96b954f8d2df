"""The generated layer (docs/generated-layer.md): loaded with its origin, one row per real model,
plausibility warnings kept rather than refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.build import BuildFailed

from cegdb.pipeline import build
from conftest import TOY_MOE, rows, write_catalog
from scrapers.generated import dump_generated

RETRIEVED = [{"url": "https://example.org/all_models.csv", "sha256": "ab" * 32, "retrieved_on": "2025-06-30",
              "route": "public-copy", "copy": "github:example/data@0123abc:models.csv"}]
SOURCE = {"id": "toydb-2025", "kind": "dataset", "title": "Toy database of models", "url": "https://example.org/db",
          "year": 2025}


def claim(value, column, **extra):
    return {"value": value, "source": "toydb-2025", "locator": f"row 2, column {column}", "confidence": "medium",
            **extra}


EPOCH_LIKE = {
    "sources": [SOURCE],
    "organizations": [{"id": "toylab", "name": "Toy Lab (dup of curated)"}, {"id": "gammon-lab", "name": "Gammon Lab"}],
    "hardware": [
        # Same chip as the curated one, under another id: its claims attach to the curated row.
        {"id": "chipco-x100-80gb", "name": "ChipCo X100", "claims": {"tdp_w": claim(700, "TDP")}},
        {"id": "chipco-x5", "name": "ChipCo X5", "kind": "gpu", "claims": {"memory_gb": claim(16, "Memory")}},
    ],
    "models": [
        # Tiny but true: kept, with a warning.
        {"id": "td-gammon", "name": "TD-Gammon", "organization": "gammon-lab", "release_date": "1992-05-01",
         "claims": {"parameters": claim(25000, "Parameters"), "training_compute_flop": claim(1.8e13, "Compute")},
         "warnings": ["training_tokens: 'n/a' is not a number; field dropped"]},
        # The curated Toy-MoE under Epoch's spelling and a trailing parenthesis.
        {"id": "toy-moe-100b", "name": "Toy MoE (100B)", "claims": {"parameters": claim(120e9, "Parameters")},
         # The curated file links moe already: kept once.
         "innovations": [{"id": "moe", "source": "toydb-2025", "detail": "imported detail"}]},
        # Matched by Hugging Face repository, case-insensitively.
        {"id": "tm-chat", "name": "Totally different name", "hf_repo": "TOYLAB/toy-chat-hf",
         "claims": {"training_tokens": claim(2e12, "Tokens")}},
        {"id": "x5-model", "name": "X5 Model", "base_model": "td-gammon",
         "claims": {"hardware": claim("chipco-x5", "Hardware"), "hardware_count": claim(8, "Count")}},
        {"id": "x100-model", "name": "X100 Model", "claims": {"hardware": claim("chipco-x100-80gb", "Hardware")}},
        # Two distinct systems of one name, marked as such.
        {"id": "twin", "name": "Twin", "release_date": "2020-01-01", "distinct_from": ["twin-2021"]},
        {"id": "twin-2021", "name": "Twin", "release_date": "2021-01-01", "distinct_from": ["twin"]},
    ],
}

HF_LIKE = {
    "sources": [{"id": "hf-x5-model-config", "kind": "model_card", "title": "x5 config.json",
                 "url": "https://huggingface.co/toylab/X5-Model/blob/main/config.json"}],
    "models": [
        # Same model as Epoch's "X5 Model" by name: one row, claims from both.
        {"id": "x5-model-hf", "name": "X5-Model", "hf_repo": "toylab/X5-Model", "release_date": "2024-02-02",
         "innovations": [{"id": "rope", "source": "hf-x5-model-config"}],
         "claims": {"num_layers": {"value": 32, "source": "hf-x5-model-config", "locator": "config.json: num_hidden_layers",
                                   "method": "reported", "confidence": "high"}}},
    ],
}

TOY_CHAT_WITH_HF = """\
id: toy-chat
name: Toy-Chat
organization: toylab
release_date: 2025-01-01
domain: language
accessibility: api
hf_repo: toylab/toy-chat-hf
base_model: toy-moe
primary_source: toy2025card
aliases: [toy-chat-v1]
claims:
  parameters: {value: 100e9, source: toy2025card, locator: Overview, confidence: medium}
"""


def layer(datasets: Path, rel: str, origin: str, sections: dict) -> Path:
    path = datasets / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_generated("cegdb scrape test", origin, RETRIEVED, sections))
    return path


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    datasets = write_catalog(tmp_path, **{"models/toylab/toy-chat.yaml": TOY_CHAT_WITH_HF})
    layer(datasets, "imported/toydb/models.yaml", "import:toydb", EPOCH_LIKE)
    layer(datasets, "scraped/hf/configs.yaml", "scraper:hf", HF_LIKE)
    db = tmp_path / "cat.sqlite"
    build(datasets, f"sqlite:///{db}")
    return db


def test_implausible_magnitudes_are_kept_with_a_warning(layered):
    assert rows(layered, "select parameters, training_compute_flop, origin from model where id='td-gammon'") == \
        [(25000.0, 1.8e13, "import:toydb")]
    (warnings, fields), = rows(layered, "select warnings, warning_fields from model where id='td-gammon'")
    assert "parameters: implausible magnitude" in warnings and "not a number" in warnings
    assert json.loads(fields) == ["parameters", "training_compute_flop", "training_tokens"]


def test_curated_models_absorb_generated_entries_by_name_and_hf_repo(layered):
    # Toy-MoE: curated 100B wins over the imported 120B; both claims kept and the conflict shown.
    assert rows(layered, "select parameters from model where id='toy-moe'") == [(100e9,)]
    assert rows(layered, "select origin from claim where entity_id='toy-moe' and field='parameters' order by id") == \
        [("curated",), ("import:toydb",)]
    assert rows(layered, "select count(*) from conflict where entity_id='toy-moe' and field='parameters'") == [(1,)]
    assert rows(layered, "select training_tokens from model where id='toy-chat'") == [(2e12,)]
    assert rows(layered, "select count(*) from model where id in ('toy-moe-100b', 'tm-chat')") == [(0,)]


def test_generated_entries_of_one_model_from_two_sources_share_a_row(layered):
    assert rows(layered, "select id, num_layers, hardware_id, hardware_count, hf_repo_id, release_date, base_model_id "
                         "from model where name like 'X5%'") == \
        [("x5-model", 32.0, "chipco-x5", 8.0, "toylab/X5-Model", "2024-02-02", "td-gammon")]


def test_hardware_matches_curated_chips_and_claims_follow_the_mapping(layered):
    assert rows(layered, "select hardware_id from model where id='x100-model'") == [("chipco-x100",)]
    assert rows(layered, "select tdp_w, origin from hardware where id='chipco-x100'") == [(700.0, "curated")]
    assert rows(layered, "select origin, memory_gb from hardware where id='chipco-x5'") == [("import:toydb", 16.0)]


def test_distinct_from_keeps_two_systems_of_one_name_apart(layered):
    assert rows(layered, "select id, release_date from model where name='Twin' order by id") == \
        [("twin", "2020-01-01"), ("twin-2021", "2021-01-01")]


def test_curated_organization_wins_and_aliases_are_published(layered):
    assert rows(layered, "select name from organization where id='toylab'") == [("Toy Lab",)]
    assert rows(layered, "select entity_id from alias where alias='toy-chat-v1'") == [("toy-chat",)]


def test_same_as_in_a_curated_file_claims_an_entry_no_rule_would_match(tmp_path):
    moe = TOY_MOE.replace("claims:", "same_as: [toydb/twin]\nclaims:", 1)
    datasets = write_catalog(tmp_path, **{"models/toylab/toy-moe.yaml": moe})
    layer(datasets, "imported/toydb/models.yaml", "import:toydb", EPOCH_LIKE)
    db = tmp_path / "cat.sqlite"
    build(datasets, f"sqlite:///{db}")
    assert rows(db, "select id from model where name='Twin'") == [("twin-2021",)]


def test_a_generated_file_without_provenance_is_refused_with_its_file_and_line(tmp_path):
    datasets = write_catalog(tmp_path)
    path = datasets / "imported" / "toydb" / "models.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("generated_by: hand\norigin: import:toydb\nmodels:\n- {id: a, name: A}\n")
    with pytest.raises(BuildFailed) as err:
        build(datasets, f"sqlite:///{tmp_path / 'cat.sqlite'}")
    assert any("datasets/imported/toydb/models.yaml" in str(p) and "retrieved" in str(p) for p in err.value.problems)


def test_a_negative_value_in_the_layer_is_still_an_error(tmp_path):
    datasets = write_catalog(tmp_path)
    bad = {"sources": [SOURCE], "models": [{"id": "neg", "name": "Neg", "claims": {"parameters": claim(-5, "P")}}]}
    layer(datasets, "imported/toydb/models.yaml", "import:toydb", bad)
    with pytest.raises(BuildFailed) as err:
        build(datasets, f"sqlite:///{tmp_path / 'cat.sqlite'}")
    assert any("negative" in str(p) for p in err.value.problems)


def test_no_two_published_models_share_a_name_or_repo_unless_marked_distinct(layered):
    from catalog.names import hf_key, name_key

    seen: dict[str, str] = {}
    pairs = []
    for mid, name, hf in rows(layered, "select id, name, hf_repo_id from model order by id"):
        for key in {f"name:{name_key(name)}", f"hf:{hf_key(hf)}" if hf else None} - {None}:
            if key in seen:
                pairs.append((seen[key], mid))
            seen.setdefault(key, mid)
    assert pairs == [("twin", "twin-2021")]  # the one pair marked distinct


def _with_corrections(tmp_path: Path, text: str) -> tuple[Path, Path]:
    datasets = write_catalog(tmp_path, **{"corrections.yaml": text})
    layer(datasets, "imported/toydb/models.yaml", "import:toydb", EPOCH_LIKE)
    return datasets, tmp_path / "cat.sqlite"


def test_a_correction_deprecates_an_imported_claim_with_its_reason(tmp_path):
    datasets, db = _with_corrections(tmp_path, """\
        - {model: td-gammon, field: parameters, origin: "import:toydb", action: deprecate,
           why: the export's count is of another version, source: toy2024paper}
        """)
    build(datasets, f"sqlite:///{db}")
    assert rows(db, "select parameters from model where id='td-gammon'") == [(None,)]
    (rank, note), = rows(db, "select rank, note from claim where entity_id='td-gammon' and field='parameters'")
    assert rank == "deprecated" and "datasets/corrections.yaml:1 (toy2024paper)" in note


def test_a_stale_correction_or_one_aimed_at_curated_data_is_an_error(tmp_path):
    datasets, db = _with_corrections(tmp_path, """\
        - {model: td-gammon, field: hardware_count, origin: "import:toydb", action: deprecate,
           why: nothing to correct, source: toy2024paper}
        - {model: toy-moe, field: parameters, origin: curated, action: deprecate, why: x, source: toy2024paper}
        """)
    with pytest.raises(BuildFailed) as err:
        build(datasets, f"sqlite:///{db}")
    messages = [str(p) for p in err.value.problems]
    assert any("corrections.yaml:1" in m and "remove the stale correction" in m for m in messages)
    assert any("corrections.yaml:3" in m and "in its own file" in m for m in messages)


def test_layer_innovation_links_are_added_once_per_model(layered):
    assert rows(layered, "select innovation_id, detail from model_innovation where model_id='toy-moe' "
                         "order by innovation_id") == [("moe", "64 experts, top-4"), ("rope", None)]
    assert rows(layered, "select innovation_id, source_id from model_innovation where model_id='x5-model'") == \
        [("rope", "hf-x5-model-config")]
