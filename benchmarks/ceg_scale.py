"""Time and peak memory of `cegdb ceg` on a researcher's runs CSV (issue 18, item 14).

Writes synthetic sweeps (a planted constant gain of 1.5x, 0.3% lognormal loss noise, compute over
four decades) in two shapes, then runs the real command line on each, `--json`, and prints wall
time and peak resident memory (the child's ru_maxrss):

* few long series: runs spread over series of `--per-series` rows (the issue's 16k and 200k rows);
* many short series: `--short` layouts, SERIESxRUNS (1,000 series of 16 runs: one joint fit per series
  was the cost before the fits were batched; 4,000 x 4: two runs per arm, no fit at all).

Old vs new, in the same run: the engine alone (CSV read, then every series' result) by the reference
path, one scipy least_squares fit per start and series (series_ceg in a loop, what `cegdb ceg` did
before its fits were batched), and by the batched path the command now takes (series_ceg_many);
the ratio is old / new. Targets: 200,000 rows under 30 s and 500 MB; 16,000 rows under 3 s, in
any layout. No assertion: the numbers depend on the machine and its load (printed).

    python benchmarks/ceg_scale.py [--rows 16000 200000] [--per-series 1600 4000]
                                   [--short 1000x16 2000x8 4000x4]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CEGDB = Path(sys.executable).with_name("cegdb")


def write_runs(path: Path, rows: int, per_series: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    per_arm = per_series // 2
    with path.open("w") as out:
        out.write("innovation,arm,series,params,tokens,compute_flop,loss\n")
        for s in range(max(1, rows // per_series)):
            for arm, gain in (("baseline", 1.0), ("treatment", 1.5)):
                for k in range(per_arm):
                    compute = 1e17 * 10 ** (4 * k / per_arm)
                    loss = (1.7 + 400 * (gain * compute) ** -0.15) * math.exp(rng.gauss(0, 0.003))
                    out.write(f"toy{s % 5},{arm},s{s},,,{compute:.6e},{loss:.6f}\n")


def measure(csv: Path) -> None:
    """In a fresh process whose only child is the command, so ru_maxrss is that command's own peak."""
    start = time.perf_counter()
    subprocess.run([str(CEGDB), "ceg", str(csv), "--json"], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)  # KiB on Linux


def engine(csv: Path) -> None:
    """Seconds of the engine by the reference path and by the batched path, on the same groups."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from analysis.ceg_runs import read_runs_csv, series_ceg, series_ceg_many

    times = []
    for many in (False, True):
        start = time.perf_counter()
        groups = read_runs_csv(csv.read_text(), str(csv))
        pairs = [groups[key] for key in sorted(groups)]
        if many:
            series_ceg_many(pairs)
        else:
            [series_ceg(*pair) for pair in pairs]
        times.append(time.perf_counter() - start)
    print(*times)


def child(flag: str, csv: Path) -> list[float]:
    out = subprocess.run([sys.executable, __file__, flag, str(csv)], check=True, capture_output=True,
                         text=True).stdout.split()
    return [float(v) for v in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[16_000, 200_000])
    parser.add_argument("--per-series", type=int, nargs="+", default=[1_600, 4_000])
    parser.add_argument("--short", nargs="*", default=["1000x16", "2000x8", "4000x4"],
                        help="many-short-series layouts, SERIESxRUNS (runs: both arms together)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    if args.engine:
        engine(args.engine)
        return
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores")
    short = [tuple(int(v) for v in layout.split("x")) for layout in args.short]
    cases = [("few long series", rows, per) for rows, per in zip(args.rows, args.per_series)]
    cases += [("many short series", n * per, per) for n, per in short]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':<19}{'layout':>14}{'rows':>9}{'command s':>11}{'peak MB':>9}"
              f"{'engine old s':>14}{'new s':>8}{'old/new':>9}")
        for shape, rows, per_series in cases:
            csv = Path(tmp) / f"runs-{rows}-{per_series}.csv"
            write_runs(csv, rows, per_series)
            seconds, peak = child("--measure", csv)
            old, new = child("--engine", csv)
            layout = f"{rows // per_series:,}x{per_series:,}"
            print(f"{shape:<19}{layout:>14}{rows:>9,}{seconds:>11.2f}{peak:>9.0f}{old:>14.2f}{new:>8.2f}"
                  f"{old / new:>9.1f}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
