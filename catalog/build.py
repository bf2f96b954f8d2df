"""The ground floor of a build: read and check datasets/, write the rows, index, check integrity.

The pipeline that runs a whole build (temporary file and rename, carry-over of scraped rows,
analysis) is cegdb/pipeline.py, on the top floor, since it uses scrapers/ and analysis/.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import Connection, text

from catalog import corrections, db, distinct, evidence, generated, safety, schema
from catalog.datasets import (ModelEntry, Problems, Refs, iter_model_documents, read_ablations,
                              read_benchmark_results, read_hardware, read_innovations, read_model,
                              read_organizations, read_sources)
from catalog.prices import read_price_index, read_prices
from catalog.claimkeys import key_of
from catalog.resolve import DERIVED_ORIGIN, METHODS_SOURCE, resolve
from catalog.pretraining import link_checkpoints_of_one_run, link_shared_pretraining

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
# Tables a build owns and rewrites; snapshots and releases survive a rebuild on PostgreSQL.
CONTENT_TABLES = ("hardware_price", "price_index", "compute_estimate", "ceg_estimate", "innovation_summary", "progress_estimate", "conflict", "model_innovation", "claim", "ablation", "run", "run_series", "verdict", "benchmark_result", "checkpoint", "model", "hardware",
                  "innovation", "organization", "alias", "source")


class BuildFailed(Exception):
    def __init__(self, problems: list):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in datasets/; nothing was written")


@dataclass
class BuildReport:
    path: str
    counts: dict[str, int] = field(default_factory=dict)


class _Writer:
    """Buffers rows per table and writes them in batches with executemany.

    Once any problem is recorded the build is going to fail and its database is discarded, so
    rows are no longer written: reading goes on only to report every problem, and a row with a
    missing required value never reaches the database as an IntegrityError.
    """

    def __init__(self, conn: Connection, problems: Problems):
        self.conn = conn
        self.problems = problems
        self.buffers: dict[str, list[dict]] = {}
        self.counts: dict[str, int] = {}
        self.next_claim_id = 1
        self._sql: dict[str, tuple[str, list[str]]] = {}

    def add(self, table: str, row: dict) -> None:
        buf = self.buffers.setdefault(table, [])
        buf.append(row)
        if len(buf) >= BATCH_SIZE:
            self.flush(table)

    def add_claims(self, claims: Iterable[dict]) -> None:
        for claim in claims:
            claim["id"] = self.next_claim_id
            claim["stable_key"] = key_of(claim)
            self.next_claim_id += 1
            self.add("claim", claim)

    # Parents before children, so foreign keys hold at every statement.
    ORDER = ("source", "organization", "innovation", "hardware", "hardware_price", "price_index", "model", "alias", "checkpoint", "claim",
             "model_innovation", "ablation", "benchmark_result", "run", "run_series", "verdict")

    def flush(self, table: str | None = None) -> None:
        """Write `table`'s buffer, and first every parent table's, or everything."""
        last = self.ORDER.index(table) if table else len(self.ORDER) - 1
        for name in self.ORDER[: last + 1]:
            rows = self.buffers.get(name)
            if rows and self.problems:
                rows.clear()
            elif rows:
                sql, columns = self._insert_sql(name)
                # The driver's own executemany: SQLAlchemy's per-row parameter processing
                # costs as much as the insert itself at 100,000 models.
                self.conn.exec_driver_sql(sql, [tuple(row.get(c) for c in columns) for row in rows])
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                rows.clear()

    def _insert_sql(self, name: str) -> tuple[str, list[str]]:
        if name not in self._sql:
            columns = [c.name for c in schema.SQLModel.metadata.tables[name].columns]
            mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
            self._sql[name] = (f"INSERT INTO {name} ({', '.join(columns)}) "
                               f"VALUES ({', '.join([mark] * len(columns))})", columns)
        return self._sql[name]


def _models_from_files(root: Path, problems: Problems, refs: Refs) -> Iterator[ModelEntry]:
    for path, document in iter_model_documents(root, problems):
        entry = read_model(path.relative_to(root.parent) if path.is_absolute() else path,
                           document, problems, refs)
        if entry is not None:
            yield entry


def load(conn: Connection, root: Path, problems: Problems,
         model_documents: Callable[[Problems, Refs], Iterable[ModelEntry]] | None = None,
         progress: Callable[[int], None] | None = None) -> int:
    """Read and check every dataset file, writing rows as they come. Returns the next claim id."""
    refs = Refs()
    rel = root.parent
    writer = _Writer(conn, problems)
    sources = read_sources(root, problems, refs)
    refs.sources[METHODS_SOURCE["id"]] = METHODS_SOURCE
    for row in sources:
        writer.add("source", {**row, "origin": "curated"})
    writer.add("source", {**METHODS_SOURCE, "origin": DERIVED_ORIGIN})
    # The generated layer (datasets/imported/, datasets/scraped/): same tables, its own origin.
    files = generated.read_files(root, problems)
    for row in generated.read_sources(files, problems, refs):
        writer.add("source", row)
    for row in read_organizations(root, problems, refs):
        writer.add("organization", row)
    for row in generated.read_organizations(files, problems, refs):
        writer.add("organization", row)
    for row in read_innovations(root, problems, refs):
        writer.add("innovation", row)
    hardware, hardware_claims = read_hardware(root, problems, refs)
    more_hardware, more_hardware_claims, hw_map = generated.read_hardware(files, problems, refs, hardware)
    for row in hardware:
        writer.add("hardware", {**row, "origin": "curated"})
    for row in more_hardware:
        writer.add("hardware", row)
    writer.flush()
    writer.add_claims(hardware_claims)
    writer.add_claims(more_hardware_claims)
    for row in read_prices(files, problems, refs, hw_map):  # Epoch's price series (docs/cost.md)
        writer.add("hardware_price", row)
    for row in read_price_index(files, problems, refs):  # dollars of one month in another's
        writer.add("price_index", row)

    entries = model_documents(problems, refs) if model_documents else _models_from_files(root, problems, refs)
    reconciler = generated.Reconciler()
    distinct_pairs = distinct.read_distinct(root, problems)
    reconciler.distinct.update(pair for pair, _ in distinct_pairs)
    base_models: list[tuple[str, str, str]] = []
    shared_runs: list[tuple[str, str, str]] = []
    for count, entry in enumerate(entries, 1):
        writer.add("model", {**entry.row, "origin": "curated"})
        reconciler.add_curated(entry)
        for alias in entry.aliases:
            writer.add("alias", {"alias": alias, "entity_type": "model", "entity_id": entry.row["id"],
                                 "note": "curated alias"})
        writer.add_claims(entry.claims)
        for link in entry.innovations:
            writer.add("model_innovation", link)
        if entry.base_model:
            base_models.append((entry.row["id"], entry.base_model, refs.models[entry.row["id"]]))
        if entry.same_pretraining_as:
            shared_runs.append((entry.row["id"], entry.same_pretraining_as, refs.models[entry.row["id"]]))
        if progress:
            progress(count)
    after = generated.GeneratedModels()
    for kind, payload in generated.read_models(files, problems, refs, reconciler, hw_map):
        if kind in ("model", "checkpoint"):
            writer.add(kind, payload)
        elif kind == "link":
            writer.add("model_innovation", payload)
        elif kind == "claims":
            writer.add_claims(payload)
        else:
            after = payload
    writer.flush()
    distinct.check_used(distinct_pairs, set(reconciler.refs_of) | set(reconciler.model_of_ref), problems)
    for model_id, base, where in base_models:
        if base not in reconciler.refs_of:
            path, _, line = where.rpartition(":")
            problems.add(path, int(line), "base_model", f"unknown model id {base!r}")
        else:
            conn.execute(text("UPDATE model SET base_model_id = :b WHERE id = :m"), {"b": base, "m": model_id})
    _finish_generated_models(conn, after, reconciler)
    writer.flush()
    rows_complete = not problems  # the rows corrections apply to were all written (none skipped)
    corrections.apply_corrections(conn, corrections.read_corrections(root, problems, refs), problems, rows_complete)
    link_shared_pretraining(conn, shared_runs, refs, problems)
    if not problems:
        apart = {frozenset(reconciler.model_of_ref.get(n, n) for n in pair) for pair, _ in distinct_pairs}
        link_checkpoints_of_one_run(conn, apart, reconciler.curated)
    # Literature evidence for the analysis; benchmark results may name catalog models, so last.
    for row in read_ablations(root, problems, refs, files):
        writer.add("ablation", row)
    for row in read_benchmark_results(root, problems, refs):
        writer.add("benchmark_result", row)
    # Run points and verdicts for the CEG engine; after every reader that fills refs.sources.
    for table, rows in evidence.read_evidence(root, files, problems, refs):
        for row in rows:
            writer.add(table, row)
    writer.flush()
    log.debug("loaded %s from %s", writer.counts, rel)
    return writer.next_claim_id


def _finish_generated_models(conn: Connection, after: generated.GeneratedModels,
                             reconciler: generated.Reconciler) -> None:
    """Base models, columns a later entry knows, and warnings: once every model row exists."""
    bases = []
    for model_id, base, source in after.base_models:
        target = generated.resolve_base(base, source, reconciler)
        if target is None:
            after.warnings[model_id].append(f"base_model: no catalog model matches {base!r}")
        elif target != model_id and model_id not in reconciler.curated:
            bases.append((target, model_id))
    if bases:  # a curated base_model is never overridden
        conn.exec_driver_sql(_sql(conn, "UPDATE model SET base_model_id = ? WHERE id = ? AND base_model_id IS NULL"),
                             bases)
    for model_id, fill in sorted(after.fills.items()):
        if fill:
            sets = ", ".join(f"{k} = COALESCE({k}, :{k})" for k in fill)
            conn.execute(text(f"UPDATE model SET {sets} WHERE id = :model_id"), {**fill, "model_id": model_id})
    rows = []
    for model_id, warnings in sorted(after.warnings.items()):
        columns = generated.warning_columns(warnings)
        if columns["warnings"]:
            rows.append((columns["warnings"], columns["warning_fields"], model_id))
    if rows:
        conn.exec_driver_sql(_sql(conn, "UPDATE model SET warnings = ?, warning_fields = ? WHERE id = ?"), rows)


def _sql(conn: Connection, statement: str) -> str:
    """A qmark statement in the driver's own parameter style (psycopg wants %s)."""
    return statement if conn.dialect.paramstyle == "qmark" else statement.replace("?", "%s")


def _fts(path: Path) -> None:
    import sqlite_utils

    database = sqlite_utils.Database(path)
    for table, columns in (("model", ["id", "name", "family", "organization_id", "hf_repo_id"]),
                           ("source", ["id", "title", "authors", "venue"]),
                           ("innovation", ["id", "name", "category", "description"]),
                           ("hardware", ["id", "name", "vendor"])):
        database[table].enable_fts(columns, replace=True, create_triggers=False)
    database.close()


def _counts(conn: Connection) -> dict[str, int]:
    return {name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
            for name in ("source", "organization", "hardware", "innovation", "model", "checkpoint", "claim",
                         "model_innovation", "conflict", "ablation", "benchmark_result", "run", "run_series", "verdict")}


def _check_integrity(conn: Connection) -> None:
    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise RuntimeError(f"foreign key check failed after build: {bad[:5]}")
