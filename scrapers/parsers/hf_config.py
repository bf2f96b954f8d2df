"""Hugging Face `config.json` -> architecture claims and parameter counts.

Model families spell the same thing differently (`num_local_experts`, `num_experts`,
`n_routed_experts`; `n_embd`, `d_model`, `hidden_size`). They are reconciled by the tables
below, never by a branch per family. Multimodal wrappers (LLaVA, Mistral 3, Gemma 3, Llama 4)
keep the language model under `text_config`; its counts are reported as `text_parameters`,
because the vision tower is not described well enough to count and `parameters` must mean the
whole model.

Counts follow the structure the config describes (`hf_counts.py`); a family needs a row in
`hf_counts.QUIRKS` only for what its code hard-codes. Every guess is listed in `assumptions`.
Checked exactly against the published totals: Llama-3.1-8B 8,030,261,248; Qwen2.5-7B
7,615,616,512; Qwen3-32B 32,762,123,264; Gemma-2-9B 9,241,705,984; GPT-2 124,439,808 (the
Hub's safetensors total, 137,022,720, adds 12 non-trainable attention masks of 1024x1024, which
is why `safetensors_total` is never `parameters`). Given the checkpoint's
`model.safetensors.index.json`, its `metadata.total_size` over the bytes per parameter is
compared with the count (`safetensors_index_ratio`).
"""

from __future__ import annotations

from scrapers.errors import ParseError
from scrapers.parsers import load_json, normalize_dtype
from scrapers.parsers.hf_vision import count_vision
from scrapers.parsers.hf_counts import (QUIRKS, STANDARD, STANDARD_LAYOUT_CHECKED, Layout, Quirks, count_parameters,
                                        moe_layer_indices, resolve_layout, safetensors_bytes_per_parameter)

# cegdb field (or parser key) -> config keys, first present non-null wins. Order matters where a
# config carries two spellings (Gemma 2 has both hidden_act and hidden_activation; the model
# uses hidden_activation).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("hidden_size", "n_embd", "d_model", "n_embed", "dim", "model_dim"),
    "num_layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "num_decoder_layers": ("num_decoder_layers", "decoder_layers"),
    "num_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads", "attention_heads", "encoder_attention_heads"),
    "kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv", "n_kv_heads", "multi_query_group_num"),
    "head_dim": ("head_dim", "d_kv", "attention_head_dim", "kv_channels"),
    "intermediate_size": ("intermediate_size", "n_inner", "d_ff", "ffn_dim", "ffn_hidden_size"),
    "moe_intermediate_size": ("moe_intermediate_size", "expert_intermediate_size"),
    "vocab_size": ("vocab_size", "padded_vocab_size", "n_vocab"),
    "context_length": ("max_position_embeddings", "n_positions", "n_ctx", "seq_length", "max_seq_len",
                       "max_sequence_length"),
    "moe_experts": ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts",
                    "num_routed_experts", "n_experts"),
    "moe_active_experts": ("num_experts_per_tok", "num_experts_per_token", "moe_top_k", "num_selected_experts",
                           "experts_per_token", "moe_k"),
    "moe_shared_experts": ("n_shared_experts", "num_shared_experts", "moe_num_shared_experts"),
    "activation_function": ("mlp_hidden_act", "hidden_activation", "hidden_act", "activation_function", "feed_forward_proj",
                            "activation"),
    "sliding_window": ("sliding_window", "sliding_window_size"),
    "rope_theta": ("rope_theta", "rotary_emb_base", "rope_base"),
    "checkpoint_dtype": ("torch_dtype", "dtype"),
}

# The config's activation name -> activation family. Whether the MLP is gated comes from the
# layout (hf_counts.resolve_layout); T5 says so in the name itself ("gated-gelu").
ACTIVATIONS = {
    "silu": "silu", "swish": "silu", "swiglu": "silu",
    "gelu": "gelu", "gelu_new": "gelu", "gelu_fast": "gelu", "gelu_pytorch_tanh": "gelu", "gelu_tanh": "gelu",
    "gelu_python": "gelu", "gelu_accurate": "gelu", "quick_gelu": "gelu", "geglu": "gelu",
    "relu": "relu", "reglu": "relu",
}
GATED_NAME = {"silu": "swiglu", "gelu": "geglu", "relu": "other"}
PLAIN_NAME = {"silu": "other", "gelu": "gelu", "relu": "relu"}

