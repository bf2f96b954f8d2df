"""The CEG engine for loss curves, on synthetic sweeps with planted answers.

Baseline: L(C) = E + A C^-alpha. Treatment: at compute C it reaches the loss the baseline reaches
at k(C) C, so its planted CEG is k(C). The calibration of the intervals over many replicates is in
tests/test_analysis_ceg_calibration.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import ceg_fit, ceg_runs
from analysis import classify as cls
from analysis.ceg_runs import RunPoint, series_ceg

E, A, ALPHA = 1.7, 40.0, 0.08
COMPUTE = 10.0 ** np.arange(17, 21.01, 0.5)  # 1e17 .. 1e21, 9 runs per arm


def loss(c):
    return E + A * np.power(c, -ALPHA)


def sweep(k, compute=COMPUTE, noise=0.0005, seed=3, evidence="primary"):
    """Both arms at each compute, with lognormal loss noise (noise = sd of ln L)."""
    rng = np.random.default_rng(seed)
    c = np.asarray(compute, float)
    base = loss(c) * np.exp(rng.normal(0, noise, c.size))
    treat = loss(k(c) * c) * np.exp(rng.normal(0, noise, c.size))
    baseline = [RunPoint(x, y, i, evidence) for i, (x, y) in enumerate(zip(c, base), 1)]
    treatment = [RunPoint(x, y, 100 + i, evidence) for i, (x, y) in enumerate(zip(c, treat), 1)]
    return baseline, treatment


PLANTED = {
    "constant 3x": (lambda c: 3.0 * np.ones_like(c), 0.0, cls.COMPUTE_INDEPENDENT),
    "growing as C^0.1": (lambda c: (c / 1e17) ** 0.1, 0.1, cls.COMPUTE_DEPENDENT),
    "shrinking as C^-0.1": (lambda c: 3.0 * (c / 1e17) ** -0.1, -0.1, cls.DIMINISHING),
}


@pytest.mark.parametrize("case", PLANTED)
def test_planted_gain_is_recovered_within_10_percent_and_classified(case):
    k, planted_slope, planted_class = PLANTED[case]
    result = series_ceg(*sweep(k))
    assert result.method == "frontier"
    for point in result.points:
        assert point.censored == ""
        assert point.ceg == pytest.approx(float(k(np.array([point.compute_flop]))[0]), rel=0.10), point
        assert point.lower < point.ceg < point.upper
    if planted_slope == 0:
        assert abs(result.slope) < 0.01
    else:
        assert result.slope == pytest.approx(planted_slope, rel=0.10)
    assert result.slope_lower < result.slope < result.slope_upper
    assert result.gain_small_lower < float(k(np.array([COMPUTE[0]]))[0]) < result.gain_small_upper
    assert result.compute_class == planted_class, result.classification.reason
    assert not result.classification.tentative


def test_points_beyond_the_baseline_are_extrapolated_and_inside_are_interpolated():
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), noise=0.0))
    flags = {p.compute_flop: p.extrapolated for p in result.points}
    # the treatment at C matches the baseline at 3C: beyond 1e21 / 3 that is past the largest baseline run
    assert [c for c, flag in flags.items() if flag] == [COMPUTE[-1]]
    exact = [p for p in result.points if not p.extrapolated]
    assert all(p.ceg == pytest.approx(3.0, rel=0.03) for p in exact)  # log-log interpolation of a smooth curve


def test_a_treatment_far_past_the_baseline_is_censored_at_the_reach():
    baseline, _ = sweep(lambda c: c, noise=0.0)
    treatment = [RunPoint(1e18, float(loss(1e24)), 7)]  # needs 1e24: three decades past the baseline's 1e21
    point = series_ceg(baseline, treatment).points[0]
    # a lower bound at the real reach (one decade past the baseline's largest run), not C_max / C
    assert point.censored == ">" and point.ceg == pytest.approx(1e22 / 1e18)
    below = [RunPoint(1e18, E * 0.9, 8)]  # below the baseline's fitted asymptote
    assert series_ceg(baseline, below).points[0].censored == ">"


def test_a_treatment_worse_than_the_smallest_baseline_run_is_censored_as_an_upper_bound():
    baseline, _ = sweep(lambda c: c, noise=0.0)
    treatment = [RunPoint(1e19, float(loss(1e14)), 9)]  # the baseline reached this loss before 1e15
    point = series_ceg(baseline, treatment).points[0]
    assert point.censored == "<" and point.ceg == pytest.approx(1e16 / 1e19)


def test_censored_points_enter_the_fit_instead_of_being_dropped():
    # a gain growing 10x per decade: the top treatment runs are beyond the baseline's reach
    k = lambda c: 2.0 * (c / 1e17) ** 0.5  # noqa: E731
    baseline, treatment = sweep(k, noise=0.002)
    result = series_ceg(baseline, treatment)
    assert result.n_censored >= 2 and sum(p.censored == ">" for p in result.points) >= 2
    assert result.slope_lower is not None and result.slope_lower > 0.05  # the censored runs still say "grows"
    assert "censored" in result.classification.reason


def test_two_scales_give_within_scale_gains_never_an_e0_extrapolation_or_a_trend():
    # the seed paper's shape: both arms at two scales, no fit possible
    baseline = [RunPoint(1e18, float(loss(1e18)), 1), RunPoint(1e19, float(loss(1e19)), 2)]
    treatment = [RunPoint(1e18, float(loss(3e18)), 3), RunPoint(1e19, float(loss(3e19)), 4)]
    result = series_ceg(baseline, treatment)
    small, large = result.points
    assert small.censored == "" and not small.extrapolated and small.ceg == pytest.approx(3.0, rel=0.05)
    assert small.lower is None and small.upper is None  # no noise estimate: a point without an interval
    assert large.censored == ">" and large.ceg == pytest.approx(1.0)
    assert result.slope_lower is None and result.trend == cls.UNDETERMINED
    assert result.compute_class == cls.UNDETERMINED and "never" not in result.classification.reason[:0]
    one = series_ceg(baseline[1:], treatment[1:]).points[0]
    assert one.censored == ">" and one.ceg == pytest.approx(1.0)


def test_a_noisy_non_monotone_baseline_is_made_monotone():
    compute, values = ceg_runs.monotone_curve([1e17, 1e18, 1e19, 1e20], [3.0, 2.8, 2.85, 2.5])
    assert np.all(np.diff(values) < 0) and np.all(np.diff(compute) > 0)
    assert math.exp(values[1]) == pytest.approx(2.825)


def test_the_frontier_leaves_out_dominated_runs_and_averages_seeds():
    baseline, treatment = sweep(lambda c: 2.0 * np.ones_like(c), noise=0.0)
    # an over-trained configuration at 1e20 that came out worse than the 1e19 frontier run: not compared
    worse = RunPoint(1e20, float(loss(2e18)), 999, "primary", 1e8, 1.6e11)
    result = series_ceg(baseline, [*treatment, worse])
    assert result.off_frontier == (999,)
    assert not next(p for p in result.points if p.run_id == 999).on_frontier
    assert "off the frontier" in result.classification.reason
    seeds = [ceg_fit.Run(1e18, 3.0), ceg_fit.Run(1e18, 3.2), ceg_fit.Run(1e19, 2.9)]
    kept, dropped = ceg_fit.frontier(seeds)
    assert len(kept) == 3 and not dropped  # two seeds of one configuration are averaged, not minimised


def test_the_same_runs_give_the_same_intervals():
    runs = sweep(lambda c: 2.0 * np.ones_like(c), noise=0.01)
    first, again = series_ceg(*runs), series_ceg(*runs)
    assert [(p.lower, p.upper) for p in first.points] == [(p.lower, p.upper) for p in again.points]
    assert (first.slope_lower, first.slope_upper) == (again.slope_lower, again.slope_upper)


def test_model_implied_runs_are_shown_but_never_classified():
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), evidence="model-implied"))
    assert result.model_implied and result.slope is not None
    assert result.compute_class == cls.INSUFFICIENT
    assert "model-implied" in result.classification.reason


def test_under_one_decade_the_class_is_tentative_and_a_weak_trend_undetermined():
    compute = 10.0 ** np.arange(18, 18.81, 0.1)  # 0.8 decades, 9 runs per arm
    steep = series_ceg(*sweep(lambda c: c / 1e18, compute=compute, noise=0.0005))
    assert steep.compute_class == cls.COMPUTE_DEPENDENT and steep.classification.tentative
    # a constant gain over 0.8 decade: the 0.2% noise floor leaves the equivalence test undecided
    flat = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), compute=compute, noise=0.0005))
    assert flat.trend == cls.UNDETERMINED and flat.compute_class == cls.UNDETERMINED


def test_empty_arms_are_refused():
    baseline, treatment = sweep(lambda c: c)
    with pytest.raises(ValueError, match="no treatment runs"):
        series_ceg(baseline, [])
    with pytest.raises(ValueError, match="no baseline runs"):
        series_ceg([], treatment)


def test_no_gain_and_no_trend_is_little_or_no_gain_not_compute_independent():
    result = series_ceg(*sweep(lambda c: np.ones_like(c), noise=0.0005))
    assert result.trend == cls.FLAT and cls.gain_of(result.gain_small_lower, result.gain_small_upper) == cls.LITTLE
    assert result.compute_class == cls.NO_GAIN


def test_a_perfect_fit_still_has_an_interval_from_the_noise_floor():
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), noise=0.0))
    assert result.sigma == ceg_fit.SIGMA_FLOOR and "floored" in result.classification.reason
    assert result.gain_small_upper > result.gain_small_lower
    assert all(p.upper > p.lower for p in result.points if not p.censored)


def test_three_runs_per_arm_leave_too_few_degrees_of_freedom_for_a_trend():
    compute = 10.0 ** np.array([17.0, 18.0, 19.0])
    result = series_ceg(*sweep(lambda c: (c / 1e17) ** 0.3, compute=compute, noise=0.001))
    assert result.slope is not None and result.slope_lower is None and result.trend == cls.UNDETERMINED
    assert "no trend interval" in result.classification.reason


def test_the_treatment_at_one_or_two_levels_gives_the_gain_at_its_smallest_compute_only():
    baseline, treatment = sweep(lambda c: 3.0 * np.ones_like(c), noise=0.001)
    result = series_ceg(baseline, treatment[:2])
    assert result.slope is None and result.trend == cls.UNDETERMINED
    assert result.compute_small == COMPUTE[0] and result.gain_small == pytest.approx(3.0, rel=0.10)
    assert result.gain_small_lower < 3.0 < result.gain_small_upper


def test_the_baseline_law_fit_recovers_planted_parameters():
    fit = ceg_runs.fit_baseline_law(COMPUTE, loss(COMPUTE))
    assert fit.E == pytest.approx(E, rel=0.02) and fit.alpha == pytest.approx(ALPHA, rel=0.05)
    assert ceg_runs.fit_baseline_law(COMPUTE[:2], loss(COMPUTE[:2])) is None
    assert ceg_runs.fit_baseline_law(COMPUTE, loss(COMPUTE)[::-1]) is None  # loss rising with compute


def test_the_recipe_path_alternative_recovers_a_planted_gain_and_says_what_it_is():
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c)), method="recipe", bootstrap=60, seed=1)
    assert result.method == "recipe" and "alternative method" in result.classification.reason
    assert all(p.ceg == pytest.approx(3.0, rel=0.10) for p in result.points if not p.extrapolated)
    again = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c)), method="recipe", bootstrap=60, seed=1)
    assert (result.slope_lower, result.slope_upper) == (again.slope_lower, again.slope_upper)
    with pytest.raises(ValueError, match="unknown method"):
        series_ceg(*sweep(lambda c: c), method="magic")


def test_a_release_varying_n_and_d_is_compared_along_compute_optimal_allocations():
    # Chinchilla's fitted law; the treatment makes parameters exactly 2x as useful. On a recipe path
    # the answer depended on the sweep's tokens per parameter (1.67-2.5); along each arm's
    # compute-optimal allocation it is 2x at every compute.
    from analysis import ceg_nd

    def chinchilla(n, d, k=1.0):
        return 1.69 + 406.4 * (k * n) ** -0.34 + 410.7 * d ** -0.28

    rng = np.random.default_rng(2)
    baseline, treatment = [], []
    for i, n in enumerate((5e7, 1e8, 2e8, 4e8, 8e8)):
        for j, ratio in enumerate((5, 20, 80)):
            d = ratio * n
            for arm, k in ((baseline, 1.0), (treatment, 2.0)):
                arm.append(RunPoint(6 * n * d, chinchilla(n, d, k) * math.exp(rng.normal(0, 0.003)),
                                    100 * len(arm) + 10 * i + j, "primary", n, d))
    assert ceg_nd.varies_n_and_d(baseline) and not ceg_nd.varies_n_and_d(baseline[::3])  # one ratio only
    result = series_ceg(baseline, treatment)
    assert result.method == "frontier, L(N, D)" and "compute-optimal allocation" in result.classification.reason
    assert result.gain_small_lower < 2.0 < result.gain_small_upper
    assert result.gain_small == pytest.approx(2.0, rel=0.10)
    assert result.slope_lower < 0 < result.slope_upper and result.trend == cls.FLAT
    assert result.compute_class == cls.COMPUTE_INDEPENDENT
    # Regression: the comparison sentences said "frontier fitted jointly" (or "recipe path") for such a series.
    sentence = ceg_runs.comparison(result, "toy", "toy-series")
    assert "L(N, D) = E + A/N^a + B/D^b fitted per arm" in sentence and "recipe path" not in sentence
    from analysis.summary import SeriesEvidence, _comparison

    summary = _comparison("toy", [SeriesEvidence("run series toy-series", result, "primary", "val", set(), "src")], [], [])
    assert "compute-optimal allocation" in summary and "frontier fitted jointly" not in summary
