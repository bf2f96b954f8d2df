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

from analysis import ceg_runs
from analysis import classify as cls
from analysis import compute as compute_mod
from analysis import progress as progress_mod
from analysis.summary import DECIDING_EVIDENCE, SeriesEvidence, summarize
from analysis.summary import evidence_rank as _evidence_rank
from catalog import schema
from catalog.db import content_rows

log = logging.getLogger(__name__)

ANALYSIS_VERSION = "0.3.0"
INPUT_TABLES = ("source", "model", "hardware", "claim", "ablation", "benchmark_result", "innovation",
                "model_innovation", "run", "verdict")
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
    """CEG rows and one summary per innovation and basis: (a), (b), the class, pooled over series.

    `bootstrap` and `seed` serve the recipe-path alternative only; the default frontier method's
    intervals are the joint fit's (analysis/ceg_fit.py), so the same data give the same numbers."""
    ablations = conn.execute(text("SELECT * FROM ablation ORDER BY id")).all()
    estimates: list[dict] = []
    shown: dict[tuple[str, str], list[cls.GainPoint]] = defaultdict(list)
    series_by_innovation: dict[str, list[SeriesEvidence]] = defaultdict(list)

    # 1. Ablation sweeps whose rows measure both arms' loss at 3+ compute levels: a series of runs.
    by_series = defaultdict(list)
    for row in ablations:
        if row.series and row.lower_is_better and _is_loss(row.metric) and row.baseline_value is not None \
                and row.treatment_value is not None and _row_compute(row):
            by_series[(row.innovation_id, row.series, row.metric)].append(row)
    for (innovation, series, metric), rows in sorted(by_series.items()):
        if len({_row_compute(r) for r in rows}) < 3:
            continue
        base = [ceg_runs.RunPoint(_row_compute(r), _as_loss(metric, r.baseline_value), r.id, r.evidence,
                                  r.parameters, r.tokens) for r in rows]
        treat = [ceg_runs.RunPoint(_row_compute(r), _as_loss(metric, r.treatment_value), r.id, r.evidence,
                                   r.parameters, r.tokens) for r in rows]
        result = ceg_runs.series_ceg(base, treat)
        evidence = max((r.evidence for r in rows), key=_evidence_rank)
        for p in result.points:
            estimates.append(_ceg_row(innovation, rows[0].source_id, series, "fit", "flop", p.compute_flop, p.ceg,
                                      p.lower, p.upper, p.censored, p.extrapolated, None, (p.run_id,),
                                      _placement_note(p, result), stamps))
        series_by_innovation[innovation].append(SeriesEvidence(
            f"ablation series {series}", result, evidence, metric, {("ablation", series)}, rows[0].source_id,
            ablation_ids=tuple(r.id for r in rows)))

    # 2. Gains the sources report, used as given with their basis: shown, never deciding a class.
    for row in ablations:
        if row.gain is None or row.gain_basis is None:
            continue
        compute = _row_compute(row)
        estimates.append(_ceg_row(row.innovation_id, row.source_id, row.series, "reported", row.gain_basis,
                                  compute, row.gain, None, None, "", None, None, (row.id,),
                                  row.note if compute else "no compute recorded: not placed on the compute axis",
                                  stamps))
        if compute:
            group = f"ablation series {row.series}" if row.series else f"source {row.source_id}"
            shown[(row.innovation_id, row.gain_basis)].append(
                cls.GainPoint(compute, row.gain, rows=(row.id,), group=group))

    # 3. Training runs, one series at a time (analysis/ceg_runs.py, frontier method).
    run_ids = _run_series(conn, stamps, estimates, series_by_innovation)

    for number, row in enumerate(estimates, 1):
        row["id"] = number
    _insert(conn, "ceg_estimate", estimates)

    # 4. One answer per innovation and basis.
    summaries = []
    evidence_rows = defaultdict(list)
    benchmark = defaultdict(list)  # measured on a benchmark score (higher is better): named, never a CEG
    for row in ablations:
        evidence_rows[(row.innovation_id, row.gain_basis or "flop")].append(row.id)
        if row.baseline_value is not None and row.treatment_value is not None and row.gain is None \
                and not (row.lower_is_better and _is_loss(row.metric)):
            benchmark[(row.innovation_id, "flop")].append((row.series or f"ablation {row.id}", row.metric))
    verdicts = _verdicts(conn)
    keys = set(shown) | set(evidence_rows) | {(i, "flop") for i in run_ids} | {(i, "flop") for i in verdicts} \
        | {(i, "flop") for i in series_by_innovation}
    for key in sorted(keys):
        innovation, basis = key
        series = series_by_innovation.get(innovation, []) if basis == "flop" else []
        answer = summarize(innovation, series, shown.get(key, []), benchmark.get(key, ()))
        rests_on = tuple(sorted({i for s in series for i in s.ablation_ids})) or tuple(evidence_rows.get(key, ()))
        summaries.append({"innovation_id": innovation, "basis": basis, "compute_class": answer.compute_class,
                          "slope": answer.slope, "slope_lower": answer.slope_lower,
                          "slope_upper": answer.slope_upper, "n_points": answer.n_points,
                          "compute_min": answer.compute_min, "compute_max": answer.compute_max,
                          "ceg_at_min": answer.ceg_at_min, "ceg_at_max": answer.ceg_at_max,
                          "ablation_ids": ",".join(map(str, rests_on)), "reason": answer.reason,
                          "tentative": answer.tentative if answer.compute_class not in cls.NO_CLASS else None,
                          "run_ids": ",".join(map(str, run_ids.get(innovation, ()))) if basis == "flop" else None,
                          "n_series": answer.n_groups, "pivot_compute_flop": answer.pivot_compute_flop,
                          "pivot_ceg": answer.pivot_ceg, "gain_small": answer.gain_small,
                          "gain_small_lower": answer.gain_small_lower, "gain_small_upper": answer.gain_small_upper,
                          "compute_small": answer.compute_small, "trend": answer.trend, "tau": answer.tau,
                          "i_squared": answer.i_squared, "series_disagree": answer.series_disagree,
                          "comparison": answer.extra.get("comparison"),
                          **literature(answer.compute_class, verdicts.get(innovation, [])),
                          **stamps.as_dict()})
    _insert(conn, "innovation_summary", summaries)
    conn.execute(text("UPDATE innovation SET compute_class = NULL"))
    for s in summaries:
        if s["basis"] == "flop":
            label = s["compute_class"] + (" (tentative)" if s["tentative"] else "")
            conn.execute(text("UPDATE innovation SET compute_class = :c WHERE id = :i"),
                         {"c": label, "i": s["innovation_id"]})
    return {"ceg_estimate": len(estimates), "innovation_summary": len(summaries)}


