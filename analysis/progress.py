"""Algorithmic progress from published perplexities: an augmented scaling law (Ho et al. 2024).

Following Ho et al. 2024 (arXiv 2403.05812, their "model 7" family), the loss of a language model
on benchmark b is a sum of a parameter term and a data term whose *effective* sizes grow with
publication year Y:

    L = E_b + exp(lnA - alpha * ln N_eff) + exp(lnB - alpha * ln D_eff)
    ln N_eff = ln N + a (Y - Y0) + 1/2 sum_k I_k phi_k(C)
    ln D_eff = ln D + a (Y - Y0) + 1/2 sum_k I_k phi_k(C)
    phi_k(C) = gamma_k + delta_k ln(C / C0)

with benchmark-specific irreducible losses E_b, L = ln(perplexity), C = 6 N D x epochs. Effective
compute 6 N_eff D_eff then grows by a factor e^(2a) per year, so its doubling time is
ln 2 / (2a) years (one exponent and one growth rate serve both terms: see _unpack for why); innovation k multiplies effective compute by CEG_k(C) = exp(phi_k(C)), and
delta_k is its compute dependence (the indicator x log-compute term). The fit is least squares with
an L1 penalty on a, gamma and delta (smoothly approximated), from several starts; intervals come
from a bootstrap over results.

Pure: arrays in, numbers out. The database glue is in analysis.store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

YEAR0 = 2016.0
LOG_C0 = math.log(1e18)
CEG_REPORT_FLOP = (1e22, 1e25)


@dataclass
class ProgressData:
    loss: np.ndarray            # ln perplexity
    log_params: np.ndarray
    log_tokens: np.ndarray
    year: np.ndarray
    benchmark: np.ndarray       # integer index into benchmarks
    indicators: np.ndarray      # n x K, 0/1
    log_compute: np.ndarray
    benchmarks: list[str]
    innovations: list[str]
    row_ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.loss.size)

    def take(self, index: np.ndarray) -> "ProgressData":
        return ProgressData(self.loss[index], self.log_params[index], self.log_tokens[index],
                            self.year[index], self.benchmark[index], self.indicators[index],
                            self.log_compute[index], self.benchmarks, self.innovations,
                            [self.row_ids[i] for i in index] if self.row_ids else [])


@dataclass
class ProgressFit:
    E: np.ndarray
    lnA: float
    alpha: float
    lnB: float
    beta: float
    a: float
    b: float
    gamma: np.ndarray
    delta: np.ndarray
    cost: float

    @property
    def doubling_time_months(self) -> float:
        rate = self.a + self.b
        return 12.0 * math.log(2.0) / rate if rate > 0 else math.inf

    def ceg(self, k: int, compute_flop: float) -> float:
        return math.exp(self.gamma[k] + self.delta[k] * (math.log(compute_flop) - LOG_C0))


N_SHARED = 4  # lnA, alpha, lnB, a


def _unpack(p: np.ndarray, n_bench: int, n_innov: int) -> ProgressFit:
    # One exponent and one yearly growth rate for both terms: in published benchmark results the
    # training-set size is nearly constant per benchmark, so a separate data exponent and data
    # growth rate are not identified (they trade off against E_b and run to their bounds).
    E = p[:n_bench]
    lnA, alpha, lnB, a = p[n_bench:n_bench + N_SHARED]
    gamma = p[n_bench + N_SHARED:n_bench + N_SHARED + n_innov]
    delta = p[n_bench + N_SHARED + n_innov:]
    return ProgressFit(E, lnA, alpha, lnB, alpha, a, a, gamma, delta, math.nan)


def predict(fit: ProgressFit, data: ProgressData) -> np.ndarray:
    phi = (fit.gamma[None, :] + fit.delta[None, :] * (data.log_compute[:, None] - LOG_C0)) * data.indicators
    shift = 0.5 * phi.sum(axis=1)
    years = data.year - YEAR0
    ln_n = data.log_params + fit.a * years + shift
    ln_d = data.log_tokens + fit.b * years + shift
    return fit.E[data.benchmark] + np.exp(fit.lnA - fit.alpha * ln_n) + np.exp(fit.lnB - fit.beta * ln_d)


def fit_progress(data: ProgressData, penalty: float = 1e-2, starts: int = 4, seed: int = 0,
                 max_nfev: int = 400) -> ProgressFit:
    n_bench, n_innov = len(data.benchmarks), len(data.innovations)
    n_params = n_bench + N_SHARED + 2 * n_innov
    if len(data) < n_params + 2:
        raise ValueError(f"{len(data)} results cannot identify {n_params} parameters")
    penalised = slice(n_bench + N_SHARED - 1, n_params)  # a, gamma, delta
    sqrt_pen = math.sqrt(penalty)

    def residuals(p):
        fit = _unpack(p, n_bench, n_innov)
        r = predict(fit, data) - data.loss
        # sqrt(lambda) * (theta^2 + eps)^(1/4) squared is lambda*|theta|: an L1 penalty that
        # least_squares can differentiate.
        pen = sqrt_pen * np.power(np.square(p[penalised]) + 1e-8, 0.25)
        return np.concatenate([r, pen])

    years = data.year - YEAR0
    x = data.log_compute - LOG_C0
    n = len(data)

    def jacobian(p):
        # Analytic derivatives: a numeric Jacobian made the 1,000-resample bootstrap ten times slower.
        fit = _unpack(p, n_bench, n_innov)
        phi = (fit.gamma[None, :] + fit.delta[None, :] * x[:, None]) * data.indicators
        shift = 0.5 * phi.sum(axis=1)
        ln_n = data.log_params + fit.a * years + shift
        ln_d = data.log_tokens + fit.a * years + shift
        t1 = np.exp(fit.lnA - fit.alpha * ln_n)
        t2 = np.exp(fit.lnB - fit.alpha * ln_d)
        both = -fit.alpha * (t1 + t2)
        jac = np.zeros((n + (n_params - (n_bench + N_SHARED - 1)), n_params))
        jac[np.arange(n), data.benchmark] = 1.0
        jac[:n, n_bench] = t1
        jac[:n, n_bench + 1] = -t1 * ln_n - t2 * ln_d
        jac[:n, n_bench + 2] = t2
        jac[:n, n_bench + 3] = both * years
        base = n_bench + N_SHARED
        jac[:n, base:base + n_innov] = (both * 0.5)[:, None] * data.indicators
        jac[:n, base + n_innov:] = (both * 0.5)[:, None] * data.indicators * x[:, None]
        theta = p[penalised]
        jac[n + np.arange(theta.size), np.arange(penalised.start, n_params)] = \
            sqrt_pen * theta / (2.0 * np.power(np.square(theta) + 1e-8, 0.75))
        return jac

    lower = [0.0] * n_bench + [-20.0, 0.01, -20.0, -3.0] + [-10.0] * (2 * n_innov)
    upper = [10.0] * n_bench + [40.0, 2.0, 40.0, 3.0] + [10.0] * (2 * n_innov)
    rng = np.random.default_rng(seed)
    best = None
    for start in range(starts):
        e0 = [max(float(np.min(data.loss[data.benchmark == i], initial=3.0)) - 0.5, 0.1) for i in range(n_bench)]
        alpha0 = 0.3 if start == 0 else float(rng.uniform(0.1, 0.6))
        x0 = e0 + [alpha0 * float(np.mean(data.log_params)), alpha0,
                   alpha0 * float(np.mean(data.log_tokens)), 0.2] + [0.0] * (2 * n_innov)
        x0 = np.clip(x0, np.array(lower) + 1e-6, np.array(upper) - 1e-6)
        result = least_squares(residuals, x0, jac=jacobian, bounds=(lower, upper), max_nfev=max_nfev,
                               ftol=1e-7, xtol=1e-7, gtol=1e-7)
        if best is None or result.cost < best.cost:
            best = result
    fit = _unpack(best.x, n_bench, n_innov)
    fit.cost = float(best.cost)
    return fit


PENALTY_GRID = (1e-3, 1e-2, 3e-2, 1e-1)


def choose_penalty(data: ProgressData, grid=PENALTY_GRID, folds: int = 5, seed: int = 0) -> float:
    """The L1 strength with the lowest k-fold cross-validated squared error (Ho et al. also
    chose their regularisation by cross-validation)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data))
    splits = np.array_split(order, folds)
    best, best_error = grid[0], math.inf
    for penalty in grid:
        errors = []
        for k in range(folds):
            test = splits[k]
            train = np.concatenate([splits[j] for j in range(folds) if j != k])
            if len(set(data.benchmark[train])) < len(data.benchmarks):
                continue
            try:
                fit = fit_progress(data.take(train), penalty=penalty, starts=1, seed=seed)
            except ValueError:
                continue
            errors.append(np.mean((predict(fit, data.take(test)) - data.loss[test]) ** 2))
        if errors and np.mean(errors) < best_error:
            best, best_error = penalty, float(np.mean(errors))
    return best


