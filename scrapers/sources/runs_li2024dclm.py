"""Li et al. 2024, "DataComp-LM: In search of the next generation of training sets for language
models" (arXiv 2406.11794), experiment records released in GitHub mlfoundations/dclm (exp_data/).

The release holds three kinds of JSON: exp_data/datasets/tokenized/<dataset>.json (what a corpus
is), exp_data/models/<run>.json (`dataset_name`, `uuid` and `hyperparameters`: model config,
params N, tokens D, lr, wd, warmup, cooldown, batch, z-loss, seed) and exp_data/evals/<eval>.json
(`model_uuid` and the scores). An eval is joined to its model by `model_uuid` = model `uuid`.

What is measured at several scales with one recipe. The competition scales' recipes
(training/configs/*.json) fix architecture, N, D and hyperparameters per scale; a corpus is then
one arm. Four comparisons have both arms at the same scales with the same hyperparameters:
  * DCLM-Baseline (DCLM-Pool, resiliparse extraction, RefinedWeb-style heuristics, deduplication,
    fastText OH-2.5 + ELI5 classifier keeping the top 10%; dataset
    rw_v2_cc_v3_f0.15_resiliparse_fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_0.1)
    against RefinedWeb as Falcon released it (`rw_original`): 400M-1x, 1B-1x, 1B-5x, 7B-1x.
    Innovation `model-based-quality-filtering`; the arms also differ in extraction, crawl
    snapshots and deduplication (said in every row).
  * the same fastText filter against its own input, the RefinedWeb reproduction on DCLM-Pool
    without the classifier (`rw_v2_w_substr_resiliparse` at 1B-1x,
    `rw_v2_w_substr_cc_v3_f0.15_resiliparse_try3_100_nodes` at 7B-1x; no 400M-1x run is
    released): the filter alone, at two scales.
  * RefinedWeb against C4 (`web-filtering-dedup`) and RedPajama against C4
    (`multi-source-data-mix`), the corpora and innovations of runs_gadre2024.py, here at larger
    scales: 400M-1x, 1B-1x, 1B-5x (RefinedWeb only), 7B-1x.
The 7B-1x cell is the one with lr 3e-4, wd 0.33: it is the only 7B-1x setting where DCLM-Baseline
and RefinedWeb share every hyperparameter (at lr 2e-3, wd 0.05, the DCLM-Baseline run used z-loss
1e-4 and the others 5e-6). 1B and 7B runs name the model `open_lm_1b` / `open_lm_7b` (open_lm's
built-in config) or `open_lm_*_swiglutorch.json` (the same widths, depth and parameter count, the
SwiGLU written in torch); both count as one architecture, said in the note. Seeds may differ between
arms (one seed per run: no seed noise estimate).

Which number. The release has no held-out loss that both arms are scored on at three scales:
`eval_metrics.perplexity` (a loss on open_lm's own validation shard, whose contents the release
does not describe; runs_gadre2024 does not use it either) and the per-task losses are missing for
every 7B-1x run of RefinedWeb, C4 and RedPajama. So the score is Core, the release's average of
22 low-variance tasks, each centred on its random-guess accuracy (higher is better): the `Core`
key, equal to `Core_v2` (baselines fixed in September 2025, README "Updates to centered CORE");
the paper's numbers are `Core_v1`, given in the note. These are comparisons on a BENCHMARK basis,
written as ablation rows (`ablations:`; metric "core (centred accuracy)", lower_is_better false),
never as run points: the CEG engine turns no accuracy into a compute-equivalent gain. No
`series:` parity records are written (catalog/parity.py keeps them for run series); what each
comparison holds equal and what differs is in each row's `setting` and `note`.

Compute is 6 N D with the release's own N (`hyperparameters.params`, embeddings included) and D
(`hyperparameters.tokens`), computed here. The release README's training table ("| 400M-1x| 412M |
8.2B | 2.0e19", "| 7B-1x | 6.9B | 138B | 5.7e21") agrees; it gives 2.4e20 for 1B-1x where 6 N D is
2.49e20.

Checked against the authors' own table: the release README's 7B row "DCLM-BASELINE | 7B | 0.14T |
✓ | 44.1 | 42.0" (Core v1, v2) is the DCLM-Baseline run with lr 1e-3, wd 0.1 (Core_v1 0.4407,
Core_v2 0.4204 here), a tuned recipe that no RefinedWeb run shares, so it is not a cell of a series.
"""

