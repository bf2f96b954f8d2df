"""CEG along each arm's compute-optimal allocation, for releases that vary N and D separately.

Where a release trains several sizes N at several token counts D (IsoFLOP or over-training
sweeps), a loss-vs-compute frontier mixes allocations. Instead each arm gets its own
    L(N, D) = E + A N^-a + B D^-b
(least squares in ln L, several starts), and its compute-optimal loss at C = 6 N D is the closed
form of minimising over N:
    N*(C) = G (C/6)^(b/(a+b)),  G = (a A / (b B))^(1/(a+b)),  D* = C / (6 N*),  L*(C) = L(N*, D*).
CEG(C) = C_b / C where L*_baseline(C_b) = L*_treatment(C) (bisection in ln C). Intervals: a residual
bootstrap of both arms, DRAWS times, seeded: each arm's ln-loss residuals (scaled by sqrt(m/(m-5))
for the 5 fitted parameters) resampled onto its fitted values and the law refitted (all replicates
at once, analysis/batch_lm.py, from the point fit); each interval is the point +- t(0.975, df) x the
bootstrap standard deviation of ln CEG and of the slope (df: both arms' runs minus 10 parameters). The earlier draws
from the linearised covariance (sigma^2 (J^T J)^-1) were not honest for these fits: E, A, a, B and b
trade off so strongly that the draws wandered into laws the data exclude (Wen et al.'s Sophia series:
0.94 with "[0.00, 0.24]", the point outside its own interval). (a) is the CEG at the smallest
measured compute, the slope that of ln CEG on ln C over the measured range; both intervals are
calibrated by simulation in tests/test_analysis_ceg_nd_calibration.py. A release qualifies (`varies_n_and_d`) only when each arm has 7+
runs at 3+ sizes and 3+ token counts, with two token counts for one size and two sizes for one
token count; a sweep at fixed tokens cannot identify B and b.

Everything here is pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis import ceg_fit

DRAWS = 200
SIGMA_FLOOR = 0.002


@dataclass
class NDFit:
    params: np.ndarray  # E, ln A, a, ln B, b
    sigma: float | None  # residual noise in ln L; None without residual degrees of freedom
    n: np.ndarray | None = None  # the runs the law was fitted on (the bootstrap resamples them)
    d: np.ndarray | None = None
    y: np.ndarray | None = None  # ln loss

    def loss(self, n, d, params=None):
        e, log_a, a, log_b, b = self.params if params is None else params
        return e + np.exp(log_a - a * np.log(n)) + np.exp(log_b - b * np.log(d))

    def optimal_loss(self, compute: float, params=None) -> float:
        e, log_a, a, log_b, b = self.params if params is None else params
        g = math.exp((math.log(a) + log_a - math.log(b) - log_b) / (a + b))
        n = g * (compute / 6.0) ** (b / (a + b))
        return float(self.loss(n, compute / (6.0 * n), (e, log_a, a, log_b, b)))


MIN_SIZES = 3
MIN_TOKEN_COUNTS = 3
MIN_RUNS = 7  # 5 parameters and at least 2 residual degrees of freedom
# Bounds of (E, ln A, a, ln B, b) in every fit and refit; E's upper bound is each fit's own best loss.
LOWER = np.array([0.0, -10.0, 0.01, -10.0, 0.01])
UPPER = np.array([np.inf, 40.0, 2.0, 40.0, 2.0])


def varies_n_and_d(runs) -> bool:
    """L(N, D) is identified: 3+ sizes and 3+ token counts, two token counts for some size and two
    sizes for some token count, and 7+ runs (a fit of 5 parameters through 6 runs shows nothing)."""
    pairs = [(r.parameters, r.tokens) for r in runs if r.parameters and r.tokens]
    by_n, by_d = {}, {}
    for n, d in pairs:
        by_n.setdefault(n, set()).add(d)
        by_d.setdefault(d, set()).add(n)
    return (len(pairs) >= MIN_RUNS and len(by_n) >= MIN_SIZES and len(by_d) >= MIN_TOKEN_COUNTS
            and any(len(v) >= 2 for v in by_n.values()) and any(len(v) >= 2 for v in by_d.values()))


def fit_nd(parameters, tokens, loss) -> NDFit:
    n = np.asarray(parameters, float)
    d = np.asarray(tokens, float)
    y = np.log(np.asarray(loss, float))
    if y.size < 6:
        raise ValueError("need at least 6 runs with parameters and tokens to fit L(N, D)")
    top = float(np.exp(y.min())) * 0.999

    def residuals(p):
        e, log_a, a, log_b, b = p
        return np.log(e + np.exp(log_a - a * np.log(n)) + np.exp(log_b - b * np.log(d))) - y

    from scipy.optimize import least_squares  # here: its import costs `cegdb ceg` ~0.2 s

    lower, upper = LOWER, np.array([top, *UPPER[1:]])
    best = None
    for e_frac in (0.3, 0.7):
        for exponent in (0.2, 0.4):
            start = [e_frac * top, math.log(400.0), exponent, math.log(400.0), exponent]
            result = least_squares(residuals, np.clip(start, np.add(lower, 1e-9), np.subtract(upper, 1e-9)),
                                   bounds=(lower, upper), x_scale="jac", max_nfev=500)
            if best is None or result.cost < best.cost:
                best = result
    df = y.size - 5
    if df < 1:
        return NDFit(best.x, None, n, d, y)
    return NDFit(best.x, max(math.sqrt(2 * best.cost / df), SIGMA_FLOOR), n, d, y)


class _Replicates:
    """L(N, D) in ln L for many response vectors on the same runs: the batch_lm problem interface."""

    def __init__(self, n, d, y):
        self.log_n, self.log_d, self.y = np.log(n)[None, :], np.log(d)[None, :], y

    def take(self, rows):
        out = _Replicates.__new__(_Replicates)
        out.log_n, out.log_d, out.y = self.log_n, self.log_d, self.y[rows]
        return out

    def _terms(self, p):
        e, log_a, a, log_b, b = (p[:, i:i + 1] for i in range(5))
        t1, t2 = np.exp(log_a - a * self.log_n), np.exp(log_b - b * self.log_d)
        return e, t1, t2, e + t1 + t2

    def residuals(self, p):
        return np.log(self._terms(p)[3]) - self.y

    def jacobian(self, p):
        e, t1, t2, total = self._terms(p)
        return np.stack([1.0 / total, t1 / total, -self.log_n * t1 / total, t2 / total,
                         -self.log_d * t2 / total], axis=2)

    def normal(self, p):
        jac = self.jacobian(p)
        r = self.residuals(p)
        return np.einsum("rm,rmp->rp", r, jac), np.einsum("rmp,rmq->rpq", jac, jac)


def bootstrap_params(fit: NDFit, draws: int, rng: np.random.Generator) -> np.ndarray | None:
    """DRAWS refits of one arm's law on its fitted values plus resampled residuals (draws x 5)."""
    if fit.sigma is None or fit.y is None:
        return None
    from analysis import batch_lm

    fitted = np.log(fit.loss(fit.n, fit.d))
    # Davison & Hinkley's modified residuals: each divided by sqrt(1 - its leverage) and centred, so
    # the resampled noise is as large as the noise itself (raw residuals of a 5-parameter fit
    # through ~16 runs are visibly smaller; with them (a) covered 87% instead of 95%).
    jac = _Replicates(fit.n, fit.d, fitted[None, :]).jacobian(fit.params[None, :])[0]
    leverage = np.einsum("mp,pq,mq->m", jac, np.linalg.pinv(jac.T @ jac), jac)
    resid = (fit.y - fitted) / np.sqrt(np.clip(1.0 - leverage, 0.05, None))
    resid = resid - resid.mean()
    ys = fitted[None, :] + rng.choice(resid, size=(draws, resid.size), replace=True)
    upper = np.tile(UPPER, (draws, 1))
    upper[:, 0] = np.exp(ys.min(axis=1)) * 0.999
    start = np.clip(np.tile(fit.params, (draws, 1)), LOWER + 1e-9, upper - 1e-9)
    params, cost = batch_lm.solve(_Replicates(fit.n, fit.d, ys), start, LOWER, upper, max_iter=500)
    return params[np.isfinite(cost)]


