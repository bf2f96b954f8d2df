"""`cegdb scrape runs <release>`: the run-data importers, offline on fixtures in each raw file's shape.

The fixtures under tests/fixtures/runs/ are written for these tests (same columns and layout as
the releases' files, made-up values); the Ho et al. notebook fixture is built here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cegdb.pipeline import build
from scrapers.errors import ParseError
from tests.conftest import rows, write_catalog
from scrapers.generated import restamp
from scrapers.scrape_cli import scrape
from scrapers.sources import (runs_biderman2023, runs_clark2022, runs_gadre2024, runs_gundlach2025, runs_ho2024,
                             runs_li2024dclm, runs_sanderson2025, runs_wen2025)
from scrapers.sources.runs_common import ROW_KEYS, check_rows, check_series, positive, read_inputs

FIXTURES = Path(__file__).parent / "fixtures" / "runs"
GUNDLACH = FIXTURES / "gundlach"
CLARK = FIXTURES / "clark" / "data.csv"
SANDERSON = FIXTURES / "sanderson"


def _arms(rows, series):
    return {arm: sorted((r["compute_flop"], r["loss"]) for r in rows if r["series"] == series and r["arm"] == arm)
            for arm in ("baseline", "treatment")}


def _ho_notebook(path: Path, budgets: int = runs_ho2024.EXPECTED_BUDGETS, drop: str | None = None) -> Path:
    """A notebook in the shape of appendices.ipynb's "CEG Chinchilla" output, made-up numbers."""
    lines = []
    for n in range(budgets):
        compute = 1e19 * 10 ** (6 * n / (runs_ho2024.EXPECTED_BUDGETS - 1))
        block = [f"compute budget {compute!r}", f"optimal data Kaplan [{3.7e9 * (n + 1):.8e}]",
                 f"loss Kaplan-scale [{3.0 - 0.04 * n:.8f}]", f"loss Chinchilla-scale [{2.97 - 0.045 * n:.8f}]",
                 "loss difference [-0.027]", f"CEG [{1.1 + 0.1 * n:.8f}]"]
        lines += [line for line in block if drop is None or not line.startswith(drop)]
    notebook = {"cells": [{"cell_type": "markdown", "source": ["## CEG Chinchilla"]},
                          {"cell_type": "code", "source": ["for compute in compute_values: ..."],
                           "outputs": [{"output_type": "stream", "name": "stdout",
                                        "text": [line + "\n" for line in lines]}]}]}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def _run(args, tmp_path):
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(scrape, ["runs", *args, "--out", str(out)])
    return result, out


def _edited_release(fixture, tmp_path, relpath: str, old: str, new: str):
    """A copy of a fixture release with one text replaced in one file (the edit must apply)."""
    root = tmp_path / "repo"
    shutil.copytree(fixture, root)
    path = root / relpath
    text = path.read_text()
    assert old in text, f"{relpath}: {old!r} not in the fixture"
    path.write_text(text.replace(old, new))
    return root


# --- Gundlach et al. 2025 -----------------------------------------------------------------------

def test_gundlach_final_point_per_run_and_paired_series():
    skipped: list[str] = []
    rows = check_rows(runs_gundlach2025.parse(read_inputs(runs_gundlach2025.RELEASE, GUNDLACH), skipped=skipped),
                      "gundlach2025")
    arms = _arms(rows, "gundlach2025-lstm1-vs-transformer")
    # LSTM widths 32, 64 (x1_lstm_layer1) and 80 (lstm_layer1): the last row of each file.
    assert arms["baseline"] == [(3.0e13, 6.5), (8.0e13, 6.3), (1.8e14, 6.0)]
    assert arms["treatment"] == [(3.0e13, 6.8), (1.6e14, 5.8)]
    assert {r["innovation"] for r in rows if r["series"] == "gundlach2025-lstm1-vs-transformer"} == {"transformer"}
    # x1_lstm_layer1_old is not a folder the importer reads.
    assert not any("x1_lstm_layer1_old" in r["locator"] for r in rows)
    row = next(r for r in rows if r["locator"].endswith("x1_lstm_layer1/32d.csv, last row (step 150), "
                                                        "columns validation_loss, total_flops_profiler, tokens"))
    assert row["tokens"] == 2400000 and row["compute_method"] == "stated" and row["evidence"] == "primary"
    assert row["locator"].startswith("hansgundlach/Experimental_Progress@fe9f6c9254a5398c35314662ca50e2db69770cbc:")


