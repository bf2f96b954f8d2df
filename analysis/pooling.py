"""Across series: per-series answers first, then a random-effects pool of their trends.

Series that share baseline runs (Clark et al.'s nine expert counts against one dense sweep) are not
independent: they are one cluster. Within a cluster the slopes are averaged with inverse-variance
weights; averaging them does not shrink the error they share through their one baseline, so the
cluster's standard error is the root mean square of the series' standard errors, plus the spread
of their slopes (sample variance: the variants in a cluster, e.g. 2 or 512 experts, may differ).
Across clusters, DerSimonian-Laird:

    Q = sum w_i (s_i - s_FE)^2,  w_i = 1 / se_i^2
    tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w))
    s_RE = sum w*_i s_i / sum w*_i,  w*_i = 1 / (se_i^2 + tau^2),  se_RE = 1 / sqrt(sum w*_i)
    I^2 = max(0, (Q - (k - 1)) / Q)

with a normal 95% interval. One cluster keeps its own (Student t) interval. A series' standard error
is its interval's half-width over 1.96, so a t interval's extra width carries into the pool.

Series disagree when one series' trend grows and another's shrinks, each decided by its own
interval: the pool of opposite trends is not an answer, and the class is then undetermined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis import classify as cls


@dataclass(frozen=True)
class SeriesTrend:
    name: str
    slope: float
    lower: float
    upper: float
    cluster: str

    @property
    def se(self) -> float:
        return max((self.upper - self.lower) / (2 * cls.Z95), 1e-6)


@dataclass
class Pooled:
    slope: float
    lower: float
    upper: float
    tau: float | None
    i_squared: float | None
    n_series: int
    n_clusters: int
    series_disagree: bool
    note: str


def clusters(baselines: dict[str, set]) -> dict[str, str]:
    """series -> cluster name: series whose baseline runs overlap (transitively) share a cluster."""
    parent = {name: name for name in baselines}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    names = sorted(baselines)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if baselines[a] & baselines[b]:
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    return {name: root(name) for name in names}


def pool(series: list[SeriesTrend]) -> Pooled:
    """The random-effects pool above over series with slope intervals."""
    if not series:
        raise ValueError("no series to pool")
    trends = {cls.trend_of(s.lower, s.upper) for s in series}
    disagree = cls.GROWS in trends and cls.SHRINKS in trends
    by_cluster: dict[str, list[SeriesTrend]] = {}
    for s in series:
        by_cluster.setdefault(s.cluster, []).append(s)
    if len(series) == 1:
        s = series[0]
        return Pooled(s.slope, s.lower, s.upper, None, None, 1, 1, disagree, "one series")
    estimates = []
    for members in by_cluster.values():
        w = np.array([1 / m.se ** 2 for m in members])
        slopes = np.array([m.slope for m in members])
        slope = float(np.sum(w * slopes) / w.sum())
        spread = float(np.var(slopes, ddof=1)) if len(members) > 1 else 0.0
        se = math.sqrt(float(np.mean([m.se ** 2 for m in members])) + spread)
        estimates.append((slope, se, members))
    if len(estimates) == 1:
        slope, se, members = estimates[0]
        # one cluster: the interval of its series, widened as their standard errors are averaged
        lower = slope - cls.Z95 * se
        upper = slope + cls.Z95 * se
        return Pooled(slope, lower, upper, None, None, len(series), 1, disagree,
                      f"{len(series)} series sharing baseline runs: one cluster (no heterogeneity across clusters)")
    s = np.array([e[0] for e in estimates])
    se = np.array([e[1] for e in estimates])
    w = 1 / se ** 2
    fixed = float(np.sum(w * s) / w.sum())
    q = float(np.sum(w * (s - fixed) ** 2))
    k = len(estimates)
    c = float(w.sum() - np.sum(w ** 2) / w.sum())
    tau2 = max(0.0, (q - (k - 1)) / c) if c > 0 else 0.0
    w_star = 1 / (se ** 2 + tau2)
    slope = float(np.sum(w_star * s) / w_star.sum())
    se_re = math.sqrt(1 / float(w_star.sum()))
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    return Pooled(slope, slope - cls.Z95 * se_re, slope + cls.Z95 * se_re, math.sqrt(tau2), i2, len(series), k,
                  disagree, f"random effects (DerSimonian-Laird) over {k} clusters of {len(series)} series")
