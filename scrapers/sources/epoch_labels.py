"""Method and confidence per field of an Epoch row, from what Epoch's notes say about that field.

Epoch's "Confidence" column rates its estimates of training compute, parameters and dataset size
(the quantities its notability and trend work rests on); it says nothing about the other columns.
So the row's label goes to those fields only, and every other column gets at most `medium`
(GPT-3's 10,000 GPUs and 3.552M GPU-hours are Epoch's figures, not the paper's: "Confident" on
the row is no "reported, high" on them). Within a field, the note decides:

- the figure inside a quoted passage of the note (Epoch quotes its sources in double quotes):
  `reported`, at the row's confidence;
- words of estimation ("assume", "estimate", "approximately", "speculative", "guess", ...) or the
  note's own arithmetic ("30.84M / 16k = 1927.5 hours", Llama 3.1 405B's training time):
  `estimated`, at most `medium`, and `low` where the note says speculative or guess;
- otherwise Epoch's figure as Epoch gives it: `reported`.
"""

from __future__ import annotations

import re

from scrapers.numbers import find_quantities
from scrapers.parsers.epoch_dataset import readable

# Fields Epoch's Confidence column speaks about.
ROW_CONFIDENCE_FIELDS = {"parameters", "active_parameters", "training_compute_flop", "training_tokens",
                         "training_dataset_tokens"}
ORDER = ("high", "medium", "low")
_ESTIMATE = re.compile(r"\b(assum\w*|estimat\w*|approximat\w*|roughly|about|around|guess\w*|speculat\w*|"
                       r"extrapolat\w*|probably|likely|we think|seems?|suppos\w*|infer\w*|at least|at most|"
                       r"upper bound|lower bound|imput\w*|based on)\b|~", re.I)
_GUESS = re.compile(r"\b(speculat\w*|guess\w*)\b", re.I)
_ARITHMETIC = re.compile(r"\d\s*[*/x×]\s*\d|\d\s*=\s*\d|=\s*[\d~]", re.I)
_QUOTED = re.compile(r"\"([^\"]{3,})\"|“([^”]{3,})”")


def weaker(*levels: str) -> str:
    return max(levels, key=ORDER.index)


def _in_quotes(note: str, value: float) -> bool:
    for match in _QUOTED.finditer(note):
        passage = readable(match.group(1) or match.group(2))
        for q in find_quantities(passage):
            if value and abs(q.value - value) <= 0.01 * abs(value):
                return True
    return False


def label(field: str, value: float | None, note: str | None, row_confidence: str) -> tuple[str, str, str | None]:
    """(method, confidence, why) for one field of one row; `why` is None when nothing was lowered."""
    base = row_confidence if field in ROW_CONFIDENCE_FIELDS else weaker(row_confidence, "medium")
    why = None if base == row_confidence else (
        f"Epoch's row confidence ({row_confidence}) rates its compute, parameter and dataset figures, "
        f"not this column: {base}")
    if not note:
        return "reported", base, why
    if value is not None and _in_quotes(note, value):
        return "reported", base, why
    text = readable(note)
    if _GUESS.search(text):
        return "estimated", "low", "Epoch's note calls this figure speculative or a guess"
    if _ESTIMATE.search(text) or _ARITHMETIC.search(text):
        level = weaker(base, "medium")
        return "estimated", level, "Epoch's note estimates or computes this figure" + (
            "" if level == row_confidence else f" ({level})")
    return "reported", base, why
