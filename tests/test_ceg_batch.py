"""The batched fast path (series_ceg_many: all series' joint fits solved together by analysis/ceg_fit_many.py)
gives the reference path's answers (series_ceg: one scipy least_squares fit per start and series).

Planted problems as in tests/test_analysis_ceg_calibration.py (constant, growing and shrinking gains,
two layouts, two noise levels), plus the cases that take other branches: a treatment at two compute
levels (s fixed at 0), a gain so large that treatment runs are beyond the baseline's reach (censored
refit), replicate seeds and dominated runs, a baseline at two levels (no joint fit). (a), its interval,
the slope, its interval, the noise, each run's CEG and interval and the class must agree to 1e-4.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.ceg_runs import RunPoint, SeriesError, series_ceg, series_ceg_many
from test_analysis_ceg_calibration import LAYOUTS, PLANTED, replicate

TOL = 1e-4


def close(a, b, scale: float = 1.0) -> bool:
    """Equal to TOL relative, or to TOL x scale absolute for values that can sit at zero (slopes)."""
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL * scale)


def planted_series() -> list[tuple[str, tuple[list[RunPoint], list[RunPoint]]]]:
    out = []
    for m, (layout, compute) in enumerate(LAYOUTS.items()):
        for n, (name, (k0, slope, _)) in enumerate(PLANTED.items()):
            for noise in (0.003, 0.01):
                rng = np.random.default_rng(77 + 100 * m + 10 * n + int(noise * 1e3))
                for r in range(6):
                    out.append((f"{layout}/{name}/{noise}/{r}", replicate(rng, k0, slope, noise, compute)))
    rng = np.random.default_rng(5)
    base, treat = replicate(rng, 3.0, 0.0, 0.003)
    out.append(("treatment at two levels", (base, [t for t in treat if t.compute_flop < 2e17])))
    out.append(("censored: a 1e4x gain", replicate(rng, 1e4, 0.0, 0.003)))
    base, treat = replicate(rng, 2.0, 0.05, 0.003)
    seeds = [RunPoint(t.compute_flop, t.loss * 1.002, 200 + i) for i, t in enumerate(treat)]
    dominated = [RunPoint(t.compute_flop * 1.5, t.loss * 1.05, 300 + i) for i, t in enumerate(treat)]
    out.append(("replicate seeds and dominated runs", (base, treat + seeds + dominated)))
    out.append(("baseline at two levels", (base[:2], treat)))
    return out


CASES = planted_series()


@pytest.fixture(scope="module")
def both():
    pairs = [pair for _, pair in CASES]
    return [series_ceg(*pair) for pair in pairs], series_ceg_many(pairs)


@pytest.mark.parametrize("k", range(len(CASES)), ids=[name for name, _ in CASES])
def test_fast_path_gives_the_reference_answers(both, k):
    ref, fast = both[0][k], both[1][k]
    assert fast.compute_class == ref.compute_class and fast.trend == ref.trend
    assert fast.gain_small_censored == ref.gain_small_censored and fast.n_censored == ref.n_censored
    assert fast.df == ref.df and fast.n_params == ref.n_params
    for attr in ("gain_small", "gain_small_lower", "gain_small_upper", "sigma", "compute_small"):
        assert close(getattr(fast, attr), getattr(ref, attr)), attr
    width = (ref.slope_upper - ref.slope_lower) if ref.slope_lower is not None else 1.0
    for attr in ("slope", "slope_lower", "slope_upper"):
        assert close(getattr(fast, attr), getattr(ref, attr), scale=width), attr
    assert len(fast.points) == len(ref.points)
    for p, q in zip(fast.points, ref.points):
        assert (p.censored, p.extrapolated, p.on_frontier) == (q.censored, q.extrapolated, q.on_frontier)
        for attr in ("ceg", "lower", "upper"):
            assert close(getattr(p, attr), getattr(q, attr)), attr


def test_a_censored_series_gets_exactly_the_reference_answer(both):
    """Runs beyond the baseline's reach: the fast path hands the series to fit_joint whole."""
    k = [name for name, _ in CASES].index("censored: a 1e4x gain")
    ref, fast = both[0][k], both[1][k]
    assert fast.n_censored > 0
    assert (fast.gain_small, fast.gain_small_lower, fast.gain_small_upper, fast.slope, fast.sigma) == \
        (ref.gain_small, ref.gain_small_lower, ref.gain_small_upper, ref.slope, ref.sigma)


