"""Compute-equivalent gain (CEG) from loss-versus-compute measurements of two arms.

For a baseline and a treatment (the baseline plus one innovation), each arm's loss is fitted as
    L(C) = E + A * C^-alpha
(robust soft-L1 loss, several starts). The CEG at compute C is how much more compute the baseline
needs to reach the loss the treatment reaches at C:
    CEG(C) = C_baseline(L_treatment(C)) / C.
Intervals come from a bootstrap over runs (each measured point is one run); a piecewise-linear
interpolation in log-compute is the model-free cross-check. Outside the measured range a value is
flagged `extrapolated`; where one arm never reaches the other's loss it is censored:
    ">"  no baseline compute below NEVER_FLOP reaches the treatment's loss at C (it is below
         the baseline's asymptote, or nearly); the value is a lower bound (the baseline's largest
         measured compute / C).
    "<"  no treatment compute below NEVER_FLOP reaches the baseline's loss at C: the treatment
         can never match the baseline at this compute; the value is an upper bound.

Everything here is pure: arrays in, numbers out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

REFERENCE_COMPUTE_FLOP = tuple(10.0 ** k for k in range(15, 26, 2))  # 1e15, 1e17, ..., 1e25


@dataclass(frozen=True)
class PowerLawFit:
    E: float
    A: float
    alpha: float
    compute_min: float
    compute_max: float

    def loss(self, compute: float | np.ndarray) -> float | np.ndarray:
        return self.E + self.A * np.power(compute, -self.alpha)

    def compute_for_loss(self, loss: float) -> float:
        """Compute at which this arm reaches `loss`; inf when below its asymptote."""
        if loss <= self.E:
            return math.inf
        log_c = -math.log((loss - self.E) / self.A) / self.alpha
        return math.exp(log_c) if log_c < 700 else math.inf


def fit_power_law(compute, loss, starts: int = 6) -> PowerLawFit:
    """Fit L = E + A C^-alpha. Needs at least 3 points at 2 or more distinct compute values."""
    c = np.asarray(compute, dtype=float)
    y = np.asarray(loss, dtype=float)
    if c.size < 3 or np.unique(c).size < 2 or np.any(c <= 0):
        raise ValueError("need at least 3 points with positive compute at 2+ distinct values")
    # Work in t = ln(C / C_ref) so A is O(loss) and the optimiser sees a well-scaled problem.
    c_ref = float(np.exp(np.mean(np.log(c))))
    t = np.log(c / c_ref)
    y_min, y_span = float(y.min()), float(np.ptp(y)) or 1e-3

    def residuals(p):
        e, log_a, alpha = p
        return e + np.exp(log_a) * np.exp(-alpha * t) - y

    from scipy.optimize import least_squares  # here: its import costs `cegdb ceg` ~0.2 s

    best = None
    for e_frac in np.linspace(0.0, 0.95, starts):
        for alpha0 in (0.05, 0.3):
            e0 = e_frac * y_min
            a0 = max(float(np.mean(y)) - e0, 1e-6)
            try:
                result = least_squares(
                    residuals, x0=[e0, math.log(a0), alpha0],
                    bounds=([0.0, -50.0, 1e-4], [y_min * 0.999999, 50.0, 5.0]),
                    loss="soft_l1", f_scale=0.01 * y_span + 1e-9, max_nfev=2000)
            except ValueError:
                continue
            if best is None or result.cost < best.cost:
                best = result
    if best is None:
        raise ValueError("power-law fit failed from every start")
    e, log_a, alpha = best.x
    a = math.exp(log_a) * c_ref ** alpha  # back from t to C
    return PowerLawFit(float(e), float(a), float(alpha), float(c.min()), float(c.max()))


@dataclass
class CegPoint:
    compute_flop: float
    ceg: float
    lower: float | None = None
    upper: float | None = None
    censored: str = ""          # "", ">" or "<"
    extrapolated: bool = False
    interpolated_ceg: float | None = None


# Compute beyond this counts as "never": a fitted curve that only reaches a loss past 1e35 FLOP
# (ten orders of magnitude past today's largest runs) is not a prediction anyone can use.
NEVER_FLOP = 1e35


def ceg_at(baseline: PowerLawFit, treatment: PowerLawFit, compute: float) -> tuple[float, str, bool]:
    """(CEG, censoring, extrapolated) at one compute level from two fitted arms."""
    target = float(treatment.loss(compute))
    extrapolated = not (treatment.compute_min <= compute <= treatment.compute_max)
    needed = baseline.compute_for_loss(target)
    if needed > NEVER_FLOP:
        return baseline.compute_max / compute, ">", True
    if treatment.compute_for_loss(float(baseline.loss(compute))) > NEVER_FLOP:
        return needed / compute, "<", True
    if not (baseline.compute_min <= needed <= baseline.compute_max):
        extrapolated = True
    return needed / compute, "", extrapolated


def interpolated_ceg(base_c, base_l, treat_c, treat_l, compute: float) -> float | None:
    """Model-free cross-check: linear interpolation in log-compute, within the measured range only."""
    bc, bl = np.log(np.asarray(base_c, float)), np.asarray(base_l, float)
    tc, tl = np.log(np.asarray(treat_c, float)), np.asarray(treat_l, float)
    order_b, order_t = np.argsort(bc), np.argsort(tc)
    bc, bl, tc, tl = bc[order_b], bl[order_b], tc[order_t], tl[order_t]
    x = math.log(compute)
    if not (tc[0] <= x <= tc[-1]) or np.any(np.diff(bl) >= 0):
        return None  # outside the treatment's range, or the baseline is not monotone: no inversion
    target = float(np.interp(x, tc, tl))
    if not (bl[-1] <= target <= bl[0]):
        return None
    # np.interp needs increasing x: interpolate log-compute as a function of falling loss.
    needed = float(np.interp(target, bl[::-1], bc[::-1]))
    return math.exp(needed - x)


@dataclass
class SeriesResult:
    baseline: PowerLawFit
    treatment: PowerLawFit
    points: list[CegPoint] = field(default_factory=list)
    resamples_used: int = 0


def estimate_series(base_c, base_l, treat_c, treat_l, *, reference=REFERENCE_COMPUTE_FLOP,
                    bootstrap: int = 200, seed: int = 0, level: float = 0.95) -> SeriesResult:
    """Fit both arms, CEG at each reference compute, percentile bootstrap intervals over runs."""
    base_c, base_l = np.asarray(base_c, float), np.asarray(base_l, float)
    treat_c, treat_l = np.asarray(treat_c, float), np.asarray(treat_l, float)
    baseline = fit_power_law(base_c, base_l)
    treatment = fit_power_law(treat_c, treat_l)
    result = SeriesResult(baseline, treatment)
    rng = np.random.default_rng(seed)
    samples: list[list[float]] = [[] for _ in reference]
    for _ in range(bootstrap):
        ib = rng.integers(0, base_c.size, base_c.size)
        it = rng.integers(0, treat_c.size, treat_c.size)
        if np.unique(base_c[ib]).size < 2 or np.unique(treat_c[it]).size < 2:
            continue  # a resample that lost the compute spread cannot be fitted
        try:
            b = fit_power_law(base_c[ib], base_l[ib], starts=3)
            t = fit_power_law(treat_c[it], treat_l[it], starts=3)
        except ValueError:
            continue
        result.resamples_used += 1
        for k, compute in enumerate(reference):
            samples[k].append(ceg_at(b, t, compute)[0])
    tail = (1 - level) / 2 * 100
    for k, compute in enumerate(reference):
        value, censored, extrapolated = ceg_at(baseline, treatment, compute)
        lower = upper = None
        if len(samples[k]) >= 10:
            lower, upper = (float(v) for v in np.percentile(samples[k], [tail, 100 - tail]))
        result.points.append(CegPoint(compute, value, lower, upper, censored, extrapolated,
                                      interpolated_ceg(base_c, base_l, treat_c, treat_l, compute)))
    return result