# Keys whose presence means rotary position embeddings, whatever the family.
ROPE_KEYS = ("rope_theta", "rope_scaling", "rope_parameters", "rotary_dim", "rotary_pct", "rotary_emb_base",
             "attn_rotary_emb",  # Bamba: the rotary width of its attention layers
             "partial_rotary_factor", "qk_rope_head_dim")
# Keys a multimodal wrapper keeps at the top level for its text model too.
WRAPPER_INHERITED = ("tie_word_embeddings", "torch_dtype", "dtype", "quantization_config")
# A count further than this from the safetensors index (unquantised checkpoints) is a warning.
INDEX_TOLERANCE = 0.02
MAX_LAYERS = 100_000  # catalog range for num_layers is 1..10,000; beyond this a config is nonsense


class _Config:
    """Typed access to one config dict, each error naming the file and the key."""

    def __init__(self, raw: dict, source: str | None, prefix: str = ""):
        self.raw, self.source, self.prefix = raw, source, prefix

    def key_of(self, field: str) -> str | None:
        for key in SYNONYMS.get(field, (field,)):
            if self.raw.get(key) is not None:
                return key
        return None

    def get(self, field: str):
        key = self.key_of(field)
        return None if key is None else self.raw[key]

    def int(self, field: str, *, minimum: int = 1) -> int | None:
        key = self.key_of(field)
        if key is None:
            return None
        value = self.raw[key]
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 63:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParseError(self.source, self.prefix + key, f"expected an integer, got {value!r:.80}")
        if value < minimum:
            raise ParseError(self.source, self.prefix + key, f"expected an integer >= {minimum}, got {value}")
        return value

    def str(self, field: str) -> str | None:
        key = self.key_of(field)
        if key is None:
            return None
        value = self.raw[key]
        if not isinstance(value, str):
            raise ParseError(self.source, self.prefix + key, f"expected text, got {value!r:.80}")
        return value

    def bool(self, key: str) -> bool | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise ParseError(self.source, self.prefix + key, f"expected true or false, got {value!r:.80}")
        return value

    def dict(self, key: str) -> dict | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ParseError(self.source, self.prefix + key, f"expected an object, got {value!r:.80}")
        return value


def parse_hf_config(data: bytes | str | dict, source: str | None = None,
                    index: bytes | str | dict | None = None) -> dict:
    """One config.json -> a flat dict keyed like claim fields (None-valued keys left out).

    `index`, when given, is the checkpoint's `model.safetensors.index.json`: its
    `metadata.total_size` is compared with the count (`safetensors_index_ratio`).
    """
    raw = data if isinstance(data, dict) else load_json(data, source)
    if not isinstance(raw, dict):
        raise ParseError(source, None, f"expected a JSON object, got {type(raw).__name__}")
    top = _Config(raw, source)
    record: dict = {}
    architectures = raw.get("architectures")
    if architectures is not None:
        if not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures):
            raise ParseError(source, "architectures", "expected a list of class names")
        record["architectures"] = architectures
    record["model_type"] = top.str("model_type")

    text_raw = top.dict("text_config")
    if text_raw is not None:
        merged = {k: raw[k] for k in WRAPPER_INHERITED if k in raw and k not in text_raw}
        merged.update(text_raw)
        cfg = _Config(merged, source, prefix="text_config.")
        record["multimodal"] = True
        record["text_model_type"] = cfg.str("model_type")
        family_name = record["text_model_type"] or record["model_type"]
    else:
        cfg = top
        family_name = record["model_type"]
        if isinstance(raw.get("vision_config"), dict):
            record["multimodal"] = True  # Qwen2-VL / Qwen2.5-VL: text keys at the top, a vision tower beside them
    quirks = QUIRKS.get(family_name or "")
    layout = _architecture(cfg, quirks, record)
    if quirks is None and family_name not in STANDARD_LAYOUT_CHECKED:
        layout.assumptions.insert(0, f"model_type {family_name!r} has no row in the quirks table: read as the "
                                     "standard layout its keys describe")
    _counts(cfg, layout, quirks or STANDARD, family_name, record, wrapper=bool(record.get("multimodal")), top_raw=raw)
    if index is not None:
        _cross_check(index, cfg, record)
    return {k: v for k, v in record.items() if v is not None}


