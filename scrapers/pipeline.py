"""Run a scrape: fetch items concurrently, then snapshot rows, parse, check and store one by one.

Fetching happens in worker threads (the HTTP client's per-host limits decide how many requests
are really in flight); everything that touches the database happens in the calling thread, in
this order per item, so a crash at any point loses at most the item in hand:

    fetch (worker) -> snapshot rows (own transaction) -> parse (pure) -> store (own transaction)

After the last item, one transaction recomputes derived claims, resolved columns and conflicts.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from scrapers import snapshots
from scrapers.errors import ParseError
from scrapers.http import FetchError, Fetched, PoliteClient
from scrapers.store import Catalog, Item, ItemInvalid, Stored, conflicting, resolve_again

log = logging.getLogger(__name__)
# Twice the largest per-host connection cap (scrapers/http.py): a worker that has its response
# is still writing the HTTP cache and the snapshot while another worker uses the connection.
# What reaches a host at once is its cap, not this number (benchmarks/scrape_throughput.py:
# 1.19x the floor at 16 workers against 1.38x at 8).
DEFAULT_WORKERS = 16


@dataclass
class Task:
    key: str | None  # skipped when a source with this URL (and the run's origin) is stored already
    label: str
    fetch: Callable[[PoliteClient], list[Fetched]]  # network only; runs in a worker thread
    parse: Callable[[list[Fetched]], list[Item]]  # pure; runs after the snapshot rows are written
    skip_by_snapshot: bool = False  # one file of many items (Epoch): skipped whole when imported
    warnings: list[str] = field(default_factory=list)  # file-level notes the parse adds (unmapped names)


@dataclass
class Failure:
    label: str
    reason: str


@dataclass
class Summary:
    origin: str
    items_stored: int = 0
    items_skipped: int = 0
    models_created: int = 0
    claims_new: int = 0
    claims_unchanged: int = 0
    claims_removed: int = 0
    claims_conflicting: int = 0
    conflicts_total: int | None = None
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # parsed and valid (stored, or for --to-yaml)
    model_ids: dict[int, str] = field(default_factory=dict)  # id(item) -> catalog model id

    @property
    def ok(self) -> bool:
        return not self.failures


class _NoProgress:
    def start(self, total: int) -> None: ...
    def add(self, count: int) -> None: ...
    def advance(self, label: str) -> None: ...


def run(tasks: list[Task], client: PoliteClient, *, origin: str, conn: Connection | None,
        refresh: bool = False, workers: int = DEFAULT_WORKERS, progress=None, keep_items: bool = False) -> Summary:
    """Fetch, parse and store every task; one item's failure never stops or loses the others."""
    progress = progress or _NoProgress()
    with _quick_commits(conn):
        return _run(tasks, client, origin, conn, refresh, workers, progress, keep_items)


@contextmanager
def _quick_commits(conn: Connection | None):
    """SQLite: WAL with synchronous=NORMAL while the scrape runs, back to a rollback journal after.

    One transaction per item means one commit per item; in the default journal mode each costs
    several fsyncs (18 ms here, 33 s for Epoch's 1,900 rows). In WAL mode a commit is an append,
    synced at checkpoints: an application crash loses nothing committed, a power cut at most the
    last items, and the file stays consistent either way. The rollback journal is restored at the
    end so the published file is a single, self-contained SQLite file again.
    """
    sqlite = conn is not None and conn.dialect.name == "sqlite"
    if sqlite:
        if conn.in_transaction():
            conn.commit()
        conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        conn.exec_driver_sql("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        if sqlite:
            if conn.in_transaction():
                conn.rollback()
            try:
                conn.exec_driver_sql("PRAGMA synchronous = FULL")
                conn.exec_driver_sql("PRAGMA journal_mode = DELETE")
            except DBAPIError as exc:
                # Checkpointing needs space; what the WAL holds is committed and is moved into the
                # main file by the next build or serve (catalog/safety.py, settle).
                log.warning("the catalog stays in WAL mode for now (%s); the next build settles it", exc.orig)


def _run(tasks, client, origin, conn, refresh, workers, progress, keep_items) -> Summary:
    summary = Summary(origin)
    catalog = Catalog(conn) if conn is not None else None
    stored_keys = catalog.stored_keys(origin) if catalog and not refresh else set()
    todo = []
    for task in tasks:
        if task.key is not None and task.key in stored_keys:
            summary.items_skipped += 1
        else:
            todo.append(task)
    progress.start(len(todo))
    run_claims: set[int] = set()
    executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="fetch")
    try:
        futures = {executor.submit(task.fetch, client): task for task in todo}
        for future in as_completed(futures):
            task = futures[future]
            try:
                fetched = future.result()
            except FetchError as exc:
                summary.failures.append(Failure(task.label, str(exc)))
                progress.advance(task.label)
                continue
            except Exception as exc:  # noqa: BLE001 - a bad URL or a full disk costs this item only
                log.exception("fetching %s failed", task.label)
                summary.failures.append(Failure(task.label, f"{type(exc).__name__}: {exc}"))
                progress.advance(task.label)
                continue
            items = _parse(task, fetched, catalog, conn, refresh, summary)
            progress.add(max(0, len(items) - 1))
            for item in items:
                _store(item, catalog, summary, run_claims, keep_items)
            progress.advance(task.label)
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    if catalog is not None and (summary.claims_new or summary.claims_removed or summary.models_created):
        if conn.in_transaction():
            conn.commit()
        with conn.begin():
            summary.conflicts_total = resolve_again(conn)
            summary.claims_conflicting = len(conflicting(conn, run_claims))
    elif catalog is not None:
        summary.claims_conflicting = len(conflicting(conn, run_claims))
        if conn.in_transaction():
            conn.commit()
    return summary


