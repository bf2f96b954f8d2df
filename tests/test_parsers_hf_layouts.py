"""Config counts and labels that hold for any checkpoint (issue 20): switches a config carries,
ChatGLM/GLM, BART-family encoder-decoders, state-space and hybrid stacks, vision towers.

Fixtures are written here in the shape of real configs (the numbers are the models' published
shapes, which are facts); each expected count is worked out by hand in the test or is the
publisher's own figure, named beside it.
"""

from __future__ import annotations

import math

import pytest

from scrapers.errors import ParseError
from scrapers.parsers.hf_config import parse_hf_config
from scrapers.sources.hf_configs import innovation_links, name_size, name_size_warnings

# --- Doge: "is_moe": false beside "num_experts": 16384 ------------------------------------------------

DOGE_60M = {  # SmallDoge/Doge-60M's shape; the dense checkpoints keep the class default num_experts
    "architectures": ["DogeForCausalLM"], "model_type": "doge", "hidden_size": 512, "intermediate_size": 1024,
    "num_hidden_layers": 16, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 32768,
    "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 2048,
    "is_moe": False, "num_experts": 16384, "num_experts_per_tok": 64, "attention_bias": False, "mlp_bias": False,
    "keep_window_size": 2048, "tie_word_embeddings": True,
}


def doge_dense_by_hand(h=512, inner=1024, layers=16, heads=4, kv=2, vocab=32768) -> int:
    hd = h // heads
    attention = h * heads * hd * 2 + 2 * h * kv * hd  # q, o and k, v
    attention += kv + kv * hd * kv  # A and dt_proj of the dynamic mask
    attention += 2 * hd  # q_norm, k_norm
    layer = attention + 3 * h * inner + 2 * h + 2 * h  # gated MLP, two RMSNorms, two residual scales
    return layers * layer + vocab * h + h  # tied head, final norm


def test_is_moe_false_switches_the_experts_off():
    record = parse_hf_config(DOGE_60M, "doge-60m")
    assert record["parameters"] == doge_dense_by_hand() == 54_571_552  # was 412,480,455,168 counting 16384 experts
    assert "moe_experts" not in record and "active_parameters" not in record
    assert any("is_moe: false" in a for a in record["assumptions"])
    assert "sparse-moe" not in {link["id"] for link in innovation_links(record, "s")}


def test_is_moe_true_counts_doge_retrieval_experts():
    # SmallDoge/Doge-20M-MoE's shape: 1024 single-neuron experts, 16 a token.
    config = {**DOGE_60M, "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 8,
              "num_attention_heads": 2, "num_key_value_heads": 1, "is_moe": True, "num_experts": 1024,
              "num_experts_per_tok": 16}
    record = parse_hf_config(config, "doge-20m-moe")
    dense = doge_dense_by_hand(h=256, inner=512, layers=8, heads=2, kv=1)
    router = 256 * 2 * math.isqrt(1024)  # product keys
    assert record["parameters"] == dense + 8 * (1024 * 2 * 256 + router)
    assert record["active_parameters"] == dense + 8 * (16 * 2 * 256 + router)
    assert record["moe_experts"] == 1024


def test_experts_sized_zero_are_no_experts():
    # Granite 4.0-H dense checkpoints say num_local_experts: 0; that was refused before.
    config = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
              "num_attention_heads": 4, "vocab_size": 1000, "hidden_act": "silu", "num_local_experts": 0}
    record = parse_hf_config(config, "zero-experts")
    assert "moe_experts" not in record and record["parameters"] > 0


# --- ChatGLM / GLM: the fused gate+up of ChatGLM was read as a plain MLP -----------------------------

GLM4_9B_CHATGLM = {  # THUDM/glm-4-9b-chat's keys
    "architectures": ["ChatGLMModel"], "model_type": "chatglm", "hidden_size": 4096, "ffn_hidden_size": 13696,
    "num_layers": 40, "num_attention_heads": 32, "multi_query_attention": True, "multi_query_group_num": 2,
    "kv_channels": 128, "padded_vocab_size": 151552, "seq_length": 131072, "rmsnorm": True,
    "layernorm_epsilon": 1.5625e-07, "add_bias_linear": False, "add_qkv_bias": True, "post_layer_norm": True,
    "tie_word_embeddings": False, "rope_ratio": 500,
}
GLM4_9B_HF = {  # THUDM/glm-4-9b-chat-hf: the same weights in transformers' GLM format
    "architectures": ["GlmForCausalLM"], "model_type": "glm", "hidden_size": 4096, "intermediate_size": 13696,
    "num_hidden_layers": 40, "num_attention_heads": 32, "num_key_value_heads": 2, "head_dim": 128,
    "vocab_size": 151552, "attention_bias": True, "hidden_act": "silu", "rms_norm_eps": 1.5625e-07,
    "rope_theta": 10000.0, "tie_word_embeddings": False, "max_position_embeddings": 131072,
}


