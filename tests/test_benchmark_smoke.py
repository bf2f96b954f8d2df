"""The serve benchmark runs end to end on a small catalog, so it cannot rot between the runs that
measure (its numbers are printed, never asserted: no timed assertions in tests)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_serve_latency_runs_and_prints_every_page():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "serve_latency.py"),
                             "--models", "300", "--requests", "3"],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    for label in ("plain table page", "model table, facets", "facets, cache cold", "model page",
                  "canned query (provenance)"):
        assert label in result.stdout, result.stdout
