"""What keeps a SQLite catalog whole when several commands touch it (docs/architecture.md, "Safety").

* One writer at a time: `cegdb build`, `cegdb scrape` and `cegdb analyze` take an exclusive lock
  on `.<name>.lock` beside the catalog (flock: the kernel drops it when the process dies, so a
  killed command never leaves a stale lock). The second writer is refused with the pid of the
  first, instead of one silently replacing what the other wrote.
* A build replaces only a cegdb catalog (or nothing, or an empty file); any other file needs
  `--force`. A catalog it cannot read (locked by another program, damaged) stops the build: carrying
  nothing over would drop every scraped and imported claim.
* A scrape switches SQLite to WAL mode; a scrape killed before it switches back leaves a `-wal`
  file holding committed rows that an immutable reader never looks at. `settle` checkpoints such a
  file back into the main file and returns it to the rollback journal before anyone reads it.
* Temporary `.<name>.building-<pid>` files of builds that were killed are removed by the next build.
* `cegdb serve` serves a private copy (`serving_copy`), so builds and scrapes never write into the
  file a running server has open as immutable.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, the checks below still run
    fcntl = None

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every cegdb catalog has, whatever its revision.
CATALOG_TABLES = {"alembic_version", "claim", "source", "model"}
BUSY_TIMEOUT_S = 5.0


class CatalogRefused(click.ClickException):
    """A command would lose or damage data; the message says why and what to do (the CLI prints it)."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.lock")


@contextmanager
def writer_lock(db_path: Path, command: str) -> Iterator[None]:
    """Hold the catalog's writer lock for the duration, or raise CatalogRefused at once."""
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                raise CatalogRefused(
                    f"{db_path} is being written by {holder}; nothing was done. Wait for it to finish "
                    f"and run `cegdb {command}` again (the lock is {path}, released when that process "
                    "exits).") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"cegdb {command} (pid {os.getpid()})".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_builds(db_path: Path) -> list[Path]:
    """Remove `.<name>.building-<pid>` files whose build process is gone; returns them."""
    removed = []
    for tmp in db_path.parent.glob(f".{db_path.name}.building-*"):
        pid = tmp.name.rpartition("-")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def check_target(db_path: Path, *, force: bool = False) -> None:
    """Refuse to replace a file that is not a cegdb catalog (unless force), or one that cannot be read."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    if not db_path.is_file():
        raise CatalogRefused(f"{db_path} is not a regular file; pass another --db")
    with open(db_path, "rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        if force:
            return
        raise CatalogRefused(f"{db_path} is not a SQLite file; a build would replace it. Pass another --db, "
                             "or --force to replace it.")
    try:
        tables = _tables(db_path)
    except sqlite3.DatabaseError as exc:
        if force:
            return
        raise CatalogRefused(f"{db_path}: cannot read it ({exc}); nothing was written. If another program "
                             "holds it locked, let it finish; if it is damaged, pass --force to replace it "
                             "(its scraped and imported claims are then lost).") from None
    missing = CATALOG_TABLES - tables
    if missing and not force:
        raise CatalogRefused(f"{db_path} is a SQLite database but not a cegdb catalog (no table "
                             f"{', '.join(sorted(missing))}); a build would replace it. Pass another --db, "
                             "or --force to replace it.")


def _tables(db_path: Path) -> set[str]:
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
    try:
        settle_connection(conn)
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def settle_connection(conn: sqlite3.Connection) -> None:
    """Move what a WAL file holds into the main file and go back to the rollback journal."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise sqlite3.OperationalError("database is locked (a reader or writer holds the WAL)")
        conn.execute("PRAGMA journal_mode = DELETE")


def prepare_target(db_path: Path, *, force: bool = False) -> None:
    """Everything a build checks under the writer lock before it reads the old catalog."""
    check_target(db_path, force=force)
    remove_stale_builds(db_path)


def settle(db_path: Path) -> None:
    """`settle_connection` for a file, when it is in WAL mode or has a WAL file beside it."""
    db_path = Path(db_path)
    wal = db_path.with_name(db_path.name + "-wal")
    if not db_path.exists():
        return
    with open(db_path, "rb") as f:
        header = f.read(20)
    # Bytes 18 and 19 of the header are 2 in WAL mode (https://www.sqlite.org/fileformat.html).
    if not wal.exists() and header[18:20] != b"\x02\x02":
        return
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
    try:
        settle_connection(conn)
    finally:
        conn.close()


@contextmanager
def serving_copy(db_path: Path) -> Iterator[Path]:
    """A consistent private copy of the catalog, named like it, removed afterwards.

    Read through a normal (not immutable) connection, so rows still in a WAL file are included,
    and written with the rollback journal, so the immutable server sees every row.
    """
    folder = Path(tempfile.mkdtemp(prefix="cegdb-serve-"))
    try:
        copy = folder / db_path.name
        source = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
            if target.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                target.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.DatabaseError as exc:
            raise CatalogRefused(f"{db_path}: cannot copy it to serve ({exc}); if another program holds "
                                 "it locked, let it finish and start again.") from None
        finally:
            target.close()
            source.close()
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)