@dataclass
class NDResult:
    gain_small: float
    gain_small_lower: float | None
    gain_small_upper: float | None
    slope: float
    slope_lower: float | None
    slope_upper: float | None
    compute_small: float
    draws_used: int


def _optimal_losses(params: np.ndarray, compute: np.ndarray) -> np.ndarray:
    """optimal_loss for many parameter rows (R x 5) at computes broadcast against them (R x K)."""
    e, log_a, a, log_b, b = (params[:, i:i + 1] for i in range(5))
    log_g = (np.log(a) + log_a - np.log(b) - log_b) / (a + b)
    log_n = log_g + b / (a + b) * np.log(compute / 6.0)
    log_d = np.log(compute / 6.0) - log_n
    return e + np.exp(log_a - a * log_n) + np.exp(log_b - b * log_d)


def _answers(pb: np.ndarray, pt: np.ndarray, grid: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ln CEG at the smallest compute, slope) for every pair of laws (rows of pb and pt): CEG(C) solves
    L*_b(C_b) = L*_t(C) by bisection in ln C within 13 decades either way, all rows at once (a per-draw
    Python loop was most of a build's L(N, D) time); a row whose baseline never reaches the
    treatment's loss inside that range is dropped."""
    rows = min(len(pb), len(pt))
    pb, pt = pb[:rows], pt[:rows]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        target = _optimal_losses(pt, np.broadcast_to(grid, (rows, grid.size)))
        lo = np.broadcast_to(np.log(grid) - 30.0, (rows, grid.size)).copy()
        hi = np.log(grid) + 30.0 + np.zeros((rows, 1))
        ok = (_optimal_losses(pb, np.exp(hi)) < target) & (target < _optimal_losses(pb, np.exp(lo)))
        for _ in range(80):
            mid = (lo + hi) / 2
            above = _optimal_losses(pb, np.exp(mid)) > target
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
    y = (lo + hi) / 2 - np.log(grid)
    keep = ok.all(axis=1) & np.isfinite(y).all(axis=1)
    y = y[keep]
    return y[:, 0], (y - y.mean(axis=1, keepdims=True)) @ x / np.dot(x, x)


def nd_ceg(base: NDFit, treat: NDFit, compute_min: float, compute_max: float, seed: int = 0,
           draws: int = DRAWS) -> NDResult:
    """(a) and the slope along the compute-optimal allocations, with intervals from bootstrap refits."""
    grid = np.exp(np.linspace(math.log(compute_min), math.log(compute_max), 5))
    x = np.log(grid) - np.log(grid).mean()

    gain, slope = _answers(base.params[None, :], treat.params[None, :], grid, x)
    if not gain.size:
        raise ValueError("the baseline's compute-optimal loss never reaches the treatment's")
    point = float(gain[0]), float(slope[0])
    lows = highs = slope_lo = slope_hi = None
    used = 0
    rng = np.random.default_rng(seed)
    drawn = [bootstrap_params(fit, draws, rng) for fit in (base, treat)]
    if drawn[0] is not None and drawn[1] is not None:
        gains, slopes = _answers(drawn[0], drawn[1], grid, x)
        used = len(gains)
        if used >= 20:
            # point +- t(0.975, df) x the bootstrap's standard deviation: percentile intervals
            # covered (a) 88-93% in simulation (the nonlinear fit's small-sample bias), these 94-97%
            q = ceg_fit._t_quantile(base.y.size + treat.y.size - 10)
            half_gain, half_slope = q * float(np.std(gains, ddof=1)), q * float(np.std(slopes, ddof=1))
            lows, highs = math.exp(point[0] - half_gain), math.exp(point[0] + half_gain)
            slope_lo, slope_hi = point[1] - half_slope, point[1] + half_slope
    return NDResult(math.exp(point[0]), lows, highs, point[1], slope_lo, slope_hi, float(grid[0]), used)
