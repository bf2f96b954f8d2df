"""The curated datasets/ of this repository: valid, complete enough, and the README true."""

import re
from pathlib import Path

import pytest

from conftest import REPO
from conftest import rows as query

DATASETS = REPO / "datasets"


@pytest.fixture(scope="module")
def real_db(repo_catalog) -> Path:
    return repo_catalog


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


def _distinct_marks() -> set[frozenset]:
    """Pairs of model ids a curated or generated file marks as distinct (`distinct_from`)."""
    import yaml

    marks: set[frozenset] = set()
    for path in sorted((DATASETS / "models").glob("**/*.yaml")):
        data = yaml.safe_load(path.read_text())
        for other in data.get("distinct_from") or []:
            marks.add(frozenset((data["id"], other.rsplit("/", 1)[-1])))
    for layer in ("imported", "scraped"):
        for path in sorted((DATASETS / layer).glob("**/*.yaml")):
            data = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            for entry in data.get("models") or []:
                for other in entry.get("distinct_from") or []:
                    marks.add(frozenset((entry["id"], other)))
    if (DATASETS / "distinct.yaml").exists():
        for entry in yaml.safe_load((DATASETS / "distinct.yaml").read_text()) or []:
            ids = sorted({m.rsplit("/", 1)[-1] for m in entry["models"]})
            marks.update(frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1:])
    return marks


def test_one_row_per_real_model(real_db):
    """No two model rows share a normalised name or a Hugging Face repository unless a file says
    they are distinct models (issue 8: one row per real model)."""
    from catalog.names import hf_key, name_key

    marks = _distinct_marks()
    seen: dict[str, str] = {}
    unmarked = []
    for mid, name, hf in query(real_db, "select id, name, hf_repo_id from model order by id"):
        for key in sorted({f"name:{name_key(name)}", f"hf:{hf_key(hf)}" if hf else ""} - {""}):
            if key in seen and frozenset((seen[key], mid)) not in marks:
                unmarked.append((seen[key], mid, key))
            seen.setdefault(key, mid)
    assert unmarked == []


def test_one_row_per_trained_model(real_db):
    """No two model rows are one trained model once format and quantisation suffixes are dropped
    ("Qwen3-32B" and "Qwen3-32B-FP8"), unless a file says they are distinct (issue 20)."""
    from catalog.names import name_key, split_format

    marks = _distinct_marks()
    groups: dict[str, list[str]] = {}
    for mid, name in query(real_db, "select id, name from model order by id"):
        groups.setdefault(name_key(split_format(name)[0]), []).append(mid)
    unmarked = [ids for ids in groups.values()
                if any(frozenset((a, b)) not in marks for i, a in enumerate(ids) for b in ids[i + 1:])]
    assert unmarked == []


@pytest.mark.parametrize("checkpoint, model", [
    ("codellama-7b-hf", "code-llama-7b"), ("codellama-34b-hf", "code-llama-34b"),
    ("codellama-70b-hf", "code-llama-70b"), ("olmo-7b-hf", "olmo-7b"), ("mamba-2.8b-hf", "mamba-2.8b"),
    ("minimax-text-01-hf", "minimax-text-01"), ("qwen3-235b-a22b-fp8", "qwen3-235b-a22b"),
    ("qwen3-235b-a22b-nvfp4", "qwen3-235b-a22b"), ("qwen3-32b-fp8", "qwen3-32b"),
    ("meta-llama-llama-3.2-3b-instruct-fp16", "llama-3.2-3b-instruct"),
])
def test_the_issues_reuploads_are_checkpoints_not_models(real_db, checkpoint, model):
    assert query(real_db, f"select model_id from checkpoint where id = '{checkpoint}'") == [(model,)]
    assert query(real_db, f"select count(*) from model where id = '{checkpoint}'") == [(0,)]


@pytest.mark.parametrize("model, run", [
    ("deepseek-v3-base", "deepseek-v3"), ("llama-3.1-8b-instruct", "llama-3.1-8b"), ("gemma-2-9b-it", "gemma-2-9b"),
    ("codellama-70b-instruct", "code-llama-70b"), ("llama-3.3-70b", "llama-3.1-70b"),
])
def test_base_and_instruct_checkpoints_share_one_pretraining_run(real_db, model, run):
    assert query(real_db, f"select same_pretraining_as from model where id = '{model}'") == [(run,)]
    assert query(real_db, f"select same_pretraining_as from model where id = '{run}'") == [(None,)]


