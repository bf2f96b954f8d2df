"""How long does `cegdb analyze all` take with 1,000 bootstrap resamples?

Builds the real catalog (datasets/) into a temporary file, then times, in the same run:
  * analysis.store.analyze for compute, ceg and progress (together "all") with 1,000 resamples
    for every bootstrap (the CEG engine's default frontier method has no bootstrap: its intervals
    come from the joint fit, so --resamples only moves the progress fit's time);
  * the progress part as it was before the batched bootstrap (bootstrap_progress(method="loop"):
    one scipy least_squares call per resample, analytic Jacobian), so "before" and "after" come
    from the same run under the same load;
  * the baseline: the same progress-fit bootstrap done one resample at a time with a plain
    scipy.optimize.least_squares loop (numeric Jacobian, default tolerances, one start each).
Prints the times, the ratio and the load average (the development machine is shared). Target
(issues 4 and 16): the whole analysis under 60 s on 2 cores.

    python benchmarks/analysis_speed.py [--resamples 1000] [--no-plain]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import progress as progress_mod  # noqa: E402
from analysis.store import analyze, progress_data  # noqa: E402
from catalog import db  # noqa: E402
from cegdb.pipeline import build  # noqa: E402


def plain_loop(data: progress_mod.ProgressData, resamples: int, penalty: float, seed: int = 0) -> int:
    """The textbook way: resample, refit with scipy's defaults, repeat."""
    rng = np.random.default_rng(seed)
    n_bench, n_innov = len(data.benchmarks), len(data.innovations)
    done = 0
    for _ in range(resamples):
        sample = data.take(rng.integers(0, len(data), len(data)))
        if len(set(sample.benchmark)) < n_bench:
            continue

        def residuals(p):
            fit = progress_mod._unpack(p, n_bench, n_innov)
            pen = math.sqrt(penalty) * np.power(np.square(p[n_bench + 3:]) + 1e-8, 0.25)
            return np.concatenate([progress_mod.predict(fit, sample) - sample.loss, pen])

        x0 = [max(float(sample.loss.min()) - 0.5, 0.1)] * n_bench + [
            0.3 * float(np.mean(sample.log_params)), 0.3, 0.3 * float(np.mean(sample.log_tokens)), 0.2] + [0.0] * (2 * n_innov)
        lower = [0.0] * n_bench + [-20.0, 0.01, -20.0, -3.0] + [-10.0] * (2 * n_innov)
        upper = [10.0] * n_bench + [40.0, 2.0, 40.0, 3.0] + [10.0] * (2 * n_innov)
        least_squares(residuals, np.clip(x0, np.array(lower) + 1e-6, np.array(upper) - 1e-6), bounds=(lower, upper))
        done += 1
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--no-plain", action="store_true", help="skip the plain scipy loop (slow)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        build(ROOT / "datasets", url, analysis=None)
        engine = db.make_engine(url)
        parts = {}
        with engine.begin() as conn:
            for part in ("compute", "ceg", "progress"):
                start = time.perf_counter()
                counts = analyze(conn, part, bootstrap=args.resamples, resamples=args.resamples)
                parts[part] = time.perf_counter() - start
            ours = sum(parts.values())
            data = progress_data(conn)
            penalty = conn.exec_driver_sql(
                "SELECT value FROM progress_estimate WHERE note = 'l1_penalty'").scalar()
        engine.dispose()
    start = time.perf_counter()
    progress_mod.bootstrap_progress(data, resamples=args.resamples, method="loop")
    previous = time.perf_counter() - start
    before = ours - parts["progress"] + previous
    print(f"results: {counts}")
    print(f"cegdb analyze all, {args.resamples} resamples:        {ours:8.2f} s  ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items()) + ")")
    print(f"  before the batched bootstrap (progress {previous:.1f} s, one scipy fit per resample): {before:8.2f} s"
          f"  (after / before {ours / before:.2f})")
    if not args.no_plain:
        start = time.perf_counter()
        fitted = plain_loop(data, args.resamples, penalty)
        baseline = time.perf_counter() - start
        print(f"plain scipy loop, progress bootstrap only ({fitted} fits): {baseline:8.2f} s")
        print(f"ratio (cegdb / plain loop): {ours / baseline:.2f}   target: whole analysis < 60 s")
    print("load average (1, 5, 15 min) at start %.2f %.2f %.2f, at end %.2f %.2f %.2f"
          % (*load_before, *os.getloadavg()))


if __name__ == "__main__":
    main()
