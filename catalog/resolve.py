"""Resolution: entity rows from their claims, derived compute claims, and conflicts.

All of it runs as set-based SQL over the claim table (or streams over a cursor), so a catalog of
100,000 models resolves in memory that does not grow with the number of models.

The rule (DESIGN section 3): for each (entity, field) the preferred claim wins; otherwise curated
beats imported beats scraped beats our own derived arithmetic, then higher confidence, then
reported beats derived beats estimated, then the newer source, then the lower claim id.
Deprecated claims never win and never conflict.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from catalog.claimkeys import fill_claim_keys
from catalog.fields import HARDWARE_FIELDS, MODEL_FIELDS

METHODS_SOURCE = {
    "id": "cegdb-methods",
    "kind": "dataset",
    "title": "cegdb derived and estimated claims (method notes)",
    "authors": "cegdb contributors",
    "date": None, "year": None, "venue": None,
    "url": "https://github.com/cegdb/cegdb/blob/main/docs/architecture.md#derived-claims",
    "arxiv_id": None, "doi": None, "license": "CC-BY-4.0", "retrieved_at": None,
}
DERIVED_ORIGIN = "derived:cegdb"

# Large pre-training runs report model FLOP utilisation of roughly 0.35-0.45 (PaLM 540B 46.2%,
# Llama 3 405B 38-43%); 0.40 is the central assumption, 0.20-0.60 the stated bounds.
ASSUMED_UTILISATION = 0.40
UTILISATION_BOUNDS = (0.20, 0.60)
# When a model's training precision is not stated, the hardware-time estimate assumes the
# fastest 16-bit format the chip has; older chips (V100, P100) have no BF16.
DEFAULT_PRECISIONS = ("bf16", "fp16", "fp32")

RESOLUTION_ORDER = """
    CASE c.rank WHEN 'preferred' THEN 0 ELSE 1 END,
    CASE WHEN c.origin = 'curated' THEN 0 WHEN c.origin LIKE 'import:%' THEN 1
         WHEN c.origin LIKE 'scraper:%' THEN 2 ELSE 3 END,
    CASE c.confidence WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END,
    CASE c.method WHEN 'reported' THEN 0 WHEN 'derived' THEN 1 WHEN 'estimated' THEN 2 ELSE 3 END,
    COALESCE(s.date, CAST(s.year AS VARCHAR), '') DESC,
    c.id
"""


def _winners_sql(where: str = "") -> str:
    return f"""
        SELECT id, entity_type, entity_id, field, value_num, value_text, method, confidence FROM (
            SELECT c.*, ROW_NUMBER() OVER (
                PARTITION BY c.entity_type, c.entity_id, c.field ORDER BY {RESOLUTION_ORDER}) AS rn
            FROM claim c JOIN source s ON s.id = c.source_id
            WHERE c.rank <> 'deprecated' {where}
        ) ranked WHERE rn = 1
    """


def select_winners(conn: Connection) -> None:
    """(Re)create the temp table claim_winner: one winning claim per (entity, field)."""
    conn.execute(text("DROP TABLE IF EXISTS claim_winner"))
    conn.execute(text(f"CREATE TEMPORARY TABLE claim_winner AS {_winners_sql()}"))
    conn.execute(text("CREATE INDEX ix_claim_winner ON claim_winner (entity_type, entity_id, field)"))


def reselect_winners(conn: Connection, field: str) -> None:
    """Recompute the winners of one field only (after derived claims were added to it)."""
    conn.execute(text("DELETE FROM claim_winner WHERE field = :field"), {"field": field})
    conn.execute(text(f"INSERT INTO claim_winner {_winners_sql('AND c.field = :field')}"), {"field": field})


def _pivot(entity_type: str, specs: dict) -> tuple[str, list[str]]:
    """SELECT that turns winners into one row per entity with a column per field."""
    parts, assignments = [], []
    for spec in specs.values():
        value = "value_num" if spec.kind in ("num", "bool") else "value_text"
        parts.append(f"MAX(CASE WHEN field = '{spec.name}' THEN {value} END) AS {spec.target_column}")
        column = spec.target_column
        if spec.kind == "bool":
            assignments.append(f"{column} = CASE WHEN w.{column} IS NULL THEN NULL "
                               f"WHEN w.{column} > 0.5 THEN TRUE ELSE FALSE END")
        else:
            assignments.append(f"{column} = w.{column}")
    if entity_type == "model":
        parts.append("MAX(CASE WHEN field = 'training_compute_flop' THEN method END) AS training_compute_method")
        assignments.append("training_compute_method = w.training_compute_method")
    select = (f"SELECT entity_id, {', '.join(parts)} FROM claim_winner "
              f"WHERE entity_type = '{entity_type}' GROUP BY entity_id")
    return select, assignments


def apply_winners(conn: Connection, entity_type: str) -> None:
    specs = MODEL_FIELDS if entity_type == "model" else HARDWARE_FIELDS
    select, assignments = _pivot(entity_type, specs)
    conn.execute(text(f"UPDATE {entity_type} SET {', '.join(assignments)} "
                      f"FROM ({select}) AS w WHERE {entity_type}.id = w.entity_id"))


def _weaker(*confidences: str) -> str:
    order = ["high", "medium", "low"]
    return max(confidences, key=order.index)


OPERATION_COUNT_INPUTS = """
    SELECT d.entity_id, COALESCE(a.value_num, p.value_num), COALESCE(a.id, p.id),
           CASE WHEN a.id IS NULL THEN 'parameters' ELSE 'active_parameters' END,
           COALESCE(a.confidence, p.confidence), d.value_num, d.id, d.confidence
    FROM claim_winner d
    LEFT JOIN claim_winner a ON a.entity_type = 'model' AND a.entity_id = d.entity_id
                            AND a.field = 'active_parameters'
    LEFT JOIN claim_winner p ON p.entity_type = 'model' AND p.entity_id = d.entity_id
                            AND p.field = 'parameters'
    WHERE d.entity_type = 'model' AND d.field = 'training_tokens'
      AND COALESCE(a.value_num, p.value_num) IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM model m WHERE m.id = d.entity_id AND m.no_6nd_reason IS NOT NULL)
