"""Ho et al. 2024 ("Algorithmic progress in language models", arXiv 2403.05812), code release GitHub
epoch-research/lm-algorithmic-progress, appendices.ipynb, section "CEG Chinchilla".

The notebook compares two allocations of the same compute budget under Chinchilla's fitted loss
law (Hoffmann et al. 2022, L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28): the Kaplan-optimal data
size (from Kaplan et al.'s law) and the Chinchilla-optimal one, at 24 budgets from 1e19 to 1e25
FLOP (np.geomspace). For every budget its saved output prints
  compute budget <C> / optimal data Kaplan [<D>] / loss Kaplan-scale [<L>] /
  loss Chinchilla-scale [<L>] / ... / CEG [<x>]
These are not runs: every loss is evaluated from a fitted law, so evidence is `model-implied`
(shown by the CEG engine, never the only basis of a class). Baseline arm = Kaplan allocation,
treatment = Chinchilla allocation, innovation `chinchilla-scaling`. The notebook's own CEG is kept
in the treatment row's note as a cross-check.
"""

from __future__ import annotations

import json
import re
from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, parity

NOTEBOOK = "appendices.ipynb"
SOURCE = "epoch2024lmalgoprogressrepo"
SERIES = "ho2024-kaplan-vs-chinchilla-allocation"
LOSS_ON = "Chinchilla's fitted loss law L(N, D) (Hoffmann et al. 2022, approach 3), not a measured loss"
_NUMBER = r"([0-9.]+(?:e[+-]?\d+)?)"
FIELDS = {
    "tokens_kaplan": re.compile(rf"^optimal data Kaplan \[\s*{_NUMBER}\s*\]", re.M),
    "loss_kaplan": re.compile(rf"^loss Kaplan-scale \[\s*{_NUMBER}\s*\]", re.M),
    "loss_chinchilla": re.compile(rf"^loss Chinchilla-scale \[\s*{_NUMBER}\s*\]", re.M),
    "ceg": re.compile(rf"^CEG \[\s*{_NUMBER}\s*\]", re.M),
}
BUDGET = re.compile(rf"^compute budget {_NUMBER}\s*$", re.M)
EXPECTED_BUDGETS = 24  # np.geomspace(1e19, 1e25, num=int(log2(1e6)) + 5)

RELEASE = Release(
    slug="ho2024",
    repo="epoch-research/lm-algorithmic-progress",
    commit="29c7d852b6cd19ae11bb6662e9c1e61c03b1e4a7",
    retrieved_on="2024-03-28",  # the commit date
    wanted=lambda path: path == NOTEBOOK,
    description="Ho et al. 2024 Kaplan vs Chinchilla allocation at 24 budgets, from two fitted laws (model-implied)",
    paths=(NOTEBOOK,),
)


def _ceg_output(data: bytes) -> tuple[int, str]:
    try:
        cells = json.loads(data)["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(NOTEBOOK, None, f"not a Jupyter notebook: {exc}") from None
    for index, cell in enumerate(cells):
        text = "".join("".join(o.get("text", [])) for o in cell.get("outputs", []))
        if BUDGET.search(text) and FIELDS["loss_kaplan"].search(text):
            return index, text
    raise ParseError(NOTEBOOK, None, "no cell output with 'compute budget' and 'loss Kaplan-scale' lines")


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    if NOTEBOOK not in files:
        raise ParseError(NOTEBOOK, None, "missing from the inputs")
    cell, text = _ceg_output(files[NOTEBOOK])
    starts = list(BUDGET.finditer(text))
    if len(starts) != EXPECTED_BUDGETS:
        raise ParseError(NOTEBOOK, f"cell {cell} output", f"{len(starts)} compute budgets, expected {EXPECTED_BUDGETS}")
    rows = []
    for n, start in enumerate(starts, start=1):
        block = text[start.end(): starts[n].start() if n < len(starts) else len(text)]
        values = {}
        for key, pattern in FIELDS.items():
            match = pattern.search(block)
            if not match:
                raise ParseError(NOTEBOOK, f"cell {cell} output, budget {n} ({start[1]})", f"no {key} line")
            values[key] = float(match[1])
        compute = float(start[1])
        where = f"{repo}@{commit}:{NOTEBOOK}, cell {cell} output, 'compute budget {start[1]}'"
        common = {"innovation": "chinchilla-scaling", "series": SERIES, "compute_flop": compute,
                  "compute_method": "stated", "loss_on": LOSS_ON, "source": SOURCE, "evidence": "model-implied"}
        rows.append({**common, "arm": "baseline", "tokens": values["tokens_kaplan"], "loss": values["loss_kaplan"],
                     "locator": f"{where}, lines 'optimal data Kaplan' and 'loss Kaplan-scale'",
                     "note": "Kaplan-optimal allocation evaluated with Chinchilla's fitted law (budget "
                             f"{n} of {EXPECTED_BUDGETS})"})
        rows.append({**common, "arm": "treatment", "loss": values["loss_chinchilla"],
                     "locator": f"{where}, line 'loss Chinchilla-scale'",
                     "note": f"Chinchilla-optimal allocation; the notebook's own CEG at this budget is "
                             f"{values['ceg']} (budget {n} of {EXPECTED_BUDGETS})"})
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    """The two arms are one fitted law evaluated at two allocations of the same budget."""
    return [parity(SERIES, SOURCE, locator=f"{RELEASE.repo}@{RELEASE.commit}:{NOTEBOOK}, section 'CEG Chinchilla'",
                   arms="Kaplan-optimal (baseline) vs Chinchilla-optimal (treatment) split of each budget, 1e19-1e25 "
                        "FLOP, losses from Chinchilla's fitted law",
                   held_equal={"loss": "one fitted loss law for both arms (" + LOSS_ON + ")",
                               "data": "no data: both arms are the same fitted law, so data, tokenizer, schedule and "
                                       "tuning are those behind Chinchilla's fit for both",
                               "tokenizer": "the same fitted law for both arms",
                               "schedule": "the same fitted law for both arms",
                               "tuning_budget": "the same fitted law for both arms"},
                   differs={"tokens_per_parameter": "the allocation of each budget between parameters and tokens "
                                                    "(Kaplan-optimal against Chinchilla-optimal) is the innovation"},
                   note="Model-implied: losses evaluated from a fitted law, never measured.")]
