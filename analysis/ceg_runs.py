"""Compute-equivalent gains of one series (one sweep) of training runs: per-run CEGs, (a), (b), the class.

Default method, "frontier" (analysis/ceg_fit.py): each arm's frontier (replicate seeds averaged,
runs beaten by a run with less compute left out), both arms fitted jointly with
L_t(C) = L_b(g(C) C), L_b = E + A C^-alpha, ln g = a + s (ln C - x_t). (a) is g at the treatment's
smallest compute with its interval, (b) the interval of s; intervals carry both arms' noise,
estimated from the scatter around the fit. A trend needs runs at 3+ compute levels in both arms.

Each treatment run is also placed on the baseline's frontier, for the tables and charts:

* Inside the baseline's measured losses: ln C interpolated linearly in ln L between neighbouring
  frontier points (monotone: the frontier's loss falls with compute).
* Beyond them: the jointly fitted baseline law, anchored at the end point of the curve
  (C_b = C_end * C_fit(L) / C_fit(L_end), so the two meet), flagged `extrapolated`, at most
  MAX_EXTRAPOLATION_DECADES past the measured range. With baseline runs at under 3 compute levels
  there is no law and no extrapolation at all (never a straight log-log line, which would assume
  E = 0): two runs per arm give within-scale gains only.
* Censored where it cannot be placed: ">" when the baseline does not reach the treatment's loss
  within reach; the value is the lower bound at the reach (the baseline's largest compute plus the
  extrapolation limit, over C). "<" symmetrically below the baseline's smallest run.
* Interval of a placed run: its loss moved by t * sigma * sqrt(2) either way (its own noise and
  the baseline's at that loss, sigma each) and placed again; none without a noise estimate.

Alternative method, "recipe" (series_ceg_recipe): the engine's earlier placement of every treatment
run on the baseline runs of its series, whatever its tokens per parameter, with bootstrap
intervals over runs. Kept, labelled, for comparison (`cegdb ceg --method recipe`).

Everything here is pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from analysis import ceg_fit, ceg_nd
from analysis import classify as cls
from analysis.ceg import PowerLawFit

MAX_EXTRAPOLATION_DECADES = 1.0
MIN_RESAMPLES_FOR_INTERVAL = 10
# Below this many compute levels in either arm a bootstrap over runs cannot see their noise.
MIN_LEVELS_FOR_BOOTSTRAP = 3


@dataclass(frozen=True)
class RunPoint:
    compute_flop: float
    loss: float
    id: int | None = None
    evidence: str | None = None
    parameters: float | None = None
    tokens: float | None = None


@dataclass
class RunCeg:
    compute_flop: float
    loss: float
    ceg: float
    lower: float | None = None
    upper: float | None = None
    censored: str = ""
    extrapolated: bool = False
    baseline_compute_flop: float | None = None
    run_id: int | None = None
    evidence: str | None = None
    on_frontier: bool = True


@dataclass
class SeriesCeg:
    points: list[RunCeg]
    slope: float | None
    slope_lower: float | None
    slope_upper: float | None
    classification: cls.Classification
    baseline_fit: PowerLawFit | None
    resamples_used: int = 0
    baseline_ids: tuple[int, ...] = ()
    model_implied: bool = False
    extra: dict = field(default_factory=dict)
    method: str = "frontier"
    decades: float = 0.0
    off_frontier: tuple[int, ...] = ()
    compute_small: float | None = None
    gain_small: float | None = None
    gain_small_lower: float | None = None
    gain_small_upper: float | None = None
    gain_small_censored: str = ""
    sigma: float | None = None
    df: int | None = None
    n_censored: int = 0
    rss: float | None = None
    n_params: int | None = None
    n_fit_runs: tuple[int, int] | None = None  # (baseline, treatment) frontier runs in the joint fit
    notes: list[str] = field(default_factory=list)

    @property
    def trend(self) -> str:
        return self.classification.trend

    @property
    def compute_class(self) -> str:
        return self.classification.compute_class


# --- the baseline's curve -------------------------------------------------------------------------

@dataclass(frozen=True)
class BaselineCurve:
    # Plain lists, not arrays: a curve has a handful of points, and the bootstrap builds
    # thousands of curves, where numpy's per-call overhead would dominate.
    log_compute: list[float]  # increasing
    log_loss: list[float]     # strictly decreasing
    fit: PowerLawFit | None

    @property
    def compute_min(self) -> float:
        return math.exp(self.log_compute[0])

    @property
    def compute_max(self) -> float:
        return math.exp(self.log_compute[-1])


def _pava_non_increasing(y: list[float], w: list[float]) -> list[float]:
    """Weighted least-squares non-increasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value, weight in zip(y, w):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return [m for m, _, n in blocks for _ in range(int(n))]


