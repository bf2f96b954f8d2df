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
