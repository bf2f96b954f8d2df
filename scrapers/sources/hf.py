"""Hugging Face Hub: the API JSON, config.json and README model card of a repository.

Three fetches, three snapshots, three `source` rows (one per URL) per repository; the claims
cite the one they were read from. The API answer is required; a repository without config.json
or README (404) still gives what the others say, reported as a warning. A gated repository
(401/403) fails the item, so a re-run with HF_TOKEN set fetches it.
"""

from __future__ import annotations

import json
import os
import re

from catalog.fields import MODEL_FIELDS
from scrapers.http import FetchError, Fetched, PoliteClient
from scrapers.parsers.hf_api import parse_hf_api
from scrapers.parsers.hf_config import SYNONYMS, parse_hf_config
from scrapers.pipeline import Task
from scrapers.sources import card as card_glue
from scrapers.store import Item, slug
from scrapers.validate import ClaimDraft

ORIGIN = "scraper:hf"
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
# Read straight from a config key: the released configuration is authoritative for the shape of
# the released weights.
DIRECT = {"num_layers", "hidden_size", "num_heads", "kv_heads", "vocab_size", "moe_experts",
          "moe_active_experts", "moe_shared_experts", "sliding_window"}
# Inferred by the parser from several keys (or from a key's absence): one step removed.
INFERRED = {"attention", "positional", "activation", "norm", "norm_position"}


def endpoint() -> str:
    # HF_ENDPOINT is the variable huggingface_hub itself reads (mirrors, the benchmark's local server).
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def urls(repo: str, base: str | None = None) -> dict[str, str]:
    base = base or endpoint()
    return {"api": f"{base}/api/models/{repo}", "config": f"{base}/{repo}/resolve/main/config.json",
            "card": f"{base}/{repo}/resolve/main/README.md"}


def source_ids(repo: str) -> dict[str, str]:
    owner, name = repo.split("/", 1)
    stem = f"hf-{slug(owner)}-{slug(name)}"
    return {"api": stem, "config": f"{stem}-config", "card": f"{stem}-card"}


def task(repo: str, base: str | None = None, names: list[str] | None = None) -> Task:
    """`names`: the catalog model's id and name when the repo is in the catalog (to find it in the card)."""
    where = urls(repo, base)

    def fetch(client: PoliteClient) -> list[Fetched]:
        fetched = [client.get(where["api"])]
        for part in ("config", "card"):
            try:
                fetched.append(client.get(where[part]))
            except FetchError as exc:
                if exc.status != 404:
                    raise
        return fetched

    return Task(key=where["api"], label=repo, fetch=fetch,
                parse=lambda fetched: [build_item(repo, fetched, where, names or [])])


def build_item(repo: str, fetched: list[Fetched], where: dict[str, str], names: list[str] = ()) -> Item:
    by_url = {f.url: f for f in fetched}
    ids = source_ids(repo)
    api_body = by_url[where["api"]]
    facts = parse_hf_api(api_body.content, where["api"])
    created = (facts.get("created_at") or "")[:10] or None
    modified = (facts.get("last_modified") or "")[:10] or None
    item = Item(key=where["api"], origin=ORIGIN, label=repo, refs=set(where.values()))
    item.sources.append(_source(ids["api"], "repo", f"{repo} (Hugging Face Hub repository)", repo, created,
                                where["api"], facts.get("license")))
    item.model = {"name": repo.split("/", 1)[1], "hf_repo_id": facts.get("repo_id") or repo,
                  "release_date": created, "accessibility": "open_weights",
                  "domain": "language" if facts.get("pipeline_tag") in ("text-generation", "text2text-generation")
                  else None,
                  "base_model_hf_repo": facts.get("base_model"),
                  "fallback_ids": [f"{repo.split('/', 1)[0]}-{repo.split('/', 1)[1]}"]}
    config = by_url.get(where["config"])
    if config is None:
        item.warnings.append("no config.json (404): no architecture claims")
    else:
        item.sources.append(_source(ids["config"], "repo", f"{repo} config.json", repo, modified, where["config"],
                                    facts.get("license")))
        item.claims.extend(config_claims(config, ids["config"]))
        text_only = parse_hf_config(config.content, config.url).get("text_parameters")
        if text_only:
            item.warnings.append(f"multimodal wrapper: the language model alone has {text_only:,} parameters; "
                                 "the vision tower is not counted, so no parameters claim")
        if facts.get("safetensors_total") and not any(c.field == "parameters" for c in item.claims):
            item.warnings.append(f"safetensors total {facts['safetensors_total']:,} is stored tensor elements, "
                                 "not parameters: not used")
    card = by_url.get(where["card"])
    if card is None:
        item.warnings.append("no README.md (404): no model card claims")
    else:
        item.sources.append(_source(ids["card"], "model_card", f"{repo} model card (README.md)", repo, modified,
                                    where["card"], facts.get("license")))
        claims, warnings = card_glue.card_claims(card, ids["card"], model_names=[repo.split("/", 1)[1], *names])
        item.claims.extend(claims)
        item.warnings.extend(warnings)
    return item