def test_gundlach_leaves_out_diverged_and_stopped_early_runs():
    skipped: list[str] = []
    rows = runs_gundlach2025.parse(read_inputs(runs_gundlach2025.RELEASE, GUNDLACH), skipped=skipped)
    assert sorted(s.split(":")[0] for s in skipped) == [
        "new_experiments_folder_1/x1_lstm_layer1_lr_trend/64d.csv",   # fewer tokens than the 32d run
        "new_experiments_folder_1/x1_modern_all_lr_trend/128d.csv",   # last validation loss nan
    ]
    assert _arms(rows, "gundlach2025-lstm1-vs-transformer-lr-trend")["baseline"] == [(3.0e13, 6.6)]
    assert _arms(rows, "gundlach2025-historical-vs-modern-lr-trend")["treatment"] == [(3.1e13, 6.0)]


def test_gundlach_bad_cell_names_file_row_and_column(tmp_path):
    root = _edited_release(GUNDLACH, tmp_path, "new_experiments_folder_1/x1_historical/64_all_reset.csv",
                           "5.8,1.6e+14", "five,1.6e+14")
    result, out = _run(["gundlach2025", "--file", str(root)], tmp_path)
    assert result.exit_code == 1
    assert "x1_historical/64_all_reset.csv: row 3, column validation_loss: not a number: 'five'" in result.output
    assert not out.exists()


def test_gundlach_missing_column_is_named(tmp_path):
    with pytest.raises(ParseError, match="tokens.*required column"):
        runs_gundlach2025.final_point(b"step,validation_loss,total_flops_profiler\n1,5.0,1e13\n", "x.csv")


# --- Clark et al. 2022 --------------------------------------------------------------------------

def test_clark_main_sweep_dense_baseline_in_every_series():
    rows = check_rows(runs_clark2022.parse(read_inputs(runs_clark2022.RELEASE, CLARK)), "clark2022")
    assert sorted({(r["innovation"], r["series"]) for r in rows}) == [
        ("hash-routing", "clark2022-hash-e8"), ("sparse-moe", "clark2022-s-base-e8")]
    for series in ("clark2022-hash-e8", "clark2022-s-base-e8"):
        # Dense 15M (seed 42) and 130M (no seed-42 run: the lowest seed, 1); compute = flops/step x step.
        assert _arms(rows, series)["baseline"] == [(8.0e16, 3.4), (5.0e17, 2.9)]
    # S-Base 15M: the step-2100 row has no losses, so its step-2000 row is the run's last point;
    # the seed-1 replicate and the k=2 Hash run are outside the main sweep.
    assert _arms(rows, "clark2022-s-base-e8")["treatment"] == [(40100000000000.0 * 2000, 3.2), (5.02e17, 2.75)]
    assert _arms(rows, "clark2022-hash-e8")["treatment"] == [(8.0e16, 3.3), (5.0e17, 2.85)]
    dense_130m = next(r for r in rows if r["arm"] == "baseline" and r["parameters"] == 130000000)
    assert "seed 1 (no seed-42 run" in dense_130m["note"]
    assert dense_130m["locator"].endswith("data/moe_scaling_law/data.csv, row 7 (hyper_id 3, step 2000), "
                                          "columns loss_validation, flops_per_step")
    assert {r["evidence"] for r in rows} == {"secondary"}