def test_chatglm_layout_counts_the_gate_and_matches_the_transformers_format():
    chatglm = parse_hf_config(GLM4_9B_CHATGLM, "glm-4-9b-chat")
    hf = parse_hf_config(GLM4_9B_HF, "glm-4-9b-chat-hf")
    h, inner, layers, vocab, kv = 4096, 13696, 40, 151552, 2 * 128
    attention = 2 * h * h + 2 * h * kv + (h + 2 * kv)  # q, o, k, v; biases on q, k, v only
    expected = layers * (attention + 3 * h * inner + 2 * h) + 2 * vocab * h + h
    assert chatglm["parameters"] == hf["parameters"] == expected == 9_399_951_360  # Hub: 9.4B
    assert chatglm["activation"] == "swiglu" and chatglm["positional"] == "rope"


# --- Marian (opus-mt-en-fr): swish, plain feed-forward, post-norm, sinusoidal positions --------------

OPUS_MT = {
    "architectures": ["MarianMTModel"], "model_type": "marian", "activation_function": "swish", "d_model": 512,
    "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 8, "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048, "vocab_size": 59514, "decoder_vocab_size": 59514,
    "max_position_embeddings": 512, "normalize_before": False, "normalize_embedding": False,
    "static_position_embeddings": True, "scale_embedding": True, "share_encoder_decoder_embeddings": True,
    "is_encoder_decoder": True, "num_hidden_layers": 6,
}


def test_marian_labels_and_count():
    record = parse_hf_config(OPUS_MT, "opus-mt-en-fr")
    assert (record["activation"], record["norm"], record["norm_position"], record["positional"]) == \
        ("other", "layernorm", "post", "sinusoidal")
    h, f = 512, 2048
    attention = 4 * h * h + 4 * h
    ffn = 2 * h * f + f + h
    encoder = 6 * (attention + ffn + 2 * 2 * h)
    decoder = 6 * (2 * attention + ffn + 3 * 2 * h)
    assert record["parameters"] == 59514 * h + encoder + decoder == 74_609_664
    links = {link["id"] for link in innovation_links(record, "s")}
    assert not links & {"swiglu", "rmsnorm"}


# --- state-space models: no feed-forward, selective-ssm ----------------------------------------------

MAMBA_130M = {  # state-spaces/mamba-130m-hf
    "architectures": ["MambaForCausalLM"], "model_type": "mamba", "hidden_size": 768, "d_model": 768,
    "intermediate_size": 1536, "num_hidden_layers": 24, "n_layer": 24, "state_size": 16, "conv_kernel": 4,
    "time_step_rank": 48, "expand": 2, "use_bias": False, "use_conv_bias": True, "vocab_size": 50280,
    "hidden_act": "silu", "layer_norm_epsilon": 1e-5, "rms_norm": True,
}


def test_mamba_is_counted_without_a_feed_forward():
    record = parse_hf_config(MAMBA_130M, "mamba-130m")
    h, d, n, r, k = 768, 1536, 16, 48, 4
    mixer = h * 2 * d + d * k + d + d * (r + 2 * n) + r * d + d + d * n + d + d * h
    assert record["parameters"] == 24 * (mixer + h) + 50280 * h + h == 129_135_360  # "130M"
    assert "activation" not in record and "attention" not in record
    assert record["positional"] == "none" and record["norm"] == "rmsnorm"
    links = {link["id"] for link in innovation_links(record, "s")}
    assert "selective-ssm" in links and "swiglu" not in links


