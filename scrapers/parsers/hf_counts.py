"""Parameter counts from the structure a Hugging Face config describes, tensor by tensor.

Every decoder is counted by one recipe: embeddings (tied or not, learned positions where the
config has a position table), per layer attention (MHA/GQA/MQA with an explicit or derived
`head_dim`, or DeepSeek's multi-head latent attention), q/k norms, a gated (3 matrices) or plain
(2 matrices) feed-forward or a mixture of experts (routed, shared, router, dense-first layers),
norms, the final norm and the output head. What the recipe reads from the config and what it
had to assume is written to `assumptions`, so a reader can check a count against the
implementation it models.

`QUIRKS` holds only what a config does not say and a family's code hard-codes (Qwen2's q/k/v
biases, Gemma 2/3's four norms a layer, OLMo's parameter-free norms, ...). A `model_type` with
no row is counted as the standard layout its keys describe; that layout is right for Llama,
Mistral, Mixtral, Phi-3, DeepSeek, Falcon, GPT-2, GPT-NeoX and most newer decoders.

Active parameters count what one token touches: attention, the routed experts it is sent to
(`moe_active_experts`), the shared experts and the router, plus the embeddings and the output
head. That is the convention behind Mixtral's published 12.9B active of 46.7B.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from scrapers.errors import ParseError
from scrapers.parsers.hf_mixers import STACKS, count_block_configs, count_rwkv, count_stack, count_xlstm


@dataclass(frozen=True)
class Quirks:
    """What a family's code fixes and its config does not say. None means: read the config."""

    layout: str = "decoder"  # "decoder" (one stack) or "t5" (encoder-decoder with relative bias)
    gated_mlp: bool | None = None
    qkv_bias: bool | None = None  # hard-coded biases; they override the config's keys
    o_bias: bool | None = None
    mlp_bias: bool | None = None
    lm_head_bias: bool = False
    norm: str | None = None  # "rmsnorm", "layernorm", "layernorm_no_bias", "parameter_free"
    norms_per_layer: int | None = None
    qk_norm: str | None = None  # "head" (a vector of head_dim each), "full" (whole projection), "weightless"
    positional: str | None = None
    position_offset: int = 0  # OPT learns max_position_embeddings + 2 positions
    embedding_norm: bool = False  # BLOOM normalises the word embeddings
    norm_position: str | None = "pre"
    sliding_every: int | None = None  # one full-attention layer in this many (Gemma 2: alternate)
    activation: str | None = None  # when the config names none (BLOOM's GELU is hard-coded; Llama's class default)
    tied_default: bool = True  # the config class's tie_word_embeddings default
    shared_experts: int | None = None  # shared experts the code builds without a config key
    dense_intermediate_key: str | None = None  # dense layers' width when intermediate_size sizes experts
    residual_scales: int = 0  # learned vectors of `hidden` scaling the residual stream, per layer (Doge)
    dynamic_mask: bool = False  # Doge's dynamic-mask attention: A (one per KV head) and dt_proj (values -> KV heads)
    retrieval_experts: bool = False  # Doge's CDMoE: single-neuron experts (two embedding rows each), product-key router
    stack: str | None = None  # a state-space or hybrid layer stack: its row of hf_mixers.STACKS (or "rwkv")


