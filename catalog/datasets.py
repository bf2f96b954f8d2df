"""Read datasets/ into rows for the catalog tables, checking every value on the way.

Each reader returns plain row dicts and appends every problem it finds to a `Problems` list as
(file, line, field, message); it never stops at the first problem, so one `cegdb validate` run
shows a curator everything to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from catalog import derive, schema
from catalog.fields import (FIELDS_BY_ENTITY, FieldSpec, ValueProblem, parse_bool,
                            parse_number)
from catalog.yamlio import YamlError, load_yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLAIM_KEYS = {"value", "source", "locator", "quote", "confidence", "evidence", "method", "lower",
              "upper", "note", "rank", "hardware", "unit", "derived_from", "quote_absent"}
CURATED = "curated"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class Problems(list):
    def add(self, path: Path | str, line: int, field_name: str, message: str) -> None:
        self.append(Problem(str(path), line, field_name, message))


@dataclass
class Refs:
    """Ids that other records may point at, filled as the reference files are read."""

    sources: dict[str, dict] = field(default_factory=dict)
    organizations: set[str] = field(default_factory=set)
    hardware: set[str] = field(default_factory=set)
    innovations: set[str] = field(default_factory=set)
    models: dict[str, str] = field(default_factory=dict)  # id -> "file:line" where first defined


def _line(mapping: Any, key: str) -> int:
    if hasattr(mapping, "line_of"):
        return mapping.line_of(key)
    return getattr(mapping, "line", 0)


def _load(path: Path, problems: Problems, expect: type) -> Any:
    try:
        data = load_yaml(path)
    except YamlError as exc:
        problems.add(path, exc.line, "yaml", exc.message)
        return None
    if data is None:
        return expect()
    if not isinstance(data, expect):
        problems.add(path, getattr(data, "line", 1), "yaml",
                     f"expected a {'mapping' if expect is dict else 'list'} at the top level")
        return None
    return data


def _text(entry: Mapping, key: str, path: Path, problems: Problems, *, required: bool = False,
          choices: Iterable[str] | None = None, pattern: re.Pattern | None = None) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            problems.add(path, _line(entry, key), key, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.add(path, _line(entry, key), key, f"expected text, got {value!r}")
        return None
    value = str(value).strip()
    if choices is not None and value not in choices:
        problems.add(path, _line(entry, key), key, f"{value!r} is not one of {', '.join(choices)}")
        return None
    if pattern is not None and not pattern.match(value):
        problems.add(path, _line(entry, key), key, f"{value!r} does not match {pattern.pattern}")
        return None
    if pattern is DATE and not _real_date(value):
        problems.add(path, _line(entry, key), key, f"{value!r} is not a date in the calendar")
        return None
    return value


def _real_date(value: str) -> bool:
    """2023-02-30 matches the pattern but is no day at all."""
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _unknown_keys(entry: Mapping, allowed: set[str], path: Path, problems: Problems) -> None:
    for key in entry:
        if key not in allowed:
            problems.add(path, _line(entry, key), str(key),
                         f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _source_ref(entry: Mapping, key: str, path: Path, problems: Problems, refs: Refs,
                required: bool = True) -> str | None:
    value = _text(entry, key, path, problems, required=required)
    if value is not None and value not in refs.sources:
        problems.add(path, _line(entry, key), key, f"unknown source key {value!r} (define it in datasets/sources/)")
        return None
    return value


# --- reference files ------------------------------------------------------------------------

def read_sources(root: Path, problems: Problems, refs: Refs) -> list[dict]:
    rows = []
    files = sorted((root / "sources").glob("*.yaml"))
    if not files:
        problems.add(root / "sources", 0, "sources", "no source files found")
    allowed = {"kind", "title", "authors", "date", "year", "venue", "url", "arxiv_id", "doi",
               "license", "retrieved_at"}
    for path in files:
        data = _load(path, problems, dict)
        for key, entry in (data or {}).items():
            line = _line(data, str(key))
            if not isinstance(key, str) or not SLUG.match(key):
                problems.add(path, line, "id", f"source key {key!r} must be a lowercase slug")
                continue
            if key in refs.sources:
                problems.add(path, line, "id", f"duplicate source key {key!r} (first in {refs.sources[key]['_at']})")
                continue
            if not isinstance(entry, dict):
                problems.add(path, line, key, "expected a mapping of source fields")
                continue
            _unknown_keys(entry, allowed, path, problems)
            row = {
                "id": key,
                "kind": _text(entry, "kind", path, problems, required=True, choices=schema.SOURCE_KINDS),
                "title": _text(entry, "title", path, problems, required=True),
                "authors": _text(entry, "authors", path, problems),
                "date": _text(entry, "date", path, problems, pattern=DATE),
                "year": None,
                "venue": _text(entry, "venue", path, problems),
                "url": _text(entry, "url", path, problems, required=True, pattern=re.compile(r"^https?://")),
                "arxiv_id": _text(entry, "arxiv_id", path, problems),
                "doi": _text(entry, "doi", path, problems),
                "license": _text(entry, "license", path, problems),
                "retrieved_at": _text(entry, "retrieved_at", path, problems),
            }
            year = entry.get("year")
            if year is not None:
                if isinstance(year, int) and 1900 < year < 2100:
                    row["year"] = year
                else:
                    problems.add(path, _line(entry, "year"), "year", f"{year!r} is not a year")
            if row["year"] is None and row["date"]:
                row["year"] = int(row["date"][:4])
            refs.sources[key] = {**row, "_at": f"{path}:{line}"}
            rows.append(row)
    return rows


def read_organizations(root: Path, problems: Problems, refs: Refs) -> list[dict]:
    path = root / "organizations.yaml"
    rows = []
    for entry in _load(path, problems, list) or []:
        if not isinstance(entry, dict):
            problems.add(path, getattr(entry, "line", 0), "organization", "expected a mapping")
            continue
        _unknown_keys(entry, {"id", "name", "country", "kind"}, path, problems)
        oid = _text(entry, "id", path, problems, required=True, pattern=SLUG)
        if oid in refs.organizations:
            problems.add(path, _line(entry, "id"), "id", f"duplicate organization id {oid!r}")
            continue
        row = {"id": oid,
               "name": _text(entry, "name", path, problems, required=True),
               "country": _text(entry, "country", path, problems, pattern=re.compile(r"^[A-Z]{2}$")),
               "kind": _text(entry, "kind", path, problems, choices=schema.ORGANIZATION_KINDS)}
        if oid:
            refs.organizations.add(oid)
            rows.append(row)
    return rows


def read_innovations(root: Path, problems: Problems, refs: Refs) -> list[dict]:
    path = root / "innovations.yaml"
    rows = []
    allowed = {"id", "name", "category", "year", "introduced_in", "axis", "description"}
    for entry in _load(path, problems, list) or []:
        if not isinstance(entry, dict):
            problems.add(path, getattr(entry, "line", 0), "innovation", "expected a mapping")
            continue
        _unknown_keys(entry, allowed, path, problems)
        iid = _text(entry, "id", path, problems, required=True, pattern=SLUG)
        if iid in refs.innovations:
            problems.add(path, _line(entry, "id"), "id", f"duplicate innovation id {iid!r}")
            continue
        year = entry.get("year")
        if year is not None and not (isinstance(year, int) and 1900 < year < 2100):
            problems.add(path, _line(entry, "year"), "year", f"{year!r} is not a year")
            year = None
        row = {"id": iid,
               "name": _text(entry, "name", path, problems, required=True),
               "category": _text(entry, "category", path, problems, required=True,
                                 choices=schema.INNOVATION_CATEGORIES),
               "year": year,
               "introduced_in_source_id": _source_ref(entry, "introduced_in", path, problems, refs),
               "description": _text(entry, "description", path, problems),
               "axis": _text(entry, "axis", path, problems, choices=schema.INNOVATION_AXES),
               "compute_class": None}
        if iid:
            refs.innovations.add(iid)
            rows.append(row)
    return rows


# --- claims -------------------------------------------------------------------------------------

def read_claims(entity_type: str, entity_id: str, claims: Any, path: Path, problems: Problems,
                refs: Refs, owner_line: int = 0, warnings: list[str] | None = None) -> list[dict]:
    """Turn a `claims:` mapping into claim rows; a field may hold one claim or a list of them.

    With a `warnings` list (the generated layer), an implausible magnitude is appended there as
    "field: message" and the value is kept; without one (curated files) it is a problem.
    """
    specs = FIELDS_BY_ENTITY[entity_type]
    rows: list[dict] = []
    if claims is None:
        return rows
    if not isinstance(claims, dict):
        problems.add(path, getattr(claims, "line", owner_line), "claims", "expected a mapping of field: claim")
        return rows
    for field_name, value in claims.items():
        line = _line(claims, field_name)
        spec = specs.get(field_name)
        if spec is None:
            problems.add(path, line, str(field_name), f"unknown {entity_type} field (known: {', '.join(specs)})")
            continue
        for claim in (value if isinstance(value, list) else [value]):
            row = _read_claim(entity_type, entity_id, spec, claim, path, line, problems, refs, warnings)
            if row is not None:
                rows.append(row)
                if spec.name == "gpu_hours" and claim.get("hardware") is not None:
                    rows.append(_hardware_claim_from(row, claim, path, problems, refs))
    return [r for r in rows if r is not None]


def _read_claim(entity_type: str, entity_id: str, spec: FieldSpec, claim: Any, path: Path, line: int,
                problems: Problems, refs: Refs, warnings: list[str] | None = None) -> dict | None:
    name = spec.name
    if not isinstance(claim, dict):
        problems.add(path, line, name, "expected a claim mapping {value: ..., source: ..., locator: ...}")
        return None
    line = getattr(claim, "line", line) or line
    ok = True
    for key in claim:
        if key not in CLAIM_KEYS or (key == "hardware" and name != "gpu_hours"):
            problems.add(path, _line(claim, key), f"{name}.{key}", "unknown claim key")
            ok = False
    source = claim.get("source")
    if source is None:
        problems.add(path, line, f"{name}.source", "missing source key: a claim without a source does not load")
        ok = False
    elif not isinstance(source, str) or source not in refs.sources:
        problems.add(path, _line(claim, "source"), f"{name}.source", f"unknown source key {source!r}")
        ok = False
    row = {"entity_type": entity_type, "entity_id": entity_id, "field": name,
           "value_num": None, "value_text": None, "unit": spec.unit,
           "lower": None, "upper": None, "source_id": source, "origin": CURATED,
           "origin_ref": f"{path}:{line}", "snapshot_id": None}
    value = claim.get("value")
    vline = _line(claim, "value")
    computed = None
    if "derived_from" in claim:  # catalog/derive.py: the loader does the arithmetic
        computed = derive.read_derived_claim(claim, spec, path, _line(claim, "derived_from"), problems)
        if computed is None:
            return None
        value = computed[0]
    try:
        if value is None:
            raise ValueProblem("missing value")
        if spec.kind == "num":
            if claim.get("unit") not in (None, spec.unit):
                raise ValueProblem(f"unit {claim.get('unit')!r} given, but {name} is stored in {spec.unit}")
            number = parse_number(value)
            spec.check_number_noting(number, warnings)
            row["value_num"] = number
            for bound in ("lower", "upper"):
                if claim.get(bound) is not None:
                    row[bound] = parse_number(claim[bound])
            if row["lower"] is not None and row["lower"] > number or \
                    row["upper"] is not None and row["upper"] < number:
                if warnings is None:
                    raise ValueProblem("value lies outside its own lower/upper bounds")
                # An import's inconsistent bounds are its own; keep the value, drop the bounds.
                warnings.append(f"{name}: value {number:g} lies outside its own bounds "
                                f"[{row['lower']}, {row['upper']}]; bounds dropped")
                row["lower"] = row["upper"] = None
            if not claim.get("locator"):
                problems.add(path, line, f"{name}.locator", "numeric claims need a locator (table, section, page)")
                ok = False
        elif spec.kind == "bool":
            row["value_num"] = 1.0 if parse_bool(value) else 0.0
            row["unit"] = None
        elif spec.kind == "enum":
            if str(value) not in spec.choices:
                raise ValueProblem(f"{value!r} is not one of {', '.join(spec.choices)}")
            row["value_text"] = str(value)
        elif spec.kind == "ref":
            if not isinstance(value, str) or value not in getattr(refs, spec.ref):
                raise ValueProblem(f"unknown {spec.ref} id {value!r}")
            row["value_text"] = str(value)
    except ValueProblem as exc:
        problems.add(path, vline, name, str(exc))
        ok = False
    for key, choices, default in (("method", schema.CLAIM_METHODS, "reported"),
                                  ("confidence", schema.CONFIDENCES, None),
                                  ("evidence", schema.EVIDENCE, "unverified"),
                                  ("rank", schema.RANKS, "normal")):
        given = claim.get(key, default)
        if given is None:
            problems.add(path, line, f"{name}.{key}", f"is required ({' | '.join(choices)})")
            ok = False
        elif given not in choices:
            problems.add(path, _line(claim, key), f"{name}.{key}", f"{given!r} is not one of {', '.join(choices)}")
            ok = False
        row[key] = given
    for key in ("locator", "quote", "note", "quote_absent"):
        # Text or nothing: a list or mapping here was stored as its Python repr.
        problems_before = len(problems)
        row[key] = _text(claim, key, path, problems)
        if len(problems) > problems_before:
            problems[-1] = Problem(problems[-1].path, problems[-1].line, f"{name}.{key}", problems[-1].message)
            ok = False
    if computed is not None:
        row["method"] = claim.get("method", "derived")
        row["note"] = computed[1] + (f"; {row['note']}" if row["note"] else "")
        if not row["quote"] and not row["quote_absent"]:
            row["quote_absent"] = "computed by the loader from derived_from"
    for message in derive.claim_problems(claim, row, computed is not None):
        problems.add(path, line, name, message)
        ok = False
    if entity_type == "model":
        row["model_id"], row["hardware_id"] = entity_id, None
    else:
        row["model_id"], row["hardware_id"] = None, entity_id
    return row if ok else None


def _hardware_claim_from(gpu_hours_row: dict, claim: Mapping, path: Path, problems: Problems,
                         refs: Refs) -> dict | None:
    """`gpu_hours: {..., hardware: nvidia-h800}` also says which hardware the model trained on."""
    hardware = claim.get("hardware")
    if not isinstance(hardware, str) or hardware not in refs.hardware:
        problems.add(path, _line(claim, "hardware"), "gpu_hours.hardware", f"unknown hardware id {hardware!r}")
        return None
    return {**gpu_hours_row, "field": "hardware", "value_num": None, "value_text": hardware, "unit": None,
            "lower": None, "upper": None, "quote": gpu_hours_row["quote"],
            "note": "hardware named on the gpu_hours claim"}


# --- hardware -------------------------------------------------------------------------------

def read_hardware(root: Path, problems: Problems, refs: Refs) -> tuple[list[dict], list[dict]]:
    path = root / "hardware.yaml"
    rows, claims = [], []
    allowed = {"id", "name", "vendor", "kind", "release_date", "export_control", "primary_source", "claims"}
    entries = _load(path, problems, list) or []
    for entry in entries:  # ids first: a model may name any hardware
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            if entry["id"] in refs.hardware:
                problems.add(path, _line(entry, "id"), "id", f"duplicate hardware id {entry['id']!r}")
            refs.hardware.add(entry["id"])
    seen = set()
    for entry in entries:
        if not isinstance(entry, dict):
            problems.add(path, getattr(entry, "line", 0), "hardware", "expected a mapping")
            continue
        _unknown_keys(entry, allowed, path, problems)
        hid = _text(entry, "id", path, problems, required=True, pattern=SLUG)
        if not hid or hid in seen:
            continue
        seen.add(hid)
        vendor = _text(entry, "vendor", path, problems)
        if vendor and vendor not in refs.organizations:
            problems.add(path, _line(entry, "vendor"), "vendor", f"unknown organization id {vendor!r}")
            vendor = None
        rows.append({"id": hid,
                     "name": _text(entry, "name", path, problems, required=True),
                     "vendor": vendor,
                     "kind": _text(entry, "kind", path, problems, choices=schema.HARDWARE_KINDS),
                     "release_date": _text(entry, "release_date", path, problems, pattern=DATE),
                     "export_control": _text(entry, "export_control", path, problems),
                     "source_id": _source_ref(entry, "primary_source", path, problems, refs, required=False)})
        claims.extend(read_claims("hardware", hid, entry.get("claims"), path, problems, refs, entry.line))
    return rows, claims


# --- models ---------------------------------------------------------------------------------

@dataclass
class ModelEntry:
    row: dict
    base_model: str | None
    claims: list[dict]
    innovations: list[dict]
    aliases: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)  # generated-layer refs "<source>/<id>"
    distinct_from: list[str] = field(default_factory=list)  # model ids or generated refs
    same_pretraining_as: str | None = None  # checked against the other models once all are read


MODEL_KEYS = {"id", "name", "family", "organization", "release_date", "domain", "accessibility",
              "hf_repo", "base_model", "same_pretraining_as", "no_6nd", "primary_source", "claims",
              "innovations", "aliases", "same_as", "distinct_from"}
REF = re.compile(r"^[a-z0-9-]+/[a-z0-9][a-z0-9._-]*$")


def text_list(data: Mapping, key: str, path: Path, problems: Problems,
              pattern: re.Pattern | None = None) -> list[str]:
    """A list of strings (`aliases`, `same_as`, `distinct_from`); anything else is a problem."""
    raw = data.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        problems.add(path, _line(data, key), key, "expected a list of strings")
        return []
    bad = [v for v in raw if pattern is not None and not pattern.match(v)]
    for value in bad:
        problems.add(path, _line(data, key), key, f"{value!r} does not have the form {pattern.pattern}")
    return [v for v in raw if v not in bad]


def model_files(root: Path) -> list[Path]:
    return sorted((root / "models").glob("**/*.yaml"))


def iter_model_documents(root: Path, problems: Problems) -> Iterator[tuple[Path, Any]]:
    """(path, parsed mapping) for every model file, in a stable order; malformed files are reported."""
    for path in model_files(root):
        data = _load(path, problems, dict)
        if data is not None:
            yield path, data


def read_model(path: Path, data: Mapping, problems: Problems, refs: Refs) -> ModelEntry | None:
    _unknown_keys(data, MODEL_KEYS, path, problems)
    mid = _text(data, "id", path, problems, required=True, pattern=SLUG)
    if mid is None:
        return None
    if path.suffix == ".yaml" and path.stem != mid and path.exists():
        problems.add(path, _line(data, "id"), "id", f"id {mid!r} does not match the file name {path.name!r}")
    if mid in refs.models:
        problems.add(path, _line(data, "id"), "id", f"duplicate model id {mid!r} (first in {refs.models[mid]})")
        return None
    refs.models[mid] = f"{path}:{_line(data, 'id')}"
    org = _text(data, "organization", path, problems, required=True)
    if org is not None and org not in refs.organizations:
        problems.add(path, _line(data, "organization"), "organization", f"unknown organization id {org!r}")
        org = None
    release_date = _text(data, "release_date", path, problems, pattern=DATE)
    row = {"id": mid,
           "name": _text(data, "name", path, problems, required=True),
           "family": _text(data, "family", path, problems),
           "organization_id": org,
           "release_date": release_date,
           "release_year": int(release_date[:4]) if release_date else None,
           "domain": _text(data, "domain", path, problems, choices=schema.DOMAINS),
           "accessibility": _text(data, "accessibility", path, problems, choices=schema.ACCESSIBILITY),
           "base_model_id": None,
           "hf_repo_id": _text(data, "hf_repo", path, problems),
           "no_6nd_reason": _text(data, "no_6nd", path, problems),
           "primary_source_id": _source_ref(data, "primary_source", path, problems, refs)}
    base = _text(data, "base_model", path, problems, pattern=SLUG)
    if base is not None and base == mid:
        problems.add(path, _line(data, "base_model"), "base_model", "a model cannot be its own base model")
        base = None
    claims = read_claims("model", mid, data.get("claims"), path, problems, refs, _line(data, "claims"))
    innovations = []
    seen = set()
    raw = data.get("innovations") or []
    if not isinstance(raw, list):
        problems.add(path, _line(data, "innovations"), "innovations", "expected a list")
        raw = []
    for item in raw:
        line = getattr(item, "line", _line(data, "innovations"))
        if not isinstance(item, dict):
            problems.add(path, line, "innovations", "expected {id: ..., source: ..., detail: ...}")
            continue
        _unknown_keys(item, {"id", "detail", "source"}, path, problems)
        iid = _text(item, "id", path, problems, required=True)
        if iid is not None and iid not in refs.innovations:
            problems.add(path, _line(item, "id"), "innovations.id", f"unknown innovation id {iid!r}")
            continue
        if iid in seen:
            problems.add(path, _line(item, "id"), "innovations.id", f"innovation {iid!r} listed twice")
            continue
        source = _source_ref(item, "source", path, problems, refs)
        if iid and source:
            seen.add(iid)
            innovations.append({"model_id": mid, "innovation_id": iid,
                                "detail": _text(item, "detail", path, problems), "source_id": source})
    shared = _text(data, "same_pretraining_as", path, problems, pattern=SLUG)
    if shared == mid:
        problems.add(path, _line(data, "same_pretraining_as"), "same_pretraining_as", "a model cannot name itself")
        shared = None
    return ModelEntry(row=row, base_model=base, claims=claims, innovations=innovations,
                      aliases=text_list(data, "aliases", path, problems, SLUG),
                      same_as=text_list(data, "same_as", path, problems, REF),
                      distinct_from=text_list(data, "distinct_from", path, problems),
                      same_pretraining_as=shared)


# --- literature evidence for the analysis ---------------------------------------------------

ABLATION_KEYS = {"innovation", "source", "locator", "evidence", "confidence", "series", "setting",
                 "parameters", "tokens", "compute_flop", "metric", "lower_is_better", "baseline_value",
                 "treatment_value", "gain", "gain_basis", "seeds", "quote", "note"}
# Ablations span toy models (a 2-layer LSTM) to frontier runs: only sign and order-of-magnitude
# sanity here, the per-field ranges are for catalog entities.
_SCALE_RANGES = {"parameters": (1e3, 1e14), "tokens": (1e5, 1e15), "compute_flop": (1e10, 1e28)}


def _list_entries(root: Path, folder: str, what: str, allowed: set[str],
                  problems: Problems) -> Iterator[tuple[Path, Mapping]]:
    """(file relative to the repository, entry) for every mapping in datasets/<folder>/*.yaml."""
    for path in sorted((root / folder).glob("*.yaml")):
        rel = path.relative_to(root.parent)
        for entry in _load(path, problems, list) or []:
            if not isinstance(entry, dict):
                problems.add(rel, getattr(entry, "line", 0), what, "expected a mapping")
                continue
            _unknown_keys(entry, allowed, rel, problems)
            yield rel, entry


def _optional_number(entry: Mapping, key: str, path: Path, problems: Problems,
                     low: float | None = None, high: float | None = None) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        number = parse_number(value)
    except ValueProblem as exc:
        problems.add(path, _line(entry, key), key, str(exc))
        return None
    if number < 0:
        problems.add(path, _line(entry, key), key, f"{number:.6g} is negative")
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        problems.add(path, _line(entry, key), key,
                     f"implausible magnitude: {number:.6g} outside {low:.0e}..{high:.0e} (SI base units)")
        return None
    return number


def _ablation_entries(root: Path, problems: Problems, files) -> Iterator[tuple[Path, Mapping]]:
    """Curated datasets/ablations/*.yaml, then the `ablations:` section of generated files (comparisons
    an importer read in a release, e.g. benchmark scores that are not losses)."""
    yield from _list_entries(root, "ablations", "ablation", ABLATION_KEYS, problems)
    for gen in files or ():
        for entry in gen.section("ablations", problems):
            _unknown_keys(entry, ABLATION_KEYS, gen.path, problems)
            yield gen.path, entry


def read_ablations(root: Path, problems: Problems, refs: Refs, files=None) -> list[dict]:
    rows = []
    for rel, entry in _ablation_entries(root, problems, files):
        innovation = _text(entry, "innovation", rel, problems, required=True)
        if innovation is not None and innovation not in refs.innovations:
            problems.add(rel, _line(entry, "innovation"), "innovation", f"unknown innovation id {innovation!r}")
            innovation = None
        row = {"innovation_id": innovation,
               "source_id": _source_ref(entry, "source", rel, problems, refs),
               "locator": _text(entry, "locator", rel, problems, required=True),
               "evidence": _text(entry, "evidence", rel, problems, required=True, choices=schema.EVIDENCE),
               "confidence": _text(entry, "confidence", rel, problems, required=True,
                                   choices=schema.CONFIDENCES),
               "series": _text(entry, "series", rel, problems),
               "setting": _text(entry, "setting", rel, problems),
               "metric": _text(entry, "metric", rel, problems),
               "gain_basis": _text(entry, "gain_basis", rel, problems, choices=schema.GAIN_BASES),
               "quote": _text(entry, "quote", rel, problems),
               "note": _text(entry, "note", rel, problems),
               "origin_ref": f"{rel}:{entry.line}"}
        for key, (low, high) in _SCALE_RANGES.items():
            row[key] = _optional_number(entry, key, rel, problems, low, high)
        for key in ("baseline_value", "treatment_value"):
            value = entry.get(key)
            try:
                # no range check: metrics may be negative (e.g. negative log-perplexity)
                row[key] = None if value is None else parse_number(value)
            except ValueProblem as exc:
                problems.add(rel, _line(entry, key), key, str(exc))
                row[key] = None
        row["gain"] = _optional_number(entry, "gain", rel, problems, 1e-3, 1e6)
        seeds = entry.get("seeds")
        row["seeds"] = seeds if isinstance(seeds, int) and not isinstance(seeds, bool) and 0 < seeds < 10**6 else None
        if seeds is not None and row["seeds"] is None:
            problems.add(rel, _line(entry, "seeds"), "seeds", f"{seeds!r} is not a positive integer")
        lower = entry.get("lower_is_better")
        if lower is not None and not isinstance(lower, bool):
            problems.add(rel, _line(entry, "lower_is_better"), "lower_is_better", "expected true or false")
            lower = None
        row["lower_is_better"] = lower
        has_pair = row["baseline_value"] is not None and row["treatment_value"] is not None
        if not has_pair and row["gain"] is None:
            problems.add(rel, entry.line, "ablation",
                         "needs baseline_value and treatment_value, or gain with gain_basis")
        if row["gain"] is not None and row["gain_basis"] is None:
            problems.add(rel, _line(entry, "gain"), "gain_basis",
                         "a reported gain needs its basis (flop | steps | wallclock | tokens)")
        if has_pair and lower is None:
            problems.add(rel, entry.line, "lower_is_better", "required with baseline/treatment values")
        if innovation and row["source_id"]:
            rows.append(row)
    for number, row in enumerate(rows, 1):
        row["id"] = number
    return rows


BENCHMARK_KEYS = {"model_name", "model", "benchmark", "perplexity", "parameters", "training_tokens", "epochs",
                  "architecture", "publication_date", "source", "locator", "evidence", "confidence", "quote", "note"}


def fractional_year(iso_date: str) -> float:
    """2019-07-02 -> 2019.5: the time axis of the progress fit."""
    import datetime as dt

    day = dt.date.fromisoformat(iso_date)
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def read_benchmark_results(root: Path, problems: Problems, refs: Refs) -> list[dict]:
    rows = []
    for rel, entry in _list_entries(root, "benchmark_results", "benchmark_result", BENCHMARK_KEYS, problems):
        model = _text(entry, "model", rel, problems)
        if model is not None and model not in refs.models:
            problems.add(rel, _line(entry, "model"), "model", f"unknown model id {model!r}")
            model = None
        date = _text(entry, "publication_date", rel, problems, required=True, pattern=DATE)
        row = {"model_name": _text(entry, "model_name", rel, problems, required=True),
               "model_id": model,
               "benchmark": _text(entry, "benchmark", rel, problems, required=True, choices=schema.BENCHMARKS),
               "perplexity": _optional_number(entry, "perplexity", rel, problems, 1.0, 1e4),
               "parameters": _optional_number(entry, "parameters", rel, problems, 1e3, 1e13),
               "training_tokens": _optional_number(entry, "training_tokens", rel, problems, 1e5, 1e14),
               "epochs": _optional_number(entry, "epochs", rel, problems, 0.01, 1e4),
               "architecture": _text(entry, "architecture", rel, problems,
                                     choices=("lstm", "transformer", "rnn", "cnn", "other")),
               "publication_date": date,
               "publication_year": fractional_year(date) if date else None,
               "source_id": _source_ref(entry, "source", rel, problems, refs),
               "locator": _text(entry, "locator", rel, problems, required=True),
               "evidence": _text(entry, "evidence", rel, problems, required=True, choices=schema.EVIDENCE),
               "confidence": _text(entry, "confidence", rel, problems, required=True,
                                   choices=schema.CONFIDENCES),
               "quote": _text(entry, "quote", rel, problems),
               "note": _text(entry, "note", rel, problems),
               "origin_ref": f"{rel}:{entry.line}"}
        if entry.get("perplexity") is None:
            problems.add(rel, entry.line, "perplexity", "is required")
        if row["perplexity"] is not None and row["source_id"] and row["benchmark"]:
            rows.append(row)
    for number, row in enumerate(rows, 1):
        row["id"] = number
    return rows
