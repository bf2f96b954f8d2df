"""Many small nonlinear least-squares problems at once: a batched, bound-constrained Levenberg–Marquardt.

One scipy least_squares call per problem spends almost all its time in per-iteration Python
overhead when the problem is small (a handful of parameters, a few dozen residuals). Here every
problem is one row of a stack and each iteration is a handful of numpy operations over the whole
stack: residuals (R x M), gradients (R x P), Gauss-Newton matrices (R x P x P) and R damped
normal-equation solves of P x P. Used by the progress bootstrap (analysis/progress_batch.py) and
the CEG engine's joint fits of many series (analysis/ceg_fit.py, fit_joint_many).

A problem is an object with
    take(rows)          the same problem restricted to those rows (the rows still iterating);
    residuals(p)        R x M residuals at parameters p (R x P);
    normal(p)           (gradient J^T r, R x P; Gauss-Newton matrix, R x P x P) at p.

Each row stops on its own when the cost no longer falls (relative change below ftol over an
accepted step), the projected gradient vanishes, or the iteration budget is spent. Bounds (one
pair for all rows, or one per row) are handled by an active set: a parameter at a bound whose
gradient pushes outward is held there for that step, and every trial point is clipped into the
box. `fixed` (R x P) holds parameters where they start (a model without that parameter).

Pure: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np


def solve(problem, p0: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, fixed: np.ndarray | None = None,
          max_iter: int = 3000, ftol: float = 1e-12, gtol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """Minimise half the sum of squared residuals of each row from p0 (R x P) within the bounds.
    Returns (parameters R x P, cost R), cost being half the sum of squared residuals as in scipy."""
    p = np.array(p0, float)
    R, P = p.shape
    lower = np.broadcast_to(np.asarray(lower, float), (R, P))
    upper = np.broadcast_to(np.asarray(upper, float), (R, P))
    fixed = np.zeros((R, P), bool) if fixed is None else np.broadcast_to(fixed, (R, P))
    with np.errstate(over="ignore", invalid="ignore"):
        cost = 0.5 * np.square(problem.residuals(p)).sum(axis=1)
    # A start where the model cannot be evaluated is left where it is, with an infinite cost.
    cost = np.where(np.isfinite(cost), cost, np.inf)
    lam = np.full(R, 1e-3)
    active = np.flatnonzero(np.isfinite(cost))
    eye = np.eye(P)
    for _ in range(max_iter):
        if active.size == 0:
            break
        with np.errstate(over="ignore", invalid="ignore"):  # an overflowing trial is just rejected
            active = _iterate(problem, active, p, cost, lam, lower, upper, fixed, eye, R, ftol, gtol)
    return p, cost


def _iterate(problem, active, p, cost, lam, lower, upper, fixed, eye, R, ftol, gtol):
    """One damped step for every active row; updates p, cost, lam in place, returns the rows
    still active."""
    sub = problem.take(active) if active.size < R else problem
    pa, ca, la = p[active], cost[active], lam[active]
    lo, hi = lower[active], upper[active]
    g, H = sub.normal(pa)
    # Active set: a parameter sitting on a bound with the gradient pushing it out stays put.
    held = ((pa <= lo + 1e-12) & (g > 0)) | ((pa >= hi - 1e-12) & (g < 0)) | fixed[active]
    g_free = np.where(held, 0.0, g)
    done = np.abs(g_free).max(axis=1) < gtol
    free = ~held
    H = H * (free[:, :, None] & free[:, None, :]) + eye * held[:, :, None]
    diag = np.maximum(np.einsum("rpp->rp", H), 1e-12)
    A = H + (la[:, None] * diag)[:, :, None] * eye
    try:
        step = -np.linalg.solve(A, g_free[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # one singular system stops numpy's whole batch
        step = -(np.linalg.pinv(A) @ g_free[:, :, None])[:, :, 0]
    trial = np.clip(pa + step, lo, hi)
    trial_cost = 0.5 * np.square(sub.residuals(trial)).sum(axis=1)
    better = np.isfinite(trial_cost) & (trial_cost < ca)
    small = better & (ca - trial_cost <= ftol * ca)
    p[active] = np.where(better[:, None], trial, pa)
    cost[active] = np.where(better, trial_cost, ca)
    lam[active] = np.where(better, np.maximum(la / 3.0, 1e-12), np.minimum(la * 4.0, 1e12))
    # A row stops when the cost has stopped falling, the gradient is gone, or damping cannot
    # find any descent (lambda at its ceiling: a point no step improves).
    stop = done | small | (~better & (la >= 1e12))
    return active[~stop]
