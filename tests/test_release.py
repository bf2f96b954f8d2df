"""Exports and frozen releases: datapackage.json valid by frictionless, byte-identical re-releases,
a data changelog, checksums, and CITATION.cff consistent with .zenodo.json."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess

import pytest
import yaml
from click.testing import CliRunner

from cegdb.cli import main
from publish.export import datapackage
from conftest import REPO, TOY_MOE, write_catalog
from cegdb.pipeline import build


def test_datapackage_describes_every_table_with_types_units_and_keys():
    package = datapackage()
    by_name = {r["name"]: r for r in package["resources"]}
    model = by_name["model"]["schema"]
    assert model["primaryKey"] == ["id"]
    fields = {f["name"]: f for f in model["fields"]}
    assert fields["training_compute_flop"]["type"] == "number" and fields["training_compute_flop"]["unit"] == "FLOP"
    assert {"fields": ["organization_id"], "reference": {"resource": "organization", "fields": ["id"]}} \
        in model["foreignKeys"]
    assert all(f["description"] for r in package["resources"] for f in r["schema"]["fields"])


def test_exported_datapackage_passes_frictionless_validate(built_db, tmp_path):
    from frictionless import validate

    result = CliRunner().invoke(main, ["export", "datapackage", "--db", str(built_db), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_bib_export_has_one_entry_per_source(built_db, tmp_path):
    CliRunner().invoke(main, ["export", "bib", "--db", str(built_db), "--out", str(tmp_path)])
    text = (tmp_path / "sources.bib").read_text()
    assert text.count("\n@") + text.startswith("@") == 4
    assert "@article{toy2024paper," in text and "eprint = {2405.00001}" in text


def _release(db, version, dist, env_epoch="1790000000"):
    env = {**os.environ, "SOURCE_DATE_EPOCH": env_epoch}
    return subprocess.run([str(REPO / ".venv" / "bin" / "cegdb"), "release", version, "--db", str(db),
                           "--dist", str(dist)], capture_output=True, text=True, env=env, cwd=REPO)


def test_release_twice_gives_byte_identical_files(built_db, tmp_path):
    for dist in ("a", "b"):
        result = _release(built_db, "2026.12.0", tmp_path / dist)
        assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in (tmp_path / "a" / "2026.12.0").iterdir())
    assert {"cegdb-2026.12.0.sqlite", "datapackage.json", "sources.bib", "CITATION.cff", "CHANGES.md", "SHA256SUMS",
            "claim.csv", "model.csv"} <= set(files)
    for name in files:
        a = (tmp_path / "a" / "2026.12.0" / name).read_bytes()
        assert a == (tmp_path / "b" / "2026.12.0" / name).read_bytes(), name
    sums = (tmp_path / "a" / "2026.12.0" / "SHA256SUMS").read_text().splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((tmp_path / "a" / "2026.12.0" / name).read_bytes()).hexdigest() == digest
    (row,) = sqlite3.connect(tmp_path / "a" / "2026.12.0" / "cegdb-2026.12.0.sqlite").execute(
        "select data_version, schema_revision, built_at, length(content_sha256) from release").fetchall()
    assert row[0] == "2026.12.0" and row[1] and row[2].startswith("2026-09") and row[3] == 64


def test_release_changelog_lists_claims_added_changed_removed(tmp_path):
    datasets = write_catalog(tmp_path)
    db = tmp_path / "cat.sqlite"
    build(datasets, f"sqlite:///{db}", analysis=None)
    assert _release(db, "2026.12.0", tmp_path / "dist").returncode == 0
    changed = TOY_MOE.replace("value: 1T,", "value: 1.2T,").replace(
        "  tied_embeddings:   {value: false, source: toy2024paper, locator: Section 2, confidence: high}\n", "")
    (datasets / "models/toylab/toy-moe.yaml").write_text(changed)
    build(datasets, f"sqlite:///{db}", analysis=None)
    result = _release(db, "2026.12.1", tmp_path / "dist")
    assert result.returncode == 0, result.stderr
    changes = (tmp_path / "dist" / "2026.12.1" / "CHANGES.md").read_text()
    assert "Compared with 2026.12.0." in changes
    assert "- claims changed: 1" in changes and "- claims removed: 1" in changes
    assert "training_tokens" in changes and "(1000000000000.0, None) -> (1200000000000.0, None)" in changes


def test_a_release_is_never_overwritten_and_versions_are_calver(built_db, tmp_path):
    assert _release(built_db, "2026.12.0", tmp_path).returncode == 0
    again = _release(built_db, "2026.12.0", tmp_path)
    assert again.returncode == 1 and "never overwritten" in again.stderr
    bad = _release(built_db, "v1", tmp_path)
    assert bad.returncode == 1 and "CalVer" in bad.stderr


def test_citation_cff_and_zenodo_json_agree():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    zenodo = json.loads((REPO / ".zenodo.json").read_text())
    assert zenodo["title"] == cff["title"]
    assert zenodo["upload_type"] == "dataset" and cff["type"] == "dataset"
    assert zenodo["license"].lower() == cff["license"].lower()
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert sorted(zenodo["keywords"]) == sorted(cff["keywords"])


def test_citation_cff_is_valid_by_cffconvert():
    cffconvert = os.environ.get("CEGDB_CFFCONVERT") or shutil.which("cffconvert")
    if not cffconvert:
        pytest.skip("cffconvert not installed (it pins an old jsonschema; .ci/run installs it in .venv-cff "
                    "and sets CEGDB_CFFCONVERT)")
    result = subprocess.run([cffconvert, "--validate", "-i", str(REPO / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