# Config classes whose tie_word_embeddings default is False. save_pretrained always writes the
# key for them (False differs from PretrainedConfig's True), so an absent key means a
# hand-written config, which transformers loads with the class default: untied. The same holds
# for hidden_act, whose class default in the Llama-style families is SiLU.
_UNTIED = dict(tied_default=False)
_UNTIED_SILU = dict(tied_default=False, activation="silu")
QUIRKS: dict[str, Quirks] = {
    **{name: Quirks(**_UNTIED_SILU) for name in ("llama", "mistral", "mixtral", "phi3", "phimoe", "deepseek_v2",
                                                 "deepseek_v3", "stablelm", "granite", "granitemoe")},
    "gpt_neox": Quirks(**_UNTIED),
    # Qwen2 hard-codes bias=True on q, k, v (not o) and has no config key for it.
    "qwen2": Quirks(qkv_bias=True, **_UNTIED_SILU),
    "qwen2_moe": Quirks(qkv_bias=True, **_UNTIED_SILU),
    **{name: Quirks(qkv_bias=True, **_UNTIED_SILU) for name in ("qwen2_vl", "qwen2_5_vl")},
    # Qwen3 and Gemma 3 normalise each head's queries and keys (RMSNorm over head_dim); no key says so.
    "qwen3": Quirks(qk_norm="head", **_UNTIED_SILU),
    "qwen3_moe": Quirks(qk_norm="head", **_UNTIED_SILU),
    # Gemma 2 and 3 norm before and after both attention and MLP ("sandwich"): 4 norms a layer.
    "gemma2": Quirks(norms_per_layer=4, sliding_every=2, norm_position=None),
    "gemma3_text": Quirks(norms_per_layer=4, qk_norm="head", norm_position=None),
    # OLMo (1) uses LayerNorm without scale or bias; its config names no norm at all.
    "olmo": Quirks(norm="parameter_free", **_UNTIED_SILU),
    # OLMo 2 and OLMoE normalise the whole q and k projections (RMSNorm over heads x head_dim);
    # OLMo 2 norms after attention and MLP, not before.
    "olmo2": Quirks(qk_norm="full", norm_position="post", **_UNTIED_SILU),
    "olmoe": Quirks(qk_norm="full", **_UNTIED_SILU),
    "bloom": Quirks(positional="alibi", embedding_norm=True, activation="gelu"),
    "opt": Quirks(positional="learned", position_offset=2, norm="layernorm"),
    # Phi-1/1.5/2 run attention and MLP in parallel off one LayerNorm; the output head has a bias.
    "phi": Quirks(norms_per_layer=1, lm_head_bias=True, **_UNTIED),
    # GPT-J: parallel blocks off one LayerNorm, no attention biases, biased MLP and output head.
    "gptj": Quirks(norms_per_layer=1, qkv_bias=False, o_bias=False, mlp_bias=True, lm_head_bias=True, **_UNTIED),
    # Cohere (Command R): parallel blocks off one LayerNorm that has no bias.
    "cohere": Quirks(norms_per_layer=1, norm="layernorm_no_bias"),
    # Llama 4: a shared expert in every MoE layer (no key), dense layers as wide as
    # intermediate_size_mlp (intermediate_size sizes the experts), q/k L2 norms without weights.
    "llama4_text": Quirks(shared_experts=1, dense_intermediate_key="intermediate_size_mlp", qk_norm="weightless",
                          **_UNTIED_SILU),
    **{name: Quirks(layout="t5", positional="relative", norm="rmsnorm") for name in ("t5", "mt5", "umt5")},
    # State-space and hybrid stacks (hf_mixers.STACKS): layer kinds, mixers and norms by the family's code.
    "mamba": Quirks(stack="mamba", norm="rmsnorm", positional="none"),
    "falcon_mamba": Quirks(stack="falcon_mamba", norm="rmsnorm", positional="none"),
    "mamba2": Quirks(stack="mamba2", norm="rmsnorm", positional="none"),
    "rwkv": Quirks(stack="rwkv", norm="layernorm", positional="none", tied_default=False),
    "bamba": Quirks(stack="bamba", **_UNTIED_SILU),
    "jamba": Quirks(stack="jamba", positional="none", **_UNTIED_SILU),
    "granitemoehybrid": Quirks(stack="granitemoehybrid", norm="rmsnorm"),
    "nemotron_h": Quirks(stack="nemotron_h", norm="rmsnorm", tied_default=False),
    **{name: Quirks(stack=name, qk_norm="head", **_UNTIED_SILU) for name in ("qwen3_next", "qwen3_5_text",
                                                                             "qwen3_5_moe_text")},
    **{name: Quirks(stack=name, norm="rmsnorm", gated_mlp=True, activation="silu", qk_norm="head")
       for name in ("lfm2", "lfm2_moe")},
    "minimax": Quirks(stack="minimax", **_UNTIED_SILU),
    "kimi_linear": Quirks(stack="kimi_linear", **_UNTIED_SILU),
    "nemotron-nas": Quirks(stack="block_configs", **_UNTIED_SILU),
    "xlstm": Quirks(stack="xlstm", norm="rmsnorm", positional="none", gated_mlp=True, activation="silu",
                    tied_default=False),
    "bailing_hybrid": Quirks(stack="bailing_hybrid", **_UNTIED_SILU),
    # BART-style encoder-decoders (fairseq's layout): plain two-matrix feed-forward, biased linear maps, LayerNorm.
    # Marian (opus-mt) and Pegasus use fixed sinusoidal positions; Marian and BART norm after each block.
    "marian": Quirks(layout="bart", positional="sinusoidal", norm="layernorm", norm_position="post", gated_mlp=False),
    "bart": Quirks(layout="bart", positional="learned", position_offset=2, norm="layernorm", norm_position="post",
                   gated_mlp=False),
    "mbart": Quirks(layout="bart", positional="learned", position_offset=2, norm="layernorm", gated_mlp=False),
    "pegasus": Quirks(layout="bart", positional="sinusoidal", norm="layernorm", gated_mlp=False),
    "m2m_100": Quirks(layout="bart", positional="sinusoidal", norm="layernorm", gated_mlp=False),
    # XGLM: fixed sinusoidal positions (no table to learn), like fairseq's decoders.
    "xglm": Quirks(positional="sinusoidal"),
    # ChatGLM (THUDM's remote code): dense_h_to_4h is one fused gate+up of 2 x ffn_hidden_size (SwiGLU, hard-coded),
    # rotary positions with no key naming them, an untied output_layer.
    "chatglm": Quirks(gated_mlp=True, positional="rope", o_bias=False, mlp_bias=False, **_UNTIED_SILU),
    # GLM-4-0414 (Glm4): norms after attention and after the MLP besides the two before them.
    "glm4": Quirks(norms_per_layer=4, norm_position=None, o_bias=False, **_UNTIED_SILU),
    # GLM (GLM-4 in transformers' format): attention_bias covers q, k, v only; o_proj has none.
    "glm": Quirks(o_bias=False, **_UNTIED_SILU),
    # Doge: q/k norms over head_dim, dynamic-mask attention (A, dt_proj), two residual scale vectors a layer; with
    # is_moe the feed-forward is a CDMoE: a gated shared expert plus num_experts single-neuron experts.
    "doge": Quirks(qk_norm="head", residual_scales=2, dynamic_mask=True, retrieval_experts=True, **_UNTIED_SILU),
}
STANDARD = Quirks()
# Families that need no row because the standard layout is theirs, checked against a published
# total in tests/test_parsers_hf_config.py. Listed so that their counts carry no "unknown
# family" note (which lowers a claim's confidence); the counting never reads this.
STANDARD_LAYOUT_CHECKED = frozenset({"gpt2", "falcon", "gemma"})

