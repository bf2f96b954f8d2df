"""Training compute by operation counting and by hardware time; the DeepSeek-V3 / Llama 3.1 comparison."""

import sqlite3

import pytest
from click.testing import CliRunner

from analysis import compute
from cegdb.cli import main

H800_BF16_TFLOPS = 989.5  # same dense BF16 peak as the H100 SXM
H100_BF16_TFLOPS = 989.5


def test_operation_count_is_6nd():
    assert compute.operation_count_flop(37e9, 14.8e12) == pytest.approx(3.2856e24)


def test_hardware_time_uses_hours_seconds_peak_and_utilisation():
    assert compute.hardware_time_flop(1.0, 1000.0, 0.5) == pytest.approx(3600 * 1e15 * 0.5)


@pytest.mark.parametrize("bad", [dict(gpu_hours=0, peak_tflops=1), dict(gpu_hours=1, peak_tflops=1, utilisation=1.5)])
def test_hardware_time_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        compute.hardware_time_flop(**bad)


def test_deepseek_v3_against_llama_3_1_405b():
    deepseek = compute.estimate("deepseek-v3", active_parameters=37e9, training_tokens=14.8e12, gpu_hours=2.788e6,
                                peaks={"bf16": H800_BF16_TFLOPS, "fp8": 2 * H800_BF16_TFLOPS}, precision="fp8")
    llama = compute.estimate("llama-3.1-405b", active_parameters=405e9, training_tokens=15.6e12, gpu_hours=30.84e6,
                             peaks={"bf16": H100_BF16_TFLOPS}, precision="bf16")
    assert deepseek.operation_count_flop == pytest.approx(3.3e24, rel=0.01)
    assert llama.operation_count_flop == pytest.approx(3.8e25, rel=0.01)
    # Implied MFU against BF16 peaks: about a third for both runs.
    assert deepseek.implied_utilisation_bf16 == pytest.approx(0.331, abs=0.005)
    assert llama.implied_utilisation_bf16 == pytest.approx(0.345, abs=0.005)
    # Against the FP8 peak DeepSeek-V3 actually trained at, half that.
    assert deepseek.implied_utilisation == pytest.approx(deepseek.implied_utilisation_bf16 / 2)


def test_missing_inputs_give_partial_estimates():
    est = compute.estimate("x", active_parameters=None, training_tokens=1e12, gpu_hours=1e5,
                           peaks={"fp16": 125.0}, precision=None)
    assert est.operation_count_flop is None and est.precision == "fp16"
    assert "not stated" in est.note


def test_analyze_cli_writes_stamped_results_and_figures(built_db, tmp_path):
    result = CliRunner().invoke(main, ["analyze", "all", "--db", str(built_db), "--bootstrap", "20",
                                       "--resamples", "10", "--figures", str(tmp_path / "figs")])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(built_db)
    (row,) = conn.execute("select operation_count_flop, analysis_version, data_version from compute_estimate "
                          "where model_id = 'toy-moe'").fetchall()
    assert row[0] == pytest.approx(6e22) and row[1] and row[2].startswith("sha256:")
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "ceg_vs_compute.png", "ceg_vs_compute.svg", "classified_ceg_vs_compute.png",
        "classified_ceg_vs_compute.svg", "compute_over_time.png", "compute_over_time.svg",
        "gpu_hours_vs_flop.png", "gpu_hours_vs_flop.svg", "training_cost_over_time.png",
        "training_cost_over_time.svg"]


def test_figures_are_byte_identical_for_identical_data(built_db, tmp_path):
    for out in ("a", "b"):
        assert CliRunner().invoke(main, ["report", "--db", str(built_db), "--out", str(tmp_path / out)]).exit_code == 0
    for name in ("compute_over_time.svg", "gpu_hours_vs_flop.svg", "training_cost_over_time.svg", "index.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_analyze_without_a_database_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["analyze", "--db", str(tmp_path / "missing.sqlite")])
    assert result.exit_code == 1 and "run `cegdb build` first" in result.output


def test_timeline_labels_only_each_years_largest_model():
    # issue 17: a label on every point of the compute-over-time figure made a black blob
    from analysis.figures import notable_points

    rows = [("a", "2020-01-01", 1e20), ("b", "2020-06-01", 5e21), ("c", "2021-03-01", 1e22), ("d", "2021-04-01", 1e21)]
    assert [r[0] for r in notable_points(rows, key=lambda r: r[1][:4], value=lambda r: r[2])] == ["b", "c"]
