"""Hugging Face Hub `/api/models/{repo_id}` JSON -> repository facts.

Dates, downloads, likes, licence, arXiv ids, base model, gating. `safetensors.total` is the
number of tensor elements stored in the checkpoint, not the parameter count: GPT-2's is
137,022,720 because it stores 12 attention masks of 1024x1024 beside its 124,439,808
parameters, and DeepSeek-V3's includes 14B of multi-token-prediction weights. It is kept as
`safetensors_total`, never as `parameters`.
"""

from __future__ import annotations

import re

from scrapers.errors import ParseError
from scrapers.parsers import load_json, normalize_dtype

# Tags the Hub derives from the card and the repository: "arxiv:2204.05149",
# "base_model:meta-llama/Llama-3.1-8B", "base_model:finetune:meta-llama/Llama-3.1-8B",
# "license:llama3.1", "dataset:c4", "doi:10.57967/hf/0039".
_ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
_RELATIONS = {"finetune", "adapter", "quantized", "merge"}


def _text(raw: dict, key: str, source: str | None) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(source, key, f"expected text, got {value!r:.80}")
    return value


def _count(raw: dict, key: str, source: str | None) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParseError(source, key, f"expected a count, got {value!r:.80}")
    return value


def _str_list(value: object, source: str | None, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(source, key, f"expected a list of text, got {value!r:.80}")
    return value


def parse_hf_api(data: bytes | str | dict, source: str | None = None) -> dict:
    raw = data if isinstance(data, dict) else load_json(data, source)
    if not isinstance(raw, dict):
        raise ParseError(source, None, f"expected a JSON object, got {type(raw).__name__}")
    if isinstance(raw.get("error"), str):  # {"error": "Repository not found"} with a 404
        raise ParseError(source, "error", f"the Hub answered with an error: {raw['error']}")
    tags = _str_list(raw.get("tags"), source, "tags")
    card = raw.get("cardData")
    if card is not None and not isinstance(card, dict):
        raise ParseError(source, "cardData", "expected an object")
    card = card or {}

    arxiv_ids, base_models, relation, tag_license, datasets, dois = [], [], None, None, [], []
    for tag in tags:
        kind, _, value = tag.partition(":")
        if not value:
            continue
        if kind == "arxiv" and _ARXIV_ID.match(value):
            arxiv_ids.append(re.sub(r"v\d+$", "", value))
        elif kind == "base_model":
            head, _, rest = value.partition(":")
            if head in _RELATIONS and rest:
                relation = head
                if rest not in base_models:
                    base_models.append(rest)
            elif value not in base_models:
                base_models.append(value)
        elif kind == "license":
            tag_license = value
        elif kind == "dataset":
            datasets.append(value)
        elif kind == "doi":
            dois.append(value)

    card_license = card.get("license")
    if card_license is not None and not isinstance(card_license, (str, list)):
        raise ParseError(source, "cardData.license", f"expected text, got {card_license!r:.80}")
    card_base = _str_list(card.get("base_model"), source, "cardData.base_model")
    gated = raw.get("gated")
    if gated is not None and not isinstance(gated, (bool, str)):
        raise ParseError(source, "gated", f"expected false, 'auto' or 'manual', got {gated!r:.80}")

    safetensors = raw.get("safetensors")
    if safetensors is not None and not isinstance(safetensors, dict):
        raise ParseError(source, "safetensors", "expected an object")
    safetensors = safetensors or {}
    by_dtype = safetensors.get("parameters")
    if by_dtype is not None and (not isinstance(by_dtype, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in by_dtype.values())):
        raise ParseError(source, "safetensors.parameters", "expected counts per dtype")
    total = _count(safetensors, "total", source)

    config = raw.get("config") if isinstance(raw.get("config"), dict) else {}
    record = {
        "repo_id": _text(raw, "id", source) or _text(raw, "modelId", source),
        "author": _text(raw, "author", source),
        "sha": _text(raw, "sha", source),
        "created_at": _text(raw, "createdAt", source),
        "last_modified": _text(raw, "lastModified", source),
        "downloads": _count(raw, "downloads", source),
        "downloads_all_time": _count(raw, "downloadsAllTime", source),
        "likes": _count(raw, "likes", source),
        # The card's licence is what the authors wrote; the tag is the Hub's reading of it.
        "license": card_license if card_license is not None else tag_license,
        "arxiv_ids": arxiv_ids or None,
        "base_model": (card_base or base_models or [None])[0],
        "base_models": (card_base or base_models) if len(card_base or base_models) > 1 else None,
        "base_model_relation": relation,
        "gated": None if gated is None else gated is not False,
        "gated_mode": gated if isinstance(gated, str) else None,
        "private": raw.get("private") if isinstance(raw.get("private"), bool) else None,
        "pipeline_tag": _text(raw, "pipeline_tag", source),
        "library_name": _text(raw, "library_name", source),
        "model_type": config.get("model_type") if isinstance(config.get("model_type"), str) else None,
        "architectures": config.get("architectures") if isinstance(config.get("architectures"), list) else None,
        "datasets": datasets or None,
        "dois": dois or None,
        "safetensors_total": total,
        "safetensors_by_dtype": by_dtype or None,
        # One dtype for every stored tensor is the checkpoint's dtype; several are a mix.
        "checkpoint_dtype": normalize_dtype(next(iter(by_dtype))) if by_dtype and len(by_dtype) == 1 else None,
        "used_storage_bytes": _count(raw, "usedStorage", source),
        "tags": tags or None,
    }
    return {k: v for k, v in record.items() if v is not None}
