"""Epoch AI CSV: renamed columns, words -> tokens, lists, bounds, row errors, id mapping."""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers_support import REPO, fixture, reference_dir
from scrapers.errors import ParseError
from scrapers.parsers.epoch import HARDWARE_IDS, ORGANIZATION_IDS, map_ids, parse_epoch_csv, with_catalog_names


@pytest.fixture(scope="module")
def old():
    return parse_epoch_csv(fixture("epoch", "renamed_columns_old_export.csv"), "old.csv")


def by_name(result) -> dict:
    return {m["model"]: m for m in result["models"]}


def test_renamed_columns_map_and_unknown_ones_are_reported(old):
    mapped = old["columns"]["mapped"]
    assert mapped["System"] == "model"
    assert mapped["Country (from Organization)"] == "countries"
    assert mapped["Organization Categorization"] == "organization_categories"
    assert mapped["Frontier model"] == "frontier_model"  # a late-2025 column, read
    assert old["columns"]["unmapped"] == []
    assert "Abstract" not in mapped and "Abstract" not in old["columns"]["unmapped"]  # ignored on purpose


def test_words_rows_are_converted_by_epochs_ratio_and_show_the_arithmetic(old):
    gpt3 = by_name(old)["GPT-3 175B (davinci)"]
    assert (gpt3["dataset_size"], gpt3["dataset_size_unit"]) == (374e9, "words")
    assert gpt3["dataset_size_unit_basis"] == "dataset-size note"
    assert gpt3["dataset_tokens_from"] == {"inputs": {"words": 374e9}, "formula": "words * 4 / 3"}
    assert gpt3["dataset_tokens"] == pytest.approx(374e9 * 4 / 3)  # 498.7B, Epoch's own 499B tokens
    assert "4/3 tokens per word" in gpt3["dataset_tokens_note"]


def test_regression_a_size_without_a_unit_is_not_taken_for_words(old):
    # Issue 20: the note naming no unit made Qwen3's 36T tokens 48T. Now nothing is converted.
    bert = by_name(old)["BERT-Large"]
    assert (bert["dataset_size_unit"], bert["dataset_size_unit_basis"]) == ("unstated", "no unit in the note")
    assert bert["dataset_tokens"] == 3.3e9 and "dataset_tokens_from" not in bert
    assert "not converted" in bert["dataset_tokens_note"]


def test_token_rows_and_non_language_rows_are_not_converted(old):
    llama = by_name(old)["Llama 3.1-405B"]
    assert (llama["dataset_size_unit"], llama["dataset_tokens"]) == ("tokens", 15.6e12)
    resnet = by_name(old)["ResNet-50"]
    assert resnet["dataset_size_unit"] == "images" and "dataset_tokens" not in resnet


def test_lists_costs_bounds_confidence(old):
    neox = by_name(old)["GPT-NeoX-20B"]
    assert neox["organizations"] == ["EleutherAI", "Booz Allen Hamilton, McLean"]  # quoted name with a comma
    assert neox["hardware"] == ["NVIDIA A100 SXM4 40 GB", "Google TPU v4"]
    assert neox["training_cost_usd_2020"] == 184272.81  # "$184,272.81"
    assert (neox["confidence_epoch"], "confidence" in neox) == ("Unknown", False)
    llama = by_name(old)["Llama 3.1-405B"]
    assert llama["bounds"] == {"training_compute_flop": {"lower": 1.9e25, "upper": 7.6e25}}
    assert (llama["confidence"], llama["hardware_count"], llama["training_days"]) == ("high", 16384, 2142 / 24)
    assert by_name(old)["BERT-Large"]["confidence"] == "medium"
    assert by_name(old)["ResNet-50"]["confidence"] == "low"


def test_moe_rows_keep_total_parameters_and_read_active_from_the_note(old):
    mixtral = by_name(old)["Mixtral 8x7B"]
    assert (mixtral["parameters"], mixtral["active_parameters"]) == (46.7e9, 12.9e9)
    assert mixtral["notes"]["parameters"].startswith("46.7B total parameters")


def test_unreadable_cells_are_row_errors_and_the_rest_is_kept(old):
    errors = {(e["model"], e["field"]) for e in old["row_errors"]}
    assert errors == {("Broken row", "parameters"), ("Broken row", "publication_date"), (None, "Model")}
    broken = by_name(old)["Broken row"]
    assert "parameters" not in broken and broken["organizations"] == ["Nowhere Lab"]
    assert next(e for e in old["row_errors"] if e["model"] is None)["row"] == 9


