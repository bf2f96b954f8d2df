"""`cegdb scrape runs brandfonbrener2024`: the loss-to-loss sweep's FineWeb vs FineWeb-Edu runs, offline.

The fixture is a CSV in the shape of data/sweep.csv (same columns, made-up values), written here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import scrape_runs_twice
from scrapers.errors import ParseError
from scrapers.sources import runs_brandfonbrener2024 as l2l
from scrapers.sources.runs_common import check_rows, check_series, read_inputs

SETS = ("c4_val", "slimpajama_val", "proof_pile_2_val", "starcoder_val", "fineweb_100b_val")


def _release(root: Path, edit: dict | None = None) -> Path:
    rows = []
    for corpus in ("fineweb-100b", "fineweb-edu-100b", "starcoder"):
        for budget in (2e17, 1e19):
            for params in (2e7, 1e8):
                row = {"id": "x", "name": f"olmo_{corpus}_{budget:g}_{params:g}", "state": "finished",
                       "params": repr(params), "tokens": repr(budget / (6 * params)), "data": corpus,
                       "iso_flop": repr(budget)}
                for key in SETS:
                    row[f"eval/{key}/CrossEntropyLoss"] = "3.5" if corpus == "fineweb-100b" else "3.6"
                rows.append(row)
    if edit:
        rows[1].update(edit)
    path = root / l2l.PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


def test_fineweb_edu_against_fineweb_on_sets_neither_trains_on(tmp_path):
    rows = check_rows(l2l.parse(read_inputs(l2l.RELEASE, _release(tmp_path))), "brandfonbrener2024")
    assert {r["series"] for r in rows} == {"brandfonbrener2024-fineweb-edu-vs-fineweb-c4",
                                           "brandfonbrener2024-fineweb-edu-vs-fineweb-slimpajama",
                                           "brandfonbrener2024-fineweb-edu-vs-fineweb-proof-pile-2",
                                           "brandfonbrener2024-fineweb-edu-vs-fineweb-starcoder"}
    assert len(rows) == 2 * 4 * 4  # two corpora x four runs x four sets; the starcoder corpus is not an arm
    assert not any("fineweb_100b_val" in r["locator"] for r in rows)  # an arm's own split is not used
    first = rows[0]
    assert first["arm"] == "baseline" and first["loss"] == 3.5 and first["compute_flop"] == pytest.approx(2e17)
    assert first["locator"].startswith(f"{l2l.RELEASE.repo}@{l2l.RELEASE.commit}:data/sweep.csv, row 2 ")
    records = check_series(l2l.series_records(rows), rows, "brandfonbrener2024")
    assert all(set(r["differs"]) == {"data"} for r in records)


@pytest.mark.parametrize("edit, where", [
    ({"tokens": "123"}, r"row 3, columns params, tokens, iso_flop.*not the budget"),
    ({"eval/c4_val/CrossEntropyLoss": ""}, r"row 3, column eval/c4_val/CrossEntropyLoss"),
    ({"state": "crashed"}, r"row 3, column state.*'crashed'"),
])
def test_bad_rows_name_file_row_and_column(tmp_path, edit, where):
    with pytest.raises(ParseError, match=rf"data/sweep\.csv.*{where}"):
        l2l.parse(read_inputs(l2l.RELEASE, _release(tmp_path, edit)))


def test_generated_file_is_deterministic_and_names_its_input(tmp_path):
    data = scrape_runs_twice("brandfonbrener2024", _release(tmp_path / "repo"), tmp_path / "out.yaml")
    assert [e["copy"] for e in data["retrieved"]] == [f"github:{l2l.RELEASE.repo}@{l2l.RELEASE.commit}:{l2l.PATH}"]