def _placement_note(p, result) -> str:
    fit = result.baseline_fit
    shape = f"L = {fit.E:.3g} + {fit.A:.3g} C^-{fit.alpha:.3g}" if fit else "no fitted law (under 3 compute levels)"
    how = ("censored: " + (f"the baseline does not reach this loss within reach (bound at the reach)"
                           if p.censored == ">" else "worse than the baseline's smallest run within reach")
           if p.censored else f"extrapolated on the baseline's fitted {shape}" if p.extrapolated
           else "interpolated (log-log) on the baseline's frontier")
    parts = [how, f"method {result.method}"]
    if not p.on_frontier:
        parts.append("off the treatment's frontier (beaten by a run with less compute): not used")
    if p.lower is None and not p.censored:
        parts.append("no interval: no noise estimate")
    return "; ".join(parts)


def _run_series(conn: Connection, stamps: Stamps, estimates: list[dict],
                series_by_innovation: dict[str, list[SeriesEvidence]]) -> dict[str, tuple[int, ...]]:
    """CEG rows for every treatment run; each series' result kept for the innovation's summary."""
    runs = conn.execute(text("SELECT id, innovation_id, series, arm, compute_flop, loss, source_id, evidence, "
                             "parameters, tokens, loss_on FROM run ORDER BY id")).all()
    by_series = defaultdict(list)
    for r in runs:
        by_series[(r.innovation_id, r.series)].append(r)
    parity = {row.id: {"arms": row.arms, "parity": row.parity, **{f: getattr(row, f) for f in schema.PARITY_FIELDS}}
              for row in conn.execute(text("SELECT * FROM run_series")).all()}
    used: dict[str, list[int]] = defaultdict(list)
    prepared = []
    for (innovation, series), rows in sorted(by_series.items()):
        base = [r for r in rows if r.arm == "baseline"]
        treat = [r for r in rows if r.arm == "treatment"]
        if not base or not treat:
            log.warning("run series %s / %s: no %s runs; not placed", innovation, series,
                        "baseline" if not base else "treatment")
            continue
        base_points = [_run_point(r) for r in base]
        treat_points = [_run_point(r) for r in treat]
        result = ceg_runs.series_ceg(base_points, treat_points)
        # series that share baseline runs (the same run listed in several series) are one cluster: a run
        # is known by its source and configuration (compute, parameters, tokens), not by its loss, since
        # one run scored on two validation sets (gadre2024's ptb and rpj series) is one run
        identity = frozenset(_run_identity(r) for r in base)
        loss_on = next((r.loss_on for r in rows if r.loss_on), None)
        prepared.append([innovation, series, rows, base, treat, base_points, treat_points, result, identity, loss_on])

    # A release's noise: the residual scatter pooled over its series (same baseline source and loss),
    # used where a series' own scatter has no degrees of freedom or is smaller.
    releases = defaultdict(list)
    for item in prepared:
        if item[7].rss is not None:
            releases[(item[3][0].source_id, item[9])].append(item)
    for members in releases.values():
        noise = _release_noise([(m[7], m[8]) for m in members])
        if noise is None:
            continue
        for m in members:
            own = m[7]
            if own.df is not None and own.df >= 1 and own.sigma is not None and own.sigma >= noise[0]:
                continue
            m[7] = ceg_runs.series_ceg(m[5], m[6], noise=noise)

    for innovation, series, rows, base, treat, base_points, treat_points, result, identity, loss_on in prepared:
        weakest_base = max((r.evidence for r in base), key=_evidence_rank)
        source = {r.id: r.source_id for r in treat}
        for p in result.points:
            estimates.append({
                **_ceg_row(innovation, source[p.run_id], series, "runs", "flop", p.compute_flop, p.ceg, p.lower,
                           p.upper, p.censored, p.extrapolated, None, (),
                           f"{_placement_note(p, result)}; {len(base)} baseline runs", stamps),
                "ablation_ids": None, "run_ids": ",".join(map(str, (p.run_id, *result.baseline_ids))),
                "evidence": max(p.evidence, weakest_base, key=_evidence_rank),
                "baseline_compute_flop": p.baseline_compute_flop})
        evidence = max((r.evidence for r in rows), key=_evidence_rank)
        deciding_base = [p for p in base_points if p.evidence in DECIDING_EVIDENCE]
        deciding_treat = [p for p in treat_points if p.evidence in DECIDING_EVIDENCE]
        if evidence not in DECIDING_EVIDENCE and deciding_base and deciding_treat:
            # the measured runs of a series with some unverified or model-implied ones decide alone;
            # the others stay in the rows above, shown
            left_out = len(rows) - len(deciding_base) - len(deciding_treat)
            decided = ceg_runs.series_ceg(deciding_base, deciding_treat)
            decided.notes.append(f"{left_out} {evidence} run(s) of the series shown, not used")
            decided.classification = ceg_runs.classify_series(decided)
            series_by_innovation[innovation].append(SeriesEvidence(
                f"run series {series} (measured runs)", decided,
                max((p.evidence for p in (*deciding_base, *deciding_treat)), key=_evidence_rank), loss_on,
                set(identity), base[0].source_id, parity=parity.get(series)))
        series_by_innovation[innovation].append(SeriesEvidence(
            f"run series {series}", result, evidence, loss_on, set(identity), base[0].source_id,
            parity=parity.get(series)))
        used[innovation].extend(r.id for r in rows)
    return {k: tuple(sorted(v)) for k, v in used.items()}


