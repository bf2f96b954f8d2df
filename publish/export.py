"""Exports: one CSV per table, datapackage.json generated from the schema, sources.bib.

Everything is written in a fixed order with fixed formatting, so the same database gives the
same bytes (a release's SHA256SUMS depend on it). Each file is written to a temporary beside it
and renamed into place, and a release folder (one with SHA256SUMS) is never written into.

CSV text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`
(OWASP's rule against CSV formula injection): a scraped name `=HYPERLINK(...)` is otherwise a live
formula in a spreadsheet. Numbers are written as numbers and never prefixed.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Boolean, Float, Integer

from catalog import db, schema
from publish import bibtex

LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}


def _tables() -> list:
    return [t.__table__ for t in schema.TABLES]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportRefused(Exception):
    """The export would overwrite what must not be overwritten (a frozen release)."""


def neutralise_formula(text: str) -> str:
    """OWASP's CSV-injection rule: a text cell a spreadsheet would read as a formula gets a `'`."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back to the same float
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)


def check_out_folder(out: Path) -> None:
    """A folder holding SHA256SUMS is a release: its files are frozen (they would fail their checksums)."""
    if (out / "SHA256SUMS").exists():
        raise ExportRefused(f"{out} is a release folder (it has SHA256SUMS): its files are never overwritten; "
                            "pass another --out")
    if out.exists() and not out.is_dir():
        raise ExportRefused(f"{out} is not a folder; pass another --out")


def _replace_atomically(path: Path, write) -> Path:
    """Call write(handle) on a temporary beside `path`, then rename it into place (a failed or killed
    export leaves the previous file whole; the temporary is removed on failure)."""
    from catalog.safety import check_writable, remove_stale

    check_writable(path, "--out")
    remove_stale(path.parent, f".{path.name}.tmp-")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            write(handle)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_csvs(conn: sqlite3.Connection, out: Path) -> list[Path]:
    check_out_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in _tables():
        def write(handle, table=table):
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.name for c in table.columns])
            for row in db.table_rows(conn, table.name):
                writer.writerow([_cell(v) for v in row])
        paths.append(_replace_atomically(out / f"{table.name}.csv", write))
    return paths


def _field(column, model) -> dict:
    docs = schema.column_docs(model)
    description, unit = docs.get(column.name, ("", None))
    if isinstance(column.type, Boolean):
        field = {"name": column.name, "type": "boolean", "trueValues": ["1", "true", "True"],
                 "falseValues": ["0", "false", "False"]}
    elif isinstance(column.type, Integer):
        field = {"name": column.name, "type": "integer"}
    elif isinstance(column.type, Float):
        field = {"name": column.name, "type": "number"}
    else:
        field = {"name": column.name, "type": "string"}
    field["description"] = description
    if unit:
        field["unit"] = unit  # not in the Table Schema spec; frictionless keeps custom properties
    if not column.nullable and not column.primary_key:
        field["constraints"] = {"required": True}
    return field


def datapackage(version: str | None = None) -> dict:
    resources = []
    for model in schema.TABLES:
        table = model.__table__
        foreign_keys = []
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            other = fk.column.table.name
            foreign_keys.append({"fields": [fk.parent.name],
                                 "reference": {"resource": "" if other == table.name else other,
                                               "fields": [fk.column.name]}})
        table_schema = {"fields": [_field(c, model) for c in table.columns],
                        "primaryKey": [c.name for c in table.columns if c.primary_key]}
        if foreign_keys:
            table_schema["foreignKeys"] = foreign_keys
        resources.append({"name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "description": (model.__doc__ or "").strip(), "schema": table_schema})
    package = {"profile": "tabular-data-package", "name": "cegdb",
               "title": "cegdb: a sourced catalog of AI models, accelerators and algorithmic innovations",
               "licenses": [LICENSE], "homepage": "https://github.com/cegdb/cegdb", "resources": resources}
    if version:
        package["version"] = version
    return package


def write_datapackage(out: Path, version: str | None = None) -> Path:
    check_out_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(datapackage(version), indent=2, sort_keys=True) + "\n"
    return _replace_atomically(out / "datapackage.json", lambda handle: handle.write(text))


def write_bib(conn: sqlite3.Connection, out: Path) -> Path:
    check_out_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute("SELECT * FROM source ORDER BY id")]
    finally:
        conn.row_factory = None
    text = bibtex.source_entries(rows)
    return _replace_atomically(out / "sources.bib", lambda handle: handle.write(text))