def test_falcon_mamba_7b_matches_its_published_total():
    config = {**MAMBA_130M, "model_type": "falcon_mamba", "hidden_size": 4096, "intermediate_size": 8192,
              "num_hidden_layers": 64, "time_step_rank": 256, "vocab_size": 65024, "tie_word_embeddings": False}
    for key in ("d_model", "n_layer", "rms_norm"):
        config.pop(key)
    # tiiuae/falcon-mamba-7b model card: 7.27B parameters.
    assert parse_hf_config(config, "falcon-mamba")["parameters"] == pytest.approx(7.27e9, rel=0.002)


def test_rwkv4_169m():
    config = {"architectures": ["RwkvForCausalLM"], "model_type": "rwkv", "hidden_size": 768,
              "attention_hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "vocab_size": 50277,
              "context_length": 1024, "layer_norm_epsilon": 1e-5, "tie_word_embeddings": False}
    record = parse_hf_config(config, "rwkv-4-169m")
    assert record["parameters"] == pytest.approx(169e6, rel=0.01)  # RWKV/rwkv-4-169m-pile
    assert {link["id"] for link in innovation_links(record, "s")} >= {"rwkv"}


# --- hybrids, each against its publisher's total -----------------------------------------------------

BAMBA_9B = {  # ibm-ai-platform/Bamba-9B-v1
    "architectures": ["BambaForCausalLM"], "model_type": "bamba", "attn_layer_indices": [9, 18, 27],
    "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "vocab_size": 128256, "hidden_act": "silu", "rms_norm_eps": 1e-5,
    "mamba_n_heads": 128, "mamba_d_head": 64, "mamba_n_groups": 1, "mamba_d_state": 128, "mamba_d_conv": 4,
    "mamba_expand": 2, "mamba_conv_bias": True, "mamba_proj_bias": False, "tie_word_embeddings": False,
}
NEMOTRON_H_8B = {  # nvidia/Nemotron-H-8B-Base-8K
    "architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hidden_size": 4096,
    "hybrid_override_pattern": "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-", "intermediate_size": 21504,
    "num_hidden_layers": 52, "num_attention_heads": 32, "num_key_value_heads": 8, "attention_head_dim": 128,
    "mamba_num_heads": 128, "mamba_head_dim": 64, "n_groups": 8, "ssm_state_size": 128, "conv_kernel": 4,
    "expand": 2, "use_conv_bias": True, "mamba_proj_bias": False, "mlp_hidden_act": "relu2", "mlp_bias": False,
    "vocab_size": 131072, "layer_norm_epsilon": 1e-5, "tie_word_embeddings": False,
}
NEMOTRON_3_NANO = {  # nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16
    **NEMOTRON_H_8B, "hidden_size": 2688,
    "hybrid_override_pattern": "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME", "intermediate_size": 1856,
    "num_key_value_heads": 2, "head_dim": 128, "mamba_num_heads": 64, "moe_intermediate_size": 1856,
    "moe_shared_expert_intermediate_size": 3712, "n_routed_experts": 128, "n_shared_experts": 1,
    "num_experts_per_tok": 6, "rope_theta": 10000,
}
QWEN3_NEXT = {  # Qwen/Qwen3-Next-80B-A3B-Instruct
    "architectures": ["Qwen3NextForCausalLM"], "model_type": "qwen3_next", "hidden_size": 2048, "head_dim": 256,
    "intermediate_size": 5120, "num_hidden_layers": 48, "num_attention_heads": 16, "num_key_value_heads": 2,
    "full_attention_interval": 4, "linear_conv_kernel_dim": 4, "linear_key_head_dim": 128,
    "linear_num_key_heads": 16, "linear_num_value_heads": 32, "linear_value_head_dim": 128,
    "moe_intermediate_size": 512, "shared_expert_intermediate_size": 512, "num_experts": 512,
    "num_experts_per_tok": 10, "decoder_sparse_step": 1, "mlp_only_layers": [], "vocab_size": 151936,
    "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 10000000, "partial_rotary_factor": 0.25,
    "tie_word_embeddings": False,
}
GRANITE_4_H_SMALL = {  # ibm-granite/granite-4.0-h-small
    "architectures": ["GraniteMoeHybridForCausalLM"], "model_type": "granitemoehybrid", "hidden_size": 4096,
    "intermediate_size": 768, "shared_intermediate_size": 1536, "num_local_experts": 72, "num_experts_per_tok": 10,
    "layer_types": (["mamba"] * 5 + ["attention"] + ["mamba"] * 9 + ["attention"] + ["mamba"] * 9 + ["attention"]
                    + ["mamba"] * 9 + ["attention"] + ["mamba"] * 4),
    "num_hidden_layers": 40, "num_attention_heads": 32, "num_key_value_heads": 8, "mamba_n_heads": 128,
    "mamba_d_head": 64, "mamba_n_groups": 1, "mamba_d_state": 128, "mamba_d_conv": 4, "mamba_expand": 2,
    "mamba_conv_bias": True, "mamba_proj_bias": False, "vocab_size": 100352, "hidden_act": "silu",
    "rms_norm_eps": 1e-5, "position_embedding_type": "nope", "tie_word_embeddings": True,
}
LFM2_8B_A1B = {  # LiquidAI/LFM2-8B-A1B
    "architectures": ["Lfm2MoeForCausalLM"], "model_type": "lfm2_moe", "hidden_size": 2048,
    "intermediate_size": 7168, "moe_intermediate_size": 1792, "num_dense_layers": 2, "num_experts": 32,
    "num_experts_per_tok": 4, "use_expert_bias": True, "num_hidden_layers": 24, "num_attention_heads": 32,
    "num_key_value_heads": 8, "conv_L_cache": 3, "conv_bias": False, "vocab_size": 65536, "norm_eps": 1e-5,
    "layer_types": ["conv", "conv", "full_attention", "conv", "conv", "conv", "full_attention", "conv", "conv",
                    "conv", "full_attention", "conv", "conv", "conv", "full_attention", "conv", "conv", "conv",
                    "full_attention", "conv", "conv", "full_attention", "conv", "conv"],
    "rope_theta": 1000000.0,
}
MINIMAX_TEXT_01 = {  # MiniMaxAI/MiniMax-Text-01-hf: 7 lightning-attention layers, then one softmax layer
    "architectures": ["MiniMaxForCausalLM"], "model_type": "minimax", "hidden_size": 6144, "head_dim": 128,
    "intermediate_size": 9216, "num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8,
    "num_local_experts": 32, "num_experts_per_tok": 2, "vocab_size": 200064, "hidden_act": "silu",
    "layer_types": (["linear_attention"] * 7 + ["full_attention"]) * 10, "rms_norm_eps": 1e-5,
    "rope_theta": 10000000, "rotary_dim": 64, "tie_word_embeddings": False,
}


