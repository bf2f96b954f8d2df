"""Is an innovation's gain compute-dependent or compute-independent?

Following arXiv 2505.04075: a compute-independent advance shows its benefit at small scale and
keeps it as scale grows; a compute-dependent one gives little or nothing (or hurts) at low compute
and pays off at high compute. We measure the slope
    s = d ln CEG / d ln C
one basis at a time (a step or wall-clock gain is never mixed with a FLOP gain) and classify:

* insufficient evidence: fewer than 2 usable points, or points spanning less than
  MIN_TENTATIVE_DECADES of compute, or only model-implied points;
* compute-dependent: the 95% interval of s lies above +0.05 (the gain grows by more than 12% per
  decade of compute: 10^0.05 = 1.12);
* diminishing: the 95% interval of s lies below -0.05 (the gain shrinks with scale);
* compute-independent: the interval of s lies within [-0.10, +0.10] and the gain at the smallest
  measured scale is at least MIN_GAIN = 1.1 (the benefit is already there at small scale and
  persists); with no such gain and no trend the class is insufficient evidence ("no gain").

A class is **tentative** when its points span less than MIN_DECADES (one decade) of compute, or
when the interval decides no class and the point estimate of s decides it instead (only from
points spanning at least MIN_TENTATIVE_DECADES, and only when the interval's half-width is at most
MAX_TENTATIVE_HALF_WIDTH = 0.5). Points computed from someone's fitted law
(model-implied) are shown but left out of the slope: they are never the basis of a class.

Points come in groups (one sweep, one source's setting): each group has its own intercept, and
the slope is the inverse-variance weighted mean of the groups' slopes. Within a group the slope is
weighted least squares of ln CEG on ln C; each point's standard error on ln CEG comes from its
bootstrap interval when it has one, else DEFAULT_LOG_SE (a factor of about 1.35 either way), a
stated assumption. A group may instead bring its own slope interval (analysis/ceg_runs.py
bootstraps it over runs).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

SLOPE_THRESHOLD = 0.05
INDEPENDENT_BAND = 0.10
MIN_DECADES = 1.0
MIN_TENTATIVE_DECADES = 0.5
# A gain "present at small scale": at least a 10% compute saving at the smallest measured compute.
# A CEG of 1.00 is no gain, and measurement noise alone gives 1.0x +/- a few percent.
MIN_GAIN = 1.1
# Beyond this half-width of the slope's interval (a factor 10^0.5 = 3.2 per decade either way)
# not even a tentative class is given.
MAX_TENTATIVE_HALF_WIDTH = 0.5
DEFAULT_LOG_SE = 0.3
MIN_SLOPE_SE = 1e-3
Z95 = 1.959964

COMPUTE_DEPENDENT = "compute-dependent"
COMPUTE_INDEPENDENT = "compute-independent"
DIMINISHING = "diminishing"
INSUFFICIENT = "insufficient evidence"


@dataclass(frozen=True)
class GainPoint:
    compute_flop: float
    ceg: float
    lower: float | None = None
    upper: float | None = None
    rows: tuple[int, ...] = ()  # ablation ids the point rests on
    group: str | None = None    # sweep or setting; each group has its own intercept
    model_implied: bool = False

    @property
    def log_se(self) -> float:
        if self.lower and self.upper and self.lower > 0 and self.upper > self.lower:
            return max((math.log(self.upper) - math.log(self.lower)) / (2 * Z95), 1e-3)
        return DEFAULT_LOG_SE


@dataclass(frozen=True)
class GroupSlope:
    """One group's slope with its 95% interval and what it rests on."""

    slope: float
    lower: float
    upper: float
    compute_min: float
    compute_max: float
    ceg_at_min: float
    ceg_at_max: float
    n_points: int
    group: str | None = None
    model_implied: bool = False
    mean_log_compute: float = 0.0
    mean_log_ceg: float = 0.0

    @property
    def se(self) -> float:
        return max((self.upper - self.lower) / (2 * Z95), MIN_SLOPE_SE)


