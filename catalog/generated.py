"""Load the generated layer (datasets/imported/, datasets/scraped/) into the catalog.

The layer's format is docs/generated-layer.md. Three things differ from curated files:
- every row carries the file's `origin` (import:<source> | scraper:<source>), so resolution ranks
  curated claims first;
- an implausible magnitude is a warning kept on the model (`model.warnings`), not an error: an
  import of another database must keep TD-Gammon's true 25,000 parameters;
- entries are matched to the models already in the catalog (one row per real model), by
  `same_as`, Hugging Face repository, then normalised name or alias (catalog/names.py);
  `distinct_from` keeps apart what would otherwise match.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from catalog import schema
from catalog.datasets import (DATE, MODEL_KEYS, SLUG, ModelEntry, Problems, Refs, _line, _load, _text,
                              _unknown_keys, read_claims, text_list)
from catalog.names import hf_key, name_key, name_keys, split_format

LAYERS = ("imported", "scraped")
SECTIONS = ("sources", "organizations", "models", "hardware", "series", "runs", "ablations", "verdicts",
            "hardware_prices", "price_index")
HEADER_KEYS = {"generated_by", "origin", "retrieved", "entries", *SECTIONS}
# The last header line of every generated file: how many entries its sections hold and the sha256
# of every byte after this line. A file cut at an entry boundary is still valid YAML (325 models
# and 1,000 claims once went missing that way without a word); the stamp makes it an error.
STAMP = re.compile(r"^entries: \{count: (\d+), sha256: ([0-9a-f]{64})\}\n", re.M)
ORIGIN = re.compile(r"^(import|scraper):[a-z0-9-]+$")
RETRIEVED_KEYS = {"url", "sha256", "retrieved_on", "route", "copy"}
SOURCE_KEYS = {"id", "kind", "title", "authors", "date", "year", "venue", "url", "arxiv_id", "doi",
               "license", "retrieved_at"}
GENERATED_MODEL_KEYS = (MODEL_KEYS - {"same_as"}) | {"warnings", "base_model_name"}
HARDWARE_KEYS = {"id", "name", "vendor", "kind", "release_date", "export_control", "primary_source",
                 "claims", "warnings", "same_as", "distinct_from"}


@dataclass
class GeneratedFile:
    path: Path  # relative to the repository, as problems and origin_ref name it
    source: str  # the folder under imported/ or scraped/: "epoch", "hf"
    origin: str
    data: Mapping

    def section(self, name: str, problems: Problems) -> list:
        rows = self.data.get(name) or []
        if not isinstance(rows, list):
            problems.add(self.path, _line(self.data, name), name, "expected a list")
            return []
        good = []
        for row in rows:
            if isinstance(row, dict):
                good.append(row)
            else:
                problems.add(self.path, getattr(row, "line", _line(self.data, name)), name, "expected a mapping")
        return good


def stamp_line(body: str, count: int) -> str:
    """The stamp line for the sections text `body` (everything after the stamp) holding `count` entries."""
    return f"entries: {{count: {count}, sha256: {hashlib.sha256(body.encode('utf-8')).hexdigest()}}}\n"


def entry_count(data: Mapping) -> int:
    return sum(len(data[name]) for name in SECTIONS if isinstance(data.get(name), list))


def check_stamp(path: Path, rel: Path, data: Mapping, problems: Problems) -> None:
    """The file's stamp matches its sections: nothing was cut off or edited by hand."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # already reported by the YAML loader
    match = STAMP.search(text)
    fix = "re-run its generator (datasets/scrapes.yaml), or restore the file from git"
    if match is None:
        problems.add(rel, _line(data, "generated_by"), "entries",
                     f"no `entries: {{count, sha256}}` stamp: not a file as its generator writes it; {fix}")
        return
    line = text[:match.start()].count("\n") + 1
    count, digest = int(match.group(1)), match.group(2)
    actual = entry_count(data)
    if actual != count:
        problems.add(rel, line, "entries", f"the stamp says {count} entries, the file holds {actual}: it was cut "
                                            f"or edited; {fix}")
    elif hashlib.sha256(text[match.end():].encode("utf-8")).hexdigest() != digest:
        problems.add(rel, line, "entries", f"the entries' sha256 differs from the stamp: the file was edited or "
                                            f"damaged; {fix}")


