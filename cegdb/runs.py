"""`cegdb.ceg(frame)`: a researcher's own runs through the engine of `cegdb ceg FILE.csv`.

The frame is written as CSV and read by analysis.ceg_runs.read_runs_csv, then each (innovation,
series) goes through series_ceg_many and series_summary, exactly as cegdb/cli.py's `ceg` command does,
so the two give the same numbers and refuse the same inputs with the same messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from analysis.ceg_runs import (CSV_OPTIONAL, CSV_REQUIRED, SeriesError, read_runs_csv, series_ceg_many,
                               series_summary)

if TYPE_CHECKING:  # pandas and the schema are imported in ceg(): `cegdb ceg` uses only check_run_ranges
    import pandas as pd

POINT_UNITS = {"compute_flop": "FLOP", "loss": None, "ceg": "x", "ceg_lower": "x", "ceg_upper": "x",
               "baseline_compute_flop": "FLOP", "extrapolated": None, "censored": None, "row": None,
               "innovation": None, "series": None}
SERIES_UNITS = {"slope": "ratio", "slope_lower": "ratio", "slope_upper": "ratio", "n_baseline": "runs",
                "n_treatment": "runs", "resamples": "resamples"}


# A researcher's runs are held to the range of curated runs (catalog/fields.py, compute 1e10 to
# 1e28 FLOP): 1e-300 or 1e300 FLOP gave Infinity/NaN in --json and a confident class "over 281
# decades". Losses must be finite and positive.
RUN_COMPUTE_RANGE = (1e10, 1e28)


class RunsRangeError(ValueError):
    """A run's compute or loss is outside what the engine accepts; the message names the line."""


def check_run_ranges(groups, name: str) -> None:
    """Raise RunsRangeError for the first run outside RUN_COMPUTE_RANGE (or with a loss that is not
    a finite positive number), naming its CSV line (read_runs_csv numbers rows from line 2)."""
    import math

    lo, hi = RUN_COMPUTE_RANGE
    for (innovation, series), arms in sorted(groups.items()):
        for run in (run for arm in arms for run in arm):
            where = f"{name}: line {run.id}" if run.id is not None else f"{name}: innovation {innovation!r}"
            if not (lo <= run.compute_flop <= hi):
                raise RunsRangeError(f"{where}, column compute_flop: {run.compute_flop:.3g} FLOP is outside "
                                     f"{lo:.0e}..{hi:.0e}, the range of training runs the engine accepts")
            if not (math.isfinite(run.loss) and run.loss > 0):
                raise RunsRangeError(f"{where}, column loss: {run.loss!r} is not a finite positive loss")


class RunsCeg(NamedTuple):
    """points: one row per treatment run (innovation, series, compute_flop, loss, ceg, ceg_lower,
    ceg_upper, censored '>'/'<'/None, extrapolated, baseline_compute_flop, row = the run's position in
    the input frame, 0-based). series: one row per (innovation, series): class, tentative, reason,
    slope with its 95% interval, n_baseline, n_treatment, resamples."""

    points: pd.DataFrame
    series: pd.DataFrame


def ceg(runs: pd.DataFrame, *, bootstrap: int = 200, seed: int = 0) -> RunsCeg:
    """CEG of each treatment run on its series' baseline runs, and the compute-dependence class per series.

    `runs` has the columns innovation, arm (baseline | treatment), compute_flop, loss, and optionally
    series, params, tokens (compute_flop may be empty where params and tokens give 6 x params x
    tokens); other columns are ignored. Returns RunsCeg(points, series), two DataFrames with units in
    attrs: `points, series = cegdb.ceg(frame)`. A bad input raises analysis.ceg_runs.RunsFileError
    (a ValueError) naming the row, as `cegdb ceg` does for a CSV line."""
    import pandas as pd

    from catalog import schema

    missing = [c for c in CSV_REQUIRED if c not in runs.columns]
    if missing:
        raise ValueError(f"runs: missing column(s) {', '.join(missing)} "
                         f"(need {','.join(CSV_REQUIRED)}; optional {','.join(CSV_OPTIONAL)})")
    columns = [c for c in (*CSV_REQUIRED, *CSV_OPTIONAL) if c in runs.columns]
    # repr() keeps every float's digits; the CSV reader parses numbers as the CLI does.
    text = runs[columns].astype(object).map(lambda v: "" if pd.isna(v) else
                                            (repr(float(v)) if isinstance(v, float) else str(v))) \
        .to_csv(index=False, lineterminator="\n")
    groups = read_runs_csv(text, "runs")
    check_run_ranges(groups, "runs")
    points, series = [], []
    keys = sorted(groups)
    try:
        results = series_ceg_many([groups[key] for key in keys], bootstrap=bootstrap, seed=seed)
    except SeriesError as exc:
        innovation, name = keys[exc.index]
        raise ValueError(f"runs: innovation {innovation!r}, series {name!r}: {exc}") from None
    for (innovation, name), result in zip(keys, results):
        summary = series_summary(innovation, name, result)
        for p in summary.pop("points"):
            # read_runs_csv numbers CSV lines from 2 (line 1 is the header): row = line - 2.
            points.append({"innovation": innovation, "series": name or None, "row": p.pop("line") - 2, **p})
        series.append(summary)
    point_frame = pd.DataFrame(points, columns=list(POINT_UNITS))
    series_frame = pd.DataFrame(series)
    point_frame.attrs.update(units=POINT_UNITS, source="cegdb.ceg (analysis.ceg_runs)", table=None)
    series_frame.attrs.update(units={c: SERIES_UNITS.get(c) for c in series_frame.columns},
                              source="cegdb.ceg (analysis.ceg_runs)", table=None)
    assert set(series_frame["class"]) <= {*schema.VERDICT_CLASSES, "insufficient evidence", "undetermined"}, \
        f"unexpected class {set(series_frame['class'])}"
    return RunsCeg(point_frame, series_frame)