def monotone_curve(compute, loss) -> tuple[list[float], list[float]]:
    """(ln C increasing, ln L strictly decreasing): runs averaged per compute, PAVA, flat runs kept
    at their first (smallest) compute, since that is where the curve first reaches the loss."""
    sums: dict[float, list[float]] = {}
    for c, value in zip(compute, loss):
        entry = sums.setdefault(float(c), [0.0, 0.0])
        entry[0] += float(value)
        entry[1] += 1.0
    cs = sorted(sums)
    y = _pava_non_increasing([sums[c][0] / sums[c][1] for c in cs], [sums[c][1] for c in cs])
    log_c, log_l = [], []
    for c, value in zip(cs, y):
        if not log_l or value < math.exp(log_l[-1]) * (1 - 1e-12):
            log_c.append(math.log(c))
            log_l.append(math.log(value))
    return log_c, log_l


def _refit(compute, loss, start: PowerLawFit) -> PowerLawFit | None:
    """A bootstrap resample's fit: E kept from the full fit, ln(L - E) = ln A - alpha ln C by least
    squares. Linear, so a thousand resamples cost milliseconds, and alpha and A still vary."""
    pairs = [(math.log(c), math.log(v - start.E)) for c, v in zip(compute, loss) if v > start.E]
    if len({x for x, _ in pairs}) < 3:
        return None
    x_bar = sum(x for x, _ in pairs) / len(pairs)
    y_bar = sum(y for _, y in pairs) / len(pairs)
    alpha = -sum((x - x_bar) * (y - y_bar) for x, y in pairs) / sum((x - x_bar) ** 2 for x, _ in pairs)
    if not 0 < alpha <= 5:
        return None
    log_a = y_bar + alpha * x_bar
    return PowerLawFit(start.E, math.exp(min(log_a, 700.0)), alpha, float(min(compute)), float(max(compute)))


def _loglinear(log_c: np.ndarray, loss: np.ndarray, e: float) -> tuple[float, float]:
    """(alpha, ln A) of ln(L - E) = ln A - alpha ln C by least squares, for a given E."""
    y = np.log(loss - e)
    xc = log_c - log_c.mean()
    alpha = -float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    return alpha, float(y.mean() + alpha * log_c.mean())


def fit_baseline_law(compute, loss) -> PowerLawFit | None:
    """L = E + A C^-alpha by profiling E: for each E the rest is a linear fit of ln(L - E) on ln C,
    and E (between 0 and just under the smallest loss) minimises the squared error in L. One
    bounded scalar search instead of the many-start nonlinear fit of analysis/ceg.py: a sweep of
    a few dozen runs fits in about a millisecond. None when the runs sit at under 3 compute
    levels or the loss does not fall with compute."""
    from scipy.optimize import minimize_scalar

    c = np.asarray(compute, float)
    y = np.asarray(loss, float)
    if np.unique(c).size < 3:
        return None
    log_c = np.log(c)
    top = float(y.min()) * (1 - 1e-6)

    def sse(e: float) -> float:
        alpha, log_a = _loglinear(log_c, y, e)
        return float(np.sum((e + np.exp(log_a - alpha * log_c) - y) ** 2))

    best = minimize_scalar(sse, bounds=(0.0, top), method="bounded", options={"xatol": top * 1e-6})
    e = float(best.x)
    alpha, log_a = _loglinear(log_c, y, e)
    if not 0 < alpha <= 5:
        return None
    return PowerLawFit(e, math.exp(min(log_a, 700.0)), alpha, float(c.min()), float(c.max()))


def baseline_curve(compute, loss, fit: PowerLawFit | None = None, start: PowerLawFit | None = None,
                   ) -> BaselineCurve:
    log_c, log_l = monotone_curve(compute, loss)
    if fit is None and start is not None:
        fit = _refit(compute, loss, start)
    elif fit is None:
        fit = fit_baseline_law(compute, loss)
    return BaselineCurve(log_c, log_l, fit)


def _log_compute_for_loss(fit: PowerLawFit, loss: float) -> float:
    return -math.log((loss - fit.E) / fit.A) / fit.alpha