def test_gqa_models_are_trained_models(real_db):
    """The README's attention counts count trained models: no re-upload among the gqa rows."""
    from catalog.names import split_format

    names = [r[0] for r in query(real_db, "select name from model where attention = 'gqa'")]
    assert [n for n in names if split_format(n)[1]] == []


def test_readme_counts_are_what_the_catalog_gives(real_db):
    """The README's 'Today:' paragraph states counts a reader can check; so does this test."""
    readme = (REPO / "README.md").read_text()
    today = re.search(r"Today: (.*?)\n\n", readme, re.S).group(1).replace("\n", " ")

    def stated(pattern: str) -> int:
        return int(re.search(pattern, today).group(1).replace(",", ""))

    def count(sql: str) -> int:
        return query(real_db, sql)[0][0]

    assert stated(r"([\d,]+) models") == count("select count(*) from model")
    assert stated(r"([\d,]+) accelerators") == count("select count(*) from hardware")
    assert stated(r"\(([\d,]+) with peak FLOP/s\)") == count(
        "select count(*) from hardware where coalesce(bf16_tflops, fp16_tflops, fp32_tflops) is not null")
    assert stated(r"([\d,]+) innovations") == count("select count(*) from innovation")
    assert stated(r"from ([\d,]+) sources") == count("select count(*) from source")
    assert stated(r"([\d,]+) models are curated by hand") == count("select count(*) from model where origin = 'curated'")
    assert stated(r"\(([\d,]+) claims") == count("select count(*) from claim where origin = 'curated'")
    assert stated(r"([\d,]+) sourced model–innovation links") == count("select count(*) from model_innovation")
    assert stated(r"([\d,]+) format and quantisation re-uploads") == count("select count(*) from checkpoint")
    assert stated(r"are checkpoints of ([\d,]+) of them") == count("select count(distinct model_id) from checkpoint")
    assert stated(r"gives the architecture of ([\d,]+) models") == count(
        "select count(distinct model_id) from claim where origin = 'scraper:hf'")
    assert stated(r"\(([\d,]+) with exact parameter counts\)") == count(
        "select count(distinct model_id) from claim where origin = 'scraper:hf' and field = 'parameters'")
    assert stated(r"([\d,]+) models carry plausibility warnings") == count(
        "select count(*) from model where warnings is not null")
    assert stated(r"([\d,]+) ablation rows") == count("select count(*) from ablation")
    assert stated(r"([\d,]+) published perplexities") == count("select count(*) from benchmark_result")
    assert stated(r"([\d,]+) training-run points") == count("select count(*) from run")
    assert stated(r"([\d,]+) literature verdicts") == count("select count(*) from verdict")
    assert count("select count(*) from model") >= 2000  # issue 8's coverage target
    assert count("select count(*) from hardware where coalesce(bf16_tflops, fp16_tflops) is not null "
                 "and kind in ('gpu', 'tpu', 'asic')") >= 100


CLASSES_SQL = """
select innovation_id, gain_small, gain_small_lower, gain_small_upper, compute_small, trend, slope, slope_lower,
       slope_upper, compute_class, tentative, n_series, tau, i_squared, series_disagree, literature_class, agreement
from innovation_summary
where basis = 'flop' and (gain_small is not null or literature_class is not null)
order by compute_class = 'insufficient evidence', compute_class = 'undetermined', innovation_id
"""


def classes_table(db) -> str:
    """The README's headline table: (a), (b), the class, heterogeneity and the literature, from the catalog."""
    lines = ["| innovation | (a) gain at the smallest measured compute [95%] | (b) trend: slope of ln CEG on ln C "
             "[95%] | our class (FLOP basis) | series, heterogeneity | the literature | agreement |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for (iid, gain, g_lo, g_hi, c_small, trend, slope, s_lo, s_hi, klass, tentative, series, tau, i2, disagree,
         lit, agreement) in query(db, CLASSES_SQL):
        a = "" if gain is None else (f"{gain:.2f} [{g_lo:.2f}, {g_hi:.2f}]" if g_lo is not None and g_hi is not None
                                     else f"≥ {g_lo:.2f} (bound)" if g_lo is not None
                                     else f"≤ {g_hi:.2f} (bound)" if g_hi is not None
                                     else f"{gain:.2f} (no interval)") + f" at {c_small:.1e}"
        b = trend + (f": {slope:+.2f} [{s_lo:+.2f}, {s_hi:+.2f}]" if s_lo is not None else "")
        ours = f"{klass} (tentative)" if tentative else klass
        het = f"{series or 0}" + (f"; tau {tau:.2f}, I² {i2:.0%}" if tau is not None else "") + \
            ("; series disagree" if disagree else "")
        lines.append(f"| {iid} | {a} | {b} | {ours} | {het} | {lit or ''} | {agreement or ''} |")
    return "\n".join(lines)