def _run_identity(r) -> tuple:
    """What makes two run rows the same training run: its source and configuration. Without parameters
    and tokens the loss stands in for them (two runs of one compute are told apart by their losses)."""
    def g(v):
        return float(f"{v:.9g}") if v is not None else None
    if r.parameters and r.tokens:
        return (r.source_id, g(r.compute_flop), g(r.parameters), g(r.tokens))
    return (r.source_id, g(r.compute_flop), g(r.loss))


def _run_point(r) -> ceg_runs.RunPoint:
    return ceg_runs.RunPoint(r.compute_flop, r.loss, r.id, r.evidence, r.parameters, r.tokens)


def _release_noise(fits: list[tuple[ceg_runs.SeriesCeg, frozenset]]) -> tuple[float, int] | None:
    """(sigma, degrees of freedom) pooled over a release's series: sum of residual squares over the sum
    of their degrees of freedom; the t quantile's degrees of freedom count each shared baseline once
    (distinct runs, less 3 shape parameters per distinct baseline and the series' own gain parameters)."""
    fits = [(r, i) for r, i in fits if r.rss is not None and r.n_params is not None and r.n_fit_runs]
    if len(fits) < 2:
        return None
    df_sum = sum(r.n_fit_runs[0] + r.n_fit_runs[1] - r.n_params for r, _ in fits)
    baselines = {i: r.n_fit_runs[0] for r, i in fits}
    df = sum(baselines.values()) + sum(r.n_fit_runs[1] for r, _ in fits) - 3 * len(baselines) \
        - sum(r.n_params - 3 for r, _ in fits)
    if df_sum < 1 or df < 1:
        return None
    return math.sqrt(sum(r.rss for r, _ in fits) / df_sum), int(df)


