"""`cegdb scrape runs marin2025`: Marin speedrun results at four sizes, offline.

The fixture files are speedrun_results.json documents in the release's nesting, written here with
made-up values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import scrape_runs_twice
from scrapers.errors import ParseError
from scrapers.sources import runs_marin2025 as marin
from scrapers.sources.runs_common import check_rows, check_series, read_inputs

PARAMS = (154_147_328, 299_649_792, 602_457_088, 1_431_373_824)
ADAMW = {"adamc_weight_decay": False, "beta1": 0.9, "beta2": 0.98, "learning_rate": 0.008, "lr_schedule": "cosine",
         "warmup": 2000, "weight_decay": 0.1}


def _doc(family: str, i: int, bpb: float, **edits) -> dict:
    optimizer = dict(ADAMW)
    model = {"seq_len": 4096, "hidden_dim": 512 * (i + 1), "use_attention_sink": family == "attnsink",
             "use_parallel_blocks": family == "parallel"}
    if family in ("adamc", "c-adamc"):
        optimizer["adamc_weight_decay"] = True
    if family in ("muon", "muon_qwen3"):
        optimizer = {"learning_rate": 0.016, "lr_schedule": "linear", "warmup": 0}
    info = {"eval/paloma/c4_en/bpb": bpb, "model_flops": 6.0 * PARAMS[i] * 20 * PARAMS[i],
            "model_size": PARAMS[i], "total_tokens": 20 * PARAMS[i],
            "tokenized_dataset": "gs://marin-us-central1/tokenized/subcache/fineweb-edu-10B-6fbcbb",
            "model_config": model,
            "train_config": {"learning_rate": optimizer["learning_rate"], "num_train_steps": 1000 * (i + 1),
                             "train_batch_size": 128, "data_seed": None, "optimizer_config": optimizer}}
    for key, value in edits.items():
        info[key] = value
    return {"runs": [{"run_info": info}]}


def _release(root: Path, edit: tuple[str, int, dict] | None = None) -> Path:
    for family, paths in marin.PATHS.items():
        for i, path in enumerate(paths):
            bpb = 1.2 - 0.08 * i - (0.01 if family in ("muon", "adamc") else 0.0)
            edits = edit[2] if edit and edit[0] == family and edit[1] == i else {}
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(json.dumps(_doc(family, i, bpb, **edits)))
    return root


def test_each_comparison_is_a_series_at_four_sizes(tmp_path):
    rows = check_rows(marin.parse(read_inputs(marin.RELEASE, _release(tmp_path))), "marin2025")
    by_series = {}
    for row in rows:
        by_series.setdefault(row["series"], []).append(row)
    assert {s: len(r) for s, r in by_series.items()} == {s: 8 for _, s, *_ in marin.COMPARISONS}
    adamc = by_series["marin2025-adamc-vs-adamw"]
    assert {r["innovation"] for r in adamc} == {"adamc"}
    first = next(r for r in adamc if r["arm"] == "treatment" and r["parameters"] == PARAMS[0])
    assert first["loss"] == pytest.approx(1.19) and first["compute_method"] == "stated"
    assert first["locator"].startswith(f"{marin.RELEASE.repo}@{marin.RELEASE.commit}:experiments/speedrun/"
                                       "adamc_llama_scaling/130m/speedrun_results.json")
    std = next(r for r in by_series["marin2025-attnsink-vs-std-attn"] if r["arm"] == "baseline")
    assert marin.FILE_COMMITS[std["locator"].split("@")[1].split(":")[1].split(",")[0]] in std["locator"]
    records = {r["id"]: r for r in check_series(marin.series_records(rows), rows, "marin2025")}
    assert "differs" not in records["marin2025-adamc-vs-adamw"]
    assert set(records["marin2025-muon-vs-adamw"]["differs"]) == {"tuning_budget", "schedule"}


@pytest.mark.parametrize("edit, field, message", [
    (("adamc", 2, {"total_tokens": 1.0}), "total_tokens", "differs from"),
    (("attnsink", 1, {"model_config": {"seq_len": 4096, "hidden_dim": 1024, "use_attention_sink": True,
                                       "use_qk_norm": True}}), "use_qk_norm", r"beyond \['use_attention_sink'\]"),
    (("c-adamc", 0, {"eval/paloma/c4_en/bpb": "n/a"}), r"eval/paloma/c4_en/bpb", "expected a positive number"),
])
def test_a_pair_that_differs_beyond_the_innovation_names_file_and_field(tmp_path, edit, field, message):
    with pytest.raises(ParseError, match=rf"{edit[0]}.*speedrun_results\.json.*{field}.*{message}"):
        marin.parse(read_inputs(marin.RELEASE, _release(tmp_path, edit)))


def test_generated_file_names_each_files_commit(tmp_path):
    data = scrape_runs_twice("marin2025", _release(tmp_path / "repo"), tmp_path / "out.yaml")
    copies = {e["copy"] for e in data["retrieved"]}
    assert len(copies) == sum(len(p) for p in marin.PATHS.values())
    for path, commit in marin.FILE_COMMITS.items():
        assert f"github:{marin.RELEASE.repo}@{commit}:{path}" in copies


def test_an_omitted_default_is_the_same_setting_and_a_switch_is_not():
    # later speedrun versions write `use_kimi_scaling: false` or `adam_weight_decay: null` that earlier ones omit
    assert marin._differing({"warmup": 0}, {"warmup": 0, "use_kimi_scaling": False, "adam_weight_decay": None}) == set()
    assert marin._differing({}, {"adamc_weight_decay": True}) == {"adamc_weight_decay"}
    assert marin._differing({"warmup": 0}, {}) == {"warmup"}  # zero is a value, not an omitted default