def place(curve: BaselineCurve, loss: float) -> tuple[float, str, bool]:
    """(baseline compute reaching `loss`, censoring, extrapolated) on one baseline curve."""
    x, y, target = curve.log_compute, curve.log_loss, math.log(loss)
    if y[-1] <= target <= y[0]:
        if len(x) == 1:
            return math.exp(x[0]), "", False
        from bisect import bisect_left  # (here, not at the top: keeps this edit apart from the imports)

        # the first point at or below the target loss, by binary search on the decreasing curve: a
        # scan from the start made `cegdb ceg` quadratic (16k rows: 99.7 s; issue 18)
        k = bisect_left(y, -target, 1, len(y) - 1, key=lambda v: -v)
        share = (y[k - 1] - target) / (y[k - 1] - y[k])
        return math.exp(x[k - 1] + share * (x[k] - x[k - 1])), "", False
    fit = curve.fit
    reach = MAX_EXTRAPOLATION_DECADES * math.log(10)
    if target < y[-1]:  # the treatment is better than the baseline's best run
        step = _steps_beyond(curve, loss, math.exp(y[-1]), end=True)
        if step is not None and 0 <= step <= reach:
            return math.exp(x[-1] + step), "", True
        # a lower bound at the real reach: the extrapolation limit when there is a law to extrapolate
        return math.exp(x[-1] + (reach if fit is not None else 0.0)), ">", False
    # the treatment is worse than the baseline's smallest run
    step = _steps_beyond(curve, loss, math.exp(y[0]), end=False)
    if step is not None and 0 <= step <= reach:
        return math.exp(x[0] - step), "", True
    return math.exp(x[0] - (reach if fit is not None else 0.0)), "<", False


def _steps_beyond(curve: BaselineCurve, loss: float, edge_loss: float, end: bool) -> float | None:
    """How far (in ln C) past the curve's end (or before its start) the fitted law reaches `loss`;
    None without a fitted law (runs at under 3 compute levels): no extrapolation then, since a
    straight log-log line through two runs assumes an irreducible loss of zero."""
    fit = curve.fit
    if fit is None or loss <= fit.E or edge_loss <= fit.E:
        return None
    gap = _log_compute_for_loss(fit, loss) - _log_compute_for_loss(fit, edge_loss)
    return gap if end else -gap


# --- a series: the frontier method (default) -------------------------------------------------------

def _ols_slope(log_c, log_ceg) -> float | None:
    n = len(log_c)
    if n < 2:
        return None
    x_bar, y_bar = sum(log_c) / n, sum(log_ceg) / n
    sxx = sum((x - x_bar) ** 2 for x in log_c)
    if sxx <= 1e-18:
        return None
    return sum((x - x_bar) * (y - y_bar) for x, y in zip(log_c, log_ceg)) / sxx


def _percentile(values: list[float], level: float) -> tuple[float | None, float | None]:
    if len(values) < MIN_RESAMPLES_FOR_INTERVAL:
        return None, None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _check(baseline: list[RunPoint], treatment: list[RunPoint]) -> None:
    if not baseline:
        raise ValueError("no baseline runs in the series")
    if not treatment:
        raise ValueError("no treatment runs in the series")
    for run in (*baseline, *treatment):
        if not (run.compute_flop > 0 and run.loss > 0 and math.isfinite(run.compute_flop)
                and math.isfinite(run.loss)):
            raise ValueError(f"run {run.id}: compute and loss must be positive numbers")


def _levels(runs) -> int:
    return len({r.compute_flop for r in runs})


def series_ceg(baseline: list[RunPoint], treatment: list[RunPoint], *, bootstrap: int = 200, seed: int = 0,
               level: float = 0.95, method: str = "frontier", noise: tuple[float, int] | None = None) -> SeriesCeg:
    """One series: each treatment run's CEG, (a) the gain at the smallest compute, (b) the trend, the class.

    method "frontier" (default): both arms' frontiers fitted jointly (analysis/ceg_fit.py).
    method "recipe": the earlier recipe-path placement, kept as a labelled alternative: every
    treatment run placed on the baseline's runs of its series, intervals by bootstrap."""
    if method == "recipe":
        return series_ceg_recipe(baseline, treatment, bootstrap=bootstrap, seed=seed, level=level)
    if method != "frontier":
        raise ValueError(f"unknown method {method!r} (frontier | recipe)")
    _check(baseline, treatment)
    arms = _frontiers(baseline, treatment)
    fit: ceg_fit.JointFit | ValueError | None = None
    if arms.slope_free is not None:
        try:
            fit = ceg_fit.fit_joint(arms.base_front, arms.used, arms.slope_free, noise)
        except ValueError as exc:
            fit = exc
    return _frontier_result(baseline, treatment, arms, fit, seed)


