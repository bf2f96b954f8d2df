"""Are the engine's intervals honest? Calibration by simulation, with planted answers.

Baseline L(C) = 1.7 + 40 C^-0.08 at 7 compute levels over 4 decades (1e17 .. 1e21 FLOP), one run per
arm and level; the treatment reaches at C the loss the baseline reaches at k(C) C, so the planted
CEG is k(C) and the planted slope d ln k / d ln C. Each run's loss carries lognormal noise (0.3% or
1%). Over seeded replicates:

* the 95% intervals of (a) the gain at the smallest compute and (b) the slope cover the planted
  values at least 90% of the time;
* at most 5% of replicates get a wrong decisive class (Sanderson et al.'s class of the planted k:
  constant 3x compute-independent, 1x growing compute-dependent, 3x shrinking diminishing);
* a slope of +/-0.12 is detected (trend grows / shrinks) at 0.3% noise at least 80% of the time;
* two runs per arm (the seed paper's two scales) never give a trend, with either method.

Replicate counts are small to keep the file fast, yet a broken interval fails: the engine's
earlier baseline-only bootstrap covered the planted CEG 36-51% of the time with seed-like noise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import classify as cls
from analysis.ceg_runs import RunPoint, series_ceg

COMPUTE = np.logspace(17, 21, 7)
# Also a paper-table shape: 4 levels per arm over 3 decades (gadre2024's cells, Beck et al.), the
# thinnest layout the trend rule accepts (8 runs for 5 parameters).
LAYOUTS = {"7 levels": COMPUTE, "4 levels": np.logspace(17, 20, 4)}
REPLICATES = 60
PLANTED = {  # name: (k at the smallest compute, slope, the class the definitions give)
    "constant": (3.0, 0.0, cls.COMPUTE_INDEPENDENT),
    "growing": (1.0, 0.12, cls.COMPUTE_DEPENDENT),
    "shrinking": (3.0, -0.12, cls.DIMINISHING),
    "none": (1.0, 0.0, cls.NO_GAIN),  # no gain at any compute: "little or no gain", never a pay-off class
}


def loss(c):
    return 1.7 + 40.0 * np.power(c, -0.08)


def replicate(rng, k0, slope, noise, compute=COMPUTE):
    k = k0 * (compute / compute[0]) ** slope
    base = loss(compute) * np.exp(rng.normal(0, noise, compute.size))
    treat = loss(k * compute) * np.exp(rng.normal(0, noise, compute.size))
    return ([RunPoint(c, v, i) for i, (c, v) in enumerate(zip(compute, base))],
            [RunPoint(c, v, 100 + i) for i, (c, v) in enumerate(zip(compute, treat))])


@pytest.fixture(scope="module")
def outcomes():
    """(layout, name, noise) -> list of (gain covered, slope covered, trend, class) over the replicates."""
    found = {}
    for m, (layout, compute) in enumerate(LAYOUTS.items()):
        for n, (name, (k0, slope, _)) in enumerate(PLANTED.items()):
            for noise in (0.003, 0.01):
                rng = np.random.default_rng(10000 * m + 1000 * n + int(noise * 1e4))
                rows = []
                for _ in range(REPLICATES):
                    result = series_ceg(*replicate(rng, k0, slope, noise, compute))
                    rows.append((result.gain_small_lower <= k0 <= result.gain_small_upper,
                                 result.slope_lower <= slope <= result.slope_upper,
                                 result.trend, result.compute_class))
                found[(layout, name, noise)] = rows
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", PLANTED)
@pytest.mark.parametrize("noise", [0.003, 0.01])
def test_intervals_cover_the_planted_gain_and_slope(outcomes, layout, name, noise):
    rows = outcomes[(layout, name, noise)]
    gain = sum(r[0] for r in rows) / len(rows)
    slope = sum(r[1] for r in rows) / len(rows)
    assert gain >= 0.90, f"(a) covers the planted gain in {gain:.0%} of replicates"
    assert slope >= 0.90, f"(b) covers the planted slope in {slope:.0%} of replicates"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", PLANTED)
@pytest.mark.parametrize("noise", [0.003, 0.01])
def test_a_wrong_decisive_class_is_rare(outcomes, layout, name, noise):
    # includes "flat or grows": a lower slope end at or above -0.10 with a gain at small scale is
    # compute-independent; a planted shrinking gain must not get it
    planted = PLANTED[name][2]
    wrong = sum(r[3] not in cls.NO_CLASS and r[3] != planted for r in outcomes[(layout, name, noise)])
    assert wrong / REPLICATES <= 0.05, f"{wrong} of {REPLICATES} replicates got a wrong class"


@pytest.mark.parametrize("name, trend", [("growing", cls.GROWS), ("shrinking", cls.SHRINKS)])
def test_a_slope_of_012_is_detected_at_03_percent_noise(outcomes, name, trend):
    detected = sum(r[2] == trend for r in outcomes[("7 levels", name, 0.003)]) / REPLICATES
    assert detected >= 0.80, f"trend {trend} found in {detected:.0%} of replicates"


def test_a_constant_gain_is_found_flat_and_compute_independent_at_03_percent_noise(outcomes):
    rows = outcomes[("7 levels", "constant", 0.003)]
    assert sum(r[3] == cls.COMPUTE_INDEPENDENT for r in rows) / REPLICATES >= 0.80


def test_flat_or_grows_is_a_lower_slope_end_inside_the_flat_band():
    assert cls.trend_of(0.02, 0.16) == cls.FLAT_OR_GROWS
    assert cls.trend_of(-0.10, 0.27) == cls.FLAT_OR_GROWS
    assert cls.trend_of(-0.11, 0.11) == cls.UNDETERMINED
    assert cls.trend_of(-0.05, 0.05) == cls.FLAT and cls.trend_of(0.06, 0.4) == cls.GROWS
    assert cls.class_of(cls.GAIN, cls.FLAT_OR_GROWS) == cls.COMPUTE_INDEPENDENT
    assert cls.class_of(cls.LITTLE, cls.FLAT_OR_GROWS) == cls.UNDETERMINED  # not surely growing


@pytest.mark.parametrize("method", ["frontier", "recipe"])
def test_two_runs_per_arm_never_give_a_trend(method):
    # the seed paper's shape: both arms at 2.4e18 and 1.7e19 FLOP (0.86 decade)
    rng = np.random.default_rng(7)
    compute = np.array([2.35e18, 1.72e19])
    for name, (k0, slope, _) in PLANTED.items():
        for _ in range(15):
            result = series_ceg(*replicate(rng, k0, slope, 0.003, compute), method=method, bootstrap=30)
            assert result.slope_lower is None and result.trend == cls.UNDETERMINED, result.classification.reason
            assert result.compute_class in cls.NO_CLASS
            # no noise estimate from two runs: the gain is a point without an interval, never a zero-width one
            assert result.gain_small_lower is None or result.gain_small_upper > result.gain_small_lower


def test_the_planted_values_are_what_the_docstring_says():
    # k(C) = k0 (C / 1e17)^s: the planted slope is s and the gain at the smallest compute k0
    k0, s = 1.0, 0.12
    k = k0 * (COMPUTE / COMPUTE[0]) ** s
    assert math.log(k[-1] / k[0]) / math.log(COMPUTE[-1] / COMPUTE[0]) == pytest.approx(s)


def test_no_gain_at_any_compute_is_found_as_little_or_no_gain_at_03_percent_noise(outcomes):
    # the decisive answer for an innovation that does nothing: not "undetermined", and never a pay-off class
    rows = outcomes[("7 levels", "none", 0.003)]
    # measured over 300 replicates: 71% (the rest undetermined, 2% compute-independent)
    assert sum(r[3] == cls.NO_GAIN for r in rows) / REPLICATES >= 0.60
    assert cls.class_of(cls.LITTLE, cls.FLAT) == cls.NO_GAIN
    assert cls.class_of(cls.LITTLE, cls.FLAT_OR_GROWS) == cls.UNDETERMINED
    assert cls.class_of(cls.UNDETERMINED, cls.FLAT) == cls.UNDETERMINED
