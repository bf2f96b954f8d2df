"""Vision towers and projectors of multimodal checkpoints, counted from `vision_config`.

Only the towers whose modelling code fixes every shape the config leaves out are counted; any
other tower gives None and the checkpoint keeps its language-model count alone (the reason in
`assumptions`). `VISION_TOWERS` maps the tower's `model_type` to its recipe.

- Qwen3-VL, Qwen3.5 (`qwen3_vl`, `qwen3_5`, `qwen3_5_moe` and their `*_vision` spellings): a 3-D patch
  convolution with bias, a learned position table of `num_position_embeddings`, `depth` pre-LayerNorm
  blocks (fused biased qkv, biased projection, a plain biased fc1/fc2 MLP), a patch merger (LayerNorm,
  two biased linear maps from hidden x merge^2 to `out_hidden_size`) and one more merger per
  `deepstack_visual_indexes` entry (LayerNorm over the merged width).
- Pixtral (Mistral 3, Magistral, Ministral 3): a 2-D patch convolution without bias, RMSNorm before
  the blocks, blocks of q/k/v/o without bias and a gated MLP, 2-D rotary positions (no table); the
  Mistral 3 projector: RMSNorm, a patch merger (hidden x merge^2 -> hidden) and two linear maps to
  the text width, biased when `multimodal_projector_bias`.
"""

from __future__ import annotations


def _get(config: dict, *keys: str, default=None):
    for key in keys:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return default


def _qwen_vl(top: dict, vision: dict, text_hidden: int, said: list[str]) -> int | None:
    h, depth, inner = _get(vision, "hidden_size"), _get(vision, "depth"), _get(vision, "intermediate_size")
    if None in (h, depth, inner):
        return None
    channels, patch = _get(vision, "in_channels", default=3), _get(vision, "patch_size", default=16)
    temporal, merge = _get(vision, "temporal_patch_size", default=2), _get(vision, "spatial_merge_size", default=2)
    positions = _get(vision, "num_position_embeddings", default=0)
    out = _get(vision, "out_hidden_size", default=text_hidden)
    deepstack = vision.get("deepstack_visual_indexes") or []
    if not isinstance(deepstack, list):
        return None
    merged = h * merge * merge
    block = 2 * 2 * h + (3 * h * h + 3 * h) + (h * h + h) + (h * inner + inner) + (inner * h + h)
    merger = (merged * merged + merged) + (merged * out + out)
    total = (channels * temporal * patch * patch * h + h + positions * h + depth * block
             + 2 * h + merger + len(deepstack) * (2 * merged + merger))
    said.append(f"vision tower (Qwen3-VL layout): {depth} blocks of {h}, MLP {inner}, patch {temporal}x{patch}x{patch}, "
                f"{positions} learned positions, a merger to {out} and {len(deepstack)} deepstack merger(s)")
    return total


def _pixtral(top: dict, vision: dict, text_hidden: int, said: list[str]) -> int | None:
    h, layers, inner = _get(vision, "hidden_size"), _get(vision, "num_hidden_layers"), _get(vision, "intermediate_size")
    if None in (h, layers, inner):
        return None
    heads = _get(vision, "num_attention_heads", default=1)
    head_dim = _get(vision, "head_dim", default=h // heads)
    channels, patch = _get(vision, "num_channels", default=3), _get(vision, "patch_size", default=14)
    merge = _get(top, "spatial_merge_size", default=2)
    bias = top.get("multimodal_projector_bias") is True  # anything but true: no biases
    block = 2 * h + 2 * h * heads * head_dim + 2 * h * heads * head_dim + 3 * h * inner
    tower = channels * patch * patch * h + h + layers * block
    projector = h + h * merge * merge * h + (h * text_hidden + (text_hidden if bias else 0)) \
        + (text_hidden * text_hidden + (text_hidden if bias else 0))
    said.append(f"vision tower (Pixtral): {layers} blocks of {h}, gated MLP {inner}, patch {patch}, 2-D rotary "
                f"positions; Mistral 3 projector (norm, {merge}x{merge} patch merger, two linear maps"
                + (" with biases)" if bias else ", no biases)"))
    return tower + projector


def _qwen25_vl(top: dict, vision: dict, text_hidden: int, said: list[str]) -> int | None:
    h, depth, inner = _get(vision, "hidden_size", "embed_dim"), _get(vision, "depth"), _get(vision, "intermediate_size")
    if None in (h, depth, inner):
        return None
    channels, patch = _get(vision, "in_chans", "in_channels", default=3), _get(vision, "patch_size", default=14)
    temporal, merge = _get(vision, "temporal_patch_size", default=2), _get(vision, "spatial_merge_size", default=2)
    out = _get(vision, "out_hidden_size", default=text_hidden)
    merged = h * merge * merge
    block = 2 * h + (3 * h * h + 3 * h) + (h * h + h) + 2 * (h * inner + inner) + (inner * h + h)
    merger = h + (merged * merged + merged) + (merged * out + out)
    said.append(f"vision tower (Qwen2.5-VL layout): {depth} blocks of {h}, gated MLP {inner} with biases, RMSNorms, "
                f"patch {temporal}x{patch}x{patch} without bias, no position table, a merger to {out}")
    return channels * temporal * patch * patch * h + depth * block + merger


VISION_TOWERS = {
    "qwen2_5_vl": _qwen25_vl,
    **{name: _qwen_vl for name in ("qwen3_vl", "qwen3_5", "qwen3_5_moe", "qwen3_vl_vision", "qwen3_5_vision",
                                   "qwen3_5_moe_vision", "qwen3_vl_moe")},
    "pixtral": _pixtral,
}


def count_vision(top: dict, text_hidden: int | None, said: list[str]) -> int | None:
    """Parameters of the vision tower and projector, or None (with the reason in `said`)."""
    vision = top.get("vision_config")
    if not isinstance(vision, dict):
        said.append("no vision_config: only the language model is counted")
        return None
    kind = vision.get("model_type") or top.get("model_type")  # Qwen2.5-VL names its tower only at the top
    recipe = VISION_TOWERS.get(kind) if isinstance(kind, str) else None
    if recipe is None or not text_hidden:
        said.append(f"vision tower {kind!r} has no recipe: only the language model is counted")
        return None
    extra = sorted(k for k in top if k.endswith("_config") and k not in ("text_config", "vision_config",
                                                                          "quantization_config"))
    if extra:
        said.append(f"{', '.join(extra)} present: towers other than vision are not counted, so no whole count")
        return None
    return recipe(top, vision, text_hidden, said)
