"""Run sweeps and verdicts through a build: CEG rows, the class, and the literature beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cegdb.pipeline import build
from tests._ceg_fixtures import COMPUTE, VERDICTS, runs_yaml
from tests.conftest import rows, write_catalog


@pytest.fixture(scope="module")
def ceg_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("ceg")
    model_implied = runs_yaml("moe", gain=2.0, series="fitted-law", source="toy2025card", evidence="model-implied")
    datasets = write_catalog(tmp, **{"runs/toy.yaml": runs_yaml(), "runs/implied.yaml": model_implied,
                                     "verdicts/toy.yaml": VERDICTS})
    path = tmp / "ceg.sqlite"
    build(datasets, f"sqlite:///{path}")
    return path


def test_every_treatment_run_gets_a_ceg_row_with_its_runs(ceg_db):
    found = rows(ceg_db, "SELECT compute_flop, ceg, lower, upper, extrapolated, censored, run_ids, evidence, "
                         "baseline_compute_flop FROM ceg_estimate WHERE method = 'runs' AND innovation_id = 'rope' "
                         "ORDER BY compute_flop")
    assert [r[0] for r in found] == list(COMPUTE)
    baseline_ids = [str(r[0]) for r in rows(ceg_db, "SELECT id FROM run WHERE innovation_id = 'rope' "
                                                    "AND arm = 'baseline' ORDER BY id")]
    for compute, ceg, lower, upper, extrapolated, censored, run_ids, evidence, needed in found:
        assert ceg == pytest.approx(3.0, rel=0.05) and lower <= ceg <= upper
        assert censored == "" and evidence == "primary"
        assert needed == pytest.approx(ceg * compute)
        # the treatment run first, then the series' baseline runs
        treatment_id = run_ids.split(",")[0]
        assert rows(ceg_db, "SELECT arm, compute_flop FROM run WHERE id = ?", int(treatment_id)) == [
            ("treatment", compute)]
        assert run_ids.split(",")[1:] == baseline_ids
    assert [bool(r[4]) for r in found] == [False] * (len(COMPUTE) - 1) + [True]


def test_the_class_sits_beside_the_literature_and_says_whether_they_agree(ceg_db):
    (rope,) = rows(ceg_db, "SELECT compute_class, tentative, slope, n_series, literature_class, literature_sources, "
                           "agreement, run_ids, pivot_ceg FROM innovation_summary WHERE innovation_id = 'rope'")
    assert rope[0] == "compute-independent" and rope[1] == 0
    assert abs(rope[2]) < 0.02 and rope[3] == 1
    assert rope[4:7] == ("compute-independent", "toy2024paper", "agree")
    assert len(rope[7].split(",")) == 2 * len(COMPUTE) and rope[8] == pytest.approx(3.0, rel=0.05)
    assert rows(ceg_db, "SELECT compute_class FROM innovation WHERE id = 'rope'") == [("compute-independent",)]


def test_model_implied_runs_are_shown_but_not_a_class(ceg_db):
    (moe,) = rows(ceg_db, "SELECT compute_class, reason, literature_class, agreement FROM innovation_summary "
                          "WHERE innovation_id = 'moe'")
    assert moe[0] == "insufficient evidence" and "model-implied" in moe[1]
    assert moe[2:] == ("compute-dependent", "no class")
    implied = rows(ceg_db, "SELECT DISTINCT evidence FROM ceg_estimate WHERE innovation_id = 'moe'")
    assert implied == [("model-implied",)]


# --- the innovation page, through Datasette's own test client ------------------------------------

@pytest.fixture
def datasette(ceg_db):
    from datasette.app import Datasette

    from publish import serving

    return Datasette(immutables=[str(ceg_db)], metadata=serving.metadata(ceg_db.stem), settings=serving.SETTINGS)


async def test_innovation_page_shows_chart_class_literature_and_evidence(datasette, ceg_db):
    response = await datasette.client.get(f"/{ceg_db.stem}/innovation/rope")
    assert response.status_code == 200
    page = response.text
    assert "<h1" in page and "Rotary embeddings" in page
    # the chart: an inline SVG with one point per treatment run, the fitted line and its band
    wide = page.split('class="cegdb-chart-narrow"')[0]  # the chart comes in a wide and a narrow layout
    assert wide.count('class="cegdb-point') == len(COMPUTE)
    assert 'class="cegdb-fit"' in page and 'class="cegdb-band"' in page
    assert "log scale" in page
    # our class beside the literature's, and whether they agree
    assert "<strong>compute-independent</strong>" in page
    assert 'class="cegdb-agree"' in page
    assert "the gain from rotary embeddings is the same at every scale we tried" in page
    # the evidence rows link to their source
    assert page.count('href="https://arxiv.org/abs/2405.00001"') >= 2 * len(COMPUTE)
    assert "toy/repo@abc123:runs.csv" in page


async def test_innovation_page_without_runs_still_shows_the_verdict(datasette, ceg_db):
    response = await datasette.client.get(f"/{ceg_db.stem}/innovation/moe")
    assert response.status_code == 200
    assert "experts pay off only in our largest runs" in response.text
    assert "insufficient evidence" in response.text
    # model-implied points are drawn (hollow or filled) but not fitted
    assert 'class="cegdb-point' in response.text and 'class="cegdb-fit"' not in response.text


def test_report_has_the_figure_of_every_classified_innovation(ceg_db, tmp_path):
    from click.testing import CliRunner

    from cegdb.cli import main

    for out in ("a", "b"):
        result = CliRunner().invoke(main, ["report", "--db", str(ceg_db), "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    svg = (tmp_path / "a" / "classified_ceg_vs_compute.svg").read_text()
    # rope is classified (its legend entry names ours and the literature's class); moe is not
    assert "rope: compute-independent; literature: compute-independent (agree)" in svg
    assert "moe:" not in svg
    assert 'src="classified_ceg_vs_compute.svg"' in (tmp_path / "a" / "index.html").read_text()
    assert svg == (tmp_path / "b" / "classified_ceg_vs_compute.svg").read_text()


async def test_classes_canned_query_and_run_facets(datasette, ceg_db):
    response = await datasette.client.get(f"/{ceg_db.stem}/classes.json?_shape=array")
    assert response.status_code == 200
    rope = next(r for r in response.json() if r["innovation_id"] == "rope")
    assert (rope["our_class"], rope["literature_class"], rope["agreement"]) == (
        "compute-independent", "compute-independent", "agree")
    response = await datasette.client.get(f"/{ceg_db.stem}/run.json?_extra=facet_results")
    assert {"innovation_id", "series", "arm", "evidence"} <= set(response.json()["facet_results"])


async def test_ceg_table_canned_query_names_the_runs(datasette, ceg_db):
    response = await datasette.client.get(f"/{ceg_db.stem}/ceg_table.json?_shape=array")
    assert response.status_code == 200
    runs = [r for r in response.json() if r["method"] == "runs" and r["innovation_id"] == "rope"]
    assert len(runs) == len(COMPUTE) and all(r["run_ids"] and r["evidence"] == "primary" for r in runs)


# --- (a), (b), heterogeneity and the comparison in innovation_summary (issue 16) --------------------

def test_the_summary_answers_both_questions_and_says_what_was_compared(ceg_db):
    (rope,) = rows(ceg_db, "SELECT gain_small, gain_small_lower, gain_small_upper, compute_small, trend, tau, "
                           "i_squared, series_disagree, comparison FROM innovation_summary WHERE innovation_id = 'rope'")
    gain, lower, upper, compute, trend, tau, i2, disagree, comparison = rope
    assert lower < 3.0 < upper and gain == pytest.approx(3.0, rel=0.05) and compute == COMPUTE[0]
    assert trend == "flat" and tau is None and i2 is None and disagree == 0
    assert "measured runs (primary)" in comparison and "toy-sweep" in comparison and "toy validation set" in comparison
    (moe,) = rows(ceg_db, "SELECT trend, gain_small, comparison FROM innovation_summary WHERE innovation_id = 'moe'")
    assert moe[0] == "undetermined" and moe[1] is None
    assert "no measured comparison" in moe[2] and "model-derived" in moe[2]


@pytest.fixture(scope="module")
def pooled_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("pooled")
    # two series against the same baseline runs (one cluster), one unverified series (shown only)
    # (the second series in its own file: one file has one `series:` and one `runs:` section)
    unverified = runs_yaml("moe", gain=2.0, series="unchecked", evidence="unverified")
    datasets = write_catalog(tmp, **{"runs/toy.yaml": runs_yaml(), "runs/toy2.yaml": runs_yaml(series="toy-sweep-2"),
                                     "runs/unverified.yaml": unverified})
    path = tmp / "pooled.sqlite"
    build(datasets, f"sqlite:///{path}")
    return path


def test_series_sharing_a_baseline_pool_as_one_cluster_and_unverified_runs_never_decide(pooled_db):
    (rope,) = rows(pooled_db, "SELECT compute_class, n_series, tau, reason FROM innovation_summary "
                              "WHERE innovation_id = 'rope'")
    assert rope[0] == "compute-independent" and rope[1] == 2 and rope[2] is None
    assert "one cluster" in rope[3]
    (moe,) = rows(pooled_db, "SELECT compute_class, reason FROM innovation_summary WHERE innovation_id = 'moe'")
    assert moe[0] == "insufficient evidence" and "unverified: shown, never deciding" in moe[1]


def test_migration_0011_adds_the_two_questions_and_goes_back(tmp_path):
    from sqlalchemy import inspect

    from catalog import db

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    db.upgrade(url)

    def columns():
        engine = db.make_engine(url)
        try:
            return {c["name"] for c in inspect(engine).get_columns("innovation_summary")}
        finally:
            engine.dispose()

    new = {"gain_small", "gain_small_lower", "gain_small_upper", "compute_small", "trend", "tau", "i_squared",
           "series_disagree", "comparison"}
    assert new <= columns()
    db.downgrade(url, "0008")
    assert not new & columns() and {"compute_class", "slope", "agreement"} <= columns()
    db.upgrade(url)
    assert new <= columns()


# --- benchmark-score comparisons (DCLM Core, Pythia accuracies): named, never a CEG -----------------

BENCHMARK_ABLATIONS = """
- {innovation: moe, source: toy2024paper, locator: "Table 1", evidence: primary, confidence: high,
   series: toy-core, metric: "core (centred accuracy)", lower_is_better: false, baseline_value: 0.20,
   treatment_value: 0.25, parameters: 1.0e8, tokens: 2.0e9, compute_flop: 1.2e18}
