"""Resolution, derived claims, conflicts, determinism and atomic replacement."""

from pathlib import Path

import pytest

from cegdb.pipeline import build
from catalog.db import content_rows
from catalog.db import make_engine
from conftest import TOY_MOE, rows, write_catalog


def test_model_row_is_resolved_from_its_claims(built_db):
    (row,) = rows(built_db, "select parameters, active_parameters, training_tokens, gpu_hours, hardware_id, "
                            "attention, tied_embeddings, base_model_id, release_year from model where id='toy-moe'")
    assert row == (100e9, 10e9, 1e12, 1.5e6, "chipco-x100", "gqa", 0, None, 2024)
    assert rows(built_db, "select base_model_id from model where id='toy-chat'") == [("toy-moe",)]


def test_higher_confidence_claim_wins_and_the_disagreement_is_a_conflict(built_db):
    # 1.5M (high, paper) against 2.0M (medium, card): the paper wins; both stay visible.
    conflicts = rows(built_db, "select source_a_id, source_b_id, value_a, value_b from conflict where field='gpu_hours'")
    assert conflicts == [("toy2024paper", "toy2025card", "1.5e+06", "2e+06")]


def test_training_compute_is_derived_by_6nd_and_estimated_from_gpu_hours(built_db):
    claims = rows(built_db, "select method, value_num, lower, upper, note from claim "
                            "where entity_id='toy-moe' and field='training_compute_flop' order by id")
    (derived, estimated) = claims
    assert derived[0] == "derived" and derived[1] == pytest.approx(6 * 10e9 * 1e12)
    assert "6 x active_parameters" in derived[4]
    # 1.5M h x 3600 s x 1000 TFLOP/s bf16 x 0.4 utilisation
    assert estimated[0] == "estimated" and estimated[1] == pytest.approx(1.5e6 * 3600 * 1000e12 * 0.4)
    assert estimated[2] == pytest.approx(1.5e6 * 3600 * 1000e12 * 0.2)
    assert "utilisation 0.40" in estimated[4]
    # The derived value wins over our own estimate (derived beats estimated), and says so.
    assert rows(built_db, "select training_compute_flop, training_compute_method from model where id='toy-moe'") == \
        [(pytest.approx(6e22), "derived")]


def test_reported_compute_beats_derived(tmp_path):
    content = TOY_MOE.replace("  attention:", "  training_compute_flop: {value: 7e22, source: toy2024paper, "
                                              "locator: Table 2, confidence: high}\n  attention:")
    datasets = write_catalog(tmp_path, **{"models/toylab/toy-moe.yaml": content})
    build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}")
    assert rows(tmp_path / "c.sqlite", "select training_compute_flop, training_compute_method from model "
                                       "where id='toy-moe'") == [(7e22, "reported")]


def test_preferred_rank_overrides_confidence(tmp_path):
    content = TOY_MOE.replace("{value: 2.0M, source: toy2025card, locator: Hardware, confidence: medium,",
                              "{value: 2.0M, source: toy2025card, locator: Hardware, confidence: medium, rank: preferred,")
    datasets = write_catalog(tmp_path, **{"models/toylab/toy-moe.yaml": content})
    build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}")
    assert rows(tmp_path / "c.sqlite", "select gpu_hours from model where id='toy-moe'") == [(2.0e6,)]


def test_deprecated_claims_neither_win_nor_conflict(tmp_path):
    content = TOY_MOE.replace("{value: 2.0M, source: toy2025card, locator: Hardware, confidence: medium,",
                              "{value: 2.0M, source: toy2025card, locator: Hardware, confidence: medium, rank: deprecated,")
    datasets = write_catalog(tmp_path, **{"models/toylab/toy-moe.yaml": content})
    build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}")
    assert rows(tmp_path / "c.sqlite", "select count(*) from conflict where field='gpu_hours'") == [(0,)]


def test_hardware_row_is_resolved(built_db):
    assert rows(built_db, "select memory_gb, bf16_tflops, fp8_tflops, vendor from hardware") == \
        [(80.0, 1000.0, 2000.0, "chipco")]


def test_every_claim_has_a_source_and_foreign_keys_hold(built_db):
    assert rows(built_db, "select count(*) from claim where source_id is null") == [(0,)]
    assert rows(built_db, "pragma foreign_key_check") == []


def test_claims_link_to_their_model_for_one_click_provenance(built_db):
    assert rows(built_db, "select count(*) from claim where entity_type='model' and model_id is null") == [(0,)]


def test_building_twice_gives_identical_content(tmp_path, catalog_dir):
    contents = []
    for name in ("a.sqlite", "b.sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        build(catalog_dir, f"sqlite:///{tmp_path / name}")
        with engine.connect() as conn:
            contents.append(list(content_rows(conn)))
        engine.dispose()
    assert contents[0] == contents[1]
    assert len(contents[0]) > 20


def test_successful_build_replaces_the_database(tmp_path, catalog_dir):
    target = tmp_path / "cat.sqlite"
    build(catalog_dir, f"sqlite:///{target}")
    target.with_name("other.sqlite").write_bytes(b"")  # an empty file is no loss either
    build(catalog_dir, f"sqlite:///{target.with_name('other.sqlite')}")
    build(catalog_dir, f"sqlite:///{target}")
    assert rows(target, "select count(*) from model") == [(2,)]
    # Anything that is not a cegdb catalog only with force (tests/test_safety.py).
    target.write_bytes(b"not a database")
    build(catalog_dir, f"sqlite:///{target}", force=True)
    assert rows(target, "select count(*) from model") == [(2,)]


def test_full_text_search_finds_models(built_db):
    assert rows(built_db, "select id from model where rowid in "
                          "(select rowid from model_fts where model_fts match ?)", '"Toy-MoE"') == [("toy-moe",)]
