"""Clark et al. 2022, "Unified Scaling Laws for Routed Language Models" (arXiv 2202.01169): per-run
validation losses of dense and routed transformers, as copied in GitHub linhaowei1/SLD
(data/moe_scaling_law/data.csv; the SLD authors' copy of the paper's run data, not a release by
Clark et al., hence evidence `secondary`).

The CSV has one row per (run, evaluation step): hyper_id, step, loss_validation (and other eval
sets), num_experts, router_type (Dense, S-Base, RL-R, Hash), k, flop_increase, seed,
routing_frequency, total_parameter_count, dense_parameter_count, flops_per_step, model_size_label.

Rules:
- One point per run: its last evaluation step with a validation loss (249,000 for nearly all runs); loss = loss_validation
  there; compute_flop = flops_per_step x that step (compute_method "flops_per_step x steps").
- The paper's main sweep only: k = 1, flop_increase = 1, routing_frequency = 0.5 (every other
  layer routed), seed 42. The 130M dense model has no seed-42 run (seeds 1, 2, 3): the lowest seed
  is kept. Runs with other k, routing frequencies or seeds are left out.
- Each router x expert count (2..512) is one series (clark2022-<router>-e<experts>); its baseline
  points are the six dense models (15M..1.3B), repeated in every series so that each comparison
  carries both arms. S-Base (Sinkhorn-balanced BASE routing) is recorded as `sparse-moe`, RL-R as
  `rl-routing`, Hash as `hash-routing`.
"""

from __future__ import annotations

import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, number, parity, read_csv

PATH = "data/moe_scaling_law/data.csv"
SOURCE = "clark2022unified"
LOSS_ON = "validation set of the training corpus (column loss_validation)"
COLUMNS = ("hyper_id", "step", "loss_validation", "num_experts", "router_type", "k", "flop_increase", "seed",
           "routing_frequency", "total_parameter_count", "dense_parameter_count", "flops_per_step",
           "model_size_label")
INNOVATIONS = {"S-Base": "sparse-moe", "RL-R": "rl-routing", "Hash": "hash-routing"}
MAIN_SEED = 42

RELEASE = Release(
    slug="clark2022",
    repo="linhaowei1/SLD",
    commit="bf7e8e332a1de86805373d565d460ebd1edfbf87",
    retrieved_on="2025-08-09",  # the commit date
    wanted=lambda path: path == PATH,
    description="Clark et al. 2022 routed-LM scaling runs (dense vs S-Base / RL-R / Hash, 15M-1.3B, 1-512 experts), "
                "copied in linhaowei1/SLD",
    paths=(PATH,),
)


def _last_points(data: bytes, name: str) -> dict[int, dict]:
    """hyper_id -> the run's settings and its last evaluation row."""
    runs: dict[int, dict] = {}
    for i, row in enumerate(read_csv(data, name, COLUMNS), start=2):
        hyper = int(number(row, "hyper_id", name, i, positive=False))
        step = number(row, "step", name, i, positive=False)
        if hyper in runs and step <= runs[hyper]["step"]:
            continue
        if not (row["loss_validation"] or "").strip():
            continue  # 8 rows at step 248,000 have no losses; the run's step-249,000 row has them
        router = row["router_type"].strip()
        if router != "Dense" and router not in INNOVATIONS:
            raise ParseError(name, f"row {i}, column router_type", f"unknown router {router!r}")
        runs[hyper] = {
            "row": i, "step": step, "router": router, "label": row["model_size_label"].strip(),
            "experts": int(number(row, "num_experts", name, i)),
            "k": number(row, "k", name, i), "flop_increase": number(row, "flop_increase", name, i),
            "seed": int(number(row, "seed", name, i, positive=False)),
            "routing_frequency": number(row, "routing_frequency", name, i),
            "loss": number(row, "loss_validation", name, i),
            "flops_per_step": number(row, "flops_per_step", name, i),
            "parameters": number(row, "total_parameter_count", name, i),
            "dense_parameters": number(row, "dense_parameter_count", name, i),
        }
    return runs


