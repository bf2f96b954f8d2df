"""Pooling series: clusters of shared baselines, DerSimonian-Laird, and series that disagree."""

from __future__ import annotations

import math

import pytest

from analysis import classify as cls
from analysis import pooling
from analysis.pooling import SeriesTrend


def trend(name, slope, half, cluster=None):
    return SeriesTrend(name, slope, slope - half, slope + half, cluster or name)


def test_series_sharing_baseline_runs_form_one_cluster():
    clusters = pooling.clusters({"a": {1, 2, 3}, "b": {3, 4}, "c": {5}, "d": {4, 9}})
    assert clusters["a"] == clusters["b"] == clusters["d"] != clusters["c"]


def test_dersimonian_laird_matches_a_hand_computation():
    series = [trend("a", 0.0, 0.1 * cls.Z95), trend("b", 0.3, 0.1 * cls.Z95), trend("c", 0.6, 0.1 * cls.Z95)]
    pooled = pooling.pool(series)
    # se 0.1 each: Q = 100 * (0.09 + 0 + 0.09) = 18, tau^2 = (18 - 2) / (300 - 100) = 0.08
    assert pooled.tau == pytest.approx(math.sqrt(0.08))
    assert pooled.i_squared == pytest.approx(16 / 18)
    assert pooled.slope == pytest.approx(0.3)
    assert pooled.upper - pooled.lower == pytest.approx(2 * cls.Z95 * math.sqrt((0.01 + 0.08) / 3))


def test_homogeneous_series_have_no_heterogeneity():
    pooled = pooling.pool([trend("a", 0.1, 0.05), trend("b", 0.1, 0.05)])
    assert pooled.tau == 0 and pooled.i_squared == 0


def test_a_shared_baseline_does_not_shrink_the_interval():
    # nine variants against one baseline: as uncertain as one of them, not three times more precise
    alone = pooling.pool([trend("a", -0.05, 0.06)])
    cluster = pooling.pool([trend(f"e{k}", -0.05, 0.06, cluster="dense") for k in range(9)])
    assert cluster.n_clusters == 1 and cluster.tau is None
    assert cluster.upper - cluster.lower == pytest.approx(alone.upper - alone.lower)
    independent = pooling.pool([trend(f"e{k}", -0.05, 0.06) for k in range(9)])
    assert independent.upper - independent.lower < (cluster.upper - cluster.lower) / 2


def test_variants_that_differ_widen_their_cluster():
    same = pooling.pool([trend(f"e{k}", 0.0, 0.05, cluster="dense") for k in range(4)])
    spread = pooling.pool([trend(f"e{k}", s, 0.05, cluster="dense") for k, s in enumerate((-0.1, 0, 0.05, 0.1))])
    assert spread.upper - spread.lower > same.upper - same.lower


def test_opposite_decisive_trends_are_flagged_as_disagreeing():
    assert pooling.pool([trend("a", 0.3, 0.1), trend("b", -0.3, 0.1)]).series_disagree
    assert not pooling.pool([trend("a", 0.3, 0.1), trend("b", -0.02, 0.1)]).series_disagree


def test_variants_sharing_one_noisy_baseline_do_not_make_a_wrong_class():
    """Clark et al.'s shape: several treatments against one dense sweep whose noise they all share.
    Planted: every variant a constant 2x gain. Pooled as one cluster, the trend's interval covers 0
    and no replicate gets a decisive wrong class (grows or shrinks)."""
    import numpy as np

    from analysis.ceg_runs import RunPoint, series_ceg
    from analysis.summary import SeriesEvidence, summarize

    compute = np.logspace(19, 20.6, 6)

    def loss(c):
        return 1.7 + 40.0 * np.power(c, -0.08)

    rng = np.random.default_rng(11)
    covered = wrong = 0
    for _ in range(12):
        base_loss = loss(compute) * np.exp(rng.normal(0, 0.005, compute.size))
        baseline = [RunPoint(c, v, i, "secondary") for i, (c, v) in enumerate(zip(compute, base_loss))]
        identity = {("dense", float(c)) for c in compute}
        series = []
        for variant in range(5):
            treat = loss(2.0 * compute) * np.exp(rng.normal(0, 0.005, compute.size))
            treatment = [RunPoint(c, v, 100 * (variant + 1) + i, "secondary") for i, (c, v) in enumerate(zip(compute, treat))]
            series.append(SeriesEvidence(f"run series e{variant}", series_ceg(baseline, treatment), "secondary",
                                         "validation", identity, "clark"))
        answer = summarize("moe", series, [])
        assert "one cluster" in answer.reason
        covered += answer.slope_lower <= 0 <= answer.slope_upper
        wrong += answer.compute_class in (cls.COMPUTE_DEPENDENT, cls.DIMINISHING)
    assert covered >= 11 and wrong == 0


