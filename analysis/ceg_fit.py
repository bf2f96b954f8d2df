"""Frontier CEG of one series: both arms' frontiers fitted jointly, with intervals from the runs' scatter.

Each arm's frontier is its lower envelope of loss against compute: runs of one configuration
(same compute, parameters and tokens: replicate seeds) are averaged, and a configuration is on the
frontier when no configuration of the same arm with less or equal compute reached a lower mean
loss (Pareto). Dominated runs (an over-trained size, an early checkpoint beaten by a smaller model)
are left out of the comparison and said so.

On the frontier runs of both arms, one model is fitted to ln L (loss noise is multiplicative,
lognormal):

    baseline   L_b(C) = E + A C^-alpha
    treatment  L_t(C) = L_b(g(C) C),   ln g(C) = a + s (ln C - x_t)

so g(C) is the compute-equivalent gain CEG(C) = C_b(L_t(C)) / C and s = d ln CEG / d ln C its
trend, estimated together with the baseline's shape (x_t is the treatment runs' mean ln C, which
makes a and s nearly uncorrelated). The noise sigma (in ln L) is the residual scatter of both arms
around the fit, replicate seeds included; it is never taken below SIGMA_FLOOR. Intervals are the
model's (Gauss-Newton covariance, Student t with n - p degrees of freedom): they carry the
treatment's noise, the baseline's and the uncertainty of the baseline's shape. With no residual
degrees of freedom there is no noise estimate and no interval.

s is a parameter only when both arms have runs at 3 or more compute levels; otherwise s = 0 is
fixed, only the treatment's smallest compute level is used, and the model gives the gain there
(question (a)) but no trend.

Reach: a treatment run whose loss the baseline's law reaches only more than REACH_DECADES past the
baseline's largest measured compute (or below its asymptote) is censored: it enters the fit as
"the treatment at C_j is below L_b(reach)", a censored (Tobit) likelihood term, not its value;
symmetrically below the baseline's smallest compute. Then the fit is a maximum-likelihood fit
(for a given sigma, still a sum of squares: see _fit_censored) and its covariance the inverse of
the information.

Everything here is pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
# scipy.special, not scipy.stats: the same functions (t.ppf is stdtrit, norm.logcdf is log_ndtr)
# without the ~0.4 s import of scipy.stats, a seventh of `cegdb ceg`'s budget on a small file
from scipy import special

# A loss noise below 0.2% per run is not believed: seed-to-seed spreads of language-model losses are
# a few tenths of a percent, and table values rounded to 2-3 digits add their own error; a fit that
# passes through every point (values read off a fitted law, or a handful of runs) would otherwise
# give intervals of zero width.
SIGMA_FLOOR = 0.002
REACH_DECADES = 1.0
MIN_LEVELS_FOR_TREND = 3
# A fit that passes through (nearly) every point cannot show that its shape is wrong: a trend needs
# this many residual degrees of freedom in the series' own fit (7+ frontier runs for 5 parameters).
MIN_OWN_DF_FOR_TREND = 2
LEVEL = 0.95
LOG_GAIN_LIMIT = 700.0  # |ln CEG| of an interval end at most: e^700 is 1e304, inside float range


@dataclass(frozen=True)
class Run:
    compute_flop: float
    loss: float
    parameters: float | None = None
    tokens: float | None = None
    id: int | None = None


def frontier(runs: list[Run]) -> tuple[list[Run], list[Run]]:
    """(frontier runs, dominated runs) of one arm: configurations averaged over seeds, then Pareto."""
    configs: dict[tuple, list[Run]] = {}
    for r in runs:
        configs.setdefault((r.compute_flop, r.parameters, r.tokens), []).append(r)
    # each configuration's mean once, in plain Python: np.mean on a handful of floats was a fifth of
    # `cegdb ceg`'s time on 1,000 series of 16 runs (profiled)
    means = {key: sum(r.loss for r in members) / len(members) for key, members in configs.items()}
    order = sorted(configs.items(), key=lambda kv: (kv[0][0], means[kv[0]]))
    keep, drop, best = [], [], math.inf
    for key, members in order:
        mean = means[key]
        if mean < best * (1 - 1e-12):
            keep.extend(members)
            best = mean
        else:
            drop.extend(members)
    return keep, drop


@dataclass
class JointFit:
    params: np.ndarray           # E, ln A', alpha, a[, s]
    cov: np.ndarray | None       # covariance of params (None: no noise estimate)
    sigma: float | None          # noise in ln L used for the intervals
    sigma_raw: float | None      # residual scatter before the floor
    df: int                      # residual degrees of freedom
    x_ref: float                 # ln C origin of the baseline law
    x_t: float                   # ln C origin of ln g
    slope_free: bool
    base_c: tuple[float, float]  # baseline's measured compute range
    censored: dict = field(default_factory=dict)  # treatment run index -> ">" or "<"
    n_runs: int = 0
    rss: float = 0.0             # residual sum of squares in ln L (uncensored runs)
    cov_unit: np.ndarray | None = None  # covariance per unit noise variance
    noise_source: str = "series"  # series | release (pooled over the release's series)
    own_df: int = 0              # the series' own residual degrees of freedom

    @property
    def n_params(self) -> int:
        return len(self.params)

    @property
    def E(self) -> float:
        return float(self.params[0])

    @property
    def alpha(self) -> float:
        return float(self.params[2])

    def baseline_loss(self, compute: float) -> float:
        e, log_a, alpha = self.params[:3]
        return float(e + math.exp(log_a - alpha * (math.log(compute) - self.x_ref)))

    def log_gain(self, compute: float) -> tuple[float, float | None]:
        """(ln CEG at `compute`, its standard error or None)."""
        d = math.log(compute) - self.x_t
        grad = np.zeros(len(self.params))
        grad[3] = 1.0
        if self.slope_free:
            grad[4] = d
        value = float(grad @ self.params)
        if self.cov is None:
            return value, None
        return value, math.sqrt(max(float(grad @ self.cov @ grad), 0.0))

    def quantile(self) -> float:
        return _t_quantile(max(self.df, 1))

    def gain(self, compute: float) -> tuple[float, float | None, float | None]:
        value, se = self.log_gain(compute)
        if se is None:
            return math.exp(value), None, None
        q = self.quantile()
        # An interval past float range (a nearly flat baseline over three runs gave e^1000) is cut at
        # e^-+700, far past any class boundary, so the class stays undetermined: exp() overflowed into
        # a traceback before.
        return math.exp(value), math.exp(max(value - q * se, -LOG_GAIN_LIMIT)), \
            math.exp(min(value + q * se, LOG_GAIN_LIMIT))

    def slope(self) -> tuple[float | None, float | None, float | None]:
        if not self.slope_free:
            return None, None, None
        s = float(self.params[4])
        if self.cov is None or self.own_df < MIN_OWN_DF_FOR_TREND:
            return s, None, None
        se = math.sqrt(max(float(self.cov[4, 4]), 0.0))
        q = self.quantile()
        return s, s - q * se, s + q * se


def _mean(params, x, treated, x_t, slope_free):
    e, log_a, alpha, a = params[:4]
    shift = np.where(treated, a + (params[4] * (x - x_t) if slope_free else 0.0), 0.0)
    return np.log(e + np.exp(log_a - alpha * (x + shift)))


def _jacobian(params, x, treated, x_t, slope_free):
    e, log_a, alpha, a = params[:4]
    z = x + np.where(treated, a + (params[4] * (x - x_t) if slope_free else 0.0), 0.0)
    u = np.exp(log_a - alpha * z)
    d = e + u
    columns = [1.0 / d, u / d, -z * u / d, np.where(treated, -alpha * u / d, 0.0)]
    if slope_free:
        columns.append(np.where(treated, -alpha * (x - x_t) * u / d, 0.0))
    return np.column_stack(columns)


# The grid of E (as a share of the lowest loss) the baseline's profile is read on.
_E_GRID = np.linspace(0.0, 0.98, 12)


def _starts(x, y, top):
    """Starting (E, alpha): the baseline's own profiled fit (E + A C^-alpha by a scalar search over
    E), and two fixed ones, so a poor profile cannot trap the joint fit."""
    starts = [(0.0, 0.1), (0.9 * top, 0.3)]
    # the linear fit of ln(L - E) on x for all 12 grid values of E at once (one row each)
    grid = _E_GRID * top
    yy = np.log(np.exp(y)[None, :] - grid[:, None])
    x_bar = x.mean()
    xc = x - x_bar
    alpha = -((yy - yy.mean(axis=1, keepdims=True)) @ xc) / max(np.dot(xc, xc), 1e-12)
    log_a = yy.mean(axis=1) + alpha * x_bar
    sse = np.sum((np.log(grid[:, None] + np.exp(log_a[:, None] - alpha[:, None] * x[None, :])) - y) ** 2, axis=1)
    k = int(np.argmin(sse))
    if 0 < alpha[k] <= 3:
        starts.insert(0, (float(grid[k]), float(alpha[k])))
    return starts


@dataclass
class Problem:
    """One series' joint fit, set up: the data in ln C about x_ref, bounds and starting points."""
    baseline: list[Run]
    treatment: list[Run]
    slope_free: bool
    x: np.ndarray        # ln C - x_ref, baseline runs then treatment runs
    y: np.ndarray        # ln L
    treated: np.ndarray
    x_ref: float
    x_t: float           # the treatment runs' mean of x
    lower: list[float]
    upper: list[float]
    starts: list[np.ndarray]

    def residuals(self, params):
        return _mean(params, self.x, self.treated, self.x_t, self.slope_free) - self.y

    def jacobian(self, params):
        return _jacobian(params, self.x, self.treated, self.x_t, self.slope_free)


