"""Issue 10, data loss and corruption: one writer at a time, no build over a file that is not a
catalog, no silent loss of scraped claims, WAL files left by killed scrapes, stale temp files,
a server that is not disturbed by writers, `cegdb serve` stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog import safety
from cegdb.pipeline import build
from cegdb.cli import main
from conftest import rows
from test_scrape_sources import EPOCH_CSV

REPO = Path(__file__).resolve().parent.parent


def _cli(*args):
    return CliRunner().invoke(main, list(args))


def _scraped_claims(path: Path) -> int:
    return rows(path, "select count(*) from claim where origin = 'import:epoch'")[0][0]


def _scrape_epoch(db_path: Path, tmp_path: Path):
    csv = tmp_path / "epoch.csv"
    csv.write_text(EPOCH_CSV)
    return _cli("scrape", "epoch", "--file", str(csv), "--db", str(db_path), "--snapshots", str(tmp_path / "snaps"))


def test_build_refuses_to_replace_a_text_file_unless_forced(tmp_path, catalog_dir):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    result = _cli("build", "--db", str(notes), "--datasets", str(catalog_dir))
    assert result.exit_code == 1 and "not a SQLite file" in result.output and "--force" in result.output
    assert notes.read_text() == "my notes\n"
    result = _cli("build", "--db", str(notes), "--datasets", str(catalog_dir), "--force")
    assert result.exit_code == 0, result.output
    assert rows(notes, "select count(*) from model")[0][0] == 2


def test_build_refuses_to_replace_a_sqlite_file_of_something_else(tmp_path, catalog_dir):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table invoices (id integer primary key, total real)")
    conn.execute("insert into invoices values (1, 9.5)")
    conn.commit()
    conn.close()
    result = _cli("build", "--db", str(other), "--datasets", str(catalog_dir))
    assert result.exit_code == 1 and "not a cegdb catalog" in result.output
    assert rows(other, "select total from invoices") == [(9.5,)]


def test_build_and_scrape_exclude_each_other(built_db, tmp_path, catalog_dir):
    """A build that ran while a scrape wrote finished with the scrape's claims gone."""
    with safety.writer_lock(built_db, "scrape"):
        result = _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir))
        assert result.exit_code == 1 and "is being written by cegdb scrape (pid" in result.output
    with safety.writer_lock(built_db, "build"):
        result = _scrape_epoch(built_db, tmp_path)
        assert result.exit_code == 1 and "is being written by cegdb build" in result.output
        assert _scraped_claims(built_db) == 0
    assert _scrape_epoch(built_db, tmp_path).exit_code == 0  # unusual values are warnings, not refusals
    stored = _scraped_claims(built_db)
    assert stored > 0
    assert _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir)).exit_code == 0
    assert _scraped_claims(built_db) == stored


def test_analyze_and_migrations_take_the_writer_lock_too(built_db):
    with safety.writer_lock(built_db, "scrape"):
        for args in (["analyze", "compute"], ["db", "upgrade"], ["db", "downgrade", "base"]):
            result = _cli(*args, "--db", str(built_db))
            assert result.exit_code == 1 and "is being written by cegdb scrape" in result.output, args
    assert rows(built_db, "select count(*) from model")[0][0] == 2


def test_the_writer_lock_dies_with_its_process(built_db):
    code = ("import os, sys; from catalog import safety; from pathlib import Path\n"
            "lock = safety.writer_lock(Path(sys.argv[1]), 'scrape'); lock.__enter__(); os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", code, str(built_db)], cwd=REPO)
    with safety.writer_lock(built_db, "build"):
        pass


def test_build_on_a_locked_catalog_fails_instead_of_dropping_scraped_claims(built_db, tmp_path, catalog_dir,
                                                                            monkeypatch):
    _scrape_epoch(built_db, tmp_path)
    stored = _scraped_claims(built_db)
    monkeypatch.setattr(safety, "BUSY_TIMEOUT_S", 0.1)
    holder = sqlite3.connect(built_db)
    holder.execute("begin exclusive")
    try:
        result = _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir))
        assert result.exit_code == 1 and "cannot read it" in result.output and "nothing was written" in result.output
    finally:
        holder.rollback()
        holder.close()
    assert _scraped_claims(built_db) == stored