def test_clark_unknown_router_names_row_and_column(tmp_path):
    bad = tmp_path / "data.csv"
    bad.write_text(CLARK.read_text().replace(",Hash,42,0.5,600000000.0", ",Expert-Choice,42,0.5,600000000.0"))
    result, _ = _run(["clark2022", "--file", str(bad)], tmp_path)
    assert result.exit_code == 1
    assert "data/moe_scaling_law/data.csv: row 12, column router_type: unknown router 'Expert-Choice'" in result.output


# --- Sanderson et al. 2025 ----------------------------------------------------------------------

def test_sanderson_points_reproduce_the_notebooks_compact_gains():
    rows = check_rows(runs_sanderson2025.parse(read_inputs(runs_sanderson2025.RELEASE, SANDERSON)), "sanderson2025")
    n = 12 * 2 * 64**2 + 1000 * 64
    per_iteration = 8 * 2 * 128  # batch x accumulation x block
    assert {r["innovation"] for r in rows} == {"rope", "multi-query-attention", "sparse-attention"}  # no bundle
    assert {r["series"] for r in rows} == {"sanderson2025-nanogpt-compact"}  # the full scale has no placeable step
    points = {(r["innovation"], r["arm"]): (r["tokens"] / per_iteration, r["loss"]) for r in rows}
    # primary: the baseline reaches its final loss at its last evaluation (iteration 1000), RoPE after 5 of 11
    # evaluations (11/5 = 2.200 as printed), i.e. at iteration 400
    assert points[("rope", "baseline")] == (1000, 4.1) and points[("rope", "treatment")] == (400, 4.1)
    # aux: the treatment's best is at its last evaluation; the baseline reaches it after 6 of 11 (0.545)
    assert points[("sparse-attention", "treatment")] == (1000, 4.3)
    assert points[("sparse-attention", "baseline")] == (500, 4.3)
    assert points[("multi-query-attention", "baseline")] == (700, 4.2)
    compute = {(r["innovation"], r["arm"]): r["compute_flop"] for r in rows}
    assert compute[("rope", "treatment")] == 6 * n * 400 * per_iteration
    assert compute[("rope", "baseline")] / compute[("rope", "treatment")] == 2.5  # iterations, not the 2.2 count
    assert {r["evidence"] for r in rows} == {"primary"}
    [record] = check_series(runs_sanderson2025.series_records(rows), rows, "sanderson2025")
    assert set(record["held_equal"]) == {"data", "tokenizer", "schedule", "tuning_budget", "loss"}
    assert set(record["differs"]) == {"tokens_per_parameter"}


def test_sanderson_ceg_that_no_step_count_reprints_is_refused(tmp_path):
    root = _edited_release(SANDERSON, tmp_path, "results.ipynb", "steps only): 2.200", "steps only): 2.350")
    with pytest.raises(ParseError, match="'rope'.*no whole number of evaluations gives CEG 2.350"):
        runs_sanderson2025.parse(read_inputs(runs_sanderson2025.RELEASE, root))


def test_every_release_gives_every_series_a_parity_record():
    for module, path in ((runs_clark2022, CLARK), (runs_gundlach2025, GUNDLACH)):
        rows = check_rows(module.parse(read_inputs(module.RELEASE, path)), module.RELEASE.slug)
        records = check_series(module.series_records(rows), rows, module.RELEASE.slug)
        assert {r["id"] for r in records} == {r["series"] for r in rows}
    with pytest.raises(ValueError, match="series without a parity record"):
        check_series([], rows, "toy")


def test_sanderson_missing_config_value_is_named(tmp_path):
    root = _edited_release(SANDERSON, tmp_path, "config/compact/train_gpt2_compact.py", "max_iters = 1000\n", "")
    result, _ = _run(["sanderson2025", "--file", str(root)], tmp_path)
    assert result.exit_code == 1
    assert "config/compact/train_gpt2_compact.py: max_iters: config value(s) missing" in result.output


# --- Ho et al. 2024 -----------------------------------------------------------------------------

