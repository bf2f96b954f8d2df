"""`cegdb ceg FILE.csv`: the CEG engine on a researcher's own runs, through click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from cegdb.cli import main

E, A, ALPHA = 1.7, 40.0, 0.08
COMPUTE = 10.0 ** np.arange(17, 21.01, 0.5)
PLANTED = {"constant": (lambda c: 3.0, 0.0, "compute-independent"),
           "growing": (lambda c: (c / 1e17) ** 0.1, 0.1, "compute-dependent"),
           "shrinking": (lambda c: 3.0 * (c / 1e17) ** -0.1, -0.1, "diminishing")}


def loss(c: float) -> float:
    return E + A * c ** -ALPHA


def planted_csv() -> str:
    lines = ["innovation,arm,series,params,tokens,compute_flop,loss,source,locator"]
    for name, (k, _, _) in PLANTED.items():
        for c in COMPUTE:
            lines.append(f"{name},baseline,sweep,,,{c:.6e},{loss(c):.7f},toy,run.csv")
            lines.append(f"{name},treatment,sweep,,,{c:.6e},{loss(k(c) * c):.7f},toy,run.csv")
    return "\n".join(lines) + "\n"


def run(tmp_path, text: str, *args: str):
    path = tmp_path / "runs.csv"
    path.write_text(text)
    return CliRunner().invoke(main, ["ceg", str(path), "--bootstrap", "50", *args])


def test_json_recovers_each_planted_gain_within_10_percent_and_its_class(tmp_path):
    result = run(tmp_path, planted_csv(), "--json")
    assert result.exit_code == 0, result.output
    items = {item["innovation"]: item for item in json.loads(result.output)}
    assert set(items) == set(PLANTED)
    for name, (k, slope, klass) in PLANTED.items():
        item = items[name]
        assert item["series"] == "sweep" and item["class"] == klass, item["reason"]
        assert len(item["points"]) == len(COMPUTE)
        for p in item["points"]:
            assert {"compute_flop", "ceg", "ceg_lower", "ceg_upper", "extrapolated"} <= set(p)
            assert p["ceg"] == pytest.approx(k(p["compute_flop"]), rel=0.10)
        if slope:
            assert item["slope"] == pytest.approx(slope, rel=0.10)
        else:
            assert abs(item["slope"]) < 0.01
        assert item["slope_lower"] <= item["slope"] <= item["slope_upper"]


def test_text_output_names_series_class_and_flags(tmp_path):
    result = run(tmp_path, planted_csv())
    assert result.exit_code == 0, result.output
    blocks = {block.split(" ", 1)[0]: block for block in result.output.split("\n\n") if block.strip()}
    for name, (k, _, klass) in PLANTED.items():
        block = blocks[name]
        assert block.startswith(f"{name} / sweep (frontier)")
        # (a), (b), the class and the one-sentence comparison, each on its own line
        assert "  (a) gain at the smallest measured compute: " in block
        assert "  (b) trend: " in block
        assert f"  class: {klass}" in block
        assert "  compared: " in block and "measured" in block and "FLOP" in block
    assert "(b) trend: flat" in blocks["constant"] and "(b) trend: grows" in blocks["growing"]
    assert "(b) trend: shrinks" in blocks["shrinking"]
    assert "extrapolated" in result.output


def test_json_keeps_its_fields_and_adds_the_two_questions(tmp_path):
    result = run(tmp_path, planted_csv(), "--json")
    item = next(i for i in json.loads(result.output) if i["innovation"] == "constant")
    assert {"innovation", "series", "points", "slope", "slope_lower", "slope_upper", "class", "tentative",
            "reason", "n_baseline", "n_treatment", "resamples"} <= set(item)
    assert item["method"] == "frontier" and item["trend"] == "flat" and item["gain_at_small_scale"] == "gain"
    assert item["gain_small_lower"] < 3.0 < item["gain_small_upper"] and item["compute_small"] == COMPUTE[0]
    assert item["comparison"].endswith(".") and "constant runs" in item["comparison"]


def test_the_recipe_path_is_a_labelled_alternative(tmp_path):
    result = run(tmp_path, planted_csv(), "--json", "--method", "recipe")
    items = {i["innovation"]: i for i in json.loads(result.output)}
    assert {i["method"] for i in items.values()} == {"recipe"}
    assert "recipe-path placement (alternative method)" in items["constant"]["reason"]
    assert items["constant"]["points"][0]["ceg"] == pytest.approx(3.0, rel=0.10)


def test_two_runs_per_arm_give_within_scale_gains_and_never_a_trend(tmp_path):
    text = "innovation,arm,compute_flop,loss\n" + "".join(
        f"x,{arm},{c:.3e},{loss(c * (3.0 if arm == 'treatment' else 1.0)):.6f}\n"
        for c in (1e18, 1e19) for arm in ("baseline", "treatment"))
    for method in ("frontier", "recipe"):
        (item,) = json.loads(run(tmp_path, text, "--json", "--method", method).output)
        assert item["trend"] == "undetermined" and item["class"] == "undetermined", item["reason"]
        assert item["slope_lower"] is None and item["slope_upper"] is None
    small, large = item["points"]
    assert small["ceg"] == pytest.approx(3.0, rel=0.05) and not small["extrapolated"]
    # no E = 0 extrapolation past the baseline's larger run: the gain there is only a bound, at 1x
    assert large["censored"] == ">" and large["ceg"] == pytest.approx(1.0)


def test_without_a_file_it_prints_the_catalogs_answers(tmp_path):
    from cegdb.pipeline import build
    from tests._ceg_fixtures import runs_yaml
    from tests.conftest import write_catalog

    datasets = write_catalog(tmp_path, **{"runs/toy.yaml": runs_yaml()})
    path = tmp_path / "c.sqlite"
    build(datasets, f"sqlite:///{path}")
    result = CliRunner().invoke(main, ["ceg", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "rope\n  (a) gain at the smallest measured compute: " in result.output
    assert "  class: compute-independent" in result.output and "  compared: rope against its baseline" in result.output
    items = json.loads(CliRunner().invoke(main, ["ceg", "--db", str(path), "--json"]).output)
    rope = next(i for i in items if i["innovation"] == "rope")
    assert rope["trend"] == "flat" and rope["gain_small_lower"] > 1


def test_empty_series_and_6nd_from_params_and_tokens(tmp_path):
    lines = ["innovation,arm,series,params,tokens,compute_flop,loss"]
    for c in COMPUTE[:5]:
        params = (c / 6 / 20) ** 0.5  # Chinchilla-style 20 tokens per parameter
        lines.append(f"x,baseline,,{params:.6e},{20 * params:.6e},,{loss(c):.7f}")
        lines.append(f"x,treatment,,,,{c:.6e},{loss(2 * c):.7f}")
    result = run(tmp_path, "\n".join(lines) + "\n", "--json")
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.output)
    assert item["series"] is None
    assert item["points"][0]["ceg"] == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize("text, message", [
    ("innovation,arm,loss\nx,baseline,3\n", "line 1: missing column(s) compute_flop"),
    ("innovation,arm,compute_flop,loss\nx,control,1e18,3\n", "line 2, column arm: 'control' is not baseline"),
    ("innovation,arm,compute_flop,loss\nx,baseline,1e18,3\nx,treatment,1e18,abc\n",
     "line 3, column loss: cannot read 'abc' as a number"),
    ("innovation,arm,compute_flop,loss\nx,baseline,-1e18,3\n", "line 2, column compute_flop: -1e18 is not a positive"),
    ("innovation,arm,compute_flop,loss\nx,baseline,,3\n", "line 2, column compute_flop: empty, and params and tokens"),
    ("innovation,arm,compute_flop,loss\n,baseline,1e18,3\n", "line 2, column innovation: empty"),
    ("innovation,arm,compute_flop,loss\nx,baseline,1e18,\n", "line 2, column loss: empty"),
    ("innovation,arm,compute_flop,loss\nx,baseline,1e18,3\n", "innovation 'x': no treatment runs"),
    ("innovation,arm,compute_flop,loss\n", "no runs"),
])
def test_bad_input_names_the_line_and_column_without_a_traceback(tmp_path, text, message):
    result = run(tmp_path, text)
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


# A nearly flat baseline over three runs (0.12418 -> 0.12396 over 3.5 decades) and a scattered
# treatment: the gain's interval at the smallest compute reached e^1000, and math.exp overflowed
# into a traceback (found by the fast path's comparison on random series).
FLAT_BASELINE_CSV = """innovation,arm,series,compute_flop,loss
x,baseline,s,3693980481674628.0,0.12417641652140984
x,baseline,s,2.177435338319436e+18,0.12405346365373188
x,baseline,s,1.0743023560788935e+19,0.12396129223827348
x,treatment,s,3464510896258114.5,0.12427343280597884
x,treatment,s,4209871556827930.5,0.12423032343016635
x,treatment,s,5305291003037755.0,0.12412352830121606
x,treatment,s,3.1379644881716324e+16,0.12419980261892535
x,treatment,s,1.7971016178135168e+17,0.12416907847027102
x,treatment,s,5.111161468472821e+19,0.12396609956285859
x,treatment,s,3.2469374462740824e+20,0.12408092809331461
x,treatment,s,4.576170776924392e+20,0.12412273526477818
x,treatment,s,6.242500394635041e+21,0.12409601013505052
"""


def test_an_interval_past_float_range_is_cut_not_a_traceback(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text(FLAT_BASELINE_CSV)
    result = CliRunner().invoke(main, ["ceg", str(path), "--json"])
    assert result.exit_code == 0, result.output
    item = json.loads(result.output)[0]
    assert item["class"] == "undetermined"
    assert 0 < item["gain_small_lower"] <= 1e-300 and 1e300 <= item["gain_small_upper"] < float("inf")
    assert "1.01e+304" in item["reason"] and len(item["reason"]) < 1000  # 3 digits, not 300