# Bias switches, most specific first: Llama's attention_bias covers q, k, v and o; StableLM's
# use_qkv_bias and ChatGLM's add_qkv_bias only q, k, v; Falcon's bias, Starcoder2's use_bias,
# ChatGLM's add_bias_linear and OPT's enable_bias every linear map.
_ALL_BIAS_KEYS = ("bias", "use_bias", "add_bias_linear", "enable_bias")
QKV_BIAS_KEYS = ("qkv_bias", "use_qkv_bias", "add_qkv_bias", "attention_bias", *_ALL_BIAS_KEYS)
O_BIAS_KEYS = ("attention_bias", *_ALL_BIAS_KEYS)
MLP_BIAS_KEYS = ("mlp_bias", *_ALL_BIAS_KEYS)
QK_NORM_KEYS = ("qk_layernorm", "use_qk_norm", "qk_norm")
NORM_EPS_KEYS = {"rms_norm_eps": "rmsnorm", "layer_norm_eps": "layernorm", "layer_norm_epsilon": "layernorm",
                 "layernorm_epsilon": "layernorm", "norm_eps": None}
# Parameters of one norm over a width of `h`.
NORM_WEIGHTS = {"rmsnorm": 1, "layernorm": 2, "layernorm_no_bias": 1, "parameter_free": 0}
GATED_ACTIVATIONS = ("swiglu", "geglu", "reglu")

# Which layers hold experts: config key -> test on (layer index, value). All present keys apply.
MOE_LAYER_RULES = (
    ("first_k_dense_replace", "int", lambda i, v: i >= v),  # DeepSeek: the first k layers stay dense
    ("moe_layer_start_index", "int", lambda i, v: i >= v),  # ERNIE 4.5: experts from this layer...
    ("moe_layer_end_index", "int_or_last", lambda i, v: v < 0 or i <= v),  # ...to this one (-1: the last)
    ("moe_layer_interval", "positive", lambda i, v: (i + 1) % v == 0),  # ...in every v-th layer
    ("moe_layer_freq", "positive", lambda i, v: i % v == 0),
    ("decoder_sparse_step", "positive", lambda i, v: (i + 1) % v == 0),  # Qwen-MoE
    ("interleave_moe_layer_step", "positive", lambda i, v: (i + 1) % v == 0),  # Llama 4
    ("mlp_only_layers", "list", lambda i, v: i not in v),
    ("moe_layers", "list", lambda i, v: i in v),
    # Per-layer words (Laguna, Mellum): "sparse" layers hold experts, "dense" ones a plain MLP.
    ("mlp_layer_types", "words", lambda i, v: v[min(i, len(v) - 1)] in ("sparse", "moe")),
)
# Config settings that add a per-expert bias to the router (DeepSeek-V3's aux-loss-free balancing
# keeps e_score_correction_bias, one value per routed expert).
ROUTER_BIAS = (("topk_method", "noaux_tc"),)
MAX_EXTRA_LAYERS = 1_000  # multi-token-prediction layers beyond this are not a real config
# Bytes per stored parameter for the safetensors cross-check.
DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8_e4m3": 1, "fp8_e5m2": 1, "int8": 1, "uint8": 1}


@dataclass
class Layout:
    """One decoder's resolved structure, and the assumptions that resolving it took."""

    norm: str
    gated_mlp: bool
    qkv_bias: bool
    o_bias: bool
    mlp_bias: bool
    lm_head_bias: bool
    norms_per_layer: int
    qk_norm: str | None
    embedding_norm: bool
    tied: bool
    assumptions: list[str] = field(default_factory=list)


def _first_bool(cfg, keys: tuple[str, ...]) -> tuple[str | None, bool | None]:
    for key in keys:
        value = cfg.bool(key)
        if value is not None:
            return key, value
    return None, None


