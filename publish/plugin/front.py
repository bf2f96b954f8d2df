"""The front page (what the catalog concludes, where to start), the database page's table list,
and the hardware page's data.

The headline table reads innovation_summary through `headline_rows`, the one place that knows
which of its columns exist: the classification may carry gain_small / trend / comparison
columns (the rewritten CEG classifier) or only slope and ceg_at_min (the earlier one).
"""

from __future__ import annotations

from catalog.units import readable
from publish.plugin import pages

# Plain words for each class, after arXiv 2505.04075's two paths.
CLASS_WORDS = {
    "compute-dependent": "gain grows with compute: pays off at large scale",
    "compute-independent": "gain already there at small scale, about constant",
    "diminishing": "gain shrinks as compute grows",
    "little or no gain": "at most a 25% saving at small scale, and no trend with compute",
    "insufficient evidence": "not enough measurements to say",
    "undetermined": "measured, but the data do not decide the trend",
}
# A compute-independent gain may be flat or growing (Sanderson et al.: it "persists or grows"):
# the plain words follow the trend, so a row never reads "about constant" beside "grows".
INDEPENDENT_WORDS = {"grows": "gain already there at small scale, and it grows with compute",
                     "flat or grows": "gain already there at small scale; it persists or grows"}
TREND_WORDS = {"grows": "grows with compute", "shrinks": "shrinks with compute", "flat": "flat",
               "flat or grows": "flat or grows (does not shrink)", "undetermined": "undetermined"}
# The design's trend thresholds on the slope d ln CEG / d ln C (docs/analysis.md): used only when
# the summary has no trend column of its own.
GROWS, FLAT = 0.05, 0.10

# Tables in the order a reader needs them, with what each is for in one line; the rest follow.
TABLE_GUIDE = {
    "model": "One row per trained model: size, data, compute, GPU-hours, hardware, architecture (resolved from claims).",
    "innovation": "Algorithmic innovations and the class of their compute-equivalent gain.",
    "innovation_summary": "Per innovation: is the gain compute-dependent? Our class beside the literature's.",
    "ceg_estimate": "Each compute-equivalent gain measured or fitted, with its interval and evidence.",
    "hardware": "Accelerators: memory, bandwidth, dense peak throughput per precision.",
    "claim": "Every sourced value: entity, field, value, method, confidence, source, locator, quote.",
    "source": "Papers, model cards, datasheets and data sets the claims cite (also as BibTeX).",
    "conflict": "Pairs of claims that disagree, with both sources.",
    "organization": "Labs, companies and vendors.",
    "checkpoint": "Format and quantisation re-uploads of a model (FP8, GGUF, AWQ, ...), each linked to it.",
    "model_innovation": "Which model uses which innovation, with the source that says so.",
    "run": "Training runs (loss against compute) the CEG engine fits.",
    "ablation": "Published ablations: baseline against treatment at one scale.",
    "verdict": "What publications conclude about an innovation's compute dependence.",
    "compute_estimate": "Training compute by operation counting and by hardware time, per model.",
    "benchmark_result": "Published perplexities for the algorithmic-progress fit.",
    "progress_estimate": "Results of the algorithmic-progress fit (doubling time, CEGs).",
    "alias": "Old or alternative ids that still lead to their entity.",
    "release": "Frozen, citable versions of the catalog.",
    "snapshot": "Raw responses the scrapers stored before parsing.",
}
INTERNAL_TABLES = {"alembic_version"}
COUNT_LABELS = {"model": "models", "innovation": "innovations", "hardware": "accelerators", "source": "sources",
                "claim": "claims", "conflict": "conflicts"}


def readable_text(value, unit=None) -> str:
    """A number stored as text (conflict values) in the unit's readable form; other text as is."""
    try:
        return readable(float(value), unit)
    except (TypeError, ValueError):
        return "" if value is None else str(value)


async def data_release(db) -> tuple[str, str | None]:
    """(data version, built_at): the release row when there is one, else the analysis stamp."""
    for sql in ("select data_version, built_at from release order by built_at desc limit 1",
                "select data_version, null from innovation_summary limit 1",
                "select data_version, null from compute_estimate limit 1"):
        try:
            row = (await db.execute(sql)).first()
        except Exception:  # a table missing in an older database: try the next one
            row = None
        if row and row[0]:
            return str(row[0]), row[1]
    return "unversioned", None


async def data_version(db) -> str:
    return (await data_release(db))[0]


def _trend_from_slope(slope, lower, upper) -> str:
    if slope is None or lower is None or upper is None:
        return "undetermined"
    if lower > GROWS:
        return "grows"
    if upper < -GROWS:
        return "shrinks"
    if -FLAT <= lower and upper <= FLAT:
        return "flat"
    return "undetermined"


