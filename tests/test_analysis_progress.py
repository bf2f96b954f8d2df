"""The augmented scaling law recovers a planted doubling time and a planted innovation gain."""

import math

import numpy as np
import pytest

from analysis.progress import (LOG_C0, ProgressData, ProgressFit, _refit_batched, bootstrap_progress, fit_progress,
                               predict)


def synthetic(n=240, doubling_months=8.0, gamma=math.log(3.0), delta=0.0, seed=3, noise=0.005):
    rng = np.random.default_rng(seed)
    rate = math.log(2) / (doubling_months / 12)
    truth = ProgressFit(E=np.array([1.5, 1.9]), lnA=6.0, alpha=0.35, lnB=7.0, beta=0.35,
                        a=rate * 0.5, b=rate * 0.5, gamma=np.array([gamma]), delta=np.array([delta]), cost=0)
    log_n = rng.uniform(math.log(1e6), math.log(3e9), n)
    log_d = rng.uniform(math.log(1e6), math.log(1e10), n)
    indicator = rng.integers(0, 2, n).astype(float)[:, None]
    data = ProgressData(loss=np.zeros(n), log_params=log_n, log_tokens=log_d, year=rng.uniform(2012, 2021, n),
                        benchmark=rng.integers(0, 2, n), indicators=indicator,
                        log_compute=math.log(6) + log_n + log_d, benchmarks=["wikitext-103", "ptb"],
                        innovations=["transformer"])
    data.loss = predict(truth, data) + rng.normal(0, noise, n)
    return data


def test_planted_doubling_time_of_8_months_is_recovered_within_15_percent():
    fit = fit_progress(synthetic(), penalty=1e-5)
    assert fit.doubling_time_months == pytest.approx(8.0, rel=0.15)


def test_planted_constant_innovation_gain_is_recovered():
    fit = fit_progress(synthetic(), penalty=1e-5)
    assert fit.ceg(0, 1e18) == pytest.approx(3.0, rel=0.15)
    assert abs(fit.delta[0]) < 0.05


def test_planted_compute_dependent_gain_shows_in_delta():
    fit = fit_progress(synthetic(gamma=0.5, delta=0.1), penalty=1e-5)
    assert fit.delta[0] == pytest.approx(0.1, abs=0.03)


def test_bootstrap_reports_intervals_around_the_estimate():
    result = bootstrap_progress(synthetic(n=150), resamples=20, penalty=1e-5)
    lo, hi = result.doubling_interval
    assert lo <= result.doubling_months <= hi
    assert result.resamples_used >= 15
    value, c_lo, c_hi = result.ceg[("transformer", 1e22)]
    assert c_lo <= value <= c_hi


def test_too_few_results_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot identify"):
        fit_progress(synthetic(n=8))


# --- the batched bootstrap (analysis.progress_batch) against the one-fit-per-resample loop ------

@pytest.mark.parametrize("planted", [dict(), dict(gamma=0.5, delta=0.1), dict(noise=0.03)])
def test_batched_bootstrap_gives_the_loops_intervals_on_a_planted_problem(planted):
    data = synthetic(n=80, **planted)
    penalty = 1e-2 if planted.get("noise") else 1e-5
    loop = bootstrap_progress(data, resamples=40, penalty=penalty, method="loop")
    fast = bootstrap_progress(data, resamples=40, penalty=penalty)
    assert fast.resamples_used == loop.resamples_used == 40
    assert fast.doubling_interval == pytest.approx(loop.doubling_interval, rel=1e-4)
    lo, hi = fast.doubling_interval
    assert lo < 8.0 * 1.05 and hi > 8.0 * 0.95   # the planted 8 months is where the intervals are
    for key, (value, c_lo, c_hi) in loop.ceg.items():
        assert fast.ceg[key] == pytest.approx((value, c_lo, c_hi), rel=1e-4)


def test_each_batched_refit_matches_its_loop_refit_and_is_never_worse():
    data = synthetic(n=80, gamma=0.5, delta=0.1)
    full = fit_progress(data, penalty=1e-5)
    rng = np.random.default_rng(7)
    indices = [rng.integers(0, len(data), len(data)) for _ in range(15)]
    batched = _refit_batched(data, indices, 1e-5, full)
    for index, fast in zip(indices, batched):
        slow = fit_progress(data.take(index), penalty=1e-5, starts=1)
        assert fast.cost <= slow.cost + 1e-9
        assert fast.doubling_time_months == pytest.approx(slow.doubling_time_months, rel=1e-4)
        assert fast.ceg(0, 1e22) == pytest.approx(slow.ceg(0, 1e22), rel=1e-4)


def test_batched_bootstrap_is_deterministic_for_a_seed():
    data = synthetic(n=60, noise=0.03)
    first = bootstrap_progress(data, resamples=20, penalty=1e-2, seed=5)
    again = bootstrap_progress(data, resamples=20, penalty=1e-2, seed=5)
    other = bootstrap_progress(data, resamples=20, penalty=1e-2, seed=6)
    assert first.doubling_interval == again.doubling_interval and first.ceg == again.ceg
    assert first.doubling_interval != other.doubling_interval


def test_unknown_bootstrap_method_is_refused():
    with pytest.raises(ValueError, match="batched"):
        bootstrap_progress(synthetic(n=60), resamples=5, penalty=1e-5, method="fast")
