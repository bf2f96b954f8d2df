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
import re
import shutil
import sqlite3
import stat
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
SERVE_PREFIX = "cegdb-serve-"


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


# `.<name>.building-<pid>` and SQLite's companions of it (`-journal`, `-wal`, `-shm`): the
# Alembic upgrade of the temporary file runs before its journal is turned off, so a build killed
# then leaves a journal beside it too.
_STALE_SUFFIX = re.compile(r"^(\d+)(?:-journal|-wal|-shm)?$")


def remove_stale(folder: Path, prefix: str) -> list[Path]:
    """Remove files and folders named `<prefix><pid>[-journal|-wal|-shm]` in `folder` whose process is
    gone (a live pid's, and this process's, are left alone); returns them."""
    removed = []
    for tmp in folder.glob(f"{glob_escape(prefix)}*"):
        match = _STALE_SUFFIX.match(tmp.name[len(prefix):])
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and not _pid_alive(pid):
            if tmp.is_dir() and not tmp.is_symlink():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def glob_escape(text: str) -> str:
    """`text` as a literal glob pattern (a catalog may be called `a[1].sqlite`)."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def remove_stale_builds(db_path: Path) -> list[Path]:
    """Remove `.<name>.building-<pid>` files (and their journals) whose build process is gone."""
    return remove_stale(db_path.parent, f".{db_path.name}.building-")


def check_writable(path: Path, what: str = "--db") -> None:
    """The one check every command that writes a path makes: it must be a regular file or absent.

    An empty path used to be accepted before its kind was looked at, so `--db /dev/null` (a
    character device) was replaced by the catalog. A symlink is judged by what it points to."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CatalogRefused(f"{path}: cannot look at it ({exc.strerror}); pass another {what}") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        raise CatalogRefused(f"{path} is {kind}; nothing was written. Pass another {what}.")


def check_target(db_path: Path, *, force: bool = False) -> None:
    """Refuse to replace a file that is not a cegdb catalog (unless force), or one that cannot be read."""
    check_writable(db_path)  # first: an empty device or FIFO is not "an empty file"
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
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


def sqlite_uri(path: Path, **params: str) -> str:
    """A `file:` URI for sqlite3.connect(..., uri=True) with the path percent-encoded: a file called
    `a#b.sqlite` or `x?y` or `%41` opened as an unescaped URI is another file (or none)."""
    from urllib.parse import quote

    uri = "file:" + quote(str(Path(path).absolute()), safe="/")
    if params:
        uri += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return uri


def connect_existing(path: Path, *, read_only: bool = False, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection to a database file that must already exist (never creates an empty one)."""
    if not Path(path).is_file():
        raise CatalogRefused(f"{path}: no such database file")
    return sqlite3.connect(sqlite_uri(path, mode="ro" if read_only else "rw"), uri=True, timeout=timeout)


def catalog_problem(path: Path) -> str | None:
    """Why the file at `path` is not a readable cegdb catalog, or None when it is one."""
    path = Path(path)
    if not path.exists():
        return "no such file; run `cegdb build` first"
    try:
        check_writable(path)
    except CatalogRefused as exc:
        return str(exc).split("; ")[0].replace(f"{path} ", "", 1)
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"cannot read it ({exc.strerror})"
    if header != SQLITE_HEADER:
        return "not a SQLite file"
    try:
        missing = CATALOG_TABLES - _tables(path, read_only=True)
    except sqlite3.DatabaseError as exc:
        return f"cannot read it ({exc})"
    if missing:
        return f"a SQLite database but not a cegdb catalog (no table {', '.join(sorted(missing))})"
    return None


def foreign_database_problem(path: Path) -> str | None:
    """Why `cegdb db upgrade` must not add the catalog's tables to `path`: it holds something else.
    None for a missing or empty file, a database without tables, or a cegdb catalog."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return None
    with open(path, "rb") as f:
        if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "not a SQLite file"
    tables = _tables(path, read_only=True)
    if tables and "alembic_version" not in tables:
        return f"a SQLite database of something else (tables {', '.join(sorted(tables)[:5])})"
    return None


def check_carry_source(path: Path) -> None:
    """`--carry-from PATH` must name an existing cegdb catalog: a typo used to create an empty file,
    carry nothing and replace the catalog, dropping every scraped and imported claim (exit 0)."""
    path = Path(path)
    if not path.exists():
        raise CatalogRefused(f"--carry-from {path}: no such file; nothing was written. Check the path (the "
                             "scraped and imported claims would otherwise be lost).")
    check_writable(path, "--carry-from")
    try:
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
        missing = CATALOG_TABLES - _tables(path) if header == SQLITE_HEADER else CATALOG_TABLES
    except (OSError, sqlite3.DatabaseError) as exc:
        raise CatalogRefused(f"--carry-from {path}: cannot read it ({exc}); nothing was written.") from None
    if missing:
        raise CatalogRefused(f"--carry-from {path} is not a cegdb catalog (no table {', '.join(sorted(missing))}); "
                             "nothing was written.")


def _tables(db_path: Path, read_only: bool = False) -> set[str]:
    conn = sqlite3.connect(sqlite_uri(db_path, mode="ro" if read_only else "rw"), uri=True,
                           timeout=BUSY_TIMEOUT_S)
    try:
        if not read_only:
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
    # Named by pid, so the next `cegdb serve` removes the copies of servers killed with -9 (a
    # full-size copy each, kept in the temporary folder forever before).
    temp = Path(tempfile.gettempdir())
    remove_stale(temp, SERVE_PREFIX)
    mine = temp / f"{SERVE_PREFIX}{os.getpid()}"
    mine.mkdir(mode=0o700, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=mine))
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