def series_ceg_many(pairs: list[tuple[list[RunPoint], list[RunPoint]]], *, bootstrap: int = 200, seed: int = 0,
                    level: float = 0.95, method: str = "frontier") -> list[SeriesCeg]:
    """series_ceg of each (baseline, treatment) pair, with all the pairs' joint fits solved together
    (analysis/ceg_fit_many.py): the same results to the solver's precision, at a small fraction of
    the time when there are many series. A series' bad input raises SeriesError naming its index."""
    if method != "frontier":
        out = []
        for k, (baseline, treatment) in enumerate(pairs):
            try:
                out.append(series_ceg(baseline, treatment, bootstrap=bootstrap, seed=seed, level=level,
                                      method=method))
            except ValueError as exc:
                raise SeriesError(k, str(exc)) from None
        return out
    from analysis import ceg_fit_many  # here: only the many-series path needs the batched solver

    arms = []
    for k, (baseline, treatment) in enumerate(pairs):
        try:
            _check(baseline, treatment)
        except ValueError as exc:
            raise SeriesError(k, str(exc)) from None
        arms.append(_frontiers(baseline, treatment))
    fitted = [k for k, a in enumerate(arms) if a.slope_free is not None]
    fits: list = [None] * len(pairs)
    for k, fit in zip(fitted, ceg_fit_many.fit_joint_many(
            [(arms[k].base_front, arms[k].used, arms[k].slope_free, None) for k in fitted])):
        fits[k] = fit
    out = []
    for k, ((baseline, treatment), a, fit) in enumerate(zip(pairs, arms, fits)):
        try:
            out.append(_frontier_result(baseline, treatment, a, fit, seed))
        except ValueError as exc:  # as series_ceg would raise it, named by its series
            raise SeriesError(k, str(exc)) from None
    return out


class SeriesError(ValueError):
    """Bad input in one series of many: `index` is its position in the list given."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


@dataclass
class _Arms:
    """One series' frontiers, and what the joint fit gets (slope_free None: no joint fit)."""
    base_front: list[ceg_fit.Run]
    treat_front: list[ceg_fit.Run]
    used: list[ceg_fit.Run]
    off_ids: set
    levels_b: int
    levels_t: int
    slope_free: bool | None


def _frontiers(baseline: list[RunPoint], treatment: list[RunPoint]) -> _Arms:
    def as_run(r: RunPoint) -> ceg_fit.Run:
        return ceg_fit.Run(r.compute_flop, r.loss, r.parameters, r.tokens, r.id)

    base_front, _ = ceg_fit.frontier([as_run(r) for r in baseline])
    treat_front, treat_off = ceg_fit.frontier([as_run(r) for r in treatment])
    levels_b, levels_t = _levels(base_front), _levels(treat_front)
    slope_free, used = None, treat_front
    if levels_b >= ceg_fit.MIN_LEVELS_FOR_TREND:
        slope_free = levels_t >= ceg_fit.MIN_LEVELS_FOR_TREND
        smallest = min(r.compute_flop for r in treat_front)
        used = treat_front if slope_free else [r for r in treat_front if r.compute_flop == smallest]
    return _Arms(base_front, treat_front, used, {r.id for r in treat_off}, levels_b, levels_t, slope_free)