def generated_paths(root: Path) -> list[Path]:
    """Every generated file, imports before scrapes, each layer in path order (a stable order)."""
    return [p for layer in LAYERS for p in sorted((root / layer).glob("**/*.yaml"))]


def read_files(root: Path, problems: Problems) -> list[GeneratedFile]:
    files = []
    for path in generated_paths(root):
        rel = path.relative_to(root.parent) if path.is_absolute() else path
        data = _load(path, problems, dict)
        if not data:
            continue
        _unknown_keys(data, HEADER_KEYS, rel, problems)
        check_stamp(path, rel, data, problems)
        origin = _text(data, "origin", rel, problems, required=True, pattern=ORIGIN)
        _text(data, "generated_by", rel, problems, required=True)
        retrieved = data.get("retrieved")
        if not isinstance(retrieved, list) or not retrieved:
            problems.add(rel, _line(data, "retrieved"), "retrieved",
                         "a generated file names what it was made from (url, sha256, retrieved_on, route)")
        else:
            for entry in retrieved:
                if not isinstance(entry, dict):
                    problems.add(rel, getattr(entry, "line", 0), "retrieved", "expected a mapping")
                    continue
                _unknown_keys(entry, RETRIEVED_KEYS, rel, problems)
                for key in ("url", "sha256", "route"):
                    _text(entry, key, rel, problems, required=True)
                _text(entry, "retrieved_on", rel, problems, required=True, pattern=DATE)
        if origin:
            files.append(GeneratedFile(rel, path.relative_to(root).parts[1], origin, data))
    return files


# --- sources and organisations ------------------------------------------------------------------

def read_sources(files: list[GeneratedFile], problems: Problems, refs: Refs) -> list[dict]:
    rows = []
    for gen in files:
        for entry in gen.section("sources", problems):
            _unknown_keys(entry, SOURCE_KEYS, gen.path, problems)
            sid = _text(entry, "id", gen.path, problems, required=True, pattern=SLUG)
            if sid is None:
                continue
            url = _text(entry, "url", gen.path, problems, required=True, pattern=re.compile(r"^https?://"))
            if sid in refs.sources:
                if refs.sources[sid].get("url") != url:
                    problems.add(gen.path, _line(entry, "id"), "id",
                                 f"source key {sid!r} is already defined differently ({refs.sources[sid]['_at']})")
                continue
            year = entry.get("year")
            row = {"id": sid,
                   "kind": _text(entry, "kind", gen.path, problems, required=True, choices=schema.SOURCE_KINDS),
                   "title": _text(entry, "title", gen.path, problems, required=True),
                   "authors": _text(entry, "authors", gen.path, problems),
                   "date": _text(entry, "date", gen.path, problems, pattern=DATE),
                   "year": year if isinstance(year, int) and 1900 < year < 2100 else None,
                   "venue": _text(entry, "venue", gen.path, problems),
                   "url": url,
                   "arxiv_id": _text(entry, "arxiv_id", gen.path, problems),
                   "doi": _text(entry, "doi", gen.path, problems),
                   "license": _text(entry, "license", gen.path, problems),
                   "retrieved_at": _text(entry, "retrieved_at", gen.path, problems),
                   "origin": gen.origin}
            if row["year"] is None and row["date"]:
                row["year"] = int(row["date"][:4])
            refs.sources[sid] = {**row, "_at": f"{gen.path}:{_line(entry, 'id')}"}
            rows.append(row)
    return rows