@pytest.mark.parametrize("config, total, active, source", [
    (BAMBA_9B, 9.78e9, None, "Bamba-9B model card: 9B (9.78B)"),
    (NEMOTRON_H_8B, 8e9, None, "Nemotron-H-8B-Base-8K card: 8B"),
    (NEMOTRON_3_NANO, 31.6e9, None, "Nemotron 3 Nano card: 31.6B total"),
    (QWEN3_NEXT, 80e9, None, "Qwen3-Next-80B-A3B: 80B total"),
    (GRANITE_4_H_SMALL, 32.2e9, 9e9, "Granite-4.0-H-Small: 32B total (32.2B), 9B active"),
    (LFM2_8B_A1B, 8.3e9, 1.5e9, "LFM2-8B-A1B: 8.3B total, 1.5B active"),
    (MINIMAX_TEXT_01, 456e9, None, "MiniMax-Text-01: 456B total"),
])
def test_hybrids_within_two_percent_of_their_publishers(config, total, active, source):
    record = parse_hf_config(config, source)
    assert record["parameters"] == pytest.approx(total, rel=0.02), source
    if active:
        assert record["active_parameters"] == pytest.approx(active, rel=0.05), source
    assert record.get("layer_mixers"), "the layer kinds are reported"


def test_bamba_attention_layers_use_rope():
    # attn_rotary_emb is Bamba's only rotary key; without it Bamba-9B-v1 had no positional claim.
    assert parse_hf_config({**BAMBA_9B, "attn_rotary_emb": 64}, "bamba")["positional"] == "rope"


def test_minimax_active_count_is_deepseeks_convention():
    # MiniMax-Text-01: 45.9B activated, the input and output embeddings left out.
    record = parse_hf_config(MINIMAX_TEXT_01, "minimax")
    assert record["active_parameters_excluding_input_embedding"] - 200064 * 6144 == pytest.approx(45.9e9, rel=0.01)


