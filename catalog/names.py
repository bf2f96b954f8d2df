"""Name keys for matching one model (or chip) that arrives from several places.

"Llama 3.1-405B", "Llama-3.1-405B" and "llama-3.1-405b" are one model; "GPT-3 175B (davinci)"
is Epoch's name for the curated `gpt-3-175b`. Keys drop case, accents, spaces and punctuation;
a trailing parenthesis is tried as a second key, never as the only one.
"""

from __future__ import annotations

import re
import unicodedata

_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


# Greek letters are spelled out, not dropped: PanGu-alpha and PanGu-Sigma are two models, and
# dropping the letter gave both the key "pangu".
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "θ": "theta", "λ": "lambda",
          "μ": "mu", "π": "pi", "σ": "sigma", "Σ": "sigma", "ω": "omega", "Ω": "omega"}


def name_key(name: str) -> str:
    spelled = "".join(_GREEK.get(ch, ch) for ch in str(name))
    ascii_name = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", ascii_name.lower())


def name_keys(*names: str | None, strip_parenthesis: bool = True) -> list[str]:
    """Every key a thing may be matched by, most specific first, without duplicates or blanks.

    A model already in the catalog registers its full names only (`strip_parenthesis=False`):
    "GPT-2 (1.5B)" must not claim everything called "GPT-2". An entry being matched tries its
    name without the parenthesis too ("GPT-3 175B (davinci)" finds `gpt-3-175b`).
    """
    keys: list[str] = []
    for name in names:
        if not name:
            continue
        for variant in ((name, _PAREN.sub("", name)) if strip_parenthesis else (name,)):
            key = name_key(variant)
            if key and key not in keys:
                keys.append(key)
    return keys


def hf_key(repo: str | None) -> str | None:
    """Hub repository ids are case-insensitive on the Hub: meta-llama/Llama-3.1-8B."""
    if not repo:
        return None
    repo = str(repo).strip().strip("/")
    if repo.startswith("https://huggingface.co/"):
        repo = repo[len("https://huggingface.co/"):]
    return repo.lower() or None


# Format and quantisation suffixes of re-uploaded weights: "Qwen3-235B-A22B-FP8" and
# "nvidia/Qwen3-235B-A22B-NVFP4" are Qwen3-235B-A22B's weights in another number format, and
# "codellama/CodeLlama-7b-hf" is Code Llama 7B converted to the Transformers layout. None of them
# is a second trained model (docs/generated-layer.md, "Checkpoints"). Read from the end of a name,
# one suffix at a time ("DeepSeek-V4-Flash-NVFP4-FP8" has two); each word stands after a separator.
FORMAT_SUFFIX = re.compile(
    r"[-_. ](?P<format>hf|fp8[-_]dynamic|fp8|nvfp4|mxfp4|fp4|awq|gptq|gguf|mlx|exl2|onnx|"
    r"bnb[-_][48]bit|[2-8][-_]?bits?|int4|int8|w4a16|w8a8|w8a16|w4a4|fp16|bf16|fp32)$", re.IGNORECASE)


def split_format(name: str) -> tuple[str, list[str]]:
    """(the name without format suffixes, the suffixes in reading order, lower case).

    "DeepSeek-V4-Flash-NVFP4-FP8" -> ("DeepSeek-V4-Flash", ["nvfp4", "fp8"]); a name with no
    suffix comes back whole with []. A suffix is never the whole name ("GGUF" stays "GGUF").
    """
    formats: list[str] = []
    stem = str(name)
    while (match := FORMAT_SUFFIX.search(stem)) and match.start() > 0:
        formats.insert(0, match.group("format").lower().replace("_", "-"))
        stem = stem[: match.start()]
    return stem, formats