def test_ho_budgets_are_model_implied_pairs(tmp_path):
    notebook = _ho_notebook(tmp_path / "appendices.ipynb")
    rows = check_rows(runs_ho2024.parse(read_inputs(runs_ho2024.RELEASE, notebook)), "ho2024")
    assert len(rows) == 2 * runs_ho2024.EXPECTED_BUDGETS
    arms = _arms(rows, runs_ho2024.SERIES)
    assert arms["baseline"][0] == (1e19, 3.0) and arms["treatment"][0] == (1e19, 2.97)
    assert {r["evidence"] for r in rows} == {"model-implied"}
    assert "own CEG at this budget is 1.1 " in next(r["note"] for r in rows if r["arm"] == "treatment")


def test_ho_missing_line_names_the_budget(tmp_path):
    notebook = _ho_notebook(tmp_path / "appendices.ipynb", drop="loss Chinchilla-scale")
    with pytest.raises(ParseError, match=r"cell 1 output, budget 1 \(1e\+19\): no loss_chinchilla line"):
        runs_ho2024.parse(read_inputs(runs_ho2024.RELEASE, notebook))
    with pytest.raises(ParseError, match="23 compute budgets, expected 24"):
        runs_ho2024.parse({"appendices.ipynb": _ho_notebook(tmp_path / "short.ipynb", budgets=23).read_bytes()})


# --- the command and the generated file ---------------------------------------------------------

@pytest.mark.parametrize("release, path", [("gundlach2025", GUNDLACH), ("clark2022", CLARK),
                                           ("sanderson2025", SANDERSON), ("gadre2024", FIXTURES / "gadre"),
                                           ("wen2025", FIXTURES / "wen")])
def test_generated_file_is_deterministic_and_names_its_inputs(release, path, tmp_path):
    result, out = _run([release, "--file", str(path)], tmp_path)
    assert result.exit_code == 0, result.output
    first = out.read_bytes()
    again = CliRunner().invoke(scrape, ["runs", release, "--file", str(path), "--out", str(out)])
    assert again.exit_code == 0 and "(unchanged)" in again.output
    assert out.read_bytes() == first
    data = yaml.safe_load(first)
    assert first.startswith(f"# Generated by `cegdb scrape runs {release}`".encode())
    assert data["origin"] == f"import:{release}"
    inputs = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    module = {"gundlach2025": runs_gundlach2025, "clark2022": runs_clark2022,
              "sanderson2025": runs_sanderson2025, "gadre2024": runs_gadre2024, "wen2025": runs_wen2025}[release]
    wanted = {hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs
              if path.is_file() or module.RELEASE.wanted(p.relative_to(path).as_posix())}
    assert {e["sha256"] for e in data["retrieved"]} == wanted
    commit = module.RELEASE.commit
    assert all(e["copy"].startswith(f"github:{module.RELEASE.repo}@{commit}:") for e in data["retrieved"])
    assert all(e["url"].startswith(f"https://github.com/{module.RELEASE.repo}/blob/{commit}/") for e in data["retrieved"])
    assert data["runs"] and all(set(r) <= set(ROW_KEYS) for r in data["runs"])
    assert {s["id"] for s in data["series"]} == {r["series"] for r in data["runs"]}  # a parity record per series
    assert all({"innovation", "arm", "series", "compute_flop", "loss", "source", "locator", "evidence"} <= set(r)
               for r in data["runs"])


def test_copy_at_another_commit_is_refused(tmp_path):
    result, out = _run(["clark2022", "--file", str(CLARK), "--copy", f"github:linhaowei1/SLD@{'0' * 40}"], tmp_path)
    assert result.exit_code == 1 and "is read at commit bf7e8e33" in result.output and not out.exists()


def test_folder_without_release_files_is_an_error(tmp_path):
    result, _ = _run(["gundlach2025", "--file", str(tmp_path)], tmp_path)
    assert result.exit_code == 1 and "no file of release gundlach2025" in result.output