def _architecture(cfg: _Config, quirks: Quirks | None, record: dict) -> Layout:
    family = quirks or STANDARD
    hidden = cfg.int("hidden_size")
    layers = cfg.int("num_layers")
    if layers is not None and layers > MAX_LAYERS:
        raise ParseError(cfg.source, cfg.prefix + cfg.key_of("num_layers"), f"{layers} layers is not a real model")
    heads = cfg.int("num_heads")
    kv_heads = cfg.int("kv_heads")
    if cfg.bool("multi_query") and kv_heads is None:
        kv_heads = 1  # Falcon and GPT-BigCode say multi_query: true instead of a head count
    if heads is not None and kv_heads is not None and kv_heads > heads:
        raise ParseError(cfg.source, cfg.prefix + (cfg.key_of("kv_heads") or "multi_query"),
                         f"{kv_heads} key/value heads but only {heads} attention heads")
    if cfg.key_of("kv_heads") == "num_kv_heads" and cfg.bool("new_decoder_architecture") is False:
        kv_heads = 1 if cfg.bool("multi_query") else None  # Falcon-7B's num_kv_heads only counts in the new layout
    record.update(hidden_size=hidden, num_layers=layers, num_heads=heads,
                  num_decoder_layers=cfg.int("num_decoder_layers"), vocab_size=cfg.int("vocab_size"),
                  head_dim=cfg.int("head_dim"), intermediate_size=cfg.int("intermediate_size"))
    # Multi-head latent attention (DeepSeek-V2/V3) compresses keys and values through low-rank
    # projections; its num_key_value_heads is a formality (128 = heads) and must not read as MHA.
    mla = cfg.raw.get("kv_lora_rank") is not None or cfg.raw.get("q_lora_rank") is not None
    if mla:
        record["attention"] = "mla"
        record["kv_lora_rank"] = cfg.int("kv_lora_rank")
        record["q_lora_rank"] = cfg.int("q_lora_rank")
    elif heads is not None:
        kv = heads if kv_heads is None else kv_heads
        record["attention"] = "mqa" if kv == 1 and heads > 1 else "gqa" if kv < heads else "mha"
    record["kv_heads"] = kv_heads if kv_heads is not None else (None if mla else heads)

    record["context_length"] = cfg.int("context_length")
    _positional(cfg, family, record)
    name = cfg.get("activation_function")
    if name is not None and not isinstance(name, str):
        raise ParseError(cfg.source, cfg.prefix + cfg.key_of("activation_function"),
                         f"expected an activation name, got {name!r:.80}")
    layout = resolve_layout(cfg, family, name, table_entry=quirks is not None)
    _activation(name, family, layout, record)
    record["norm"] = "rmsnorm" if layout.norm == "rmsnorm" else "layernorm"
    record["norm_position"] = family.norm_position
    # save_pretrained writes a key only when it differs from PretrainedConfig's default (True) or
    # from the config class's: an absent key is tied, unless the class says otherwise (QUIRKS).
    record["tied_embeddings"] = layout.tied
    _sliding_window(cfg, family, record)
    _moe(cfg, record)
    if record.get("moe_switched_off"):
        layout.assumptions.append(record.pop("moe_switched_off"))
    dtype = cfg.str("checkpoint_dtype")
    record["checkpoint_dtype"] = normalize_dtype(dtype) if dtype else None
    quant = cfg.dict("quantization_config")
    if quant is not None:
        method = quant.get("quant_method")
        record["quantization"] = method if isinstance(method, str) else "unknown"
        details = {k: quant[k] for k in ("fmt", "bits", "w_bit", "group_size", "weight_block_size",
                                          "activation_scheme", "load_in_4bit", "load_in_8bit") if k in quant}
        record["quantization_details"] = details or None
    return layout


