"""Corrections to imported and scraped claims: datasets/corrections.yaml.

An upstream database can repeat an error a curator has already found (Epoch's export gives
RoBERTa-large the 1,024 GPUs of its 100K-step run beside the 500K-step run's tokens). A curated
file can only deprecate its own claims; this reviewed list deprecates claims of other origins,
each entry saying what, why and on which source's authority. The generated layer stays exactly
what the importer wrote, so a re-import keeps the correction visible as a diff here, not a patch
there. An entry that matches no claim is an error: a stale correction must not linger unseen.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text

from catalog.datasets import Problems, Refs, _line, _load, _source_ref, _text, _unknown_keys

KEYS = {"model", "field", "origin", "action", "why", "source"}
ACTIONS = ("deprecate",)


def read_corrections(root: Path, problems: Problems, refs: Refs) -> list[dict]:
    path = root / "corrections.yaml"
    if not path.exists():
        return []
    rel = path.relative_to(root.parent) if path.is_absolute() else path
    rows = []
    for entry in _load(path, problems, list) or []:
        if not isinstance(entry, dict):
            problems.add(rel, getattr(entry, "line", 0), "correction", "expected a mapping")
            continue
        _unknown_keys(entry, KEYS, rel, problems)
        row = {"model": _text(entry, "model", rel, problems, required=True),
               "field": _text(entry, "field", rel, problems, required=True),
               "origin": _text(entry, "origin", rel, problems, required=True),
               "action": _text(entry, "action", rel, problems, required=True, choices=ACTIONS),
               "why": _text(entry, "why", rel, problems, required=True),
               "source": _source_ref(entry, "source", rel, problems, refs),
               "where": f"{rel}:{getattr(entry, 'line', 0)}"}
        if row["origin"] == "curated":
            problems.add(rel, _line(entry, "origin"), "origin",
                         "a curated claim is corrected in its own file (rank: deprecated)")
            continue
        if all(row[k] for k in ("model", "field", "origin", "action", "why", "source")):
            rows.append(row)
    return rows


def apply_corrections(conn: Connection, corrections: list[dict], problems: Problems,
                      rows_complete: bool = True) -> int:
    """Deprecate the claims each correction names; returns how many claims changed."""
    # Once a problem is recorded the build stops writing rows (catalog/build.py), so a correction
    # can match nothing only because its claims were never written: calling it stale then would
    # tell the user to delete a valid correction. `rows_complete` says whether every row was written.
    judged = rows_complete
    changed = 0
    for c in corrections:
        note = f"deprecated by {c['where']} ({c['source']}): {c['why']}"
        result = conn.execute(text(
            "UPDATE claim SET rank = 'deprecated', "
            "note = CASE WHEN note IS NULL OR note = '' THEN :note ELSE note || '; ' || :note END "
            "WHERE entity_type = 'model' AND entity_id = :model AND field = :field AND origin = :origin"),
            {"note": note, "model": c["model"], "field": c["field"], "origin": c["origin"]})
        if result.rowcount == 0 and judged:
            path, _, line = c["where"].rpartition(":")
            problems.add(path, int(line), "correction",
                         f"no {c['origin']} claim for {c['model']}.{c['field']}: remove the stale correction")
        changed += result.rowcount
    return changed
