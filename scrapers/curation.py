"""`--to-yaml DIR`: scraped items as curation YAML in the datasets/ format, for a person to review.

The files follow docs/contributing-data.md, so a reviewed file moves into datasets/ as is:

    DIR/sources/<origin>.yaml                   citation key -> source record (merged across runs)
    DIR/models/<organization>/<model-id>.yaml   one model, its claims with locator, quote, confidence

A model whose organisation is unknown gets `organization: TODO`, which `cegdb validate` refuses
until someone fills it in: a reviewer cannot miss it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from scrapers.store import Item, slug
from scrapers.validate import ClaimDraft

SOURCE_KEYS = ("kind", "title", "authors", "date", "year", "venue", "url", "arxiv_id", "doi", "license")
CLAIM_KEYS = ("value", "source", "locator", "quote", "confidence", "evidence", "method", "lower", "upper", "note")


def _plain(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def _claim(draft: ClaimDraft) -> dict:
    row = {"value": _plain(draft.value), "source": draft.source_id, "locator": draft.locator, "quote": draft.quote,
           "confidence": draft.confidence, "evidence": draft.evidence, "method": draft.method,
           "lower": _plain(draft.lower), "upper": _plain(draft.upper), "note": draft.note}
    return {k: row[k] for k in CLAIM_KEYS if row[k] is not None}


class _NoAliasDumper(yaml.SafeDumper):
    """datasets/ refuses YAML anchors and aliases (catalog/yamlio.py): a value shared by two
    claims is written out twice instead."""

    def ignore_aliases(self, data) -> bool:
        return True


def _dump(path: Path, data, header: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=110)
    path.write_text(header + body, encoding="utf-8")


def write_yaml(directory: Path, items: list[Item], model_ids: dict[int, str] | None = None) -> list[Path]:
    """Write every item; returns the files written. `model_ids` maps id(item) to catalog ids."""
    model_ids = model_ids or {}
    written: list[Path] = []
    sources: dict[str, dict[str, dict]] = {}
    for item in items:
        name = item.origin.split(":")[-1]
        for source in item.sources:
            record = {k: _plain(source.get(k)) for k in SOURCE_KEYS if source.get(k) is not None}
            sources.setdefault(name, {})[source["id"]] = record
        if not item.claims and item.model is None:
            continue
        facts = item.model or {}
        model_id = model_ids.get(id(item)) or item.model_id or slug(facts.get("id") or facts.get("name") or item.label)
        document = {"id": model_id, "name": facts.get("name") or model_id,
                    "organization": facts.get("organization_id") or "TODO"}
        for key, column in (("family", "family"), ("release_date", "release_date"), ("domain", "domain"),
                            ("accessibility", "accessibility"), ("hf_repo", "hf_repo_id"),
                            ("primary_source", "primary_source_id")):
            if facts.get(column):
                document[key] = facts[column]
        claims: dict[str, list[dict]] = {}
        for draft in item.claims:
            claims.setdefault(draft.field, []).append(_claim(draft))
        document["claims"] = {field: rows[0] if len(rows) == 1 else rows for field, rows in claims.items()}
        path = directory / "models" / slug(document["organization"]) / f"{model_id}.yaml"
        _dump(path, document, f"# From `cegdb scrape` ({item.origin}): {item.label}. Review every value against\n"
                              "# its source, fill in any TODO, then move this file into datasets/models/.\n")
        written.append(path)
    for name, records in sources.items():
        path = directory / "sources" / f"{name}.yaml"
        existing = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        merged = {**(existing if isinstance(existing, dict) else {}), **records}
        _dump(path, merged, f"# Sources fetched by `cegdb scrape` ({name}); review, then move into datasets/sources/.\n")
        written.append(path)
    return written