def problem(baseline: list[Run], treatment: list[Run], slope_free: bool) -> Problem:
    """One series' joint fit set up (data, bounds, starts): shared by fit_joint and ceg_fit_many."""
    nb = len(baseline)
    x_all = np.log([r.compute_flop for r in (*baseline, *treatment)])
    y = np.log([r.loss for r in (*baseline, *treatment)])
    x_ref = float(x_all.mean())
    x = x_all - x_ref
    treated = np.arange(y.size) >= nb  # baseline runs first
    x_t = float(x[nb:].mean())
    top = float(np.exp(y.min())) * 0.999
    lower = [0.0, -60.0, 1e-3, -25.0] + ([-3.0] if slope_free else [])
    upper = [top, 60.0, 3.0, 25.0] + ([3.0] if slope_free else [])
    # each start: (E, alpha) from _starts, ln A' the baseline's mean of ln(L - E) + alpha x, a = s = 0
    xb, yb = x[:nb], y[:nb]
    e0, alpha0 = np.array(_starts(xb, yb, top)).T
    log_a0 = np.log(np.maximum(np.exp(yb)[None, :] - e0[:, None], 1e-9)).mean(axis=1) + alpha0 * xb.mean()
    starts = np.zeros((e0.size, len(lower)))
    starts[:, 0], starts[:, 1], starts[:, 2] = e0, log_a0, alpha0
    starts = np.clip(starts, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
    return Problem(baseline, treatment, slope_free, x, y, treated, x_ref, x_t, lower, upper, list(starts))


@lru_cache(maxsize=None)
def _t_quantile(df: int) -> float:
    """The two-sided LEVEL quantile of Student's t (cached: every series asks for it several times)."""
    return float(special.stdtrit(df, 0.5 + LEVEL / 2))


def fit_joint(baseline: list[Run], treatment: list[Run], slope_free: bool,
              noise: tuple[float, int] | None = None) -> JointFit:
    """The joint model above on two arms' frontier runs (baseline needs 3+ compute levels).

    `noise` = (sigma, degrees of freedom) estimated elsewhere (pooled over a release's series)
    replaces the series' own residual scatter in the intervals.

    The reference path: one scipy least_squares fit per start. fit_joint_many fits many series
    at once to the same optimum (tests/test_ceg_batch.py compares the two)."""
    from scipy.optimize import least_squares  # here: its import costs `cegdb ceg` ~0.2 s

    prob = problem(baseline, treatment, slope_free)
    best = None
    for start in prob.starts:
        try:
            result = least_squares(prob.residuals, start, jac=prob.jacobian, bounds=(prob.lower, prob.upper),
                                   x_scale="jac", max_nfev=200)
        except ValueError:
            continue
        if best is None or result.cost < best.cost:
            best = result
    if best is None:
        raise ValueError("the joint fit failed from every start")
    return finish(prob, best.x, float(best.cost), best.jac, noise)


def _at(prob: Problem, params: np.ndarray) -> JointFit:
    """The fit's frame at `params`: which treatment runs are beyond the baseline law's reach."""
    p, n = params.size, prob.y.size
    computes = [r.compute_flop for r in prob.baseline]
    fit = JointFit(np.asarray(params, float), None, None, None, n - p, prob.x_ref, prob.x_t + prob.x_ref,
                   prob.slope_free, (float(min(computes)), float(max(computes))), n_runs=int(n), own_df=int(n - p))
    fit.censored = _beyond_reach(fit, prob.treatment)
    return fit


def censors(prob: Problem, params: np.ndarray) -> bool:
    """Whether the optimum `params` puts treatment runs beyond the baseline's reach (a censored refit)."""
    return bool(_at(prob, params).censored)


def finish(prob: Problem, params: np.ndarray, cost: float, jac: np.ndarray,
            noise: tuple[float, int] | None) -> JointFit:
    """The fit at its optimum (cost: half the sum of squares, jac: the Jacobian there): censoring,
    the noise and the covariance."""
    baseline, treatment, y = prob.baseline, prob.treatment, prob.y
    fit = _at(prob, params)
    if fit.censored:
        fit = _fit_censored(fit, baseline, treatment, prob.x, y, prob.treated, prob.lower, prob.upper)
    else:
        fit.rss = 2 * cost
        fit.cov_unit = np.linalg.pinv(jac.T @ jac)
        if fit.df >= 1:
            raw = math.sqrt(fit.rss / fit.df)
            fit.sigma_raw, fit.sigma = raw, max(raw, SIGMA_FLOOR)
            fit.cov = fit.sigma ** 2 * fit.cov_unit
    if noise is not None and fit.cov_unit is not None:
        sigma, df = noise
        fit.sigma_raw, fit.sigma, fit.df = sigma, max(sigma, SIGMA_FLOOR), df
        fit.cov = fit.sigma ** 2 * fit.cov_unit
        fit.noise_source = "release"
    return fit


def _beyond_reach(fit: JointFit, treatment: list[Run]) -> dict:
    """Treatment runs the baseline's law reaches only past REACH_DECADES outside its measured range."""
    hi_loss = fit.baseline_loss(fit.base_c[1] * 10 ** REACH_DECADES)
    lo_loss = fit.baseline_loss(fit.base_c[0] / 10 ** REACH_DECADES)
    out = {}
    for k, r in enumerate(treatment):
        if r.loss < hi_loss:
            out[k] = ">"
        elif r.loss > lo_loss:
            out[k] = "<"
    return out


def _fit_censored(fit: JointFit, baseline, treatment, x, y, treated, lower, upper) -> JointFit:
    """Maximum likelihood with the beyond-reach treatment runs as censored (Tobit) observations.

    For a given sigma the negative log-likelihood is half a sum of squares: z^2 for an exact run
    (z = (ln L - mu) / sigma) and -2 ln Phi(u) for a censored one (u = (threshold - mu) / sigma, sign
    by side), so the same least-squares solver serves; sigma then comes from the exact runs'
    residuals on n - p degrees of freedom, and the fit is repeated once with it. The covariance is
    the Gauss-Newton one of these residuals (the inverse of the information)."""
    nb = len(baseline)
    cens = np.zeros(y.size, int)  # +1: the run is below the reach loss; -1: above the low reach loss
    for k, side in fit.censored.items():
        cens[nb + k] = 1 if side == ">" else -1
    exact = cens == 0
    reach_hi = math.log(fit.base_c[1] * 10 ** REACH_DECADES) - fit.x_ref
    reach_lo = math.log(fit.base_c[0] / 10 ** REACH_DECADES) - fit.x_ref
    x_t = fit.x_t - fit.x_ref
    slope_free = fit.slope_free

    def residuals(params, sigma):
        mu = _mean(params, x, treated, x_t, slope_free)
        e, log_a, alpha = params[:3]
        thr_hi = math.log(e + math.exp(log_a - alpha * reach_hi))
        thr_lo = math.log(e + math.exp(log_a - alpha * reach_lo))
        out = (y - mu) / sigma
        u = np.where(cens == 1, (thr_hi - mu) / sigma, (mu - thr_lo) / sigma)
        censored = np.sqrt(np.maximum(-2.0 * special.log_ndtr(u), 0.0))
        return np.where(exact, out, censored)

    from scipy.optimize import least_squares  # here, as in fit_joint

    p = fit.params.size
    fit.df = y.size - p
    n_exact = int(exact.sum())
    resid = (_mean(fit.params, x, treated, x_t, slope_free) - y)[exact]
    sigma = max(float(np.sqrt(np.sum(resid ** 2) / max(fit.df, 1))), SIGMA_FLOOR)
    params, result, used = fit.params, None, sigma
    for _ in range(2):
        start = np.clip(params, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
        used = sigma
        result = least_squares(residuals, start, args=(used,), bounds=(lower, upper), x_scale="jac", max_nfev=200)
        params = result.x
        resid = (_mean(params, x, treated, x_t, slope_free) - y)[exact]
        sigma = max(float(np.sqrt(np.sum(resid ** 2) / max(fit.df, 1))), SIGMA_FLOOR)
    fit.params = params
    fit.rss = float(np.dot(resid, resid))
    # the information per unit noise variance: the scaled residuals' J^T J times the sigma they used
    fit.cov_unit = np.linalg.pinv(result.jac.T @ result.jac * used ** 2)
    if fit.df >= 1 and n_exact > p:
        raw = float(np.sqrt(fit.rss / fit.df))
        fit.sigma_raw, fit.sigma = raw, max(raw, SIGMA_FLOOR)
        fit.cov = fit.sigma ** 2 * fit.cov_unit
    else:
        fit.df = min(fit.df, 0)
    return fit