def test_gundlach_fitted_laws_become_model_implied_grid_points():
    rows = check_rows(runs_gundlach2025.parse(read_inputs(runs_gundlach2025.RELEASE, GUNDLACH)), "gundlach2025")
    fitted = [r for r in rows if r["evidence"] == "model-implied"]
    assert {r["series"] for r in fitted} == {"gundlach2025-fitted-lstm-vs-transformer2017",
                                             "gundlach2025-fitted-lstm-vs-modern-transformer"}
    assert len(fitted) == 2 * 2 * len(runs_gundlach2025.FIT_GRID_FLOP)
    lstm_1e20 = next(r for r in fitted if r["arm"] == "baseline" and r["compute_flop"] == 1e20)
    assert lstm_1e20["loss"] == pytest.approx(2.0e1 * 1e20 ** -0.05)
    t17_1e14 = next(r for r in fitted if r["series"].endswith("transformer2017") and r["arm"] == "treatment"
                    and r["compute_flop"] == 1e14)
    assert t17_1e14["loss"] == pytest.approx(5.0e1 * 1e14 ** -0.08)
    assert t17_1e14["locator"].endswith("constants.py, A_T17, alpha_T17")


def test_gundlach_missing_fitted_constant_is_named():
    with pytest.raises(ParseError, match="A_TM, alpha_TM: fitted constant"):
        runs_gundlach2025.fitted_constants(b"A_L, alpha_L = 20.0, -0.05\nA_T17, alpha_T17 = 50.0, -0.08\n")


@pytest.mark.parametrize("change, message", [
    ({"arm": "control"}, "arm 'control' is not one of"),
    ({"loss": 40.0}, "loss 40.0 outside 0.1..15 nats"),
    ({"compute_flop": 5.0}, "compute 5.0 FLOP outside"),
])
def test_implausible_row_is_refused(change, message):
    rows = runs_clark2022.parse(read_inputs(runs_clark2022.RELEASE, CLARK))
    rows[0] = {**rows[0], **change}
    with pytest.raises(ValueError, match=f"clark2022 run row 0: {message}"):
        check_rows(rows, "clark2022")


def test_series_without_a_baseline_is_refused():
    rows = [r for r in runs_clark2022.parse(read_inputs(runs_clark2022.RELEASE, CLARK))
            if not (r["series"] == "clark2022-hash-e8" and r["arm"] == "baseline")]
    with pytest.raises(ValueError, match="series without both arms: \\[\\('hash-routing', 'clark2022-hash-e8'\\)\\]"):
        check_rows(rows, "clark2022")


# --- Gadre et al. 2024 (mlfoundations/scaling) ----------------------------------------------------

GADRE = FIXTURES / "gadre"


def test_gadre_compares_corpora_on_sets_neither_arm_trains_on():
    rows = check_rows(runs_gadre2024.parse(read_inputs(runs_gadre2024.RELEASE, GADRE)), "gadre2024")
    series = {r["series"] for r in rows}
    assert series == {"gadre2024-rw-vs-c4-m1-ptb", "gadre2024-rw-vs-c4-m1-rpj-split",
                      "gadre2024-rpj-vs-c4-m1-ptb", "gadre2024-rpj-vs-c4-m1-rw-split"}  # M=32 has one corpus only
    rw = {(r["arm"], r["parameters"]): r["loss"] for r in rows if r["series"] == "gadre2024-rw-vs-c4-m1-rpj-split"}
    assert rw == {("baseline", 1e7): 6.9, ("baseline", 8e7): 4.5, ("treatment", 1e7): 6.4, ("treatment", 8e7): 4.1}
    assert {r["compute_flop"] for r in rows} == {6 * 1e7 * 2e8, 6 * 8e7 * 1.6e9}
    assert all(r["loss"] != 3.0 for r in rows)  # C4's own validation set is never used
    records = check_series(runs_gadre2024.series_records(rows), rows, "gadre2024")
    assert all(set(r["differs"]) == {"data"} and not r.get("not_stated") for r in records)


