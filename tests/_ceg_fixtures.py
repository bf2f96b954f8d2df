"""Run points and verdicts written by the tests, in the shape of datasets/runs/ and datasets/verdicts/.

The sweep is synthetic with a planted answer: baseline loss L(C) = E + A C^-alpha, and the
treatment reaches at C the loss the baseline reaches at 3C (a constant 3x compute-equivalent gain).
"""

from __future__ import annotations

E, A, ALPHA = 1.7, 40.0, 0.08
COMPUTE = (1e17, 3e17, 1e18, 3e18, 1e19, 3e19, 1e20)


def loss(compute: float) -> float:
    return E + A * compute ** -ALPHA


def runs_yaml(innovation: str = "rope", gain: float = 3.0, series: str = "toy-sweep",
              source: str = "toy2024paper", evidence: str = "primary") -> str:
    lines = ["# Synthetic sweep: planted constant gain", *series_yaml(series, source), "runs:"]
    for arm, factor in (("baseline", 1.0), ("treatment", gain)):
        for c in COMPUTE:
            lines.append(f"- {{innovation: {innovation}, arm: {arm}, series: {series}, compute_flop: {c:.0e}, "
                         f"compute_method: stated, loss: {loss(factor * c):.6f}, loss_on: toy validation set, "
                         f"source: {source}, locator: \"toy/repo@abc123:runs.csv\", evidence: {evidence}, "
                         f"quote: \"final validation loss\"}}")
    return "\n".join(lines) + "\n"


def series_yaml(series: str = "toy-sweep", source: str = "toy2024paper") -> list[str]:
    """The recipe-parity record of a synthetic series (catalog/parity.py): everything held equal."""
    return ["series:",
            f"  - id: {series}",
            f"    source: {source}",
            "    held_equal: {tokens_per_parameter: same grid, data: toy corpus, tokenizer: toy BPE,",
            "                 schedule: cosine to the end, tuning_budget: one sweep each, loss: toy validation set}"]


VERDICTS = """\
- innovation: rope
  source: toy2024paper
  class: compute-independent
  quote: "the gain from rotary embeddings is the same at every scale we tried"
  locator: Section 5
- innovation: moe
  source: toy2025card
  class: compute-dependent
  quote: "experts pay off only in our largest runs"
  locator: Training
"""


def ceg_overrides(**extra: str) -> dict[str, str]:
    return {"runs/toy.yaml": runs_yaml(), "verdicts/toy.yaml": VERDICTS, **extra}
