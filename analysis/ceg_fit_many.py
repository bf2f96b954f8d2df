"""Many series' joint CEG fits at once (the fast path of analysis/ceg_fit.fit_joint).

`cegdb ceg` on a file of many short series spent almost all its time in one scipy least_squares
fit per start per series (1,000 series of 16 runs: 3,000 fits, 10 s), each a 5-parameter problem
whose cost is per-iteration Python overhead. Here every (series, start) pair is one row of a
stack, padded to the longest series of its chunk (padded runs have zero residual and zero
Jacobian), and the batched bounded Levenberg-Marquardt of analysis/batch_lm.py solves a chunk's
rows together; chunks group series of similar length and are bounded in size (CELLS_PER_SOLVE), so
one long series among many short ones costs neither padding nor memory. A series without a trend
parameter (s fixed at 0) has s held where it starts.

Same model, same residuals, same bounds and the same starts as fit_joint; the lowest cost over a
series' starts wins, as there. The solver converges further than least_squares' default
tolerances, so the two agree to the reference's own precision (tests/test_ceg_batch.py). What
follows the optimum (the noise, the covariance from the Jacobian at the optimum) is ceg_fit.finish,
shared with the reference path; a series whose optimum puts treatment runs beyond the baseline's
reach (a censored refit follows) is fitted by the reference path whole, so censored series give
exactly fit_joint's answer.

Pure: numbers in, numbers out.
"""

from __future__ import annotations

import numpy as np

from analysis import batch_lm, ceg_fit

P = 5  # E, ln A', alpha, a, s


class _Stack:
    """R joint-fit problems padded to M runs: x, y, treated and mask are R x M."""

    def __init__(self, x, y, treated, mask, x_t, slope):
        self.x, self.y, self.treated, self.mask = x, y, treated, mask
        self.x_t, self.slope = x_t, slope  # R x 1: the treatment's mean x; 1.0 where s is a parameter

    def take(self, rows: np.ndarray) -> "_Stack":
        return _Stack(self.x[rows], self.y[rows], self.treated[rows], self.mask[rows], self.x_t[rows],
                      self.slope[rows])

    def _terms(self, p):
        e, log_a, alpha, a, s = (p[:, i:i + 1] for i in range(P))
        dx = self.x - self.x_t
        z = self.x + self.treated * (a + self.slope * s * dx)
        u = np.exp(log_a - alpha * z)
        return e, alpha, dx, z, u, e + u

    def residuals(self, p: np.ndarray) -> np.ndarray:
        *_, d = self._terms(p)
        return (np.log(d) - self.y) * self.mask

    def jacobian(self, p: np.ndarray) -> np.ndarray:
        """R x M x P, the columns of ceg_fit._jacobian; zero on padded runs and in s where s is fixed."""
        _, alpha, dx, z, u, d = self._terms(p)
        w = self.mask / d
        t = self.treated * (-alpha * u * w)
        return np.stack([w, u * w, -z * u * w, t, t * dx * self.slope], axis=2)

    def normal(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = self.residuals(p)
        J = self.jacobian(p)
        Jt = J.transpose(0, 2, 1)
        return (Jt @ r[:, :, None])[:, :, 0], Jt @ J


# Rows x padded runs per solve: bounds the stack (its Jacobian is 5 floats a cell, 10 MB here) and the
# padding, whatever the mix of long and short series; series are solved in order of length.
CELLS_PER_SOLVE = 250_000


def fit_joint_many(jobs: list[tuple[list[ceg_fit.Run], list[ceg_fit.Run], bool, tuple[float, int] | None]],
                   ) -> list[ceg_fit.JointFit | ValueError]:
    """fit_joint(baseline, treatment, slope_free, noise) for each job, all fitted together.
    A series whose fit fails gets the ValueError fit_joint would have raised, in its place."""
    problems = [ceg_fit.problem(b, t, slope_free) for b, t, slope_free, _ in jobs]
    rows = sorted(((prob.y.size, k, start) for k, prob in enumerate(problems) for start in prob.starts),
                  key=lambda row: (row[0], row[1]))
    best: dict[int, tuple[float, np.ndarray, np.ndarray]] = {}  # series -> (cost, params, Jacobian)
    begin = 0
    while begin < len(rows):
        # the longest run count decides the padding: take rows while the chunk stays within budget
        end = begin + 1
        while end < len(rows) and (end + 1 - begin) * rows[end][0] <= CELLS_PER_SOLVE:
            end += 1
        _solve_chunk(problems, rows[begin:end], best)
        begin = end
    out: list[ceg_fit.JointFit | ValueError] = []
    for k, (prob, (_, _, _, noise)) in enumerate(zip(problems, jobs)):
        if k not in best:
            out.append(ValueError("the joint fit failed from every start"))
            continue
        cost, params, jac = best[k]
        p, n = len(prob.lower), prob.y.size
        try:
            if ceg_fit.censors(prob, params[:p]):
                # Censored series take the reference path whole: the censored (Tobit) refit starts from
                # this optimum, and in such ill-posed series (runs past the baseline's reach) the two
                # solvers can end in different local minima. They are few, and the refit is scipy's anyway.
                out.append(ceg_fit.fit_joint(*jobs[k]))
            else:
                out.append(ceg_fit.finish(prob, params[:p], cost, jac[:n, :p], noise))
        except ValueError as exc:  # as fit_joint raises it
            out.append(exc)
    return out


def _solve_chunk(problems: list[ceg_fit.Problem], rows: list[tuple[int, int, np.ndarray]],
                 best: dict[int, tuple[float, np.ndarray, np.ndarray]]) -> None:
    """Solve rows (run count, series, start) together; keep each series' lowest cost in `best`,
    the first of equal costs as fit_joint's loop does (rows come in start order within a series)."""
    R, M = len(rows), max(n for n, _, _ in rows)
    x, y = np.zeros((R, M)), np.zeros((R, M))
    treated, mask = np.zeros((R, M)), np.zeros((R, M))
    x_t, slope = np.zeros((R, 1)), np.zeros((R, 1))
    p0, lower, upper = np.zeros((R, P)), np.zeros((R, P)), np.zeros((R, P))
    for i, (n, k, start) in enumerate(rows):
        prob = problems[k]
        x[i, :n], y[i, :n], treated[i, :n], mask[i, :n] = prob.x, prob.y, prob.treated, 1.0
        x_t[i], slope[i] = prob.x_t, float(prob.slope_free)
        p0[i, :len(start)], lower[i, :len(start)], upper[i, :len(start)] = start, prob.lower, prob.upper
    fixed = np.zeros((R, P), bool)
    fixed[:, 4] = slope[:, 0] == 0
    stack = _Stack(x, y, treated, mask, x_t, slope)
    params, cost = batch_lm.solve(stack, p0, lower, upper, fixed=fixed)
    jac = stack.jacobian(params)
    for i, (n, k, _) in enumerate(rows):
        if np.isfinite(cost[i]) and (k not in best or cost[i] < best[k][0]):
            best[k] = (float(cost[i]), params[i].copy(), jac[i, :n].copy())  # copies: the chunk is freed