def _positional(cfg: _Config, family: Quirks, record: dict) -> None:
    raw = cfg.raw
    kind = raw.get("position_embedding_type")
    if cfg.bool("alibi") or family.positional == "alibi":
        positional = "alibi"
    elif "relative_attention_num_buckets" in raw or kind in ("relative_key", "relative_key_query"):
        positional = "relative"
    elif kind == "absolute" or family.positional == "learned":
        positional = "learned"
    elif any(raw.get(key) is not None for key in ROPE_KEYS):
        positional = "rope"
    elif raw.get("n_positions") is not None:
        positional = "learned"  # GPT-2, GPT-BigCode: a position table of n_positions rows, no rotary keys
    else:
        positional = family.positional
    record["positional"] = positional
    if positional != "rope":
        return
    record["rope_theta"] = _number(cfg, "rope_theta")
    scaling = cfg.dict("rope_scaling") or cfg.dict("rope_parameters")
    if scaling:
        kind = scaling.get("rope_type", scaling.get("type"))
        if kind not in (None, "default"):
            record["rope_scaling"] = {"type": kind, **{k: v for k, v in scaling.items()
                                                       if k not in ("type", "rope_type")}}
            original = scaling.get("original_max_position_embeddings")
            if isinstance(original, int) and not isinstance(original, bool):
                record["original_context_length"] = original


def _number(cfg: _Config, field: str) -> float | int | None:
    key = cfg.key_of(field)
    if key is None:
        return None
    value = cfg.raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(cfg.source, cfg.prefix + key, f"expected a number, got {value!r:.80}")
    return value


def _activation(name: str | None, family: Quirks, layout: Layout, record: dict) -> None:
    if name is None:
        if family.activation:  # BLOOM's GELU is hard-coded, not in its config
            record["activation"] = (GATED_NAME if layout.gated_mlp else PLAIN_NAME)[family.activation]
        return
    record["activation_function"] = name
    base = name.lower()
    if base.startswith("gated-"):  # T5 v1.1 and FLAN-T5: "gated-gelu"
        base = base[len("gated-"):]
        gated = True
    else:
        gated = layout.gated_mlp
    kind = ACTIVATIONS.get(base)
    record["activation"] = "other" if kind is None else (GATED_NAME if gated else PLAIN_NAME)[kind]


def _sliding_window(cfg: _Config, family: Quirks, record: dict) -> None:
    window = cfg.int("sliding_window")
    if window is None:
        return
    layers = record.get("num_layers")
    # Qwen2/Qwen3 ship a window with use_sliding_window: false; the window is then never used.
    if cfg.bool("use_sliding_window") is False:
        record["sliding_window_disabled"] = window
        return
    context = record.get("context_length")
    if context is not None and window >= context:
        record["sliding_window_disabled"] = window  # a window as long as the context changes nothing
        return
    record["sliding_window"] = window
    pattern = cfg.raw.get("layer_types")
    if isinstance(pattern, list) and all(isinstance(p, str) for p in pattern):
        record["sliding_window_layers"] = sum(p == "sliding_attention" for p in pattern)
        return
    every = cfg.int("sliding_window_pattern") or family.sliding_every
    max_window_layers = cfg.int("max_window_layers", minimum=0)
    if every and layers:
        # Gemma 2 alternates local and global layers; Gemma 3 has one global layer in 6.
        record["sliding_window_layers"] = layers - layers // every
    elif cfg.bool("use_sliding_window") and max_window_layers is not None and layers:
        record["sliding_window_layers"] = max(0, layers - max_window_layers)
    elif layers:
        record["sliding_window_layers"] = layers


# Switches that turn a family's experts off while its config still sizes them (Doge's dense checkpoints say
# "is_moe": false beside "num_experts": 16384, the class default).
MOE_SWITCHES = ("is_moe", "use_moe", "moe_enabled", "enable_moe")


def _moe(cfg: _Config, record: dict) -> None:
    experts = cfg.int("moe_experts", minimum=0)
    if experts is None or experts < 2:
        return
    switch = next((key for key in MOE_SWITCHES if cfg.bool(key) is False), None)
    if switch is not None:
        record["moe_switched_off"] = f"{switch}: false (the {experts} experts the config sizes are not built)"
        return
    record["moe_experts"] = experts
    record["moe_active_experts"] = cfg.int("moe_active_experts")
    shared = cfg.int("moe_shared_experts", minimum=0)
    if shared is None and cfg.int("shared_expert_intermediate_size", minimum=0):
        shared = 1  # Qwen2-MoE: one shared expert described by its own intermediate size
    record["moe_shared_experts"] = shared
    record["moe_intermediate_size"] = cfg.int("moe_intermediate_size")
    layers = record.get("num_layers")
    if layers:
        moe_layers = moe_layer_indices(cfg, layers)
        record["moe_layers"] = moe_layers
        record["moe_layer_count"] = len(moe_layers)