def read_organizations(files: list[GeneratedFile], problems: Problems, refs: Refs) -> list[dict]:
    """Organisations the layer names; a curated organisation of the same id wins."""
    rows = []
    for gen in files:
        for entry in gen.section("organizations", problems):
            _unknown_keys(entry, {"id", "name", "country", "kind"}, gen.path, problems)
            oid = _text(entry, "id", gen.path, problems, required=True, pattern=SLUG)
            if oid is None or oid in refs.organizations:
                continue
            row = {"id": oid,
                   "name": _text(entry, "name", gen.path, problems, required=True),
                   "country": _text(entry, "country", gen.path, problems, pattern=re.compile(r"^[A-Z]{2}$")),
                   "kind": _text(entry, "kind", gen.path, problems, choices=schema.ORGANIZATION_KINDS)}
            refs.organizations.add(oid)
            rows.append(row)
    return rows


# --- hardware -----------------------------------------------------------------------------------

def read_hardware(files: list[GeneratedFile], problems: Problems, refs: Refs,
                  curated: list[dict]) -> tuple[list[dict], list[dict], dict[str, str]]:
    """New hardware rows, their claims, and the map generated id -> catalog id.

    A chip already in datasets/hardware.yaml (same id, `same_as`, or the same normalised name)
    keeps its curated row; the layer's claims attach to it.
    """
    by_key: dict[str, str] = {}
    curated_ids = {row["id"] for row in curated}
    for row in curated:
        for key in name_keys(row["id"], row["name"]):
            by_key.setdefault(key, row["id"])
    hw_map: dict[str, str] = {}
    key_file: dict[str, str] = {}  # name key -> the generated file whose chip registered it
    pending = []
    for gen in files:
        for entry in gen.section("hardware", problems):
            _unknown_keys(entry, HARDWARE_KEYS, gen.path, problems)
            hid = _text(entry, "id", gen.path, problems, required=True, pattern=SLUG)
            name = _text(entry, "name", gen.path, problems, required=True)
            if hid is None or name is None or hid in hw_map:
                continue
            same = _text(entry, "same_as", gen.path, problems)
            if same is not None and same not in refs.hardware:
                problems.add(gen.path, _line(entry, "same_as"), "same_as", f"unknown hardware id {same!r}")
                same = None
            # A chip marked distinct (two boards of one name) matches only by id or `same_as`.
            keys = name_keys(hid) if entry.get("distinct_from") else name_keys(hid, name)
            # A chip another entry of the same file registered is another chip: the file's writer
            # already kept its variants apart (9800 GTX and 9800 GTX+, B300 and "B300 (draft)" share
            # a name key once punctuation is dropped).
            target = same or (hid if hid in curated_ids else None) or \
                next((by_key[k] for k in keys if k in by_key and key_file.get(k) != str(gen.path)), None)
            if target is None:
                target = hid
                for key in name_keys(hid, name):
                    if key not in by_key:
                        by_key[key], key_file[key] = hid, str(gen.path)
            hw_map[hid] = target
            pending.append((gen, entry, hid, target, target == hid and hid not in curated_ids))
    refs.hardware.update(hw_map.values())
    refs.hardware.update(hw_map)  # claims may name the generated id; values are remapped below
    rows, claims = [], []
    for gen, entry, hid, target, new in pending:
        warnings: list[str] = [str(w) for w in (entry.get("warnings") or [])]
        if new:
            vendor = _text(entry, "vendor", gen.path, problems)
            rows.append({"id": hid, "name": _text(entry, "name", gen.path, problems),
                         "vendor": vendor if vendor in refs.organizations else None,
                         "kind": _text(entry, "kind", gen.path, problems, choices=schema.HARDWARE_KINDS),
                         "release_date": _text(entry, "release_date", gen.path, problems, pattern=DATE),
                         "export_control": _text(entry, "export_control", gen.path, problems),
                         "source_id": _primary_source(gen, entry, problems, refs),
                         "origin": gen.origin, "warnings": None, "warning_fields": None})
        for claim in read_claims("hardware", target, entry.get("claims"), gen.path, problems, refs,
                                 getattr(entry, "line", 0), warnings):
            claims.append(_stamp(claim, gen))
        if warnings and new:
            rows[-1].update(warning_columns(warnings))
    return rows, claims, hw_map


