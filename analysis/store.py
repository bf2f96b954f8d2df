"""Run the analyses over a built catalog and write their results back, stamped with versions.

Reads resolved rows and literature evidence with SQL, calls the pure estimators, and replaces the
rows of compute_estimate, ceg_estimate, innovation_summary and progress_estimate in one
transaction. Every result row carries ANALYSIS_VERSION and the catalog's data version (a hash of
the input tables' content), so a figure can always be traced to the data it came from.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, text

from analysis import ceg as ceg_mod
from analysis import classify as cls
from analysis import compute as compute_mod
from analysis import progress as progress_mod
from catalog import schema
from catalog.db import content_rows

log = logging.getLogger(__name__)

ANALYSIS_VERSION = "0.1.0"
INPUT_TABLES = ("source", "model", "hardware", "claim", "ablation", "benchmark_result", "innovation",
                "model_innovation")
LOSS_METRIC_WORDS = ("loss", "perplexity", "bits per byte", "bpb")


@dataclass
class Stamps:
    analysis_version: str
    data_version: str

    def as_dict(self) -> dict:
        return {"analysis_version": self.analysis_version, "data_version": self.data_version}


def data_version(conn: Connection) -> str:
    """sha256 over the input tables' rows in primary-key order (results excluded), first 16 hex."""
    digest = hashlib.sha256()
    # compute_class is written by this analysis: hashing it would make the version depend on itself.
    for table, row in content_rows(conn, INPUT_TABLES, skip_columns=("compute_class",)):
        digest.update(repr((table, tuple(_canonical(v) for v in row))).encode())
    return "sha256:" + digest.hexdigest()[:16]


def _canonical(value):
    # SQLite has no boolean type (0/1 come back); PostgreSQL returns True/False.
    if isinstance(value, bool):
        return int(value)
    # PostgreSQL and SQLite return the same floats to the last bit only up to ~15 digits.
    if isinstance(value, float):
        return float(f"{value:.12g}")
    return value


def _insert(conn: Connection, table: str, rows: list[dict]) -> None:
    if rows:
        conn.execute(schema.SQLModel.metadata.tables[table].insert(), rows)


# --- compute ----------------------------------------------------------------------------------

def _run_note(note: str | None, no_6nd: str | None, shared: str | None) -> str | None:
    parts = [note] if note else []
    if no_6nd:
        parts.append(f"no 6ND: {no_6nd}")
    if shared:
        parts.append(f"same pre-training run as {shared}: aggregates count it once, under {shared}")
    return "; ".join(parts) or None


def run_compute(conn: Connection, stamps: Stamps) -> int:
    rows = []
    query = conn.execute(text("""
        SELECT m.id, COALESCE(m.active_parameters, m.parameters), m.training_tokens, m.gpu_hours, m.hardware_id,
               m.training_precision, h.fp32_tflops, h.fp16_tflops, h.bf16_tflops, h.fp8_tflops,
               m.no_6nd_reason, m.same_pretraining_as
        FROM model m LEFT JOIN hardware h ON h.id = m.hardware_id
        WHERE (COALESCE(m.active_parameters, m.parameters) IS NOT NULL AND m.training_tokens IS NOT NULL)
           OR (m.gpu_hours IS NOT NULL AND m.hardware_id IS NOT NULL)
        ORDER BY m.id
    """))
    for model_id, n, d, hours, hardware_id, precision, fp32, fp16, bf16, fp8, no_6nd, shared in query:
        if no_6nd and not (hours and hardware_id):
            continue  # 6ND does not fit this architecture (catalog/resolve.py skips it too)
        est = compute_mod.estimate(model_id, active_parameters=None if no_6nd else n,
                                   training_tokens=None if no_6nd else d, gpu_hours=hours,
                                   peaks={"fp32": fp32, "fp16": fp16, "bf16": bf16, "fp8": fp8},
                                   precision=precision, hardware_id=hardware_id)
        rows.append({"model_id": model_id, "active_parameters": n, "training_tokens": d, "gpu_hours": hours,
                     "hardware_id": hardware_id, "operation_count_flop": est.operation_count_flop,
                     "hardware_time_flop": est.hardware_time_flop,
                     "hardware_time_lower_flop": est.hardware_time_lower_flop,
                     "hardware_time_upper_flop": est.hardware_time_upper_flop, "precision": est.precision,
                     "peak_tflops": est.peak_tflops,
                     "assumed_utilisation": compute_mod.ASSUMED_UTILISATION if est.hardware_time_flop else None,
                     "implied_utilisation": est.implied_utilisation,
                     "implied_utilisation_bf16": est.implied_utilisation_bf16,
                     "note": _run_note(est.note, no_6nd, shared),
                     **stamps.as_dict()})
    _insert(conn, "compute_estimate", rows)
    return len(rows)


# --- CEG and classification --------------------------------------------------------------------

def _is_loss(metric: str | None) -> bool:
    return bool(metric) and any(word in metric.lower() for word in LOSS_METRIC_WORDS)