- {innovation: moe, source: toy2024paper, locator: "Table 1", evidence: primary, confidence: high,
   series: toy-core, metric: "core (centred accuracy)", lower_is_better: false, baseline_value: 0.30,
   treatment_value: 0.36, parameters: 1.0e9, tokens: 2.0e10, compute_flop: 1.2e20}
- {innovation: moe, source: toy2024paper, locator: "Table 1", evidence: primary, confidence: high,
   series: toy-core, metric: "core (centred accuracy)", lower_is_better: false, baseline_value: 0.40,
   treatment_value: 0.47, parameters: 1.0e10, tokens: 2.0e11, compute_flop: 1.2e22}
"""


def test_benchmark_score_comparisons_are_named_in_the_sentence_but_never_classed(tmp_path):
    """Regression: an innovation compared only on a benchmark score (higher is better) read 'no measured
    comparison of both arms', and a score must never enter the loss engine (no CEG row, no class)."""
    datasets = write_catalog(tmp_path, **{"ablations/bench.yaml": BENCHMARK_ABLATIONS})
    path = tmp_path / "bench.sqlite"
    build(datasets, f"sqlite:///{path}")
    (moe,) = rows(path, "SELECT compute_class, gain_small, trend, comparison FROM innovation_summary "
                        "WHERE innovation_id = 'moe' AND basis = 'flop'")
    assert moe[:3] == ("insufficient evidence", None, "undetermined")
    assert moe[3] == ("moe: no measured loss comparison of both arms (3 benchmark-score comparison(s) in 1 series "
                      "(core (centred accuracy)) shown, never turned into a CEG).")
    assert rows(path, "SELECT COUNT(*) FROM ceg_estimate WHERE innovation_id = 'moe'") == [(0,)]
