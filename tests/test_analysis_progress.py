"""The augmented scaling law recovers a planted doubling time and a planted innovation gain."""

import math

import numpy as np
import pytest

from analysis.progress import LOG_C0, ProgressData, ProgressFit, bootstrap_progress, fit_progress, predict


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
