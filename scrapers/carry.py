"""Carry scraped and imported data from the old catalog into a rebuilt one.

`cegdb build` rebuilds the catalog from datasets/; what scrapers and imports wrote lives only in
the database, so the build reads it from the old database first (`read_carry`) and writes it into
the new one before resolution (`write_carry`): snapshots, sources and models that are not curated,
and every claim whose origin is neither `curated` nor `derived:cegdb` (derived claims are
recomputed). Each carried claim is checked again with the same rules as a curated one, against the
new catalog: a claim whose hardware id or source no longer exists, or whose value a tightened range
now refuses, is dropped and reported in the build report, never loaded half-valid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Connection, inspect, text

from catalog.fields import ValueProblem
from catalog.resolve import DERIVED_ORIGIN
from scrapers.validate import check_value

log = logging.getLogger(__name__)

CARRIED_ORIGINS_SQL = f"origin NOT IN ('curated', '{DERIVED_ORIGIN}')"
# Paper sources (arXiv, Semantic Scholar) are kept even when no claim cites them.
PAPER_ORIGINS = ("scraper:arxiv", "scraper:s2")
MODEL_FACTS = ("id", "name", "family", "organization_id", "release_date", "release_year", "domain",
               "accessibility", "base_model_id", "hf_repo_id", "primary_source_id", "origin")


@dataclass
class Carry:
    snapshots: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    models: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    citation_counts: dict[str, int] = field(default_factory=dict)  # curated source id -> S2 count

    def __bool__(self) -> bool:
        return bool(self.snapshots or self.sources or self.models or self.claims or self.citation_counts)


def read_carry(conn: Connection) -> Carry:
    """Everything a rebuild must keep, read from the existing catalog (any schema revision)."""
    tables = set(inspect(conn).get_table_names())
    carry = Carry()
    if not {"claim", "source", "model"} <= tables:
        return carry

    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspect(conn).get_columns(table)}

    def rows(sql: str) -> list[dict]:
        return [dict(r._mapping) for r in conn.execute(text(sql))]

    if "snapshot" in tables:
        carry.snapshots = rows("SELECT * FROM snapshot ORDER BY sha256")
    # Catalogs built before revision 0004 have no origin on sources and models: all were curated.
    if "origin" in columns("source"):
        carry.sources = rows(f"SELECT * FROM source WHERE {CARRIED_ORIGINS_SQL} ORDER BY id")
        # Semantic Scholar counts written onto curated sources (same paper): datasets/ has no
        # such field, so they are carried like scraped values.
        carry.citation_counts = {r["id"]: r["citation_count"] for r in rows(
            "SELECT id, citation_count FROM source WHERE origin = 'curated' AND citation_count IS NOT NULL")}
    if "origin" in columns("model"):
        facts = ", ".join(c for c in MODEL_FACTS if c in columns("model"))
        carry.models = rows(f"SELECT {facts} FROM model WHERE origin <> 'curated' ORDER BY id")
    # Claims, models and sources that came from the generated layer (origin_ref "datasets/...") are
    # reloaded from datasets/ by the build itself; carrying them too would load them twice, and
    # would keep what a newer scrape removed from the layer.
    carry.claims = rows(f"SELECT * FROM claim WHERE {CARRIED_ORIGINS_SQL} "
                        "AND (origin_ref IS NULL OR origin_ref NOT LIKE 'datasets/%') ORDER BY id")
    about = {c["entity_id"] for c in carry.claims if c["entity_type"] == "model"}
    cited = {c["source_id"] for c in carry.claims}
    carry.models = [m for m in carry.models if m["id"] in about]
    carry.sources = [s for s in carry.sources
                     if s["id"] in cited or str(s.get("origin", "")).startswith(PAPER_ORIGINS)]
    return carry


def _insert(conn: Connection, table: str, row: dict, allowed: set[str]) -> None:
    row = {k: v for k, v in row.items() if k in allowed}
    conn.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)


def write_carry(conn: Connection, carry: Carry, next_claim_id: int) -> tuple[int, dict, list[str]]:
    """Insert the carried rows that still fit; returns (next claim id, counts, dropped claims)."""
    def ids(table: str, key: str = "id") -> set:
        return {r[0] for r in conn.execute(text(f"SELECT {key} FROM {table}"))}

    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspect(conn).get_columns(table)}

    counts = {"carried_snapshots": 0, "carried_sources": 0, "carried_models": 0, "carried_claims": 0}
    snapshots = ids("snapshot", "sha256")
    for row in carry.snapshots:
        if row["sha256"] not in snapshots:
            _insert(conn, "snapshot", row, columns("snapshot"))
            snapshots.add(row["sha256"])
            counts["carried_snapshots"] += 1
    sources = ids("source")
    for row in carry.sources:
        if row["id"] not in sources:  # a curated source of the same key wins
            _insert(conn, "source", row, columns("source"))
            sources.add(row["id"])
            counts["carried_sources"] += 1
    for source_id, count in carry.citation_counts.items():
        conn.execute(text("UPDATE source SET citation_count = :c WHERE id = :i AND citation_count IS NULL"),
                     {"c": count, "i": source_id})
    models, organizations = ids("model"), ids("organization")
    added = []
    for row in carry.models:
        if row["id"] in models:  # curated now (a curator promoted it): the curated row wins
            continue
        row = {**row, "base_model_id": None}
        if row.get("organization_id") not in organizations:
            row["organization_id"] = None
        if row.get("primary_source_id") not in sources:
            row["primary_source_id"] = None
        _insert(conn, "model", row, columns("model"))
        models.add(row["id"])
        added.append(row["id"])
        counts["carried_models"] += 1
    bases = {r["id"]: r.get("base_model_id") for r in carry.models if r["id"] in added}
    for model_id, base in bases.items():
        if base and base in models and base != model_id:
            conn.execute(text("UPDATE model SET base_model_id = :b WHERE id = :m"), {"b": base, "m": model_id})

    hardware = ids("hardware")
    entities = {"model": models, "hardware": hardware}
    claim_columns = columns("claim")
    dropped: list[str] = []
    for row in carry.claims:
        what = f"claim {row['id']} ({row['origin']}, {row['entity_type']} {row['entity_id']}, {row['field']})"
        try:
            if row["entity_id"] not in entities.get(row["entity_type"], set()):
                raise ValueProblem(f"{row['entity_type']} {row['entity_id']!r} is no longer in the catalog")
            if row["source_id"] not in sources:
                raise ValueProblem(f"source {row['source_id']!r} is no longer in the catalog")
            values = check_value(row["entity_type"], row["field"], row["value_num"], row["value_text"],
                                 lower=row["lower"], upper=row["upper"], locator=row["locator"],
                                 method=row["method"], confidence=row["confidence"], evidence=row["evidence"],
                                 rank=row["rank"], hardware_exists=hardware.__contains__,
                                 # imports keep unusual magnitudes (warnings), as when they were stored
                                 magnitudes=[] if str(row["origin"]).startswith("import:") else None)
        except ValueProblem as exc:
            dropped.append(f"{what}: {exc}")
            continue
        new = {**row, **values, "id": next_claim_id,
               "model_id": row["entity_id"] if row["entity_type"] == "model" else None,
               "hardware_id": row["entity_id"] if row["entity_type"] == "hardware" else None}
        if new.get("snapshot_id") not in snapshots:
            new["snapshot_id"] = None
        _insert(conn, "claim", new, claim_columns)
        next_claim_id += 1
        counts["carried_claims"] += 1
    for message in dropped:
        log.warning("not carried into the rebuilt catalog: %s", message)
    counts["carried_dropped"] = len(dropped)
    return next_claim_id, counts, dropped
