"""What each claim field means, its unit, its plausible range, and the rule for reading numbers.

Ranges are there to catch unit slips, the most common curation error: `parameters: 671` where
671e9 was meant, GPU-hours typed in millions, TFLOP/s typed as FLOP/s.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

# Multipliers a curator may write after a number. "B" and "G" are both 1e9 (billion / giga);
# there is no "b" (bits?) or "m" (milli or million?) because each is ambiguous.
SUFFIXES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}
# The same multipliers as exact decimals: "16.4B" is read as Decimal("16.4") * 10**9 and rounded
# once to the nearest float (16400000000.0), where float multiplication gives 16399999999.999998.
_EXACT_SUFFIXES = {key: Decimal(repr(factor)) for key, factor in SUFFIXES.items()}
_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([kKMBGT])?$")
_SEPARATORS = re.compile(r"(?<=\d)[,_](?=\d{3})")


class ValueProblem(ValueError):
    """A value that cannot be read or is out of range; the message says what to write instead."""


class ImplausibleMagnitude(ValueProblem):
    """A possible but unusual magnitude: an error in curated files (a unit slip is the likely
    cause), a warning in the generated layer (TD-Gammon really had 25,000 parameters)."""


def parse_decimal(value: object) -> Decimal:
    """Read a curated number exactly: 671e9, 2.788M, 15T, 30,840,000. Anything else is rejected.

    PyYAML reads `671e9` as a string (YAML 1.1 floats need a dot and a signed exponent),
    so numeric strings are the normal case here, not an exception.
    """
    if isinstance(value, bool):
        raise ValueProblem(f"expected a number, got {value!r}")
    if isinstance(value, int):
        if value.bit_length() > 1000:  # hundreds of digits: no quantity in this catalog has them
            raise ValueProblem(f"{str(value)[:20]}... ({len(str(value))} digits) is too large")
        number = Decimal(value)
    elif isinstance(value, float):
        # YAML already made it a float; its shortest repr is what the curator typed.
        number = Decimal(repr(value)) if math.isfinite(value) else Decimal("nan")
    elif isinstance(value, str):
        text = _SEPARATORS.sub("", value.strip())
        match = _NUMBER.match(text)
        if not match:
            raise ValueProblem(
                f"cannot read {value!r} as a number: write digits with at most one suffix "
                f"k, M, B/G or T (e.g. 2.788M, 671e9) and put any words in `quote`")
        number = Decimal(match.group(1)) * _EXACT_SUFFIXES.get(match.group(2) or "", Decimal(1))
    else:
        raise ValueProblem(f"expected a number, got {type(value).__name__} {value!r}")
    if not number.is_finite() or not math.isfinite(float(number)):
        raise ValueProblem(f"{value!r} is not a finite number")
    return number


def parse_number(value: object) -> float:
    """`parse_decimal` rounded once to the nearest float: "16.4B" is exactly 16,400,000,000."""
    return float(parse_decimal(value))


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "num" | "enum" | "ref" | "bool"
    unit: str | None = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None  # entity type an id must exist in
    column: str | None = None  # entity column it resolves into, when not `name`

    @property
    def target_column(self) -> str:
        return self.column or self.name

    def check_number(self, number: float) -> None:
        if number < 0:
            raise ValueProblem(f"{_fmt(number)} is negative; {self.name} cannot be")
        if self.low is not None and number < self.low:
            raise ImplausibleMagnitude(
                f"implausible magnitude: {_fmt(number)} {self.unit or ''} is below {_fmt(self.low)}; "
                f"values are in {self.unit or 'the field unit'} (write 671e9 or 671B for 671 billion)")
        if self.high is not None and number > self.high:
            raise ImplausibleMagnitude(
                f"implausible magnitude: {_fmt(number)} {self.unit or ''} is above {_fmt(self.high)}")

    def check_number_noting(self, number: float, notes: list[str] | None) -> None:
        """check_number; with a `notes` list (imports of other databases), an unusual but possible
        magnitude is noted there as "field: message" and the value kept instead of refused."""
        try:
            self.check_number(number)
        except ImplausibleMagnitude as exc:
            if notes is None:
                raise
            notes.append(f"{self.name}: {exc}")


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _num(name, unit, low, high, column=None):
    return FieldSpec(name, "num", unit=unit, low=low, high=high, column=column)


def _enum(name, *choices):
    return FieldSpec(name, "enum", choices=choices)


MODEL_FIELDS: dict[str, FieldSpec] = {f.name: f for f in (
    _num("parameters", "parameters", 1e5, 1e14),
    _num("active_parameters", "parameters", 1e5, 1e14),
    _num("training_tokens", "tokens", 1e6, 1e15),
    _num("training_compute_flop", "FLOP", 1e14, 1e28),
    _num("gpu_hours", "hours", 1, 1e9),
    FieldSpec("hardware", "ref", ref="hardware", column="hardware_id"),
    _num("hardware_count", "chips", 1, 1e7),
    _num("training_days", "days", 0.01, 2000),
    _enum("training_precision", "fp32", "fp16", "bf16", "fp8"),
    _num("context_length", "tokens", 16, 1e9),
    _enum("attention", "mha", "mqa", "gqa", "mla", "other"),
    _num("num_layers", "layers", 1, 10_000),
    _num("hidden_size", "dimensions", 8, 1e6),
    _num("num_heads", "heads", 1, 10_000),
    _num("kv_heads", "heads", 1, 10_000),
    _num("vocab_size", "tokens", 50, 1e8),
    _num("sliding_window", "tokens", 16, 1e9),
    _num("moe_experts", "experts", 2, 1e6),
    _num("moe_active_experts", "experts", 1, 1e5),
    _num("moe_shared_experts", "experts", 0, 1e4),
    _enum("positional", "learned", "sinusoidal", "relative", "rope", "alibi", "none"),
    _enum("activation", "relu", "gelu", "swiglu", "geglu", "other"),
    _enum("norm", "layernorm", "rmsnorm"),
    _enum("norm_position", "pre", "post"),
    FieldSpec("tied_embeddings", "bool"),
    # Training cost in US dollars (issue 19; docs/cost.md). Ranges: a small model trained for an
    # hour on one rented GPU costs about a dollar; no run has yet cost a trillion.
    _num("training_cost_cloud_usd", "USD", 0.01, 1e12),
    _num("training_cost_amortized_usd", "USD", 0.01, 1e12),
    _num("training_cost_upfront_usd", "USD", 0.01, 1e12),
    # Data set and tokens seen apart (docs/generated-layer.md, "Dataset size"); a source's own
    # utilisation (Epoch's late-2025 exports); Epoch's dollar figures use the cost fields above.
    _num("training_dataset_tokens", "tokens", 1e3, 1e16),
    _num("training_epochs", "epochs", 1e-4, 1e5),
    _num("hardware_utilization_mfu", "ratio", 0.005, 1),
    _num("hardware_utilization_hfu", "ratio", 0.005, 1),
    FieldSpec("frontier_model", "bool"),
)}

HARDWARE_FIELDS: dict[str, FieldSpec] = {f.name: f for f in (
    _num("memory_gb", "GB", 1, 10_000),
    _num("memory_bandwidth_tbps", "TB/s", 0.01, 1000),
    _num("tdp_w", "W", 5, 10_000),
    _num("interconnect_gbps", "GB/s", 1, 1e6),
    _num("fp32_tflops", "TFLOP/s", 0.1, 1e5),
    _num("tf32_tflops", "TFLOP/s", 0.1, 1e5),
    _num("fp16_tflops", "TFLOP/s", 0.1, 1e5),
    _num("bf16_tflops", "TFLOP/s", 0.1, 1e5),
    _num("fp8_tflops", "TFLOP/s", 0.1, 1e5),
    _num("int8_tops", "TOP/s", 0.1, 1e5),
)}

FIELDS_BY_ENTITY = {"model": MODEL_FIELDS, "hardware": HARDWARE_FIELDS}


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueProblem(f"expected true or false, got {value!r}")
