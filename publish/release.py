"""`cegdb release VERSION`: a frozen, citable snapshot in dist/VERSION/.

Writes cegdb-VERSION.sqlite (compacted with VACUUM INTO, with its `release` row), one CSV per
table, datapackage.json, sources.bib, CITATION.cff, CHANGES.md (claims added, changed and removed
since the previous release in dist/) and SHA256SUMS. Integrity and foreign keys are checked
first. The same inputs give byte-identical files: timestamps come from SOURCE_DATE_EPOCH or the
commit time of HEAD, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from catalog import db
from catalog.safety import sqlite_uri
from publish import export

CALVER = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")
CLAIM_KEY = ("entity_type", "entity_id", "field", "source_id", "origin", "locator")


class ReleaseError(Exception):
    pass


@dataclass
class ReleaseReport:
    folder: Path
    files: list[Path]
    content_sha256: str
    changes: dict[str, int]


def _git(*args: str, cwd: Path) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def release_time(repo: Path) -> str:
    """SOURCE_DATE_EPOCH (reproducible-builds.org convention), else HEAD's commit time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    else:
        committed = _git("log", "-1", "--format=%ct", cwd=repo)
        moment = dt.datetime.fromtimestamp(int(committed), tz=dt.timezone.utc) if committed else \
            dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def content_sha256(conn: sqlite3.Connection) -> str:
    digest = hashlib.sha256()
    tables = [t.name for t in export._tables() if t.name != "release"]
    for table, row in db.content_rows(conn, tables):
        digest.update(repr((table, row)).encode())
    return digest.hexdigest()


