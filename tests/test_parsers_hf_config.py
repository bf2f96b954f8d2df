"""config.json -> architecture and parameter counts; one fixture per awkward case."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers_support import FIXTURES, fixture, reference_dir, reference_files
from scrapers.errors import ParseError
from scrapers.parsers.hf_config import SYNONYMS, parse_hf_config


def parsed(name: str) -> dict:
    return parse_hf_config(fixture("hf_config", name), name)


# Exact totals. Llama-3.1-8B, Qwen2.5-7B and Qwen3-32B are the (issue 8); the Llama count
# is also its checkpoint's safetensors index: total_size 16,060,522,496 bytes of bf16 / 2. The
# others are the Hub's safetensors totals for the same configs, or a model card's exact count.
@pytest.mark.parametrize("name, total", [
    ("llama3_gqa_untied_rope_scaling.json", 8_030_261_248),
    ("qwen2_qkv_bias_sliding_window_disabled.json", 7_615_616_512),
    ("qwen3_qk_norm_head_dim.json", 32_762_123_264),
    ("gemma2_alternating_sliding_window.json", 9_241_705_984),
    ("gpt2_tied_absent_learned_positions.json", 124_439_808),
    ("t5_relative_gated_gelu_d_model.json", 247_577_856),
    ("bloom_alibi_n_embed.json", 559_214_592),
    ("mistral_v03_sliding_window_null.json", 7_248_023_552),
    # bigscience/bloom-7b1 model card: "7,069,016,064 parameters" (1,027,604,480 embedding).
    ("bloom_7b1_alibi_embedding_norm.json", 7_069_016_064),
    # EleutherAI/pythia-160m model card, table of exact counts: 162,322,944 total
    # (85,056,000 non-embedding).
    ("gpt_neox_pythia_160m_partial_rotary.json", 162_322_944),
])
def test_dense_parameter_counts_are_exact(name, total):
    record = parsed(name)
    assert record["parameters"] == total
    assert "active_parameters" not in record  # dense: active is the total, not repeated


@pytest.mark.parametrize("name, non_embedding", [
    # Gemma report (arXiv 2403.08295) Table 1, 2B: 1,981,884,416 non-embedding parameters.
    ("gemma_2b_mqa_geglu_no_tie_key.json", 1_981_884_416),
    # Gemma 2 report (arXiv 2408.00118) Table 2, 2.6B: 2,024,517,888 non-embedding parameters.
    ("gemma2_2b_sandwich_norms.json", 2_024_517_888),
    # Pythia model card: 160M has 85,056,000 non-embedding parameters (untied: two tables).
    ("gpt_neox_pythia_160m_partial_rotary.json", 85_056_000),
    # bigscience/bloom-7b1 model card: 7,069,016,064 total, 1,027,604,480 embedding.
    ("bloom_7b1_alibi_embedding_norm.json", 7_069_016_064 - 1_027_604_480),
])
def test_non_embedding_counts_match_the_papers_exactly(name, non_embedding):
    # Reports give the embedding table with a padded vocabulary (Gemma: 256,128 rows for a
    # 256,000-token config), so the part without embeddings is the exact comparison.
    record = parsed(name)
    breakdown = record["parameter_breakdown"]
    assert record["parameters"] - breakdown["embeddings"] - breakdown.get("output_head", 0) == non_embedding


# Published totals (and non-embedding counts where the card gives them), each within 1%.
# The source is named beside each number.
@pytest.mark.parametrize("name, published_total", [
    # Llama 2 paper (arXiv 2307.09288), Table 1: 13B.
    ("llama2_13b_tie_key_absent_class_default.json", 13e9),
    # Qwen/Qwen2.5-0.5B model card: "Number of Parameters: 0.49B".
    ("qwen2_5_0_5b_tied_qkv_bias.json", 0.49e9),
    # Qwen/Qwen3-0.6B model card: "Number of Parameters: 0.6B".
    ("qwen3_0_6b_tied_qk_norm.json", 0.6e9),
    # Phi-3 report (arXiv 2404.14219): "phi-3-mini, a 3.8 billion parameter language model".
    ("phi3_mini_untied_mha.json", 3.8e9),
    # Gemma 3 report, Table 1: 1B = 302M embedding + 698M non-embedding.
    ("gemma3_1b_text_qk_norm_pattern.json", 1.0e9),
    # Gemma report (arXiv 2403.08295) Table 1: 2B = 524,550,144 + 1,981,884,416 (padded vocabulary).
    ("gemma_2b_mqa_geglu_no_tie_key.json", 2_506_434_560),
    # Gemma 2 report Table 2: 2.6B = 590,118,912 + 2,024,517,888 (padded vocabulary).
    ("gemma2_2b_sandwich_norms.json", 2_614_636_800),
    # tiiuae/falcon-180B model card: "Falcon-180B is a 180B parameters causal decoder-only model".
    ("falcon_180b_new_decoder_grouped_kv.json", 180e9),
    # openai-community/gpt2-medium model card: "the 355M parameter version of GPT-2".
    ("gpt2_medium_n_inner_null.json", 355e6),
])
def test_dense_counts_within_one_percent_of_published(name, published_total):
    assert parsed(name)["parameters"] == pytest.approx(published_total, rel=0.01)


@pytest.mark.parametrize("name, published_non_embedding", [
    ("qwen2_5_0_5b_tied_qkv_bias.json", 0.36e9),  # Qwen2.5-0.5B card: "Non-Embedding: 0.36B"
    ("qwen3_0_6b_tied_qk_norm.json", 0.44e9),  # Qwen3-0.6B card: "Non-Embedding: 0.44B"
    ("gemma3_1b_text_qk_norm_pattern.json", 698e6),  # Gemma 3 report Table 1: 698M
])
def test_non_embedding_within_one_percent_of_published(name, published_non_embedding):
    record = parsed(name)
    non_embedding = record["parameters"] - record["parameter_breakdown"]["embeddings"]
    assert non_embedding == pytest.approx(published_non_embedding, rel=0.01)


@pytest.mark.parametrize("name, total, active, published_total, published_active", [
    # Mixtral-8x7B: 46.7B total / 12.9B active (Mistral AI, "Mixtral of experts", arXiv 2401.04088).
    ("mixtral_num_local_experts.json", 46_702_792_704, 12_879_925_248, 46.7e9, 12.9e9),
    # Mixtral-8x22B: 141B total / 39B active (Mistral AI announcement, April 2024).
    ("mixtral_8x22b_top2.json", 140_630_071_296, 39_161_468_928, 141e9, 39e9),
    # Qwen3-235B-A22B model card: "235B in total and 22B activated".
    ("qwen3_moe_235b_a22b_head_dim.json", 235_093_634_560, 22_190_763_520, 235e9, 22e9),
    # Qwen/Qwen1.5-MoE-A2.7B model card: "14.3B parameters in total and 2.7B activated"; a shared
    # expert of 5,632 with its sigmoid gate beside 60 routed experts of 1,408, top 4.
    ("qwen2_moe_shared_expert_gate.json", 14_315_784_192, 2_689_173_504, 14.3e9, 2.7e9),
    # OLMoE paper (arXiv 2409.02060): 6.9B total / 1.3B active; q/k norms over the whole projection.
    ("olmoe_1b_7b_full_width_qk_norm_experts.json", 6_919_161_856, 1_282_017_280, 6.9e9, 1.3e9),
])
def test_moe_counts_match_published_figures_within_one_percent(name, total, active, published_total,
                                                               published_active):
    record = parsed(name)
    assert (record["parameters"], record["active_parameters"]) == (total, active)
    assert record["parameters"] == pytest.approx(published_total, rel=0.01)
    # Published active counts are rounded to two digits (1.28B is reported as "1.3B").
    assert record["active_parameters"] == pytest.approx(published_active, rel=0.015)


def test_llama4_interleaved_moe_with_a_hard_coded_shared_expert():
    # meta-llama/Llama-4-Maverick-17B-128E model card: 17B activated, 400B total. The language
    # model alone (the vision tower is not counted) is 400.7B; per token 17.18B, which the card
    # rounds to 17B. Experts sit in every other layer (interleave_moe_layer_step 2); the dense
    # layers are intermediate_size_mlp wide and every MoE layer has one shared expert, neither of
    # which a generic reading of the config would know.
    record = parsed("llama4_maverick_wrapper_interleaved_moe_shared_expert.json")
    assert "parameters" not in record and record["text_model_type"] == "llama4_text"
    assert record["moe_layer_count"] == 24 and record["moe_layers"][:2] == [1, 3]
    assert record["moe_shared_experts"] == 1
    assert record["text_parameters"] == pytest.approx(400e9, rel=0.01)
    assert record["text_active_parameters"] == pytest.approx(17e9, rel=0.011)
    # Scout (16 experts in all 48 layers): same 17B per token, 107.8B of its 109B in the text model.
    scout = parsed("llama4_scout_wrapper_all_moe_layers.json")
    assert scout["moe_layer_count"] == 48
    assert scout["text_active_parameters"] == pytest.approx(17e9, rel=0.011)
    assert 0.98 < scout["text_parameters"] / 109e9 < 1.0


def test_qwen3_30b_a3b_active_count_rounds_to_the_published_figure():
    # Qwen3 technical report: 30.5B total, 3.3B activated. The count, 3.353B, is 1.6% above the
    # published figure, which truncates it (the embeddings and output head, 0.62B, are included:
    # without them it would be 2.73B).
    record = parsed("qwen3_moe_num_experts.json")
    assert (record["parameters"], record["active_parameters"]) == (30_532_122_624, 3_353_032_704)
    assert record["parameters"] == pytest.approx(30.5e9, rel=0.01)
    assert int(record["active_parameters"] / 1e8) / 10 == 3.3


@pytest.mark.parametrize("name, total, published_total, published_active", [
    # DeepSeek-V2 paper (arXiv 2405.04434): 236B total, 21B activated.
    ("deepseek_v2_mla_q_lora_shared_experts.json", 235_741_434_880, 236e9, 21e9),
    # Same paper, DeepSeek-V2-Lite: 15.7B total, 2.4B activated; queries not compressed.
    ("deepseek_v2_lite_mla_full_rank_queries.json", 15_706_484_224, 15.7e9, 2.4e9),
    # DeepSeek-V3 README: 671B total, 37B activated.
    ("deepseek_v3_mla_n_routed_experts_fp8.json", 671_026_419_200, 671e9, 37e9),
])
def test_deepseek_totals_and_the_active_count_conventions(name, total, published_total, published_active):
    record = parsed(name)
    assert record["attention"] == "mla"  # kv heads == heads must not read as MHA
    assert record["parameters"] == total
    assert record["parameters"] == pytest.approx(published_total, rel=0.01)
    # DeepSeek's activated counts leave out the input embedding table (a lookup): V2 21B vs
    # 20.85B (-0.7%), V3 37B vs 36.63B (-1.0%), V2-Lite 2.4B vs 2.45B (+2.1%), each closer than the
    # count with the input embedding (21.38B, 37.55B, 2.66B).
    without = record["active_parameters_excluding_input_embedding"]
    assert without == pytest.approx(published_active, rel=0.022)
    assert abs(without - published_active) < abs(record["active_parameters"] - published_active)


def test_deepseek_v3_mtp_module_is_counted_apart():
    record = parsed("deepseek_v3_mla_n_routed_experts_fp8.json")
    assert record["parameters"] == 671_026_419_200
    assert "multi-token-prediction" in record["parameters_note"]
    # DeepSeek-V3 README: "The total size of DeepSeek-V3 models on Hugging Face is 685B, which
    # includes 671B of the Main Model weights and 14B of the Multi-Token Prediction (MTP) Module
    # weights." One more MoE layer, its projection and norms, and its own embedding and head copies.
    assert record["extra_prediction_parameters"] == 13_463_426_304
    assert record["parameters"] + record["extra_prediction_parameters"] == pytest.approx(685e9, rel=0.01)
    assert record["active_parameters"] == 37_552_297_472
    assert record["active_parameters_excluding_input_embedding"] == 36_625_618_432
    assert (record["moe_experts"], record["moe_active_experts"], record["moe_shared_experts"]) == (256, 8, 1)
    assert record["moe_layer_count"] == 58 and record["moe_layers"][0] == 3  # first_k_dense_replace: 3
    assert record["quantization"] == "fp8" and record["quantization_details"]["fmt"] == "e4m3"
    assert record["rope_scaling"]["type"] == "yarn" and record["original_context_length"] == 4096
    assert any("topk_method noaux_tc" in a for a in record["assumptions"])  # the router's bias


@pytest.mark.parametrize("name, experts, active, shared", [
    ("mixtral_num_local_experts.json", 8, 2, None),
    ("qwen3_moe_num_experts.json", 128, 8, None),
    ("deepseek_v3_mla_n_routed_experts_fp8.json", 256, 8, 1),
    ("ernie_moe_num_experts_unknown_family.json", 64, 6, 2),
    ("qwen2_moe_shared_expert_gate.json", 60, 4, 1),
])
def test_moe_field_name_families_are_read_by_the_table(name, experts, active, shared):
    record = parsed(name)
    assert record["moe_experts"] == experts
    assert record["moe_active_experts"] == active
    assert record.get("moe_shared_experts") == shared


@pytest.mark.parametrize("keys, layers", [
    ({"first_k_dense_replace": 3, "moe_layer_freq": 1}, list(range(3, 8))),  # DeepSeek-V3
    ({"decoder_sparse_step": 2, "mlp_only_layers": [5]}, [1, 3, 7]),  # Qwen2-MoE
    ({"interleave_moe_layer_step": 2}, [1, 3, 5, 7]),  # Llama 4 Maverick
    ({"moe_layer_start_index": 1, "moe_layer_end_index": 6, "moe_layer_interval": 1}, [1, 2, 3, 4, 5, 6]),  # ERNIE
    ({"moe_layer_start_index": 2, "moe_layer_end_index": -1, "moe_layer_interval": 2}, [3, 5, 7]),
    ({"moe_layers": [0, 4]}, [0, 4]),
    ({"moe_layer_freq": [0, 1, 1, 0, 1, 1, 0, 1]}, [1, 2, 4, 5, 7]),  # a per-layer list of flags
])
def test_which_layers_hold_experts(keys, layers):
    config = {**json.loads(fixture("hf_config", "mixtral_num_local_experts.json")), "num_hidden_layers": 8, **keys}
    record = parse_hf_config(config)
    assert record["moe_layers"] == layers
    dense = 8 - len(layers)  # the other layers are dense MLPs of intermediate_size
    assert record["parameter_breakdown"].get("feed_forward", 0) == dense * 3 * 4096 * 14336


def test_made_up_model_type_with_a_standard_layout_is_counted():
    # "acme_lm" is in no table; its keys describe Llama-3.1-8B's layout, and the count is that
    # model's 8,030,261,248 (issue 8 and the Llama-3.1-8B safetensors index).
    record = parsed("made_up_model_type_standard_layout.json")
    assert record["parameters"] == 8_030_261_248
    assert "acme_lm" in record["parameters_note"]  # the claim says it was counted without a table row
    assert "acme_lm" in record["assumptions"][0]
    assert (record["attention"], record["activation"], record["norm"]) == ("gqa", "swiglu", "rmsnorm")


def test_made_up_moe_model_type_gets_total_and_active_within_one_percent():
    # Mixtral-8x22B's dimensions under a model_type no table knows: 141B total / 39B active
    # (Mistral AI), with experts keyed by num_experts as Qwen's configs do.
    record = parsed("made_up_moe_model_type_shared_experts.json")
    assert record["parameters"] == pytest.approx(141e9, rel=0.01)
    assert record["active_parameters"] == pytest.approx(39e9, rel=0.01)
    assert "acme_moe" in record["parameters_note"]


@pytest.mark.parametrize("name, published_total, published_active", [
    # gpt-oss model card (OpenAI, arXiv 2508.10925): gpt-oss-20b 20.9B total, 3.6B active.
    ("gpt_oss_20b_unknown_family_moe_attention_bias.json", 20.9e9, 3.6e9),
    # Same card: gpt-oss-120b 116.8B total, 5.1B active.
    ("gpt_oss_120b_unknown_family_moe_attention_bias.json", 116.8e9, 5.1e9),
])
def test_real_architecture_without_a_table_row_within_one_percent(name, published_total, published_active):
    # gpt_oss has no row anywhere: attention biases (attention_bias), GQA with an explicit
    # head_dim, 32 or 128 experts keyed num_local_experts / experts_per_token, alternating
    # sliding layers. OpenAI's active count leaves out the input embedding, as DeepSeek's does.
    # (Its experts' and router's small biases and per-head attention sinks, 0.03%, are not in
    # the config and not counted.)
    record = parsed(name)
    assert "gpt_oss" in record["parameters_note"]
    assert record["parameters"] == pytest.approx(published_total, rel=0.01)
    assert record["active_parameters_excluding_input_embedding"] == pytest.approx(published_active, rel=0.01)


def test_unknown_family_with_shared_experts_is_counted():
    # ERNIE 4.5 spells experts moe_num_experts / moe_k / moe_num_shared_experts; no table row.
    record = parsed("ernie_moe_num_experts_unknown_family.json")
    assert record["attention"] == "gqa" and record["kv_heads"] == 4
    breakdown = record["parameter_breakdown"]
    assert breakdown["shared_experts"] == 28 * 2 * 3 * 2560 * 1536  # two shared experts of 1,536 in 28 layers
    assert record["active_parameters"] < record["parameters"]
    assert "ernie4_5_moe" in record["parameters_note"]


# Families with no row but their tie default: changing the model_type to one no table knows
# changes nothing when the config says tie_word_embeddings, which shows the count is read from
# the config's structure, not from a family row.
@pytest.mark.parametrize("name", [
    "llama3_gqa_untied_rope_scaling.json", "mixtral_8x22b_top2.json", "phi3_mini_untied_mha.json",
    "deepseek_v3_mla_n_routed_experts_fp8.json", "deepseek_v2_lite_mla_full_rank_queries.json",
    "falcon_180b_new_decoder_grouped_kv.json", "gpt2_medium_n_inner_null.json",
    "gpt_neox_pythia_160m_partial_rotary.json", "gemma_2b_mqa_geglu_no_tie_key.json",
])
def test_standard_layouts_need_no_table_row(name):
    config = json.loads(fixture("hf_config", name))
    config.setdefault("tie_word_embeddings", parsed(name)["tied_embeddings"])
    known = parse_hf_config(config)
    anonymous = parse_hf_config({**config, "model_type": "never_seen_before"})
    assert anonymous["parameters"] == known["parameters"]
    assert anonymous.get("active_parameters") == known.get("active_parameters")


@pytest.mark.parametrize("name, expected", [
    # Hard-coded in the family's code, so only the table can say it.
    ("qwen2_5_0_5b_tied_qkv_bias.json", 896 + 2 * 128),  # Qwen2: q/k/v biases, one layer
    ("qwen3_0_6b_tied_qk_norm.json", 2 * 128),  # Qwen3: per-head q/k norms, one layer
    ("olmo2_7b_full_width_qk_norm.json", 2 * 4096),  # OLMo 2: q/k norms over the whole projection
])
def test_table_rows_are_the_genuine_exceptions(name, expected):
    config = json.loads(fixture("hf_config", name))
    anonymous = parse_hf_config({**config, "model_type": "never_seen_before"})
    assert parsed(name)["parameters"] - anonymous["parameters"] == expected * config["num_hidden_layers"]


def test_olmo_norms_without_parameters_and_olmo2_post_norm():
    # OLMo (1): LayerNorm with neither scale nor bias. 16 layers of 4 x 2048^2 attention and
    # 3 x 2048 x 8192 SwiGLU, tied 50,304-row embeddings, and nothing else.
    olmo = parsed("olmo_1b_parameter_free_norm.json")
    assert olmo["parameters"] == 16 * (4 * 2048 ** 2 + 3 * 2048 * 8192) + 50_304 * 2048
    assert "norms" not in olmo["parameter_breakdown"]
    olmo2 = parsed("olmo2_7b_full_width_qk_norm.json")
    per_layer = 4 * 4096 ** 2 + 2 * 4096 + 3 * 4096 * 11008 + 2 * 4096
    assert olmo2["parameters"] == 32 * per_layer + 4096 + 2 * 100_352 * 4096 == 7_298_617_344
    assert olmo2["norm_position"] == "post"


def test_falcon_7b_parallel_attention_multi_query():
    # One LayerNorm feeds attention and MLP (parallel_attn, old layout); q, k, v are one fused
    # 4544 x (4544 + 2 x 64) map; bias: false everywhere; 4 x hidden MLP; tied (key absent).
    record = parsed("falcon_multi_query_nulls.json")
    assert (record["attention"], record["kv_heads"]) == ("mqa", 1)
    per_layer = 4544 * (4544 + 128) + 4544 ** 2 + 2 * 4544 * 4 * 4544 + 2 * 4544
    assert record["parameters"] == 32 * per_layer + 2 * 4544 + 65_024 * 4544 == 6_921_720_704
    assert "rope_scaling" not in record and record["positional"] == "rope"


def test_phi2_parallel_block_and_biased_output_head():
    # Phi-2: attention and MLP in parallel off one LayerNorm, biases on every linear map including
    # the output head. Microsoft calls it "2.7 billion"; the checkpoint holds 2,779,683,840.
    record = parsed("phi2_parallel_block_lm_head_bias.json")
    h, inner = 2560, 10240
    per_layer = 4 * (h * h + h) + 2 * h * inner + inner + h + 2 * h
    assert record["parameters"] == 32 * per_layer + 2 * h + 51_200 * h * 2 + 51_200 == 2_779_683_840
    assert (record["activation"], record["positional"]) == ("gelu", "rope")


@pytest.mark.parametrize("name, assumption", [
    ("llama3_gqa_untied_rope_scaling.json", "head_dim absent: hidden_size / num_heads = 128"),
    ("gpt2_tied_absent_learned_positions.json", "tie_word_embeddings absent: tied, the PretrainedConfig default"),
    ("llama2_13b_tie_key_absent_class_default.json", "tie_word_embeddings absent: untied, the config class default"),
    ("gpt2_medium_n_inner_null.json", "intermediate size absent: 4 x hidden_size = 4096"),
    ("gpt2_medium_n_inner_null.json", "learned position table of 1024 rows"),
    ("gemma_2b_mqa_geglu_no_tie_key.json", "feed-forward gated (GeGLU, 3 matrices): GELU with RMSNorm"),
    ("bloom_alibi_n_embed.json", "q/k/v bias yes: no key; LayerNorm with a plain MLP (GPT-2 style)"),
    ("qwen2_qkv_bias_sliding_window_disabled.json", "q/k/v bias yes: fixed by the family's code"),
    ("qwen2_moe_shared_expert_gate.json",
     "shared_expert_intermediate_size: one shared expert with a hidden -> 1 gate (Qwen2-MoE)"),
    ("mixtral_num_local_experts.json", "expert size: intermediate_size (14336), as in Mixtral"),
])
def test_the_output_states_its_assumptions(name, assumption):
    assert assumption in parsed(name)["assumptions"]


@pytest.mark.parametrize("change, words", [
    ({"mamba_d_state": 16, "attn_layer_period": 8}, "mamba_d_state"),  # Jamba-style hybrid
    ({"layer_types": ["linear_attention", "full_attention"] * 16}, "linear_attention"),  # Qwen3-Next-style
    ({"is_encoder_decoder": True}, "encoder-decoder"),
])
def test_layouts_outside_the_recipe_are_declined_not_guessed(change, words):
    config = {**json.loads(fixture("hf_config", "made_up_model_type_standard_layout.json")), **change}
    record = parse_hf_config(config)
    assert "parameters" not in record and "active_parameters" not in record
    assert record["parameters_note"].startswith("not computed") and words in record["parameters_note"]
    assert record["attention"] == "gqa"  # the architecture is still read


def test_t5_assumptions_describe_the_encoder_decoder():
    record = parsed("t5_relative_gated_gelu_d_model.json")
    assert record["activation"] == "geglu"
    assert any(a.startswith("T5 encoder-decoder") for a in record["assumptions"])
    assert not any("two norms a layer" in a for a in record["assumptions"])


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "hf_config").glob("*.json")
                                         if "safetensors_index" not in p.name))
def test_every_fixture_breakdown_adds_up_to_the_total(name):
    record = parsed(name)
    total = record.get("parameters", record.get("text_parameters"))
    if total is None:
        pytest.fail(f"{name} is not counted: {record.get('parameters_note')}")
    assert sum(record["parameter_breakdown"].values()) == total
    assert record["assumptions"] and all(isinstance(a, str) and a for a in record["assumptions"])


@pytest.mark.parametrize("name, attention, kv_heads", [
    ("llama3_gqa_untied_rope_scaling.json", "gqa", 8),
    ("gpt2_tied_absent_learned_positions.json", "mha", 12),
    ("falcon_multi_query_nulls.json", "mqa", 1),
    ("falcon_180b_new_decoder_grouped_kv.json", "gqa", 8),
    ("deepseek_v3_mla_n_routed_experts_fp8.json", "mla", 128),
    ("llava_multimodal_text_config.json", "mha", 32),
])
def test_attention_kind(name, attention, kv_heads):
    record = parsed(name)
    assert (record["attention"], record["kv_heads"]) == (attention, kv_heads)


@pytest.mark.parametrize("name, tied", [
    ("llama3_gqa_untied_rope_scaling.json", False),
    ("gpt2_tied_absent_learned_positions.json", True),  # no key: PretrainedConfig's default, tied
    ("gemma2_alternating_sliding_window.json", True),
    ("t5_relative_gated_gelu_d_model.json", False),
    # No key, but LlamaConfig's default is untied: save_pretrained always writes False for it,
    # so a config without the key was written by hand and loads untied.
    ("llama2_13b_tie_key_absent_class_default.json", False),
])
def test_tied_embeddings_absent_means_the_class_default(name, tied):
    assert parsed(name)["tied_embeddings"] is tied


def test_tying_changes_the_count_by_one_embedding_matrix():
    config = json.loads(fixture("hf_config", "llama3_gqa_untied_rope_scaling.json"))
    untied = parse_hf_config(config)["parameters"]
    tied = parse_hf_config({**config, "tie_word_embeddings": True})["parameters"]
    assert untied - tied == 128_256 * 4_096


@pytest.mark.parametrize("name, window, layers, disabled", [
    ("qwen2_qkv_bias_sliding_window_disabled.json", None, None, 4096),  # use_sliding_window: false
    ("mistral_v01_sliding_window_enabled.json", 4096, 32, None),
    ("mistral_v03_sliding_window_null.json", None, None, None),
    ("gemma2_alternating_sliding_window.json", 4096, 21, None),  # every other layer of 42
    ("gemma3_1b_text_qk_norm_pattern.json", 512, 22, None),  # sliding_window_pattern 6: 26 - 26 // 6
    ("qwen3_qk_norm_head_dim.json", None, None, None),
])
def test_sliding_window_only_when_really_enabled(name, window, layers, disabled):
    record = parsed(name)
    assert record.get("sliding_window") == window
    assert record.get("sliding_window_layers") == layers
    assert record.get("sliding_window_disabled") == disabled


@pytest.mark.parametrize("name, positional, activation, norm", [
    ("llama3_gqa_untied_rope_scaling.json", "rope", "swiglu", "rmsnorm"),
    ("gpt2_tied_absent_learned_positions.json", "learned", "gelu", "layernorm"),
    ("t5_relative_gated_gelu_d_model.json", "relative", "geglu", "rmsnorm"),
    ("bloom_alibi_n_embed.json", "alibi", "gelu", "layernorm"),
    ("gemma2_alternating_sliding_window.json", "rope", "geglu", "rmsnorm"),
    ("gpt_neox_pythia_160m_partial_rotary.json", "rope", "gelu", "layernorm"),
    ("made_up_model_type_standard_layout.json", "rope", "swiglu", "rmsnorm"),
])
def test_positional_activation_norm(name, positional, activation, norm):
    record = parsed(name)
    assert (record["positional"], record["activation"], record["norm"]) == (positional, activation, norm)


def test_field_name_synonyms_for_width_and_depth():
    assert parsed("gpt2_tied_absent_learned_positions.json")["hidden_size"] == 768  # n_embd
    assert parsed("t5_relative_gated_gelu_d_model.json")["hidden_size"] == 768  # d_model
    assert parsed("bloom_alibi_n_embed.json")["hidden_size"] == 1024  # n_embed
    assert parsed("bloom_alibi_n_embed.json")["num_layers"] == 24  # n_layer
    assert parsed("t5_relative_gated_gelu_d_model.json")["num_decoder_layers"] == 12


def test_multimodal_wrapper_counts_the_text_model_only():
    record = parsed("llava_multimodal_text_config.json")
    assert record["multimodal"] is True and record["text_model_type"] == "llama"
    assert "parameters" not in record  # the vision tower is not counted, so no whole-model claim
    # Llama-2-7B's 6,738,415,616 with 64 extra vocabulary rows in the embeddings and the head.
    assert record["text_parameters"] == 6_738_415_616 + 2 * 64 * 4096
    assert record["tied_embeddings"] is False  # inherited from the wrapper's top level
    assert record["checkpoint_dtype"] == "fp16"
    assert "language model only" in record["parameters_note"]
    assert record["assumptions"][0].startswith("multimodal wrapper: the language model (text_config) is counted")


def test_safetensors_index_cross_check():
    # Llama-3.1-8B's model.safetensors.index.json: total_size 16,060,522,496 bytes of bf16.
    index = fixture("hf_config", "llama3_8b_safetensors_index_bf16.json")
    record = parse_hf_config(fixture("hf_config", "llama3_gqa_untied_rope_scaling.json"), "config.json", index=index)
    assert record["safetensors_index_bytes"] == 16_060_522_496
    assert record["safetensors_index_parameters"] == 8_030_261_248
    assert record["safetensors_index_ratio"] == 1.0
    assert any("bf16: 2 bytes a parameter" in a for a in record["assumptions"])
    # Counted in fp32 (4 bytes a parameter), the same file would hold half as many: ratio 2.
    fp32 = json.loads(fixture("hf_config", "llama3_gqa_untied_rope_scaling.json")) | {"torch_dtype": "float32"}
    assert parse_hf_config(fp32, index=json.loads(index))["safetensors_index_ratio"] == 2.0


@pytest.mark.parametrize("index, field", [
    ({"metadata": {}}, "metadata.total_size"),
    ({"metadata": {"total_size": "16GB"}}, "metadata.total_size"),
    ({"metadata": {"total_size": -1}}, "metadata.total_size"),
    ([1, 2], "metadata.total_size"),
    (b"{not json", None),
])
def test_unreadable_safetensors_index_names_the_field(index, field):
    with pytest.raises(ParseError) as caught:
        parse_hf_config(fixture("hf_config", "llama3_gqa_untied_rope_scaling.json"), "config.json", index=index)
    assert caught.value.source == "model.safetensors.index.json"
    assert caught.value.field == field


def test_safetensors_index_is_read_even_without_a_count():
    config = json.loads(fixture("hf_config", "made_up_model_type_standard_layout.json")) | {"mamba_d_state": 16}
    record = parse_hf_config(config, index={"metadata": {"total_size": 2_000}})
    assert record["safetensors_index_bytes"] == 2_000 and "safetensors_index_ratio" not in record
    assert "safetensors cross-check skipped: no parameter count" in record["assumptions"]
    with pytest.raises(ParseError, match="total_size"):
        parse_hf_config(config, index={"metadata": {"total_size": 0}})


def test_cli_index_option():
    from click.testing import CliRunner

    from scrapers.parse_cli import parse

    folder = FIXTURES / "hf_config"
    result = CliRunner().invoke(parse, ["hf-config", str(folder / "llama3_gqa_untied_rope_scaling.json"), "--json",
                                        "--index", str(folder / "llama3_8b_safetensors_index_bf16.json")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert (record["parameters"], record["safetensors_index_ratio"]) == (8_030_261_248, 1.0)
    assert isinstance(record["assumptions"], list)
    wrong = CliRunner().invoke(parse, ["hf-api", str(folder / "llama3_gqa_untied_rope_scaling.json"),
                                       "--index", str(folder / "llama3_8b_safetensors_index_bf16.json")])
    assert wrong.exit_code == 1 and "--index goes with hf-config only" in wrong.output


@pytest.mark.parametrize("change, field", [
    ({"hidden_size": "4096"}, "hidden_size"),
    ({"num_key_value_heads": 64}, "num_key_value_heads"),  # more kv heads than heads
    ({"num_attention_heads": 0}, "num_attention_heads"),
    ({"num_hidden_layers": 10 ** 9}, "num_hidden_layers"),
    ({"tie_word_embeddings": "no"}, "tie_word_embeddings"),
    ({"rope_scaling": [8.0]}, "rope_scaling"),
    ({"text_config": "llama"}, "text_config"),
])
def test_unreadable_values_name_the_file_and_the_field(change, field):
    config = {**json.loads(fixture("hf_config", "llama3_gqa_untied_rope_scaling.json")), **change}
    with pytest.raises(ParseError) as caught:
        parse_hf_config(json.dumps(config).encode(), "config.json")
    assert caught.value.source == "config.json"
    assert field in caught.value.field


@pytest.mark.parametrize("data", [b"", b"[1, 2]", b"{not json", b"\xff\xfe", b"null"])
def test_not_a_config_object(data):
    with pytest.raises(ParseError, match="config.json"):
        parse_hf_config(data, "config.json")


# Fuzzing: random JSON objects, biased towards the keys the parser reads, must either parse or
# raise ParseError; any other exception is a bug.
_keys = st.sampled_from(sorted({k for keys in SYNONYMS.values() for k in keys} | {
    "model_type", "tie_word_embeddings", "use_sliding_window", "kv_lora_rank", "q_lora_rank", "qk_nope_head_dim",
    "qk_rope_head_dim", "v_head_dim", "first_k_dense_replace", "moe_layer_freq", "decoder_sparse_step",
    "mlp_only_layers", "text_config", "rope_scaling", "quantization_config", "layer_types", "sliding_window_pattern",
    "max_window_layers", "attention_bias", "mlp_bias", "multi_query", "alibi", "num_nextn_predict_layers",
    "shared_expert_intermediate_size", "topk_method", "architectures", "position_embedding_type", "bias", "use_bias",
    "qkv_bias", "use_qkv_bias", "qk_layernorm", "use_qk_norm", "rmsnorm", "parallel_attn", "new_decoder_architecture",
    "num_ln_in_parallel_attn", "moe_layer_start_index", "n_positions", "is_encoder_decoder", "mamba_d_state",
    "interleave_moe_layer_step", "moe_layers", "moe_layer_end_index", "moe_layer_interval", "intermediate_size_mlp"}))
_leaf = (st.none() | st.booleans() | st.integers(min_value=-5, max_value=200_000) | st.floats(allow_nan=True)
         | st.sampled_from(["llama", "qwen2", "deepseek_v3", "gpt2", "t5", "gemma2", "bloom", "mixtral", "silu", "olmo",
                            "olmo2", "phi", "gptj", "falcon", "qwen2_moe", "linear_attention", "full_attention",
                            "gated-gelu", "noaux_tc", "sliding_attention", "bfloat16", "llama4_text", ""])
         | st.text(max_size=8))
_values = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6),
                       max_leaves=12)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=25))
def test_fuzz_random_configs_raise_only_parse_error(config):
    try:
        record = parse_hf_config(json.dumps(config).encode(), "fuzz.json")
    except ParseError:
        return
    json.dumps(record)  # whatever comes out can be printed by `cegdb parse --json`


BASES = ["llama3_gqa_untied_rope_scaling.json", "deepseek_v3_mla_n_routed_experts_fp8.json",
         "t5_relative_gated_gelu_d_model.json", "gpt2_tied_absent_learned_positions.json",
         "qwen3_moe_num_experts.json", "gemma2_alternating_sliding_window.json", "llava_multimodal_text_config.json",
         "falcon_180b_new_decoder_grouped_kv.json", "qwen2_moe_shared_expert_gate.json",
         "deepseek_v2_lite_mla_full_rank_queries.json", "olmoe_1b_7b_full_width_qk_norm_experts.json",
         "llama4_maverick_wrapper_interleaved_moe_shared_expert.json", "phi2_parallel_block_lm_head_bias.json"]


_mutation = (st.integers(min_value=-2, max_value=4) | st.none() | st.booleans() | st.sampled_from([0.5, 1e300, "8", ""])
             | st.lists(st.integers(-1, 3), max_size=3) | st.dictionaries(st.sampled_from(["type", "factor"]), _leaf,
                                                                            max_size=2) | _values)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(BASES), data=st.data())
def test_fuzz_mutated_real_configs_raise_only_parse_error(base, data):
    # Random configs rarely hold every key a count needs; mutating real ones reaches the
    # arithmetic. Keys come mostly from the config itself, values are small and awkward (0, -1).
    config = json.loads(fixture("hf_config", base))
    target = config["text_config"] if "text_config" in config else config
    keys = st.sampled_from(sorted(target)) | _keys
    for key in data.draw(st.lists(keys, min_size=1, max_size=4), label="keys"):
        if data.draw(st.booleans(), label=f"drop {key}"):
            target.pop(key, None)
        else:
            target[key] = data.draw(_mutation, label=key)
    try:
        record = parse_hf_config(json.dumps(config).encode(), "fuzz.json")
    except ParseError:
        return
    json.dumps(record)


AWKWARD = [0, -1, 1, 10 ** 7, None, "8", 2.5, True, [], {}, [0, -1]]


@pytest.mark.parametrize("base", BASES)
def test_every_key_set_to_every_awkward_value_raises_only_parse_error(base):
    # The systematic half of the fuzzing: one key at a time, so a single bad value (a zero that
    # is a divisor, a list where a number goes) is certain to be tried, not merely likely.
    original = json.loads(fixture("hf_config", base))
    nested = "text_config" in original
    keys = sorted((original["text_config"] if nested else original)) + ["moe_layer_freq", "decoder_sparse_step",
                                                                         "head_dim", "layer_types"]
    for key in keys:
        for value in AWKWARD:
            config = json.loads(fixture("hf_config", base))
            (config["text_config"] if nested else config)[key] = value
            try:
                json.dumps(parse_hf_config(config, "sweep.json"))
            except ParseError:
                pass


_small = st.integers(min_value=1, max_value=64)


@settings(max_examples=300, deadline=None)
@given(heads=_small, group=st.integers(1, 8), layers=_small, width=st.integers(1, 64), vocab=st.integers(50, 5000),
       inner=st.integers(1, 512), tied=st.booleans())
def test_fuzz_plausible_llama_configs_count_by_the_closed_form(heads, group, layers, width, vocab, inner, tied):
    kv = max(1, heads // group)
    heads = kv * group
    hidden = heads * width
    config = {"model_type": "llama", "hidden_size": hidden, "num_attention_heads": heads, "num_key_value_heads": kv,
              "num_hidden_layers": layers, "vocab_size": vocab, "intermediate_size": inner,
              "tie_word_embeddings": tied}
    record = parse_hf_config(json.dumps(config))
    per_layer = 2 * hidden * hidden + 2 * hidden * kv * width + 3 * hidden * inner + 2 * hidden
    assert record["parameters"] == layers * per_layer + hidden + vocab * hidden * (1 if tied else 2)


# The same parser over the real configs in ../shared/reference, when this checkout has them.
# Exact: the checkpoints' safetensors totals on the Hub (or the issue's figures), which equal the
# count because these configs describe the whole model.
EXACT = {
    "meta-llama--Meta-Llama-3.1-8B.config.json": 8_030_261_248,  # issue 8
    "Qwen--Qwen2.5-7B-Instruct.config.json": 7_615_616_512,  # issue 8
    "Qwen--Qwen3-32B.config.json": 32_762_123_264,  # issue 8
    "meta-llama--Llama-2-7b-chat-hf.config.json": 6_738_415_616,
    "TinyLlama--TinyLlama-1.1B-Chat-v1.0.config.json": 1_100_048_384,
    "microsoft--phi-4.config.json": 14_659_507_200,
    "openai-community--gpt2.config.json": 124_439_808,
    "google--gemma-2-9b-it.config.json": 9_241_705_984,
    "mistralai--Mistral-7B-Instruct-v0.3.to_dict.config.json": 7_248_023_552,
    "bigscience--bloomz-560m.config.json": 559_214_592,  # bigscience/bloom-560m card: "559,214,592 parameters"
    "google--flan-t5-base.config.json": 247_577_856,
}
# Within 1% of the published total (and active, for MoE), source beside each.
WITHIN_ONE_PERCENT = {
    "mistralai--Mixtral-8x7B-v0.1.config.json": (46.7e9, 12.9e9),  # Mistral AI, arXiv 2401.04088
    "deepseek-ai--DeepSeek-V3.config.json": (671e9, None),  # DeepSeek-V3 README (active: see above)
    "meta-llama--Meta-Llama-3.1-405B.config.json": (405e9, None),  # Llama 3.1 model card
    "meta-llama--Meta-Llama-3.1-70B.config.json": (70.6e9, None),  # the Hub shows 70.6B for the checkpoint
    "Qwen--Qwen2.5-1.5B-Instruct.config.json": (1.54e9, None),  # model card: "Number of Parameters: 1.54B"
    # Qwen3 report: 30.5B total; its "3.3B activated" truncates the count's 3.35B (tested above).
    "Qwen--Qwen3-30B-A3B.config.json": (30.5e9, None),
}


@pytest.mark.parametrize("name, total", sorted(EXACT.items()))
def test_reference_configs_exact_counts(name, total):
    path = reference_dir("hf_config") / name
    if not path.exists():
        pytest.skip(f"{name} not among the reference samples")
    assert parse_hf_config(path.read_bytes(), name)["parameters"] == total


@pytest.mark.parametrize("name, published", sorted(WITHIN_ONE_PERCENT.items()))
def test_reference_configs_within_one_percent(name, published):
    path = reference_dir("hf_config") / name
    if not path.exists():
        pytest.skip(f"{name} not among the reference samples")
    record = parse_hf_config(path.read_bytes(), name)
    assert record["parameters"] == pytest.approx(published[0], rel=0.01)
    if published[1]:
        assert record["active_parameters"] == pytest.approx(published[1], rel=0.01)


@pytest.mark.parametrize("path", reference_files("hf_config", "*.json"))
def test_every_reference_config_is_counted_and_checked(path):
    record = parse_hf_config(path.read_bytes(), path.name)
    assert record["attention"] in ("mha", "mqa", "gqa", "mla")
    assert record["parameters"] > 1e8 and record["assumptions"]
    # Every sample has a published count above, so a new sample cannot go unchecked.
    assert path.name in EXACT or path.name in WITHIN_ONE_PERCENT


def test_reference_samples_are_present_or_skipped():
    assert reference_dir("hf_config").is_dir()
