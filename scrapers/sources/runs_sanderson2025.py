"""Sanderson et al. 2025 (arXiv 2505.04075), code release GitHub jcksanderson/llm-algorithmic-progress.

The per-step validation-loss CSVs the notebook reads (out/*_val_loss.csv) are not in the
repository; what is there is the saved output of results.ipynb: the minimum validation loss of
every run at the two scales ("--- Minimum Validation Losses for Compact Models ---" then lines
"  compact - rope - val/loss: 3.7253"). Those are the losses kept here, one point per run.

Compute is not stated: it is derived as 6·N·D from the configs (compute_method 6ND), with
  N = 12·n_layer·n_embd² + vocab_size·n_embd  (transformer blocks + tied token embedding; nanoGPT's
      count without position embeddings, biases and norm gains; vocab_size from model.py),
  D = max_iters · batch_size · gradient_accumulation_steps · block_size,
the same N and D for every arm at a scale (MQA's smaller key/value projections are not counted).
The notebook's 101 evaluation points per run (every 500 of 50,000 iterations) show that runs
reached max_iters. Compact: config/compact/train_gpt2_compact.py; full: config/full/train_gpt2.py.

Caveat kept on the rows: before printing, the notebook adds the per-step |LayerNorm - baseline|
loss difference to the FULL-scale RoPE and MQA curves (cell "key_rope_val ... += differences_val"),
although their configs have use_layer_norm = False. Those two points are therefore not raw run
losses: evidence `unverified`. The FLOP-matched baseline is `no_features` (learned absolute
positions, no per-block LayerNorm). The combined run (flash_attn + rope + layer_norm) is a bundle,
not one innovation, and is left out.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release

NOTEBOOK = "results.ipynb"
CONFIGS = {"compact": "config/compact/train_gpt2_compact.py", "full": "config/full/train_gpt2.py"}
MODEL = "model.py"
SOURCE = "sanderson2025llmprogressrepo"
SERIES = "sanderson2025-nanogpt"
LOSS_ON = "OpenWebText validation split (GPT-2 tokenizer); minimum over the run's evaluations"
BASELINE_ARM = "no_features"
INNOVATIONS = {"rope": "rope", "layer_norm": "layernorm", "flash_attn": "flash-attention",
               "mqa": "multi-query-attention", "sparse_attn": "sparse-attention"}
ADJUSTED = {("full", "rope"), ("full", "mqa")}  # curves shifted by the notebook before its minima
CONFIG_KEYS = ("n_layer", "n_embd", "block_size", "batch_size", "gradient_accumulation_steps", "max_iters")
HEADING = re.compile(r"--- Minimum Validation Losses for (\w+) Models ---")
LINE = re.compile(r"^\s*(\w+) - (.+?) - val/loss: ([0-9.]+)\s*$")

RELEASE = Release(
    slug="sanderson2025",
    repo="jcksanderson/llm-algorithmic-progress",
    commit="d5c98814319d241e63df05030b6962e12e840205",
    retrieved_on="2025-05-23",  # the commit date
    wanted=lambda path: path in (NOTEBOOK, MODEL, *CONFIGS.values()),
    description="Sanderson et al. 2025 nanoGPT runs at two scales (minimum validation losses saved in results.ipynb; "
                "compute 6ND from the configs)",
    paths=(NOTEBOOK, MODEL, *CONFIGS.values()),
)


def _config(data: bytes, name: str) -> dict[str, int]:
    try:
        tree = ast.parse(data.decode("utf-8"), filename=name)
    except (SyntaxError, UnicodeDecodeError) as exc:
        raise ParseError(name, None, f"not a Python config: {exc}") from None
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, (int, float)):
                values[node.targets[0].id] = node.value.value
    missing = [k for k in CONFIG_KEYS if k not in values]
    if missing:
        raise ParseError(name, ", ".join(missing), "config value(s) missing")
    return values


def _vocab_size(data: bytes) -> int:
    match = re.search(rb"vocab_size: int = (\d+)", data)
    if not match:
        raise ParseError(MODEL, "vocab_size", "GPTConfig default not found")
    return int(match[1])


def _minimum_losses(data: bytes) -> dict[tuple[str, str], tuple[float, int]]:
    """(scale, run name) -> (minimum validation loss, cell index) from the notebook's saved output."""
    try:
        cells = json.loads(data)["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(NOTEBOOK, None, f"not a Jupyter notebook: {exc}") from None
    found: dict[tuple[str, str], tuple[float, int]] = {}
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", []))
            if not HEADING.search(text):
                continue
            scale = None
            for line_number, line in enumerate(text.splitlines(), start=1):
                heading = HEADING.search(line)
                if heading:
                    scale = heading[1].lower()
                    continue
                match = LINE.match(line)
                if match and scale is not None:
                    if match[1] != scale:
                        raise ParseError(NOTEBOOK, f"cell {index}, output line {line_number}",
                                         f"run {match[1]!r} listed under the {scale} heading")
                    found[(scale, match[2])] = (float(match[3]), index)
    if not found:
        raise ParseError(NOTEBOOK, None, "no 'Minimum Validation Losses' output found")
    return found


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    for path in RELEASE.paths:
        if path not in files:
            raise ParseError(path, None, "missing from the inputs")
    vocab = _vocab_size(files[MODEL])
    losses = _minimum_losses(files[NOTEBOOK])
    rows = []
    for scale, config_path in CONFIGS.items():
        config = _config(files[config_path], config_path)
        layers, width = config["n_layer"], config["n_embd"]
        parameters = 12 * layers * width**2 + vocab * width
        tokens = (config["max_iters"] * config["batch_size"] * config["gradient_accumulation_steps"]
                  * config["block_size"])
        if (scale, BASELINE_ARM) not in losses:
            raise ParseError(NOTEBOOK, f"{scale} - {BASELINE_ARM}", "baseline run missing from the output")
        for run, innovation in INNOVATIONS.items():
            if (scale, run) not in losses:
                continue
            for arm, name in (("baseline", BASELINE_ARM), ("treatment", run)):
                loss, cell = losses[(scale, name)]
                adjusted = (scale, name) in ADJUSTED
                rows.append({
                    "innovation": innovation, "arm": arm, "series": SERIES,
                    "parameters": parameters, "tokens": tokens, "compute_flop": 6 * parameters * tokens,
                    "compute_method": "6ND", "loss": loss, "loss_on": LOSS_ON, "source": SOURCE,
                    "evidence": "unverified" if adjusted else "primary",
                    "locator": f"{repo}@{commit}:{NOTEBOOK}, cell {cell} output, '{scale} - {name} - val/loss'; "
                               f"N and D from {config_path}",
                    "note": (f"{scale} scale ({layers}L, d{width}); minimum validation loss; compute derived "
                             f"6ND, N = 12*L*d^2 + V*d = {parameters}, D = {tokens}"
                             + ("; the notebook adds the per-step LayerNorm-minus-baseline loss difference to "
                                "this curve before taking the minimum, so this is not a raw run loss"
                                if adjusted else "")),
                })
    return rows