def resolve_layout(cfg, quirks: Quirks, activation: str | None, table_entry: bool) -> Layout:
    """The structure the config describes, quirks applied, every guess written down."""
    said: list[str] = []
    # Norm kind: the quirk, else the epsilon key that names it, else a guess from the MLP below.
    norm, norm_reason = quirks.norm, "fixed by the family's code" if quirks.norm else None
    rms_switch = cfg.bool("rmsnorm")  # ChatGLM: "rmsnorm": true beside layernorm_epsilon
    if norm is None and rms_switch is not None:
        norm, norm_reason = ("rmsnorm" if rms_switch else "layernorm"), "rmsnorm"
    if norm is None:
        key = next((k for k, kind in NORM_EPS_KEYS.items() if kind and cfg.raw.get(k) is not None), None)
        if key:
            norm, norm_reason = NORM_EPS_KEYS[key], key

    # Gated (gate, up, down) or plain (up, down) feed-forward.
    if activation is None and quirks.activation:
        said.append(f"activation not named: {quirks.activation}, the family's default")
    name = (activation or quirks.activation or "").lower()
    gated = quirks.gated_mlp
    if gated is not None:
        said.append(f"feed-forward {'gated' if gated else 'plain'}: fixed by the family's code")
    elif name.startswith("gated-") or name in GATED_ACTIVATIONS:
        gated = True
        said.append(f"feed-forward gated (3 matrices): activation {name!r}")
    elif name in ("silu", "swish"):
        gated = True  # every SiLU decoder on the Hub is SwiGLU (Llama, Mistral, Qwen, DeepSeek, Phi-3)
        said.append("feed-forward gated (SwiGLU, 3 matrices): SiLU activation")
    elif name.startswith("gelu") and norm == "rmsnorm":
        gated = True  # Gemma: GeGLU with RMSNorm; GELU with LayerNorm is GPT-2's plain MLP
        said.append("feed-forward gated (GeGLU, 3 matrices): GELU with RMSNorm")
    else:
        gated = False
        said.append(f"feed-forward plain (2 matrices): activation {name or 'not named'!r}"
                    + (f" with {norm}" if norm else ""))
    if norm is None:
        norm = "rmsnorm" if gated else "layernorm"
        norm_reason = "no epsilon key; guessed from the feed-forward kind"
    said.append(f"norm {norm}: {norm_reason}")

    # Biases: a hard-coded quirk, else the config's switches, else the era's default: GPT-2-style
    # LayerNorm models with plain MLPs bias every linear map, Llama-style ones none.
    default_bias = norm == "layernorm" and not gated
    biases = {}
    for part, fixed, keys in (("q/k/v", quirks.qkv_bias, QKV_BIAS_KEYS), ("output projection", quirks.o_bias,
                                                                           O_BIAS_KEYS),
                              ("feed-forward", quirks.mlp_bias, MLP_BIAS_KEYS)):
        if fixed is not None:
            biases[part] = fixed
            said.append(f"{part} bias {'yes' if fixed else 'no'}: fixed by the family's code")
            continue
        key, value = _first_bool(cfg, keys)
        if key is None:
            biases[part] = default_bias
            said.append(f"{part} bias {'yes' if default_bias else 'no'}: no key; "
                        + ("LayerNorm with a plain MLP (GPT-2 style)" if default_bias else "the Llama-style default"))
        else:
            biases[part] = value

    # Norms in a block: the quirk, else Falcon's parallel-attention keys, else two (before
    # attention and before the MLP).
    per_layer = quirks.norms_per_layer
    if per_layer is not None:
        said.append(f"{per_layer} norm(s) a layer: fixed by the family's code")
    elif cfg.bool("new_decoder_architecture"):
        per_layer = cfg.int("num_ln_in_parallel_attn") or 2  # Falcon-40B/180B: ln_attn and ln_mlp
        said.append(f"{per_layer} norm(s) a layer: new_decoder_architecture")
    elif cfg.bool("parallel_attn"):
        per_layer = 1  # Falcon-7B: one norm feeds attention and MLP
        said.append("one norm a layer: parallel_attn")
    else:
        per_layer = 2
        said.append("two norms a layer (before attention and before the feed-forward)")
    qk_norm = quirks.qk_norm
    if qk_norm is not None:
        said.append({"head": "q/k norms of head_dim each", "full": "q/k norms over the whole projections",
                     "weightless": "q/k norms without weights"}[qk_norm] + ": fixed by the family's code")
    else:
        key, value = _first_bool(cfg, QK_NORM_KEYS)
        if value:
            qk_norm = "head"
            said.append(f"{key}: one norm of head_dim for queries and one for keys")
    tied = cfg.bool("tie_word_embeddings")
    if tied is None:
        tied = quirks.tied_default
        said.append(f"tie_word_embeddings absent: {'tied' if tied else 'untied'}, the "
                    + ("config class default" if table_entry else "PretrainedConfig default"))
    return Layout(norm=norm, gated_mlp=gated, qkv_bias=biases["q/k/v"], o_bias=biases["output projection"],
                  mlp_bias=biases["feed-forward"], lm_head_bias=quirks.lm_head_bias, norms_per_layer=per_layer,
                  qk_norm=qk_norm, embedding_norm=quirks.embedding_norm, tied=tied, assumptions=said)


def moe_layer_indices(cfg, layers: int) -> list[int]:
    tests = []
    for key, kind, test in MOE_LAYER_RULES:
        value = cfg.raw.get(key)
        if value is None:
            continue
        if key == "moe_layer_freq" and isinstance(value, list):
            # A per-layer list of 0/1 flags (some DeepSeek derivatives): 1 marks an MoE layer.
            if len(value) < layers or not all(v in (0, 1) and isinstance(v, int) for v in value):
                raise ParseError(cfg.source, cfg.prefix + key, f"expected {layers} flags of 0 or 1")
            tests.append((lambda i, v: i < len(v) and bool(v[i]), tuple(value)))
            continue
        if kind == "words":
            # The list covers the main layers; a multi-token-prediction layer after them is like the last one.
            depth = cfg.int("num_layers") or layers
            if not isinstance(value, list) or len(value) < min(depth, layers) or not value or not all(
                    v in ("sparse", "moe", "dense", "mlp") for v in value):
                raise ParseError(cfg.source, cfg.prefix + key, f"expected {min(depth, layers)} of sparse/dense")
            tests.append((test, tuple(value)))
            continue
        if kind == "list":
            if not isinstance(value, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in value):
                raise ParseError(cfg.source, cfg.prefix + key, "expected a list of layer numbers")
            value = frozenset(value)
        else:
            value = cfg.int(key, minimum={"positive": 1, "int": 0, "int_or_last": -1}[kind])
        tests.append((test, value))
    return [i for i in range(layers) if all(test(i, value) for test, value in tests)]