def test_current_export_names():
    result = parse_epoch_csv(fixture("epoch", "current_export_total_column.csv"), "new.csv")
    assert result["columns"]["unmapped"] == []
    models = by_name(result)
    v3 = models["DeepSeek-V3"]
    assert (v3["gpu_hours"], v3["training_cost_usd_2023"], v3["hardware_count"]) == (2_788_000, 5_390_000, 2048)
    assert (v3["parameters"], v3["active_parameters"]) == (671e9, 37e9)
    assert "training_precision" not in v3 and v3["numerical_format"] == ["FP8", "BF16", "FP32"]
    assert models["Gemma 2 9B"]["training_precision"] == "bf16"
    assert models["Gemma 2 9B"]["dataset_tokens"] == 8e12


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"Name,Parameters\nx,1\n", "model-name column")])
def test_files_that_are_not_epoch_exports(data, message):
    with pytest.raises(ParseError, match=message):
        parse_epoch_csv(data, "x.csv")


def test_map_ids_returns_mapped_and_unmapped():
    ids, unmapped = map_ids(["NVIDIA H100 SXM5 80GB", "NVIDIA A100", "Google TPU v4", "nvidia h100 sxm5 80gb"],
                            HARDWARE_IDS)
    assert ids == ["nvidia-h100-sxm", "google-tpu-v4"]
    assert unmapped == ["NVIDIA A100"]  # 40 or 80 GB: ambiguous, so left for a person
    ids, unmapped = map_ids(["DeepMind", "Google Brain", "Tsinghua University"], ORGANIZATION_IDS)
    assert (ids, unmapped) == (["google-deepmind", "google"], ["Tsinghua University"])


def _catalog_ids(name: str) -> set[str]:
    return {row["id"] for row in yaml.safe_load((REPO / "datasets" / name).read_text())}


def test_every_synonym_points_at_a_catalog_id():
    assert set(HARDWARE_IDS.values()) <= _catalog_ids("hardware.yaml")
    assert set(ORGANIZATION_IDS.values()) <= _catalog_ids("organizations.yaml")


def test_catalog_names_extend_the_table():
    rows = yaml.safe_load((REPO / "datasets" / "hardware.yaml").read_text())
    table = with_catalog_names(HARDWARE_IDS, rows)
    assert map_ids(["NVIDIA H200 SXM (141 GB)", "amd-mi300x"], table) == (["nvidia-h200", "amd-mi300x"], [])


_cells = st.sampled_from(["", "1.5e+23", "$1,000.00", "abc", "Language", "Language,Vision", "12T tokens", "Unknown",
                          "Confident", "2024-01-01", "\"a, b\",c", "-", "1,000", "NVIDIA A100", "3.4 words"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_cells, min_size=0, max_size=8), max_size=6), st.permutations(
    ["Model", "Domain", "Parameters", "Training dataset size (datapoints)", "Dataset size notes", "Confidence",
     "Publication date", "Training hardware"]))
def test_fuzz_rows_raise_only_parse_error(rows, header):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header] + rows)
    result = parse_epoch_csv(buffer.getvalue(), "fuzz.csv")  # a header with Model never raises
    named = [r for r in rows if header.index("Model") < len(r) and r[header.index("Model")].strip()]
    assert len(result["models"]) == len(named)  # every named row comes back, errors or not
    assert all(m["model"] for m in result["models"])


def test_the_whole_reference_export_loads_without_row_errors():
    path = reference_dir("epoch") / "All_ML_Systems_-_full_view.csv"
    result = parse_epoch_csv(path.read_bytes(), path.name)
    assert len(result["models"]) == 1892 and result["row_errors"] == []
    assert result["columns"]["unmapped"] == []
    models = by_name(result)
    v3 = models["DeepSeek-V3"]
    assert (v3["gpu_hours"], v3["hardware"], v3["dataset_tokens"]) == (2_788_000, ["NVIDIA H800 SXM5"], 14.8e12)
    assert models["GPT-3 175B (davinci)"]["dataset_size_unit"] == "words"
    assert models["Llama 3.1-405B"]["training_compute_flop"] == 3.8e25
