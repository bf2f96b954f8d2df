"""Pure parsers: bytes (or text) in, plain records out. No network, no database.

Each module reads one kind of published document and names its output keys like cegdb's claim
fields (`catalog.fields.MODEL_FIELDS`), adding parser-specific keys where a source says more.
Anything a parser cannot read raises `scrapers.errors.ParseError` naming the input and the
field; no other exception escapes.

| kind (`cegdb parse`) | module | reads |
| --- | --- | --- |
| hf-config | hf_config | Hugging Face `config.json` -> architecture and parameter counts |
| hf-api | hf_api | Hugging Face `/api/models/{id}` JSON -> repository facts |
| model-card | model_card | model card markdown (tables, prose, YAML front matter) -> quoted claims |
| arxiv-atom | arxiv | arXiv API Atom feed -> paper records |
| s2-paper | s2 | Semantic Scholar Graph API paper JSON -> citation counts, ids |
| epoch-csv | epoch | Epoch AI models CSV -> one record per model |
"""

from __future__ import annotations

import json

from scrapers.errors import ParseError


def load_json(data: bytes | str, source: str | None) -> object:
    """JSON text to Python, with a ParseError that names the input for anything unreadable."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, (bytes, bytearray)) else data
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ParseError(source, None, f"not valid JSON: {exc}") from exc


def decode_text(data: bytes | str, source: str | None) -> str:
    if isinstance(data, str):
        return data
    if not isinstance(data, (bytes, bytearray)):
        raise ParseError(source, None, f"expected bytes or text, got {type(data).__name__}")
    # Cards and CSVs are UTF-8; a stray byte should not cost the whole document.
    return bytes(data).decode("utf-8-sig", errors="replace")


# One spelling for checkpoint dtypes: config.json says "bfloat16", the Hub API "BF16", the
# catalog's training_precision "bf16".
_DTYPES = {"bfloat16": "bf16", "bf16": "bf16", "float16": "fp16", "f16": "fp16", "fp16": "fp16", "half": "fp16",
           "float32": "fp32", "f32": "fp32", "fp32": "fp32", "float": "fp32", "float64": "fp64", "f64": "fp64",
           "f8_e4m3": "fp8_e4m3", "float8_e4m3fn": "fp8_e4m3", "f8_e5m2": "fp8_e5m2", "i8": "int8", "int8": "int8",
           "u8": "uint8", "i32": "int32", "i64": "int64"}


def normalize_dtype(name: str) -> str:
    return _DTYPES.get(name.strip().lower(), name.strip().lower())
