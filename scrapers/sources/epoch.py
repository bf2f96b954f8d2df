"""Epoch AI's models CSV (CC BY 4.0) -> one item per row: an imported model and its claims.

Each row is checked and stored on its own: a row that fails (a value outside the catalog's
plausible range, say a 1950s system with 40 parameters) is reported with its row number and
field and the others load. The source is the dataset (one `source` row per file), the quote is
Epoch's note for the field, the locator the row and column, the confidence Epoch's
(Confident -> high, Likely -> medium, Speculative -> low; Unknown or blank -> low, with a note).
"""

from __future__ import annotations

import collections
from pathlib import Path
from urllib.parse import quote

from scrapers.http import Fetched, PoliteClient
from scrapers.parsers.epoch import HARDWARE_IDS, ORGANIZATION_IDS, map_ids, parse_epoch_csv
from scrapers.pipeline import Task
from scrapers.store import Item, slug
from scrapers.validate import ClaimDraft

ORIGIN = "import:epoch"
DATA_PAGE = "https://epoch.ai/data/ai-models"
LICENSE = "CC-BY-4.0"
MAX_QUOTE = 1000  # Epoch's notes run to pages; the snapshot has the rest
ACCESSIBILITY = {"open weights": "open_weights", "api access": "api", "hosted access": "api", "unreleased": "unreleased"}
DOMAINS = {"language": "language", "vision": "vision", "multimodal": "multimodal", "speech": "speech",
           "audio": "speech"}
# Epoch's "Training compute estimation method" values other than "Reported" are Epoch's own
# estimates (operation counting, hardware time, benchmarks, comparison with other models).
REPORTED_METHOD = "reported"


def task(*, url: str | None = None, file: Path | None = None, organizations: dict[str, str] | None = None,
         hardware: dict[str, str] | None = None) -> Task:
    """`organizations` / `hardware`: name -> catalog id tables (the parser's, plus the catalog's own names)."""
    fetch_url = url or Path(file).resolve().as_uri()
    source_url = url or DATA_PAGE
    warnings: list[str] = []

    def fetch(client: PoliteClient) -> list[Fetched]:
        if url is not None:
            return [client.get(url)]
        if client.offline:
            return [client.from_snapshot(fetch_url)]
        from scrapers.pipeline import fetch_file

        return [fetch_file(Path(file), fetch_url, client.store)]

    def parse(fetched: list[Fetched]) -> list[Item]:
        return build_items(fetched[0], source_url, Path(url or str(file)).name, warnings, organizations, hardware)

    return Task(key=None, label=f"Epoch AI CSV {Path(url or str(file)).name}", fetch=fetch, parse=parse,
                skip_by_snapshot=True, warnings=warnings)


def build_items(fetched: Fetched, source_url: str, file_name: str, warnings: list[str],
                organizations: dict[str, str] | None = None, hardware: dict[str, str] | None = None) -> list[Item]:
    parsed = parse_epoch_csv(fetched.content, file_name)
    columns = {key: column for column, key in parsed["columns"]["mapped"].items()}
    if parsed["columns"]["unmapped"]:
        warnings.append(f"columns not in the synonym table (ignored): {', '.join(parsed['columns']['unmapped'])}")
    exported = max((m.get("last_modified", "")[:10] for m in parsed["models"]), default="") or None
    source = {"id": f"epoch-{slug(Path(file_name).stem)[:60]}", "kind": "dataset",
              "title": f"Epoch AI, Data on AI Models ({file_name})", "authors": "Epoch AI",
              "date": exported, "year": int(exported[:4]) if exported else None, "venue": "Epoch AI",
              "url": source_url, "license": LICENSE, "retrieved_at": fetched.snapshot.fetched_at}
    errors = collections.defaultdict(list)
    for error in parsed["row_errors"]:
        errors[error["row"]].append(f"{error['field']}: {error['message']}")
    unmapped = collections.Counter()
    seen = collections.Counter()
    items = []
    for record in parsed["models"]:
        name = record["model"]
        seen[name] += 1
        ref = f"{source_url}#model={quote(name)}" + (f"&n={seen[name]}" if seen[name] > 1 else "")
        item = _item(record, ref, source, columns, fetched, unmapped, organizations or ORGANIZATION_IDS,
                     hardware or HARDWARE_IDS)
        if seen[name] > 1:  # Epoch lists some names twice: separate rows, separate models
            item.model.update(id=f"{slug(name)}-{seen[name]}", match=False)
        # A cell that cannot be read drops that field alone, with a warning on the model, as the
        # generated route does (docs/generated-layer.md): the rest of the row is stored.
        item.model["warnings"] = [f"{m} (row {record['row']}; field dropped)" for m in errors.get(record["row"], [])]
        items.append(item)
    for row, messages in errors.items():
        if not any(r["row"] == row for r in parsed["models"]):  # a row without a model: skipped, as generated
            warnings.append(f"row {row} skipped: {'; '.join(messages)}")
    for (kind, name), count in unmapped.most_common():
        warnings.append(f"{kind} {name!r} ({count} row(s)) is not mapped to a catalog id")
    return items


