"""Compute-equivalent gains from training runs: each treatment run placed on its baseline's curve.

Within one series (one sweep), for each treatment run at compute C with loss L the question is:
at what compute C_b does the baseline reach L? Then CEG = C_b / C.

* Inside the baseline's measured losses: monotone interpolation in log-log. The baseline's runs
  are averaged per compute, made non-increasing in loss by pool-adjacent-violators (a later run
  that came out worse is noise, not a reversal of scaling), and ln C is interpolated linearly in
  ln L between neighbouring baseline points.
* Beyond them: the baseline's fitted L = E + A C^-alpha (fit_baseline_law: E profiled, the rest
  linear; in bootstrap resamples E stays at the full fit's value and A, alpha are refitted
  linearly), anchored at the end
  point of the curve (C_b = C_end * C_fit(L) / C_fit(L_end), so the two methods meet at the
  end), flagged `extrapolated`, and at most MAX_EXTRAPOLATION_DECADES past the measured range.
  With runs at only two compute levels (no fit), the end segment continued in log-log (E = 0).
* Censored where it cannot be placed: ">" when the baseline never reaches the treatment's loss
  within reach (below its fitted asymptote, too far out, or a single baseline run, which cannot be
  extrapolated at all); the value is the lower bound C_max / C. "<" when the treatment is worse
  than the baseline's smallest run and cannot be placed below it; the value is the upper bound
  C_min / C.

Intervals: a percentile bootstrap over runs (baseline and treatment runs resampled with
replacement, `seed` fixed, so the same runs give the same intervals). Each point's interval comes
from the baseline resamples; the slope's from resampling both arms and refitting it. With fewer
than 3 compute levels in either arm the bootstrap cannot see the runs' noise, and the slope's
interval is the known-variance one with DEFAULT_LOG_SE (0.3) per point instead.
The slope s = d ln CEG / d ln C is ordinary least squares over the series' uncensored points
(extrapolated ones included, flagged); its class follows analysis/classify.py.

Everything here is pure: numbers in, numbers out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import least_squares

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
        return math.exp(x[-1]), ">", False
    # the treatment is worse than the baseline's smallest run
    step = _steps_beyond(curve, loss, math.exp(y[0]), end=False)
    if step is not None and 0 <= step <= reach:
        return math.exp(x[0] - step), "", True
    return math.exp(x[0]), "<", False


def _steps_beyond(curve: BaselineCurve, loss: float, edge_loss: float, end: bool) -> float | None:
    """How far (in ln C) past the curve's end (or before its start) the baseline reaches `loss`.

    With a fitted law: the law's own distance between the edge loss and `loss`. Without one (runs
    at fewer than 3 compute levels): the edge segment of the curve continued as a straight line in
    log-log, i.e. a pure power law with no irreducible loss (E = 0). For a curve that flattens
    with compute, as L = E + A C^-alpha does, that line needs less compute than the curve: the
    CEG it gives beyond the end is, if anything, too small."""
    fit = curve.fit
    if fit is not None:
        if loss <= fit.E or edge_loss <= fit.E:
            return None
        gap = _log_compute_for_loss(fit, loss) - _log_compute_for_loss(fit, edge_loss)
        return gap if end else -gap
    x, y = curve.log_compute, curve.log_loss
    if len(x) < 2:
        return None
    i, j = (-2, -1) if end else (0, 1)
    segment = (y[j] - y[i]) / (x[j] - x[i])  # negative: loss falls with compute
    gap = (math.log(loss) - math.log(edge_loss)) / segment
    return gap if end else -gap


# --- a series -----------------------------------------------------------------------------------

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


def series_ceg(baseline: list[RunPoint], treatment: list[RunPoint], *, bootstrap: int = 200, seed: int = 0,
               level: float = 0.95) -> SeriesCeg:
    """Every treatment run's CEG against the baseline runs of its series, the slope and the class."""
    if not baseline:
        raise ValueError("no baseline runs in the series")
    if not treatment:
        raise ValueError("no treatment runs in the series")
    for run in (*baseline, *treatment):
        if not (run.compute_flop > 0 and run.loss > 0 and math.isfinite(run.compute_flop)
                and math.isfinite(run.loss)):
            raise ValueError(f"run {run.id}: compute and loss must be positive numbers")
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

    # one model-implied arm makes every CEG of the series model-implied
    model_implied = any(r.evidence == "model-implied" for r in (*baseline, *treatment))
    exact = sorted((p for p in points if not p.censored), key=lambda p: p.compute_flop)
    slope = _ols_slope([math.log(p.compute_flop) for p in exact], [math.log(p.ceg) for p in exact])
    lower, upper = _percentile(slopes, level)
    few = len(set(base_c.tolist())) < MIN_LEVELS_FOR_BOOTSTRAP or \
        len({p.compute_flop for p in exact}) < MIN_LEVELS_FOR_BOOTSTRAP
    if few and slope is not None:
        # Resampling two runs says nothing about their noise (every resample repeats them or
        # loses one): the interval is the known-variance one with DEFAULT_LOG_SE per point.
        _, lower, upper = cls.fit_slope([cls.GainPoint(p.compute_flop, p.ceg) for p in exact])
    classification = classify_series(exact, slope, lower, upper, model_implied)
    if few and slope is not None:
        classification.reason += (f"; slope interval from a default error of {cls.DEFAULT_LOG_SE} in ln CEG "
                                  f"per point (under {MIN_LEVELS_FOR_BOOTSTRAP} compute levels in an arm)")
    return SeriesCeg(points, slope, lower, upper, classification, curve.fit, used,
                     tuple(r.id for r in baseline if r.id is not None), model_implied)


