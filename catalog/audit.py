"""A data audit in one command: draw curated claims at random and print what a reviewer checks.

    cegdb audit --sample 15 --seed 7

For each drawn claim: the entity and field, the value with its unit, method / confidence /
evidence, the source's title and URL, the locator, the quote (or why there is none), the note and
the file and line it was curated in. The reviewer opens the URL, goes to the locator and reads the
quote against the value. `--coverage` prints the quote coverage and the number of values the loader
computed from `derived_from`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from catalog.datasets import (Problems, Refs, iter_model_documents, read_claims, read_hardware, read_innovations,
                              read_model, read_organizations, read_sources)
from catalog.fields import FIELDS_BY_ENTITY


@dataclass
class Curated:
    claims: list[dict]
    sources: dict[str, dict]
    problems: Problems
    shared_runs: dict[str, str] = field(default_factory=dict)  # model -> same_pretraining_as


def read_curated(root: Path) -> Curated:
    """Every curated claim of datasets/ (hardware and models), read as the build reads them."""
    problems, refs = Problems(), Refs()
    read_sources(root, problems, refs)
    read_organizations(root, problems, refs)
    read_innovations(root, problems, refs)
    _, claims = read_hardware(root, problems, refs)
    shared = {}
    for path, document in iter_model_documents(root, problems):
        entry = read_model(path, document, problems, refs)
        if entry is not None:
            claims.extend(entry.claims)
            if entry.same_pretraining_as:
                shared[entry.row["id"]] = entry.same_pretraining_as
    return Curated(claims, refs.sources, problems, shared)


def read_generated(root: Path, origin: str = "import:") -> Curated:
    """Every model claim of the generated layer whose file's origin starts with `origin`
    (`import:epoch`, `scraper:hf`, or `import:` for all imports), read as the build reads them;
    each claim's `origin_ref` is the generated file and line, the entity its entry id."""
    from catalog import generated

    problems, refs = Problems(), Refs()
    read_sources(root, problems, refs)
    read_organizations(root, problems, refs)
    read_innovations(root, problems, refs)
    hardware, _ = read_hardware(root, problems, refs)
    files = generated.read_files(root, problems)
    generated.read_sources(files, problems, refs)
    generated.read_organizations(files, problems, refs)
    generated.read_hardware(files, problems, refs, hardware)
    claims = []
    for gen in files:
        if not gen.origin.startswith(origin):
            continue
        for entry in gen.section("models", problems):
            if isinstance(entry.get("id"), str):
                claims.extend(read_claims("model", entry["id"], entry.get("claims"), gen.path, problems, refs,
                                          getattr(entry, "line", 0), []))
    return Curated(claims, refs.sources, problems)


def unlinked_shared_runs(curated: Curated) -> list[tuple[str, str]]:
    """Model pairs that state the same GPU-hours and the same training tokens but are not linked by
    `same_pretraining_as`: most likely one run that aggregates would count twice."""
    numbers: dict[str, dict[str, set[float]]] = {}
    for claim in curated.claims:
        if claim["entity_type"] == "model" and claim["field"] in ("gpu_hours", "training_tokens") \
                and claim["rank"] != "deprecated" and claim["value_num"]:
            numbers.setdefault(claim["entity_id"], {}).setdefault(claim["field"], set()).add(claim["value_num"])
    def run_of(model: str) -> str:
        return curated.shared_runs.get(model, model)
    models = sorted(m for m, fields in numbers.items() if len(fields) == 2)
    return [(a, b) for i, a in enumerate(models) for b in models[i + 1:]
            if run_of(a) != run_of(b)
            and numbers[a]["gpu_hours"] & numbers[b]["gpu_hours"]
            and numbers[a]["training_tokens"] & numbers[b]["training_tokens"]]


def numeric(claims: list[dict]) -> list[dict]:
    """Curated numeric claims (booleans such as tied_embeddings are labels, not numbers)."""
    return [c for c in claims if c["value_num"] is not None
            and FIELDS_BY_ENTITY[c["entity_type"]][c["field"]].kind == "num"]


@dataclass(frozen=True)
class Coverage:
    numeric: int
    quoted: int
    quote_absent: int
    computed: int

    @property
    def covered(self) -> float:
        return (self.quoted + self.quote_absent) / self.numeric if self.numeric else 1.0

    def __str__(self) -> str:
        return (f"{self.numeric} curated numeric claims: {self.quoted} quoted, {self.quote_absent} with "
                f"quote_absent, {self.numeric - self.quoted - self.quote_absent} with neither "
                f"({self.covered:.1%} covered); {self.computed} computed by the loader from derived_from")


def coverage(claims: list[dict]) -> Coverage:
    nums = numeric(claims)
    return Coverage(numeric=len(nums), quoted=sum(1 for c in nums if c.get("quote")),
                    quote_absent=sum(1 for c in nums if not c.get("quote") and c.get("quote_absent")),
                    computed=sum(1 for c in nums if (c.get("note") or "").startswith("computed by cegdb:")))


def sample(claims: list[dict], size: int, seed: int) -> list[dict]:
    """`size` numeric claims drawn without replacement; the same seed draws the same claims."""
    nums = sorted(numeric(claims), key=lambda c: c["origin_ref"] + c["field"])
    return random.Random(seed).sample(nums, min(size, len(nums)))


def describe(claim: dict, sources: dict[str, dict]) -> str:
    source = sources.get(claim["source_id"], {})
    value = f"{claim['value_num']:.10g}" + (f" {claim['unit']}" if claim.get("unit") else "")
    if claim.get("lower") is not None or claim.get("upper") is not None:
        value += f" (bounds {claim.get('lower')!s} .. {claim.get('upper')!s})"
    lines = [
        f"{claim['entity_type']} {claim['entity_id']} · {claim['field']} = {value}",
        f"  method {claim['method']}, confidence {claim['confidence']}, evidence {claim['evidence']}, "
        f"rank {claim['rank']}",
        f"  source   {claim['source_id']}: {source.get('title', '?')}",
        f"  url      {source.get('url', '?')}",
        f"  locator  {claim.get('locator') or '-'}",
        f"  quote    {claim['quote']!r}" if claim.get("quote")
        else f"  no quote {claim.get('quote_absent') or '(neither quote nor quote_absent given)'}",
    ]
    if claim.get("note"):
        lines.append(f"  note     {claim['note']}")
    lines.append(f"  {'curated ' if claim.get('origin', 'curated') == 'curated' and 'imported/' not in claim['origin_ref'] and 'scraped/' not in claim['origin_ref'] else 'file    '} {claim['origin_ref']}")
    return "\n".join(lines)
