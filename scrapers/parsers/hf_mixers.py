"""State-space, linear-attention and hybrid stacks, counted layer by layer from their configs.

A hybrid decoder is a list of layers, each a token mixer (attention, a Mamba or Mamba-2 block,
Gated DeltaNet, a short convolution, lightning attention) and a feed-forward (none, dense, or a
mixture of experts). Families say which layer is which in different ways: `layer_types` (Qwen3-Next,
Qwen3.5, LFM2, MiniMax, Granite 4.0-H), `hybrid_override_pattern` or `layers_block_type`
(Nemotron-H: M Mamba-2, * attention, - MLP, E experts, one per layer), `attn_layer_indices` (Bamba),
`attn_layer_period`/`expert_layer_period` (Jamba), `full_attention_interval` (Qwen3-Next without a
list). `STACKS` maps a family to the reader of its pattern and to how its blocks are built; the
tensor shapes of each mixer follow the family's modelling code in transformers and are listed in
`assumptions` with every key they were read from.

Pure state-space models (Mamba, Falcon Mamba, RWKV-4) have no feed-forward at all: their
activation is the mixer's gate, not an MLP's, and is not reported as one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scrapers.errors import ParseError

# Layer-kind words of `layer_types` / `layers_block_type` -> mixer (None: the layer is feed-forward only).
KIND_WORDS = {"full_attention": "attention", "attention": "attention", "sliding_attention": "attention",
              "linear_attention": "linear", "mamba": "mamba2", "conv": "short_conv", "moe": None, "mlp": None}
NEMOTRON_SYMBOLS = {"M": ("mamba2", None), "*": ("attention", None), "-": (None, "dense"), "E": (None, "moe")}
# What each mixer kind is, for `layer_mixers` and the innovation links (datasets/innovations.yaml ids).
MIXER_INNOVATIONS = {"mamba": "selective-ssm", "mamba2": "mamba2", "gated_deltanet": "gated-deltanet",
                     "kda": "deltanet", "rwkv": "rwkv", "mlstm": "xlstm"}


@dataclass(frozen=True)
class Stack:
    """How one family lays out its layers."""

    pattern: str  # "all_mamba", "nemotron", "layer_types", "bamba", "jamba"
    linear: str = "gated_deltanet"  # what `linear_attention` means in this family
    mamba: str = "mamba2"  # Mamba generation of its `mamba` layers
    ffn: str = "per_layer"  # "none", "per_layer" (every layer has one), "pattern" (the pattern says)
    moe_from: str = "keys"  # which layers hold experts: "keys" (expert keys apply to all), "dense_first", "jamba"
    norms_per_layer: int = 2
    attention_gate: bool = False  # Qwen3-Next/3.5: q_proj doubled to gate the attention output
    qk_norm: bool = False
    plain_ffn: bool = False  # Nemotron-H: up and down only (squared ReLU)
    router_bias: bool = False  # a per-expert score-correction bias beside the router
    shared_gate: bool = False  # Qwen: a hidden -> 1 gate on the shared expert
    granite_shared: bool = False  # Granite 4.0-H: a gated shared MLP in every layer beside the experts


STACKS: dict[str, Stack] = {
    "mamba": Stack("all_mamba", mamba="mamba", ffn="none", norms_per_layer=1),
    "falcon_mamba": Stack("all_mamba", mamba="mamba", ffn="none", norms_per_layer=1),
    "mamba2": Stack("all_mamba", mamba="mamba2", ffn="none", norms_per_layer=1),
    "bamba": Stack("bamba"),
    "jamba": Stack("jamba", mamba="mamba", moe_from="jamba"),
    "granitemoehybrid": Stack("layer_types", granite_shared=True),
    "nemotron_h": Stack("nemotron", ffn="pattern", norms_per_layer=1, plain_ffn=True, router_bias=True),
    "qwen3_next": Stack("layer_types", attention_gate=True, qk_norm=True, shared_gate=True),
    "qwen3_5_text": Stack("layer_types", attention_gate=True, qk_norm=True, shared_gate=True),
    "qwen3_5_moe_text": Stack("layer_types", attention_gate=True, qk_norm=True, shared_gate=True),
    "lfm2": Stack("layer_types", qk_norm=True),
    "lfm2_moe": Stack("layer_types", qk_norm=True, moe_from="dense_first", router_bias=True),
    "minimax": Stack("layer_types", linear="lightning"),
    # Kimi Linear: Kimi Delta Attention layers and MLA layers (linear_attn_config, 1-based layer numbers).
    "kimi_linear": Stack("kimi", linear="kda", router_bias=True),
    # Ling 2.5 (Bailing hybrid): one MLA layer closing each group of layer_group_size, lightning attention before.
    "bailing_hybrid": Stack("group", linear="lightning", qk_norm=True, router_bias=True),
}


MAX_WIDTH = 10_000_000  # widths past this are not a real model (and overflow the float arithmetic below)


def _width(cfg, key: str, value: int) -> int:
    if value > MAX_WIDTH:
        raise ParseError(cfg.source, cfg.prefix + key, f"{value} is not a real width")
    return value


def _int(cfg, *keys: str, default: int | None = None, minimum: int = 0) -> int | None:
    for key in keys:
        value = cfg.raw.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ParseError(cfg.source, cfg.prefix + key, f"expected an integer, got {value!r:.80}")
        if value < minimum:
            raise ParseError(cfg.source, cfg.prefix + key, f"expected an integer >= {minimum}, got {value}")
        return value
    return default


def _flag(cfg, *keys: str, default: bool = False) -> bool:
    for key in keys:
        value = cfg.raw.get(key)
        if isinstance(value, bool):
            return value
    return default


def layer_plan(cfg, stack: Stack, layers: int) -> tuple[list[tuple[str | None, str | None]], str]:
    """[(mixer, feed-forward)] per layer, and the key the pattern was read from."""
    raw = cfg.raw
    if stack.pattern == "all_mamba":
        return [(stack.mamba, None)] * layers, f"model_type: every layer a {stack.mamba} block"
    if stack.pattern == "nemotron":
        pattern = raw.get("hybrid_override_pattern")
        if isinstance(pattern, str):
            unknown = sorted(set(pattern) - set(NEMOTRON_SYMBOLS))
            if unknown or len(pattern) != layers:
                raise ParseError(cfg.source, cfg.prefix + "hybrid_override_pattern",
                                 f"expected {layers} of M * - E, got {pattern!r:.80}")
            return [NEMOTRON_SYMBOLS[c] for c in pattern], "hybrid_override_pattern"
        kinds = raw.get("layers_block_type")
        if isinstance(kinds, list):
            words = {"mamba": ("mamba2", None), "attention": ("attention", None), "mlp": (None, "dense"),
                     "moe": (None, "moe")}
            if not all(k in words for k in kinds):
                raise ParseError(cfg.source, cfg.prefix + "layers_block_type", "expected mamba/attention/mlp/moe")
            return [words[k] for k in kinds], "layers_block_type"
        raise ParseError(cfg.source, cfg.prefix + "hybrid_override_pattern", "a Nemotron-H config needs a layer pattern")
    if stack.pattern == "bamba":
        indices = raw.get("attn_layer_indices") or []
        if not isinstance(indices, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in indices):
            raise ParseError(cfg.source, cfg.prefix + "attn_layer_indices", "expected a list of layer numbers")
        return [("attention" if i in indices else "mamba2", "dense") for i in range(layers)], "attn_layer_indices"
    if stack.pattern == "jamba":
        period, offset = _int(cfg, "attn_layer_period", default=1, minimum=1), _int(cfg, "attn_layer_offset", default=0)
        return [("attention" if i % period == offset else "mamba", "dense") for i in range(layers)], \
            "attn_layer_period / attn_layer_offset"
    if stack.pattern == "kimi":
        linear = raw.get("linear_attn_config")
        full = linear.get("full_attn_layers") if isinstance(linear, dict) else None
        if not isinstance(full, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in full):
            raise ParseError(cfg.source, cfg.prefix + "linear_attn_config.full_attn_layers",
                             "expected the (1-based) numbers of the full-attention layers")
        return [("attention" if i + 1 in full else stack.linear, "dense") for i in range(layers)], \
            "linear_attn_config.full_attn_layers (1-based)"
    if stack.pattern == "group":
        size = _int(cfg, "layer_group_size", minimum=1)
        if size is None:
            raise ParseError(cfg.source, cfg.prefix + "layer_group_size", "a grouped hybrid needs layer_group_size")
        return [("attention" if (i + 1) % size == 0 else stack.linear, "dense") for i in range(layers)], \
            "layer_group_size (the last layer of each group is full attention)"
    kinds = raw.get("layer_types")
    if isinstance(kinds, list):
        if len(kinds) != layers or not all(isinstance(k, str) and k in KIND_WORDS for k in kinds):
            raise ParseError(cfg.source, cfg.prefix + "layer_types",
                             f"expected {layers} of {', '.join(sorted(KIND_WORDS))}")
        linear = stack.linear
        return [(linear if KIND_WORDS[k] == "linear" else KIND_WORDS[k], "dense") for k in kinds], "layer_types"
    interval = _int(cfg, "full_attention_interval", minimum=1)
    if interval:
        return [("attention" if (i + 1) % interval == 0 else stack.linear, "dense") for i in range(layers)], \
            "full_attention_interval"
    raise ParseError(cfg.source, cfg.prefix + "layer_types", "a hybrid config needs layer_types or a layer pattern")


def _mamba1(cfg, hidden: int, said: list[str]) -> int:
    d_inner = _int(cfg, "intermediate_size", "d_inner", "mamba_d_inner") or _int(cfg, "expand", "mamba_expand",
                                                                                   default=2) * hidden
    state = _int(cfg, "state_size", "mamba_d_state", "d_state", default=16, minimum=1)
    kernel = _int(cfg, "conv_kernel", "mamba_d_conv", "d_conv", default=4, minimum=1)
    rank = _int(cfg, "time_step_rank", "mamba_dt_rank", minimum=1) if not any(
        cfg.raw.get(k) == "auto" for k in ("time_step_rank", "mamba_dt_rank")) else None
    rank = rank or math.ceil(hidden / 16)  # "auto" or absent: the Mamba default, ceil(hidden / 16)
    bias = _flag(cfg, "use_bias", "mamba_proj_bias")
    conv_bias = _flag(cfg, "use_conv_bias", "mamba_conv_bias", default=True)
    said.append(f"Mamba block: inner {d_inner}, state {state}, dt rank {rank}, conv {kernel}; in_proj 2 x inner, "
                "x_proj, dt_proj with bias, A_log, D, out_proj")
    return (hidden * 2 * d_inner + (2 * d_inner if bias else 0) + d_inner * kernel + (d_inner if conv_bias else 0)
            + d_inner * (rank + 2 * state) + rank * d_inner + d_inner + d_inner * state + d_inner
            + d_inner * hidden + (hidden if bias else 0))


def _mamba2(cfg, hidden: int, said: list[str]) -> int:
    heads = _int(cfg, "mamba_n_heads", "mamba_num_heads", minimum=1)
    head_dim = _int(cfg, "mamba_d_head", "mamba_head_dim", minimum=1)
    expand = _int(cfg, "mamba_expand", "expand", default=2, minimum=1)
    d_inner = heads * head_dim if heads and head_dim else expand * hidden
    if heads is None:
        heads = d_inner // (head_dim or 64)
    groups = _int(cfg, "mamba_n_groups", "n_groups", default=1, minimum=1)
    state = _int(cfg, "mamba_d_state", "ssm_state_size", "state_size", default=128, minimum=1)
    kernel = _int(cfg, "mamba_d_conv", "conv_kernel", default=4, minimum=1)
    bias = _flag(cfg, "mamba_proj_bias", "use_bias")
    conv_bias = _flag(cfg, "mamba_conv_bias", "use_conv_bias", default=True)
    conv_dim = d_inner + 2 * groups * state
    said.append(f"Mamba-2 block: {heads} heads x {head_dim or d_inner // heads}, {groups} group(s), state {state}, "
                f"conv {kernel}; in_proj to 2 x inner + 2 x groups x state + heads, dt_bias, A_log, D, gated norm")
    projection = hidden * (2 * d_inner + 2 * groups * state + heads)
    return (projection + (2 * d_inner + 2 * groups * state + heads if bias else 0) + conv_dim * kernel
            + (conv_dim if conv_bias else 0) + 3 * heads + d_inner + d_inner * hidden + (hidden if bias else 0))


def _gated_deltanet(cfg, hidden: int, said: list[str]) -> int:
    key_heads = _int(cfg, "linear_num_key_heads", minimum=1)
    value_heads = _int(cfg, "linear_num_value_heads", minimum=1)
    key_dim = _int(cfg, "linear_key_head_dim", minimum=1)
    value_dim = _int(cfg, "linear_value_head_dim", minimum=1)
    kernel = _int(cfg, "linear_conv_kernel_dim", default=4, minimum=1)
    if None in (key_heads, value_heads, key_dim, value_dim):
        raise ParseError(cfg.source, cfg.prefix + "linear_num_key_heads",
                         "Gated DeltaNet layers need linear_num_key/value_heads and linear_key/value_head_dim")
    keys, values = key_heads * key_dim, value_heads * value_dim
    said.append(f"Gated DeltaNet: {key_heads} key heads x {key_dim}, {value_heads} value heads x {value_dim}; "
                f"q/k/v/z and b/a projections, conv {kernel} over q, k, v, dt_bias, A_log, gated norm, out_proj")
    return (hidden * (2 * keys + 2 * values) + hidden * 2 * value_heads + (2 * keys + values) * kernel
            + 2 * value_heads + value_dim + values * hidden)


def _short_conv(cfg, hidden: int, said: list[str]) -> int:
    kernel = _int(cfg, "conv_L_cache", default=3, minimum=1)
    bias = _flag(cfg, "conv_bias")
    said.append(f"short convolution block (LFM2): in_proj 3 x hidden, depthwise conv {kernel}, out_proj")
    return hidden * 3 * hidden + hidden * kernel + hidden * hidden + (3 * hidden + hidden + hidden if bias else 0)


def _lightning(cfg, hidden: int, heads: int, head_dim: int, said: list[str], qk_norm: bool = False) -> int:
    heads = _int(cfg, "num_kv_heads_for_linear_attn", default=heads, minimum=1)
    inner = heads * head_dim
    said.append(f"lightning (linear) attention: {heads} heads x {head_dim}; qkv, output gate, out projection, a norm of "
                "heads x head_dim" + (", q/k norms" if qk_norm else ""))
    return hidden * 3 * inner + hidden * inner + inner * hidden + inner + (2 * head_dim if qk_norm else 0)


def _kda(cfg, hidden: int, said: list[str]) -> int:
    """Kimi Delta Attention (flash-linear-attention's KimiDeltaAttention): q/k/v projections with short
    convolutions, low-rank forget-gate and output-gate projections (rank head_dim), beta, A_log, dt_bias,
    a gated output norm and the output projection."""
    linear = cfg.raw.get("linear_attn_config")
    linear = linear if isinstance(linear, dict) else {}
    heads, head_dim = linear.get("num_heads"), linear.get("head_dim")
    kernel = linear.get("short_conv_kernel_size", 4)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (heads, head_dim, kernel)):
        raise ParseError(cfg.source, cfg.prefix + "linear_attn_config", "KDA layers need num_heads, head_dim and "
                                                                        "short_conv_kernel_size")
    inner = heads * head_dim
    said.append(f"Kimi Delta Attention: {heads} heads x {head_dim}, q/k/v with short convolutions ({kernel}), "
                "low-rank forget and output gates, beta, A_log, dt_bias, gated norm, out projection")
    return (3 * hidden * inner + 3 * inner * kernel + (hidden * head_dim + head_dim * inner)
            + (hidden * head_dim + head_dim * inner + inner) + hidden * heads + heads + inner + head_dim
            + inner * hidden)


def _ffn_width(cfg, stack: Stack, inner: int | None, said: list[str]) -> int | None:
    """LFM2 shrinks its MLP: 2/3 of block_ff_dim, times a multiplier, rounded up to a multiple."""
    if inner is None or not _flag(cfg, "block_auto_adjust_ff_dim"):
        return inner
    width = int(2 * inner / 3)
    multiplier = cfg.raw.get("block_ffn_dim_multiplier")
    if isinstance(multiplier, (int, float)) and not isinstance(multiplier, bool) and 0 < multiplier <= 1000:
        width = int(multiplier * width)
    multiple = _int(cfg, "block_multiple_of", default=1, minimum=1)
    width = multiple * ((width + multiple - 1) // multiple)
    said.append(f"feed-forward width {width}: block_auto_adjust_ff_dim (2/3, multiplier, multiple of {multiple})")
    return width


def count_stack(cfg, stack: Stack, record: dict, attention: int, norm: int, layout, said: list[str]):
    """Total and active counts of a state-space or hybrid stack; text when the config does not describe it."""
    hidden, layers, vocab = record["hidden_size"], record["num_layers"], record["vocab_size"]
    plan, read_from = layer_plan(cfg, stack, layers)
    said.append(f"layer kinds from {read_from}")
    heads = record.get("num_heads")
    head_dim = record.get("head_dim") or (hidden // heads if heads else None)
    if stack.attention_gate and heads and head_dim and _flag(cfg, "attn_output_gate", default=True):
        attention += hidden * heads * head_dim
        said.append("attention output gate: q_proj twice as wide (attn_output_gate)")
    if stack.qk_norm and not layout.qk_norm and head_dim:
        attention += 2 * head_dim
        said.append("q/k norms of head_dim each: fixed by the family's code")

    mixers = {}
    for mixer in {m for m, _ in plan if m}:
        if mixer == "attention":
            mixers[mixer] = attention
        elif mixer == "mamba":
            mixers[mixer] = _mamba1(cfg, hidden, said)
        elif mixer == "mamba2":
            mixers[mixer] = _mamba2(cfg, hidden, said)
        elif mixer == "gated_deltanet":
            mixers[mixer] = _gated_deltanet(cfg, hidden, said)
        elif mixer == "short_conv":
            mixers[mixer] = _short_conv(cfg, hidden, said)
        elif mixer == "lightning":
            mixers[mixer] = _lightning(cfg, hidden, heads, head_dim, said, qk_norm=stack.qk_norm)
        elif mixer == "kda":
            mixers[mixer] = _kda(cfg, hidden, said)

    gated = not stack.plain_ffn
    mlp_bias = layout.mlp_bias

    def mlp(inner: int) -> int:
        return (3 if gated else 2) * hidden * inner + (((2 if gated else 1) * inner + hidden) if mlp_bias else 0)

    inner = _ffn_width(cfg, stack, record.get("intermediate_size"), said)
    experts = record.get("moe_experts") or 0
    top_k = record.get("moe_active_experts") or 0
    expert_inner = record.get("moe_intermediate_size") or record.get("intermediate_size")
    moe_layer = moe_active = 0
    if experts:
        if not top_k or not expert_inner:
            return "not computed: a mixture-of-experts config without experts per token or expert size"
        latent = _int(cfg, "moe_latent_size", minimum=1)
        width = latent or hidden
        expert = ((3 if gated else 2) * width * expert_inner)
        shared_inner = _int(cfg, "shared_expert_intermediate_size", "moe_shared_expert_intermediate_size",
                            "shared_intermediate_size", minimum=0)
        if not shared_inner and record.get("moe_shared_experts"):
            shared_inner = expert_inner  # DeepSeek-style: shared experts as wide as the routed ones
        shared_count = record.get("moe_shared_experts") or (1 if shared_inner else 0)
        shared = shared_count * mlp(shared_inner or expert_inner) if not stack.granite_shared else 0
        if stack.shared_gate and shared:
            shared += hidden
        router = experts * hidden + (experts if stack.router_bias and _flag(cfg, "use_expert_bias",
                                                                              "moe_router_enable_expert_bias",
                                                                              default=True) else 0)
        projections = 2 * hidden * latent if latent else 0
        moe_layer = experts * expert + shared + router + projections
        moe_active = top_k * expert + shared + router + projections
        said.append(f"experts: {experts} of {expert_inner} ({'gated' if gated else 'up/down only'}"
                    + (f", in a latent space of {latent} with projections to and from it" if latent else "")
                    + f"), {shared_count} shared, router hidden x experts"
                    + (" plus a per-expert bias" if stack.router_bias else ""))
    granite_shared = 0
    if stack.granite_shared:
        size = _int(cfg, "shared_intermediate_size", minimum=0)
        granite_shared = mlp(size) if size else 0
        said.append(f"a gated shared MLP of {size} in every layer (shared_intermediate_size)")
    dense_first = _int(cfg, "num_dense_layers", "first_k_dense_replace", default=0)
    dense_only = cfg.raw.get("mlp_only_layers") or []
    if not isinstance(dense_only, list):
        raise ParseError(cfg.source, cfg.prefix + "mlp_only_layers", "expected a list of layer numbers")
    period = _int(cfg, "expert_layer_period", default=1, minimum=1)
    offset = _int(cfg, "expert_layer_offset", default=0)

    def expert_layer(index: int, ffn: str) -> bool:
        if not experts:
            return False
        if ffn == "moe":
            return True
        if stack.ffn != "per_layer" or index < dense_first or index in dense_only:
            return False
        return stack.moe_from != "jamba" or index % period == offset

    total = active = 0
    counted: dict[str, int] = {}
    breakdown = {"mixers": 0, "feed_forward": 0, "experts": 0, "norms": 0}
    moe_layers = []
    for index, (mixer, ffn) in enumerate(plan):
        part = mixers.get(mixer, 0)
        if mixer:
            counted[mixer] = counted.get(mixer, 0) + 1
        ffn_total = ffn_active = 0
        if stack.ffn != "none" and ffn is not None:
            if ffn == "moe" and not experts:
                return "not computed: the pattern names expert layers but the config gives no experts"
            if expert_layer(index, ffn):
                moe_layers.append(index)
                ffn_total, ffn_active = moe_layer + granite_shared, moe_active + granite_shared
                breakdown["experts"] += moe_layer
                breakdown["feed_forward"] += granite_shared
            else:
                if inner is None:
                    return "not computed: the config gives no intermediate_size"
                ffn_total = ffn_active = mlp(inner) + granite_shared
                breakdown["feed_forward"] += ffn_total
        norms = stack.norms_per_layer * norm if (mixer or ffn) else 0
        breakdown["mixers"] += part
        breakdown["norms"] += norms
        total += part + ffn_total + norms
        active += part + ffn_active + norms
    record["layer_mixers"] = counted
    if experts:
        record["moe_layers"], record["moe_layer_count"] = moe_layers, len(moe_layers)
    embedding = vocab * hidden
    head = 0 if layout.tied else vocab * hidden
    outside = embedding + head + norm
    breakdown["norms"] += norm
    breakdown.update(embeddings=embedding, output_head=head)
    moe = bool(experts)
    return {"total": total + outside, "active": active + outside if moe else total + outside,
            "active_excluding_input_embedding": (active if moe else total) + outside - embedding,
            "breakdown": {k: v for k, v in breakdown.items() if v}, "moe": moe,
            "no_ffn": stack.ffn == "none"}


def count_rwkv(cfg, record: dict, said: list[str]):
    """RWKV-4: time mixing (decay, first, three mixes, key/value/receptance/output) and channel mixing
    (two mixes, key, receptance, value) per layer, LayerNorms, an extra LayerNorm before the first layer."""
    hidden, layers, vocab = record["hidden_size"], record["num_layers"], record["vocab_size"]
    attn = _int(cfg, "attention_hidden_size", default=hidden, minimum=1)
    inner = _int(cfg, "intermediate_size", default=4 * hidden, minimum=1)
    time_mix = 2 * attn + 3 * hidden + 3 * hidden * attn + attn * hidden
    channel_mix = 2 * hidden + hidden * inner + hidden * hidden + inner * hidden
    norms = 2 * 2 * hidden
    said.append(f"RWKV-4 block: time mixing over {attn}, channel mixing over {inner}, two LayerNorms, one more "
                "before the first block and one after the last")
    layer = time_mix + channel_mix + norms
    head = 0 if record.get("tied_embeddings") else vocab * hidden
    total = layers * layer + 2 * 2 * hidden + vocab * hidden + head
    record["layer_mixers"] = {"rwkv": layers}
    return {"total": total, "active": total, "active_excluding_input_embedding": total - vocab * hidden,
            "breakdown": {"mixers": layers * time_mix, "feed_forward": layers * channel_mix,
                          "norms": layers * norms + 4 * hidden, "embeddings": vocab * hidden, "output_head": head},
            "moe": False, "no_ffn": True}


def count_block_configs(cfg, record: dict, said: list[str]):
    """Nemotron-NAS (DeciLM, Llama-3.x-Nemotron Super/Ultra): a Llama whose layers each say, in `block_configs`,
    whether attention and the MLP are kept (and with how many KV-head groups and what ffn_mult), replaced by
    one linear map, or dropped (no_op). The MLP width is 2/3 x ffn_mult x hidden, rounded up to 256."""
    hidden, vocab, heads = record["hidden_size"], record["vocab_size"], record.get("num_heads")
    _width(cfg, "hidden_size", hidden)
    blocks = cfg.raw.get("block_configs")
    if not isinstance(blocks, list) or not blocks or not heads:
        raise ParseError(cfg.source, cfg.prefix + "block_configs", "expected one block config per layer")
    head_dim = record.get("head_dim") or hidden // heads
    total = kept_attention = kept_ffn = 0
    kv_counts: dict[int, int] = {}
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not all(isinstance(block.get(k) or {}, dict) for k in ("attention", "ffn")):
            raise ParseError(cfg.source, f"{cfg.prefix}block_configs[{index}]", "expected attention and ffn objects")
        attention, ffn = block.get("attention") or {}, block.get("ffn") or {}
        if not attention.get("no_op"):
            if attention.get("replace_with_linear"):
                total += hidden * hidden + hidden
            else:
                group = attention.get("n_heads_in_group")
                if not isinstance(group, int) or group < 1 or heads % group:
                    raise ParseError(cfg.source, f"{cfg.prefix}block_configs[{index}].attention.n_heads_in_group",
                                     f"expected a divisor of {heads} heads, got {group!r}")
                kv = heads // group
                total += 2 * hidden * heads * head_dim + 2 * hidden * kv * head_dim + hidden
                kept_attention += 1
                kv_counts[kv] = kv_counts.get(kv, 0) + 1
        if not ffn.get("no_op"):
            if ffn.get("replace_with_linear"):
                total += hidden * hidden + hidden
            else:
                mult = ffn.get("ffn_mult")
                if isinstance(mult, bool) or not isinstance(mult, (int, float)) or not 0 < mult <= 1000:
                    raise ParseError(cfg.source, f"{cfg.prefix}block_configs[{index}].ffn.ffn_mult",
                                     f"expected a positive multiplier up to 1000, got {mult!r:.40}")
                inner = int(2 * mult * hidden / 3)
                inner = 256 * ((inner + 255) // 256)
                total += 3 * hidden * inner + hidden
                kept_ffn += 1
    record["num_layers"] = len(blocks)
    if kv_counts:  # the config's num_key_value_heads is null: the blocks say it
        kv = max(sorted(kv_counts), key=kv_counts.get)
        record["kv_heads"], record["attention"] = kv, ("mqa" if kv == 1 else "gqa" if kv < heads else "mha")
    said.append(f"block_configs: {kept_attention} of {len(blocks)} layers keep attention, {kept_ffn} an MLP "
                "(width 2/3 x ffn_mult x hidden rounded up to 256); dropped sub-blocks have no norm")
    head = 0 if record.get("tied_embeddings") else vocab * hidden
    total += vocab * hidden + head + hidden
    return {"total": total, "active": total, "active_excluding_input_embedding": total - vocab * hidden,
            "breakdown": {"blocks": total - vocab * hidden - head - hidden, "embeddings": vocab * hidden,
                          "output_head": head, "norms": hidden}, "moe": False}


def count_xlstm(cfg, record: dict, said: list[str]):
    """xLSTM 7B (transformers' xLSTM, weight_mode single): per block an RMS-normed mLSTM layer (q, k of
    embedding_dim x qk_dim_factor, v and the output gate of embedding_dim x v_dim_factor, input and forget gates
    per head with biases, a per-head norm, the output projection) and an RMS-normed gated MLP of
    ffn_proj_factor x embedding_dim rounded up to ffn_round_up_to_multiple_of."""
    hidden = _int(cfg, "embedding_dim", "hidden_size", minimum=1)
    blocks = _int(cfg, "num_blocks", "num_hidden_layers", minimum=1)
    heads = _int(cfg, "num_heads", default=1, minimum=1)
    vocab = _int(cfg, "vocab_size", minimum=1)
    if None in (hidden, blocks, vocab):
        return "not computed: an xLSTM config without embedding_dim, num_blocks or vocab_size"
    _width(cfg, "embedding_dim", hidden)
    factors = {}
    for key, default in (("qk_dim_factor", 0.5), ("v_dim_factor", 1.0), ("ffn_proj_factor", 2.6667)):
        value = cfg.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1000:
            raise ParseError(cfg.source, cfg.prefix + key, f"expected a positive number up to 1000, got {value!r:.40}")
        factors[key] = value
    multiple = _int(cfg, "ffn_round_up_to_multiple_of", default=64, minimum=1)
    qk, v = int(hidden * factors["qk_dim_factor"]), int(hidden * factors["v_dim_factor"])
    inner = multiple * -(-math.ceil(hidden * factors["ffn_proj_factor"]) // multiple)  # integers: no overflow
    bias = _flag(cfg, "use_bias")
    mlstm = 2 * hidden * qk + 2 * hidden * v + 2 * (hidden * heads + heads) + v + v * hidden
    if bias:
        mlstm += 2 * qk + 2 * v + hidden
    ffn = 3 * hidden * inner + ((2 * inner + hidden) if bias else 0)
    block = mlstm + ffn + 2 * hidden
    head = 0 if record.get("tied_embeddings") else vocab * hidden
    total = blocks * block + vocab * hidden + head + hidden
    record.update(hidden_size=hidden, num_layers=blocks, vocab_size=vocab, layer_mixers={"mlstm": blocks})
    said.append(f"xLSTM blocks: mLSTM with q/k of {qk}, v and output gate of {v}, {heads} heads (gates with biases), "
                f"gated MLP of {inner}, two RMSNorms a block, a final norm")
    return {"total": total, "active": total, "active_excluding_input_embedding": total - vocab * hidden,
            "breakdown": {"mixers": blocks * mlstm, "feed_forward": blocks * ffn, "norms": blocks * 2 * hidden + hidden,
                          "embeddings": vocab * hidden, "output_head": head}, "moe": False}
