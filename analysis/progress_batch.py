"""Many refits of the progress model at once: a batched, bound-constrained Levenberg–Marquardt.

The bootstrap in analysis.progress refits the same penalised least-squares problem (see
progress.fit_progress) to hundreds of resamples. One scipy least_squares call per resample spends
almost all its time in per-iteration Python overhead (an 8-parameter problem with ~35 residuals),
so every resample is one row of a stack solved by the batched Levenberg–Marquardt of
analysis/batch_lm.py; this module supplies the stack's residuals, Jacobians and normal equations.

It minimises the same objective from the same start as progress.fit_progress(starts=1) (the same
residuals, penalty, bounds and initial point); batch_lm says when each row stops and how bounds
are kept.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

import math

import numpy as np

from analysis import batch_lm
from analysis.progress import LOG_C0, N_SHARED, YEAR0, ProgressData


def bounds(n_bench: int, n_innov: int) -> tuple[np.ndarray, np.ndarray]:
    lower = np.array([0.0] * n_bench + [-20.0, 0.01, -20.0, -3.0] + [-10.0] * (2 * n_innov))
    upper = np.array([10.0] * n_bench + [40.0, 2.0, 40.0, 3.0] + [10.0] * (2 * n_innov))
    return lower, upper


def cold_starts(data: ProgressData, index: np.ndarray) -> np.ndarray:
    """The first (deterministic) start of fit_progress for each resample: row r of index."""
    n_bench, n_innov = len(data.benchmarks), len(data.innovations)
    loss, bench = data.loss[index], data.benchmark[index]
    # as fit_progress: min(3, the lowest loss on benchmark i) - 0.5, at least 0.1
    e0 = np.column_stack([np.where(bench == i, loss, 3.0).min(axis=1, initial=3.0) for i in range(n_bench)])
    e0 = np.maximum(e0 - 0.5, 0.1)
    alpha0 = 0.3
    shared = np.column_stack([alpha0 * data.log_params[index].mean(axis=1), np.full(index.shape[0], alpha0),
                              alpha0 * data.log_tokens[index].mean(axis=1), np.full(index.shape[0], 0.2)])
    x0 = np.hstack([e0, shared, np.zeros((index.shape[0], 2 * n_innov))])
    lower, upper = bounds(n_bench, n_innov)
    return np.clip(x0, lower + 1e-6, upper - 1e-6)


class _Stack:
    """The resampled data of R problems, gathered once."""

    def __init__(self, data: ProgressData, index: np.ndarray, penalty: float):
        self.n_bench, self.n_innov = len(data.benchmarks), len(data.innovations)
        self.P = self.n_bench + N_SHARED + 2 * self.n_innov
        self.n = index.shape[1]
        self.loss = data.loss[index]
        self.log_params = data.log_params[index]
        self.log_tokens = data.log_tokens[index]
        self.years = data.year[index] - YEAR0
        self.x = data.log_compute[index] - LOG_C0
        self.ind = data.indicators[index]                              # R x n x K
        self.bench = data.benchmark[index]
        self.onehot = (self.bench[:, :, None] == np.arange(self.n_bench)).astype(float)
        self.first_pen = self.n_bench + N_SHARED - 1                   # a, gamma, delta are penalised
        self.sqrt_pen = math.sqrt(penalty)

    def take(self, rows: np.ndarray) -> "_Stack":
        sub = object.__new__(_Stack)
        sub.__dict__.update(self.__dict__)
        for name in ("loss", "log_params", "log_tokens", "years", "x", "ind", "bench", "onehot"):
            setattr(sub, name, getattr(self, name)[rows])
        return sub

    def _terms(self, p: np.ndarray):
        nb, K = self.n_bench, self.n_innov
        lnA, alpha, lnB, a = (p[:, nb + i][:, None] for i in range(N_SHARED))
        gamma, delta = p[:, nb + N_SHARED:nb + N_SHARED + K], p[:, nb + N_SHARED + K:]
        phi = (gamma[:, None, :] + delta[:, None, :] * self.x[:, :, None]) * self.ind
        shift = 0.5 * phi.sum(axis=2)
        ln_n = self.log_params + a * self.years + shift
        ln_d = self.log_tokens + a * self.years + shift
        t1 = np.exp(lnA - alpha * ln_n)
        t2 = np.exp(lnB - alpha * ln_d)
        return alpha, ln_n, ln_d, t1, t2

    def residuals(self, p: np.ndarray) -> np.ndarray:
        _, _, _, t1, t2 = self._terms(p)
        e = np.take_along_axis(p[:, :self.n_bench], self.bench, axis=1)
        theta = p[:, self.first_pen:]
        pen = self.sqrt_pen * np.power(np.square(theta) + 1e-8, 0.25)
        return np.concatenate([e + t1 + t2 - self.loss, pen], axis=1)

    def jacobian(self, p: np.ndarray) -> np.ndarray:
        nb, K, n = self.n_bench, self.n_innov, self.n
        alpha, ln_n, ln_d, t1, t2 = self._terms(p)
        both = -alpha * (t1 + t2)
        R = p.shape[0]
        jac = np.zeros((R, n + self.P - self.first_pen, self.P))
        jac[:, :n, :nb] = self.onehot
        jac[:, :n, nb] = t1
        jac[:, :n, nb + 1] = -t1 * ln_n - t2 * ln_d
        jac[:, :n, nb + 2] = t2
        jac[:, :n, nb + 3] = both * self.years
        base = nb + N_SHARED
        jac[:, :n, base:base + K] = (0.5 * both)[:, :, None] * self.ind
        jac[:, :n, base + K:] = (0.5 * both)[:, :, None] * self.ind * self.x[:, :, None]
        theta = p[:, self.first_pen:]
        m = theta.shape[1]
        jac[:, n + np.arange(m), self.first_pen + np.arange(m)] = \
            self.sqrt_pen * theta / (2.0 * np.power(np.square(theta) + 1e-8, 0.75))
        return jac

    def normal(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(gradient, Gauss-Newton matrix) for analysis.batch_lm."""
        r = self.residuals(p)
        J = self.jacobian(p)
        # matmul, not einsum: the batched products are most of an iteration's time
        g = (r[:, None, :] @ J)[:, 0, :]
        Jd = J[:, :self.n]
        H = Jd.transpose(0, 2, 1) @ Jd
        # The penalty rows' Gauss-Newton curvature vanishes at theta = 0, where the smoothed |theta|
        # is sharpest; its exact (positive) second derivative, lambda/2 * eps / (theta^2 + eps)^1.5,
        # makes the steps converge instead of hopping across zero. Same objective, better model.
        theta = p[:, self.first_pen:]
        m = theta.shape[1]
        H[:, self.first_pen + np.arange(m), self.first_pen + np.arange(m)] += \
            0.5 * self.sqrt_pen ** 2 * 1e-8 / np.power(np.square(theta) + 1e-8, 1.5)
        return g, H


def fit_many(data: ProgressData, index: np.ndarray, penalty: float, x0: np.ndarray | None = None,
             max_iter: int = 3000, ftol: float = 1e-12, gtol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Fit the model to each resample (row of index, R x n). Returns (parameters R x P, cost R),
    cost being half the sum of squared residuals as in scipy."""
    stack = _Stack(data, index, penalty)
    lower, upper = bounds(stack.n_bench, stack.n_innov)
    p = cold_starts(data, index) if x0 is None else np.clip(np.array(x0, float), lower, upper)
    return batch_lm.solve(stack, p, lower, upper, max_iter=max_iter, ftol=ftol, gtol=gtol)