@dataclass
class ProgressResult:
    fit: ProgressFit
    doubling_months: float
    doubling_interval: tuple[float, float]
    ceg: dict[tuple[str, float], tuple[float, float, float]]   # (innovation, C) -> (value, lo, hi)
    resamples_used: int
    n_results: int
    penalty: float = math.nan


def bootstrap_progress(data: ProgressData, resamples: int = 100, seed: int = 0, penalty: float | None = None,
                       level: float = 0.95, method: str = "batched") -> ProgressResult:
    """Point fit plus percentile intervals from refits on results resampled with replacement.

    penalty=None chooses the L1 strength by cross-validation. method="batched" (the default) refits
    every resample at once (analysis.progress_batch) from two starts, fit_progress's own and the
    full-data fit, keeping the lower cost; method="loop" is the earlier one scipy least_squares
    call per resample, kept for comparison (tests/test_analysis_progress.py). Both draw the same
    resamples for a given seed."""
    if method not in ("batched", "loop"):
        raise ValueError(f"bootstrap method must be 'batched' or 'loop', not {method!r}")
    if penalty is None:
        penalty = choose_penalty(data, seed=seed)
    fit = fit_progress(data, penalty=penalty, seed=seed)
    rng = np.random.default_rng(seed)
    indices = []
    for _ in range(resamples):
        index = rng.integers(0, len(data), len(data))
        if len(set(data.benchmark[index])) < len(data.benchmarks):
            continue  # a resample missing a benchmark cannot estimate its constant
        indices.append(index)
    refits = _refit_batched(data, indices, penalty, fit) if method == "batched" else \
        [fit_progress(data.take(index), penalty=penalty, starts=1, seed=seed) for index in indices]
    used = len(refits)
    doublings = [refit.doubling_time_months for refit in refits]
    cegs = {(name, c): [refit.ceg(k, c) for refit in refits]
            for k, name in enumerate(data.innovations) for c in CEG_REPORT_FLOP}
    tail = (1 - level) / 2 * 100

    def interval(values):
        if len(values) < 10:
            return (math.nan, math.nan)
        finite = np.asarray(values, float)
        finite = finite[np.isfinite(finite)]
        if finite.size < 10:
            return (math.nan, math.nan)
        lo, hi = np.percentile(finite, [tail, 100 - tail])
        return float(lo), float(hi)

    ceg = {}
    for k, name in enumerate(data.innovations):
        for c in CEG_REPORT_FLOP:
            ceg[(name, c)] = (fit.ceg(k, c), *interval(cegs[(name, c)]))
    return ProgressResult(fit, fit.doubling_time_months, interval(doublings), ceg, used, len(data), penalty)


