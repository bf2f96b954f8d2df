"""CEG estimation and classification on synthetic arms with planted answers."""

import math

import numpy as np
import pytest

from analysis import classify as cls
from analysis.ceg import ceg_at, estimate_series, fit_power_law, interpolated_ceg

E, A, ALPHA = 1.7, 40.0, 0.08


def baseline_loss(c):
    return E + A * np.power(c, -ALPHA)


def arms(ceg_of_c, compute, noise=0.002, seed=1):
    """Baseline L(C) and a treatment that reaches the baseline's loss at CEG(C) x C."""
    rng = np.random.default_rng(seed)
    c = np.asarray(compute, float)
    base = baseline_loss(c) + rng.normal(0, noise, c.size)
    treat = baseline_loss(ceg_of_c(c) * c) + rng.normal(0, noise, c.size)
    return c, base, c, treat


COMPUTE = np.repeat(10.0 ** np.arange(15, 24.5, 1.0), 2)  # 1e15..1e24, two runs per scale


def test_power_law_fit_recovers_planted_parameters():
    c = 10.0 ** np.arange(15, 24.5, 0.5)
    fit = fit_power_law(c, baseline_loss(c))
    assert fit.alpha == pytest.approx(ALPHA, rel=0.02)
    assert fit.E == pytest.approx(E, rel=0.02)


def test_constant_3x_gain_is_recovered():
    result = estimate_series(*arms(lambda c: 3.0 * np.ones_like(c), COMPUTE), bootstrap=60,
                             reference=(1e16, 1e18, 1e20, 1e22))
    for point in result.points:
        assert point.ceg == pytest.approx(3.0, rel=0.10)
        assert not point.extrapolated and point.censored == ""
        assert point.lower <= point.ceg <= point.upper


# --- the rules of analysis/classify.py ---------------------------------------------------------------

@pytest.mark.parametrize("lower, upper, trend", [
    (0.06, 0.30, cls.GROWS), (-0.30, -0.06, cls.SHRINKS), (-0.09, 0.09, cls.FLAT), (0.06, 0.09, cls.GROWS),
    (-0.12, 0.02, cls.UNDETERMINED), (0.04, 0.20, cls.FLAT_OR_GROWS), (-0.11, 0.20, cls.UNDETERMINED),
    (None, None, cls.UNDETERMINED),
    (-0.10, 0.10, cls.FLAT), (-0.101, 0.05, cls.UNDETERMINED),
])
def test_the_trend_is_read_from_the_slope_interval_only(lower, upper, trend):
    assert cls.trend_of(lower, upper) == trend


@pytest.mark.parametrize("lower, upper, gain", [
    (1.02, 1.4, cls.GAIN), (0.8, 1.2, cls.LITTLE), (0.3, 0.6, cls.LITTLE), (0.9, 1.6, cls.UNDETERMINED),
    (None, None, cls.UNDETERMINED),
])
def test_the_gain_at_small_scale_is_read_from_its_interval_only(lower, upper, gain):
    assert cls.gain_of(lower, upper) == gain


@pytest.mark.parametrize("gain, trend, klass", [
    (cls.GAIN, cls.FLAT, cls.COMPUTE_INDEPENDENT), (cls.GAIN, cls.GROWS, cls.COMPUTE_INDEPENDENT),
    (cls.LITTLE, cls.GROWS, cls.COMPUTE_DEPENDENT), (cls.GAIN, cls.SHRINKS, cls.DIMINISHING),
    (cls.LITTLE, cls.SHRINKS, cls.DIMINISHING), (cls.LITTLE, cls.FLAT, cls.NO_GAIN),
    (cls.UNDETERMINED, cls.GROWS, cls.UNDETERMINED), (cls.GAIN, cls.UNDETERMINED, cls.UNDETERMINED),
    (cls.UNDETERMINED, cls.FLAT, cls.UNDETERMINED),
])
def test_the_class_follows_sanderson_et_al_from_the_two_answers(gain, trend, klass):
    assert cls.class_of(gain, trend) == klass


def test_reported_gains_are_described_never_classified():
    text = cls.describe_points([cls.GainPoint(1e17, 4.0, group="a"), cls.GainPoint(1e23, 1.1, group="a")])
    assert "never decide a class" in text and "4x at 1e+17" in text
    slope, lower, upper = cls.ols_slope_interval([cls.GainPoint(1e18, 2.0), cls.GainPoint(1e19, 2.1)])
    assert lower is None and upper is None  # two levels: no interval, never a trend


def test_outside_the_measured_range_is_extrapolated():
    c, b, tc, t = arms(lambda c: 3.0 * np.ones_like(c), 10.0 ** np.repeat(np.arange(17, 21.5, 1.0), 2))
    result = estimate_series(c, b, tc, t, bootstrap=0, reference=(1e15, 1e19, 1e25))
    flags = {p.compute_flop: p.extrapolated for p in result.points}
    assert flags == {1e15: True, 1e19: False, 1e25: True}


def test_treatment_below_the_baseline_asymptote_is_censored_as_a_lower_bound():
    base = fit_power_law([1e17, 1e18, 1e19, 1e20], baseline_loss(np.array([1e17, 1e18, 1e19, 1e20])))
    # a treatment with a lower irreducible loss: at 1e25 it is below anything the baseline reaches
    treat = fit_power_law([1e17, 1e18, 1e19, 1e20], 1.0 + A * np.power([1e17, 1e18, 1e19, 1e20], -ALPHA))
    value, censored, extrapolated = ceg_at(base, treat, 1e25)
    assert censored == ">" and extrapolated


def test_treatment_that_never_matches_the_baseline_is_censored_as_an_upper_bound():
    c = np.array([1e17, 1e18, 1e19, 1e20])
    base = fit_power_law(c, baseline_loss(c))
    treat = fit_power_law(c, 2.8 + 5.0 * np.power(c, -0.3))  # saturates above the baseline's loss at 1e20
    value, censored, _ = ceg_at(base, treat, 1e20)
    assert censored == "<" and value < 1


def test_interpolation_cross_check_agrees_inside_the_range():
    c, b, tc, t = arms(lambda c: 3.0 * np.ones_like(c), 10.0 ** np.arange(15, 24.5, 0.5), noise=0.0)
    assert interpolated_ceg(c, b, tc, t, 1e20) == pytest.approx(3.0, rel=0.10)
    assert interpolated_ceg(c, b, tc, t, 1e26) is None