def test_readme_headline_table_of_classes_is_what_the_catalog_gives(real_db):
    readme = (REPO / "README.md").read_text()
    block = re.search(r"<!-- classes:start -->\n(.*?)\n<!-- classes:end -->", readme, re.S)
    assert block, "README lacks the <!-- classes:start --> ... <!-- classes:end --> table"
    expected = classes_table(real_db)
    assert block.group(1).strip() == expected, "README classes table is stale; the catalog gives:\n" + expected


DECISIVE = ("compute-independent", "compute-dependent", "diminishing", "little or no gain")


def test_twelve_innovations_are_classified_from_measured_runs_over_a_decade(real_db):
    """Issue 16's count: classes that rest on measured runs (model-implied, unverified and analytic
    numbers never decide) spanning at least one decade of compute, not tentative."""
    classified = {innovation for (innovation,) in query(
        real_db, "select innovation_id from innovation_summary where basis = 'flop' and not tentative "
                 "and compute_class in (?, ?, ?, ?) and compute_max >= 10 * compute_min", *DECISIVE)}
    assert len(classified) >= 12, sorted(classified)
    assert {"adam", "lr-cooldown", "warmup-scaled-to-model-size", "qk-norm"} <= classified


def test_issue_16s_catalog_targets_hold(real_db):
    classes = {(i, b): {"compute_class": c, "trend": t} for i, b, c, t in query(
        real_db, "select innovation_id, basis, compute_class, trend from innovation_summary")}
    for routing in ("sparse-moe", "hash-routing", "rl-routing"):  # Clark et al.'s fixed-token runs
        assert classes[(routing, "flop")]["compute_class"] != "compute-independent"
    for two_scales in ("rope", "multi-query-attention"):  # two scales give gains, never a trend
        assert classes[(two_scales, "flop")]["trend"] == "undetermined"
        assert classes[(two_scales, "flop")]["compute_class"] not in DECISIVE
    assert classes[("chinchilla-scaling", "flop")]["compute_class"] not in DECISIVE  # analytic numbers only


def test_training_cost_for_every_priced_run_and_deepseek_v3_at_two_dollars(real_db):
    """Issue 19: both cost methods with bounds for the runs the price series covers, and the
    publisher's $5.576M reproduced exactly from its GPU-hours at $2 per H800-hour."""
    import cegdb

    runs = query(real_db, """select count(*) from model m join hardware h on h.id = m.hardware_id
        where m.release_date is not null
          and (m.gpu_hours is not null or (m.hardware_count is not null and m.training_days is not null))""")[0][0]
    both = query(real_db, """select count(*) from (select entity_id from claim where origin = 'derived:cegdb'
        and field in ('training_cost_cloud_usd', 'training_cost_amortized_usd') group by entity_id
        having count(*) = 2)""")[0][0]
    assert runs >= 300 and both >= 0.85 * runs  # docs/cost.md: 305 of 350 (the rest: chips without prices)
    assert query(real_db, """select count(*) from claim where field like 'training_cost%'
        and origin = 'derived:cegdb' and not (lower < value_num and value_num <= upper
                                              or lower <= value_num and value_num < upper)""") == [(0,)]
    with cegdb.open(real_db) as cat:
        repriced = cat.costs("deepseek-v3", prices={"H800": 2}, method="cloud")
    assert repriced["cost_usd"].tolist() == [5_576_000.0]
    (reported,) = query(real_db, "select value_num from claim where entity_id = 'deepseek-v3' "
                                 "and field = 'training_cost_cloud_usd' and origin = 'curated'")
    assert reported == (5_576_000.0,)
    # Ours differs from the publisher's (a $3.42 quote, not $2): the conflict says so.
    assert query(real_db, "select count(*) from conflict where entity_id = 'deepseek-v3' "
                          "and field = 'training_cost_cloud_usd'") == [(1,)]


def test_b200_fp32_is_nvidias_figure_not_a_compilations(real_db):
    """Issue 20: the B200's FP32 resolved to a compilation's 80 (tagged primary) over NVIDIA's 75."""
    assert query(real_db, "select fp32_tflops from hardware where id = 'nvidia-b200'") == [(75.0,)]
    assert query(real_db, "select distinct evidence from claim where source_id = 'bekman2024mlengineering' "
                          "and entity_id = 'nvidia-b200'") == [("secondary",)]
