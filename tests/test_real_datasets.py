"""The curated datasets/ of this repository: valid, complete enough, and the README true."""

import re
from pathlib import Path

import pytest

from catalog.build import build
from conftest import REPO
from conftest import rows as query

DATASETS = REPO / "datasets"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("real") / "cegdb.sqlite"
    build(DATASETS, f"sqlite:///{path}")
    return path


def test_catalog_has_the_required_breadth(real_db):
    assert query(real_db, "select count(*) from model")[0][0] >= 45
    assert query(real_db, "select count(*) from hardware")[0][0] >= 20
    assert query(real_db, "select count(*) from innovation")[0][0] >= 30


@pytest.mark.parametrize("model_id", [
    "transformer-base", "transformer-big", "gpt-1", "gpt-2-1.5b", "gpt-3-175b", "bert-base", "bert-large",
    "roberta-large", "albert-xxlarge", "distilbert", "electra-large", "deberta-1.5b", "t5-11b", "switch-c",
    "gopher", "chinchilla", "palm-540b", "llama-7b", "llama-65b", "llama-2-7b", "llama-2-70b", "llama-3-8b",
    "llama-3-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-3.2-1b", "llama-3.2-3b",
    "llama-3.3-70b", "llama-4-scout", "llama-4-maverick", "mistral-7b", "mixtral-8x7b", "mixtral-8x22b",
    "deepseek-llm-67b", "deepseekmoe-16b", "deepseek-v2", "deepseek-v2-lite", "deepseek-v3", "deepseek-r1",
    "qwen2.5-72b", "qwen3-235b-a22b", "gemma-2-27b", "olmo-2-13b", "falcon-180b", "kimi-k2", "gpt-oss-120b",
])
def test_required_model_is_present_with_sourced_innovation_links(real_db, model_id):
    assert query(real_db, f"select count(*) from model where id = '{model_id}'")[0][0] == 1
    assert query(real_db, f"select count(*) from model_innovation where model_id = '{model_id}'")[0][0] >= 1


def test_every_numeric_curated_claim_has_a_locator_and_a_source_url(real_db):
    assert query(real_db, "select count(*) from claim where origin = 'curated' and value_num is not null "
                          "and (locator is null or locator = '')")[0][0] == 0
    assert query(real_db, "select count(*) from source where url is null or url = ''")[0][0] == 0


def test_the_numbers_the_debate_leans_on(real_db):
    rows = dict((r[0], r[1:]) for r in query(
        real_db, "select id, parameters, active_parameters, training_tokens, gpu_hours, hardware_id "
                 "from model where id in ('deepseek-v3', 'llama-3.1-405b')"))
    assert rows["deepseek-v3"] == (671e9, 37e9, 14.8e12, 2.788e6, "nvidia-h800")
    assert rows["llama-3.1-405b"][3:] == (30.84e6, "nvidia-h100-sxm")


def test_sparsity_figures_are_not_stored_as_dense_peaks(real_db):
    # H100 SXM: 989 dense BF16 TFLOP/s; the datasheet's 1,979 is "with sparsity".
    (bf16,) = query(real_db, "select bf16_tflops from hardware where id = 'nvidia-h100-sxm'")[0]
    assert 900 < bf16 < 1000


def test_readme_example_queries_return_what_the_readme_says(real_db):
    readme = (REPO / "README.md").read_text()
    pairs = re.findall(r"```sql\n(.*?)```\s*```text\n(.*?)```", readme, re.S)
    assert len(pairs) == 3
    for sql, expected in pairs:
        got = "\n".join("|".join("" if v is None else str(v) for v in row) for row in query(real_db, sql))
        assert got == expected.strip(), sql


def test_analysis_results_rest_on_named_rows(real_db):
    assert query(real_db, "select count(*) from ablation")[0][0] >= 60
    assert query(real_db, "select count(distinct innovation_id) from ablation")[0][0] >= 12
    assert query(real_db, "select count(*) from benchmark_result")[0][0] >= 40
    # every class names the ablations or runs it rests on; a row with neither is there to show a
    # publication's verdict, and names that publication
    summaries = query(real_db, "select innovation_id, coalesce(nullif(ablation_ids, ''), run_ids, literature_sources), "
                               "reason from innovation_summary")
    assert summaries and all(ids and reason for _, ids, reason in summaries)
    reported = query(real_db, "select count(*) from ablation where gain is not null")[0][0]
    assert query(real_db, "select count(*) from ceg_estimate where method = 'reported'")[0][0] == reported


def test_step_and_wallclock_gains_are_never_classified_as_flop_gains(real_db):
    mixed = query(real_db, """select count(*) from ceg_estimate e join ablation a on a.id = cast(e.ablation_ids as integer)
                              where e.method = 'reported' and e.basis <> a.gain_basis""")
    assert mixed == [(0,)]


def test_deepseek_v3_against_llama_3_1_405b_in_the_catalog(real_db):
    """The comparison the debate leans on, read from the resolved catalog: 11x fewer GPU-hours."""
    estimates = dict((r[0], r[1:]) for r in query(
        real_db, "select model_id, gpu_hours, operation_count_flop from compute_estimate "
                 "where model_id in ('deepseek-v3', 'llama-3.1-405b')"))
    (ds_hours, ds_flop), (llama_hours, llama_flop) = estimates["deepseek-v3"], estimates["llama-3.1-405b"]
    assert llama_hours / ds_hours == pytest.approx(11.06, rel=0.01)
    assert ds_flop == pytest.approx(3.3e24, rel=0.01) and llama_flop == pytest.approx(3.8e25, rel=0.01)


def test_deepseek_v3_compute_estimate(real_db):
    (flop, mfu_bf16) = query(real_db, "select operation_count_flop, implied_utilisation_bf16 from compute_estimate "
                                      "where model_id = 'deepseek-v3'")[0]
    assert flop == pytest.approx(3.2856e24)
    assert 0.2 < mfu_bf16 < 0.5
