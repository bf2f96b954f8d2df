"""Sanderson et al. 2025 (arXiv 2505.04075), code release GitHub jcksanderson/llm-algorithmic-progress.

How the paper computes a scale's gain (results.ipynb, compact_ceg() and full_ceg(), at this
commit): the validation-loss curves (one evaluation every 500 iterations, 101 evaluations per run)
are smoothed with an 8-point trailing moving average; the target is the BASELINE's final smoothed
loss; CEG = evaluations the baseline needs to first reach the target / evaluations the treatment
needs ("Primary CEG ... steps only"). A treatment that never reaches it ("DNR") gets the "Aux CEG":
the target is then the treatment's own best loss, baseline evaluations to reach it / treatment
evaluations to it. Steps count the same FLOP in both arms here (same configuration, only feature
flags differ), so the ratio is each arm's own compute to the same loss. The saved outputs give:
compact RoPE 1.870, LayerNorm 1.836, FlashAttention 1.063, sparse attention 0.515 (aux), MQA
0.673 (aux); full RoPE 1.350, LayerNorm 1.421, FlashAttention 1.000, sparse attention 0.964, MQA 0.931.

What becomes run points: a CEG fixes two points on the loss-vs-compute plane at the target loss,
the baseline's and the treatment's compute to reach it. At the COMPACT scale both are known from
the output: the baseline's final smoothed loss is also its minimum (3.7996 printed both ways), so
it first reaches its target at its last evaluation (index 100, iteration 50,000); a primary
treatment reaches it after 101/CEG evaluations (rounded to the integer that reprints the CEG); an
aux treatment reaches its best at its last evaluation (printed "(101 steps)") and the baseline
after CEG*101. Each innovation gets its own pair of points in series sanderson2025-nanogpt-compact,
at compute 6*N*(tokens per iteration)*(500*evaluation index): real iterations, so the ratio
differs from the notebook's evaluation count (index+1) by at most 1% (RoPE 100/53 = 1.887 against
1.870). At the FULL scale the baseline's smoothed loss bottoms out (3.5428) and rises to its final
3.6527, so it first reaches the target before its last evaluation, at a step the output does not
give: no points can be placed. The full-scale gains stay the reported values in
datasets/ablations/part1.yaml (basis steps, and basis flop with the per-step conversion stated).

An earlier version of this importer paired each run's MINIMUM smoothed loss with the full run's
compute; for sparse attention at the full scale that gave a CEG of 2.76 against the paper's 0.964
(the baseline's minimum is mid-run, the sparse run's at its end).

Compute is not stated: 6*N*D from the configs with N = 12*n_layer*n_embd^2 + vocab_size*n_embd
(nanoGPT's count without position embeddings, biases and norm gains; vocab_size from model.py), the
same N for every arm (MQA's smaller key/value projections, about 5% of N at the compact scale, are
not counted, as the paper counts steps). Tokens per iteration = batch_size *
gradient_accumulation_steps * block_size. The combined run (flash_attn + rope + layer_norm) is a
bundle, not one innovation, and is left out.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, parity

NOTEBOOK = "results.ipynb"
CONFIGS = {"compact": "config/compact/train_gpt2_compact.py", "full": "config/full/train_gpt2.py"}
MODEL = "model.py"
SOURCE = "sanderson2025llmprogressrepo"
SERIES = "sanderson2025-nanogpt-compact"
LOSS_ON = ("OpenWebText validation split (GPT-2 tokenizer), 8-point moving average of the evaluations "
           "(the notebook's smoothing); the loss at which both arms are compared")
BASELINE_ARM = "no_features"
INNOVATIONS = {"rope": "rope", "layer_norm": "layernorm", "flash_attn": "flash-attention",
               "mqa": "multi-query-attention", "sparse_attn": "sparse-attention"}
CONFIG_KEYS = ("n_layer", "n_embd", "block_size", "batch_size", "gradient_accumulation_steps", "max_iters",
               "eval_interval")

RELEASE = Release(
    slug="sanderson2025",
    repo="jcksanderson/llm-algorithmic-progress",
    commit="d5c98814319d241e63df05030b6962e12e840205",
    retrieved_on="2025-05-23",  # the commit date
    wanted=lambda path: path in (NOTEBOOK, MODEL, *CONFIGS.values()),
    description="Sanderson et al. 2025 nanoGPT, compact scale: each arm's compute to the notebook's target loss "
                "(results.ipynb compact_ceg() output; compute 6ND from the config)",
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


ALGO = re.compile(r"^(\S.*?):\s*$")
PRIMARY = re.compile(r"^\s+Primary CEG \(target ([0-9.]+), steps only\): ([0-9.]+)\s*$")
DNR = re.compile(r"^\s+Primary Target \(([0-9.]+)\): DNR\. Algo's best loss: ([0-9.]+) \((\d+) steps\)\.\s*$")
AUX = re.compile(r"^\s+Aux CEG \(target ([0-9.]+), steps only\): ([0-9.]+)\s*$")
CALLS = {"compact": "compact_ceg(", "full": "full_ceg("}


def _ceg_outputs(data: bytes) -> dict[str, dict[str, dict]]:
    """scale -> run name -> {kind: primary|aux, target, ceg, best_steps, cell} from the saved outputs."""
    try:
        cells = json.loads(data)["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(NOTEBOOK, None, f"not a Jupyter notebook: {exc}") from None
    found: dict[str, dict[str, dict]] = {}
    for index, cell in enumerate(cells):
        source = "".join(cell.get("source", [])).strip()
        scale = next((k for k, call in CALLS.items() if source.startswith(call)), None)
        if scale is None or cell.get("cell_type") != "code":
            continue
        text = "".join("".join(o.get("text", [])) for o in cell.get("outputs", []))
        runs: dict[str, dict] = {}
        name = None
        for line_number, line in enumerate(text.splitlines(), start=1):
            if (m := ALGO.match(line)):
                name = m[1]
                runs[name] = {"cell": index}
            elif name is None:
                continue
            elif (m := PRIMARY.match(line)):
                runs[name].update(kind="primary", target=float(m[1]), ceg=float(m[2]))
            elif (m := DNR.match(line)):
                runs[name].update(best=float(m[2]), best_steps=int(m[3]))
            elif (m := AUX.match(line)):
                runs[name].update(kind="aux", target=float(m[1]), ceg=float(m[2]))
            elif line.strip():
                raise ParseError(NOTEBOOK, f"cell {index} output, line {line_number}", f"unexpected line {line!r}")
        found[scale] = runs
    if "compact" not in found:
        raise ParseError(NOTEBOOK, None, "no saved output of compact_ceg(...) found")
    return found


def _evaluations(ceg: float, evaluations: int, *, treatment: bool, where: str) -> int:
    """The integer evaluation count that reprints the notebook's 3-decimal CEG; ParseError otherwise."""
    guess = round(evaluations / ceg) if treatment else round(ceg * evaluations)
    for n in (guess, guess - 1, guess + 1):
        ratio = evaluations / n if treatment else n / evaluations
        if n > 0 and f"{ratio:.3f}" == f"{ceg:.3f}":
            return n
    raise ParseError(NOTEBOOK, where, f"no whole number of evaluations gives CEG {ceg:.3f}")


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    for path in RELEASE.paths:
        if path not in files:
            raise ParseError(path, None, "missing from the inputs")
    vocab = _vocab_size(files[MODEL])
    outputs = _ceg_outputs(files[NOTEBOOK])["compact"]
    config_path = CONFIGS["compact"]
    config = _config(files[config_path], config_path)
    layers, width = config["n_layer"], config["n_embd"]
    parameters = 12 * layers * width**2 + vocab * width
    per_iteration = config["batch_size"] * config["gradient_accumulation_steps"] * config["block_size"]
    interval = config["eval_interval"]
    last = config["max_iters"] // interval  # index of the last evaluation (0 = before training)
    evaluations = last + 1                   # what the notebook counts as "steps"
    if BASELINE_ARM not in outputs:
        raise ParseError(NOTEBOOK, f"compact - {BASELINE_ARM}", "baseline missing from the CEG output")
    rows = []
    for run, innovation in INNOVATIONS.items():
        out = outputs.get(run)
        if out is None:
            continue
        where = f"cell {out['cell']} output, '{run}'"
        if out.get("kind") == "primary":
            target = out["target"]
            base_index = last
            treat_index = _evaluations(out["ceg"], evaluations, treatment=True, where=where) - 1
            how = (f"primary CEG {out['ceg']:.3f}: target {target} = the baseline's final smoothed loss, reached by "
                   f"the baseline at its last evaluation and by the treatment at evaluation {treat_index + 1} of "
                   f"{evaluations}")
        elif out.get("kind") == "aux" and out.get("best_steps") == evaluations:
            target = out["target"]
            treat_index = last
            base_index = _evaluations(out["ceg"], evaluations, treatment=False, where=where) - 1
            how = (f"aux CEG {out['ceg']:.3f} (the treatment never reaches the baseline's final loss): target "
                   f"{target} = the treatment's best smoothed loss, at its last evaluation; the baseline reaches it "
                   f"at evaluation {base_index + 1} of {evaluations}")
        else:
            raise ParseError(NOTEBOOK, where, "neither a primary CEG nor an aux CEG reached at the last evaluation")
        for arm, index in (("baseline", base_index), ("treatment", treat_index)):
            iterations = index * interval
            tokens = iterations * per_iteration
            rows.append({
                "innovation": innovation, "arm": arm, "series": SERIES,
                "parameters": parameters, "tokens": tokens, "compute_flop": 6 * parameters * tokens,
                "compute_method": "6ND", "loss": target, "loss_on": LOSS_ON, "source": SOURCE,
                "evidence": "primary",
                "locator": f"{repo}@{commit}:{NOTEBOOK}, {where} of compact_ceg(); N and D from {config_path}",
                "note": (f"compact scale ({layers}L, d{width}), {'no_features' if arm == 'baseline' else run} run at "
                         f"iteration {iterations} of {config['max_iters']} (evaluation index {index}); {how}; compute "
                         f"6ND with N = 12*L*d^2 + V*d = {parameters} for every arm"),
            })
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    """Every arm runs the same configuration; only the feature flags of config/compact/test_*.py differ."""
    return [parity(SERIES, SOURCE, arms="nanoGPT with learned positions, no per-block LayerNorm and plain attention "
                                        "(baseline) vs the same with one feature switched on (treatment), compact "
                                        "scale (6 layers, width 384), compared at the loss of the notebook's target",
                   locator=f"{RELEASE.repo}@{RELEASE.commit}:{CONFIGS['compact']} and "
                                           "config/compact/test_*.py (which import it and set only feature flags)",
                   differs={
                       "tokens_per_parameter": "the arms are compared at the iteration each first reaches the target "
                                               "loss, so at one model size a compute gain is a token gain; the model "
                                               "size, batch and run length (50,000 iterations) are the same in every arm",
                   },
                   held_equal={
                       "data": "OpenWebText (data/openwebtext/prepare.py) in every arm",
                       "tokenizer": "GPT-2 BPE (tiktoken gpt2, vocab padded to 50,304) in every arm",
                       "schedule": "cosine decay to iteration 50,000 with 1,000 warmup iterations, learning rate 6e-4 "
                                   "to 6e-5, in every arm",
                       "tuning_budget": "no per-arm tuning: every arm uses the base config's hyperparameters",
                       "loss": "OpenWebText validation loss, 8-point moving average, in every arm",
                   },
                   note="Intermediate evaluations of cosine-to-the-end runs, as the paper uses them.")]