def _frontier_result(baseline: list[RunPoint], treatment: list[RunPoint], arms: _Arms,
                     fit: ceg_fit.JointFit | ValueError | None, seed: int) -> SeriesCeg:
    """series_ceg's result from the series' frontiers and its joint fit (or the fit's failure)."""
    base_front, treat_front, used, off_ids = arms.base_front, arms.treat_front, arms.used, arms.off_ids
    levels_b, levels_t = arms.levels_b, arms.levels_t
    notes = []
    if isinstance(fit, ValueError):
        notes.append(f"joint fit failed ({fit}): treated as a series without a fitted law")
        fit = None
    log_c, log_l = monotone_curve([r.compute_flop for r in base_front], [r.loss for r in base_front])
    law = None
    if fit is not None:
        e, log_a, alpha = (float(v) for v in fit.params[:3])
        law = PowerLawFit(e, math.exp(min(log_a + alpha * fit.x_ref, 700.0)), alpha, *fit.base_c)
    curve = BaselineCurve(log_c, log_l, law)

    points = []
    band = fit.quantile() * fit.sigma * math.sqrt(2) if fit is not None and fit.sigma else None
    for run in treatment:
        needed, censored, extrapolated = place(curve, run.loss)
        point = RunCeg(run.compute_flop, run.loss, needed / run.compute_flop, censored=censored,
                       extrapolated=extrapolated, baseline_compute_flop=needed, run_id=run.id,
                       evidence=run.evidence, on_frontier=run.id not in off_ids if run.id is not None else True)
        if band is not None and not censored:
            # the treatment run's own noise and the baseline's at that loss, sigma each (stated)
            point.lower = place(curve, run.loss * math.exp(band))[0] / run.compute_flop
            point.upper = place(curve, run.loss * math.exp(-band))[0] / run.compute_flop
        points.append(point)

    model_implied = any(r.evidence == "model-implied" for r in (*baseline, *treatment))
    computes = [r.compute_flop for r in (*base_front, *treat_front)]
    decades = math.log10(max(computes) / min(computes))
    result = SeriesCeg(points, None, None, None, cls.Classification(cls.UNDETERMINED), law, 0,
                       tuple(r.id for r in baseline if r.id is not None), model_implied, method="frontier",
                       decades=decades, off_frontier=tuple(sorted(i for i in off_ids if i is not None)))
    if fit is not None:
        result.sigma, result.df = fit.sigma, fit.df
        result.rss, result.n_params = fit.rss, fit.n_params
        result.n_fit_runs = (len(base_front), len(used))
        result.compute_small = min(r.compute_flop for r in treat_front)
        result.gain_small, result.gain_small_lower, result.gain_small_upper = fit.gain(result.compute_small)
        result.slope, result.slope_lower, result.slope_upper = fit.slope()
        result.n_censored = len(fit.censored)
        # (a) elsewhere in the treatment's measured range, for pooling series at a common compute;
        # only where the fit has a trend (with s fixed at 0 it describes the smallest level alone)
        result.extra["gain_at"] = fit.gain if fit.slope_free else None
        result.extra["treatment_range"] = (min(r.compute_flop for r in treat_front),
                                           max(r.compute_flop for r in treat_front))
        where = ("pooled over the release's series" if fit.noise_source == "release"
                 else f"from the scatter of {fit.n_runs} frontier runs around the joint fit")
        noise = (f"noise {fit.sigma_raw * 100:.2g}% per run in loss {where} ({fit.df} degrees of freedom"
                 + (f", floored at {ceg_fit.SIGMA_FLOOR * 100:g}%" if fit.sigma_raw < ceg_fit.SIGMA_FLOOR else "")
                 + ")" if fit.sigma is not None else "no noise estimate (no residual degrees of freedom)")
        notes.append(noise)
        if fit.censored:
            notes.append(f"{len(fit.censored)} treatment run(s) beyond the baseline's reach "
                         f"({ceg_fit.REACH_DECADES:g} decade past its runs) enter as censored")
        if fit.slope_free and fit.own_df < ceg_fit.MIN_OWN_DF_FOR_TREND:
            notes.append(f"{fit.n_runs} frontier runs for {fit.n_params} parameters ({fit.own_df} residual degree(s) "
                         f"of freedom): no trend interval (needs {ceg_fit.MIN_OWN_DF_FOR_TREND})")
        if not fit.slope_free:
            notes.append(f"treatment runs at {levels_t} compute level(s): the gain at its smallest compute only, "
                         f"no trend (a trend needs {ceg_fit.MIN_LEVELS_FOR_TREND}+ levels in both arms)")
    else:
        smallest = min(treat_front, key=lambda r: r.compute_flop)
        first = next(p for p in points if p.run_id == smallest.id and p.compute_flop == smallest.compute_flop) \
            if smallest.id is not None else min(points, key=lambda p: p.compute_flop)
        result.compute_small, result.gain_small = first.compute_flop, first.ceg
        result.gain_small_censored = first.censored
        notes.append(f"baseline runs at {levels_b} compute level(s): within-scale gains only, no fitted law, "
                     f"no extrapolation, no noise estimate, no trend (a trend needs "
                     f"{ceg_fit.MIN_LEVELS_FOR_TREND}+ levels in both arms)")
    if off_ids:
        notes.append(f"{len(off_ids)} treatment run(s) off the frontier (beaten by a run with less compute): not used")
    if ceg_nd.varies_n_and_d(baseline) and ceg_nd.varies_n_and_d(treatment):
        _along_optimal_allocation(result, baseline, treatment, notes, seed)
    result.notes = notes
    result.classification = classify_series(result)
    return result