def _as_loss(metric: str, value: float) -> float:
    # Perplexity is exp(loss): fit the loss, which is what the power law describes.
    return math.log(value) if "perplexity" in metric.lower() and "log" not in metric.lower() else value


def _row_compute(row) -> float | None:
    if row.compute_flop:
        return row.compute_flop
    if row.parameters and row.tokens:
        return 6.0 * row.parameters * row.tokens
    return None


def run_ceg(conn: Connection, stamps: Stamps, bootstrap: int = 200, seed: int = 0) -> dict:
    ablations = conn.execute(text("SELECT * FROM ablation ORDER BY id")).all()
    estimates: list[dict] = []
    points: dict[tuple[str, str], list[cls.GainPoint]] = defaultdict(list)

    # 1. Loss-versus-compute sweeps: a series with both arms measured at 3+ compute levels.
    by_series = defaultdict(list)
    for row in ablations:
        if row.series and row.lower_is_better and _is_loss(row.metric) and row.baseline_value is not None \
                and row.treatment_value is not None and _row_compute(row):
            by_series[(row.innovation_id, row.series, row.metric)].append(row)
    for (innovation, series, metric), rows in sorted(by_series.items()):
        compute = [_row_compute(r) for r in rows]
        if len(set(compute)) < 3:
            continue
        base = [_as_loss(metric, r.baseline_value) for r in rows]
        treat = [_as_loss(metric, r.treatment_value) for r in rows]
        try:
            result = ceg_mod.estimate_series(compute, base, compute, treat, bootstrap=bootstrap, seed=seed)
        except ValueError as exc:
            log.warning("series %s: %s", series, exc)
            continue
        ids = tuple(r.id for r in rows)
        for p in result.points:
            estimates.append(_ceg_row(innovation, rows[0].source_id, series, "fit", "flop", p.compute_flop,
                                      p.ceg, p.lower, p.upper, p.censored, p.extrapolated, p.interpolated_ceg,
                                      ids, f"{len(rows)} runs; {result.resamples_used} bootstrap resamples",
                                      stamps))
            if not p.extrapolated and not p.censored:
                points[(innovation, "flop")].append(cls.GainPoint(p.compute_flop, p.ceg, p.lower, p.upper, ids))

    # 2. Gains the sources report, used as given with their basis.
    for row in ablations:
        if row.gain is None or row.gain_basis is None:
            continue
        compute = _row_compute(row)
        estimates.append(_ceg_row(row.innovation_id, row.source_id, row.series, "reported", row.gain_basis,
                                  compute, row.gain, None, None, "", None, None, (row.id,),
                                  row.note if compute else "no compute recorded: not placed on the compute axis",
                                  stamps))
        if compute:
            points[(row.innovation_id, row.gain_basis)].append(cls.GainPoint(compute, row.gain, rows=(row.id,)))

    for number, row in enumerate(estimates, 1):
        row["id"] = number
    _insert(conn, "ceg_estimate", estimates)

    # 3. One class per innovation and basis; innovations with evidence but no placed point are
    # recorded as insufficient evidence, naming the rows that could not be used.
    summaries = []
    evidence = defaultdict(list)
    for row in ablations:
        evidence[(row.innovation_id, row.gain_basis or "flop")].append(row.id)
    for key in sorted(set(points) | set(evidence)):
        innovation, basis = key
        verdict = cls.classify(points.get(key, []))
        rests_on = verdict.rows or tuple(evidence.get(key, ()))
        summaries.append({"innovation_id": innovation, "basis": basis, "compute_class": verdict.compute_class,
                          "slope": verdict.slope, "slope_lower": verdict.slope_lower,
                          "slope_upper": verdict.slope_upper, "n_points": verdict.n_points,
                          "compute_min": verdict.compute_min, "compute_max": verdict.compute_max,
                          "ceg_at_min": verdict.ceg_at_min, "ceg_at_max": verdict.ceg_at_max,
                          "ablation_ids": ",".join(map(str, rests_on)),
                          "reason": verdict.reason if verdict.n_points else
                          "no loss-vs-compute series and no reported gain placed on the compute axis",
                          **stamps.as_dict()})
    _insert(conn, "innovation_summary", summaries)
    conn.execute(text("UPDATE innovation SET compute_class = NULL"))
    for s in summaries:
        if s["basis"] == "flop":
            conn.execute(text("UPDATE innovation SET compute_class = :c WHERE id = :i"),
                         {"c": s["compute_class"], "i": s["innovation_id"]})
    return {"ceg_estimate": len(estimates), "innovation_summary": len(summaries)}


def _ceg_row(innovation, source, series, method, basis, compute, value, lower, upper, censored, extrapolated,
             interpolated, ids, note, stamps) -> dict:
    return {"innovation_id": innovation, "source_id": source, "series": series, "method": method,
            "basis": basis, "compute_flop": compute, "ceg": value, "lower": lower, "upper": upper,
            "censored": censored or "", "extrapolated": extrapolated, "interpolated_ceg": interpolated,
            "ablation_ids": ",".join(map(str, ids)), "note": note, **stamps.as_dict()}


