"""Figures from the result tables (matplotlib, SVG and PNG), and the static HTML report."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402
from sqlalchemy import Connection, text  # noqa: E402
from catalog.pretraining import ONE_ROW_PER_RUN, one_row_per_run  # noqa: E402

# Byte-identical SVGs for identical data: fixed ids and no creation date.
matplotlib.rcParams["svg.hashsalt"] = "cegdb"
SAVE_METADATA = {"svg": {"Date": None}, "png": {"Software": None}}
CLASS_COLOURS = {"compute-dependent": "#c0392b", "compute-independent": "#2471a3", "diminishing": "#b9770e",
                 "little or no gain": "#566573",
                 "undetermined": "#a569bd", "insufficient evidence": "#7f8c8d"}


def _save(fig, out: Path, name: str) -> list[Path]:
    paths = []
    for ext in ("svg", "png"):
        path = out / f"{name}.{ext}"
        fig.savefig(path, format=ext, dpi=120, bbox_inches="tight", metadata=SAVE_METADATA[ext])
        paths.append(path)
    plt.close(fig)
    return paths


def ceg_figure(conn: Connection, out: Path) -> list[Path]:
    """CEG against compute per innovation (FLOP basis), intervals as bars, colour = class."""
    rows = conn.execute(text("""
        SELECT e.innovation_id, e.compute_flop, e.ceg, e.lower, e.upper, e.censored, e.method,
               COALESCE(s.compute_class, 'insufficient evidence')
        FROM ceg_estimate e LEFT JOIN innovation_summary s
          ON s.innovation_id = e.innovation_id AND s.basis = e.basis
        WHERE e.basis = 'flop' AND e.compute_flop IS NOT NULL AND (e.extrapolated IS NULL OR e.extrapolated = FALSE)
        ORDER BY e.innovation_id, e.compute_flop
    """)).all()
    fig, ax = plt.subplots(figsize=(8, 5))
    seen = set()
    for innovation in sorted({r[0] for r in rows}):
        points = [r for r in rows if r[0] == innovation]
        klass = points[0][7]
        xs = [p[1] for p in points]
        ys = [p[2] for p in points]
        err = [[max(p[2] - (p[3] or p[2]), 0) for p in points], [max((p[4] or p[2]) - p[2], 0) for p in points]]
        # Points only: one innovation's points come from different series, and a line through
        # them would read as one sweep.
        ax.errorbar(xs, ys, yerr=err, fmt="o", linestyle="none", capsize=3, color=CLASS_COLOURS.get(klass, "black"),
                    label=f"{innovation} ({klass})")
        seen.add(klass)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlabel("training compute (FLOP)")
    ax.set_ylabel("compute-equivalent gain (x)")
    ax.set_title("CEG against compute, FLOP basis (in-range points only)")
    if rows:
        ax.legend(fontsize=7, loc="best")
    return _save(fig, out, "ceg_vs_compute")


CLASS_MARKERS = {"compute-dependent": "^", "compute-independent": "o", "diminishing": "v", "little or no gain": "s"}


def classified_ceg_figure(conn: Connection, out: Path) -> list[Path]:
    """Every classified innovation's CEG against compute (FLOP basis): the points its class rests on
    (filled; hollow when extrapolated), its fitted slope over the measured span (dashed when tentative);
    marker = class. Censored and model-implied points are left out, as they are of the class."""
    summaries = conn.execute(text("""
        SELECT innovation_id, compute_class, tentative, slope, pivot_compute_flop, pivot_ceg, compute_min,
               compute_max, literature_class, agreement
        FROM innovation_summary
        WHERE basis = 'flop' AND compute_class NOT IN ('insufficient evidence', 'undetermined')
        ORDER BY innovation_id
    """)).all()
    fig, ax = plt.subplots(figsize=(9, 6))
    cmap = plt.get_cmap("tab20")
    for index, s in enumerate(summaries):
        colour = cmap(index % 20)
        points = conn.execute(text("""
            SELECT compute_flop, ceg, lower, upper, extrapolated FROM ceg_estimate
            WHERE innovation_id = :i AND basis = 'flop' AND compute_flop IS NOT NULL
              AND (censored IS NULL OR censored = '') AND (evidence IS NULL OR evidence != 'model-implied')
              AND (method = 'runs' OR method = 'reported' OR extrapolated IS NULL OR extrapolated = FALSE)
            ORDER BY compute_flop
        """), {"i": s.innovation_id}).all()
        marker = CLASS_MARKERS.get(s.compute_class, "s")
        literature = f"; literature: {s.literature_class} ({s.agreement})" if s.literature_class else ""
        label = f"{s.innovation_id}: {s.compute_class}{' (tentative)' if s.tentative else ''}{literature}"
        for extrapolated in (False, True):
            group = [p for p in points if bool(p.extrapolated) == extrapolated]
            if not group:
                continue
            err = [[max(p.ceg - (p.lower or p.ceg), 0) for p in group], [max((p.upper or p.ceg) - p.ceg, 0) for p in group]]
            ax.errorbar([p.compute_flop for p in group], [p.ceg for p in group], yerr=err, fmt=marker, capsize=2,
                        color=colour, markerfacecolor="none" if extrapolated else colour,
                        label=None if extrapolated else label, linewidth=0.8)
        if s.slope is not None and s.pivot_compute_flop and s.compute_min:
            xs = [s.compute_min, s.compute_max]
            ys = [s.pivot_ceg * (x / s.pivot_compute_flop) ** s.slope for x in xs]
            ax.plot(xs, ys, color=colour, linestyle="--" if s.tentative else "-", linewidth=1.2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlabel("training compute (FLOP)")
    ax.set_ylabel("compute-equivalent gain (x)")
    ax.set_title("Classified innovations: CEG against compute and fitted slope\n"
                 "(marker: ^ compute-dependent, o compute-independent, v diminishing; dashed: tentative)",
                 fontsize=10)
    if summaries:
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.text(0.5, 0.5, "no innovation is classified yet", transform=ax.transAxes, ha="center")
    return _save(fig, out, "classified_ceg_vs_compute")


NOTABLE_LABELS = 12


def notable_points(rows, key, value):
    """The row with the largest value in each group (e.g. each year's largest training compute)."""
    best = {}
    for row in rows:
        group = key(row)
        if group not in best or value(row) > value(best[group]):
            best[group] = row
    return [best[group] for group in sorted(best)]


def compute_timeline_figure(conn: Connection, out: Path) -> list[Path]:
    """Training compute against release date; marker = attention type, filled = mixture of experts."""
    rows = conn.execute(text(f"""
        SELECT id, release_date, training_compute_flop, training_compute_method, attention,
               moe_experts IS NOT NULL
        FROM model WHERE training_compute_flop IS NOT NULL AND release_date IS NOT NULL
          AND {ONE_ROW_PER_RUN}
        ORDER BY release_date, id
    """)).all()
    markers = {"mha": "o", "mqa": "v", "gqa": "s", "mla": "D"}
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for attention, marker in [*markers.items(), (None, "x")]:
        group = [r for r in rows if (r[4] if r[4] in markers else None) == attention]
        if not group:
            continue
        dates = [dt.date.fromisoformat(r[1]) for r in group]
        ax.scatter(dates, [r[2] for r in group], marker=marker, label=f"{attention or 'other'} attention",
                   facecolors=["#c0392b" if r[5] else "none" for r in group] if marker != "x" else None,
                   edgecolors="#c0392b" if marker != "x" else None, color="#555555" if marker == "x" else None)
    # Label only the notable points (a label per point was a black blob at 1,000 models): the
    # largest training compute of each year.
    for r in notable_points(rows, key=lambda r: r[1][:4], value=lambda r: r[2]):
        ax.annotate(r[0], (dt.date.fromisoformat(r[1]), r[2]), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_ylabel("training compute (FLOP)")
    ax.set_title("Training compute over time (filled: mixture of experts)")
    ax.legend(fontsize=7)
    return _save(fig, out, "compute_over_time")


def gpu_hours_figure(conn: Connection, out: Path) -> list[Path]:
    """Models with both GPU-hours and 6ND compute: hours against FLOP, by hardware."""
    rows = conn.execute(text(f"""
        SELECT e.model_id, e.gpu_hours, e.operation_count_flop, e.hardware_id, e.implied_utilisation_bf16
        FROM compute_estimate e JOIN model m ON m.id = e.model_id
        WHERE e.gpu_hours IS NOT NULL AND e.operation_count_flop IS NOT NULL AND {one_row_per_run('m')}
        ORDER BY e.model_id
    """)).all()
    fig, ax = plt.subplots(figsize=(8, 5))
    for hardware in sorted({r[3] or "unknown" for r in rows}):
        group = [r for r in rows if (r[3] or "unknown") == hardware]
        ax.scatter([r[1] for r in group], [r[2] for r in group], label=hardware)
    for r in sorted(rows, key=lambda r: -r[1])[:NOTABLE_LABELS]:  # the largest runs by GPU-hours
        # An MFU above 100% (or below 1%) is no utilisation: the hours and the tokens are not one
        # run (catalog/row_checks.py warns on the row); the label says so instead of printing it plain.
        mfu = "" if not r[4] else (f" ({r[4]:.0%} MFU: impossible, see row warnings)" if r[4] > 1 else
                                   f" ({r[4]:.2%} MFU: below 1%, see row warnings)" if r[4] < 0.01 else
                                   f" ({r[4]:.0%} MFU)")
        ax.annotate(r[0] + mfu, (r[1], r[2]), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("GPU-hours")
    ax.set_ylabel("6 N D (FLOP)")
    ax.set_title("GPU-hours and operation-count compute (implied MFU vs BF16 peak)")
    if rows:
        ax.legend(fontsize=7)
    return _save(fig, out, "gpu_hours_vs_flop")


def training_cost_figure(conn: Connection, out: Path) -> list[Path]:
    """Training cost against release date, log scale: our two estimates with their bounds, and the
    publishers' and Epoch's own figures (docs/cost.md)."""
    rows = conn.execute(text(f"""
        SELECT m.id, m.release_date, c.field, c.value_num, c.lower, c.upper, c.origin
        FROM claim c JOIN model m ON m.id = c.entity_id
        WHERE c.entity_type = 'model' AND c.field LIKE 'training_cost_%' AND c.rank <> 'deprecated'
          AND c.value_num IS NOT NULL AND m.release_date IS NOT NULL AND {one_row_per_run('m')}
        ORDER BY m.release_date, m.id, c.id
    """)).all()
    fig, ax = plt.subplots(figsize=(9, 5.5))
    styles = {"training_cost_cloud_usd": ("#2471a3", "cloud (ours)"),
              "training_cost_amortized_usd": ("#c0392b", "amortised (ours)")}
    for field, (colour, label) in styles.items():
        group = [r for r in rows if r[2] == field and r[6] == "derived:cegdb"]
        if not group:
            continue
        dates = [dt.date.fromisoformat(r[1][:10]) for r in group]
        low = [r[3] - (r[4] if r[4] is not None else r[3]) for r in group]
        high = [(r[5] if r[5] is not None else r[3]) - r[3] for r in group]
        ax.errorbar(dates, [r[3] for r in group], yerr=[low, high], fmt="o", markersize=3, color=colour,
                    ecolor=colour, alpha=0.6, elinewidth=0.8, label=label)
    theirs = [r for r in rows if r[6] != "derived:cegdb"]
    if theirs:
        ax.scatter([dt.date.fromisoformat(r[1][:10]) for r in theirs], [r[3] for r in theirs], marker="*", s=90,
                   color="#1e8449", label="publishers' and Epoch's figures", zorder=3)
    for r in rows:
        if r[3] >= 3e7 and r[2] == "training_cost_amortized_usd" or r[6] != "derived:cegdb":
            ax.annotate(r[0], (dt.date.fromisoformat(r[1][:10]), r[3]), fontsize=6, xytext=(3, 2),
                        textcoords="offset points")
    ax.set_yscale("log")
    ax.set_ylabel("training cost (USD, nominal)")
    ax.set_title("Training cost over time (bars: bounds of each estimate)")
    if rows:
        ax.legend(fontsize=7)
    return _save(fig, out, "training_cost_over_time")


FIGURES = (ceg_figure, classified_ceg_figure, compute_timeline_figure, gpu_hours_figure, training_cost_figure)


def write_figures(conn: Connection, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for make in FIGURES:
        paths.extend(make(conn, out))
    return paths


def write_report(conn: Connection, out: Path) -> Path:
    """A static HTML report: the figures and the summary tables, from a Jinja2 template."""
    write_figures(conn, out)
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]))

    def table(sql):
        result = conn.execute(text(sql))
        return {"columns": list(result.keys()), "rows": [list(r) for r in result]}

    page = env.get_template("report.html").render(
        summary=table("SELECT innovation_id, basis, compute_class, tentative, ROUND(slope, 3) AS slope, "
                      "ROUND(slope_lower, 3) AS slope_lower, ROUND(slope_upper, 3) AS slope_upper, n_points, "
                      "n_series, literature_class, agreement, ablation_ids, reason "
                      "FROM innovation_summary ORDER BY innovation_id, basis"),
        compute=table("SELECT model_id, operation_count_flop, hardware_time_flop, gpu_hours, hardware_id, "
                      "precision, ROUND(implied_utilisation, 3) AS implied_utilisation, "
                      "ROUND(implied_utilisation_bf16, 3) AS implied_utilisation_bf16, "
                      "CASE WHEN implied_utilisation_bf16 > 1 OR implied_utilisation > 1 "
                      "THEN 'impossible: above 100%, hours and tokens are not one run' "
                      "WHEN implied_utilisation_bf16 < 0.01 THEN 'below 1%' END AS mfu_check "
                      f"FROM compute_estimate WHERE model_id IN (SELECT id FROM model WHERE {ONE_ROW_PER_RUN}) "
                      "ORDER BY operation_count_flop DESC"),
        progress=table("SELECT quantity, innovation_id, compute_flop, value, lower, upper, unit, n_results, "
                       "resamples, note FROM progress_estimate ORDER BY id"),
        versions=conn.execute(text("SELECT analysis_version, data_version FROM innovation_summary "
                                   "UNION SELECT analysis_version, data_version FROM compute_estimate")).all(),
        fmt=_fmt, escape=html.escape)
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
