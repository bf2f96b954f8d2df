"""Issue 18 item 14: placing a treatment run on the baseline curve is a binary search, not a scan
from the start (which made `cegdb ceg` quadratic: 16k rows, 99.7 s). Counted, not timed."""

from __future__ import annotations

import math

from analysis.ceg_runs import BaselineCurve, place


class CountingList(list):
    reads = 0

    def __getitem__(self, index):
        CountingList.reads += 1
        return super().__getitem__(index)


def test_place_reads_a_logarithmic_number_of_curve_points():
    n = 100_000
    log_c = [math.log(1e18) + i * 1e-4 for i in range(n)]
    log_l = CountingList(math.log(3.0) - i * 1e-5 for i in range(n))
    curve = BaselineCurve(log_c, log_l, None)
    target = math.exp(log_l[n - 10] + 5e-6)  # between the last points: a scan reads ~n of them
    CountingList.reads = 0
    needed, censored, extrapolated = place(curve, target)
    assert CountingList.reads < 100
    assert censored == "" and not extrapolated
    assert math.isclose(math.log(needed), log_c[n - 11] + 0.5 * (log_c[n - 10] - log_c[n - 11]), rel_tol=1e-9)


def test_place_agrees_with_a_scan_everywhere_on_a_small_curve():
    log_c = [0.0, 1.0, 2.0, 3.0, 4.0]
    log_l = [1.0, 0.8, 0.5, 0.45, 0.1]
    curve = BaselineCurve(log_c, log_l, None)
    for target_log in (1.0, 0.9, 0.8, 0.6, 0.5, 0.47, 0.45, 0.2, 0.1):
        k = 1
        while log_l[k] > target_log:
            k += 1
        share = (log_l[k - 1] - target_log) / (log_l[k - 1] - log_l[k])
        expected = log_c[k - 1] + share * (log_c[k] - log_c[k - 1])
        assert math.isclose(math.log(place(curve, math.exp(target_log))[0]), expected, abs_tol=1e-12), target_log
