"""The CEG engine for loss curves, on synthetic sweeps with planted answers.

Baseline: L(C) = E + A C^-alpha. Treatment: at compute C it reaches the loss the baseline reaches
at k(C) C, so its planted CEG is k(C).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import ceg_runs
from analysis import classify as cls
from analysis.ceg_runs import RunPoint, series_ceg

E, A, ALPHA = 1.7, 40.0, 0.08
COMPUTE = 10.0 ** np.arange(17, 21.01, 0.5)  # 1e17 .. 1e21, 9 runs per arm


def loss(c):
    return E + A * np.power(c, -ALPHA)


def sweep(k, compute=COMPUTE, noise=0.0005, seed=3, evidence="primary"):
    rng = np.random.default_rng(seed)
    c = np.asarray(compute, float)
    base = loss(c) + rng.normal(0, noise, c.size)
    treat = loss(k(c) * c) + rng.normal(0, noise, c.size)
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
    result = series_ceg(*sweep(k), bootstrap=100, seed=0)
    for point in result.points:
        assert point.censored == ""
        assert point.ceg == pytest.approx(float(k(np.array([point.compute_flop]))[0]), rel=0.10), point
        assert point.lower <= point.ceg <= point.upper
    if planted_slope == 0:
        assert abs(result.slope) < 0.01
    else:
        assert result.slope == pytest.approx(planted_slope, rel=0.10)
    assert result.slope_lower <= result.slope <= result.slope_upper
    assert result.compute_class == planted_class, result.classification.reason
    assert not result.classification.tentative


def test_points_beyond_the_baseline_are_extrapolated_and_inside_are_interpolated():
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), noise=0.0), bootstrap=0)
    flags = {p.compute_flop: p.extrapolated for p in result.points}
    # the treatment at C matches the baseline at 3C: beyond 1e21 / 3 that is past the largest baseline run
    assert [c for c, flag in flags.items() if flag] == [COMPUTE[-1]]
    exact = [p for p in result.points if not p.extrapolated]
    assert all(p.ceg == pytest.approx(3.0, rel=0.03) for p in exact)  # log-log interpolation of a smooth curve


def test_a_treatment_far_past_the_baseline_is_censored_as_a_lower_bound():
    baseline, _ = sweep(lambda c: c, noise=0.0)
    treatment = [RunPoint(1e18, float(loss(1e24)), 7)]  # needs 1e24: three decades past the baseline's 1e21
    point = series_ceg(baseline, treatment, bootstrap=0).points[0]
    assert point.censored == ">" and point.ceg == pytest.approx(1e21 / 1e18)
    below = [RunPoint(1e18, E * 0.9, 8)]  # below the baseline's fitted asymptote
    assert series_ceg(baseline, below, bootstrap=0).points[0].censored == ">"


def test_a_treatment_worse_than_the_smallest_baseline_run_is_censored_as_an_upper_bound():
    baseline, _ = sweep(lambda c: c, noise=0.0)
    treatment = [RunPoint(1e19, float(loss(1e14)), 9)]  # the baseline reached this loss before 1e15
    point = series_ceg(baseline, treatment, bootstrap=0).points[0]
    assert point.censored == "<" and point.ceg == pytest.approx(1e17 / 1e19)


def test_two_baseline_scales_extend_their_segment_and_one_cannot_be_extrapolated():
    # the seed paper's shape: both arms at two scales, no fit possible
    baseline = [RunPoint(1e18, float(loss(1e18)), 1), RunPoint(1e19, float(loss(1e19)), 2)]
    treatment = [RunPoint(1e18, float(loss(3e18)), 3), RunPoint(1e19, float(loss(3e19)), 4)]
    small, large = series_ceg(baseline, treatment, bootstrap=0).points
    assert small.censored == "" and not small.extrapolated and small.ceg == pytest.approx(3.0, rel=0.05)
    # the log-log straight line flattens less than the curve: the gain beyond it is not overstated
    assert large.extrapolated and large.censored == "" and 2.5 < large.ceg <= 3.0
    one = series_ceg(baseline[1:], treatment[1:], bootstrap=0).points[0]
    assert one.censored == ">" and one.ceg == pytest.approx(1.0)


def test_a_noisy_non_monotone_baseline_is_made_monotone():
    compute, values = ceg_runs.monotone_curve([1e17, 1e18, 1e19, 1e20], [3.0, 2.8, 2.85, 2.5])
    assert np.all(np.diff(values) < 0) and np.all(np.diff(compute) > 0)
    assert math.exp(values[1]) == pytest.approx(2.825)


def test_bootstrap_is_deterministic_for_a_seed():
    runs = sweep(lambda c: 2.0 * np.ones_like(c), noise=0.01)
    first = series_ceg(*runs, bootstrap=50, seed=4)
    again = series_ceg(*runs, bootstrap=50, seed=4)
    assert [(p.lower, p.upper) for p in first.points] == [(p.lower, p.upper) for p in again.points]
    assert (first.slope_lower, first.slope_upper) == (again.slope_lower, again.slope_upper)


def test_model_implied_runs_are_shown_but_never_classified():
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), evidence="model-implied"), bootstrap=30)
    assert result.model_implied and result.slope is not None
    assert result.compute_class == cls.INSUFFICIENT
    assert "model-implied" in result.classification.reason


def test_under_one_decade_the_class_is_tentative():
    compute = 10.0 ** np.arange(18, 18.81, 0.2)  # 0.8 decades
    result = series_ceg(*sweep(lambda c: 3.0 * np.ones_like(c), compute=compute, noise=0.0), bootstrap=30)
    assert result.compute_class == cls.COMPUTE_INDEPENDENT and result.classification.tentative


def test_empty_arms_are_refused():
    baseline, treatment = sweep(lambda c: c)
    with pytest.raises(ValueError, match="no treatment runs"):
        series_ceg(baseline, [], bootstrap=0)
    with pytest.raises(ValueError, match="no baseline runs"):
        series_ceg([], treatment, bootstrap=0)


def test_no_gain_is_not_compute_independent():
    result = series_ceg(*sweep(lambda c: np.ones_like(c), noise=0.0), bootstrap=30)
    assert result.compute_class == cls.INSUFFICIENT and "no gain" in result.classification.reason


def test_a_slope_interval_too_wide_gives_no_class_at_all():
    points = [cls.GainPoint(1e18, 2.0, 0.5, 8.0, group="g"), cls.GainPoint(1e19, 3.0, 0.5, 18.0, group="g")]
    verdict = cls.classify(points)
    assert verdict.compute_class == cls.INSUFFICIENT and "too wide" in verdict.reason


def test_two_reported_gains_a_decade_apart_get_a_tentative_class():
    # no intervals: DEFAULT_LOG_SE each; a gain falling from 1.9x to 1.35x over 1.2 decades
    points = [cls.GainPoint(3e17, 1.87, group="seed paper"), cls.GainPoint(5e18, 1.35, group="seed paper")]
    verdict = cls.classify(points)
    assert verdict.compute_class == cls.DIMINISHING and verdict.tentative


def test_each_series_keeps_its_own_intercept():
    # two sweeps with different constant gains at different scales: no trend within either
    small = [cls.GainPoint(c, 4.0, 3.9, 4.1, group="small") for c in (1e17, 1e18, 1e19)]
    large = [cls.GainPoint(c, 2.0, 1.95, 2.05, group="large") for c in (1e19, 1e20, 1e21)]
    verdict = cls.classify(small + large)
    assert verdict.compute_class == cls.COMPUTE_INDEPENDENT and verdict.n_groups == 2
    assert abs(verdict.slope) < 1e-9
    # pooled as one sweep, the same points would read as a diminishing gain
    assert cls.classify([cls.GainPoint(p.compute_flop, p.ceg, p.lower, p.upper) for p in small + large]
                        ).compute_class == cls.DIMINISHING


def test_the_baseline_law_fit_recovers_planted_parameters():
    fit = ceg_runs.fit_baseline_law(COMPUTE, loss(COMPUTE))
    assert fit.E == pytest.approx(E, rel=0.02) and fit.alpha == pytest.approx(ALPHA, rel=0.05)
    assert ceg_runs.fit_baseline_law(COMPUTE[:2], loss(COMPUTE[:2])) is None
    assert ceg_runs.fit_baseline_law(COMPUTE, loss(COMPUTE)[::-1]) is None  # loss rising with compute


def test_two_scales_get_a_default_error_not_a_degenerate_bootstrap_interval():
    baseline = [RunPoint(2.35e18, 3.7996, 1), RunPoint(1.72e19, 3.5428, 2)]
    treatment = [RunPoint(2.35e18, 3.7253, 3), RunPoint(1.72e19, 3.3988, 4)]
    result = series_ceg(baseline, treatment, bootstrap=200)
    assert result.slope_upper - result.slope_lower > 0.5  # +/- 1.96 x 0.3 x sqrt(2) / ln(7.3)
    assert result.classification.tentative and "default error" in result.classification.reason