"""
# Models whose file says `no_6nd: <reason>` (parameters shared across layers, encoder-decoder) get
# no 6ND claim: 6 x unique parameters x tokens miscounts them; their curated compute says how.

HARDWARE_TIME_INPUTS = """
    SELECT d.entity_id, d.value_num, d.id, hw.value_text, pr.value_text,
           h.fp32_tflops, h.fp16_tflops, h.bf16_tflops, h.fp8_tflops
    FROM claim_winner d
    LEFT JOIN claim_winner hw ON hw.entity_type = 'model' AND hw.entity_id = d.entity_id AND hw.field = 'hardware'
    LEFT JOIN hardware h ON h.id = hw.value_text
    LEFT JOIN claim_winner pr ON pr.entity_type = 'model' AND pr.entity_id = d.entity_id
                             AND pr.field = 'training_precision'
    WHERE d.entity_type = 'model' AND d.field = 'gpu_hours' AND h.id IS NOT NULL
"""
# LEFT JOINs (filtered by h.id IS NOT NULL) on purpose: with inner joins SQLite carries the
# keyset bound `d.entity_id > :last` over to hw and range-scans it for every row (quadratic).


def _pages(conn: Connection, sql: str, size: int):
    """Keyset pagination by d.entity_id: memory stays flat, and inserting between pages is safe."""
    last = ""
    while True:
        rows = conn.execute(text(f"{sql} AND d.entity_id > :last ORDER BY d.entity_id LIMIT :size"),
                            {"last": last, "size": size}).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _operation_count_claim(model_id, n, n_claim, n_field, n_conf, d, d_claim, d_conf) -> dict:
    return dict(
        entity_id=model_id, value_num=6.0 * n * d, lower=None, upper=None, method="derived",
        confidence="medium" if _weaker(n_conf, d_conf) == "high" else "low",
        source_id=METHODS_SOURCE["id"], locator="6ND", origin=DERIVED_ORIGIN,
        note=(f"6 x {n_field} ({n:.4g}, claim {n_claim}) x training_tokens ({d:.4g}, claim {d_claim}); "
              "counts forward and backward matmul FLOP, ignores attention-score FLOP"))


def _hardware_time_claim(model_id, hours, hours_claim, hardware_id, precision, fp32, fp16, bf16, fp8) -> dict | None:
    peaks = {"fp32": fp32, "fp16": fp16, "bf16": bf16, "fp8": fp8}
    if precision:
        chosen, why = precision, "training precision as claimed"
    else:
        chosen = next((p for p in DEFAULT_PRECISIONS if peaks.get(p)), None)
        why = "training precision not stated; fastest 16-bit format of the chip assumed"
    peak = peaks.get(chosen) if chosen else None
    if not peak:
        return None
    flop_at_peak = hours * 3600.0 * peak * 1e12
    return dict(
        entity_id=model_id, value_num=flop_at_peak * ASSUMED_UTILISATION,
        lower=flop_at_peak * UTILISATION_BOUNDS[0], upper=flop_at_peak * UTILISATION_BOUNDS[1],
        method="estimated", confidence="low", source_id=METHODS_SOURCE["id"],
        locator="GPU-hours x peak x utilisation", origin=DERIVED_ORIGIN,
        note=(f"gpu_hours ({hours:.4g} h, claim {hours_claim}) x 3600 s/h x {peak:g} TFLOP/s dense "
              f"{chosen} peak of {hardware_id} x utilisation {ASSUMED_UTILISATION:.2f} (assumed; bounds "
              f"{UTILISATION_BOUNDS[0]:.2f}-{UTILISATION_BOUNDS[1]:.2f}); {why}"))


def derive_compute_claims(conn: Connection, next_id: int, batch_size: int = 5000) -> int:
    """Add training_compute_flop claims by 6·N·D and by GPU-hours × peak × utilisation.

    Both are kept beside any reported value, so the disagreement shows in `conflict`.
    Ids: all 6ND claims in model order, then all hardware-time claims. Returns the next free id.
    """
    insert = text("""
        INSERT INTO claim (id, entity_type, entity_id, model_id, field, value_num, unit, lower, upper,
                           method, confidence, evidence, source_id, locator, origin, rank, note)
        VALUES (:id, 'model', :entity_id, :entity_id, 'training_compute_flop', :value_num, 'FLOP',
                :lower, :upper, :method, :confidence, 'unverified', :source_id, :locator, :origin,
                'normal', :note)
    """)
    # Read every page before inserting any of them would not be flat in memory; inserting into
    # `claim` between pages is safe because the pages read claim_winner, which does not change.
    for sql, make in ((OPERATION_COUNT_INPUTS, _operation_count_claim),
                      (HARDWARE_TIME_INPUTS, _hardware_time_claim)):
        for page in _pages(conn, sql, batch_size):
            batch = []
            for row in page:
                claim = make(*row)
                if claim is not None:
                    batch.append({"id": next_id, **claim})
                    next_id += 1
            if batch:
                conn.execute(insert, batch)
    return next_id


CONFLICT_INSERT = text("""
    INSERT INTO conflict (id, entity_type, entity_id, field, claim_a_id, claim_b_id, source_a_id,
                          source_b_id, value_a, value_b, relative_difference)
    VALUES (:id, :entity_type, :entity_id, :field, :claim_a_id, :claim_b_id, :source_a_id,
            :source_b_id, :value_a, :value_b, :relative_difference)