from __future__ import annotations

import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.parsers import load_json
from scrapers.sources.runs_common import Release

SOURCE = "li2024dclmrepo"
DCLM = "rw_v2_cc_v3_f0.15_resiliparse_fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_0.1"
RW_REPRODUCTION = ("rw_v2_w_substr_resiliparse", "rw_v2_w_substr_cc_v3_f0.15_resiliparse_try3_100_nodes")
NAMES = {"rw_original": "RefinedWeb (Falcon release)", "c4_original": "C4", "rpj_original": "RedPajama",
         DCLM: "DCLM-Baseline (fastText OH-2.5 + ELI5, top 10%)",
         RW_REPRODUCTION[0]: "DCLM's RefinedWeb reproduction without the fastText filter",
         RW_REPRODUCTION[1]: "DCLM's RefinedWeb reproduction without the fastText filter"}


class Comparison:
    def __init__(self, slug, innovation, baseline, treatment, differs, confidence, caveat=""):
        self.slug, self.innovation = slug, innovation
        self.baseline, self.treatment = tuple(baseline), tuple(treatment)
        self.differs, self.confidence, self.caveat = differs, confidence, caveat


COMPARISONS = (
    Comparison("dclm-baseline-vs-refinedweb", "model-based-quality-filtering", ["rw_original"], [DCLM],
               "the corpus: DCLM-Baseline (DCLM-Pool text extracted with resiliparse, RefinedWeb-style heuristic "
               "filters, deduplication, then the fastText OH-2.5 + ELI5 classifier keeping the top 10%) against "
               "Falcon's RefinedWeb (trafilatura extraction, heuristic filters, fuzzy and exact deduplication, no "
               "model-based filter); extraction, crawl snapshots and deduplication differ as well as the classifier",
               "medium", "the arms differ in more than the classifier (extraction, snapshots, deduplication); the "
               "filter-only comparison is series li2024dclm-fasttext-vs-rw-reproduction-core"),
    Comparison("fasttext-vs-rw-reproduction", "model-based-quality-filtering", RW_REPRODUCTION, [DCLM],
               "the corpus: the fastText OH-2.5 + ELI5 top-10% filter applied or not to DCLM's RefinedWeb "
               "reproduction on DCLM-Pool (resiliparse extraction, heuristic filters, deduplication)",
               "medium", "the 1B-1x baseline (rw_v2_w_substr_resiliparse) has no dataset record in the release, so "
               "that it is the classifier's exact input pool is read from its name only"),
    Comparison("refinedweb-vs-c4", "web-filtering-dedup", ["c4_original"], ["rw_original"],
               "the corpus: Falcon's RefinedWeb against C4", "high"),
    Comparison("redpajama-vs-c4", "multi-source-data-mix", ["c4_original"], ["rpj_original"],
               "the corpus: RedPajama (LLaMA-style mixture of CommonCrawl, C4, GitHub, books, arXiv, Wikipedia, "
               "StackExchange) against C4", "high"),
)

# The competition recipes (training/configs/*.json) at the scales where both arms of a comparison
# were run; 7B-1x is the lr 3e-4 setting (see the module docstring).
SCALES = {
    "400M-1x": {"family": "d=1024_l=24_h=8", "tokens": 8232325120, "lr": 0.003, "wd": 0.033, "warmup": 2000,
                "global_bs": 512},
    "1B-1x": {"family": "open_lm_1b", "tokens": 28795904000, "lr": 0.003, "wd": 0.033, "warmup": 5000,
              "global_bs": 256},
    "1B-5x": {"family": "open_lm_1b", "tokens": 143979520000, "lr": 0.003, "wd": 0.033, "warmup": 5000,
              "global_bs": 256},
    "7B-1x": {"family": "open_lm_7b", "tokens": 137788211200, "lr": 0.0003, "wd": 0.33, "warmup": 5000,
              "global_bs": 2048},
}
SCALE_NOTES = {
    "1B-5x": "1B-5x is not a competition scale of the final benchmark (replaced by 3B-1x); the RefinedWeb and C4 "
             "runs at it are older records (no seed recorded, fewer open_lm arguments logged)",
    "7B-1x": "7B-1x here is the lr 3e-4, wd 0.33 setting, not the lr 2e-3 of training/configs (where the "
             "DCLM-Baseline run used another z-loss than RefinedWeb's)",
}
# The release README's training table, the row of each competition scale (compute as the authors
# state it; 1B-5x is not in it).
README_ROWS = {
    "400M-1x": "| 400M-1x| 412M             | 8.2B         | 2.0e19      |",
    "1B-1x": "| 1B-1x  | 1.4B             | 28B          | 2.4e20      |",
    "7B-1x": "| 7B-1x  | 6.9B             | 138B         | 5.7e21      |",
}
# Held equal between the arms of a cell besides the recipe keys above (checked; a cell that differs
# is left out and listed by skipped_cells()).
SAME = ("params", "cd", "qk_norm", "z_loss")
METRIC = "core (centred accuracy, v2)"
DATASETS = tuple(sorted({d for c in COMPARISONS for d in c.baseline + c.treatment}))
_PATH = re.compile(r"^exp_data/(?:models/(?P<model>.+)|evals/evaluation_(?P<eval>.+))\.json$")


