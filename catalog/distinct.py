"""datasets/distinct.yaml: rows that are different trained models although their names match.

The build folds the generated layer into one row per trained model by name (catalog/generated.py):
the same normalised name, or a re-upload's name with its format suffix dropped ("Qwen3-32B-FP8" is
a checkpoint of Qwen3-32B). When two rows really are different models, this reviewed file says so,
with the reason; curated model files keep their own `distinct_from`. A name here that matches no
row is an error, so a stale entry does not linger unseen.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from catalog.datasets import Problems, _line, _load, _text, _unknown_keys, text_list

KEYS = {"models", "why"}


def read_distinct(root: Path, problems: Problems) -> list[tuple[frozenset, str]]:
    """(pair of model ids or "<source>/<id>" refs, "file:line") for every pair an entry names."""
    path = root / "distinct.yaml"
    if not path.exists():
        return []
    rel = path.relative_to(root.parent) if path.is_absolute() else path
    pairs = []
    for entry in _load(path, problems, list) or []:
        if not isinstance(entry, dict):
            problems.add(rel, getattr(entry, "line", 0), "distinct", "expected {models: [...], why: ...}")
            continue
        _unknown_keys(entry, KEYS, rel, problems)
        models = text_list(entry, "models", rel, problems)
        _text(entry, "why", rel, problems, required=True)
        if len(set(models)) < 2:
            problems.add(rel, _line(entry, "models"), "models", "name at least two different models")
            continue
        where = f"{rel}:{_line(entry, 'models')}"
        pairs.extend((frozenset(pair), where) for pair in combinations(sorted(set(models)), 2))
    return pairs


def check_used(pairs: list[tuple[frozenset, str]], known: set[str], problems: Problems) -> None:
    """Every name in the file must be a model id or a generated entry the build read."""
    for pair, where in pairs:
        path, _, line = where.rpartition(":")
        for name in sorted(pair - known):
            problems.add(path, int(line), "models", f"{name!r} matches no model or generated entry")
