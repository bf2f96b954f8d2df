"""Hugging Face responses written by us in the shape of the real ones, and respx routes for them."""

from __future__ import annotations

import json

import httpx

HF = "https://huggingface.co"


def api_json(repo: str, *, base_model: str | None = None, gated: bool = False) -> dict:
    tags = ["transformers", "safetensors", "text-generation", "license:apache-2.0"]
    if base_model:
        tags += [f"base_model:{base_model}", f"base_model:finetune:{base_model}"]
    return {"_id": "0" * 24, "id": repo, "modelId": repo, "author": repo.split("/")[0],
            "sha": "1" * 40, "createdAt": "2024-05-01T10:00:00.000Z", "lastModified": "2024-06-01T10:00:00.000Z",
            "private": False, "gated": "manual" if gated else False, "disabled": False, "downloads": 1234,
            "likes": 56, "library_name": "transformers", "pipeline_tag": "text-generation", "tags": tags,
            "cardData": {"license": "apache-2.0"}, "config": {"model_type": "llama"},
            "safetensors": {"parameters": {"BF16": 1_235_814_400}, "total": 1_235_814_400}}


def llama_config(layers: int = 16, hidden: int = 2048) -> dict:
    """A Llama-3.2-1B-shaped config (1,235,814,400 parameters at 16 x 2048, tied embeddings)."""
    return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": hidden,
            "intermediate_size": 8192, "num_hidden_layers": layers, "num_attention_heads": 32,
            "num_key_value_heads": 8, "head_dim": 64, "hidden_act": "silu", "max_position_embeddings": 131072,
            "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": True, "vocab_size": 128256,
            "torch_dtype": "bfloat16", "attention_bias": False, "mlp_bias": False, "unknown_future_key": None}


def mixtral_config() -> dict:
    """Mixtral-8x7B's shape: 46.7B total, 12.9B active."""
    return {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 4096,
            "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
            "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu",
            "max_position_embeddings": 32768, "rms_norm_eps": 1e-05, "rope_theta": 1e6,
            "sliding_window": None, "tie_word_embeddings": False, "vocab_size": 32000, "torch_dtype": "bfloat16"}


README = """---
license: apache-2.0
---
# {name}

A small model written for cegdb's tests.
"""


def route_repo(router, repo: str, *, config: dict | None = None, api: dict | None = None,
               config_status: int = 200, api_status: int = 200, readme: str | None = None) -> dict:
    """Routes for the three files of one repository; returns them by part."""
    routes = {
        "api": router.get(f"{HF}/api/models/{repo}").mock(
            return_value=httpx.Response(api_status, json=api or api_json(repo))),
        "config": router.get(f"{HF}/{repo}/resolve/main/config.json").mock(
            return_value=httpx.Response(config_status, content=json.dumps(config or llama_config()).encode())),
        "card": router.get(f"{HF}/{repo}/resolve/main/README.md").mock(
            return_value=httpx.Response(200 if readme is not False else 404,
                                        text=(readme or README).replace("{name}", repo))),
    }
    return routes