def _wanted(path: str) -> bool:
    match = _PATH.match(path)
    name = match and (match["model"] or match["eval"])
    return bool(name) and any(name.startswith(f"{d}-") for d in DATASETS)


RELEASE = Release(
    slug="li2024dclm",
    repo="mlfoundations/dclm",
    commit="361714bdd60bb9b7f4b2d8354cebbf0dec0c329e",
    retrieved_on="2025-09-08",  # the commit date
    wanted=_wanted,
    description="DataComp-LM: corpora compared at 400M-1x to 7B-1x with the competition recipes, Core score "
                "(a benchmark basis, not losses)",
)


def _load(path: str, data: bytes) -> dict:
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise ParseError(path, None, "expected a JSON object")
    return doc


def _model(path: str, doc: dict) -> dict:
    hyper = doc.get("hyperparameters")
    if not isinstance(hyper, dict) or not isinstance(doc.get("uuid"), str):
        raise ParseError(path, "hyperparameters", "a model record needs uuid and hyperparameters")
    for key in ("params", "tokens", "lr", "wd", "warmup", "global_bs"):
        if not isinstance(hyper.get(key), (int, float)) or hyper[key] < 0:
            raise ParseError(path, f"hyperparameters.{key}", f"expected a number, got {hyper.get(key)!r}")
    config = str(hyper.get("model", "")).rsplit("/", 1)[-1].removesuffix(".json")
    return {"path": path, "uuid": doc["uuid"], "dataset": doc.get("dataset_name"), "config": config,
            "family": config.removesuffix("_swiglutorch"), "hyper": hyper, "seed": hyper.get("seed")}


def _score(path: str, doc: dict) -> float:
    core, v2 = doc.get("Core"), doc.get("Core_v2", doc.get("Core"))
    if not isinstance(core, (int, float)) or not -0.5 < core < 1:
        raise ParseError(path, "Core", f"expected a centred accuracy in (-0.5, 1), got {core!r}")
    if core != v2:
        raise ParseError(path, "Core", f"Core {core} is not Core_v2 {v2}: the release changed what Core means")
    return float(core)


def _v1(path: str, doc: dict) -> float:
    value = doc.get("Core_v1")
    if not isinstance(value, (int, float)):
        raise ParseError(path, "Core_v1", f"expected the paper-basis Core score, got {value!r}")
    return float(value)


def _cells(files: Mapping[str, bytes]) -> dict[tuple[str, str], list[tuple[dict, str, dict]]]:
    """(dataset, scale) -> [(model, eval path, eval document)] for runs on a competition recipe."""
    models, evals = {}, []
    for path, data in sorted(files.items()):
        match = _PATH.match(path)
        if not match:
            continue
        doc = _load(path, data)
        if match["model"]:
            model = _model(path, doc)
            models[model["uuid"]] = model
        else:
            evals.append((path, doc))
    cells: dict[tuple[str, str], list] = {}
    for path, doc in evals:
        model = models.get(doc.get("model_uuid"))
        if model is None:
            continue  # an eval of a model whose record the release does not hold
        h = model["hyper"]
        for scale, recipe in SCALES.items():
            if model["family"] == recipe["family"] and all(h.get(k) == v for k, v in recipe.items() if k != "family"):
                cells.setdefault((model["dataset"], scale), []).append((model, path, doc))
    return cells


def _one(cells, names, scale) -> tuple[dict, str, dict] | None:
    found = [c for name in names for c in cells.get((name, scale), [])]
    if len(found) > 1:
        paths = ", ".join(p for _, p, _ in found)
        raise ParseError(found[1][1], "model_uuid", f"two evaluations match the {scale} recipe: {paths}")
    return found[0] if found else None