def _along_optimal_allocation(result: SeriesCeg, baseline, treatment, notes: list[str], seed: int) -> None:
    """A release that varies N and D separately: (a) and (b) from L(N, D) per arm, along each arm's
    compute-optimal allocation (analysis/ceg_nd.py), in place of the frontier's."""
    baseline, treatment = ([r for r in arm if r.parameters and r.tokens] for arm in (baseline, treatment))
    try:
        fits = [ceg_nd.fit_nd([r.parameters for r in arm], [r.tokens for r in arm], [r.loss for r in arm])
                for arm in (baseline, treatment)]
        computes = [r.compute_flop for r in treatment]
        nd = ceg_nd.nd_ceg(*fits, min(computes), max(computes), seed=seed)
    except (ValueError, np.linalg.LinAlgError, OverflowError) as exc:
        notes.append(f"L(N, D) fit not used: {exc}")
        return
    result.method = "frontier, L(N, D)"
    result.extra["gain_at"] = None  # the frontier fit's gain no longer answers (a)
    result.compute_small = nd.compute_small
    result.gain_small, result.gain_small_lower, result.gain_small_upper = \
        nd.gain_small, nd.gain_small_lower, nd.gain_small_upper
    enough = all(len(arm) - 5 >= ceg_fit.MIN_OWN_DF_FOR_TREND for arm in (baseline, treatment))
    result.slope = nd.slope
    result.slope_lower, result.slope_upper = (nd.slope_lower, nd.slope_upper) if enough else (None, None)
    notes.append(f"N and D varied separately: (a) and (b) along each arm's compute-optimal allocation from "
                 f"L(N, D) = E + A N^-a + B D^-b per arm, intervals from a residual bootstrap ({nd.draws_used} refits) "
                 f"(the per-run rows stay on the frontier)")


def classify_series(result: SeriesCeg) -> cls.Classification:
    """(a), (b) and the class of one series (model-implied series are described, never classed)."""
    gain = cls.gain_of(result.gain_small_lower, result.gain_small_upper)
    trend = cls.trend_of(result.slope_lower, result.slope_upper)
    klass = cls.class_of(gain, trend)
    gain_text = (result.gain_small_censored or "") + cls.fmt_interval(
        result.gain_small, result.gain_small_lower, result.gain_small_upper) if result.gain_small else "none"
    if result.compute_small:
        gain_text += f" at {result.compute_small:.2g} FLOP"
    slope_text = cls.fmt_interval(result.slope, result.slope_lower, result.slope_upper, sign=True)
    why = cls.explain(gain, trend, klass, gain_text, slope_text)
    if klass not in cls.NO_CLASS and result.decades < cls.MIN_CLASS_DECADES:
        klass = cls.UNDETERMINED
        why += f"; but the runs span {result.decades:.2f} decades (a class needs {cls.MIN_CLASS_DECADES:g})"
    if result.model_implied:
        klass = cls.INSUFFICIENT
        why += "; model-implied runs: shown, never the basis of a class"
    exact = sorted((p for p in result.points if not p.censored), key=lambda p: p.compute_flop)
    return cls.Classification(
        klass, result.slope, result.slope_lower, result.slope_upper, len(result.points),
        exact[0].compute_flop if exact else None, exact[-1].compute_flop if exact else None,
        exact[0].ceg if exact else None, exact[-1].ceg if exact else None,
        tuple(p.run_id for p in result.points if p.run_id is not None),
        "; ".join([why, *result.notes]), tentative=result.decades < cls.MIN_DECADES and klass not in cls.NO_CLASS,
        n_groups=1, pivot_compute_flop=result.compute_small, pivot_ceg=result.gain_small,
        gain_small=result.gain_small, gain_small_lower=result.gain_small_lower,
        gain_small_upper=result.gain_small_upper, compute_small=result.compute_small, trend=trend)


# --- a series: the recipe-path method (labelled alternative) -----------------------------------------