def _source(sid: str, kind: str, title: str, repo: str, date: str | None, url: str, license_: str | None) -> dict:
    return {"id": sid, "kind": kind, "title": title, "authors": repo.split("/", 1)[0], "date": date,
            "year": int(date[:4]) if date else None, "venue": "Hugging Face Hub", "url": url,
            "license": license_}


def config_claims(fetched: Fetched, source_id: str) -> list[ClaimDraft]:
    record = parse_hf_config(fetched.content, fetched.url)
    raw = json.loads(fetched.content)
    config, prefix = raw, ""
    if isinstance(raw.get("text_config"), dict):
        config, prefix = raw["text_config"], "text_config."
    claims = []

    def draft(field: str, value, locator: str, quote: str | None, **kw) -> None:
        claims.append(ClaimDraft(field=field, value=value, source_id=source_id, locator=locator, quote=quote,
                                 evidence="primary", snapshot_id=fetched.snapshot.sha256, origin_ref=fetched.url,
                                 **kw))

    for field in MODEL_FIELDS:
        if field not in record or field in ("parameters", "active_parameters"):
            continue
        value = record[field]
        key = next((k for k in SYNONYMS.get(field, ()) if config.get(k) is not None), None)
        quote = f'"{key}": {json.dumps(config[key])}' if key else None
        if field == "context_length":
            draft(field, value, f"config.json: {prefix}{key}", quote, confidence="medium",
                  note="max_position_embeddings: the longest position the released weights accept, "
                       "which can exceed the context the model was trained or evaluated at")
        elif field == "tied_embeddings":
            present = "tie_word_embeddings" in config or "tie_word_embeddings" in raw
            draft(field, bool(value), "config.json: tie_word_embeddings" if present else "config.json",
                  f'"tie_word_embeddings": {json.dumps(bool(value))}' if present else None,
                  confidence="high" if present else "medium", method="reported" if present else "derived",
                  note=None if present else "tie_word_embeddings absent: transformers ties by default")
        elif field in DIRECT and key:
            draft(field, value, f"config.json: {prefix}{key}", quote, confidence="high")
        else:
            draft(field, value, "config.json (architecture keys)", None, confidence="medium", method="derived",
                  note=f"inferred by the config parser from the architecture keys (model_type "
                       f"{record.get('model_type')!r})")
    note = record.get("parameters_note")
    for field in ("parameters", "active_parameters"):
        if record.get(field) is not None:
            draft(field, record[field], "config.json (computed from every shape key)", None,
                  method="derived", confidence="medium" if note else "high",
                  note="counted tensor by tensor from config.json (scrapers/parsers/hf_counts.py)"
                       + (f"; {note}" if note else ""))
    return claims