def test_gadre_cell_with_other_hyperparameters_is_refused(tmp_path):
    root = _edited_release(GADRE, tmp_path, "exp_data/models/rw_original-d=96_l=8_h=4-1.0.json",
                           '"lr": 0.003', '"lr": 0.001')
    with pytest.raises(ParseError, match=r"rw_original-d=96_l=8_h=4-1.0.json: hyperparameters: differs from .*c4_original"):
        runs_gadre2024.parse(read_inputs(runs_gadre2024.RELEASE, root))


# --- Li et al. 2024 (DataComp-LM, mlfoundations/dclm) ---------------------------------------------

DCLM = FIXTURES / "dclm"


def test_dclm_core_scores_are_ablations_per_scale_with_the_recipe_checked(tmp_path):
    result, out = _run(["li2024dclm", "--file", str(DCLM)], tmp_path)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text())
    assert "runs" not in data and "series" not in data  # a benchmark score never becomes a loss point
    rows = data["ablations"]
    by_series = {}
    for r in rows:
        by_series.setdefault(r["series"], []).append(r)
    # RedPajama's 7B cell used another z-loss than C4's: left out, not compared
    assert {s: len(v) for s, v in by_series.items()} == {"li2024dclm-dclm-baseline-vs-refinedweb-core": 3,
                                                          "li2024dclm-refinedweb-vs-c4-core": 3,
                                                          "li2024dclm-redpajama-vs-c4-core": 1}
    assert runs_li2024dclm.skipped_cells(read_inputs(runs_li2024dclm.RELEASE, DCLM)) == [
        "redpajama-vs-c4 7B-1x: z_loss 0.0001 vs 5e-06"]
    dclm = {r["parameters"]: (r["baseline_value"], r["treatment_value"], r["compute_flop"])
            for r in by_series["li2024dclm-dclm-baseline-vs-refinedweb-core"]}
    assert dclm == {411616256: (0.12, 0.15, 6 * 411616256 * 8232325120),
                    1439795200: (0.22, 0.27, 6 * 1439795200 * 28795904000),
                    6889410560: (0.33, 0.38, 6 * 6889410560 * 137788211200)}
    assert all(r["lower_is_better"] is False and r["metric"].startswith("core") for r in rows)
    assert {r["innovation"] for r in rows} == {"model-based-quality-filtering", "web-filtering-dedup",
                                               "multi-source-data-mix"}
    seven = next(r for r in by_series["li2024dclm-dclm-baseline-vs-refinedweb-core"] if r["parameters"] > 6e9)
    assert "open_lm_7b and open_lm_7b_swiglutorch" in seven["setting"]  # one shape, two config names
    assert "Core_v1 0.3500 vs 0.4000" in seven["note"]
    assert seven["quote"] == "| 7B-1x  | 6.9B             | 138B         | 5.7e21      |"  # the README's compute
    assert seven["locator"].startswith(f"mlfoundations/dclm@{runs_li2024dclm.RELEASE.commit}:exp_data/evals/")
    # only the compared corpora's records are read (and listed); an eval without its model record is ignored
    assert not any("dolma" in e["url"] for e in data["retrieved"])
    assert any("unknown-model" in e["url"] for e in data["retrieved"])


