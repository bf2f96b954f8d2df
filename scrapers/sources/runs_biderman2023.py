"""Biderman et al. 2023, "Pythia: A Suite for Analyzing Large Language Models Across Training and
Scaling" (arXiv 2304.01373), evaluations released in GitHub EleutherAI/pythia (evals/pythia-v1/).

Eight model sizes (70M to 12B) trained twice on the same token stream in the same order: on the
Pile ("standard") and on the deduplicated Pile ("deduped", 207B tokens, so about 1.5 epochs); every
model saw 299,892,736,000 tokens (README). The release gives zero-shot benchmark scores of the
final checkpoint (evals/pythia-v1/pythia-<size>[-deduped]/zero-shot/<size>[-deduped]_step143000.json;
the standard 1B is pythia-1b-bf16, trained in bf16 as the README says), not validation losses.

So these are comparisons on a BENCHMARK basis, kept apart from loss: written as ablation rows
(`ablations:` section; metric "accuracy", higher is better), one series per task, baseline = the
standard Pile model, treatment = the deduplicated one (innovation `data-deduplication`). The CEG
engine does not turn accuracies into compute-equivalent gains; they are shown beside the loss-based
evidence. LAMBADA perplexity, although loss-like, is a benchmark score too and is left out here so
that no benchmark number enters a loss fit. No run points are written.

Parameters are the README's nominal sizes (70M ... 12B); compute_flop = 6 x nominal N x
299,892,736,000 tokens, computed here (the nominal sizes round the exact counts).
"""

from __future__ import annotations

import json
import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release

SOURCE = "biderman2023pythiarepo"
TOKENS = 299_892_736_000
SIZES = {"70m": 70e6, "160m": 160e6, "410m": 410e6, "1b": 1.0e9, "1.4b": 1.4e9, "2.8b": 2.8e9, "6.9b": 6.9e9,
         "12b": 12e9}
STANDARD_FOLDER = {"1b": "1b-bf16"}  # the standard 1B run was trained in bf16 (README)
TASKS = ("lambada_openai", "piqa", "arc_easy", "arc_challenge", "winogrande", "sciq")
PATH = re.compile(r"^evals/pythia-v1/pythia-(?P<folder>[0-9.]+[mb](?:-deduped|-bf16)?)/zero-shot/"
                  r"(?P=folder)_step143000\.json$")

RELEASE = Release(
    slug="biderman2023",
    repo="EleutherAI/pythia",
    commit="a19eecb807ec2c79a39ebf18108816e6ffffc1d5",
    retrieved_on="2025-11-15",  # the commit date
    wanted=lambda path: bool(PATH.match(path)),
    description="Pythia standard vs deduplicated Pile, 70M-12B, final-checkpoint zero-shot accuracies "
                "(a benchmark basis, not losses)",
)


def _scores(path: str, data: bytes) -> dict[str, float]:
    try:
        results = json.loads(data)["results"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(path, None, f"not an evaluation result file: {exc}") from None
    scores = {}
    for task in TASKS:
        value = (results.get(task) or {}).get("acc")
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ParseError(path, f"results.{task}.acc", f"expected an accuracy in [0, 1], got {value!r}")
        scores[task] = float(value)
    return scores


def parse(files: Mapping[str, bytes]) -> list[dict]:
    """No loss-vs-compute points: the release has benchmark scores only (see ablations())."""
    return []


def series_records(rows: list[dict]) -> list[dict]:
    return []


def ablations(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    found = {}
    for path, data in files.items():
        match = PATH.match(path)
        if match:
            found[match["folder"]] = (path, _scores(path, data))
    rows = []
    for size, parameters in SIZES.items():
        standard, deduped = STANDARD_FOLDER.get(size, size), f"{size}-deduped"
        if standard not in found or deduped not in found:
            raise ParseError(f"evals/pythia-v1/pythia-{size}", None, "standard or deduplicated final evaluation missing")
        (base_path, base), (treat_path, treat) = found[standard], found[deduped]
        for task in TASKS:
            rows.append({
                "innovation": "data-deduplication", "source": SOURCE, "evidence": "primary", "confidence": "high",
                "series": f"biderman2023-pythia-dedup-{task.replace('_', '-')}",
                "locator": f"{repo}@{commit}:{base_path} and {treat_path}, results.{task}.acc",
                "setting": f"Pythia {size} on the Pile against the same model on the deduplicated Pile (about 1.5 "
                           f"epochs of 207B tokens), both 299,892,736,000 tokens in the same order; zero-shot {task}",
                "parameters": parameters, "tokens": TOKENS, "compute_flop": 6 * parameters * TOKENS,
                "metric": "accuracy", "lower_is_better": False,
                "baseline_value": base[task], "treatment_value": treat[task],
                "note": f"benchmark basis (zero-shot {task} accuracy of the final checkpoint, step 143000), not a "
                        f"loss; nominal size {size}; compute 6ND computed here",
            })
    return rows
