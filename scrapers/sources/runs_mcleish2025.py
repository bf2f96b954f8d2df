"""McLeish et al. 2025, "Gemstones: A Model Suite for Multi-Faceted Scaling Laws" (arXiv 2502.06857),
run data in GitHub mcleish7/gemstone-scaling-laws: wandb_dfs/wandb_df_for_fitting_hot.jsonl and
wandb_dfs/wandb_df_for_fitting_cool_end.jsonl.

What a file is. JSON lines, one per (model, checkpoint), written by the repository's
wandb_data_extraction.py from the W&B logs: run_name (PyGemma-<width>x<depth>_pretrain),
params_active_precise (N), width, depth, step, tokens (= step x 2048 sequences x 2048 tokens) and
final_loss, which is the run's logged `val_loss` at that step (the code's own comment: "final val
loss"), on a held-out Dolma split that does not overlap the training data (the model cards).
  * hot: the main runs, checkpoints every 2385 steps (about 10B tokens) up to 100B tokens, with a
    learning rate held constant after warmup, so every checkpoint is a finished constant-rate run.
  * cool_end: from each of those checkpoints, the learning rate linearly decreased to 0 over 10% of
    the tokens trained so far (the model cards: "linearly decreased to 0 over 10% of the current
    training tokens"); the point is the end of that cooldown (steps 2622 ... 26223, 11B-110B tokens).
    Its compute counts the cooldown's tokens: 6 N D with D the tokens at the end of the cooldown.

What is compared: cooldown against no cooldown (innovation `lr-cooldown`), one series with every
model that both files have (22 shapes trained, 20 cooled: 512x11 and 512x14 were not, so they are
left out of both arms); the engine takes each arm's lower envelope over all shapes and
checkpoints, and since N and D vary separately it fits L(N, D) per arm. Compute is 6 N D with the
authors' params_active_precise (compute_method 6ND).
"""

from __future__ import annotations

import json
import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, parity, positive

SOURCE = "mcleish2025gemstonesrepo"
HOT = "wandb_dfs/wandb_df_for_fitting_hot.jsonl"
COOL = "wandb_dfs/wandb_df_for_fitting_cool_end.jsonl"
SERIES = "mcleish2025-constant-vs-cooldown"
INNOVATION = "lr-cooldown"
LOSS_ON = "Dolma held-out validation loss (W&B val_loss) at the checkpoint"
TOKENS_PER_STEP = 2048 * 2048
NAME = re.compile(r"^PyGemma-(\d+)x(\d+)_pretrain$")

RELEASE = Release(
    slug="mcleish2025",
    repo="mcleish7/gemstone-scaling-laws",
    commit="5f420478f6057b0cbb4d13405fb10ca64675bccb",
    retrieved_on="2025-09-28",  # the commit date; both files last changed 2025-02-07 (1fb97a2)
    wanted=lambda path: path in (HOT, COOL),
    description="Gemstones (48M-2B parameters, 22 width/depth shapes): constant learning rate against a 10% linear "
                "cooldown, validation loss every 10B tokens to 100B",
    paths=(HOT, COOL),
)


def _records(path: str, data: bytes) -> list[dict]:
    out = []
    for line_number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ParseError(path, f"line {line_number}", f"not JSON: {exc}") from None
        for key in ("params_active_precise", "tokens", "step", "final_loss"):
            positive(record.get(key), path, f"line {line_number}, {key}")
        match = NAME.match(str(record.get("run_name")))
        if not match or (int(match[1]), int(match[2])) != (record.get("width"), record.get("depth")):
            raise ParseError(path, f"line {line_number}, run_name", f"unexpected run name {record.get('run_name')!r} "
                                                                    f"for width {record.get('width')}, depth {record.get('depth')}")
        if record["tokens"] != record["step"] * TOKENS_PER_STEP:
            raise ParseError(path, f"line {line_number}, tokens", f"{record['tokens']} is not step x 2048 x 2048")
        out.append({**record, "line": line_number})
    if not out:
        raise ParseError(path, None, "no records")
    return out


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit,
          skipped: list[str] | None = None) -> list[dict]:
    arms = {}
    for arm, path in (("baseline", HOT), ("treatment", COOL)):
        if path not in files:
            raise ParseError(path, None, f"a file of release {RELEASE.slug} is missing")
        arms[arm] = _records(path, files[path])
    shared = {r["run_name"] for r in arms["baseline"]} & {r["run_name"] for r in arms["treatment"]}
    rows = []
    for arm, path in (("baseline", HOT), ("treatment", COOL)):
        for record in arms[arm]:
            if record["run_name"] not in shared:
                if skipped is not None:
                    skipped.append(f"{path} line {record['line']}: {record['run_name']} is not in both files")
                continue
            n, d = float(record["params_active_precise"]), float(record["tokens"])
            what = ("constant learning rate" if arm == "baseline"
                    else "after a linear cooldown to 0 over the last 10% of the tokens")
            rows.append({
                "innovation": INNOVATION, "arm": arm, "series": SERIES, "parameters": n, "tokens": d,
                "compute_flop": 6 * n * d, "compute_method": "6ND", "loss": float(record["final_loss"]),
                "loss_on": LOSS_ON, "source": SOURCE, "evidence": "primary",
                "locator": f"{repo}@{commit}:{path}, line {record['line']} ({record['run_name']}, step {record['step']}), "
                           "final_loss, params_active_precise, tokens",
                "note": f"Gemstone {record['width']}x{record['depth']}, {d / 1e9:.1f}B tokens, {what}",
            })
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    return [parity(
        SERIES, SOURCE,
        arms="the same 20 Gemstone models: checkpoints at a constant learning rate (baseline) against the same "
             "checkpoints cooled down for 10% more tokens (treatment)",
        locator=f"{RELEASE.repo}@{RELEASE.commit}:wandb_data_extraction.py (hot and cool_end selections)",
        held_equal={
            "data": "Dolma, the same training stream (each cooldown continues its constant-rate checkpoint)",
            "tokenizer": "the same (one model suite)",
            "tuning_budget": "the same peak learning rate and batch (2048 x 2048 tokens) per model in both arms",
            "loss": LOSS_ON + ", for both arms",
            "tokens_per_parameter": "the same models at checkpoints every ~10B tokens; the cooldown adds 10% tokens, "
                                    "which its compute counts",
        },
        differs={"schedule": "the innovation: a linear decay of the learning rate to 0 over the last 10% of tokens, "
                             "against keeping it constant"},
        note="Two shapes trained but never cooled (512x11, 512x14) are left out of both arms.")]