def _main_sweep(runs: dict[int, dict]) -> dict[tuple[str, int, str], tuple[int, dict]]:
    """(router, experts, size label) -> (hyper_id, run) for the main sweep, one run per cell."""
    cells: dict[tuple[str, int, str], list[tuple[int, int, dict]]] = {}
    for hyper, run in runs.items():
        if run["k"] != 1 or run["flop_increase"] != 1 or run["routing_frequency"] != 0.5 or run["step"] <= 0:
            continue
        seed_rank = 0 if run["seed"] == MAIN_SEED else 1
        cells.setdefault((run["router"], run["experts"], run["label"]), []).append((seed_rank, run["seed"], hyper))
    chosen = {}
    for cell, candidates in cells.items():
        _, _, hyper = min(candidates)
        if min(candidates)[0] == 1 and cell[0] != "Dense":
            continue  # routed runs of other seeds are replicates outside the main sweep
        chosen[cell] = (hyper, runs[hyper])
    return chosen


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    if PATH not in files:
        raise ParseError(PATH, None, "missing from the inputs")
    chosen = _main_sweep(_last_points(files[PATH], PATH))
    dense = sorted(((run["dense_parameters"], hyper, run) for (router, _, _), (hyper, run) in chosen.items()
                    if router == "Dense"), key=lambda t: t[0])
    rows = []

    def row(innovation: str, series: str, arm: str, hyper: int, run: dict) -> dict:
        seed_note = "" if run["seed"] == MAIN_SEED else f"; seed {run['seed']} (no seed-{MAIN_SEED} run of this size)"
        return {
            "innovation": innovation, "arm": arm, "series": series,
            "parameters": run["parameters"], "compute_flop": run["flops_per_step"] * run["step"],
            "compute_method": "flops_per_step x steps", "loss": run["loss"], "loss_on": LOSS_ON,
            "source": SOURCE, "evidence": "secondary",
            "locator": f"{repo}@{commit}:{PATH}, row {run['row']} (hyper_id {hyper}, step {run['step']:.0f}), "
                       "columns loss_validation, flops_per_step",
            "note": f"{run['router']} {run['label']}, {run['experts']} expert(s), dense-equivalent parameters "
                    f"{run['dense_parameters']:.0f}; last evaluation of the run{seed_note}",
        }

    for (router, experts, _), (hyper, run) in sorted(chosen.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                     kv[1][1]["dense_parameters"])):
        if router == "Dense":
            continue
        innovation = INNOVATIONS[router]
        series = f"clark2022-{router.lower()}-e{experts}"
        rows.append(row(innovation, series, "treatment", hyper, run))
    for series, innovation in sorted({(r["series"], r["innovation"]) for r in rows}):
        for _, hyper, run in dense:
            rows.append(row(innovation, series, "baseline", hyper, run))
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    """Recipe parity of each router x experts series, from what the CSV itself shows.

    Every run of the main sweep ends at step 249,000 (the last evaluation kept), and a routed model's
    flops_per_step is within 2.1% of the dense model of the same size (e.g. 1.3B: 1.7591e15 dense,
    1.7723e15 with 512 Hash experts): the same tokens per step and steps, so the same tokens per
    active parameter. The copy has no column for the corpus, tokenizer, learning-rate schedule or
    tuning, so those are not stated here (the paper's text was not read for them)."""
    names = {"s-base": "Sinkhorn-BASE", "rl-r": "RL-R", "hash": "Hash"}

    def arms(series: str) -> str:
        router, experts = re.match(r"clark2022-(.+)-e(\d+)$", series).groups()
        return (f"dense transformers 15M-1.3B (baseline) vs the same sizes with {names[router]} routing over "
                f"{experts} experts in every other layer (treatment), all trained the same number of steps")

    return [parity(series, SOURCE, arms=arms(series),
                   locator=f"{RELEASE.repo}@{RELEASE.commit}:{PATH}, columns step, flops_per_step, "
                           "total_parameter_count, dense_parameter_count, loss_validation",
                   held_equal={
                       "loss": "column loss_validation for both arms (the validation set of the training corpus)",
                       "schedule": "the same number of steps in both arms (last evaluation at step 249,000 for "
                                   "nearly every run); the learning-rate schedule is not in the copy",
                   },
                   differs={
                       "tokens_per_parameter": "per total parameter the routed arm trains on far fewer tokens: experts "
                                               "add parameters at about the same FLOP per step (flops_per_step within "
                                               "2.1% of the dense model of the same size), which is what routing is; per "
                                               "active (dense-equivalent) parameter both arms match (same dense sizes, "
                                               "same steps, same FLOP per step)",
                   },
                   note="Runs copied by the SLD authors, not released by Clark et al. (evidence secondary).")
            for series in sorted({row["series"] for row in rows})]
