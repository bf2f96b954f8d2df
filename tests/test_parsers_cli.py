"""`cegdb parse KIND FILE [--json]` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from parsers_support import FIXTURES, reference_dir
from scrapers.parse_cli import parse


def run(*args):
    return CliRunner().invoke(parse, [str(a) for a in args])


def test_hf_config_json_keys_are_claim_fields():
    result = run("hf-config", FIXTURES / "hf_config" / "llama3_gqa_untied_rope_scaling.json", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["parameters"] == 8_030_261_248
    assert {"attention", "kv_heads", "num_layers", "hidden_size", "positional", "activation", "tied_embeddings",
            "context_length", "vocab_size", "num_heads"} <= set(record)


def test_model_card_json_is_a_list_with_quotes():
    result = run("model-card", FIXTURES / "model_card" / "multi_model_html_rowspan_unclosed_cell.md", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert isinstance(records, list) and {r["model"] for r in records} >= {"Llama 3.1 8B", "Llama 3.1 405B", None}
    claim = next(r for r in records if r["model"] == "Llama 3.1 405B")["gpu_hours"][0]
    assert claim["value"] == 30_840_000 and claim["quote"]


def test_epoch_json_is_a_list_and_problems_go_to_stderr():
    result = run("epoch-csv", FIXTURES / "epoch" / "renamed_columns_old_export.csv", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 7
    assert "Broken row" in result.stderr  # ("Frontier model", unknown before issue 20, is now read)


@pytest.mark.parametrize("kind, name", [
    ("hf-config", "hf_config/deepseek_v3_mla_n_routed_experts_fp8.json"),
    ("hf-api", "hf_api/gated_manual_card_license_base_model.json"),
    ("model-card", "model_card/single_model_table_contradicts_prose.md"),
    ("arxiv-atom", "arxiv/old_layout_two_entries_doi_old_style_id.atom.xml"),
    ("s2-paper", "s2/paper_full_uppercase_doi.json"),
    ("epoch-csv", "epoch/current_export_total_column.csv"),
])
def test_readable_table_without_json(kind, name):
    result = run(kind, FIXTURES / name)
    assert result.exit_code == 0, result.output
    assert result.output.strip() and not result.output.lstrip().startswith(("{", "["))


@pytest.mark.parametrize("kind, name, words", [
    ("arxiv-atom", "arxiv/error_entry_http400.fixture.json", ["id_list", "incorrect id format for llama3"]),
    ("hf-config", "epoch/current_export_total_column.csv", ["not valid JSON", "is "]),
    ("model-card", "model_card/front_matter_unclosed.md", ["front_matter", "never closed"]),
    ("s2-paper", "s2/not_found_error.json", ["not found"]),
])
def test_errors_are_click_exceptions_naming_file_and_field(kind, name, words):
    result = run(kind, FIXTURES / name)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and name.split("/")[-1] in result.output
    assert all(word in result.output for word in words)


def test_reference_exact_counts_through_the_command():
    folder = reference_dir("hf_config")
    for name, total in (("meta-llama--Meta-Llama-3.1-8B.config.json", 8_030_261_248),
                        ("Qwen--Qwen2.5-7B-Instruct.config.json", 7_615_616_512),
                        ("Qwen--Qwen3-32B.config.json", 32_762_123_264)):
        result = run("hf-config", folder / name, "--json")
        assert json.loads(result.stdout)["parameters"] == total