def series_ceg_recipe(baseline: list[RunPoint], treatment: list[RunPoint], *, bootstrap: int = 200,
                      seed: int = 0, level: float = 0.95) -> SeriesCeg:
    """Every treatment run placed on its series' baseline runs, whatever its recipe (the engine's method
    before the frontier one; an alternative, not the default). Intervals: percentile bootstrap over runs."""
    _check(baseline, treatment)
    base_c = np.array([r.compute_flop for r in baseline])
    base_l = np.array([r.loss for r in baseline])
    curve = baseline_curve(base_c, base_l)
    points = []
    for run in treatment:
        needed, censored, extrapolated = place(curve, run.loss)
        points.append(RunCeg(run.compute_flop, run.loss, needed / run.compute_flop, censored=censored,
                             extrapolated=extrapolated, baseline_compute_flop=needed, run_id=run.id,
                             evidence=run.evidence))

    rng = np.random.default_rng(seed)
    base_c_list, base_l_list = base_c.tolist(), base_l.tolist()
    treat_c = [r.compute_flop for r in treatment]
    treat_l = [r.loss for r in treatment]
    log_treat_c = [math.log(c) for c in treat_c]
    per_point: list[list[float]] = [[] for _ in treatment]
    slopes: list[float] = []
    used = 0
    draws_b = rng.integers(0, len(baseline), (bootstrap, len(baseline))).tolist()
    draws_t = rng.integers(0, len(treatment), (bootstrap, len(treatment))).tolist()
    for ib, it in zip(draws_b, draws_t):
        resampled = baseline_curve([base_c_list[i] for i in ib], [base_l_list[i] for i in ib],
                                   start=curve.fit) if curve.fit else \
            BaselineCurve(*monotone_curve([base_c_list[i] for i in ib], [base_l_list[i] for i in ib]), None)
        used += 1
        placed = [place(resampled, value) for value in treat_l]
        for k, (needed, censored, _) in enumerate(placed):
            if not censored:
                per_point[k].append(needed / treat_c[k])
        keep = [k for k in it if not placed[k][1]]
        slope = _ols_slope([log_treat_c[k] for k in keep],
                           [math.log(placed[k][0]) - log_treat_c[k] for k in keep])
        if slope is not None:
            slopes.append(slope)
    for point, samples in zip(points, per_point):
        if not point.censored:
            point.lower, point.upper = _percentile(samples, level)
            if point.lower is not None and point.upper is not None and point.upper <= point.lower:
                point.lower = point.upper = None  # a resampling that cannot move the point has no interval

    model_implied = any(r.evidence == "model-implied" for r in (*baseline, *treatment))
    exact = sorted((p for p in points if not p.censored), key=lambda p: p.compute_flop)
    slope = _ols_slope([math.log(p.compute_flop) for p in exact], [math.log(p.ceg) for p in exact])
    lower, upper = _percentile(slopes, level)
    notes = ["recipe-path placement (alternative method): each treatment run on its series' baseline runs; "
             "bootstrap over runs"]
    if len(set(base_c.tolist())) < MIN_LEVELS_FOR_BOOTSTRAP or len({p.compute_flop for p in exact}) < 3:
        lower = upper = None  # a bootstrap over two runs cannot see their noise: no trend
        notes.append(f"under {MIN_LEVELS_FOR_BOOTSTRAP} compute levels in an arm: no trend")
    computes = [*base_c.tolist(), *treat_c]
    result = SeriesCeg(points, slope, lower, upper, cls.Classification(cls.UNDETERMINED), curve.fit, used,
                       tuple(r.id for r in baseline if r.id is not None), model_implied, method="recipe",
                       decades=math.log10(max(computes) / min(computes)))
    if exact:
        first = exact[0]
        result.compute_small, result.gain_small = first.compute_flop, first.ceg
        result.gain_small_lower, result.gain_small_upper = first.lower, first.upper
    result.notes = notes
    result.classification = classify_series(result)
    return result


# --- a researcher's own runs (`cegdb ceg FILE.csv`) -------------------------------------------------

CSV_REQUIRED = ("innovation", "arm", "compute_flop", "loss")
CSV_OPTIONAL = ("series", "params", "tokens")


_PLAIN_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class RunsFileError(ValueError):
    """A problem in a runs CSV, naming the line and the column."""


def read_runs_csv(text: str, name: str = "runs.csv") -> dict[tuple[str, str], tuple[list[RunPoint], list[RunPoint]]]:
    """(innovation, series) -> (baseline runs, treatment runs) from CSV text.

    Columns innovation, arm, compute_flop, loss are required; series, params, tokens may be absent
    or empty (an empty compute_flop is 6 x params x tokens); other columns are ignored. Numbers are
    read like curated ones (1.2e18, 2.5M, 1,000)."""
    import csv
    import io

    from catalog.fields import ValueProblem, parse_number

    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise RunsFileError(f"{name}: line 1: missing column(s) {', '.join(missing)} "
                            f"(need {','.join(CSV_REQUIRED)}; optional {','.join(CSV_OPTIONAL)})")
    reader.fieldnames = header
    groups: dict[tuple[str, str], tuple[list[RunPoint], list[RunPoint]]] = {}
    count = 0
    for number, record in enumerate(reader, 2):
        where = f"{name}: line {number}"
        cells = {k: (v or "").strip() for k, v in record.items() if k is not None and isinstance(v, (str, type(None)))}
        if not any(cells.values()):
            continue

        def num(column: str, required: bool = True) -> float | None:
            value = cells.get(column, "")
            if not value:
                if required:
                    raise RunsFileError(f"{where}, column {column}: empty")
                return None
            try:
                # plain digits (most cells) straight to float: the same correctly rounded value as
                # parse_number's exact Decimal, at a tenth of the cost; anything else goes through it
                result = float(value) if _PLAIN_NUMBER.fullmatch(value) else parse_number(value)
                if not math.isfinite(result):
                    result = parse_number(value)  # says why (1e400 is not a finite number)
            except ValueProblem as exc:
                raise RunsFileError(f"{where}, column {column}: {exc}") from None
            if result <= 0:
                raise RunsFileError(f"{where}, column {column}: {value} is not a positive number")
            return result

        innovation = cells.get("innovation", "")
        if not innovation:
            raise RunsFileError(f"{where}, column innovation: empty")
        arm = cells.get("arm", "").lower()
        if arm not in ("baseline", "treatment"):
            raise RunsFileError(f"{where}, column arm: {cells.get('arm', '')!r} is not baseline or treatment")
        compute = num("compute_flop", required=False)
        if compute is None:
            params, tokens = num("params", required=False), num("tokens", required=False)
            if params is None or tokens is None:
                raise RunsFileError(f"{where}, column compute_flop: empty, and params and tokens are not both "
                                    f"given to compute 6 x params x tokens")
            compute = 6.0 * params * tokens
        run = RunPoint(compute, num("loss"), number, None, num("params", required=False),
                       num("tokens", required=False))
        baseline, treatment = groups.setdefault((innovation, cells.get("series", "")), ([], []))
        (baseline if arm == "baseline" else treatment).append(run)
        count += 1
    if not count:
        raise RunsFileError(f"{name}: no runs (a header and at least one row per arm are needed)")
    for (innovation, series), (baseline, treatment) in groups.items():
        label = f"innovation {innovation!r}" + (f", series {series!r}" if series else "")
        for arm, runs in (("baseline", baseline), ("treatment", treatment)):
            if not runs:
                raise RunsFileError(f"{name}: {label}: no {arm} runs (column arm)")
    return groups


