"""Hugging Face API model JSON -> repository facts; safetensors.total is never `parameters`."""

from __future__ import annotations

import json

import pytest

from parsers_support import fixture
from scrapers.errors import ParseError
from scrapers.parsers.hf_api import parse_hf_api


def parsed(name: str) -> dict:
    return parse_hf_api(fixture("hf_api", name), name)


def test_gated_repository_facts():
    record = parsed("gated_manual_card_license_base_model.json")
    assert record["repo_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert (record["gated"], record["gated_mode"]) == (True, "manual")
    assert record["license"] == "llama3.1"
    assert record["arxiv_ids"] == ["2204.05149"]
    # The card's base_model wins over the Hub's tag (the repo was renamed since).
    assert record["base_model"] == "meta-llama/Meta-Llama-3.1-8B"
    assert record["base_model_relation"] == "finetune"
    assert (record["created_at"], record["last_modified"]) == ("2024-07-18T08:56:00.000Z", "2024-09-25T17:00:57.000Z")
    assert (record["downloads"], record["likes"]) == (6_942_353, 4_651)
    assert record["checkpoint_dtype"] == "bf16"


def test_safetensors_total_is_its_own_field():
    record = parsed("safetensors_total_counts_buffers.json")
    # GPT-2 stores 137,022,720 elements; it has 124,439,808 parameters (12 attention masks).
    assert record["safetensors_total"] == 137_022_720
    assert "parameters" not in record and "active_parameters" not in record
    assert record["gated"] is False and "gated_mode" not in record
    assert record["license"] == "mit" and record["dois"] == ["10.57967/hf/0039"]


def test_nulls_and_missing_card():
    record = parsed("nulls_no_card_no_safetensors.json")
    assert record["license"] == "apache-2.0"  # from the tag when the card has none
    assert record["arxiv_ids"] == ["2002.05202", "1910.10683"]  # version dropped, junk tag skipped
    assert record["datasets"] == ["c4"]
    assert not {"safetensors_total", "base_model", "pipeline_tag", "sha", "model_type"} & set(record)


def test_error_document_is_a_parse_error():
    with pytest.raises(ParseError, match="Repository not found"):
        parsed("not_found_error.json")


@pytest.mark.parametrize("change, field", [
    ({"downloads": "many"}, "downloads"),
    ({"likes": -1}, "likes"),
    ({"tags": "llama"}, None),
    ({"tags": [1, 2]}, "tags"),
    ({"gated": 3}, "gated"),
    ({"cardData": []}, "cardData"),
    ({"safetensors": {"parameters": {"BF16": "8B"}, "total": 1}}, "safetensors.parameters"),
])
def test_wrong_types_name_the_field(change, field):
    raw = {**json.loads(fixture("hf_api", "gated_manual_card_license_base_model.json")), **change}
    if field is None:  # a single tag as text is tolerated
        assert parse_hf_api(raw)["repo_id"]
        return
    with pytest.raises(ParseError) as caught:
        parse_hf_api(json.dumps(raw), "api.json")
    assert caught.value.field == field and caught.value.source == "api.json"