def _item(record: dict, ref: str, source: dict, columns: dict, fetched: Fetched, unmapped: collections.Counter,
          organizations: dict[str, str], hardware_names: dict[str, str]) -> Item:
    name, row = record["model"], record["row"]
    item = Item(key=ref, origin=ORIGIN, label=f"row {row} ({name})", sources=[source], refs={ref})
    orgs, missing = map_ids(record.get("organizations", []), organizations)
    unmapped.update(("organisation", m) for m in missing)
    date = record.get("publication_date")
    item.model = {"name": name, "organization_id": orgs[0] if orgs else None,
                  "release_date": date if date and len(date) == 10 else None,
                  "domain": _domain(record.get("domain", [])),
                  "accessibility": _accessibility(record.get("model_accessibility")),
                  "base_model_name": record.get("base_model")}
    confidence = record.get("confidence") or "low"
    base_note = None if record.get("confidence") else (
        f"Epoch's confidence: {record.get('confidence_epoch') or 'not given'} (taken as low)")
    notes = record.get("notes", {})

    def claim(field: str, value, key: str, *, note_key: str | None = None, method: str = "reported",
              note: str | None = None, lower=None, upper=None) -> None:
        quote_text = notes.get(note_key or key)
        if quote_text and len(quote_text) > MAX_QUOTE:
            quote_text = quote_text[:MAX_QUOTE] + " [...]"
        parts = [p for p in (note, base_note) if p]
        item.claims.append(ClaimDraft(
            field=field, value=value, source_id=source["id"], locator=f"row {row}, column {columns.get(key, key)!r}",
            quote=quote_text, method=method, confidence=confidence, evidence="primary", lower=lower, upper=upper,
            note="; ".join(parts) or None, snapshot_id=fetched.snapshot.sha256, origin_ref=ref))

    if "parameters" in record:
        scope = record.get("parameters_scope")
        claim("parameters", record["parameters"], "parameters", note=f"Epoch: {scope}" if scope else None)
    if "active_parameters" in record:
        claim("active_parameters", record["active_parameters"], "parameters", method="derived",
              note="read from Epoch's parameters note (the cell holds the MoE total)")
    if "training_compute_flop" in record:
        methods = record.get("training_compute_method", [])
        bounds = record.get("bounds", {}).get("training_compute_flop", {})
        reported = any(m.lower() == "reported" for m in methods)
        claim("training_compute_flop", record["training_compute_flop"], "training_compute_flop",
              method="reported" if reported or not methods else "estimated",
              note=f"Epoch's estimation method: {', '.join(methods)}" if methods else None,
              lower=bounds.get("lower"), upper=bounds.get("upper"))
    if record.get("tokens_seen"):  # scrapers/parsers/epoch_dataset.py: tokens only where the unit is text
        claim("training_tokens", record["tokens_seen"], "dataset_size", note_key="dataset_size",
              method="derived" if record.get("tokens_seen_from") else "reported", note=record.get("tokens_seen_note"))
    if record.get("dataset_tokens"):
        claim("training_dataset_tokens", record["dataset_tokens"], "dataset_size", note_key="dataset_size",
              method="derived" if record.get("dataset_tokens_from") else "reported",
              note=record.get("dataset_tokens_note"))
    if "gpu_hours" in record:
        claim("gpu_hours", record["gpu_hours"], "gpu_hours")
    if "hardware_count" in record:
        claim("hardware_count", record["hardware_count"], "hardware_count")
    if "training_days" in record:
        claim("training_days", record["training_days"], "training_time_hours", note_key="training_time_hours",
              method="derived", note=f"Epoch gives {record['training_time_hours']:g} hours; divided by 24")
    if "training_precision" in record:
        claim("training_precision", record["training_precision"], "numerical_format",
              note=f"Epoch's numerical format: {', '.join(record.get('numerical_format', []))}")
    hardware, missing = map_ids(record.get("hardware", []), hardware_names)
    unmapped.update(("hardware", m) for m in missing)
    if len(hardware) == 1 and not missing:
        claim("hardware", hardware[0], "hardware", note=f"Epoch's training hardware: {', '.join(record['hardware'])}")
    return item


def _domain(values: list[str]) -> str | None:
    mapped = {DOMAINS.get(v.lower(), "other") for v in values}
    if not mapped:
        return None
    if len(mapped) == 1:
        return mapped.pop()
    return "multimodal" if mapped & {"language", "vision", "speech", "multimodal"} else "other"


def _accessibility(value: str | None) -> str | None:
    if not value:
        return None
    return next((ours for theirs, ours in ACCESSIBILITY.items() if value.lower().startswith(theirs)), None)