def _verdicts(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    result = defaultdict(list)
    for innovation, klass, source in conn.execute(text(
            "SELECT innovation_id, compute_class, source_id FROM verdict ORDER BY innovation_id, id")):
        result[innovation].append((klass, source))
    return result


def literature(ours: str, verdicts: list[tuple[str, str]]) -> dict:
    """The literature's class(es) beside ours and whether they agree (docs/analysis.md)."""
    if not verdicts:
        return {"literature_class": None, "literature_sources": None, "agreement": "no verdict"}
    classes = sorted({k for k, _ in verdicts})
    if ours in cls.NO_CLASS:
        agreement = "no class"
    elif ours not in classes:
        agreement = "disagree"
    else:
        agreement = "agree" if len(classes) == 1 else "partly"
    return {"literature_class": "; ".join(classes),
            "literature_sources": ",".join(sorted({s for _, s in verdicts})), "agreement": agreement}


def _ceg_row(innovation, source, series, method, basis, compute, value, lower, upper, censored, extrapolated,
             interpolated, ids, note, stamps) -> dict:
    return {"innovation_id": innovation, "source_id": source, "series": series, "method": method,
            "basis": basis, "compute_flop": compute, "ceg": value, "lower": lower, "upper": upper,
            "censored": censored or "", "extrapolated": extrapolated, "interpolated_ceg": interpolated,
            "ablation_ids": ",".join(map(str, ids)), "note": note, "run_ids": None, "evidence": None,
            "baseline_compute_flop": None, **stamps.as_dict()}


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
