"""Time and peak memory of `cegdb ceg` on a researcher's runs CSV (issue 18, item 14).

Writes synthetic sweeps (a planted constant gain of 1.5x, 0.3% lognormal loss noise, compute over
four decades) in two shapes, then runs the real command line on each, `--json`, and prints wall
time and peak resident memory (the child's ru_maxrss):

* few long series: runs spread over series of `--per-series` rows (the issue's 16k and 200k rows);
* many short series: 8 runs per arm, 16 rows a series (the per-series fit dominates).

Each line also prints the ratio to the smallest case of its shape, so linear scaling reads as a
ratio close to the ratio of rows. Targets: 200,000 rows under 30 s and 500 MB; 16,000 rows under
3 s. No assertion: the numbers depend on the machine.

    python benchmarks/ceg_scale.py [--rows 16000 200000] [--per-series 1600 4000]
"""

from __future__ import annotations

import argparse
import math
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


def run(csv: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one `cegdb ceg CSV --json`."""
    out = subprocess.run([sys.executable, __file__, "--measure", str(csv)], check=True, capture_output=True,
                         text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[16_000, 200_000])
    parser.add_argument("--per-series", type=int, nargs="+", default=[1_600, 4_000])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':<22}{'rows':>9}{'seconds':>10}{'peak MB':>10}{'time ratio':>12}")
        shapes = [("few long series", list(zip(args.rows, args.per_series))),
                  ("many short series", [(rows, 16) for rows in args.rows[:1]])]
        for shape, cases in shapes:
            first = None
            for rows, per_series in cases:
                csv = Path(tmp) / f"runs-{rows}-{per_series}.csv"
                write_runs(csv, rows, per_series)
                seconds, peak = run(csv)
                first = first or seconds
                print(f"{shape:<22}{rows:>9,}{seconds:>10.2f}{peak:>10.0f}{seconds / first:>12.2f}")


if __name__ == "__main__":
    main()