def _refit_batched(data: ProgressData, indices: list[np.ndarray], penalty: float,
                   fit: ProgressFit) -> list[ProgressFit]:
    """All resamples at once, from three starts per resample because the surface is flat along
    year vs compute and has more than one basin: fit_progress's first start (what the loop uses),
    the full-data optimum, and the unpenalised optimum; the lowest penalised cost wins."""
    from analysis import progress_batch  # imported here: progress_batch builds on this module

    if not indices:
        return []
    index = np.array(indices)
    n_bench, n_innov = len(data.benchmarks), len(data.innovations)
    full = np.concatenate([fit.E, [fit.lnA, fit.alpha, fit.lnB, fit.a], fit.gamma, fit.delta])
    cold, cold_cost = progress_batch.fit_many(data, index, penalty)
    warm, warm_cost = progress_batch.fit_many(data, index, penalty, x0=np.tile(full, (len(index), 1)))
    # Third start: the unpenalised optimum from the first start. The smoothed L1 term makes
    # gamma = delta = 0 a local minimum even where a larger gain fits better; a start that has
    # already left zero reaches that other basin (as scipy's trust region sometimes does).
    free, _ = progress_batch.fit_many(data, index, 0.0, max_iter=100)
    away, away_cost = progress_batch.fit_many(data, index, penalty, x0=free)
    candidates, costs = np.stack([cold, warm, away]), np.stack([cold_cost, warm_cost, away_cost])
    pick = np.argmin(np.where(np.isfinite(costs), costs, np.inf), axis=0)
    best = candidates[pick, np.arange(len(index))]
    costs = costs[pick, np.arange(len(index))]
    refits = []
    for p, cost in zip(best, costs):
        refit = _unpack(p, n_bench, n_innov)
        refit.cost = float(cost)
        refits.append(refit)
    return refits