def test_hybrid_layer_kinds_and_links():
    record = parse_hf_config(NEMOTRON_3_NANO, "nano")
    assert record["layer_mixers"] == {"mamba2": 23, "attention": 6}
    assert record["moe_layer_count"] == 23
    assert record["activation"] == "other"  # squared ReLU, a plain MLP
    links = {link["id"] for link in innovation_links(record, "s")}
    assert {"mamba2", "sparse-moe", "shared-experts"} <= links
    qwen = parse_hf_config(QWEN3_NEXT, "qwen3-next")
    assert qwen["layer_mixers"] == {"gated_deltanet": 36, "attention": 12}
    assert "gated-deltanet" in {link["id"] for link in innovation_links(qwen, "s")}


def test_a_nemotron_pattern_of_the_wrong_length_is_refused_with_the_key():
    with pytest.raises(ParseError) as info:
        parse_hf_config({**NEMOTRON_H_8B, "hybrid_override_pattern": "M-*"}, "short")
    assert "hybrid_override_pattern" in str(info.value)


# --- per-layer lists --------------------------------------------------------------------------------

def test_moe_layer_freq_as_a_per_layer_list():
    config = {"model_type": "deepseek_v3", "hidden_size": 64, "intermediate_size": 256, "moe_intermediate_size": 32,
              "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 1000,
              "n_routed_experts": 8, "num_experts_per_tok": 2, "moe_layer_freq": [0, 1, 0, 1], "hidden_act": "silu"}
    assert parse_hf_config(config, "freq-list")["moe_layers"] == [1, 3]


def test_mlp_layer_types_and_heads_per_layer():
    base = {"model_type": "laguna", "hidden_size": 64, "intermediate_size": 256, "moe_intermediate_size": 32,
            "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
            "vocab_size": 1000, "num_experts": 8, "num_experts_per_tok": 2, "hidden_act": "silu"}
    record = parse_hf_config({**base, "mlp_layer_types": ["dense", "sparse", "sparse", "sparse"]}, "laguna")
    assert record["moe_layers"] == [1, 2, 3]
    wider = parse_hf_config({**base, "num_attention_heads_per_layer": [4, 8, 8, 8]}, "heads")
    plain = parse_hf_config(base, "plain")
    # Four more query heads in three layers: q and o grow by 4 x head_dim x hidden each.
    assert wider["parameters"] - plain["parameters"] == 3 * 2 * 64 * 4 * 16


# --- multimodal: the language model and the whole checkpoint -----------------------------------------

def test_qwen3_vl_whole_checkpoint_and_language_model():
    text = {"model_type": "qwen3_vl_text", "hidden_size": 5120, "intermediate_size": 25600,
            "num_hidden_layers": 64, "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 128,
            "vocab_size": 151936, "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 5000000,
            "tie_word_embeddings": False}
    vision = {"model_type": "qwen3_vl", "depth": 27, "hidden_size": 1152, "intermediate_size": 4304,
              "num_heads": 16, "in_channels": 3, "patch_size": 16, "temporal_patch_size": 2,
              "spatial_merge_size": 2, "num_position_embeddings": 2304, "out_hidden_size": 5120,
              "deepstack_visual_indexes": [8, 16, 24]}
    record = parse_hf_config({"model_type": "qwen3_vl", "text_config": text, "vision_config": vision,
                              "tie_word_embeddings": False}, "qwen3-vl-32b")
    assert record["parameters"] == record["text_parameters"] + record["vision_parameters"]
    assert record["parameters"] == pytest.approx(33.4e9, rel=0.005)  # Qwen3-VL-32B on the Hub: 33.4B


def test_a_tower_without_a_recipe_keeps_the_language_model_only():
    record = parse_hf_config({"model_type": "unknown_vlm", "vision_config": {"model_type": "mystery_vit"},
                              "text_config": {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
                                              "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 1000,
                                              "hidden_act": "silu"}}, "vlm")
    assert "parameters" not in record and record["text_parameters"] > 0
    assert any("mystery_vit" in a for a in record["assumptions"])