def _primary_source(gen: GeneratedFile, entry: Mapping, problems: Problems, refs: Refs) -> str | None:
    sid = _text(entry, "primary_source", gen.path, problems)
    if sid is not None and sid not in refs.sources:
        problems.add(gen.path, _line(entry, "primary_source"), "primary_source", f"unknown source key {sid!r}")
        return None
    return sid


def _stamp(claim: dict, gen: GeneratedFile) -> dict:
    claim["origin"] = gen.origin
    return claim


def warning_columns(warnings: list[str]) -> dict[str, str | None]:
    """`warnings` as text, and `warning_fields` as a JSON array Datasette can facet on."""
    unique = list(dict.fromkeys(w.strip() for w in warnings if w and w.strip()))
    if not unique:
        return {"warnings": None, "warning_fields": None}
    fields = sorted({w.split(":", 1)[0].strip() for w in unique if ":" in w} or {"other"})
    return {"warnings": "; ".join(unique), "warning_fields": json.dumps(fields)}


# --- models: one row per real model -------------------------------------------------------------

@dataclass
class Placement:
    """Where a generated entry goes: the model, whether the entry creates it, and, for a re-upload
    of a trained model's weights, the checkpoint's formats and why it is one."""

    model_id: str
    created: bool
    name: str  # the model row's name when the entry creates it
    formats: list[str] = field(default_factory=list)  # non-empty: the entry is a checkpoint
    reason: str = ""


