"""`cegdb scrape runs porian2024`: Porian et al. 2024's IsoFLOP summaries, offline.

The release's files are xz-compressed pickles of pandas DataFrames; the fixtures are built here in
that shape (same columns and nesting, made-up numbers), never copied.
"""

from __future__ import annotations

import lzma
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import scrape_runs_twice
from scrapers.errors import ParseError
from scrapers.sources import runs_porian2024 as porian
from scrapers.sources.runs_common import check_rows, check_series, read_inputs

BUDGETS = (1.25e16, 2.5e16, 5e16, 1e17)
SIZES = (5e6, 1e7, 2e7)
CONFIGS = (("base", "long", "kaplan", "kaplan", "train"),  # another loss and compute definition: not read
           ("base", "long", "kaplan", "standard", "val"),
           ("base", "short", "kaplan", "standard", "val"),
           ("base", "short", "chinchilla", "standard", "val"),
           ("tuned", "short", "const", "standard", "val"))  # two differences at once: not read


def _loss(config, n, budget):
    tokens = budget / (6 * n)
    offset = {"long": 0.3, "short": 0.0}[config[1]] + {"kaplan": 0.05, "chinchilla": 0.0, "const": 0.1}[config[2]]
    return 2.0 + 400 * n ** -0.34 + 400 * tokens ** -0.28 + offset


def _frame(dataset: str, bad_tokens: bool = False) -> pd.DataFrame:
    records = []
    for config in CONFIGS:
        pairs = pd.DataFrame([{
            "flops": budget, "n": SIZES[1], "loss": 3.0,
            "n_vals": np.array(SIZES),
            "t_vals": np.array([budget / (6 * n) * (1.5 if bad_tokens and budget == 5e16 else 1) for n in SIZES]),
            "loss_vals": pd.Series([_loss(config, n, budget) for n in SIZES], name="loss"),
        } for budget in BUDGETS])
        records.append({"dataset": dataset, **dict(zip(porian.CONFIG_KEYS, config)), "optimal_pairs": pairs,
                        "fit_results": {}, "max_loss": 9.0, "min_loss": 3.0})
    return pd.DataFrame(records)


def _release(root: Path, **edits) -> Path:
    for path, (short, _) in porian.FILES.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = edits.get(short)
        if data is None:
            data = lzma.compress(pickle.dumps(_frame(short, bad_tokens=edits.get("bad_tokens") == short)))
        target.write_bytes(data)
    return root


def test_two_one_difference_comparisons_per_dataset(tmp_path):
    rows = check_rows(porian.parse(read_inputs(porian.RELEASE, _release(tmp_path))), "porian2024")
    assert {r["series"] for r in rows} == {"porian2024-rw-warmup", "porian2024-rw-decay",
                                           "porian2024-owt2-warmup", "porian2024-owt2-decay"}
    assert len(rows) == 4 * 2 * len(BUDGETS) * len(SIZES)
    for row in rows:
        assert row["compute_flop"] == pytest.approx(6 * row["parameters"] * row["tokens"])
    warmup = [r for r in rows if r["series"] == "porian2024-rw-warmup"]
    base = {(r["parameters"], r["compute_flop"]): r["loss"] for r in warmup if r["arm"] == "baseline"}
    treat = {(r["parameters"], r["compute_flop"]): r["loss"] for r in warmup if r["arm"] == "treatment"}
    # long warmup is the baseline, short the treatment; both with the kaplan decay
    assert all(base[k] - treat[k] == pytest.approx(0.3) for k in base)
    decay = [r for r in rows if r["series"] == "porian2024-owt2-decay"]
    first = next(r for r in decay if r["arm"] == "treatment")
    assert "(base, short, chinchilla, standard, val)" in first["locator"]
    assert first["locator"].startswith(f"{porian.RELEASE.repo}@{porian.RELEASE.commit}:data/summary_df_owt2.pickle.xz")
    # the short-warmup kaplan-decay runs are the treatment of one comparison and the baseline of the other
    shared = {(r["parameters"], r["compute_flop"], r["loss"]) for r in rows
              if r["series"] == "porian2024-rw-warmup" and r["arm"] == "treatment"}
    assert shared == {(r["parameters"], r["compute_flop"], r["loss"]) for r in rows
                      if r["series"] == "porian2024-rw-decay" and r["arm"] == "baseline"}
    records = {r["id"]: r for r in check_series(porian.series_records(rows), rows, "porian2024")}
    assert set(records["porian2024-rw-decay"]["differs"]) == {"schedule"}
    assert records["porian2024-owt2-warmup"]["held_equal"]["data"] == "OpenWebText2 for both arms"


def test_a_pickle_asking_for_other_code_is_refused_unrun(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    root = _release(tmp_path, rw=lzma.compress(pickle.dumps(Payload())))
    with pytest.raises(ParseError, match=r"summary_df\.pickle\.xz.*builtins\.print.*not loaded"):
        porian.parse(read_inputs(porian.RELEASE, root))


def test_bad_files_name_the_file_and_the_row(tmp_path):
    with pytest.raises(ParseError, match=r"summary_df_owt2\.pickle\.xz.*not xz-compressed"):
        porian.parse(read_inputs(porian.RELEASE, _release(tmp_path / "a", owt2=b"not xz")))
    with pytest.raises(ParseError, match=r"summary_df\.pickle\.xz.*optimal_pairs row 2: t_vals.*not the budget 5e\+16"):
        porian.parse(read_inputs(porian.RELEASE, _release(tmp_path / "b", bad_tokens="rw")))
    frame = _frame("rw").drop(columns=["decay"])
    with pytest.raises(ParseError, match=r"summary_df\.pickle\.xz.*decay"):
        porian.parse(read_inputs(porian.RELEASE, _release(tmp_path / "c", rw=lzma.compress(pickle.dumps(frame)))))
    missing = _frame("owt2").iloc[[0, 1, 2]]  # no chinchilla-decay configuration
    with pytest.raises(ParseError, match=r"no configuration \('base', 'short', 'chinchilla'"):
        porian.parse(read_inputs(porian.RELEASE, _release(tmp_path / "d", owt2=lzma.compress(pickle.dumps(missing)))))


def test_generated_file_is_deterministic_and_names_its_inputs(tmp_path):
    data = scrape_runs_twice("porian2024", _release(tmp_path / "repo"), tmp_path / "out.yaml")
    assert [e["copy"] for e in data["retrieved"]] == [
        f"github:{porian.RELEASE.repo}@{porian.RELEASE.commit}:{path}" for path in sorted(porian.FILES)]
