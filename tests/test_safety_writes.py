"""Issue 18, data loss: what a command writes replaces only what it should, atomically, with its
debris cleaned on the next run; every path it writes is a regular file or absent."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog import safety
from cegdb.cli import main
from cegdb.pipeline import build
from conftest import rows
from test_safety import _scrape_epoch, _scraped_claims


def _cli(*args):
    return CliRunner().invoke(main, list(args))


def _dead_pid() -> int:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return dead.pid


# --- 1. a device node is not "an empty file" ---------------------------------------------------

def test_build_refuses_a_character_device_as_db(tmp_path, catalog_dir):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    result = _cli("build", "--db", str(node), "--datasets", str(catalog_dir))
    assert result.exit_code == 1 and "not a regular file" in result.output, result.output
    assert stat.S_ISCHR(os.stat(node).st_mode)  # the node is still a device


def test_every_writer_checks_its_path_through_one_function(tmp_path):
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (folder, fifo):
        with pytest.raises(safety.CatalogRefused):
            safety.check_writable(path)
    safety.check_writable(tmp_path / "absent.sqlite")
    (tmp_path / "file").write_text("")
    safety.check_writable(tmp_path / "file")


# --- 2. --carry-from a path that does not exist -------------------------------------------------

def test_carry_from_a_missing_path_is_refused_and_keeps_the_scraped_claims(built_db, tmp_path, catalog_dir):
    _scrape_epoch(built_db, tmp_path)
    stored = _scraped_claims(built_db)
    assert stored > 0
    typo = tmp_path / "typo.sqlite"
    result = _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir), "--carry-from", str(typo))
    assert result.exit_code == 1 and "no such file" in result.output, result.output
    assert not typo.exists()  # no empty file created either
    assert _scraped_claims(built_db) == stored


def test_carry_from_something_else_is_refused(built_db, tmp_path, catalog_dir):
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database")
    result = _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir), "--carry-from", str(notes))
    assert result.exit_code == 1 and "not a cegdb catalog" in result.output, result.output


# --- 18. a killed build's journal ---------------------------------------------------------------

def test_a_build_removes_the_journal_of_a_killed_build(built_db, catalog_dir):
    pid = _dead_pid()
    stale = built_db.with_name(f".{built_db.name}.building-{pid}")
    journal = built_db.with_name(f".{built_db.name}.building-{pid}-journal")
    stale.write_bytes(b"half")
    journal.write_bytes(b"journal")
    live = built_db.with_name(f".{built_db.name}.building-{os.getppid()}-journal")
    live.write_bytes(b"someone else's")
    build(catalog_dir, f"sqlite:///{built_db}", analysis=None)
    assert not stale.exists() and not journal.exists() and live.exists()


# --- 20. paths with # ? % ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a#b.sqlite", "a?b.sqlite", "a%41b.sqlite"])
def test_paths_with_uri_characters_open_the_right_file(tmp_path, catalog_dir, name):
    target = tmp_path / "odd" / name
    result = _cli("build", "--db", str(target), "--datasets", str(catalog_dir))
    assert result.exit_code == 0, result.output
    assert rows(target, "select count(*) from model")[0][0] == 2
    result = _cli("export", "csv", "--db", str(target), "--out", str(tmp_path / "csv"))
    assert result.exit_code == 0, result.output
    result = _cli("validate", "--db", str(target), "--datasets", str(catalog_dir))
    assert result.exit_code == 0, result.output
    # Nothing but the catalog and its lock beside it: no stray files named after half the path.
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([name, f".{name}.lock"])


# --- 28. db upgrade on another application's database -------------------------------------------

def test_db_upgrade_refuses_another_applications_database_without_force(tmp_path):
    other = tmp_path / "shop.db"
    conn = sqlite3.connect(other)
    conn.execute("create table invoices (id integer primary key)")
    conn.commit()
    conn.close()
    result = _cli("db", "upgrade", "--db", str(other))
    assert result.exit_code == 1 and "something else" in result.output, result.output
    assert {r[0] for r in rows(other, "select name from sqlite_master where type = 'table'")} == {"invoices"}
    assert _cli("db", "upgrade", "--db", str(other), "--force").exit_code == 0
    assert _cli("db", "upgrade", "--db", str(tmp_path / "new.sqlite")).exit_code == 0


# --- 21. no false "stale correction" --------------------------------------------------------------

def test_a_dataset_problem_does_not_call_valid_corrections_stale(tmp_path):
    from conftest import TOY_MOE, write_catalog

    corrections = """\
        - model: toy-moe
          field: parameters
          origin: import:epoch
          action: deprecate
          why: the import read the wrong column
          source: toy2024paper
        """
    datasets = write_catalog(tmp_path, **{"corrections.yaml": corrections,
                                          "models/toylab/toy-moe.yaml": TOY_MOE.replace("domain: language",
                                                                                        "domain: nonsense")})
    result = _cli("validate", "--datasets", str(datasets), "--db", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 1
    assert "domain" in result.output and "stale correction" not in result.output, result.output


# --- 5 and 8. exports ----------------------------------------------------------------------------

def test_export_never_writes_into_a_release_folder(built_db, tmp_path):
    dist = tmp_path / "dist"
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    assert CliRunner().invoke(main, ["release", "2026.12.0", "--db", str(built_db), "--dist", str(dist)],
                              env=env).exit_code == 0
    folder = dist / "2026.12.0"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = _cli("export", "csv", "--db", str(built_db), "--out", str(folder))
    assert result.exit_code == 1 and "release folder" in result.output, result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_csv_cells_that_a_spreadsheet_reads_as_formulas_are_neutralised(built_db, tmp_path):
    import csv

    conn = sqlite3.connect(built_db)
    conn.execute("update model set name = '=HYPERLINK(\"http://evil\",\"x\")' where id = 'toy-moe'")
    conn.execute("update model set family = '@SUM(1+1)', warnings = '-2+3' where id = 'toy-chat'")
    conn.commit()
    conn.close()
    assert _cli("export", "csv", "--db", str(built_db), "--out", str(tmp_path / "out")).exit_code == 0
    with open(tmp_path / "out" / "model.csv", newline="", encoding="utf-8") as handle:
        table = {r["id"]: r for r in csv.DictReader(handle)}
    assert table["toy-moe"]["name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert table["toy-chat"]["family"] == "'@SUM(1+1)" and table["toy-chat"]["warnings"] == "'-2+3"
    # Numbers stay numbers, negative ones included.
    from publish.export import _cell
    assert _cell(-1.5) == "-1.5" and _cell(-3) == "-3" and _cell("Toy") == "Toy"


def test_an_export_that_fails_leaves_the_previous_file_whole(built_db, tmp_path, monkeypatch):
    from publish import export

    out = tmp_path / "out"
    assert _cli("export", "csv", "--db", str(built_db), "--out", str(out)).exit_code == 0
    before = (out / "model.csv").read_bytes()

    def full_disk(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "x"))

    monkeypatch.setattr(export.csv, "writer", lambda *a, **k: type("W", (), {"writerow": full_disk})())
    result = _cli("export", "csv", "--db", str(built_db), "--out", str(out))
    assert result.exit_code == 1 and "disk is full" in result.output and "Traceback" not in result.output
    assert (out / "model.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# --- 3. releases are atomic -------------------------------------------------------------------------

def test_a_failed_release_leaves_no_half_folder_and_can_be_retried(built_db, tmp_path, monkeypatch):
    from publish import export

    dist = tmp_path / "dist"
    real = export.write_bib

    def full_disk(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write_bib", full_disk)
    result = CliRunner().invoke(main, ["release", "2026.12.0", "--db", str(built_db), "--dist", str(dist)],
                                env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert result.exit_code == 1 and "disk is full" in result.output and "Traceback" not in result.output
    assert list(dist.iterdir()) == []  # no partial release, no staged copy
    monkeypatch.setattr(export, "write_bib", real)
    result = CliRunner().invoke(main, ["release", "2026.12.0", "--db", str(built_db), "--dist", str(dist)],
                                env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert result.exit_code == 0, result.output
    assert (dist / "2026.12.0" / "SHA256SUMS").is_file()


def test_a_release_removes_debris_of_killed_releases_and_ignores_unfinished_folders(built_db, tmp_path):
    from publish.release import release

    dist = tmp_path / "dist"
    debris = dist / f".2026.12.0.partial-{_dead_pid()}"
    debris.mkdir(parents=True)
    (debris / ".staged.sqlite").write_bytes(b"x" * 1000)
    # A folder an older cegdb left half written: no SHA256SUMS, a damaged SQLite file.
    half = dist / "2026.11.0"
    half.mkdir()
    (half / "cegdb-2026.11.0.sqlite").write_bytes(b"SQLite format 3\x00truncated")
    os.environ["SOURCE_DATE_EPOCH"] = "1790000000"
    try:
        report = release(built_db, "2026.12.0", dist, tmp_path)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    assert not debris.exists()
    assert "First release" in (report.folder / "CHANGES.md").read_text()
    assert sorted(p.name for p in dist.iterdir()) == ["2026.11.0", "2026.12.0"]


def test_a_release_over_a_file_is_one_line(built_db, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "2026.12.0").write_text("not a folder")
    result = _cli("release", "2026.12.0", "--db", str(built_db), "--dist", str(dist))
    assert result.exit_code == 1 and "not a folder" in result.output and "Traceback" not in result.output


# --- 16 and 17. serve ---------------------------------------------------------------------------------

def test_serve_writes_nothing_beside_the_catalog(built_db, monkeypatch):
    from publish import serving

    seen = {}

    def fake_run(args):
        seen["metadata"] = Path(args[args.index("-m") + 1])
        return 0

    before = sorted(p.name for p in built_db.parent.iterdir())
    monkeypatch.setattr(serving, "run_forwarding_signals", fake_run)
    monkeypatch.setattr(serving, "inspect", lambda path, out: None)
    result = _cli("serve", "--db", str(built_db))
    assert result.exit_code == 0, result.output
    assert seen["metadata"].parent != built_db.parent
    assert sorted(p.name for p in built_db.parent.iterdir()) == before


def test_serve_removes_the_copies_of_killed_servers(built_db, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    stale = tmp_path / "tmp" / f"{safety.SERVE_PREFIX}{_dead_pid()}"
    (stale / "copy").mkdir(parents=True)
    (stale / "copy" / "cat.sqlite").write_bytes(b"x" * 10_000)
    live = tmp_path / "tmp" / f"{safety.SERVE_PREFIX}{os.getppid()}"
    live.mkdir()
    with safety.serving_copy(built_db) as copy:
        assert copy.exists()
    assert not stale.exists() and live.exists() and not copy.exists()


# --- 22 and 24. one line for user and environment errors -----------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["export", "csv"], "not a SQLite file"),
    (["report"], "not a SQLite file"),
    (["analyze", "compute"], "not a SQLite file"),
    (["release", "2026.12.0"], "not a SQLite file"),
    (["validate"], "not a SQLite file"),
])
def test_a_db_that_is_not_a_catalog_is_one_line(tmp_path, catalog_dir, args, message):
    notes = tmp_path / "notes.sqlite"
    notes.write_text("my notes\n" * 10)
    extra = ["--datasets", str(catalog_dir)] if args == ["validate"] else []
    result = _cli(*args, "--db", str(notes), *extra)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output, result.output
    assert notes.read_text() == "my notes\n" * 10


def test_unknown_driver_and_unreachable_server_are_one_line():
    result = _cli("db", "current", "--db", "nosuchdriver://localhost/x")
    assert result.exit_code == 1 and "unknown database driver" in result.output, result.output
    result = _cli("db", "current", "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert result.exit_code == 1 and "cannot use the database" in result.output, result.output
    assert "secret" not in result.output


def test_a_folder_where_the_lock_goes_is_one_line(built_db, catalog_dir):
    safety.lock_path(built_db).unlink()
    safety.lock_path(built_db).mkdir()
    result = _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir))
    assert result.exit_code == 1 and "Is a directory" in result.output and "Traceback" not in result.output


def test_a_full_disk_during_a_build_is_one_line_and_keeps_the_catalog(built_db, catalog_dir, monkeypatch):
    from cegdb import pipeline

    def full(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(pipeline, "resolve", full)
    before = built_db.read_bytes()
    result = _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir))
    assert result.exit_code == 1 and "disk is full" in result.output and "Traceback" not in result.output
    assert built_db.read_bytes() == before


def test_verbose_keeps_the_traceback(tmp_path):
    notes = tmp_path / "n.sqlite"
    notes.write_text("my notes\n" * 100)
    result = CliRunner().invoke(main, ["--verbose", "db", "current", "--db", str(notes)])
    assert result.exit_code == 1 and result.exception is not None and not isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", [["audit", "--sample", "-1"], ["analyze", "--bootstrap", "-5"],
                                  ["analyze", "--bootstrap", "1000000000"], ["ceg", "x.csv", "--bootstrap", "-5"]])
def test_negative_or_absurd_sizes_are_usage_errors(args, tmp_path):
    if args[0] == "ceg":
        csv_path = tmp_path / "x.csv"
        csv_path.write_text("innovation,arm,series,params,tokens,compute_flop,loss\n")
        args = ["ceg", str(csv_path), *args[2:]]
    result = _cli(*args)
    assert result.exit_code == 2 and "range" in result.output, result.output


# --- 12. downgrade a built catalog -----------------------------------------------------------------

def test_db_downgrade_to_base_and_back_up_on_a_built_catalog(built_db, tmp_path, catalog_dir):
    _scrape_epoch(built_db, tmp_path)
    result = _cli("db", "downgrade", "base", "--db", str(built_db))
    assert result.exit_code == 0 and result.output.strip().endswith("base"), result.output
    left = {r[0] for r in rows(built_db, "select name from sqlite_master where type = 'table'")}
    assert not {n for n in left if n.startswith("_alembic_tmp")} and "claim" not in left
    result = _cli("db", "upgrade", "--db", str(built_db))
    assert result.exit_code == 0, result.output
    assert _cli("build", "--db", str(built_db), "--datasets", str(catalog_dir)).exit_code == 0
    assert rows(built_db, "select count(*) from model")[0][0] == 2


def test_db_downgrade_one_step_keeps_the_rows_and_drops_batch_debris(built_db):
    conn = sqlite3.connect(built_db)
    conn.execute("create table _alembic_tmp_model (id text)")  # what an interrupted batch step left
    conn.commit()
    conn.close()
    models = rows(built_db, "select count(*) from model")[0][0]
    result = _cli("db", "downgrade", "--db", str(built_db), "--", "-1")
    assert result.exit_code == 0, result.output
    assert rows(built_db, "select count(*) from model")[0][0] == models
    assert rows(built_db, "select count(*) from sqlite_master where name like '_alembic_tmp%'") == [(0,)]
    assert _cli("db", "upgrade", "--db", str(built_db)).exit_code == 0


# --- 4. generated files carry their entry count and digest -------------------------------------------

def _generated_text() -> str:
    from scrapers.generated import dump_generated

    retrieved = [{"url": "https://example.org/x.csv", "sha256": "ab" * 32, "retrieved_on": "2026-01-01",
                  "route": "direct"}]
    models = [{"id": f"gen-{i}", "name": f"Gen {i}"} for i in range(5)]
    return dump_generated("cegdb scrape test", "import:toydb", retrieved, {"models": models})


def _generated_problems(tmp_path, text: str) -> list[str]:
    from catalog.datasets import Problems
    from catalog.generated import read_files

    path = tmp_path / "datasets" / "imported" / "toydb" / "models.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    read_files(tmp_path / "datasets", problems)
    return [str(p) for p in problems]


def test_a_generated_file_cut_at_an_entry_boundary_is_an_error(tmp_path):
    text = _generated_text()
    assert _generated_problems(tmp_path, text) == []
    cut = text[:text.index("- id: gen-3")]  # still valid YAML, two models fewer
    problems = _generated_problems(tmp_path, cut)
    assert len(problems) == 1 and "the stamp says 5 entries, the file holds 3" in problems[0], problems


def test_a_generated_file_edited_or_without_a_stamp_is_an_error(tmp_path):
    from catalog.generated import STAMP
    from scrapers.generated import restamp

    text = _generated_text()
    edited = text.replace("name: Gen 2", "name: Gen Two")
    assert any("sha256 differs" in p for p in _generated_problems(tmp_path, edited))
    unstamped = STAMP.sub("", text)
    assert any("no `entries: {count, sha256}` stamp" in p for p in _generated_problems(tmp_path, unstamped))
    assert restamp(unstamped) == text  # the tool for files written before stamps gives the writer's bytes


def test_every_generated_file_in_datasets_carries_a_valid_stamp():
    from catalog.datasets import Problems
    from catalog.generated import read_files

    problems = Problems()
    read_files(Path(__file__).resolve().parent.parent / "datasets", problems)
    assert not [str(p) for p in problems if "entries" in str(p)]


# --- 25. encoding and NUL errors name their line -----------------------------------------------------

@pytest.mark.parametrize("raw, line, message", [
    (b"a: 1\nb: 2\nc: \xff\xfe\n", 3, "not UTF-8"),
    (b"a: 1\nb: x\x00y\n", 2, "not allowed in YAML"),
])
def test_encoding_and_nul_errors_in_yaml_name_their_line(tmp_path, raw, line, message):
    from catalog.yamlio import YamlError, load_yaml

    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    with pytest.raises(YamlError) as err:
        load_yaml(path)
    assert err.value.line == line and message in err.value.message


# --- 19. a scrape on a full disk stops at once and leaves the rollback journal ---------------------------

def test_a_scrape_on_a_full_disk_stops_at_the_first_item(built_db, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from scrapers import store

    calls = []

    def full(self, item):
        calls.append(item)
        raise OperationalError("INSERT INTO claim ...", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(store.Catalog, "store", full)
    result = _scrape_epoch(built_db, tmp_path)
    assert result.exit_code == 1 and "disk is full" in result.output, result.output
    assert len(calls) == 1 and result.output.count("Traceback") == 0 and len(result.output) < 2000
    assert rows(built_db, "pragma journal_mode") == [("delete",)]


# --- 13. a text too long to serve is refused where it comes in -------------------------------------------

def test_a_text_too_long_to_serve_is_a_validate_problem_with_its_line(tmp_path):
    from conftest import TOY_MOE, write_catalog

    long_quote = "x" * 150_000
    datasets = write_catalog(tmp_path, **{"models/toylab/toy-moe.yaml": TOY_MOE.replace(
        'quote: "100B total parameters"', f'quote: "{long_quote}"')})
    result = _cli("validate", "--datasets", str(datasets), "--db", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 1, result.output
    assert "toy-moe.yaml:" in result.output and "150,000 bytes of text" in result.output


def test_a_scraped_text_too_long_to_serve_is_refused_with_the_item(built_db):
    from catalog import db as catalog_db
    from scrapers.store import Catalog, Item, ItemInvalid

    engine = catalog_db.make_engine(f"sqlite:///{built_db}")
    try:
        with engine.connect() as conn:
            item = Item(key="k", origin="scraper:hf", label="x/y", model={"name": "Y" * 60_000},
                        sources=[{"id": "hf-x", "kind": "model_card", "title": "t", "url": "https://h.co/x"}])
            with pytest.raises(ItemInvalid, match="model name: longer than"):
                Catalog(conn).store(item)
    finally:
        engine.dispose()


# --- 22, 23, 26. cegdb ceg: input ranges, strict JSON, files named ---------------------------------------

def _runs_csv(tmp_path, compute: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "runs.csv"
    rows = ["innovation,arm,series,params,tokens,compute_flop,loss"]
    for i, c in enumerate(("1e18", "1e19", "1e20")):
        rows.append(f"x,baseline,s,,,{c},{3.0 - 0.3 * i}")
        rows.append(f"x,treatment,s,,,{compute if i == 1 else c},{2.9 - 0.3 * i}")
    path.write_text("\n".join(rows) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize("compute", ["1e-300", "1e300"])
def test_ceg_refuses_compute_outside_the_range_of_curated_runs(tmp_path, compute):
    result = _cli("ceg", str(_runs_csv(tmp_path, compute)), "--json")
    assert result.exit_code == 1 and "line 5, column compute_flop" in result.output, result.output
    assert "Infinity" not in result.output and "NaN" not in result.output


def test_ceg_json_is_strict_and_in_range_input_works(tmp_path):
    import json

    result = _cli("ceg", str(_runs_csv(tmp_path, "1e19")), "--json", "--bootstrap", "20")
    assert result.exit_code == 0, result.output
    json.loads(result.output, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_ceg_on_a_utf16_file_or_a_huge_field_names_the_file(tmp_path):
    path = _runs_csv(tmp_path, "1e19", encoding="utf-16")
    result = _cli("ceg", str(path))
    assert result.exit_code == 1 and str(path) in result.output and "UTF-8" in result.output, result.output
    path.write_text("innovation,arm,series,params,tokens,compute_flop,loss\nx,baseline,\"" + "y" * 200_000 + "\"\n")
    result = _cli("ceg", str(path))
    assert result.exit_code == 1 and str(path) in result.output and "Traceback" not in result.output, result.output


def test_cegdb_ceg_api_refuses_out_of_range_compute():
    import pandas as pd

    import cegdb
    from cegdb.runs import RunsRangeError

    frame = pd.DataFrame([{"innovation": "x", "arm": arm, "compute_flop": c, "loss": 2.0}
                          for arm in ("baseline", "treatment") for c in (1e18, 1e300)])
    with pytest.raises(RunsRangeError, match="compute_flop"):
        cegdb.ceg(frame)


def test_writing_a_generated_file_removes_temporaries_of_killed_writers(tmp_path):
    from scrapers.generated import write_generated

    target = tmp_path / "imported" / "toydb" / "models.yaml"
    target.parent.mkdir(parents=True)
    stale = target.with_name(f".{target.name}.tmp-{_dead_pid()}")
    stale.write_text("half")
    retrieved = [{"url": "https://example.org/x.csv", "sha256": "ab" * 32, "retrieved_on": "2026-01-01",
                  "route": "direct"}]
    assert write_generated(target, "cegdb scrape test", "import:toydb", retrieved, {"models": [{"id": "a", "name": "A"}]})
    assert not stale.exists() and sorted(p.name for p in target.parent.iterdir()) == ["models.yaml"]