def group_slope(points: list[RunCeg], slope: float | None, lower: float | None, upper: float | None,
                model_implied: bool = False, group: str | None = None) -> cls.GroupSlope | None:
    """A series as one group for analysis/classify.py: its bootstrap slope interval and extent.

    Without a bootstrap interval (too few resamples) the interval is the known-variance one of a
    weighted least-squares fit with DEFAULT_LOG_SE per point."""
    if slope is None or len(points) < 2:
        return None
    if lower is None or upper is None:
        _, lower, upper = cls.fit_slope([cls.GainPoint(p.compute_flop, p.ceg) for p in points])
    log_c = np.log([p.compute_flop for p in points])
    log_g = np.log([p.ceg for p in points])
    return cls.GroupSlope(slope, min(lower, slope), max(upper, slope), points[0].compute_flop,
                          points[-1].compute_flop, points[0].ceg, points[-1].ceg, len(points), group,
                          model_implied, float(log_c.mean()), float(log_g.mean()))


def classify_series(exact: list[RunCeg], slope, lower, upper, model_implied: bool) -> cls.Classification:
    group = group_slope(exact, slope, lower, upper, model_implied)
    rows = tuple(p.run_id for p in exact if p.run_id is not None)
    if group is None:
        return cls.Classification(cls.INSUFFICIENT, slope, lower, upper, len(exact), None, None, None, None,
                                  rows, f"{len(exact)} placed treatment run(s): need 2 or more at different compute")
    if model_implied:
        return cls.classify_groups([], rows, len(exact), [group])
    return cls.classify_groups([group], rows, len(exact))


# --- a researcher's own runs (`cegdb ceg FILE.csv`) -------------------------------------------------

CSV_REQUIRED = ("innovation", "arm", "compute_flop", "loss")
CSV_OPTIONAL = ("series", "params", "tokens")


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
                result = parse_number(value)
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
        run = RunPoint(compute, num("loss"), number)
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


def series_summary(innovation: str, series: str, result: SeriesCeg) -> dict:
    """The JSON shape of one series' result (`cegdb ceg --json`)."""
    c = result.classification
    return {
        "innovation": innovation, "series": series or None,
        "points": [{"compute_flop": p.compute_flop, "loss": p.loss, "ceg": p.ceg, "ceg_lower": p.lower,
                    "ceg_upper": p.upper, "extrapolated": p.extrapolated, "censored": p.censored or None,
                    "baseline_compute_flop": p.baseline_compute_flop, "line": p.run_id}
                   for p in sorted(result.points, key=lambda p: p.compute_flop)],
        "slope": result.slope, "slope_lower": result.slope_lower, "slope_upper": result.slope_upper,
        "class": c.compute_class, "tentative": c.tentative, "reason": c.reason,
        "n_baseline": len(result.baseline_ids), "n_treatment": len(result.points),
        "resamples": result.resamples_used,
    }