def count_parameters(cfg, layout: Layout, quirks: Quirks, record: dict):
    """A dict of counts (total, active, ...) or, when the config does not describe the model
    fully, the reason as text.

    Publishers differ on the input embeddings (a lookup, not a matrix product): Mixtral's 12.9B
    active counts them, DeepSeek-V3's 37B appears not to (37.55B with, 36.63B without), so both
    figures are returned.
    """
    hidden, layers, heads, vocab = (record.get(k) for k in ("hidden_size", "num_layers", "num_heads", "vocab_size"))
    if quirks.stack is not None:
        return _count_stack(cfg, layout, quirks, record)
    missing = [name for name, value in (("hidden_size", hidden), ("num_layers", layers), ("num_heads", heads),
                                        ("vocab_size", vocab)) if value is None]
    if missing:
        return "not computed: the config gives no " + ", ".join(missing)
    if quirks.layout == "bart":
        return _bart(cfg, record, layout, quirks, hidden, vocab)
    if quirks.layout == "t5":
        layout.assumptions[:] = [a for a in layout.assumptions if a.startswith("tie_word_embeddings")]
        layout.assumptions.append("T5 encoder-decoder: relative position bias in each stack's first layer, "
                                  "scale-only norms (2 per encoder layer, 3 per decoder layer, 1 after each stack)")
        return _t5(cfg, record, hidden, layers, heads, vocab)
    unmodelled = _unmodelled_layout(cfg)
    if unmodelled:
        return f"not computed: {unmodelled}, which the transformer recipe does not describe"
    said = layout.assumptions
    head_dim = record.get("head_dim")
    if head_dim is None:
        if hidden % heads:
            return "not computed: hidden_size is not a multiple of num_heads and head_dim is absent"
        head_dim = hidden // heads
        said.append(f"head_dim absent: hidden_size / num_heads = {head_dim}")
    norm = NORM_WEIGHTS[layout.norm] * hidden

    if record.get("attention") == "mla":
        attention = _mla(cfg, hidden, heads, layout)
        if isinstance(attention, str):
            return attention
    else:
        attention = _attention(record, layout, quirks, hidden, heads, head_dim, said)

    def mlp(inner: int) -> int:
        matrices = 3 if layout.gated_mlp else 2
        biases = ((2 * inner if layout.gated_mlp else inner) + hidden) if layout.mlp_bias else 0
        return matrices * hidden * inner + biases

    inner = expert_default = record.get("intermediate_size")
    if quirks.dense_intermediate_key and cfg.int(quirks.dense_intermediate_key):
        inner = cfg.int(quirks.dense_intermediate_key)
        said.append(f"dense layers {inner} wide ({quirks.dense_intermediate_key}); intermediate_size sizes experts")
    if inner is None and not layout.gated_mlp:
        inner = 4 * hidden  # GPT-2 and BLOOM write n_inner: null, Falcon no ffn_hidden_size, for 4 x hidden
        said.append(f"intermediate size absent: 4 x hidden_size = {inner}")
    moe_layers = len(record.get("moe_layers") or ())
    dense_layers = layers - moe_layers
    if dense_layers and inner is None:
        return "not computed: the config gives no intermediate_size"
    per_layer = attention + layout.norms_per_layer * norm + quirks.residual_scales * hidden
    if quirks.residual_scales:
        said.append(f"{quirks.residual_scales} residual scale vector(s) of hidden_size a layer: fixed by the family's code")
    # Per-layer head counts (Laguna: 48 heads in full-attention layers, 64 in sliding ones): the difference each
    # layer makes to the one-size attention above.
    per_layer_heads = cfg.raw.get("num_attention_heads_per_layer")
    heads_extra = 0
    if per_layer_heads is not None and record.get("attention") != "mla":
        if (not isinstance(per_layer_heads, list) or len(per_layer_heads) != layers
                or not all(isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in per_layer_heads)):
            raise ParseError(cfg.source, cfg.prefix + "num_attention_heads_per_layer", f"expected {layers} head counts")
        heads_extra = sum(_attention(record, layout, quirks, hidden, h, head_dim, []) for h in per_layer_heads) \
            - layers * attention
        said.append("attention heads per layer from num_attention_heads_per_layer")
    breakdown = {"attention": layers * attention + heads_extra,
                 "norms": layers * (layout.norms_per_layer * norm + quirks.residual_scales * hidden) + norm,
                 "feed_forward": dense_layers * mlp(inner) if dense_layers else 0}
    total = active = layers * per_layer + heads_extra + breakdown["feed_forward"]
    moe_layer = moe_layer_active = None  # one MoE layer's feed-forward, total and per token
    if moe_layers:
        experts, top_k = record["moe_experts"], record.get("moe_active_experts")
        expert_inner = record.get("moe_intermediate_size") or expert_default or inner
        if top_k is None or expert_inner is None:
            return "not computed: a mixture-of-experts config without experts per token or expert size"
        if top_k > experts:
            raise ParseError(cfg.source, cfg.prefix + (cfg.key_of("moe_active_experts") or "num_experts_per_tok"),
                             f"{top_k} experts per token but only {experts} experts")
        if record.get("moe_intermediate_size") is None:
            said.append(f"expert size: intermediate_size ({expert_inner}), as in Mixtral")
        shared_inner = cfg.int("shared_expert_intermediate_size", minimum=0)
        if quirks.retrieval_experts:
            # Doge's CDMoE: each expert is one neuron (a row of down_embed and of up_embed); a gated shared
            # expert of intermediate_size; the router scores 2 x floor(sqrt(experts)) product keys.
            keys = math.isqrt(experts)
            shared, router = mlp(inner), hidden * 2 * keys
            expert_params = 2 * hidden
            said.append(f"retrieval experts (CDMoE): {experts} single-neuron experts of 2 x hidden_size, a gated shared "
                        f"expert of intermediate_size, a product-key router of 2 x {keys} keys")
            moe_layer = experts * expert_params + shared + router
            moe_layer_active = top_k * expert_params + shared + router
            breakdown.update(routed_experts=moe_layers * experts * expert_params, shared_experts=moe_layers * shared,
                             routers=moe_layers * router)
        else:
            if shared_inner:
                # Qwen2-MoE: one shared expert of its own size, scaled by a sigmoid gate (hidden -> 1).
                shared = mlp(shared_inner) + hidden
                said.append("shared_expert_intermediate_size: one shared expert with a hidden -> 1 gate (Qwen2-MoE)")
            else:
                if record.get("moe_shared_experts") is None and quirks.shared_experts:
                    record["moe_shared_experts"] = quirks.shared_experts
                    said.append(f"{quirks.shared_experts} shared expert(s) of the routed experts' size: fixed by the "
                                "family's code")
                shared = (record.get("moe_shared_experts") or 0) * mlp(expert_inner)
            router_bias = any(cfg.raw.get(k) == v for k, v in ROUTER_BIAS)
            router = experts * hidden + (experts if router_bias else 0)
            said.append("router: hidden x experts, no bias" + (" (plus a per-expert score-correction bias: "
                                                                   "topk_method noaux_tc)" if router_bias else ""))
            moe_layer = experts * mlp(expert_inner) + shared + router
            moe_layer_active = top_k * mlp(expert_inner) + shared + router
            breakdown.update(routed_experts=moe_layers * experts * mlp(expert_inner),
                             shared_experts=moe_layers * shared, routers=moe_layers * router)
        total += moe_layers * moe_layer
        active += moe_layers * moe_layer_active

    embedding = vocab * hidden
    positions = 0
    if record.get("positional") == "learned":
        context = record.get("context_length")
        if context is None:
            return "not computed: learned positions but no max_position_embeddings / n_positions"
        positions = (context + quirks.position_offset) * hidden
        said.append(f"learned position table of {context + quirks.position_offset} rows")
    head = 0 if layout.tied else vocab * hidden
    head += vocab if layout.lm_head_bias else 0
    outside = embedding + positions + norm + head + (norm if layout.embedding_norm else 0)
    breakdown.update(embeddings=embedding + positions, output_head=head)
    if layout.embedding_norm:
        breakdown["norms"] += norm
    result = {"total": total + outside, "active": active + outside,
              "active_excluding_input_embedding": active + outside - embedding - positions,
              "breakdown": {k: v for k, v in breakdown.items() if v}}
    mtp = cfg.raw.get("num_nextn_predict_layers")
    if isinstance(mtp, int) and not isinstance(mtp, bool) and mtp > 0:
        # DeepSeek-V3's multi-token-prediction module, as its checkpoint stores it: one more
        # decoder layer (an MoE one), norms of the hidden state and of the embedding, a
        # 2 x hidden -> hidden projection, and its own copies of the embedding and output head.
        # 671B main model + 14B of these = the 685B DeepSeek publishes for the checkpoint.
        if mtp > MAX_EXTRA_LAYERS:
            raise ParseError(cfg.source, cfg.prefix + "num_nextn_predict_layers", f"{mtp} extra layers is not a model")
        moe_at = set(moe_layer_indices(cfg, layers + mtp)) if moe_layer is not None else set()
        blocks = sum(per_layer + (moe_layer if layers + j in moe_at else mlp(inner) if inner else 0)
                     for j in range(mtp))
        result["extra_prediction"] = blocks + mtp * (3 * norm + 2 * hidden * hidden + 2 * vocab * hidden)
        said.append("multi-token-prediction layers counted apart, with their stored embedding and head copies")
    return result


