"""The checks a scraped or imported claim passes: the same as a curated claim's (catalog/fields.py).

Used when an item is stored (scrapers/store.py) and again when `cegdb build` carries scraped claims
into a rebuilt catalog (scrapers/carry.py), so a value that would be refused in datasets/ is refused
from a scraper too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from catalog import schema
from catalog.fields import FIELDS_BY_ENTITY, ValueProblem, parse_number


@dataclass
class ClaimDraft:
    """One value a parser read, before it is checked and given an id."""

    field: str
    value: Any  # a number (or a number string by the curated rule), an enumeration, an id, a bool
    source_id: str
    locator: str
    quote: str | None = None
    method: str = "reported"
    confidence: str = "medium"
    evidence: str = "primary"
    lower: Any = None
    upper: Any = None
    note: str | None = None
    snapshot_id: str | None = None
    origin_ref: str | None = None  # the URL (or URL#row) the value was read from
    entity_type: str = "model"


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueProblem(f"expected a number, got {value!r}")
    return float(value) if isinstance(value, (int, float)) else parse_number(value)


def check_value(entity_type: str, field: str, value_num: Any, value_text: Any, *, lower: Any = None,
                upper: Any = None, locator: str | None = None, method: str = "reported",
                confidence: str = "medium", evidence: str = "primary", rank: str = "normal",
                hardware_exists: Callable[[str], bool] = lambda _id: False,
                magnitudes: list[str] | None = None) -> dict:
    """Normalised value columns of a claim, or ValueProblem saying what is wrong.

    `value_num` holds numbers and booleans, `value_text` enumerations and ids, as in the claim table.
    With a `magnitudes` list (imports of other databases, as in the generated layer), an unusual but
    possible magnitude is appended there as "field: message" and the value is kept.
    """
    specs = FIELDS_BY_ENTITY.get(entity_type)
    if specs is None or field not in specs:
        raise ValueProblem(f"unknown {entity_type} field {field!r}")
    spec = specs[field]
    for key, given, choices in (("method", method, schema.CLAIM_METHODS),
                                ("confidence", confidence, schema.CONFIDENCES),
                                ("evidence", evidence, schema.EVIDENCE), ("rank", rank, schema.RANKS)):
        if given not in choices:
            raise ValueProblem(f"{key} {given!r} is not one of {', '.join(choices)}")
    out = {"value_num": None, "value_text": None, "unit": spec.unit, "lower": None, "upper": None}
    if spec.kind == "num":
        if value_num is None:
            raise ValueProblem("missing value")
        number = _number(value_num)
        spec.check_number_noting(number, magnitudes)
        out["value_num"] = number
        for bound, given in (("lower", lower), ("upper", upper)):
            if given is not None:
                out[bound] = _number(given)
        if (out["lower"] is not None and out["lower"] > number) or \
                (out["upper"] is not None and out["upper"] < number):
            raise ValueProblem(f"{number:.6g} lies outside its own bounds [{out['lower']}, {out['upper']}]")
        if not locator:
            raise ValueProblem("numeric claims need a locator")
    elif spec.kind == "bool":
        if isinstance(value_num, bool):
            out["value_num"] = 1.0 if value_num else 0.0
        elif value_num in (0, 1, 0.0, 1.0):
            out["value_num"] = float(value_num)
        else:
            raise ValueProblem(f"expected true or false, got {value_num!r}")
        out["unit"] = None
    elif spec.kind == "enum":
        if value_text not in spec.choices:
            raise ValueProblem(f"{value_text!r} is not one of {', '.join(spec.choices)}")
        out["value_text"] = value_text
    elif spec.kind == "ref":
        if value_text is None or not hardware_exists(str(value_text)):
            raise ValueProblem(f"unknown {spec.ref} id {value_text!r}")
        out["value_text"] = str(value_text)
    return out


def check_draft(draft: ClaimDraft, hardware_exists: Callable[[str], bool],
                magnitudes: list[str] | None = None) -> dict:
    """The claim columns of a draft (without id, entity, origin), or ValueProblem."""
    specs = FIELDS_BY_ENTITY.get(draft.entity_type, {})
    kind = specs[draft.field].kind if draft.field in specs else None
    value_num = draft.value if kind in ("num", "bool") else None
    value_text = draft.value if kind in ("enum", "ref") else None
    columns = check_value(draft.entity_type, draft.field, value_num, value_text, lower=draft.lower,
                          upper=draft.upper, locator=draft.locator, method=draft.method,
                          confidence=draft.confidence, evidence=draft.evidence,
                          hardware_exists=hardware_exists, magnitudes=magnitudes)
    return {**columns, "field": draft.field, "method": draft.method, "confidence": draft.confidence,
            "evidence": draft.evidence, "source_id": draft.source_id, "locator": draft.locator,
            "quote": draft.quote, "note": draft.note, "snapshot_id": draft.snapshot_id,
            "origin_ref": draft.origin_ref, "rank": "normal"}
