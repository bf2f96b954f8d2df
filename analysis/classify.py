"""Is an innovation's gain compute-dependent or compute-independent?

Following arXiv 2505.04075: a compute-independent advance shows its benefit at small scale and
keeps it as scale grows; a compute-dependent one gives little or nothing (or hurts) at low compute
and pays off at high compute. We measure the slope
    s = d ln CEG / d ln C
by weighted least squares over an innovation's CEG points (one basis at a time: a step or
wall-clock gain is never mixed with a FLOP gain) and classify with these thresholds:

* insufficient evidence: fewer than 2 points, or the points span less than one decade of compute,
  or the interval of s is too wide to fall in any class below;
* compute-dependent: the 95% interval of s lies above +0.05 (the gain grows by more than 12% per
  decade of compute: 10^0.05 = 1.12);
* diminishing: the 95% interval of s lies below -0.05 (the gain shrinks with scale);
* compute-independent: the interval of s lies within [-0.10, +0.10] and the gain at the smallest
  measured scale is above 1 (the benefit is already there at small scale and persists).

Points carry a standard error on ln CEG: from their bootstrap interval when they have one, else
DEFAULT_LOG_SE (a factor of about 1.35 either way), a stated assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SLOPE_THRESHOLD = 0.05
INDEPENDENT_BAND = 0.10
MIN_DECADES = 1.0
DEFAULT_LOG_SE = 0.3
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

    @property
    def log_se(self) -> float:
        if self.lower and self.upper and self.lower > 0 and self.upper > self.lower:
            return max((math.log(self.upper) - math.log(self.lower)) / (2 * Z95), 1e-3)
        return DEFAULT_LOG_SE


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


def classify(points: list[GainPoint]) -> Classification:
    points = sorted((p for p in points if p.ceg > 0 and p.compute_flop > 0), key=lambda p: p.compute_flop)
    rows = tuple(sorted({r for p in points for r in p.rows}))
    if not points:
        return Classification(INSUFFICIENT, None, None, None, 0, None, None, None, None, rows, "no usable points")
    base = dict(n_points=len(points), compute_min=points[0].compute_flop, compute_max=points[-1].compute_flop,
                ceg_at_min=points[0].ceg, ceg_at_max=points[-1].ceg, rows=rows)
    decades = math.log10(points[-1].compute_flop / points[0].compute_flop)
    if len(points) < 2 or decades < MIN_DECADES:
        return Classification(INSUFFICIENT, None, None, None, reason=(
            f"{len(points)} point(s) spanning {decades:.2f} decades of compute (need 2+ points over "
            f">= {MIN_DECADES:g} decade)"), **base)
    slope, lo, hi = fit_slope(points)
    if lo > SLOPE_THRESHOLD:
        label, why = COMPUTE_DEPENDENT, f"slope interval [{lo:.3f}, {hi:.3f}] above +{SLOPE_THRESHOLD}"
    elif hi < -SLOPE_THRESHOLD:
        label, why = DIMINISHING, f"slope interval [{lo:.3f}, {hi:.3f}] below -{SLOPE_THRESHOLD}"
    elif -INDEPENDENT_BAND <= lo and hi <= INDEPENDENT_BAND and points[0].ceg > 1.0:
        label, why = COMPUTE_INDEPENDENT, (f"slope interval [{lo:.3f}, {hi:.3f}] within +/-{INDEPENDENT_BAND} "
                                           f"and CEG {points[0].ceg:.2f} > 1 at the smallest scale")
    else:
        label, why = INSUFFICIENT, f"slope interval [{lo:.3f}, {hi:.3f}] too wide or gain not above 1"
    return Classification(label, slope, lo, hi, reason=why, **base)