async def headline_rows(db, innovation_id: str | None = None) -> list[dict]:
    """One row per innovation with a FLOP-basis summary, in plain terms, whichever columns exist
    (all innovations, or the one named)."""
    try:
        columns = {r[1] for r in (await db.execute("pragma table_info(innovation_summary)")).rows}
    except Exception:
        return []
    if not columns:
        return []
    new = {"gain_small", "trend"} <= columns
    rows = (await db.execute(
        "select s.*, i.name as innovation_name, i.category from innovation_summary s "
        "join innovation i on i.id = s.innovation_id where s.basis = 'flop' "
        "and (:one is null or s.innovation_id = :one) order by i.name", {"one": innovation_id})).rows
    out = []
    for r in rows:
        r = dict(r)
        if new:
            gain, low, high, trend = r.get("gain_small"), r.get("gain_small_lower"), r.get("gain_small_upper"), r.get("trend")
        else:
            gain, low, high = r.get("ceg_at_min"), None, None
            trend = _trend_from_slope(r.get("slope"), r.get("slope_lower"), r.get("slope_upper"))
        klass = r.get("compute_class") or "undetermined"
        slope_text = None
        if r.get("slope") is not None:
            slope_text = f"slope {r['slope']:+.2f}"
            if r.get("slope_lower") is not None and r.get("slope_upper") is not None:
                slope_text += f" [{r['slope_lower']:+.2f}, {r['slope_upper']:+.2f}]"
        out.append({
            "innovation_id": r["innovation_id"], "name": r["innovation_name"], "category": r["category"],
            "gain_small": gain, "gain_small_lower": low, "gain_small_upper": high,
            "compute_min": r.get("compute_min"), "compute_max": r.get("compute_max"),
            # where (a) was read: the engine's common compute when it has one, else the smallest
            "gain_compute": (r.get("compute_small") if new and r.get("compute_small") else r.get("compute_min")),
            "trend": trend or "undetermined", "slope_text": slope_text, "trend_words": TREND_WORDS.get(trend or "undetermined", trend),
            "compute_class": klass, "class_words": _class_words(klass, trend),
            "tentative": bool(r.get("tentative")), "literature_class": r.get("literature_class"),
            "agreement": r.get("agreement"), "comparison": r.get("comparison") if new else None,
            "n_points": r.get("n_points"),
        })
    decided = ("compute-dependent", "compute-independent", "diminishing", "little or no gain")
    out.sort(key=lambda row: (row["compute_class"] not in decided, row["compute_class"], row["name"].lower()))
    return out


def _class_words(klass: str, trend: str | None) -> str:
    if klass == "compute-independent" and trend in INDEPENDENT_WORDS:
        return INDEPENDENT_WORDS[trend]
    return CLASS_WORDS.get(klass, klass)


def _database(datasette):
    name = next((n for n in datasette.databases if n != "_internal"), None)
    return name, (datasette.get_database(name) if name else None)


def index_vars(datasette, request):
    async def front_page():
        name, db = _database(datasette)
        if db is None:
            return {"cegdb_front": None}
        counts = await db.table_counts(limit=10)
        version, built = await data_release(db)
        return {"cegdb_front": {
            "database": name, "headline": await headline_rows(db), "data_version": version, "built": built,
            "counts": [(t, label, counts.get(t)) for t, label in COUNT_LABELS.items() if counts.get(t) is not None],
        }}
    return front_page


def database_vars(datasette, database):
    async def database_page():
        db = datasette.get_database(database)
        counts = await db.table_counts(limit=10)
        hidden = set(await db.hidden_table_names()) | INTERNAL_TABLES
        shown = [t for t in counts if t not in hidden and counts.get(t) != 0]
        order = list(TABLE_GUIDE)
        shown.sort(key=lambda t: (order.index(t) if t in order else len(order), t))
        tables = [{"name": t, "count": counts.get(t), "guide": TABLE_GUIDE.get(t, "")} for t in shown]
        left_out = sorted(t for t in counts if t not in shown and not t.endswith(("_fts", "_fts_data", "_fts_idx",
                                                                               "_fts_docsize", "_fts_config")))
        return {"cegdb_tables": tables, "cegdb_left_out": left_out}
    return database_page


def hardware_vars(datasette, database, hardware_id):
    async def hardware_page():
        db = datasette.get_database(database)
        page = await pages.entity_page(db, "hardware", hardware_id)
        return {"cegdb_page": page, "cegdb_data_version": await data_version(db),
                "cegdb_hardware_models": await pages.hardware_models(db, hardware_id) if page else []}
    return hardware_page
