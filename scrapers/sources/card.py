"""Model cards (markdown, from a URL or a local file): the parsed records of one model -> claims.

A card often covers a family (Llama 3.1: 8B, 70B, 405B). Only the records whose model name is
the catalog model's (compared as normalised names) become claims; values the card states for
the card as a whole (model: null) are attributed to the model only when the card names no
other model, because on a family card they are family totals (39.3M GPU hours for Llama 3.1).
A single-model card that contradicts itself (Llama 3.3: 39.3M in prose, 7.0M in the table)
gives both claims, and the conflict shows in `conflict`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from catalog.fields import MODEL_FIELDS
from scrapers.http import Fetched, PoliteClient
from scrapers.parsers.epoch import HARDWARE_IDS, map_ids
from scrapers.parsers.model_card import parse_model_card
from scrapers.pipeline import Task
from scrapers.store import Item, normalise_name, slug
from scrapers.validate import ClaimDraft

ORIGIN = "scraper:card"
# Training-compute figures for post-training are not the pre-training gpu_hours the catalog holds.
SKIPPED_SCOPES = {"post-training"}
_GITHUB_BLOB = re.compile(r"^https://github\.com/([^/]+)/([^/]+)/blob/(.+)$")


def raw_url(url: str) -> str:
    """GitHub's page for a file -> the file itself (what the parser can read)."""
    match = _GITHUB_BLOB.match(url)
    return f"https://raw.githubusercontent.com/{match[1]}/{match[2]}/{match[3]}" if match else url


def card_claims(fetched: Fetched, source_id: str, model_names: list[str],
                ref: str | None = None) -> tuple[list[ClaimDraft], list[str]]:
    """Claims for the model called any of `model_names`, and warnings (what was left out and why)."""
    parsed = parse_model_card(fetched.content, fetched.url)
    records = parsed.get("models", [])
    wanted = {normalise_name(n) for n in model_names if n}
    named = [r for r in records if r.get("model")]
    mine = [r for r in named if normalise_name(r["model"]) in wanted]
    if not named or (len(named) == 1 and mine):
        mine += [r for r in records if not r.get("model")]
    warnings = []
    if named and not mine:
        warnings.append(f"the card names {', '.join(r['model'] for r in named[:6])}; none is "
                        f"{' / '.join(sorted(model_names))}: no claims taken")
    claims = []
    for record in mine:
        for field, values in record.items():
            if field == "model" or field not in MODEL_FIELDS:
                continue  # emissions, power, knowledge cutoff: kept in the snapshot, not catalog fields
            for value in values:
                draft = _draft(field, value, record.get("model"), fetched, source_id, ref or fetched.url, warnings)
                if draft is not None:
                    claims.append(draft)
    return claims, warnings


def _draft(field: str, value: dict, model: str | None, fetched: Fetched, source_id: str, ref: str,
           warnings: list[str]) -> ClaimDraft | None:
    if value.get("scope") in SKIPPED_SCOPES:
        warnings.append(f"{field} {value.get('as_written', value.get('value'))} is {value['scope']}: not used")
        return None
    number = value.get("value")
    notes = [value["note"]] if value.get("note") else []
    if field == "hardware":
        ids, unmapped = map_ids([str(number)], {**HARDWARE_IDS, **{v: v for v in HARDWARE_IDS.values()}})
        if len(ids) != 1:
            warnings.append(f"hardware {number!r} is not mapped to a catalog id (scrapers/parsers/epoch.py "
                            "HARDWARE_IDS): not used")
            return None
        notes.append(f"the card says {number!r}")
        number = ids[0]
    lower = upper = None
    if value.get("bound") == "lower":
        lower = number
        notes.append(f"written {value.get('as_written')!r}: a lower bound")
    elif value.get("bound") == "upper":
        upper = number
        notes.append(f"written {value.get('as_written')!r}: an upper bound")
    if value.get("approximate"):
        notes.append(f"approximate (written {value.get('as_written')!r})")
    if value.get("scope"):
        notes.append(f"the card's scope: {value['scope']}")
    if model is None:
        notes.append("stated for the card as a whole, which names no other model")
    in_table = str(value.get("locator", "")).startswith("table")
    sure = in_table and not (value.get("approximate") or value.get("bound") or value.get("note"))
    return ClaimDraft(field=field, value=number, source_id=source_id, locator=value.get("locator") or "model card",
                      quote=value.get("quote"), method="reported", confidence="high" if sure else "medium",
                      evidence="primary", lower=lower, upper=upper, note="; ".join(notes) or None,
                      snapshot_id=fetched.snapshot.sha256, origin_ref=ref)


def task(url_or_file: str, model_id: str, public_url: str | None = None,
         model_names: list[str] | None = None) -> Task:
    is_url = re.match(r"^https?://", url_or_file) is not None
    path = None if is_url else Path(url_or_file).expanduser().resolve()
    url = public_url or (url_or_file if is_url else path.as_uri())
    fetch_url = raw_url(url_or_file) if is_url else path.as_uri()
    ref = f"{url}#model={model_id}"  # one card may serve several models: stored per model
    source_id = f"card-{slug(Path(url.split('?')[0]).name)[:40]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"

    def fetch(client: PoliteClient) -> list[Fetched]:
        if is_url:
            return [client.get(fetch_url)]
        if client.offline:
            return [client.from_snapshot(fetch_url)]
        from scrapers.pipeline import fetch_file

        return [fetch_file(path, fetch_url, client.store)]

    def parse(fetched: list[Fetched]) -> list[Item]:
        body = fetched[0]
        title = Path(url.split("?")[0]).name
        item = Item(key=ref, origin=ORIGIN, label=f"{url_or_file} ({model_id})", model_id=model_id, refs={ref})
        item.sources.append({"id": source_id, "kind": "model_card", "title": f"Model card {title}", "url": url})
        claims, warnings = card_claims(body, source_id, [model_id, *(model_names or [])], ref=ref)
        item.claims, item.warnings = claims, warnings
        return [item]

    return Task(key=ref, label=f"{url_or_file} ({model_id})", fetch=fetch, parse=parse)