@dataclass
class Classification:
    compute_class: str
    slope: float | None
    slope_lower: float | None
    slope_upper: float | None
    n_points: int
    compute_min: float | None
    compute_max: float | None
    ceg_at_min: float | None
    ceg_at_max: float | None
    rows: tuple[int, ...] = ()
    reason: str = ""
    extra: dict = field(default_factory=dict)
    tentative: bool = False
    n_groups: int = 0
    pivot_compute_flop: float | None = None  # the fitted line passes through (pivot, pivot_ceg)
    pivot_ceg: float | None = None


def fit_slope(points: list[GainPoint]) -> tuple[float, float, float]:
    """Weighted least-squares slope of ln CEG on ln C with its known-variance 95% interval."""
    x = np.log([p.compute_flop for p in points])
    y = np.log([p.ceg for p in points])
    w = 1.0 / np.square([p.log_se for p in points])
    x_bar = np.sum(w * x) / np.sum(w)
    y_bar = np.sum(w * y) / np.sum(w)
    sxx = float(np.sum(w * (x - x_bar) ** 2))
    slope = float(np.sum(w * (x - x_bar) * (y - y_bar)) / sxx)
    se = math.sqrt(1.0 / sxx)
    return slope, slope - Z95 * se, slope + Z95 * se


def group_slope(points: list[GainPoint]) -> GroupSlope | None:
    """The slope of one group's points, or None when they sit at a single compute."""
    points = sorted(points, key=lambda p: p.compute_flop)
    if len({p.compute_flop for p in points}) < 2:
        return None
    slope, lo, hi = fit_slope(points)
    w = 1.0 / np.square([p.log_se for p in points])
    return GroupSlope(slope, lo, hi, points[0].compute_flop, points[-1].compute_flop, points[0].ceg,
                      points[-1].ceg, len(points), points[0].group, points[0].model_implied,
                      float(np.sum(w * np.log([p.compute_flop for p in points])) / np.sum(w)),
                      float(np.sum(w * np.log([p.ceg for p in points])) / np.sum(w)))


def pool(groups: list[GroupSlope]) -> tuple[float, float, float]:
    """Inverse-variance weighted mean slope over groups (a fixed-effect meta-analysis); one group
    keeps its own (possibly asymmetric, bootstrap) interval."""
    if len(groups) == 1:
        return groups[0].slope, groups[0].lower, groups[0].upper
    w = np.array([1.0 / g.se ** 2 for g in groups])
    slope = float(np.sum(w * [g.slope for g in groups]) / np.sum(w))
    se = math.sqrt(1.0 / float(np.sum(w)))
    return slope, slope - Z95 * se, slope + Z95 * se


def decide(slope: float, lo: float, hi: float, ceg_at_min: float, decades: float) -> tuple[str, str, bool]:
    """(class, reason, tentative) from a slope interval, by the thresholds in the module docstring."""
    interval = f"slope {slope:.3f} [{lo:.3f}, {hi:.3f}] over {decades:.2f} decades"
    short = decades < MIN_DECADES
    tag = f" (tentative: under {MIN_DECADES:g} decade)" if short else ""
    if lo > SLOPE_THRESHOLD:
        return COMPUTE_DEPENDENT, f"{interval}: interval above +{SLOPE_THRESHOLD}{tag}", short
    if hi < -SLOPE_THRESHOLD:
        return DIMINISHING, f"{interval}: interval below -{SLOPE_THRESHOLD}{tag}", short
    if -INDEPENDENT_BAND <= lo and hi <= INDEPENDENT_BAND and ceg_at_min >= MIN_GAIN:
        return COMPUTE_INDEPENDENT, (f"{interval}: interval within +/-{INDEPENDENT_BAND} and CEG "
                                     f"{ceg_at_min:.2f} >= {MIN_GAIN} at the smallest scale{tag}"), short
    # No class from the interval: the point estimate decides, marked tentative, unless the interval
    # is so wide that the data say nothing about the trend.
    if (hi - lo) / 2 > MAX_TENTATIVE_HALF_WIDTH:
        return INSUFFICIENT, (f"{interval}: interval half-width above {MAX_TENTATIVE_HALF_WIDTH} "
                              f"(too wide even for a tentative class)"), False
    why = f"{interval}: the interval decides no class; the point estimate does (tentative)"
    if slope > SLOPE_THRESHOLD:
        return COMPUTE_DEPENDENT, why, True
    if slope < -SLOPE_THRESHOLD:
        return DIMINISHING, why, True
    if ceg_at_min >= MIN_GAIN and abs(slope) <= INDEPENDENT_BAND:
        return COMPUTE_INDEPENDENT, why, True
    return INSUFFICIENT, (f"{interval}: no gain (CEG {ceg_at_min:.2f} < {MIN_GAIN} at the smallest scale) "
                          f"and no clear trend"), False