def _counts(cfg: _Config, layout: Layout, quirks: Quirks, family_name: str | None, record: dict,
            wrapper: bool, top_raw: dict | None = None) -> None:
    result = count_parameters(cfg, layout, quirks, record)
    notes = []
    if family_name not in QUIRKS and family_name not in STANDARD_LAYOUT_CHECKED:
        notes.append(f"model_type {family_name!r} has no row in the quirks table: counted as the standard layout "
                     "its keys describe")
    if isinstance(result, str):
        record["parameters_note"] = result
        record["assumptions"] = layout.assumptions
        return
    if result.get("no_ffn"):
        # A pure state-space model: hidden_act gates its mixer; there is no feed-forward to label.
        record.pop("activation", None)
    moe = bool(record.get("moe_layers"))
    if moe:
        record["active_parameters_excluding_input_embedding"] = result["active_excluding_input_embedding"]
    if wrapper:
        record["text_parameters"] = result["total"]
        record["text_active_parameters"] = result["active"] if moe else None
        vision = count_vision(top_raw, record.get("hidden_size"), layout.assumptions)
        if vision is None:
            notes.insert(0, "language model only (text_config); the vision tower is not counted")
            layout.assumptions.insert(0, "multimodal wrapper: the language model (text_config) is counted, the "
                                         "vision tower and projector are not")
        else:
            # The whole checkpoint, as publishers of multimodal models state their size (Qwen3-VL, Mistral 3).
            record["vision_parameters"] = vision
            record["parameters"] = result["total"] + vision
            record["active_parameters"] = result["active"] + vision if moe else None
            notes.insert(0, f"whole checkpoint: language model {result['total']:,} + vision tower and projector "
                            f"{vision:,}")
    else:
        record["parameters"] = result["total"]
        record["active_parameters"] = result["active"] if moe else None
    if "extra_prediction" in result:
        record["extra_prediction_parameters"] = result["extra_prediction"]
        mtp = cfg.raw["num_nextn_predict_layers"]
        # DeepSeek-V3 ships 14B of multi-token-prediction weights beside the 671B main model.
        notes.append(f"main model only: the {mtp} multi-token-prediction layer(s) in the checkpoint are counted "
                     "apart (extra_prediction_parameters)")
    record["parameter_breakdown"] = dict(result["breakdown"])
    if record.get("vision_parameters"):
        record["parameter_breakdown"]["vision_tower_and_projector"] = record["vision_parameters"]
    record["assumptions"] = layout.assumptions
    record["parameters_note"] = "; ".join(notes) or None


def _cross_check(index: bytes | str | dict, cfg: _Config, record: dict) -> None:
    """Compare the count with a safetensors index's total_size over the bytes per parameter."""
    where = "model.safetensors.index.json"
    data = load_json(index, where) if isinstance(index, (bytes, bytearray, str)) else index
    metadata = data.get("metadata") if isinstance(data, dict) else None
    total_size = metadata.get("total_size") if isinstance(metadata, dict) else None
    if isinstance(total_size, float) and total_size.is_integer():
        total_size = int(total_size)
    if isinstance(total_size, bool) or not isinstance(total_size, int) or total_size <= 0:
        raise ParseError(where, "metadata.total_size", f"expected a positive byte count, got {total_size!r:.80}")
    record["safetensors_index_bytes"] = total_size
    counted = record.get("parameters") or record.get("text_parameters")
    assumptions = record.setdefault("assumptions", [])
    per_parameter, how = safetensors_bytes_per_parameter(record.get("checkpoint_dtype"),
                                                         cfg.dict("quantization_config"))
    if counted is None or per_parameter is None:
        assumptions.append(f"safetensors cross-check skipped: {how if counted else 'no parameter count'}")
        return
    stored = round(total_size / per_parameter)
    counted += record.get("extra_prediction_parameters", 0)
    record["safetensors_index_parameters"] = stored
    record["safetensors_index_ratio"] = ratio = round(counted / stored, 6)
    if abs(ratio - 1) > INDEX_TOLERANCE and not cfg.dict("quantization_config"):
        record.setdefault("count_warnings", []).append(
            f"parameters: {counted:,} counted but the safetensors index holds {stored:,} ({how}): off by "
            f"{(ratio - 1) * 100:+.1f}%")
    assumptions.append(f"safetensors cross-check: total_size / bytes per parameter ({how})"
                       + (", extra prediction layers included" if "extra_prediction_parameters" in record else ""))
