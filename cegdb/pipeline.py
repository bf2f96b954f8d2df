"""`cegdb build`: migrate, load datasets/, resolve, analyse, index; all or nothing.

SQLite targets are built in a temporary file beside the target and renamed over it only when
everything succeeded, so a failed build leaves the existing database exactly as it was.
PostgreSQL targets are reloaded inside one transaction, which rolls back on any problem.
This is the top floor's job: it runs catalog/ (load, resolve), scrapers/carry.py (what a rebuild
keeps) and analysis/ in order; catalog/build.py holds the ground-floor pieces.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from catalog import db, safety, schema
from catalog.limits import check_text_lengths
from catalog.build import (CONTENT_TABLES, BuildFailed, BuildReport, _check_integrity, _counts, _fts,
                           load)
from catalog.datasets import Problems
from catalog.resolve import resolve

log = logging.getLogger(__name__)

__all__ = ["AnalysisOptions", "BuildFailed", "BuildReport", "build"]


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


def _derivers() -> tuple:
    """Claims the analysis floor derives during resolution: training cost (docs/cost.md). They are
    arithmetic on resolved values, not fits, so they are made even when the analysis is skipped."""
    from analysis.cost_store import derive_cost_claims

    return (derive_cost_claims,)


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
    tmp_url = db.sqlite_url(tmp)
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
                _check_lengths(conn, problems)
                resolve(conn, next_id, _derivers())
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
            _check_lengths(conn, problems)
            resolve(conn, next_id, _derivers())
            counts = _counts(conn) | carried
            counts.update({k: v for k, v in _analyze(conn, analysis).items() if k != "data_version"})
    finally:
        engine.dispose()
    return BuildReport(url, counts)


def _check_lengths(conn: Connection, problems: Problems) -> None:
    """Every text the build wrote fits what the server can show (catalog/limits.py)."""
    check_text_lengths(conn, [t.__table__ for t in schema.TABLES], problems)
    if problems:
        raise BuildFailed(problems)


def _read_carry(url: str):
    """Scraped and imported rows of another database; an unreadable one is an error here, since
    the caller asked for it by name."""
    from scrapers.carry import read_carry

    path = db.sqlite_path(url)
    if path is not None:
        safety.check_carry_source(path)
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
    engine = db.make_engine(db.sqlite_url(target))
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
