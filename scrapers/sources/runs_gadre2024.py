"""Gadre et al. 2024, "Language models scale reliably with over-training and on downstream tasks"
(arXiv 2403.08540), results released in GitHub mlfoundations/scaling (exp_data/models/*.json).

The testbed: 104 open_lm models, the same architectures and hyperparameters trained on three
corpora: C4 (`c4_original`), RedPajama (`rpj`) and RefinedWeb (`rw_original`); sizes d=96 (11M),
d=512 (79M), d=576 (154M), d=1024 (412M) at token multipliers M = 0.25..32 (M x 20 tokens per
parameter), plus open_lm_1b (1.4B) and open_lm_7b (6.9B) at a few multipliers. Each JSON gives
`hyperparameters.params` (N), `hyperparameters.tokens` (D), `hyperparameters.chinchilla_multiplier`
(M) and `results`: the final checkpoint's loss on eight validation sets. Compute is the authors'
own 6*N*D (scaling/shared.py, parse_model_json: flops = 6 * N * D), compute_method 6ND.

What is compared: the corpus. Baseline = C4; treatments = RefinedWeb (innovation
`web-filtering-dedup`: RefinedWeb's filtering and deduplication of CommonCrawl against C4's
heuristics) and RedPajama (`multi-source-data-mix`: the LLaMA-style mixture of CommonCrawl, C4,
GitHub, books, arXiv, Wikipedia and StackExchange). Every (size, M) cell has the same
hyperparameters in all three corpora (learning rate, warmup, weight decay, cooldown, batch,
qk-norm, z-loss: checked here, a cell that differs is an error) and one tokenizer (every model is
scored on the same pre-tokenized validation shards, eval_data/val_tok_mult/*).

Which loss: the corpus decides which validation set it looks good on (every arm is best on its
own corpus's split), so only sets that neither arm trains on are used, each as its own series:
  * Penn Treebank (Paloma split, `paloma_ptb`): no corpus trains on it; 90k tokens;
  * the third corpus's Paloma split: RedPajama's (`paloma_redpajama`) for RefinedWeb vs C4, and
    RefinedWeb's (`paloma_falcon-refinedweb`) for RedPajama vs C4. RedPajama includes a C4 slice,
    so its split favours the C4 arm somewhat (said in the series note).
C4's own sets, the programming-languages split (RedPajama has code) and the OpenLM set (its
contents are not described in the release) are not used.

Series: one per (treatment, M, validation set), sizes as the sweep: gadre2024-<corpus>-vs-c4-m<M>-<set>.
Cells that are missing for either arm (C4 has no d=1024 M=32 run; open_lm_1b/7b exist at few M)
are left out, and a series needs both arms at two or more sizes.
"""

from __future__ import annotations

import json
import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, parity, positive

FOLDER = "exp_data/models"
SOURCE = "gadre2024scalingrepo"
BASELINE = "c4_original"
TREATMENTS = {"rw_original": ("web-filtering-dedup", "rw"), "rpj": ("multi-source-data-mix", "rpj")}
CORPUS_NAMES = {"c4_original": "C4", "rw_original": "RefinedWeb", "rpj": "RedPajama"}
# validation set per comparison: (key in results[].val_data, short name, description)
PTB = ("paloma_ptb", "ptb", "Penn Treebank, Paloma split (final checkpoint)")
VALSETS = {
    "rw_original": (PTB, ("paloma_redpajama", "rpj-split",
                          "RedPajama, Paloma split (final checkpoint); it includes C4 documents")),
    "rpj": (PTB, ("paloma_falcon-refinedweb", "rw-split",
                  "RefinedWeb, Paloma split (final checkpoint)")),
}
SAME = ("warmup", "lr", "wd", "cd", "global_bs", "qk_norm", "z_loss", "model")
NAME = re.compile(r"^(?P<corpus>c4_original|rpj|rw_original)-(?P<model>.+)-(?P<mult>[0-9.]+)$")

RELEASE = Release(
    slug="gadre2024",
    repo="mlfoundations/scaling",
    commit="a003c4913793ac2ae7ef87b28ecb562955d026d5",
    retrieved_on="2024-04-01",  # the commit date
    wanted=lambda path: path.startswith(f"{FOLDER}/") and path.endswith(".json"),
    description="Gadre et al. 2024 open_lm testbed: C4 vs RefinedWeb and RedPajama at equal size, tokens and "
                "hyperparameters, final losses on validation sets neither arm trains on",
)


