"""Several Epoch exports of one date read as one table: the December 2025 notable, large-scale and
frontier files (agiallombardo/epoch-ai-dataset, data/raw/, 2025-12-02) list overlapping models with
different columns (only the notable file has "Training dataset size (gradients)"; only the frontier
file has chip-hours and the estimation method). A model is one record: each field from the first
file, in the order given, whose row has it, and every field remembers its file, row and column, so
each claim's locator names the cell it was read from.
"""

from __future__ import annotations

from scrapers.parsers.epoch import parse_epoch_csv

# Keys the parser derives from other cells; recomputed once a merged record has all its cells.
_DATASET_KEYS = ("dataset_size_unit", "dataset_size_unit_basis", "dataset_size_unit_unstated", "dataset_tokens",
                 "dataset_tokens_note", "dataset_tokens_from", "tokens_seen", "tokens_seen_note", "tokens_seen_from")
_DERIVED_CELLS = {"training_days": "training_time_hours", "training_precision": "numerical_format",
                  "confidence_epoch": "confidence", "bounds": "training_compute_lower",
                  "active_parameters": "parameters", "parameters_scope": "parameters"}


def parse_exports(files: list[tuple[str, bytes]]) -> dict:
    """{"models", "columns", "row_errors"} like `parse_epoch_csv`, over several files of one export."""
    from scrapers.parsers.epoch_dataset import dataset_claims

    merged: dict[str, dict] = {}
    order: list[str] = []
    columns = {"mapped": {}, "unmapped": [], "shadowed": []}
    errors = []
    for file_name, content in files:
        parsed = parse_epoch_csv(content, file_name)
        by_key = {key: column for column, key in parsed["columns"]["mapped"].items()}
        for column, key in parsed["columns"]["mapped"].items():
            columns["mapped"].setdefault(column, key)
        columns["unmapped"].extend(c for c in parsed["columns"]["unmapped"] if c not in columns["unmapped"])
        for error in parsed["row_errors"]:
            errors.append({**error, "file": file_name})
        seen: dict[str, int] = {}
        for record in parsed["models"]:
            name = record["model"]
            seen[name] = seen.get(name, 0) + 1
            ident = f"{name}\x00{seen[name]}"  # a name listed twice in a file stays two records
            at = {key: (file_name, record["row"], by_key.get(key, key)) for key in list(record) + ["confidence"]}
            for derived, cell in _DERIVED_CELLS.items():
                if derived in record and cell in by_key:
                    at[derived] = (file_name, record["row"], by_key[cell])
            for note_key in record.get("notes", {}):
                at.setdefault(note_key, (file_name, record["row"], by_key.get(note_key, note_key)))
            if ident not in merged:
                record["file"], record["at"] = file_name, at
                merged[ident] = record
                order.append(ident)
                continue
            first = merged[ident]
            for key, value in record.items():
                if key in ("row", "notes", "file", "at") or key in _DATASET_KEYS or key in first:
                    continue
                first[key] = value
                first["at"][key] = at.get(key, (file_name, record["row"], key))
            for key, note in record.get("notes", {}).items():
                first.setdefault("notes", {}).setdefault(key, note)
    models = []
    for ident in order:
        record = merged[ident]
        for key in _DATASET_KEYS:
            record.pop(key, None)
        if "dataset_size" in record or "dataset_size_gradients" in record:
            dataset_claims(record, record.get("notes", {}))
        # The derived dataset keys take the locator of the cell they were read from.
        for key in ("dataset_tokens", "tokens_seen"):
            source_key = "dataset_size" if "dataset_size" in record else "dataset_size_gradients"
            if source_key in record["at"]:
                record["at"][key] = record["at"][source_key]
        models.append(record)
    return {"models": models, "columns": columns, "row_errors": errors}