def classify_groups(groups: list[GroupSlope], rows: tuple[int, ...] = (), n_points: int | None = None,
                    implied: list[GroupSlope] | None = None) -> Classification:
    """The class from group slopes (measured evidence only; model-implied groups are only described)."""
    implied = implied or []
    note = ""
    if implied:
        s, lo, hi = pool(implied)
        note = f"; model-implied points (left out): slope {s:.3f} [{lo:.3f}, {hi:.3f}]"
    if not groups:
        return Classification(INSUFFICIENT, None, None, None, n_points or 0, None, None, None, None, rows,
                              ("only model-implied points: never the only basis of a class" if implied
                               else "no group with points at two or more compute levels") + note)
    first = min(groups, key=lambda g: g.compute_min)
    last = max(groups, key=lambda g: g.compute_max)
    decades = math.log10(last.compute_max / first.compute_min)
    slope, lo, hi = pool(groups)
    base = dict(n_points=n_points if n_points is not None else sum(g.n_points for g in groups),
                compute_min=first.compute_min, compute_max=last.compute_max, ceg_at_min=first.ceg_at_min,
                ceg_at_max=last.ceg_at_max, rows=rows, n_groups=len(groups))
    # the line through the weighted means, for figures: ln CEG = ln pivot_ceg + s (ln C - ln pivot)
    w = np.array([1.0 / g.se ** 2 for g in groups])
    pivot_x = float(np.sum(w * [g.mean_log_compute for g in groups]) / np.sum(w))
    pivot_y = float(np.sum(w * [g.mean_log_ceg for g in groups]) / np.sum(w))
    pivot = dict(pivot_compute_flop=math.exp(pivot_x), pivot_ceg=math.exp(pivot_y))
    if decades < MIN_TENTATIVE_DECADES:
        return Classification(INSUFFICIENT, slope, lo, hi, reason=(
            f"points spanning {decades:.2f} decades of compute (need >= {MIN_TENTATIVE_DECADES:g} for a "
            f"tentative class, >= {MIN_DECADES:g} for a class){note}"), **base, **pivot)
    label, why, tentative = decide(slope, lo, hi, first.ceg_at_min, decades)
    if len(groups) > 1:
        why += f"; {len(groups)} groups, each with its own intercept"
    return Classification(label, slope, lo, hi, reason=why + note, tentative=tentative, **base, **pivot)


def classify(points: list[GainPoint], extra_groups: list[GroupSlope] = (),
             extra_points: int = 0) -> Classification:
    """The class of one innovation and basis from its points, plus groups that bring their own slope
    (run series, `extra_points` placed points among them)."""
    points = sorted((p for p in points if p.ceg > 0 and p.compute_flop > 0), key=lambda p: p.compute_flop)
    rows = tuple(sorted({r for p in points for r in p.rows}))
    if not points and not extra_groups:
        return Classification(INSUFFICIENT, None, None, None, extra_points, None, None, None, None, rows,
                              "no usable points")
    by_group: dict[tuple[bool, str], list[GainPoint]] = defaultdict(list)
    for p in points:
        by_group[(p.model_implied, p.group or "")].append(p)
    groups = [g for g in extra_groups if not g.model_implied]
    implied = [g for g in extra_groups if g.model_implied]
    for (model_implied, _), members in sorted(by_group.items()):
        slope = group_slope(members)
        if slope is not None:
            (implied if model_implied else groups).append(slope)
    result = classify_groups(groups, rows, len(points) + extra_points, implied)
    if result.compute_min is None and points:  # describe the points even when no slope could be fitted
        result.compute_min, result.compute_max = points[0].compute_flop, points[-1].compute_flop
        result.ceg_at_min, result.ceg_at_max = points[0].ceg, points[-1].ceg
        decades = math.log10(points[-1].compute_flop / points[0].compute_flop)
        result.reason += f" ({len(points)} point(s) spanning {decades:.2f} decades)"
    return result