def test_dclm_two_evaluations_of_one_recipe_are_an_error(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(DCLM, root)
    evals = root / "exp_data" / "evals"
    twin = evals / "evaluation_rw_original-400m-fixture_heavy_copy.json"
    twin.write_text((evals / "evaluation_rw_original-400m-fixture_heavy.json").read_text())
    with pytest.raises(ParseError, match="two evaluations match the 400M-1x recipe"):
        runs_li2024dclm.ablations(read_inputs(runs_li2024dclm.RELEASE, root))


def test_dclm_core_that_is_not_v2_is_refused(tmp_path):
    root = _edited_release(DCLM, tmp_path, "exp_data/evals/evaluation_c4_original-1b-fixture_heavy.json",
                           '"Core_v2": 0.2', '"Core_v2": 0.19')
    with pytest.raises(ParseError, match=r"evaluation_c4_original-1b-fixture_heavy.json: Core: Core 0.2 is not Core_v2"):
        runs_li2024dclm.ablations(read_inputs(runs_li2024dclm.RELEASE, root))


# --- Biderman et al. 2023 (Pythia) ---------------------------------------------------------------

PYTHIA = FIXTURES / "pythia"


def test_pythia_dedup_scores_are_ablations_on_a_benchmark_basis_not_runs(tmp_path):
    result, out = _run(["biderman2023", "--file", str(PYTHIA)], tmp_path)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text())
    assert "runs" not in data and "series" not in data  # no benchmark number becomes a loss point
    rows = data["ablations"]
    assert len(rows) == 8 * 6 and {r["metric"] for r in rows} == {"accuracy"}
    assert all(r["lower_is_better"] is False for r in rows)
    one = next(r for r in rows if r["series"] == "biderman2023-pythia-dedup-piqa" and r["parameters"] == 1e9)
    assert (one["baseline_value"], one["treatment_value"]) == (0.45, 0.46)
    assert "pythia-1b-bf16" in one["locator"]  # the standard 1B run is the bf16 one
    assert one["compute_flop"] == 6 * 1e9 * 299_892_736_000


def test_generated_ablations_load_into_the_ablation_table(tmp_path):
    generated = ("# Generated by `cegdb scrape runs toy`; do not edit. Re-run: cegdb scrape all\n"
                 "generated_by: cegdb scrape runs toy\norigin: import:toy\nretrieved:\n"
                 "  - {url: https://example.org/e.json, sha256: abc, retrieved_on: 2026-01-01, route: direct}\n"
                 "ablations:\n"
                 "  - {innovation: rope, source: toy2024paper, locator: 'toy/repo@abc:e.json', evidence: primary,\n"
                 "     confidence: high, series: toy-bench, metric: accuracy, lower_is_better: false,\n"
                 "     baseline_value: 0.5, treatment_value: 0.6, parameters: 1e8}\n")
    datasets = write_catalog(tmp_path, **{"imported/toy/e.yaml": restamp(generated)})
    path = tmp_path / "a.sqlite"
    build(datasets, f"sqlite:///{path}", analysis=None, fts=False)
    assert rows(path, "SELECT innovation_id, series, treatment_value, origin_ref FROM ablation "
                      "WHERE series = 'toy-bench'") == [("rope", "toy-bench", 0.6, "datasets/imported/toy/e.yaml:8")]


# --- Wen et al. 2025 (marin-community/marin optimizer sweep) --------------------------------------

WEN = FIXTURES / "wen"


def test_wen_cache_keys_are_recomputed_from_the_grid():
    # The authors' key for AdamW at 130M, 1x Chinchilla: 2,684,354,560 tokens -> data_size "2B".
    assert runs_wen2025.tokens("130m", 1) == 2_684_354_560
    key = runs_wen2025.cache_key("adamw", "130m", 1)
    assert key == hashlib.md5(b"adamw_130m_2B_1").hexdigest()
    assert runs_wen2025.cache_key("adamw", "520m", 8) == hashlib.md5(b"adamw_520m_85B_8").hexdigest()
    assert runs_wen2025.cache_key("soap", "1.2b", 8) == hashlib.md5(b"soap_1.2b_193B_8").hexdigest()