def _attention(record: dict, layout: Layout, quirks: Quirks, hidden: int, heads: int, head_dim: int,
               said: list[str]) -> int:
    """One softmax-attention block: q, k, v, o with their biases, q/k norms, Doge's dynamic mask."""
    kv = record.get("kv_heads") or heads
    q_out, kv_out = heads * head_dim, kv * head_dim
    attention = 2 * hidden * q_out + 2 * hidden * kv_out
    attention += (q_out + 2 * kv_out if layout.qkv_bias else 0) + (hidden if layout.o_bias else 0)
    if quirks.dynamic_mask:
        attention += kv + kv * head_dim * kv + (kv if layout.qkv_bias else 0)
        said.append("dynamic-mask attention: A (one per KV head) and dt_proj (KV heads x head_dim -> KV heads)")
    if layout.qk_norm == "head":
        attention += 2 * head_dim
    elif layout.qk_norm == "full":
        attention += q_out + kv_out
    return attention


def _count_stack(cfg, layout: Layout, quirks: Quirks, record: dict):
    """State-space, linear-attention and hybrid stacks (hf_mixers.py): each layer by its kind."""
    hidden, layers, heads, vocab = (record.get(k) for k in ("hidden_size", "num_layers", "num_heads", "vocab_size"))
    if quirks.stack == "xlstm":  # names its width and depth embedding_dim and num_blocks; no attention layer
        for key in ("attention", "kv_heads", "num_heads"):
            record.pop(key, None)
        return count_xlstm(cfg, record, layout.assumptions)
    pattern = cfg.raw.get("layers_block_type") or cfg.raw.get("layer_types")
    if layers is None and isinstance(pattern, list) and pattern:
        # Nemotron 3 Ultra names no num_hidden_layers: its layer list is the depth.
        layers = record["num_layers"] = len(pattern)
        layout.assumptions.append(f"num_layers absent: {len(pattern)}, the length of the layer list")
    missing = [name for name, value in (("hidden_size", hidden), ("num_layers", layers), ("vocab_size", vocab))
               if value is None]
    if missing:
        return "not computed: the config gives no " + ", ".join(missing)
    said = layout.assumptions
    stack = STACKS.get(quirks.stack)
    if stack is not None and stack.ffn == "none":
        # A pure state-space model has no feed-forward: the guesses about one do not apply.
        said[:] = [a for a in said if not a.startswith(("feed-forward", "q/k/v bias", "output projection bias"))]
    norm = NORM_WEIGHTS[layout.norm] * hidden
    if quirks.stack == "rwkv":
        return count_rwkv(cfg, record, said)
    if quirks.stack == "block_configs":
        return count_block_configs(cfg, record, said)
    attention = 0
    if record.get("attention") == "mla":
        attention = _mla(cfg, hidden, heads, layout)
        if isinstance(attention, str):
            return attention
    elif heads:
        head_dim = record.get("head_dim")
        if head_dim is None:
            if hidden % heads:
                return "not computed: hidden_size is not a multiple of num_heads and head_dim is absent"
            head_dim = hidden // heads
        attention = _attention(record, layout, quirks, hidden, heads, head_dim, said)
    result = count_stack(cfg, stack, record, attention, norm, layout, said)
    if isinstance(result, dict) and "attention" not in record.get("layer_mixers", {}):
        for key in ("attention", "kv_heads", "num_heads"):  # no attention layer: no attention kind to report
            record.pop(key, None)
        record["positional"] = "none"
    return result


