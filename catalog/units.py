"""Numbers as people read them: 3.3e24 FLOP, 2.788M GPU-hours, 671B parameters."""

from __future__ import annotations

import math

_SCALE = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_SCIENTIFIC_UNITS = {"FLOP"}  # compute spans 1e15..1e26: powers of ten read best


def readable(value, unit: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    suffix = f" {'GPU-hours' if unit == 'hours' else unit}" if unit else ""
    if unit in _SCIENTIFIC_UNITS or abs(number) >= 1e15:
        mantissa, exponent = f"{number:.3g}".split("e") if "e" in f"{number:.3g}" else (f"{number:.3g}", None)
        text = f"{mantissa}e{int(exponent)}" if exponent else mantissa
        return text + suffix
    if abs(number) < 1e6:
        if number.is_integer():
            # counts read best whole: 2,048 chips, 128,000 tokens; a bare year stays 2024
            return (f"{int(number):,}" if unit else str(int(number))) + suffix
        return f"{number:.4g}{suffix}"
    for scale, letter in _SCALE:
        if abs(number) >= scale:
            return f"{number / scale:.4g}{letter}{suffix}"
    return f"{number:.4g}{suffix}"