def _run(path: str, data: bytes) -> dict:
    try:
        doc = json.loads(data)
        hyper = doc["hyperparameters"]
        name = doc["name"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(path, None, f"not a model result file: {exc}") from None
    match = NAME.match(name)
    if not match:
        raise ParseError(path, "name", f"unexpected run name {name!r}")
    losses = {}
    for i, result in enumerate(doc.get("results") or []):
        try:
            losses[result["val_data"][0]] = float(result["loss"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise ParseError(path, f"results[{i}]", "needs val_data and loss") from None
    for key in ("params", "tokens", "chinchilla_multiplier"):
        positive(hyper.get(key), path, f"hyperparameters.{key}")
    return {"path": path, "corpus": match["corpus"], "model": match["model"],
            "mult": float(hyper["chinchilla_multiplier"]), "params": hyper["params"], "tokens": hyper["tokens"],
            "same": {k: hyper.get(k) for k in SAME}, "losses": losses}


def _loss(run: dict, key: str) -> tuple[float, str]:
    found = [(loss, val) for val, loss in run["losses"].items() if f"/{key}/" in val]
    if len(found) != 1:
        raise ParseError(run["path"], "results", f"expected one {key} loss, found {len(found)}")
    return found[0]


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    runs = [_run(path, data) for path, data in sorted(files.items()) if RELEASE.wanted(path)]
    if not runs:
        raise ParseError(FOLDER, None, "no model result files")
    cells = {(r["corpus"], r["model"], r["mult"]): r for r in runs}
    rows = []
    for corpus, (innovation, short) in TREATMENTS.items():
        for mult in sorted({r["mult"] for r in runs}):
            pairs = [(cells[(BASELINE, m, mult)], cells[(corpus, m, mult)]) for (c, m, x) in sorted(cells)
                     if c == corpus and x == mult and (BASELINE, m, mult) in cells]
            if len(pairs) < 2:
                continue
            for base, treat in pairs:
                if base["same"] != treat["same"] or base["params"] != treat["params"] or base["tokens"] != treat["tokens"]:
                    raise ParseError(treat["path"], "hyperparameters",
                                     f"differs from {base['path']} beyond the corpus: {treat['same']} vs {base['same']}")
            for key, set_name, loss_on in VALSETS[corpus]:
                series = f"gadre2024-{short}-vs-c4-m{mult:g}-{set_name}"
                for base, treat in pairs:
                    for arm, run in (("baseline", base), ("treatment", treat)):
                        loss, val = _loss(run, key)
                        rows.append({
                            "innovation": innovation, "arm": arm, "series": series,
                            "parameters": run["params"], "tokens": run["tokens"],
                            "compute_flop": 6 * run["params"] * run["tokens"], "compute_method": "6ND",
                            "loss": loss, "loss_on": loss_on, "source": SOURCE, "evidence": "primary",
                            "locator": f"{repo}@{commit}:{run['path']}, results (val_data {val}), "
                                       "hyperparameters.params, tokens",
                            "note": f"{CORPUS_NAMES[run['corpus']]}, {run['model']}, token multiplier {mult:g} "
                                    f"({mult * 20:g} tokens per parameter); final checkpoint; compute 6ND as the "
                                    "authors' scaling/shared.py",
                        })
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    """Both arms of a cell share everything but the corpus (checked in parse)."""
    records = []
    for series in sorted({row["series"] for row in rows}):
        treat = "RefinedWeb" if "-rw-" in series else "RedPajama"
        split = next(r["loss_on"] for r in rows if r["series"] == series)
        mult = re.search(r"-m([0-9.]+)-", series)[1]
        records.append(parity(
            series, SOURCE, arms=f"open_lm models trained on C4 (baseline) vs on {treat} (treatment), same sizes at "
                                 f"{float(mult) * 20:g} tokens per parameter",
            locator=f"{RELEASE.repo}@{RELEASE.commit}:{FOLDER}/*.json, hyperparameters",
            held_equal={
                "tokens_per_parameter": "the same model sizes and the same token multiplier (same parameters and "
                                        "tokens per cell) in both arms",
                "tokenizer": "one tokenizer for both arms: every model is scored on the same pre-tokenized "
                             "validation shards (eval_data/val_tok_mult/*)",
                "schedule": "the same warmup, cooldown and batch per cell in both arms (hyperparameters checked equal)",
                "tuning_budget": "the same learning rate and weight decay per cell in both arms, no per-corpus tuning",
                "loss": f"{split}, for both arms",
            },
            differs={"data": f"the corpus is the innovation: {treat} against C4"},
            note="Validation sets of either arm's own corpus are not used: each arm is best on its own corpus."
                 + (" RedPajama contains a C4 slice, so this split leans towards the C4 arm."
                    if "rpj-split" in series else "")))
    return records