""")


def find_conflicts(conn: Connection, batch_size: int = 5000) -> int:
    """Fill `conflict` with every pair of non-deprecated claims that disagree. Returns the count.

    Streams the pairs (a server-side cursor on PostgreSQL): a catalog where every model's 6ND and
    hardware-time estimates disagree has as many conflicts as models.
    """
    greatest = "MAX" if conn.dialect.name == "sqlite" else "GREATEST"
    # Per-statement option: Connection.execution_options() would change the connection itself,
    # and the INSERTs below cannot run through a server-side cursor.
    pairs = conn.execute(text(f"""
        SELECT a.entity_type, a.entity_id, a.field, a.id, b.id, a.source_id, b.source_id,
               a.value_num, b.value_num, a.value_text, b.value_text
        FROM claim a JOIN claim b
          ON a.entity_type = b.entity_type AND a.entity_id = b.entity_id AND a.field = b.field AND a.id < b.id
        WHERE a.rank <> 'deprecated' AND b.rank <> 'deprecated' AND (
              (a.value_num IS NOT NULL AND b.value_num IS NOT NULL
               AND ABS(a.value_num - b.value_num) > 0.05 * {greatest}(ABS(a.value_num), ABS(b.value_num)))
           OR (a.value_text IS NOT NULL AND b.value_text IS NOT NULL AND a.value_text <> b.value_text))
        ORDER BY a.entity_type, a.entity_id, a.field, a.id, b.id
    """), execution_options={"yield_per": batch_size})
    number = 0
    for partition in pairs.partitions():
        rows = []
        for etype, eid, fld, a_id, b_id, a_src, b_src, a_num, b_num, a_txt, b_txt in partition:
            number += 1
            if a_num is not None:
                value_a, value_b = f"{a_num:.6g}", f"{b_num:.6g}"
                rel = abs(a_num - b_num) / max(abs(a_num), abs(b_num))
            else:
                value_a, value_b, rel = a_txt, b_txt, None
            rows.append(dict(id=number, entity_type=etype, entity_id=eid, field=fld, claim_a_id=a_id,
                             claim_b_id=b_id, source_a_id=a_src, source_b_id=b_src, value_a=value_a,
                             value_b=value_b, relative_difference=rel))
        conn.execute(CONFLICT_INSERT, rows)
    return number


def resolve(conn: Connection, next_claim_id: int, derivers=()) -> dict:
    """Run the whole resolution; returns counts for the build report.

    `derivers`: callables (conn, next id) -> (next id, fields) from an upper floor (the build
    pipeline passes analysis/cost_store.py's cost claims); they run once the model rows hold their
    resolved values, and the fields they add are resolved and compared like any other.
    """
    select_winners(conn)
    apply_winners(conn, "hardware")
    next_claim_id = derive_compute_claims(conn, next_claim_id)
    reselect_winners(conn, "training_compute_flop")
    apply_winners(conn, "model")
    if derivers:
        for derive in derivers:
            next_claim_id, fields = derive(conn, next_claim_id)
            for name in fields:
                reselect_winners(conn, name)
        apply_winners(conn, "model")
    conflicts = find_conflicts(conn)
    from catalog.row_checks import check_rows  # the reader's checks on every resolved row

    checks = check_rows(conn)
    conn.execute(text("DROP TABLE IF EXISTS claim_winner"))
    fill_claim_keys(conn)  # derived and carried-over claims
    return {"claims": next_claim_id - 1, "conflicts": conflicts, "row_checks": checks}