# --- cross-checks ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, size", [("Doge-60M", 60e6), ("Qwen3-30B-A3B", 30e9), ("rwkv-4-1b5-pile", 1.5e9),
                                        ("Mixtral-8x7B-v0.1", 56e9), ("Qwen3.8-2.4T-A95B", 2.4e12),
                                        ("gemma-4-E2B", None), ("Kimi-K2", None)])
def test_size_in_a_name(name, size):
    found = name_size(name)
    assert (found[0] if found else None) == size


def test_a_count_3x_from_the_name_is_a_warning():
    assert name_size_warnings("Doge-60M", {"parameters": 412_480_455_168})
    assert not name_size_warnings("Doge-60M", {"parameters": 54_571_552})


def test_an_index_off_by_more_than_two_percent_is_a_warning():
    index = {"metadata": {"total_size": 2 * 60_000_000}, "weight_map": {}}
    record = parse_hf_config({**DOGE_60M, "torch_dtype": "bfloat16"}, "doge", index=index)
    assert record["count_warnings"] and "safetensors index" in record["count_warnings"][0]
    exact = {"metadata": {"total_size": 2 * doge_dense_by_hand()}, "weight_map": {}}
    assert "count_warnings" not in parse_hf_config({**DOGE_60M, "torch_dtype": "bfloat16"}, "doge", index=exact)


def test_mlp_layer_types_cover_the_main_layers_and_an_mtp_layer_follows_the_last():
    # GLM-5: 78 entries for 78 layers, plus one multi-token-prediction layer counted apart.
    config = {"model_type": "glm_moe_dsa", "hidden_size": 64, "intermediate_size": 256, "moe_intermediate_size": 32,
              "num_hidden_layers": 3, "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 1000,
              "n_routed_experts": 8, "num_experts_per_tok": 2, "n_shared_experts": 1, "hidden_act": "silu",
              "mlp_layer_types": ["dense", "sparse", "sparse"], "num_nextn_predict_layers": 1,
              "first_k_dense_replace": 1}
    record = parse_hf_config(config, "glm-5-shaped")
    assert record["moe_layers"] == [1, 2] and record["extra_prediction_parameters"] > 0


def test_nemotron_nas_block_configs():
    # Llama-3.3-Nemotron-Super-49B-v1: per-layer block configs; some layers drop attention (no_op).
    keep = {"attention": {"n_heads_in_group": 8, "no_op": False, "replace_with_linear": False},
            "ffn": {"ffn_mult": 5.25, "no_op": False, "replace_with_linear": False}}
    drop = {"attention": {"n_heads_in_group": None, "no_op": True, "replace_with_linear": False},
            "ffn": {"ffn_mult": 1.0, "no_op": False, "replace_with_linear": False}}
    config = {"model_type": "nemotron-nas", "hidden_size": 1024, "num_attention_heads": 16, "num_hidden_layers": 3,
              "num_key_value_heads": None, "intermediate_size": None, "vocab_size": 1000, "hidden_act": "silu",
              "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": False,
              "block_configs": [keep, drop, keep]}
    record = parse_hf_config(config, "nas")
    h, head_dim, kv = 1024, 64, 2
    attention = 2 * h * 16 * head_dim + 2 * h * kv * head_dim + h
    wide, narrow = 256 * math.ceil(int(2 * 5.25 * h / 3) / 256), 256 * math.ceil(int(2 * 1.0 * h / 3) / 256)
    expected = 2 * (attention + 3 * h * wide + h) + (3 * h * narrow + h) + 2 * 1000 * h + h
    assert record["parameters"] == expected
    assert (record["attention"], record["kv_heads"]) == ("gqa", 2)


def test_xlstm_7b_matches_its_published_total():
    config = {"model_type": "xlstm", "embedding_dim": 4096, "num_blocks": 32, "num_heads": 8, "qk_dim_factor": 0.5,
              "v_dim_factor": 1.0, "ffn_proj_factor": 2.667, "ffn_round_up_to_multiple_of": 64, "use_bias": False,
              "vocab_size": 50304, "tie_word_embeddings": False, "norm_eps": 1e-6}
    record = parse_hf_config(config, "xlstm-7b")
    assert record["parameters"] == pytest.approx(6.87e9, rel=0.005)  # NX-AI/xLSTM-7b on the Hub: 6.87B
    assert "attention" not in record
    assert "xlstm" in {link["id"] for link in innovation_links(record, "s")}