# --- progress -----------------------------------------------------------------------------------

PROGRESS_INNOVATIONS = ("transformer",)


def progress_data(conn: Connection) -> progress_mod.ProgressData:
    rows = conn.execute(text("""
        SELECT id, benchmark, perplexity, parameters, training_tokens, COALESCE(epochs, 1), publication_year,
               architecture
        FROM benchmark_result
        WHERE parameters IS NOT NULL AND training_tokens IS NOT NULL AND publication_year IS NOT NULL
        ORDER BY id
    """)).all()
    benchmarks = sorted({r.benchmark for r in rows})
    n = np.array([r.parameters for r in rows], float)
    d = np.array([r.training_tokens for r in rows], float)
    epochs = np.array([r[5] for r in rows], float)
    return progress_mod.ProgressData(
        loss=np.log([r.perplexity for r in rows]), log_params=np.log(n), log_tokens=np.log(d),
        year=np.array([r.publication_year for r in rows], float),
        benchmark=np.array([benchmarks.index(r.benchmark) for r in rows], int),
        indicators=np.array([[1.0 if r.architecture == "transformer" else 0.0] for r in rows]).reshape(-1, 1),
        log_compute=np.log(6.0 * n * d * epochs), benchmarks=benchmarks,
        innovations=list(PROGRESS_INNOVATIONS), row_ids=[r.id for r in rows])


def run_progress(conn: Connection, stamps: Stamps, resamples: int = 100, seed: int = 0) -> int:
    data = progress_data(conn)
    try:
        result = progress_mod.bootstrap_progress(data, resamples=resamples, seed=seed)
    except ValueError as exc:
        log.warning("progress fit skipped: %s", exc)
        return 0
    c_max = float(np.exp(data.log_compute.max()))
    common = {"n_results": result.n_results, "resamples": result.resamples_used, **stamps.as_dict()}
    lo, hi = result.doubling_interval
    identified = math.isfinite(lo) and math.isfinite(hi) and lo > 0 and hi / lo <= 4
    caveat = "" if identified else "; POORLY IDENTIFIED: the 95% interval spans more than a factor of 4"
    rows = [{"quantity": "doubling_time_months", "innovation_id": None, "compute_flop": None,
             "value": _finite(result.doubling_months), "lower": _finite(lo), "upper": _finite(hi), "unit": "months",
             "extrapolated": False,
             "note": ("effective-compute doubling time ln2/(2a); benchmarks: " + ", ".join(data.benchmarks)
                      + f"; L1 penalty {result.penalty:g} chosen by 5-fold cross-validation" + caveat),
             **common}]
    for (innovation, compute), (value, c_lo, c_hi) in sorted(result.ceg.items()):
        rows.append({"quantity": "ceg", "innovation_id": innovation, "compute_flop": compute,
                     "value": _finite(value), "lower": _finite(c_lo), "upper": _finite(c_hi), "unit": "x",
                     "extrapolated": compute > c_max,
                     "note": f"results reach {c_max:.2g} FLOP; beyond that the gain is the fitted trend", **common})
    fit = result.fit
    for name, value in (("alpha", fit.alpha), ("a_per_year", fit.a), ("l1_penalty", result.penalty)):
        rows.append({"quantity": "parameter", "innovation_id": None, "compute_flop": None, "value": value,
                     "lower": None, "upper": None, "unit": None, "extrapolated": False, "note": name, **common})
    for number, row in enumerate(rows, 1):
        row["id"] = number
    _insert(conn, "progress_estimate", rows)
    return len(rows)


def _finite(value):
    return value if value is not None and math.isfinite(value) else None


# --- entry point ---------------------------------------------------------------------------------

RESULT_TABLES = {"compute": ("compute_estimate",), "ceg": ("ceg_estimate", "innovation_summary"),
                 "progress": ("progress_estimate",)}


def analyze(conn: Connection, which: str = "all", bootstrap: int = 200, resamples: int = 100,
            seed: int = 0) -> dict:
    """Replace the result tables for `which` (compute | ceg | progress | all). Returns row counts."""
    parts = list(RESULT_TABLES) if which == "all" else [which]
    stamps = Stamps(ANALYSIS_VERSION, data_version(conn))
    counts = {"data_version": stamps.data_version}
    for part in parts:
        for table in RESULT_TABLES[part]:
            conn.execute(text(f"DELETE FROM {table}"))
        if part == "compute":
            counts["compute_estimate"] = run_compute(conn, stamps)
        elif part == "ceg":
            counts.update(run_ceg(conn, stamps, bootstrap=bootstrap, seed=seed))
        else:
            counts["progress_estimate"] = run_progress(conn, stamps, resamples=resamples, seed=seed)
    return counts