def random_ill_posed_series(seed: int, count: int):
    """Short series with wild shapes (3-11 runs per arm, gains from 1/100 to 100, slopes, noise from
    0.05% to 2%, compute anywhere in 1e15..1e22): where flat valleys and bounds make solvers differ."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        nb, nt = rng.integers(3, 12), rng.integers(1, 12)
        e, a, alpha = rng.uniform(0, 3), rng.uniform(5, 500), rng.uniform(0.03, 0.5)
        k0, slope, noise = math.exp(rng.normal(0, 1.5)), rng.normal(0, 0.1), rng.choice([0.0005, 0.003, 0.02])
        cb, ct = np.sort(10 ** rng.uniform(15, 22, nb)), np.sort(10 ** rng.uniform(15, 22, nt))

        def loss(c):
            return e + a * c ** -alpha

        out.append(([RunPoint(c, loss(c) * math.exp(rng.normal(0, noise)), j) for j, c in enumerate(cb)],
                    [RunPoint(c, loss(k0 * (c / ct[0]) ** slope * c) * math.exp(rng.normal(0, noise)), 100 + j)
                     for j, c in enumerate(ct)]))
    return out


def test_on_ill_posed_series_the_fast_fit_is_never_worse_and_moves_nothing_that_matters():
    """Where the two paths differ beyond 1e-4 (a flat valley, a parameter on its bound), the batched
    fit's cost is at most the reference's (scipy stops at its ftol of 1e-8, or at 200 evaluations),
    (a) moves by under 1e-3 of its interval's width (1% where a fit without residual degrees of
    freedom has no interval), and the class is the same."""
    pairs, refs = [], []
    for pair in random_ill_posed_series(3, 80):
        try:
            refs.append(series_ceg(*pair))
        except (ValueError, OverflowError):  # an interval past float range (a reference-path limit)
            continue
        pairs.append(pair)
    differ = fitted = 0
    for ref, fast in zip(refs, series_ceg_many(pairs)):
        assert ref.compute_class == fast.compute_class
        if ref.rss is None:  # no joint fit (a baseline at under 3 levels)
            continue
        fitted += 1
        if ref.n_censored == 0:  # (censored series take the reference path: identical)
            assert fast.rss <= ref.rss * (1 + 1e-9) + 1e-18
        g_ref, g_fast, lo, hi = ref.gain_small, fast.gain_small, ref.gain_small_lower, ref.gain_small_upper
        if not math.isclose(g_ref, g_fast, rel_tol=TOL):
            differ += 1
            if lo is None:  # no residual degrees of freedom (3 + 1 runs, 4 parameters): no interval to
                assert math.isclose(g_ref, g_fast, rel_tol=1e-2)  # measure by; a flat valley's point
            else:
                assert abs(math.log(g_fast / g_ref)) <= 1e-3 * math.log(hi / lo)
    assert fitted > 50 and differ < fitted / 4  # the comparison is not vacuous, nor the rule


def test_the_cases_take_every_branch(both):
    """The list above does reach the branches it names (else the comparison proves less than it says)."""
    ref = dict(zip((name for name, _ in CASES), both[0]))
    assert ref["treatment at two levels"].slope is None and ref["treatment at two levels"].sigma is not None
    assert ref["censored: a 1e4x gain"].n_censored > 0
    assert ref["replicate seeds and dominated runs"].off_frontier
    assert ref["baseline at two levels"].n_params is None
    assert {r.compute_class for r in both[0]} >= {p[2] for p in PLANTED.values()}


def test_a_bad_series_is_named_by_its_position():
    good = CASES[0][1]
    with pytest.raises(SeriesError, match="no treatment runs") as caught:
        series_ceg_many([good, (good[0], [])])
    assert caught.value.index == 1


def test_solving_in_small_chunks_changes_nothing(both, monkeypatch):
    """Series are solved in chunks of bounded size (long and short series mixed): a chunk of a few rows,
    splitting one series' starts between chunks, gives the same answers as one big solve."""
    from analysis import ceg_fit_many

    monkeypatch.setattr(ceg_fit_many, "CELLS_PER_SOLVE", 30)
    pairs = [pair for _, pair in CASES]
    for small, big in zip(series_ceg_many(pairs), both[1]):
        assert small.compute_class == big.compute_class
        for attr in ("gain_small", "gain_small_lower", "gain_small_upper", "slope", "slope_upper", "sigma"):
            assert close(getattr(small, attr), getattr(big, attr), scale=1.0), attr
