"""Issue 12: one run counted once, 6ND only where it fits, exact numbers, quotes, and the audit command."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from publish import serving
from catalog.build import BuildFailed
from cegdb.pipeline import build
from cegdb.cli import main
from catalog.fields import parse_number
from conftest import REPO, TOY_CHAT, TOY_MOE, rows, write_catalog

CHAT = "models/toylab/toy-chat.yaml"
MOE = "models/toylab/toy-moe.yaml"
# Toy-Chat repeats Toy-MoE's GPU-hours, as Llama 3.3 70B's card repeats Llama 3.1 70B's.
SHARED_CHAT = TOY_CHAT.replace("claims:\n", "same_pretraining_as: toy-moe\nclaims:\n") + (
    "  gpu_hours: {value: 1.5M, source: toy2025card, locator: Hardware, hardware: chipco-x100, "
    "confidence: medium, evidence: primary}\n")


def _chart_sql(chart: str) -> str:
    return serving.dashboards("cegdb")["cegdb"]["charts"][chart]["query"]


@pytest.mark.parametrize("text, exact", [("16.4B", 16_400_000_000.0), ("2.788M", 2_788_000.0),
                                         ("0.3T", 300_000_000_000.0), ("1.1e3k", 1_100_000.0)])
def test_suffixed_numbers_are_read_exactly(text, exact):
    # float("16.4") * 1e9 is 16399999999.999998: DeepSeekMoE 16B was stored like that.
    assert parse_number(text) == exact


def test_shared_pretraining_is_counted_once_in_aggregates(tmp_path):
    datasets = write_catalog(tmp_path, **{CHAT: SHARED_CHAT})
    db = tmp_path / "c.sqlite"
    build(datasets, f"sqlite:///{db}")
    assert rows(db, "select id, same_pretraining_as from model order by id") == \
        [("toy-chat", "toy-moe"), ("toy-moe", None)]
    # the model keeps its own claims (what its sources say) ...
    assert rows(db, "select gpu_hours from model where id = 'toy-chat'") == [(1.5e6,)]
    # ... but the GPU-hours chart and the compute chart see one run
    assert rows(db, _chart_sql("gpu-hours-by-hardware")) == [("ChipCo X100", 1.5e6, 1)]
    assert [r[0] for r in rows(db, _chart_sql("compute-over-time"))] == ["Toy-MoE"]
    assert rows(db, serving.CANNED_QUERIES["pretraining_runs"]["sql"]) == [("toy-moe", 2, "toy-chat, toy-moe")]
    (note,) = rows(db, "select note from compute_estimate where model_id = 'toy-chat'")[0]
    assert "same pre-training run as toy-moe" in note


def test_without_the_link_the_run_is_summed_twice(tmp_path):
    """The failure the link prevents: two models, one run, 3.0M GPU-hours in the chart."""
    datasets = write_catalog(tmp_path, **{CHAT: SHARED_CHAT.replace("same_pretraining_as: toy-moe\n", "")})
    db = tmp_path / "c.sqlite"
    build(datasets, f"sqlite:///{db}", analysis=None)
    assert rows(db, _chart_sql("gpu-hours-by-hardware")) == [("ChipCo X100", 3.0e6, 2)]


@pytest.mark.parametrize("target, expected", [
    ("toy-nosuch", r"toy-chat\.yaml:\d+: same_pretraining_as: unknown model id 'toy-nosuch'"),
    ("toy-chat", r"toy-chat\.yaml:\d+: same_pretraining_as: a model cannot name itself"),
])
def test_bad_same_pretraining_links_are_reported(tmp_path, target, expected):
    datasets = write_catalog(tmp_path, **{CHAT: SHARED_CHAT.replace("toy-moe\nclaims", f"{target}\nclaims")})
    with pytest.raises(BuildFailed) as info:
        build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}", analysis=None)
    assert any(re.search(expected, str(p)) for p in info.value.problems), info.value.problems


def test_a_chain_of_shared_runs_must_name_the_model_the_run_is_counted_under(tmp_path):
    third = SHARED_CHAT.replace("id: toy-chat", "id: toy-chat-2").replace("same_pretraining_as: toy-moe",
                                                                          "same_pretraining_as: toy-chat")
    datasets = write_catalog(tmp_path, **{CHAT: SHARED_CHAT, "models/toylab/toy-chat-2.yaml": third})
    with pytest.raises(BuildFailed) as info:
        build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}", analysis=None)
    assert any("itself shares the run of 'toy-moe'" in str(p) for p in info.value.problems)


def test_no_6nd_suppresses_the_operation_count_with_its_reason(tmp_path):
    reason = "Cross-layer parameter sharing: 6 x unique parameters x tokens understates the FLOP"
    content = TOY_MOE.replace("primary_source: toy2024paper\n", f"primary_source: toy2024paper\nno_6nd: \"{reason}\"\n")
    datasets = write_catalog(tmp_path, **{MOE: content})
    db = tmp_path / "c.sqlite"
    build(datasets, f"sqlite:///{db}")
    assert rows(db, "select method from claim where entity_id = 'toy-moe' and field = 'training_compute_flop'") == \
        [("estimated",)]  # the GPU-hours estimate stays; no 6ND claim
    assert rows(db, "select no_6nd_reason from model where id = 'toy-moe'") == [(reason,)]
    ((op, note),) = rows(db, "select operation_count_flop, note from compute_estimate where model_id = 'toy-moe'")
    assert op is None and f"no 6ND: {reason}" in note


def test_audit_names_models_that_look_like_one_unlinked_run(tmp_path):
    unlinked = SHARED_CHAT.replace("same_pretraining_as: toy-moe\n", "") + (
        "  training_tokens: {value: 1T, source: toy2025card, locator: Data, confidence: medium}\n")
    runner = CliRunner()
    for chat, expected in ((unlinked, True), (unlinked.replace("claims:\n", "same_pretraining_as: toy-moe\nclaims:\n"), False)):
        datasets = write_catalog(tmp_path / str(expected), **{CHAT: chat})
        result = runner.invoke(main, ["audit", "--datasets", str(datasets), "--coverage"])
        assert result.exit_code == 0, result.output
        assert ("toy-chat and toy-moe state the same GPU-hours and tokens" in result.output) is expected


def test_audit_draws_the_same_claims_for_the_same_seed_and_prints_what_a_reviewer_needs(tmp_path):
    datasets = write_catalog(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["audit", "--datasets", str(datasets), "--sample", "3", "--seed", "7"])
    second = runner.invoke(main, ["audit", "--datasets", str(datasets), "--sample", "3", "--seed", "7"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    assert first.output.count("  url      https://") == 3
    assert "  locator  " in first.output and "  curated  " in first.output
    assert re.search(r"\d+ curated numeric claims: \d+ quoted, \d+ with quote_absent", first.output)


# --- the repository's own datasets -------------------------------------------------------------

DATASETS = REPO / "datasets"


@pytest.fixture(scope="module")
def real_db(repo_catalog) -> Path:
    return repo_catalog


def test_issue_12_items_are_fixed_in_the_data(real_db):
    def one(sql):
        return rows(real_db, sql)[0]

    assert one("select value_num, method from claim where entity_id = 't5-11b' and field = 'training_tokens' "
               "and origin = 'curated'") == (1_048_576_000_000.0, "derived")
    assert one("select parameters from model where id = 'deepseekmoe-16b'") == (16_400_000_000.0,)
    # dense peaks that are halves of printed sparsity figures are derived, and computed by the loader
    for hardware in ("nvidia-h100-sxm", "nvidia-h100-pcie", "nvidia-h200"):
        methods = rows(real_db, "select distinct method from claim where entity_id = ? and field in "
                                "('tf32_tflops', 'bf16_tflops', 'fp16_tflops', 'fp8_tflops', 'int8_tops') "
                                "and origin = 'curated'", hardware)
        assert methods == [("derived",)], hardware
    assert one("select bf16_tflops from hardware where id = 'nvidia-h200'") == (989.5,)
    assert "page=" not in one("select url from source s join hardware h on h.source_id = s.id "
                              "where h.id = 'nvidia-a800'")[0]
    assert one("select same_pretraining_as from model where id = 'llama-3.3-70b'") == ("llama-3.1-70b",)
    for model in ("albert-xxlarge", "t5-11b"):
        assert rows(real_db, "select count(*) from claim where entity_id = ? and locator = '6ND'", model) == [(0,)]
    # The 1,024-GPU count describes the 100K-step run: the curated claim is deprecated in its file,
    # Epoch's identical claim by datasets/corrections.yaml; no count resolves.
    assert one("select hardware_count from model where id = 'roberta-large'") == (None,)
    assert one("select hardware_id from model where id = 'distilbert'") == ("nvidia-v100-16gb",)


def test_quote_coverage_of_curated_numbers_is_at_least_90_percent():
    from catalog.audit import coverage, read_curated

    curated = read_curated(DATASETS)
    assert not curated.problems
    assert coverage(curated.claims).covered >= 0.90
