"""Brandfonbrener, Anand, Vyas, Malach, Kakade 2024, "Loss-to-Loss Prediction: Scaling Laws for All
Datasets" (arXiv 2411.12925), run data in GitHub KempnerInstitute/loss-to-loss-notebooks: data/sweep.csv.

What the file is. One row per finished training run (`state` finished): OLMo-style models of 20M to
1.7B parameters (`params`), each trained on one of six corpora (`data`) for `tokens` tokens at one of
eight IsoFLOP budgets (`iso_flop`, 2e17 to 4.84e19; 6 x params x tokens equals the budget, checked),
with the final cross-entropy loss on validation sets of several corpora
(`eval/<set>/CrossEntropyLoss`). Compute is 6ND (compute_method 6ND).

What is compared: the corpus. Baseline FineWeb (`fineweb-100b`), treatment FineWeb-Edu
(`fineweb-edu-100b`): the same FineWeb pages kept only where an educational-value classifier scores
them highly (innovation `educational-quality-filtering`). Both arms share the sweep's sizes, budgets
and training code. Which loss: a corpus looks best on its own split, so only the sets neither arm
trains on are used, each its own series: C4 (`c4_val`), SlimPajama (`slimpajama_val`), Proof-Pile-2
(`proof_pile_2_val`, mathematics and arXiv) and StarCoder (`starcoder_val`, code). The FineWeb and
FineWeb-Edu splits are the arms' own, and the SmolLM corpus contains FineWeb-Edu: not used. The
series share runs (one run scored on four sets), so the pool counts them as one cluster; that the
sets disagree is the finding, not an error.
"""

from __future__ import annotations

from typing import Mapping

from scrapers.errors import ParseError
from scrapers.sources.runs_common import Release, number, parity, read_csv

PATH = "data/sweep.csv"
SOURCE = "brandfonbrener2024losstolossrepo"
BASELINE, TREATMENT = "fineweb-100b", "fineweb-edu-100b"
INNOVATION = "educational-quality-filtering"
SETS = {"c4_val": "C4", "slimpajama_val": "SlimPajama", "proof_pile_2_val": "Proof-Pile-2 (mathematics, arXiv)",
        "starcoder_val": "StarCoder (code)"}
COLUMNS = ("name", "state", "params", "tokens", "data", "iso_flop") + tuple(
    f"eval/{key}/CrossEntropyLoss" for key in SETS)

RELEASE = Release(
    slug="brandfonbrener2024",
    repo="KempnerInstitute/loss-to-loss-notebooks",
    commit="457ce81a019019bc3981937c20a70c52f5fad436",
    retrieved_on="2024-11-21",  # the commit date
    wanted=lambda path: path == PATH,
    description="Loss-to-loss sweep: FineWeb against FineWeb-Edu at 20M-1.7B and eight budgets 2e17-4.84e19 FLOP, "
                "final losses on validation sets neither arm trains on",
    paths=(PATH,),
)


def parse(files: Mapping[str, bytes], *, repo: str = RELEASE.repo, commit: str = RELEASE.commit) -> list[dict]:
    if PATH not in files:
        raise ParseError(PATH, None, f"the file of release {RELEASE.slug} is missing")
    records = read_csv(files[PATH], PATH, COLUMNS)
    rows = []
    for line, record in enumerate(records, start=2):
        corpus = record["data"]
        if corpus not in (BASELINE, TREATMENT):
            continue
        if record["state"] != "finished":
            raise ParseError(PATH, f"row {line}, column state", f"run {record['name']} is {record['state']!r}")
        n, d = number(record, "params", PATH, line), number(record, "tokens", PATH, line)
        budget = number(record, "iso_flop", PATH, line)
        if abs(6 * n * d / budget - 1) > 1e-6:
            raise ParseError(PATH, f"row {line}, columns params, tokens, iso_flop",
                             f"6 x params x tokens = {6 * n * d:.4g} is not the budget {budget:.4g}")
        for key, name in SETS.items():
            column = f"eval/{key}/CrossEntropyLoss"
            rows.append({
                "innovation": INNOVATION, "arm": "baseline" if corpus == BASELINE else "treatment",
                "series": f"brandfonbrener2024-fineweb-edu-vs-fineweb-{key.replace('_val', '').replace('_', '-')}",
                "parameters": n, "tokens": d, "compute_flop": 6 * n * d, "compute_method": "6ND",
                "loss": number(record, column, PATH, line), "loss_on": f"{name} validation split, final checkpoint",
                "source": SOURCE, "evidence": "primary",
                "locator": f"{repo}@{commit}:{PATH}, row {line} (run {record['name']}), columns {column}, params, "
                           "tokens, iso_flop",
                "note": f"{'FineWeb-Edu' if corpus == TREATMENT else 'FineWeb'}, budget {budget:.3g} FLOP",
            })
    if not rows:
        raise ParseError(PATH, "data", f"no {BASELINE} or {TREATMENT} runs")
    return rows


def series_records(rows: list[dict]) -> list[dict]:
    records = []
    for series in sorted({row["series"] for row in rows}):
        split = next(r["loss_on"] for r in rows if r["series"] == series)
        records.append(parity(
            series, SOURCE, arms="OLMo-style models trained on FineWeb (baseline) vs on FineWeb-Edu (treatment), "
                                 "the same IsoFLOP sweep of sizes and budgets",
            locator=f"{RELEASE.repo}@{RELEASE.commit}:{PATH}, columns data, params, tokens, iso_flop",
            held_equal={
                "tokens_per_parameter": "the same sweep: every size at every budget in both arms",
                "loss": f"{split}, for both arms",
            },
            differs={"data": "the corpus is the innovation: FineWeb-Edu, FineWeb's pages kept by an educational-value "
                             "classifier, against FineWeb"},
            note="Own-corpus splits are not used (each arm is best on its own corpus). The sets disagree in sign; "
                 "each is reported as measured."))
    return records