METHOD_WORDS = {
    "frontier": "each arm's loss-vs-compute frontier, fitted jointly",
    # a release that varies N and D (_along_optimal_allocation): (a) and (b) come from the L(N, D) fits
    "frontier, L(N, D)": "L(N, D) = E + A/N^a + B/D^b fitted per arm, compared along each arm's compute-optimal "
                         "allocation",
    "recipe": "each treatment run placed on the baseline runs of its recipe path (alternative method)",
}


def method_words(method: str) -> str:
    """How a series' (a) and (b) were obtained, in words (the comparison sentences)."""
    return METHOD_WORDS[method]


def comparison(result: SeriesCeg, innovation: str, series: str | None = None, loss_on: str | None = None,
               evidence: str | None = None) -> str:
    """One sentence: what was compared (arms, recipe, loss, compute range, measured or model-derived)."""
    n_base, n_treat = len(result.baseline_ids) or "the", len(result.points)
    computes = [p.compute_flop for p in result.points]
    where = f"series {series}" if series else "one series"
    kind = ("model-derived (computed from fitted laws, not measured)" if result.model_implied
            else f"measured ({evidence})" if evidence else "measured")
    how = method_words(result.method)
    return (f"{innovation} runs ({n_treat}) against baseline runs ({n_base}) of {where}, arms compared within "
            f"the series, {how}, loss {('on ' + loss_on) if loss_on else 'as given'}, "
            f"{min(computes):.2g}-{max(computes):.2g} FLOP, {kind}.")


def series_summary(innovation: str, series: str, result: SeriesCeg) -> dict:
    """The JSON shape of one series' result (`cegdb ceg --json`)."""
    c = result.classification
    return {
        "innovation": innovation, "series": series or None,
        "points": [{"compute_flop": p.compute_flop, "loss": p.loss, "ceg": p.ceg, "ceg_lower": p.lower,
                    "ceg_upper": p.upper, "extrapolated": p.extrapolated, "censored": p.censored or None,
                    "baseline_compute_flop": p.baseline_compute_flop, "line": p.run_id,
                    "on_frontier": p.on_frontier}
                   for p in sorted(result.points, key=lambda p: p.compute_flop)],
        "slope": result.slope, "slope_lower": result.slope_lower, "slope_upper": result.slope_upper,
        "class": c.compute_class, "tentative": c.tentative, "reason": c.reason,
        "n_baseline": len(result.baseline_ids), "n_treatment": len(result.points),
        "resamples": result.resamples_used,
        "method": result.method, "compute_small": result.compute_small, "gain_small": result.gain_small,
        "gain_small_lower": result.gain_small_lower, "gain_small_upper": result.gain_small_upper,
        "gain_small_censored": result.gain_small_censored or None,
        "gain_at_small_scale": cls.gain_of(result.gain_small_lower, result.gain_small_upper),
        "trend": c.trend, "noise_sigma": result.sigma, "degrees_of_freedom": result.df,
        "decades": result.decades, "off_frontier_lines": list(result.off_frontier),
        "comparison": comparison(result, innovation, series),
    }