def test_wen_pairs_each_optimizer_with_adamw_on_shared_cells():
    skipped = []
    rows = check_rows(runs_wen2025.parse(read_inputs(runs_wen2025.RELEASE, WEN), skipped=skipped), "wen2025")
    assert {r["series"] for r in rows} == {"wen2025-muon-vs-adamw", "wen2025-lion-vs-adamw", "wen2025-soape-vs-adamw"}
    muon = {(r["arm"], r["parameters"], r["tokens"]): r for r in rows if r["series"] == "wen2025-muon-vs-adamw"}
    assert len(muon) == 2 * 8  # 6 Phase I cells and 2 Phase II cells; 520m 4x has no AdamW cell
    n, d = 134217728, 2_684_354_560
    first = muon[("treatment", n, d)]
    assert first["loss"] == 3.806425 and muon[("baseline", n, d)]["loss"] == 3.851347
    assert first["compute_flop"] == 6 * n * d and first["compute_method"] == "6ND"
    assert first["innovation"] == "muon" and "c4_en" in first["loss_on"]
    assert runs_wen2025.cache_key("muon", "130m", 1) in first["locator"]
    assert "neighbouring configuration(s)" in muon[("treatment", 301989888, 6039797760)]["note"]  # min_num 2
    soap = [r for r in rows if r["series"] == "wen2025-soape-vs-adamw"]
    assert {r["parameters"] for r in soap} == {1207959552} and len(soap) == 4  # keyed "soap" in PhaseIII_1B
    lion = [r for r in rows if r["series"] == "wen2025-lion-vs-adamw" and r["arm"] == "treatment"]
    assert len(lion) == 5  # 130m 8x is an unfinished sweep
    assert any("lion 130m 8x" in s and "'Missing Runs'" in s for s in skipped)
    assert any("Muon 520m 4x: no AdamW cell" in s for s in skipped)
    assert any(f"key {'0' * 32} is not a cell" in s for s in skipped)
    assert any("nadamw 130m 1x" in s and "not in the cache" in s for s in skipped)


def test_wen_parity_says_tuning_is_part_of_the_comparison():
    rows = check_rows(runs_wen2025.parse(read_inputs(runs_wen2025.RELEASE, WEN)), "wen2025")
    records = {r["id"]: r for r in check_series(runs_wen2025.series_records(rows), rows, "wen2025")}
    muon, lion = records["wen2025-muon-vs-adamw"], records["wen2025-lion-vs-adamw"]
    assert set(muon["differs"]) == {"schedule", "tuning_budget"} and set(lion["differs"]) == {"tuning_budget"}
    assert "part of the comparison" in lion["differs"]["tuning_budget"]
    assert set(lion["not_stated"]) == {"data", "tokenizer"}
    assert "1.1x for 1.2B" in muon["note"]


def test_wen_implausible_loss_names_file_and_key(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(WEN, root)
    path = root / runs_wen2025.FOLDER / "PhaseII" / "wandb_cache.json"
    doc = json.loads(path.read_text())
    key = runs_wen2025.cache_key("muon", "300m", 2)
    doc[key]["min_loss"] = 42.0
    path.write_text(json.dumps(doc))
    with pytest.raises(ParseError, match=f"PhaseII/wandb_cache.json: {key}.min_loss: 42.0 nats"):
        runs_wen2025.parse(read_inputs(runs_wen2025.RELEASE, root))


def test_wen_grid_lets_the_engine_fit_l_of_n_and_d_per_arm():
    """The release varies N and D separately (130m at 4x and 520m at 1x share 10.7B tokens), so
    analysis/ceg_nd.py's per-arm L(N, D) fit applies to its full grid, and not to a size sweep at one multiple."""
    from types import SimpleNamespace

    from analysis import ceg_nd

    grid = [(s, m) for _, cells in runs_wen2025.GRID.values() for o, s, m in cells if o == "lion"]
    arm = [SimpleNamespace(parameters=runs_wen2025.EXPECTED_PARAMS[s], tokens=runs_wen2025.tokens(s, m)) for s, m in grid]
    assert len(arm) == 12 and ceg_nd.varies_n_and_d(arm)
    assert not ceg_nd.varies_n_and_d([a for a, (s, m) in zip(arm, grid) if m == 2])


@pytest.mark.parametrize("value", [True, "3.1", float("nan"), float("inf"), 0, -2.0, None])
def test_a_json_number_must_be_a_positive_finite_number(value):
    with pytest.raises(ParseError, match=r"release\.json: results\[0\]\.loss: expected a positive number"):
        positive(value, "release.json", "results[0].loss")
    assert positive(2, "release.json", "x") == 2.0