@dataclass
class Reconciler:
    """Which catalog model a generated entry is about (docs/generated-layer.md, 'One row per real model'
    and 'Checkpoints')."""

    by_hf: dict[str, str] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    explicit: dict[str, str] = field(default_factory=dict)  # "<source>/<id>" -> model id
    refs_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    distinct: set[frozenset] = field(default_factory=set)
    curated: set[str] = field(default_factory=set)
    model_of_ref: dict[str, str] = field(default_factory=dict)
    links: set[tuple[str, str]] = field(default_factory=set)  # (model, innovation) already linked
    hf_of: dict[str, str] = field(default_factory=dict)  # model id -> its Hugging Face repository
    checkpoint_ids: set[str] = field(default_factory=set)
    files_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # model -> generated files
    dates: dict[str, str] = field(default_factory=dict)  # model -> release date, for identity checks

    def add_curated(self, entry: ModelEntry) -> None:
        mid = entry.row["id"]
        self.curated.add(mid)
        if entry.row.get("release_date"):
            self.dates[mid] = entry.row["release_date"]
        self._register(mid, name_keys(mid, entry.row["name"], *entry.aliases, strip_parenthesis=False),
                       entry.row.get("hf_repo_id"))
        self.links.update((mid, link["innovation_id"]) for link in entry.innovations)
        for ref in entry.same_as:
            self.explicit[ref] = mid
        for other in entry.distinct_from:
            self.distinct.add(frozenset((mid, other)))

    def _register(self, mid: str, keys: list[str], hf: str | None) -> None:
        self.refs_of[mid].add(mid)
        if hf_key(hf):
            self.by_hf.setdefault(hf_key(hf), mid)
            self.hf_of.setdefault(mid, hf_key(hf))
        for key in keys:
            self.by_key.setdefault(key, mid)

    def _apart(self, ref: str, mid: str) -> bool:
        return any(frozenset((ref, r)) in self.distinct for r in self.refs_of.get(mid, {mid}))

    def _attach(self, ref: str, mid: str, hf: str | None, file: str | None = None) -> None:
        self.refs_of[mid].add(ref)
        self.model_of_ref[ref] = mid
        if hf_key(hf):
            self.by_hf.setdefault(hf_key(hf), mid)
        if file:
            self.files_of[mid].add(file)

    def _same_file(self, mid: str, file: str | None) -> bool:
        # One generated file never holds one model twice: its writer already decided which rows are
        # one system (Epoch's PanGu-alpha and PanGu-Sigma, NVILA 15B and 8B sharing a Hub link).
        return file is not None and file in self.files_of.get(mid, ())

    def _other_date(self, mid: str, date: str | None) -> bool:
        # The 1997 LSTM is not "LSTM (Hebbian, Cache, MbPA)" of 2018: a name match more than a year
        # apart in release date is another system.
        other = self.dates.get(mid)
        if not date or not other:
            return False
        import datetime as dt

        try:
            return abs((dt.date.fromisoformat(date) - dt.date.fromisoformat(other)).days) > 366
        except ValueError:
            return False

    def place(self, ref: str, wanted_id: str, name: str, hf: str | None, aliases: list[str],
              distinct_from: list[str], base: str | None = None, *, file: str | None = None,
              release_date: str | None = None, names_first: bool = False) -> Placement:
        """The model an entry is about: same_as, repository, name key; else, for a name with format
        suffixes, the model it is a checkpoint of; else a new model row.

        `file`: the generated file the entry is in (never two entries of one file on one row);
        `names_first`: try the name before the Hub repository (imports of other databases, whose
        names are their identity; a Hub link there may be a collection shared by several sizes).
        """
        source = ref.split("/", 1)[0]
        for other in distinct_from:
            self.distinct.add(frozenset((ref, other if "/" in other else f"{source}/{other}")))
        keys = name_keys(wanted_id, name, *aliases)
        by_hf = [self.by_hf.get(hf_key(hf)) if hf_key(hf) else None]
        by_name = [self.by_key.get(k) for k in keys]
        candidates = [self.explicit.get(ref), *((by_name + by_hf) if names_first else (by_hf + by_name))]
        for mid in candidates:
            if mid is None:
                continue
            if mid == self.explicit.get(ref) or not (self._apart(ref, mid) or self._same_file(mid, file)
                                                     or self._other_date(mid, release_date)):
                # An import matched by name does not lend its Hub link to the row: Epoch's "Kimi K2"
                # links the Instruct checkpoint, and the curated Kimi K2 is the Base one.
                self._attach(ref, mid, None if names_first else hf, file)
                return Placement(mid, False, name)
        stem, formats = split_format(name)
        if formats:
            target, reason, apart = self._checkpoint_target(ref, stem, formats, base, source)
            if target is not None:
                self._attach(ref, target, hf, file)
                return Placement(target, False, name, formats, reason)
            if not apart:
                # The first re-upload of a model the catalog does not have: the model row is
                # named without the suffixes, and the re-upload is its first checkpoint.
                id_stem, id_formats = split_format(wanted_id)
                mid = self._new_id(id_stem if id_formats else wanted_id, source)
                self._register(mid, name_keys(stem, strip_parenthesis=False), None)
                self._attach(ref, mid, hf, file)
                return Placement(mid, True, stem, formats,
                                 f"{reason}; no model of that name was in the catalog, so the model row is named "
                                 "after it")
        mid = self._new_id(wanted_id, source)
        self._register(mid, name_keys(wanted_id, name, *aliases, strip_parenthesis=False), hf)
        self._attach(ref, mid, hf, file)
        if release_date:
            self.dates[mid] = release_date
        return Placement(mid, True, name)

    def _new_id(self, wanted_id: str, source: str) -> str:
        mid, n = wanted_id, 2
        while mid in self.refs_of:  # a taken id (a distinct model of the same name): stable suffix
            mid = f"{wanted_id}-{source}" if n == 2 else f"{wanted_id}-{source}-{n}"
            n += 1
        return mid

    def _checkpoint_target(self, ref: str, stem: str, formats: list[str], base: str | None,
                           source: str) -> tuple[str | None, str, bool]:
        """(model the re-upload copies or None, why, whether a file keeps them apart).

        The stem of the name must name the model, or be its declared base model's name with the
        base's Hub account in front ("meta-llama-Llama-3.2-3B-Instruct-FP16"): a fine-tune's
        quantised upload ("X-Distill-Qwen3-8B-FP8", base Qwen3-8B) is never folded into its base.
        """
        reason = f"name {stem!r} + format suffix {'-'.join(formats)!r}"
        stem_keys = name_keys(stem)
        found = [mid for mid in (self.by_key.get(k) for k in stem_keys) if mid is not None]
        if base:
            target = resolve_base(base, source, self)
            owner = (self.hf_of.get(target) or "").split("/", 1)[0] if target else ""
            names = {name_key(base), name_key(target or "")}
            if target and target not in found and \
                    any(k in names | {name_key(owner) + n for n in names} for k in stem_keys):
                found.append(target)
                reason += f" and its base model {base!r}"
        for mid in found:
            if not self._apart(ref, mid):
                return mid, reason, False
        return None, reason, bool(found)

    def checkpoint_id(self, wanted_id: str, source: str) -> str:
        cid, n = wanted_id, 2
        while cid in self.checkpoint_ids:
            cid = f"{wanted_id}-{source}" if n == 2 else f"{wanted_id}-{source}-{n}"
            n += 1
        self.checkpoint_ids.add(cid)
        return cid