# Layer kinds the recipe counts; anything else in layer_types (Mamba, linear attention) is not.
# DeepSeek sparse attention (DeepSeek-V3.2, GLM-5) is MLA with a lightning indexer (counted by _mla).
ATTENTION_LAYER_TYPES = {"full_attention", "sliding_attention", "chunked_attention", "attention",
                         "deepseek_sparse_attention"}
# Key prefixes of state-space and linear-attention layers (Jamba, Falcon-H1, Qwen3-Next, ...).
UNMODELLED_PREFIXES = ("mamba_", "ssm_", "linear_num_", "linear_key_", "linear_value_", "linear_conv_")


def _unmodelled_layout(cfg) -> str | None:
    """What in the config lies outside a decoder-only transformer stack, in words, or None."""
    if cfg.bool("is_encoder_decoder"):
        return "an encoder-decoder (is_encoder_decoder) other than T5"
    kinds = cfg.raw.get("layer_types")
    if isinstance(kinds, list):
        other = sorted({k for k in kinds if isinstance(k, str)} - ATTENTION_LAYER_TYPES)
        if other:
            return "layers of kind " + ", ".join(other)
    keys = sorted(k for k in cfg.raw if k.startswith(UNMODELLED_PREFIXES) and cfg.raw[k] is not None)
    if keys:
        return f"state-space or linear-attention layers ({keys[0]})"
    return None


def _mla(cfg, hidden: int, heads: int, layout: Layout):
    """Multi-head latent attention (DeepSeek-V2/V3): low-rank query and key/value projections,
    each compressed vector RMS-normed before it is expanded."""
    q_rank = cfg.int("q_lora_rank")
    kv_rank, nope, rope, v_dim = (cfg.int(k) for k in ("kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
                                                      "v_head_dim"))
    if None in (kv_rank, nope, rope, v_dim):
        return "not computed: MLA config without kv_lora_rank, qk_nope/rope_head_dim or v_head_dim"
    qk_dim = nope + rope
    query = (hidden * q_rank + q_rank + q_rank * heads * qk_dim) if q_rank else hidden * heads * qk_dim
    key_value = hidden * (kv_rank + rope) + kv_rank + kv_rank * heads * (nope + v_dim)
    output = heads * v_dim * hidden
    bias = ((q_rank or heads * qk_dim) + kv_rank + rope + hidden) if layout.qkv_bias else 0
    index_heads, index_dim = cfg.raw.get("index_n_heads"), cfg.raw.get("index_head_dim")
    indexer = 0
    if isinstance(index_heads, int) and isinstance(index_dim, int) and index_heads > 0 and index_dim > 0 and q_rank:
        # DeepSeek sparse attention's lightning indexer: wq_b (q rank -> heads x dim), wk (hidden -> dim) with a
        # LayerNorm, weights_proj (hidden -> heads).
        indexer = q_rank * index_heads * index_dim + hidden * index_dim + 2 * index_dim + hidden * index_heads
        layout.assumptions.append(f"sparse-attention indexer: {index_heads} heads of {index_dim} (index_n_heads, "
                                  "index_head_dim), wq_b, wk with a LayerNorm, weights_proj")
    layout.assumptions.append("multi-head latent attention: " + (f"queries through rank {q_rank}" if q_rank else
                                                                 "full-rank queries")
                              + f", keys and values through rank {kv_rank}, both compressions RMS-normed")
    return query + key_value + output + bias + indexer


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
    head = 0 if record.get("tied_embeddings") else vocab * hidden
    total = vocab * hidden + encoder + decoder + head
    return {"total": total, "active": total, "active_excluding_input_embedding": None,
            "breakdown": {"embeddings": vocab * hidden, "encoder": encoder, "decoder": decoder, "output_head": head}}