def _pairs(files: Mapping[str, bytes]) -> tuple[list[tuple[Comparison, str, tuple, tuple]], list[str]]:
    cells = _cells(files)
    pairs, skipped = [], []
    for comparison in COMPARISONS:
        for scale in SCALES:
            base, treat = _one(cells, comparison.baseline, scale), _one(cells, comparison.treatment, scale)
            if base is None or treat is None:
                continue
            hb, ht = base[0]["hyper"], treat[0]["hyper"]
            differing = [k for k in SAME if hb.get(k) != ht.get(k)]
            if differing:
                what = ", ".join(f"{k} {hb.get(k)} vs {ht.get(k)}" for k in differing)
                skipped.append(f"{comparison.slug} {scale}: {what}")
                continue
            pairs.append((comparison, scale, base, treat))
    return pairs, skipped


def skipped_cells(files: Mapping[str, bytes]) -> list[str]:
    """Cells where both arms were run at a scale's recipe but differ in a held-equal key."""
    return _pairs(files)[1]


def parse(files: Mapping[str, bytes]) -> list[dict]:
    """No loss-vs-compute points: the release's multi-scale comparisons are Core scores (see ablations())."""
    return []


def series_records(rows: list[dict]) -> list[dict]:
    return []


def ablations(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    if not any(_PATH.match(p) for p in files):
        raise ParseError("exp_data", None, "no model or evaluation records")
    pairs, _ = _pairs(files)
    rows = []
    for comparison, scale, (bm, bpath, bdoc), (tm, tpath, tdoc) in pairs:
        n, d = tm["hyper"]["params"], tm["hyper"]["tokens"]
        seed = {m["path"]: "not recorded" if m["seed"] is None else m["seed"] for m in (bm, tm)}
        seeds = (f"seed {seed[tm['path']]}" if bm["seed"] == tm["seed"]
                 else f"seeds {seed[bm['path']]} (baseline) and {seed[tm['path']]} (treatment)")
        configs = sorted({bm["config"], tm["config"]})
        arch = (f"model {configs[0]}" if len(configs) == 1 else
                f"models {configs[0]} and {configs[1]} (same widths, depth and parameter count; open_lm's "
                "default SwiGLU vs one written in torch)")
        h = tm["hyper"]
        rows.append({
            "innovation": comparison.innovation, "source": SOURCE, "evidence": "primary",
            "confidence": comparison.confidence, "series": f"li2024dclm-{comparison.slug}-core",
            "locator": f"{repo}@{commit}:{bpath} and {tpath}, Core (= Core_v2); models joined by model_uuid: "
                       f"{bm['path']} and {tm['path']}, hyperparameters",
            "setting": f"DCLM {scale}: {NAMES[bm['dataset']]} (baseline) against {NAMES[tm['dataset']]} (treatment); "
                       f"held equal: {arch}, N = {n:,}, D = {d:,} tokens, lr {h['lr']:g}, wd {h['wd']:g}, warmup "
                       f"{h['warmup']}, batch {h['global_bs']}, z-loss {h.get('z_loss'):g}, GPT-NeoX tokenizer, the "
                       f"same 22 Core tasks; differs: {comparison.differs}",
            "parameters": n, "tokens": d, "compute_flop": 6 * n * d,
            "metric": METRIC, "lower_is_better": False,
            "baseline_value": _score(bpath, bdoc), "treatment_value": _score(tpath, tdoc), "seeds": 1,
            **({"quote": README_ROWS[scale]} if scale in README_ROWS else {}),
            "note": f"benchmark basis (Core: 22 tasks, accuracy centred on chance, v2 baselines), not a loss; paper "
                    f"basis Core_v1 {_v1(bpath, bdoc):.4f} vs {_v1(tpath, tdoc):.4f}; "
                    f"one run per arm ({seeds}); compute 6ND from the release's N and D, computed here"
                    + (f" (the quote is the README.md training table's row for {scale})" if scale in README_ROWS
                       else "")
                    + (f"; {SCALE_NOTES[scale]}" if scale in SCALE_NOTES else "")
                    + (f"; {comparison.caveat}" if comparison.caveat else ""),
        })
    if not rows:
        raise ParseError("exp_data/evals", None, "no comparison has both arms on a competition recipe")
    return rows