def _claims(path: Path) -> dict[tuple, tuple]:
    conn = None
    try:
        conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)
        rows = conn.execute(f"SELECT {', '.join(CLAIM_KEY)}, value_num, value_text FROM claim "
                            "WHERE origin <> 'derived:cegdb'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ReleaseError(f"{path}: cannot read its claims ({exc})") from None
    finally:
        if conn is not None:
            conn.close()
    return {row[:len(CLAIM_KEY)]: row[len(CLAIM_KEY):] for row in rows}


def _previous_release(dist: Path, version: str) -> tuple[str, Path] | None:
    def key(name: str):
        return tuple(int(p) for p in name.split("."))
    # Only finished releases (with SHA256SUMS) count: a folder left half written by an older cegdb
    # is not what the next release compares against.
    older = sorted((p.name for p in dist.iterdir() if p.is_dir() and CALVER.match(p.name)
                    and (p / "SHA256SUMS").is_file() and key(p.name) < key(version)),
                   key=key) if dist.is_dir() else []
    if not older:
        return None
    previous = older[-1]
    path = dist / previous / f"cegdb-{previous}.sqlite"
    return (previous, path) if path.exists() else None


def changelog(current: Path, previous: tuple[str, Path] | None, version: str) -> tuple[str, dict[str, int]]:
    now = _claims(current)
    before = _claims(previous[1]) if previous else {}
    added = sorted(k for k in now if k not in before)
    removed = sorted(k for k in before if k not in now)
    changed = sorted(k for k in now if k in before and now[k] != before[k])
    lines = [f"# cegdb {version}: data changes", "",
             f"Compared with {previous[0]}." if previous else "First release: every claim is new.", "",
             f"- claims added: {len(added)}", f"- claims changed: {len(changed)}", f"- claims removed: {len(removed)}",
             ""]
    for title, keys, show in (("Changed", changed, True), ("Added", added, False), ("Removed", removed, False)):
        if keys and (previous or title != "Added"):
            lines += [f"## {title}", ""]
            for k in keys:
                entity = f"{k[0]} {k[1]}, {k[2]} ({k[3]}, {k[5] or 'no locator'})"
                lines.append(f"- {entity}: {before[k]} -> {now[k]}" if show else f"- {entity}")
            lines.append("")
    return "\n".join(lines), {"added": len(added), "changed": len(changed), "removed": len(removed)}


def citation_cff(version: str, released: str) -> str:
    return (f"cff-version: 1.2.0\n"
            f"message: \"If you use cegdb, please cite this version of the data and the original sources "
            f"of the numbers you rely on.\"\n"
            f"type: dataset\n"
            f"title: \"cegdb: a sourced catalog of AI models, accelerators and algorithmic innovations\"\n"
            f"version: \"{version}\"\n"
            f"date-released: \"{released[:10]}\"\n"
            f"authors:\n  - name: \"cegdb contributors\"\n"
            f"license: CC-BY-4.0\n"
            f"repository-code: \"https://github.com/cegdb/cegdb\"\n")


def _staging_folder(dist: Path, version: str) -> Path:
    """A private folder beside dist/VERSION, renamed onto it when every file is written (a full disk
    or a kill leaves no half release under the version's name); debris of dead processes is
    removed at the next release."""
    from catalog.safety import remove_stale

    for old in dist.glob(".*.partial-*"):
        remove_stale(dist, old.name.rpartition("-")[0] + "-")
    staging = dist / f".{version}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def release(source_db: Path, version: str, dist: Path, repo: Path) -> ReleaseReport:
    if not CALVER.match(version):
        raise ReleaseError(f"{version!r} is not a CalVer version like 2026.12.0")
    if not source_db.exists():
        raise ReleaseError(f"{source_db}: no such database; run `cegdb build` first")
    if dist.exists() and not dist.is_dir():
        raise ReleaseError(f"{dist} is not a folder; pass another --dist")
    folder = dist / version
    if folder.exists() and not folder.is_dir():
        raise ReleaseError(f"{folder} exists and is not a folder; move it away or pass another --dist")
    if folder.exists() and any(folder.iterdir()):
        raise ReleaseError(f"{folder} already exists: a release is never overwritten")
    check = sqlite3.connect(sqlite_uri(source_db, mode="ro"), uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ReleaseError(f"{source_db}: integrity check failed")
        violations = check.execute("PRAGMA foreign_key_check").fetchall()
        if violations:
            raise ReleaseError(f"{source_db}: foreign key violations: {violations[:5]}")
    finally:
        check.close()

    released = release_time(repo)
    dist.mkdir(parents=True, exist_ok=True)
    staging = _staging_folder(dist, version)
    try:
        digest, changes = _write_release(source_db, version, dist, staging, repo, released)
        if folder.is_dir():
            folder.rmdir()  # an empty folder (checked above); rename cannot replace a non-empty one
        os.rename(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = [folder / name for name in _release_names(version)]
    return ReleaseReport(folder, files, digest, changes)


def _release_names(version: str) -> list[str]:
    return [f"cegdb-{version}.sqlite", *(f"{t.name}.csv" for t in export._tables()), "datapackage.json",
            "sources.bib", "CITATION.cff", "CHANGES.md", "SHA256SUMS"]


def _write_release(source_db: Path, version: str, dist: Path, folder: Path, repo: Path,
                   released: str) -> tuple[str, dict[str, int]]:
    target = folder / f"cegdb-{version}.sqlite"
    staged = folder / ".staged.sqlite"  # inside the staging folder: removed with it, even after kill -9
    source = sqlite3.connect(sqlite_uri(source_db, mode="ro"), uri=True)
    try:
        source.execute("VACUUM INTO ?", (str(staged),))
    finally:
        source.close()
    conn = sqlite3.connect(staged)
    try:
        digest = content_sha256(conn)
        conn.execute("DELETE FROM release")
        conn.execute("INSERT INTO release (data_version, schema_revision, built_at, git_commit, content_sha256) "
                     "VALUES (?, ?, ?, ?, ?)",
                     (version, _revision(conn), released, _git("rev-parse", "HEAD", cwd=repo), digest))
        conn.commit()
        # VACUUM INTO writes a fresh, compact file: the same content gives the same bytes.
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()
    staged.unlink()

    conn = sqlite3.connect(sqlite_uri(target, mode="ro"), uri=True)
    try:
        files = [target, *export.write_csvs(conn, folder), export.write_datapackage(folder, version),
                 export.write_bib(conn, folder)]
    finally:
        conn.close()
    (folder / "CITATION.cff").write_text(citation_cff(version, released), encoding="utf-8")
    text, changes = changelog(target, _previous_release(dist, version), version)
    (folder / "CHANGES.md").write_text(text, encoding="utf-8")
    files += [folder / "CITATION.cff", folder / "CHANGES.md"]
    sums = sorted(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in files)
    (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return digest, changes


def _revision(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else ""
