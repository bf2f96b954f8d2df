"""`cegdb build`: migrate, load datasets/, resolve, index; all or nothing.

SQLite targets are built in a temporary file beside the target and renamed over it only when
everything succeeded, so a failed build leaves the existing database exactly as it was.
PostgreSQL targets are reloaded inside one transaction, which rolls back on any problem.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import Connection, text

from catalog import corrections, db, evidence, generated, safety, schema
from catalog.datasets import (ModelEntry, Problems, Refs, iter_model_documents, read_ablations,
                              read_benchmark_results, read_hardware, read_innovations, read_model,
                              read_organizations, read_sources)
from catalog.resolve import DERIVED_ORIGIN, METHODS_SOURCE, resolve
from catalog.pretraining import link_shared_pretraining

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
# Tables a build owns and rewrites; snapshots and releases survive a rebuild on PostgreSQL.
CONTENT_TABLES = ("compute_estimate", "ceg_estimate", "innovation_summary", "progress_estimate", "conflict", "model_innovation", "claim", "ablation", "run", "verdict", "benchmark_result", "model", "hardware",
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
            self.next_claim_id += 1
            self.add("claim", claim)

    # Parents before children, so foreign keys hold at every statement.
    ORDER = ("source", "organization", "innovation", "hardware", "model", "alias", "claim",
             "model_innovation", "ablation", "benchmark_result", "run", "verdict")

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

    entries = model_documents(problems, refs) if model_documents else _models_from_files(root, problems, refs)
    reconciler = generated.Reconciler()
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
        if kind == "model":
            writer.add("model", payload)
        elif kind == "link":
            writer.add("model_innovation", payload)
        elif kind == "claims":
            writer.add_claims(payload)
        else:
            after = payload
    writer.flush()
    for model_id, base, where in base_models:
        if base not in reconciler.refs_of:
            path, _, line = where.rpartition(":")
            problems.add(path, int(line), "base_model", f"unknown model id {base!r}")
        else:
            conn.execute(text("UPDATE model SET base_model_id = :b WHERE id = :m"), {"b": base, "m": model_id})
    _finish_generated_models(conn, after, reconciler)
    writer.flush()
    corrections.apply_corrections(conn, corrections.read_corrections(root, problems, refs), problems)
    link_shared_pretraining(conn, shared_runs, refs, problems)
    # Literature evidence for the analysis; benchmark results may name catalog models, so last.
    for row in read_ablations(root, problems, refs):
        writer.add("ablation", row)
    for row in read_benchmark_results(root, problems, refs):
        writer.add("benchmark_result", row)
    # Run points and verdicts for the CEG engine; after every reader that fills refs.sources.
    for table, rows in evidence.read_evidence(root, problems, refs):
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
                           ("innovation", ["id", "name", "category", "description"])):
        database[table].enable_fts(columns, replace=True, create_triggers=False)
    database.close()


def _counts(conn: Connection) -> dict[str, int]:
    return {name: conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
            for name in ("source", "organization", "hardware", "innovation", "model", "claim",
                         "model_innovation", "conflict", "ablation", "benchmark_result", "run", "verdict")}


@dataclass
class AnalysisOptions:
    """Bootstrap sizes for the analysis a build runs; None skips the analysis."""

    bootstrap: int = 200
    resamples: int = 100
    seed: int = 0


def _analyze(conn: Connection, options: AnalysisOptions | None) -> dict:
    if options is None:
        return {}
    from analysis.store import analyze

    return analyze(conn, "all", bootstrap=options.bootstrap, resamples=options.resamples, seed=options.seed)


def build(root: Path, url: str, *, model_documents=None, progress=None, fts: bool = True,
          analysis: AnalysisOptions | None = AnalysisOptions(), carry_from: str | None = None,
          force: bool = False) -> BuildReport:
    """Build the catalog at `url` from the datasets at `root`. Raises BuildFailed on any problem.

    Scraped and imported rows are carried over from the database being replaced, or from
    `carry_from` (e.g. the team's PostgreSQL database when writing the SQLite snapshot to publish).
    A SQLite target is built under the catalog's writer lock and must be a cegdb catalog, unless
    `force` (catalog/safety.py); safety.CatalogRefused says why not.
    """
    problems = Problems()
    target = db.sqlite_path(url)
    if target is None:
        return _build_in_place(root, url, problems, model_documents, progress, analysis)

    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with safety.writer_lock(target, "build"):
        safety.prepare_target(target, force=force)
        return _build_file(root, target, problems, model_documents, progress, fts, analysis, carry_from, force)


def _build_file(root, target, problems, model_documents, progress, fts, analysis, carry_from, force) -> BuildReport:
    carry = _read_carry(carry_from) if carry_from else _read_old_catalog(target, force)
    tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp_url = f"sqlite:///{tmp}"
    try:
        db.upgrade(tmp_url)
        engine = db.make_engine(tmp_url)
        try:
            with engine.begin() as conn:
                # A temporary file needs no crash safety: on a crash it is simply discarded.
                conn.exec_driver_sql("PRAGMA journal_mode = OFF")
                conn.exec_driver_sql("PRAGMA synchronous = OFF")
                # References were checked while reading; one foreign_key_check pass at the end
                # (_check_integrity) replaces a lookup per inserted row.
                conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
                next_id = load(conn, root, problems, model_documents, progress)
                if problems:
                    raise BuildFailed(problems)
                next_id, carried = _carry_over(conn, carry, next_id)
                resolve(conn, next_id)
                counts = _counts(conn) | carried
                counts.update({k: v for k, v in _analyze(conn, analysis).items() if k != "data_version"})
                _check_integrity(conn)
        finally:
            engine.dispose()
        if fts:
            _fts(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return BuildReport(str(target), counts)


def _build_in_place(root, url, problems, model_documents, progress, analysis) -> BuildReport:
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        with engine.begin() as conn:
            from scrapers.carry import read_carry

            carry = read_carry(conn)  # before the delete, in the same transaction
            for table in CONTENT_TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
            next_id = load(conn, root, problems, model_documents, progress)
            if problems:
                raise BuildFailed(problems)  # rolls the transaction back
            next_id, carried = _carry_over(conn, carry, next_id)
            resolve(conn, next_id)
            counts = _counts(conn) | carried
            counts.update({k: v for k, v in _analyze(conn, analysis).items() if k != "data_version"})
    finally:
        engine.dispose()
    return BuildReport(url, counts)


def _read_carry(url: str):
    """Scraped and imported rows of another database; an unreadable one is an error here, since
    the caller asked for it by name."""
    from scrapers.carry import read_carry

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return read_carry(conn)
    finally:
        engine.dispose()


def _read_old_catalog(target: Path, force: bool = False):
    """Scraped and imported rows of the catalog about to be replaced (scrapers/carry.py)."""
    from scrapers.carry import Carry, read_carry

    if not target.exists():
        return Carry()
    engine = db.make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return read_carry(conn)
    except Exception as exc:  # noqa: BLE001 - any failure: refuse, or with force replace the file
        if not force:
            raise safety.CatalogRefused(
                f"{target}: cannot read the scraped and imported data to carry over ({exc}); nothing was "
                "written. Let the program that holds it finish, or pass --force to rebuild without "
                "them.") from exc
        log.warning("%s: cannot read scraped data to carry over (%s); the rebuild starts without it",
                    target, exc)
        return Carry()
    finally:
        engine.dispose()


def _carry_over(conn: Connection, carry, next_id: int) -> tuple[int, dict[str, int]]:
    """Write the carried rows before resolution, so resolution and conflicts see them."""
    if not carry:
        return next_id, {}
    from scrapers.carry import write_carry

    next_id, counts, _dropped = write_carry(conn, carry, next_id)
    return next_id, counts


def _check_integrity(conn: Connection) -> None:
    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise RuntimeError(f"foreign key check failed after build: {bad[:5]}")