def _parse(task: Task, fetched: list[Fetched], catalog: Catalog | None, conn, refresh: bool,
           summary: Summary) -> list[Item]:
    if catalog is not None:
        # Snapshot rows first, committed on their own: a body that fails to parse is still on
        # record, and a fixed parser can be re-run on it offline.
        if conn.in_transaction():
            conn.commit()
        with conn.begin():
            for one in fetched:
                snapshots.record(conn, one.snapshot)
        if task.skip_by_snapshot and not refresh and all(
                catalog.snapshot_imported(summary.origin, one.snapshot.sha256) for one in fetched):
            summary.items_skipped += 1
            summary.warnings.append(f"{task.label}: this exact file was imported before; --refresh re-imports it")
            return []
    try:
        items = task.parse(fetched)
        summary.warnings.extend(f"{task.label}: {w}" for w in task.warnings)
        return items
    except ParseError as exc:
        summary.failures.append(Failure(task.label, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a parser bug must cost one item, not the run
        log.exception("parser failed on %s", task.label)
        summary.failures.append(Failure(task.label, f"parser bug ({type(exc).__name__}: {exc}); please report"))
    return []


# SQLite errors that are the machine's, not the item's: going on through the remaining rows
# printed 3,606 tracebacks (10.5 MB) on a full disk and stored nothing.
_ENVIRONMENT_ERRORS = ("disk is full", "disk i/o error", "readonly database", "unable to open database")


def _environment_failure(exc: DBAPIError) -> bool:
    return any(text in str(exc.orig).lower() for text in _ENVIRONMENT_ERRORS)


def _store(item: Item, catalog: Catalog | None, summary: Summary, run_claims: set[int], keep: bool) -> None:
    if catalog is None:
        summary.warnings.extend(f"{item.label}: {w}" for w in item.warnings)
        if item.problems:
            summary.failures.append(Failure(item.label, "; ".join(item.problems)))
        else:
            summary.items.append(item)
        return
    try:
        stored: Stored = catalog.store(item)
    except ItemInvalid as exc:
        summary.failures.append(Failure(item.label, "; ".join(exc.problems)))
        return
    except DBAPIError as exc:  # rolled back; the next item gets a transaction of its own
        if _environment_failure(exc):
            raise  # a full or read-only disk fails every item alike: stop at the first
        log.exception("storing %s failed", item.label)
        summary.failures.append(Failure(item.label, f"database error: {exc.orig}"))
        return
    finally:  # after storing: the store adds its own (same paper as a curated source, ...)
        summary.warnings.extend(f"{item.label}: {w}" for w in item.warnings)
    summary.items_stored += 1
    summary.models_created += stored.model_created
    summary.claims_new += len(stored.new)
    summary.claims_unchanged += len(stored.unchanged)
    summary.claims_removed += stored.removed
    run_claims.update(stored.new, stored.unchanged)
    if keep:
        summary.items.append(item)
        if stored.model_id:
            summary.model_ids[id(item)] = stored.model_id


def fetch_file(path: Path, url: str, store: snapshots.SnapshotStore) -> Fetched:
    """A local file read like a fetch: its bytes go to the snapshot store under `url`."""
    body = path.read_bytes()
    info = store.put(body, url=url, status=None, content_type=None)
    return Fetched(url, body, info, from_snapshot=False)