def _bart(cfg, record: dict, layout: Layout, quirks: Quirks, hidden: int, vocab: int):
    """BART, mBART, Marian, Pegasus, M2M-100: an encoder and a decoder of post- or pre-norm blocks, cross-attention
    in the decoder, biased q/k/v/o and a plain fc1/fc2 feed-forward, one LayerNorm per sub-block."""
    enc_layers, dec_layers = cfg.int("encoder_layers"), cfg.int("decoder_layers")
    enc_ffn, dec_ffn = cfg.int("encoder_ffn_dim"), cfg.int("decoder_ffn_dim")
    if None in (enc_layers, dec_layers, enc_ffn, dec_ffn):
        return "not computed: an encoder-decoder config without encoder/decoder_layers and _ffn_dim"
    norm = 2 * hidden  # LayerNorm: a scale and a bias
    attention = 4 * hidden * hidden + 4 * hidden

    def ffn(inner: int) -> int:
        return 2 * hidden * inner + inner + hidden

    encoder = enc_layers * (attention + ffn(enc_ffn) + 2 * norm)
    decoder = dec_layers * (2 * attention + ffn(dec_ffn) + 3 * norm)
    said = [a for a in layout.assumptions if a.startswith("tie_word_embeddings")]
    said.append(f"encoder-decoder ({record.get('model_type') or 'BART family'}): {enc_layers} encoder and {dec_layers} "
                "decoder layers, biased q/k/v/o, cross-attention in the decoder, plain fc1/fc2 feed-forward, "
                "a LayerNorm per sub-block")
    extra = 0
    if cfg.bool("normalize_embedding") or (cfg.bool("normalize_embedding") is None and quirks.position_offset):
        extra += 2 * norm  # layernorm_embedding in each stack (BART, mBART)
        said.append("a LayerNorm on the embeddings of each stack")
    if cfg.bool("add_final_layer_norm") or (cfg.bool("normalize_before") and cfg.bool("add_final_layer_norm") is None):
        extra += 2 * norm
        said.append("a final LayerNorm after each stack")
    positions = 0
    if quirks.positional == "learned":
        context = record.get("context_length")
        if context is None:
            return "not computed: learned positions but no max_position_embeddings"
        positions = 2 * (context + quirks.position_offset) * hidden
        said.append(f"learned position tables of {context + quirks.position_offset} rows in each stack")
    else:
        said.append("fixed sinusoidal positions: stored in the checkpoint but not trained, not counted")
    embedding = vocab * hidden
    decoder_vocab = cfg.int("decoder_vocab_size") or vocab
    if cfg.bool("share_encoder_decoder_embeddings") is False:
        embedding += decoder_vocab * hidden
        said.append("separate encoder and decoder embeddings (share_encoder_decoder_embeddings: false)")
    head = 0 if record.get("tied_embeddings") else decoder_vocab * hidden
    total = embedding + positions + encoder + decoder + extra + head
    layout.assumptions[:] = said
    record["num_decoder_layers"] = dec_layers
    return {"total": total, "active": total, "active_excluding_input_embedding": None,
            "breakdown": {"embeddings": embedding + positions, "encoder": encoder, "decoder": decoder,
                          "norms": extra, "output_head": head}}


def safetensors_bytes_per_parameter(dtype: str | None, quantization: dict | None) -> tuple[float | None, str]:
    """Bytes one stored parameter takes, and how that was decided."""
    if quantization:
        method = str(quantization.get("quant_method", "")).lower()
        bits = quantization.get("bits", quantization.get("w_bit"))
        if method == "fp8":
            return 1, "fp8 quantization: 1 byte a weight (scales and unquantized tensors make the ratio drift)"
        if isinstance(bits, int) and not isinstance(bits, bool) and 0 < bits <= 32:
            return bits / 8, f"{bits}-bit quantization: {bits / 8:g} bytes a weight"
        if quantization.get("load_in_4bit"):
            return 0.5, "4-bit quantization: 0.5 bytes a weight"
    size = DTYPE_BYTES.get(dtype or "")
    if size is None:
        return None, f"no byte size known for checkpoint dtype {dtype!r}"
    return size, f"{dtype}: {size} bytes a parameter"