# --- (a) across series: pooled at the smallest common compute (analysis/summary.py) ---------------

def _series(name, c_min, c_max, gain, lower, upper, baseline, at=None):
    from types import SimpleNamespace

    from analysis.summary import SeriesEvidence
    result = SimpleNamespace(gain_small=gain, gain_small_lower=lower, gain_small_upper=upper, compute_small=c_min,
                             gain_small_censored="", extra={"gain_at": at, "treatment_range": (c_min, c_max)})
    return SeriesEvidence(name, result, "primary", "val", set(baseline), "src")


def test_a_is_pooled_at_a_common_compute_not_taken_from_the_lowest_badly_fitted_series():
    from analysis.summary import small_scale_gain
    # one tiny series with a vacuous interval starting lowest, three precise ones a little higher
    noisy = _series("noisy", 1e15, 1e18, 1.8, 0.02, 150.0, {"b0"}, at=lambda c: (1.8, 0.02, 150.0))
    precise = [_series(f"s{k}", 2e15 * (1 + k), 1e19, 2.0, 1.8, 2.2, {f"b{k + 1}"},
                       at=lambda c: (2.0, 1.8, 2.2)) for k in range(3)]
    answer = small_scale_gain([noisy, *precise])
    assert answer.compute == 6e15 and len(answer.series) == 4  # all four reach 6e15 (within a decade)
    assert 1.7 < answer.lower < answer.value < answer.upper < 2.3  # the vacuous one barely weighs


def test_a_is_undetermined_when_series_disagree_at_small_scale():
    from analysis.summary import small_scale_gain
    loss = _series("loss", 1e15, 1e17, 0.45, 0.35, 0.58, {"a"}, at=lambda c: (0.45, 0.35, 0.58))
    gain = _series("gain", 4e15, 1e17, 3.6, 2.7, 4.9, {"b"}, at=lambda c: (3.6, 2.7, 4.9))
    answer = small_scale_gain([loss, gain])
    assert answer.disagree and answer.lower is None and "disagree" in answer.text


def test_one_run_scored_on_two_validation_sets_is_one_baseline_run():
    from types import SimpleNamespace

    from analysis.store import _run_identity
    ptb = SimpleNamespace(source_id="gadre", compute_flop=3.35e15, parameters=1.06e7, tokens=5.3e7, loss=7.81)
    rpj = SimpleNamespace(source_id="gadre", compute_flop=3.35e15, parameters=1.06e7, tokens=5.3e7, loss=7.65)
    other = SimpleNamespace(source_id="gadre", compute_flop=3.35e15, parameters=2e7, tokens=2.8e7, loss=7.65)
    assert _run_identity(ptb) == _run_identity(rpj) != _run_identity(other)
    names = pooling.clusters({"ptb": {_run_identity(ptb)}, "rpj": {_run_identity(rpj)}, "x": {_run_identity(other)}})
    assert names["ptb"] == names["rpj"] != names["x"]


def test_the_comparison_says_what_the_recipe_held_equal():
    from analysis.summary import _recipe
    record = {"arms": "C4 (baseline) vs RefinedWeb (treatment)", "parity": "justified differences",
              "tokens_per_parameter": "held equal: 20", "data": "differs: the corpus is the innovation",
              "tokenizer": "held equal: GPT-NeoX", "schedule": "held equal: same", "tuning_budget": "not stated",
              "loss": "held equal: PTB"}
    a = _series("a", 1e15, 1e17, 2.0, 1.5, 2.5, {"x"})
    a.parity = record
    b = _series("b", 1e15, 1e17, 2.0, 1.5, 2.5, {"y"})
    text = _recipe([a, b])
    assert "arms: C4 (baseline) vs RefinedWeb (treatment)" in text
    assert "held equal: tokens per parameter, tokenizer, schedule, loss definition" in text
    assert "differs (as part of the innovation" in text and ": data" in text
    assert "not stated: tuning budget" in text and "1 series without a parity record" in text