@dataclass
class GeneratedModels:
    """What reading the layer's model entries produced, in a stable order."""

    models: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    base_models: list[tuple[str, str, str]] = field(default_factory=list)  # (model, base ref, where)
    fills: dict[str, dict] = field(default_factory=dict)  # model id -> columns to fill when empty
    warnings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def read_models(files: list[GeneratedFile], problems: Problems, refs: Refs, reconciler: Reconciler,
                hw_map: dict[str, str]) -> Iterator[tuple[str, Any]]:
    """Yield ("model", row) | ("checkpoint", row) | ("claims", rows) | ("link", row) as entries are
    read; base models and warnings are returned at the end as ("after", GeneratedModels).

    Entries whose names carry a format suffix (catalog/names.py `split_format`) are read after all
    the others, so the model a re-upload copies is in place whichever file or line it comes from.
    """
    out = GeneratedModels()
    sections = [(gen, gen.section("models", problems)) for gen in files]
    for later in (False, True):
        for gen, entries in sections:
            for entry in entries:
                if _has_format_suffix(entry) == later:
                    yield from _read_entry(gen, entry, problems, refs, reconciler, hw_map, out)
    yield "after", out


def _has_format_suffix(entry: Mapping) -> bool:
    name = entry.get("name")
    return isinstance(name, str) and bool(split_format(name)[1])