def _kill_scrape_midway(db_path: Path) -> None:
    """What a scrape killed with -9 leaves: WAL mode, a -wal file holding committed rows."""
    code = textwrap.dedent("""\
        import os, sqlite3, sys
        conn = sqlite3.connect(sys.argv[1])
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("insert into organization (id, name, kind) values ('walco', 'WAL Co', 'industry')")
        conn.commit()
        os.kill(os.getpid(), 9)
    """)
    subprocess.run([sys.executable, "-c", code, str(db_path)])
    assert db_path.with_name(db_path.name + "-wal").exists()


def _immutable(path: Path, sql: str):
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_killed_scrape_leaves_no_rows_that_the_server_misses(built_db, catalog_dir):
    _kill_scrape_midway(built_db)
    sql = "select id from organization where id = 'walco'"
    assert _immutable(built_db, sql) == []  # the cause: an immutable reader ignores the WAL
    with safety.serving_copy(built_db) as copy:
        assert _immutable(copy, sql) == [("walco",)]
        assert not copy.with_name(copy.name + "-wal").exists()
    safety.settle(built_db)
    assert _immutable(built_db, sql) == [("walco",)]
    assert not built_db.with_name(built_db.name + "-wal").exists()
    assert rows(built_db, "pragma journal_mode") == [("delete",)]


def test_a_build_settles_the_wal_of_a_killed_scrape_before_reading(built_db, tmp_path, catalog_dir):
    _scrape_epoch(built_db, tmp_path)
    stored = _scraped_claims(built_db)
    _kill_scrape_midway(built_db)
    build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert _scraped_claims(built_db) == stored
    assert not built_db.with_name(built_db.name + "-wal").exists()


def test_a_build_removes_temp_files_of_killed_builds_only(built_db, catalog_dir):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = built_db.with_name(f".{built_db.name}.building-{dead.pid}")
    stale.write_bytes(b"half a database")
    live = built_db.with_name(f".{built_db.name}.building-{os.getppid()}")
    live.write_bytes(b"someone else's build")
    build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert not stale.exists() and live.exists()


def test_the_server_serves_a_copy_that_writers_do_not_touch(built_db, tmp_path, monkeypatch):
    from publish import serving

    served = {}

    def fake_run(args):
        copy = Path(args[args.index("-i") + 1])
        served["path"] = copy
        # A scrape or build writing the catalog now does not touch the served file.
        conn = sqlite3.connect(built_db)
        conn.execute("delete from claim")
        conn.commit()
        conn.close()
        served["claims"] = _immutable(copy, "select count(*) from claim")[0][0]
        return 0

    monkeypatch.setattr(serving, "run_forwarding_signals", fake_run)
    monkeypatch.setattr(serving, "inspect", lambda path, out: None)
    result = _cli("serve", "--db", str(built_db))
    assert result.exit_code == 0, result.output
    assert served["path"] != built_db.resolve() and served["path"].name == built_db.name
    assert served["claims"] > 0
    assert not served["path"].exists()  # removed when the server stopped


def test_serve_stopped_by_sigterm_stops_its_datasette_child(tmp_path):
    pid_file = tmp_path / "child.pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    parent = subprocess.Popen([sys.executable, "-c",
                               "import sys; from publish.serving import run_forwarding_signals; "
                               f"sys.exit(run_forwarding_signals([sys.executable, '-c', {child!r}]))"], cwd=REPO)
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child_pid = int(pid_file.read_text())
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=10) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(child_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(child_pid, signal.SIGKILL)
            pytest.fail("the child outlived cegdb serve")
    finally:
        if parent.poll() is None:
            parent.kill()
