"""Is an innovation's gain compute-dependent or compute-independent? Two questions, then the class.

Following Sanderson et al. 2025 (arXiv 2505.04075): a compute-independent advance shows its benefit
at small scale, and the benefit continues or accelerates as scale grows; a compute-dependent one
gives little or no benefit (or hurts) at low compute and pays off only at high compute. We ask two
questions separately, one gain basis at a time:

(a) Is there a gain at small scale? The CEG at the smallest measured compute, with its 95%
    interval: "gain" when the interval lies above 1; "little or none" when it lies below
    LITTLE_GAIN (1.25: at most a 25% saving, or a loss); otherwise "undetermined". A point without
    an interval (no noise estimate) answers "undetermined".
(b) The trend: the 95% interval of s = d ln CEG / d ln C. Above +0.05: "grows" (more than 12% per
    decade: 10^0.05 = 1.12); below -0.05: "shrinks"; both ends inside +/-0.10 (an equivalence test:
    under 26% per decade either way): "flat"; otherwise a lower end at or above -0.10 (it does not
    shrink by more than the flat band, whichever of flat or growing it is): "flat or grows"; anything
    else "undetermined".

The class:

    compute-independent  (a) gain, and (b) flat, grows, or "flat or grows"
    compute-dependent    (a) little or none, and (b) grows
    diminishing          (b) shrinks (not one of Sanderson et al.'s classes: the gain fades with scale)
    little or no gain    (a) little or none, and (b) flat: at most a 25% saving (or a loss) at the
                         smallest compute and no trend beyond the flat band over the measured range
                         (not one of Sanderson et al.'s classes either: neither path pays off there)
    undetermined         every other combination, series that disagree, or measured runs spanning
                         under half a decade
    insufficient evidence  no measured series (primary or secondary runs of both arms): only reported,
                           analytic, unverified or model-implied numbers, or nothing

A class is never read off a point estimate. Unverified, model-implied and analytic evidence (a
reported gain, a law evaluated at some compute) is shown beside the class but never decides it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SLOPE_THRESHOLD = 0.05
FLAT_BAND = 0.10
INDEPENDENT_BAND = FLAT_BAND  # the name the figures and older callers use
LITTLE_GAIN = 1.25
MIN_DECADES = 1.0
MIN_CLASS_DECADES = 0.5
Z95 = 1.959964

COMPUTE_DEPENDENT = "compute-dependent"
COMPUTE_INDEPENDENT = "compute-independent"
DIMINISHING = "diminishing"
NO_GAIN = "little or no gain"
UNDETERMINED = "undetermined"
INSUFFICIENT = "insufficient evidence"
NO_CLASS = (UNDETERMINED, INSUFFICIENT)

GROWS, SHRINKS, FLAT = "grows", "shrinks", "flat"
FLAT_OR_GROWS = "flat or grows"
TRENDS = (GROWS, SHRINKS, FLAT, FLAT_OR_GROWS, UNDETERMINED)

GAIN, LITTLE = "gain", "little or none"


def trend_of(lower: float | None, upper: float | None) -> str:
    """(b) from a slope interval; undetermined without one."""
    if lower is None or upper is None or not (math.isfinite(lower) and math.isfinite(upper)):
        return UNDETERMINED
    if lower > SLOPE_THRESHOLD:
        return GROWS
    if upper < -SLOPE_THRESHOLD:
        return SHRINKS
    if -FLAT_BAND <= lower and upper <= FLAT_BAND:
        return FLAT
    if lower >= -FLAT_BAND:
        # not flat and not surely growing, but it does not shrink by more than the flat band allows:
        # either of the two trends a compute-independent gain may have (calibrated: see docs/analysis.md)
        return FLAT_OR_GROWS
    return UNDETERMINED


def gain_of(lower: float | None, upper: float | None) -> str:
    """(a) from the interval of the CEG at the smallest measured compute."""
    if lower is None or upper is None:
        return UNDETERMINED
    if lower > 1.0:
        return GAIN
    if upper < LITTLE_GAIN:
        return LITTLE
    return UNDETERMINED


def class_of(gain: str, trend: str) -> str:
    if trend == SHRINKS:
        return DIMINISHING
    if gain == GAIN and trend in (FLAT, GROWS, FLAT_OR_GROWS):
        return COMPUTE_INDEPENDENT
    if gain == LITTLE and trend == GROWS:
        return COMPUTE_DEPENDENT
    if gain == LITTLE and trend == FLAT:
        # a decisive answer, not a gap: both intervals exclude every class that pays off
        return NO_GAIN
    return UNDETERMINED


def fmt_interval(value, lower, upper, digits: int = 2, sign: bool = False) -> str:
    if value is None:
        return "none"
    plus = '+' if sign else ''

    def fmt(x: float) -> str:
        # a million or more in 3 significant digits: an interval cut at e^700 printed 300 digits
        return f"{x:{plus}.3g}" if abs(x) >= 1e6 else f"{x:{plus}.{digits}f}"

    if lower is None or upper is None:
        return f"{fmt(value)} (no interval: no noise estimate)"
    return f"{fmt(value)} [{fmt(lower)}, {fmt(upper)}]"


def explain(gain: str, trend: str, klass: str, gain_text: str, slope_text: str) -> str:
    """One line that says how (a) and (b) gave the class."""
    head = f"(a) gain at the smallest compute {gain_text}: {gain}; (b) slope {slope_text}: trend {trend}"
    if klass == COMPUTE_INDEPENDENT:
        return head + " -> compute-independent (a gain at small scale that persists or grows)"
    if klass == COMPUTE_DEPENDENT:
        return head + " -> compute-dependent (little or no gain at small scale, growing with compute)"
    if klass == DIMINISHING:
        return head + " -> diminishing (the gain shrinks with compute)"
    if klass == NO_GAIN:
        return head + " -> little or no gain (at most a 25% saving at small scale, and no trend over the measured range)"
    return head + " -> undetermined (no combination of (a) and (b) that defines a class)"


# --- reported gains: shown, never deciding -------------------------------------------------------

@dataclass(frozen=True)
class GainPoint:
    """A gain a source reports (or a law evaluated at a compute): shown beside the class."""

    compute_flop: float
    ceg: float
    lower: float | None = None
    upper: float | None = None
    rows: tuple[int, ...] = ()
    group: str | None = None
    model_implied: bool = False


def describe_points(points: list[GainPoint]) -> str:
    """A short description of reported gains (never used for the class)."""
    points = sorted((p for p in points if p.ceg > 0 and p.compute_flop > 0), key=lambda p: p.compute_flop)
    if not points:
        return ""
    first, last = points[0], points[-1]
    return (f"{len(points)} reported gain(s) from {len({p.group for p in points})} group(s), "
            f"{first.ceg:.3g}x at {first.compute_flop:.2g} FLOP to {last.ceg:.3g}x at {last.compute_flop:.2g} FLOP "
            f"(shown; reported, analytic and model-implied gains never decide a class)")


def ols_slope_interval(points: list[GainPoint]) -> tuple[float, float | None, float | None]:
    """Slope of ln CEG on ln C with a t interval from the points' own scatter (None below 3 levels)."""
    x = np.log([p.compute_flop for p in points])
    y = np.log([p.ceg for p in points])
    xc = x - x.mean()
    sxx = float(np.dot(xc, xc))
    slope = float(np.dot(xc, y - y.mean()) / sxx)
    if len(set(x.tolist())) < 3:
        return slope, None, None
    from scipy import stats
    resid = y - y.mean() - slope * xc
    se = math.sqrt(float(np.dot(resid, resid)) / (len(x) - 2) / sxx)
    q = float(stats.t.ppf(0.975, len(x) - 2))
    return slope, slope - q * se, slope + q * se


@dataclass
class Classification:
    """An innovation's (or one series') answer: (a), (b), the class and what it rests on."""

    compute_class: str
    slope: float | None = None
    slope_lower: float | None = None
    slope_upper: float | None = None
    n_points: int = 0
    compute_min: float | None = None
    compute_max: float | None = None
    ceg_at_min: float | None = None
    ceg_at_max: float | None = None
    rows: tuple[int, ...] = ()
    reason: str = ""
    tentative: bool = False
    n_groups: int = 0
    pivot_compute_flop: float | None = None
    pivot_ceg: float | None = None
    gain_small: float | None = None
    gain_small_lower: float | None = None
    gain_small_upper: float | None = None
    compute_small: float | None = None
    trend: str = UNDETERMINED
    tau: float | None = None
    i_squared: float | None = None
    series_disagree: bool = False
    extra: dict = field(default_factory=dict)
