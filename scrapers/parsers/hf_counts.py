"""Parameter counts from a Hugging Face config, tensor by tensor, driven by a family table.

Each `Family` row says how a transformers implementation lays out one block: gated MLP or not,
which projections carry biases, RMSNorm or LayerNorm (with its bias), how many norms per
layer, per-head q/k norms, learned positions. The arithmetic is the same for every row, so a
new family is a new row whose numbers a test can check against its published total.

Active parameters count what one token touches: attention, the routed experts it is sent to
(`moe_active_experts`), the shared experts and the router, plus the embeddings and the output
head. That is the convention behind Mixtral's published 12.9B active of 46.7B.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.errors import ParseError


@dataclass(frozen=True)
class Family:
    layout: str = "decoder"  # "decoder" (one stack) or "t5" (encoder-decoder with relative bias)
    gated_mlp: bool = True  # gate and up projections (SwiGLU, GeGLU): 3 matrices instead of 2
    norm: str = "rmsnorm"
    norm_bias: bool = False  # LayerNorm has a bias as well as a scale: 2 x hidden per norm
    norms_per_layer: int = 2
    qk_norm: bool = False  # a norm over each head's queries and keys (Qwen3, Gemma 3)
    qkv_bias: bool = False
    o_bias: bool = False
    mlp_bias: bool = False
    bias_keys: bool = False  # the config's attention_bias / mlp_bias switch these (Llama, Qwen3)
    positional: str | None = "rope"
    position_offset: int = 0  # OPT learns max_position_embeddings + 2 positions
    embedding_norm: bool = False  # BLOOM normalises the word embeddings
    norm_position: str | None = "pre"
    shared_expert_gate: bool = False  # Qwen2-MoE gates its shared expert with a hidden -> 1 map
    sliding_every: int | None = None  # one full-attention layer in this many (Gemma 2: alternate)
    default_mlp_ratio: int | None = None  # GPT-2 and BLOOM write n_inner: null for 4 x hidden
    activation: str | None = None  # when the config names none (BLOOM's GELU is hard-coded)


_LAYERNORM_ALL_BIASES = dict(gated_mlp=False, norm="layernorm", norm_bias=True, qkv_bias=True, o_bias=True,
                             mlp_bias=True)
FAMILIES: dict[str, Family] = {
    "llama": Family(bias_keys=True),
    "mistral": Family(),
    "mixtral": Family(),
    "phi3": Family(),
    "qwen2": Family(qkv_bias=True),  # q, k, v carry biases, o does not (hard-coded in Qwen2)
    "qwen2_moe": Family(qkv_bias=True, shared_expert_gate=True),
    "qwen3": Family(qk_norm=True, bias_keys=True),
    "qwen3_moe": Family(qk_norm=True, bias_keys=True),
    "gemma": Family(bias_keys=True),
    # Gemma 2 and 3 norm before and after both attention and MLP ("sandwich"): 4 norms a layer.
    "gemma2": Family(norms_per_layer=4, bias_keys=True, sliding_every=2, norm_position=None),
    "gemma3_text": Family(norms_per_layer=4, qk_norm=True, bias_keys=True, norm_position=None),
    "deepseek_v2": Family(bias_keys=True),
    "deepseek_v3": Family(bias_keys=True),
    "gpt2": Family(**_LAYERNORM_ALL_BIASES, positional="learned", default_mlp_ratio=4),
    "bloom": Family(**_LAYERNORM_ALL_BIASES, positional="alibi", embedding_norm=True, default_mlp_ratio=4,
                    activation="gelu"),
    "gpt_neox": Family(**_LAYERNORM_ALL_BIASES),
    "opt": Family(**_LAYERNORM_ALL_BIASES, positional="learned", position_offset=2),
    "t5": Family(layout="t5", gated_mlp=False, positional="relative"),
    "mt5": Family(layout="t5", gated_mlp=False, positional="relative"),
    "umt5": Family(layout="t5", gated_mlp=False, positional="relative"),
}

# Which layers hold experts: config key -> test on (layer index, value). All present keys apply.
MOE_LAYER_RULES = (
    ("first_k_dense_replace", "int", lambda i, v: i >= v),  # DeepSeek: the first k layers stay dense
    ("moe_layer_freq", "positive", lambda i, v: i % v == 0),
    ("decoder_sparse_step", "positive", lambda i, v: (i + 1) % v == 0),  # Qwen-MoE
    ("interleave_moe_layer_step", "positive", lambda i, v: (i + 1) % v == 0),  # Llama 4
    ("mlp_only_layers", "list", lambda i, v: i not in v),
    ("moe_layers", "list", lambda i, v: i in v),
)
# Config settings that add a per-expert bias to the router (DeepSeek-V3's aux-loss-free balancing
# keeps e_score_correction_bias, one value per routed expert).
ROUTER_BIAS = (("topk_method", "noaux_tc"),)


def moe_layer_indices(cfg, layers: int) -> list[int]:
    tests = []
    for key, kind, test in MOE_LAYER_RULES:
        value = cfg.raw.get(key)
        if value is None:
            continue
        if kind == "list":
            if not isinstance(value, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in value):
                raise ParseError(cfg.source, cfg.prefix + key, "expected a list of layer numbers")
            value = frozenset(value)
        else:
            value = cfg.int(key, minimum=1 if kind == "positive" else 0)
        tests.append((test, value))
    return [i for i in range(layers) if all(test(i, value) for test, value in tests)]


def count_parameters(cfg, family: Family, record: dict):
    """(total, active, note, active without the input embedding table) or, when the config does
    not describe the model fully, the reason as text.

    Publishers differ on the input embeddings (a lookup, not a matrix product): Mixtral's 12.9B
    active counts them, DeepSeek-V3's 37B appears not to (37.55B with, 36.63B without), so both
    figures are returned and the record says which is which.
    """
    hidden, layers, heads, vocab = (record.get(k) for k in ("hidden_size", "num_layers", "num_heads", "vocab_size"))
    missing = [name for name, value in (("hidden_size", hidden), ("num_layers", layers), ("num_heads", heads),
                                        ("vocab_size", vocab)) if value is None]
    if missing:
        return "not computed: the config gives no " + ", ".join(missing)
    if family.layout == "t5":
        return _t5(cfg, record, hidden, layers, heads, vocab)
    head_dim = record.get("head_dim")
    if head_dim is None:
        if hidden % heads:
            return "not computed: hidden_size is not a multiple of num_heads and head_dim is absent"
        head_dim = hidden // heads
    qkv_bias, o_bias, mlp_bias = family.qkv_bias, family.o_bias, family.mlp_bias
    if family.bias_keys:
        attention_bias, bias = cfg.bool("attention_bias"), cfg.bool("mlp_bias")
        qkv_bias = o_bias = qkv_bias if attention_bias is None else attention_bias
        mlp_bias = mlp_bias if bias is None else bias
    norm = hidden * (2 if family.norm_bias else 1)

    if record.get("attention") == "mla":
        attention = _mla(cfg, hidden, heads)
        if isinstance(attention, str):
            return attention
    else:
        kv = record.get("kv_heads") or heads
        q_out, kv_out = heads * head_dim, kv * head_dim
        attention = 2 * hidden * q_out + 2 * hidden * kv_out
        attention += (q_out + 2 * kv_out if qkv_bias else 0) + (hidden if o_bias else 0)
        attention += 2 * head_dim if family.qk_norm else 0

    def mlp(inner: int) -> int:
        matrices = 3 if family.gated_mlp else 2
        biases = ((2 * inner if family.gated_mlp else inner) + hidden) if mlp_bias else 0
        return matrices * hidden * inner + biases

    inner = record.get("intermediate_size") or (family.default_mlp_ratio * hidden if family.default_mlp_ratio else None)
    moe_layers = len(record.get("moe_layers") or ())
    dense_layers = layers - moe_layers
    if dense_layers and inner is None:
        return "not computed: the config gives no intermediate_size"
    per_layer = attention + family.norms_per_layer * norm
    total = active = dense_layers * (per_layer + mlp(inner)) if dense_layers else 0
    if moe_layers:
        experts, top_k = record["moe_experts"], record.get("moe_active_experts")
        expert_inner = record.get("moe_intermediate_size") or inner
        if top_k is None or expert_inner is None:
            return "not computed: a mixture-of-experts config without experts per token or expert size"
        shared_inner = cfg.int("shared_expert_intermediate_size", minimum=0)
        if shared_inner:
            shared = mlp(shared_inner) + (hidden if family.shared_expert_gate else 0)
        else:
            shared = (record.get("moe_shared_experts") or 0) * mlp(expert_inner)
        router = experts * hidden + (experts if any(cfg.raw.get(k) == v for k, v in ROUTER_BIAS) else 0)
        total += moe_layers * (per_layer + experts * mlp(expert_inner) + shared + router)
        active += moe_layers * (per_layer + top_k * mlp(expert_inner) + shared + router)

    outside = vocab * hidden + norm  # input embeddings and the final norm
    outside += 0 if record.get("tied_embeddings") else vocab * hidden
    outside += norm if family.embedding_norm else 0
    if family.positional == "learned":
        context = record.get("context_length")
        if context is None:
            return "not computed: learned positions but no max_position_embeddings / n_positions"
        outside += (context + family.position_offset) * hidden
    note = None
    mtp = cfg.raw.get("num_nextn_predict_layers")
    if isinstance(mtp, int) and not isinstance(mtp, bool) and mtp > 0:
        # DeepSeek-V3 ships 14B of multi-token-prediction weights beside the 671B main model.
        note = f"main model only: the {mtp} multi-token-prediction layer(s) in the checkpoint are not counted"
    return total + outside, active + outside, note, active + outside - vocab * hidden


def _mla(cfg, hidden: int, heads: int):
    """Multi-head latent attention (DeepSeek-V2/V3): low-rank query and key/value projections."""
    q_rank = cfg.int("q_lora_rank")
    kv_rank, nope, rope, v_dim = (cfg.int(k) for k in ("kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
                                                      "v_head_dim"))
    if None in (kv_rank, nope, rope, v_dim):
        return "not computed: MLA config without kv_lora_rank, qk_nope/rope_head_dim or v_head_dim"
    qk_dim = nope + rope
    query = (hidden * q_rank + q_rank + q_rank * heads * qk_dim) if q_rank else hidden * heads * qk_dim
    key_value = hidden * (kv_rank + rope) + kv_rank + kv_rank * heads * (nope + v_dim)
    output = heads * v_dim * hidden
    bias = ((q_rank or heads * qk_dim) + kv_rank + rope + hidden) if cfg.bool("attention_bias") else 0
    return query + key_value + output + bias


def _t5(cfg, record: dict, hidden: int, layers: int, heads: int, vocab: int):
    """T5 / mT5: shared embeddings, relative-position bias in each stack's first layer only."""
    d_kv, d_ff = record.get("head_dim"), record.get("intermediate_size")
    if d_kv is None or d_ff is None:
        return "not computed: T5 config without d_kv or d_ff"
    gated = str(cfg.raw.get("feed_forward_proj", "relu")).startswith("gated")
    buckets = cfg.int("relative_attention_num_buckets") or 32
    attention = 4 * hidden * heads * d_kv
    ffn = (3 if gated else 2) * hidden * d_ff
    decoder_layers = record.get("num_decoder_layers") or layers
    # T5's norm is a scale only (no bias): one vector of `hidden` per norm.
    encoder = layers * (attention + ffn + 2 * hidden) + buckets * heads + hidden
    decoder = decoder_layers * (2 * attention + ffn + 3 * hidden) + buckets * heads + hidden
    total = vocab * hidden + encoder + decoder + (0 if record.get("tied_embeddings") else vocab * hidden)
    return total, total, None, None