def _read_entry(gen, entry, problems, refs, reconciler, hw_map, out) -> Iterator[tuple[str, Any]]:
    path = gen.path
    _unknown_keys(entry, GENERATED_MODEL_KEYS, path, problems)
    gid = _text(entry, "id", path, problems, required=True, pattern=SLUG)
    name = _text(entry, "name", path, problems, required=True)
    if gid is None or name is None:
        return
    ref = f"{gen.source}/{gid}"
    hf = _text(entry, "hf_repo", path, problems)
    aliases = text_list(entry, "aliases", path, problems, SLUG)
    base = _text(entry, "base_model", path, problems) or _text(entry, "base_model_name", path, problems)
    release_date = _text(entry, "release_date", path, problems, pattern=DATE)
    placed = reconciler.place(ref, gid, name, hf, aliases, text_list(entry, "distinct_from", path, problems), base,
                              file=str(path), release_date=release_date,
                              names_first=gen.origin.startswith("import:"))
    mid, created = placed.model_id, placed.created
    warnings = out.warnings[mid]
    warnings.extend(str(w) for w in (entry.get("warnings") or []))
    org = _text(entry, "organization", path, problems)
    if org is not None and org not in refs.organizations:
        warnings.append(f"organization: unknown organization id {org!r}")
        org = None
    primary = _primary_source(gen, entry, problems, refs)
    columns = {"name": placed.name,
               "family": _text(entry, "family", path, problems),
               "organization_id": org,
               "release_date": release_date,
               "release_year": int(release_date[:4]) if release_date else None,
               "domain": _text(entry, "domain", path, problems, choices=schema.DOMAINS),
               "accessibility": _text(entry, "accessibility", path, problems, choices=schema.ACCESSIBILITY),
               # a re-upload's repository is the checkpoint's, not the trained model's
               "hf_repo_id": None if placed.formats else hf,
               "primary_source_id": primary}
    if created and placed.formats:
        # A model known only from a re-upload: the upload's account, date and sources are the
        # upload's (nvidia/Qwen3.6-27B-NVFP4 is not NVIDIA's model), so they stay on the checkpoint.
        columns.update(organization_id=None, release_date=None, release_year=None, primary_source_id=None)
    if created:
        yield "model", {"id": mid, **columns, "base_model_id": None, "origin": gen.origin,
                        "warnings": None, "warning_fields": None}
    elif mid not in reconciler.curated and not placed.formats:
        # A re-upload fills nothing: its date, account and repository are the upload's, not the model's.
        fill = out.fills.setdefault(mid, {})
        for key, value in columns.items():
            if value is not None and key != "name":
                fill.setdefault(key, value)
    own: list[str] = []
    claims = read_claims("model", mid, entry.get("claims"), path, problems, refs,
                         getattr(entry, "line", 0), own)
    # The importer usually words its own warning for a field; ours is only added where it did not.
    covered = {str(w).split(":", 1)[0].strip() for w in (entry.get("warnings") or [])}
    warnings.extend(w for w in own if w.split(":", 1)[0] not in covered)
    for claim in claims:
        if claim["field"] == "hardware" and claim["value_text"] in hw_map:
            claim["value_text"] = hw_map[claim["value_text"]]
        _stamp(claim, gen)
    if placed.formats:
        yield "checkpoint", {"id": reconciler.checkpoint_id(gid, gen.source), "model_id": mid, "name": name,
                             "format": "+".join(placed.formats), "hf_repo_id": hf, "organization_id": org,
                             "source_id": primary or next((c["source_id"] for c in claims), None),
                             "origin": gen.origin, "reason": placed.reason}
    yield "claims", claims
    for link in _links(gen, entry, mid, problems, refs, reconciler):
        yield "link", link
    if base and (created or not placed.formats):
        out.base_models.append((mid, base, f"{gen.source}"))


def _links(gen, entry, mid, problems, refs, reconciler) -> list[dict]:
    """`innovations:` of a generated entry; a link the model already has (curated first) is kept once."""
    raw = entry.get("innovations") or []
    if not isinstance(raw, list):
        problems.add(gen.path, _line(entry, "innovations"), "innovations", "expected a list")
        return []
    links = []
    for item in raw:
        line = getattr(item, "line", _line(entry, "innovations"))
        if not isinstance(item, dict):
            problems.add(gen.path, line, "innovations", "expected {id: ..., source: ..., detail: ...}")
            continue
        _unknown_keys(item, {"id", "detail", "source"}, gen.path, problems)
        iid = _text(item, "id", gen.path, problems, required=True)
        source = _text(item, "source", gen.path, problems, required=True)
        if iid is not None and iid not in refs.innovations:
            problems.add(gen.path, _line(item, "id"), "innovations.id", f"unknown innovation id {iid!r}")
        elif source is not None and source not in refs.sources:
            problems.add(gen.path, _line(item, "source"), "innovations.source", f"unknown source key {source!r}")
        elif iid and source and (mid, iid) not in reconciler.links:
            reconciler.links.add((mid, iid))
            links.append({"model_id": mid, "innovation_id": iid, "source_id": source,
                          "detail": _text(item, "detail", gen.path, problems)})
    return links


def resolve_base(base: str, source: str, reconciler: Reconciler) -> str | None:
    """A base model named by a generated entry: its id in the same source, a catalog id, or a name."""
    if f"{source}/{base}" in reconciler.model_of_ref:
        return reconciler.model_of_ref[f"{source}/{base}"]
    if base in reconciler.refs_of:
        return base
    for key in name_keys(base):
        if key in reconciler.by_key:
            return reconciler.by_key[key]
    return None
