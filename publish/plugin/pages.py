"""What the model and hardware pages show: resolved values, each linked to the claim that won it.

The winner of a field is recomputed here for one entity with the build's own ordering
(catalog.resolve.RESOLUTION_ORDER), so the page and the resolved row cannot disagree about which
claim a value came from; the claims table marks the same claim. A few dozen claims per entity:
one indexed query per page.
"""

from __future__ import annotations

from sqlalchemy import Boolean

from catalog.fields import FIELDS_BY_ENTITY
from catalog.resolve import DERIVED_ORIGIN, RESOLUTION_ORDER
from catalog.schema import Hardware, Model, column_docs

# Columns that hold the id of another row, and the table it is in: shown as links.
FOREIGN_KEYS = {
    "organization_id": "organization", "vendor": "organization", "primary_source_id": "source",
    "source_id": "source", "base_model_id": "model", "same_pretraining_as": "model", "hardware_id": "hardware",
}
# Columns that describe the row itself rather than a value read in a source (not claims).
HIDDEN_FACTS = {"id", "name", "warning_fields"}

_WINNERS_SQL = f"""
select id, field from (
  select c.id, c.field, row_number() over (partition by c.field order by {RESOLUTION_ORDER}) as rn
  from claim c join source s on s.id = c.source_id
  where c.entity_type = :entity_type and c.entity_id = :entity_id and c.rank <> 'deprecated'
) where rn = 1
"""

_CLAIMS_SQL = """
select c.id, c.stable_key, c.field, c.value_num, c.value_text, c.unit, c.lower, c.upper, c.method, c.confidence,
       c.evidence, c.rank, c.locator, c.quote, c.note, c.origin, s.id as source_id, s.title as source_title,
       s.url as source_url
from claim c join source s on s.id = c.source_id
where c.entity_type = :entity_type and c.entity_id = :entity_id order by c.field, c.id
"""

_CONFLICTS_SQL = """
select f.field, f.value_a, f.value_b, f.relative_difference, f.claim_a_id, f.claim_b_id,
       ca.origin as origin_a, cb.origin as origin_b, ca.unit as unit, sa.title as source_a, sb.title as source_b
from conflict f join source sa on sa.id = f.source_a_id join source sb on sb.id = f.source_b_id
join claim ca on ca.id = f.claim_a_id join claim cb on cb.id = f.claim_b_id
where f.entity_type = :entity_type and f.entity_id = :entity_id order by f.field, f.id
"""

TABLES = {"model": Model, "hardware": Hardware}


def ratio(a, b) -> float | None:
    """How many times larger the larger value is (x14.6): unlike |a-b|/max it does not saturate at 1."""
    try:
        a, b = abs(float(a)), abs(float(b))
    except (TypeError, ValueError):
        return None
    low, high = min(a, b), max(a, b)
    return high / low if low > 0 else None


def split_conflicts(rows: list[dict]) -> dict[str, list[dict]]:
    """Source against source, and a source against our own arithmetic (6ND, GPU-hours x peak)."""
    out = {"sources": [], "arithmetic": []}
    for row in rows:
        row = {**row, "ratio": ratio(row["value_a"], row["value_b"])}
        ours = DERIVED_ORIGIN in (row.get("origin_a"), row.get("origin_b"))
        out["arithmetic" if ours else "sources"].append(row)
    return out


async def entity_page(db, entity_type: str, entity_id: str) -> dict:
    table = TABLES[entity_type]
    params = {"entity_type": entity_type, "entity_id": entity_id}
    row = (await db.execute(f"select * from {entity_type} where id = :id", {"id": entity_id})).first()
    if row is None:
        return {}
    claims = [dict(r) for r in (await db.execute(_CLAIMS_SQL, params)).rows]
    winners = {r["field"]: r["id"] for r in (await db.execute(_WINNERS_SQL, params)).rows}
    by_id = {c["id"]: c for c in claims}
    for claim in claims:
        claim["winner"] = winners.get(claim["field"]) == claim["id"]
    specs = FIELDS_BY_ENTITY[entity_type]
    column_to_field = {spec.target_column: spec.name for spec in specs.values()}
    if entity_type == "model":
        column_to_field["training_compute_method"] = "training_compute_flop"
    docs = column_docs(table)
    booleans = {c.name for c in table.__table__.columns if isinstance(c.type, Boolean)}
    values, facts = [], []
    for column in row.keys():
        value = row[column]
        if value is None or column in HIDDEN_FACTS:
            continue
        description, unit = docs.get(column, ("", None))
        if column in booleans:
            value = bool(value)  # SQLite stores 0/1; readable() shows yes/no
        item = {"column": column, "description": description, "unit": unit, "value": value,
                "link_table": FOREIGN_KEYS.get(column)}
        field = column_to_field.get(column)
        if field is not None:
            item["claim"] = by_id.get(winners.get(field))
            item["bounds"] = column != "training_compute_method"
            values.append(item)
        else:
            facts.append(item)
    conflicts = [dict(r) for r in (await db.execute(_CONFLICTS_SQL, params)).rows]
    return {"entity": dict(row), "values": values, "facts": facts, "claims": claims,
            "conflicts": split_conflicts(conflicts)}


async def hardware_models(db, hardware_id: str, limit: int = 200) -> list[dict]:
    """Models trained on this accelerator, largest compute first."""
    rows = await db.execute(
        "select id, name, release_date, hardware_count, gpu_hours, training_compute_flop from model "
        "where hardware_id = :id order by training_compute_flop is null, training_compute_flop desc, id "
        "limit :limit", {"id": hardware_id, "limit": limit})
    return [dict(r) for r in rows.rows]
