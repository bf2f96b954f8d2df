"""Every parser over the real samples in ../shared/reference, when this checkout has them."""

from __future__ import annotations

import json

import pytest

from parsers_support import reference_dir, reference_files
from scrapers.parsers.hf_api import parse_hf_api


@pytest.mark.parametrize("path", reference_files("hf_api", "*.api.json"))
def test_reference_hub_api_documents(path):
    record = parse_hf_api(path.read_bytes(), path.name)
    raw = json.loads(path.read_bytes())
    assert record["repo_id"] == raw["id"] and record["license"]
    assert "parameters" not in record
    if raw.get("safetensors"):
        assert record["safetensors_total"] == raw["safetensors"]["total"]
    assert record["gated"] == (raw["gated"] is not False)


def test_reference_gated_llama_and_safetensors_buffers():
    folder = reference_dir("hf_api")
    by_name = {p.name: parse_hf_api(p.read_bytes(), p.name) for p in folder.glob("*.api.json")}
    llama = by_name["meta-llama--Llama-3.1-8B-Instruct.api.json"]
    assert (llama["gated_mode"], llama["license"], llama["arxiv_ids"]) == ("manual", "llama3.1", ["2204.05149"])
    # GPT-2: 137,022,720 stored elements against 124,439,808 parameters from its config.
    assert by_name["openai-community--gpt2.api.json"]["safetensors_total"] == 137_022_720
