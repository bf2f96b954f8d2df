"""Epoch AI's all-models CSV -> the generated layer (`datasets/imported/epoch/models.yaml`).

Every row becomes a model entry. A value outside the catalog's plausible range
(`catalog/fields.py`) is kept and the entry gets a `warnings:` line (TD-Gammon's 25,000 parameters
and 1.8e13 FLOP are true numbers); only an impossible value (negative, unreadable, zero where zero
means nothing, a date that is not a calendar date) is dropped, that field alone, with a warning
naming the row and the column. Pure: bytes and lookup tables in, sections and a report out.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from catalog.fields import MODEL_FIELDS, ValueProblem
from scrapers.numbers import clean_text, find_quantities
from scrapers.parsers.epoch import map_ids, parse_epoch_csv, readable_note
from scrapers.sources.epoch import _accessibility, _domain
from scrapers.sources.epoch_labels import label, weaker
from scrapers.store import slug

ORIGIN = "import:epoch"
SOURCE_ID = "epoch-ai-models"  # one key across exports: a refresh changes values, not every claim's source
DATA_PAGE = "https://epoch.ai/data/ai-models"
CSV_URL = "https://epoch.ai/data/all_ai_models.csv"
LICENSE = "CC-BY-4.0"
MAX_QUOTE = 200  # a short excerpt that states the number; Epoch's notes are prose and stay out
# Epoch's "Organization categorization" -> organization.kind. A research collective (EleutherAI,
# LAION, BigScience) is a volunteer non-profit group, not a collaboration between organisations.
ORGANIZATION_KINDS = {"industry": "industry", "academia": "academia", "government": "government",
                      "research collective": "nonprofit"}
# Epoch's country names (ISO 3166 short names, as its export spells them) -> ISO 3166-1 alpha-2,
# the codes datasets/organizations.yaml uses. "Multinational" has no code and is left out.
COUNTRIES = {
    "Argentina": "AR", "Armenia": "AM", "Australia": "AU", "Austria": "AT", "Belgium": "BE", "Brazil": "BR",
    "Canada": "CA", "Chile": "CL", "China": "CN", "Croatia": "HR", "Czechia": "CZ", "Denmark": "DK",
    "Egypt": "EG", "Estonia": "EE", "Finland": "FI", "France": "FR", "Germany": "DE", "Greece": "GR",
    "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS", "India": "IN", "Indonesia": "ID",
    "Iran (Islamic Republic of)": "IR", "Ireland": "IE", "Israel": "IL", "Italy": "IT", "Japan": "JP",
    "Korea (Republic of)": "KR", "Lebanon": "LB", "Lithuania": "LT", "Luxembourg": "LU", "Malaysia": "MY",
    "Mexico": "MX", "Netherlands": "NL", "New Zealand": "NZ", "Nigeria": "NG", "Norway": "NO", "Pakistan": "PK",
    "Poland": "PL", "Portugal": "PT", "Qatar": "QA", "Romania": "RO", "Russia": "RU", "Saudi Arabia": "SA",
    "Singapore": "SG", "Slovenia": "SI", "South Africa": "ZA", "Spain": "ES", "Sweden": "SE", "Switzerland": "CH",
    "Taiwan": "TW", "Thailand": "TH", "Turkey": "TR", "Ukraine": "UA", "United Arab Emirates": "AE",
    "United Kingdom of Great Britain and Northern Ireland": "GB", "United Kingdom": "GB",
    "United States of America": "US", "United States": "US", "Vietnam": "VN",
}
# Claim field -> (record key, record key of the note to quote, the column key for the locator).
NUMERIC_CLAIMS = {
    "parameters": ("parameters", "parameters", "parameters"),
    "active_parameters": ("active_parameters", "parameters", "parameters"),
    "training_tokens": ("tokens_seen", "dataset_size", "dataset_size"),
    "training_dataset_tokens": ("dataset_tokens", "dataset_size", "dataset_size"),
    "training_epochs": ("epochs", None, "epochs"),
    "hardware_utilization_mfu": ("hardware_utilization", "hardware_utilization", "hardware_utilization"),
    "hardware_utilization_hfu": ("hardware_utilization_hfu", "hardware_utilization", "hardware_utilization_hfu"),
    "training_cost_cloud_usd": ("training_cost_cloud_usd", "training_cost", "training_cost_cloud_usd"),
    "training_cost_upfront_usd": ("training_cost_upfront_usd", "training_cost", "training_cost_upfront_usd"),
    "training_compute_flop": ("training_compute_flop", "training_compute_flop", "training_compute_flop"),
    "gpu_hours": ("gpu_hours", None, "gpu_hours"),
    "hardware_count": ("hardware_count", None, "hardware_count"),
    "training_days": ("training_days", "training_time_hours", "training_time_hours"),
}
# A parser key that failed to read -> the claim field it would have become.
PARSER_FIELDS = {"parameters": "parameters", "training_compute_flop": "training_compute_flop",
                 "gpu_hours": "gpu_hours", "hardware_count": "hardware_count", "dataset_size": "training_tokens", "training_time_hours": "training_days",
                 "training_compute_lower": "training_compute_flop", "training_compute_upper": "training_compute_flop",
                 "publication_date": "release_date"}
_HF_REPO = re.compile(r"https?://(?:www\.)?huggingface\.co/([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)")
_HF_NOT_OWNERS = {"datasets", "spaces", "papers", "blog", "docs", "collections", "models", "organizations",
                  "learn", "tasks", "api", "settings", "join", "posts", "chat"}
EARLIEST_DATE = dt.date(1900, 1, 1)  # the export's oldest systems are from the 1950s


@dataclass
class ModelsReport:
    rows: int = 0
    entries: int = 0
    warnings: int = 0
    warnings_by_field: collections.Counter = field(default_factory=collections.Counter)
    dropped_fields: list[str] = field(default_factory=list)
    refused_for_magnitude: int = 0  # always 0: ranges warn, they do not refuse
    merged_duplicates: list[str] = field(default_factory=list)  # "<name>: rows 372, 375 -> <id>"
    distinct_duplicates: list[str] = field(default_factory=list)  # "<name>: rows ... -> id, id"
    unmapped: collections.Counter = field(default_factory=collections.Counter)
    unmapped_columns: list[str] = field(default_factory=list)


def parse_date(value: str) -> tuple[str | None, str | None]:
    """(ISO date, None) or (None, why it was dropped)."""
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return None, f"{value!r:.40} is not a YYYY-MM-DD date"
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        return None, f"{value!r} is not a calendar date"
    if date < EARLIEST_DATE:
        return None, f"{value} is before {EARLIEST_DATE.isoformat()}"
    return value, None


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def short_quote(note: str | None, value: float) -> str | None:
    """At most MAX_QUOTE characters of Epoch's note: the sentence stating a number within 2% of `value`.

    Cut at word boundaries (with "...") when the sentence is longer; None when no number matches.
    """
    if not note or not value:
        return None
    for line in note.splitlines():
        text = clean_text(line)
        readable = readable_note(line)
        if not text or len(readable) != len(text):  # readable_note only changes the case of suffix letters
            continue
        for q in find_quantities(readable):
            if abs(q.value - value) > 0.02 * abs(value):
                continue
            left = text.rfind(". ", 0, q.start)
            left = 0 if left == -1 else left + 2
            right = text.find(". ", q.end)
            right = len(text) if right == -1 else right + 1
            prefix = suffix = ""
            if right - left > MAX_QUOTE:
                room = MAX_QUOTE - 6 - (q.end - q.start)
                new_left = max(left, q.start - room // 2)
                new_right = min(right, q.end + (room - (q.start - new_left)))
                if new_left > left:
                    new_left = text.find(" ", new_left, q.start) + 1 or q.start
                    prefix = "..."
                if new_right < right:
                    cut = text.rfind(" ", q.end, new_right)
                    new_right = cut if cut != -1 else q.end
                    suffix = "..."
                left, right = new_left, new_right
            excerpt = prefix + text[left:right].strip().strip('"') + suffix
            return excerpt if len(excerpt) <= MAX_QUOTE else None
    return None


def tidy(value: float) -> float:
    """12 significant digits: 14.8, not 14.799999999999999 (hours / 24), so files read cleanly."""
    return float(f"{value:.12g}")


SYMBOLS = {"+": "-plus", "Σ": "sigma", "σ": "sigma", "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta",
           "ε": "epsilon", "θ": "theta", "λ": "lambda", "μ": "mu", "π": "pi", "ω": "omega", "Ω": "omega"}


def hf_repo(texts: list[str]) -> str | None:
    """The one Hugging Face model repository the texts link to, or None when none or several."""
    repos = {}
    for text in texts:
        for owner, name in _HF_REPO.findall(text or ""):
            name = re.split(r"https?$|https?:", name)[0].rstrip(".)")  # two links run together
            if owner.lower() in _HF_NOT_OWNERS or not name:
                continue
            repos.setdefault(f"{owner}/{name}".lower(), f"{owner}/{name}")
    return next(iter(repos.values())) if len(repos) == 1 else None


def entry_slug(name: str) -> str:
    """A stable id for an Epoch name ("DeepLabV3+" -> deeplabv3-plus, "PanGu-Σ" -> pangu-sigma);
    names without a Latin letter or digit get a short hash."""
    spelled = "".join(SYMBOLS.get(ch, ch) for ch in name)
    return slug(spelled) or "epoch-" + hashlib.sha256(name.encode()).hexdigest()[:10]


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first not in `taken`, which it joins."""
    uid, n = base, 2
    while uid in taken:
        uid, n = f"{base}-{n}", n + 1
    taken.add(uid)
    return uid


def organizations_table(records: list[dict], curated: dict[str, str]) -> tuple[dict[str, str], list[dict]]:
    """(Epoch organisation name -> id, generated organization entries for names no curated id covers).

    Kind and country come from rows where Epoch's organisation, category and country lists are
    parallel (one value per organisation); the most frequent value wins, ties in sorted order.
    """
    votes: dict[str, dict[str, collections.Counter]] = collections.defaultdict(
        lambda: {"kind": collections.Counter(), "country": collections.Counter()})
    names = set()
    for record in records:
        orgs = record.get("organizations", [])
        names.update(orgs)
        cats, countries = record.get("organization_categories", []), record.get("countries", [])
        if len(cats) == len(orgs):
            for org, cat in zip(orgs, cats):
                if cat.lower() in ORGANIZATION_KINDS:
                    votes[org]["kind"][ORGANIZATION_KINDS[cat.lower()]] += 1
        if len(countries) == len(orgs):
            for org, country in zip(orgs, countries):
                if country in COUNTRIES:
                    votes[org]["country"][COUNTRIES[country]] += 1
    ids, entries, taken = {}, [], set(curated.values())
    for name in sorted(names):
        mapped, _ = map_ids([name], curated)
        if mapped:
            ids[name] = mapped[0]
            continue
        oid = ids[name] = unique_id(entry_slug(name), taken)
        entry = {"id": oid, "name": name}
        for key in ("country", "kind"):
            if votes[name][key]:
                entry[key] = sorted(votes[name][key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        entries.append(entry)
    return ids, entries


def _same_system(a: dict, b: dict) -> bool:
    keys = ("publication_date", "parameters", "organizations", "reference")
    return all(a.get(k) == b.get(k) for k in keys)


def build_models(content: bytes | list[tuple[str, bytes]], *, file_name: str, hardware_names: dict[str, str],
                 known_hardware: set[str], organizations: dict[str, str], source_id: str = SOURCE_ID,
                 source_title: str = "Epoch AI, Data on AI Models (all models)",
                 source_date: str | None = None) -> tuple[dict, ModelsReport]:
    """Sections for `write_generated` (sources, organizations, models) and a report.

    `content`: one CSV, or (file name, bytes) of several files of one export (epoch_exports.py).
    `hardware_names`: Epoch chip names (and synonyms) -> hardware ids; `known_hardware`: ids that
    exist (the generated chip file and datasets/hardware.yaml). `organizations`: name -> curated id.
    """
    if isinstance(content, list):
        from scrapers.sources.epoch_exports import parse_exports

        parsed = parse_exports(content)
    else:
        parsed = parse_epoch_csv(content, file_name)
    report = ModelsReport(rows=len(parsed["models"]), unmapped_columns=parsed["columns"]["unmapped"])
    columns = {key: column for column, key in parsed["columns"]["mapped"].items()}
    records = parsed["models"]
    org_ids, org_entries = organizations_table(records, organizations)
    row_errors = collections.defaultdict(list)
    for error in parsed["row_errors"]:
        row_errors[(error.get("file"), error["row"])].append(error)
    exported = source_date or max((r.get("last_modified", "")[:10] for r in records), default="") or None
    source = {"id": source_id, "kind": "dataset", "title": source_title,
              "authors": "Epoch AI", "date": exported, "year": int(exported[:4]) if exported else None,
              "url": DATA_PAGE, "license": LICENSE}

    by_name = collections.defaultdict(list)
    for record in records:
        by_name[record["model"]].append(record)
    groups: list[list[dict]] = []  # each group becomes one entry
    for name, rows in by_name.items():
        if len(rows) == 1:
            groups.append(rows)
            continue
        merged: list[list[dict]] = []
        for row in rows:
            for group in merged:
                if _same_system(group[0], row):
                    group.append(row)
                    break
            else:
                merged.append([row])
        groups.extend(merged)
    # Ids: the slug of the name; where two entries share one, suffixes -2, -3 in row order.
    groups.sort(key=lambda g: (entry_slug(g[0]["model"]), g[0]["row"]))
    ids, taken, by_slug = {}, set(), collections.defaultdict(list)
    for group in groups:
        base = entry_slug(group[0]["model"])
        ids[id(group)] = unique_id(base, taken)
        by_slug[base].append(group)
    names_to_ids = collections.defaultdict(set)
    for group in groups:
        names_to_ids[group[0]["model"]].add(ids[id(group)])

    entries = []
    for group in groups:
        eid = ids[id(group)]
        entry = _entry(group, eid, source["id"], columns, row_errors, org_ids, hardware_names, known_hardware,
                       report)
        base_name = group[0].get("base_model")
        if base_name:
            entry["base_model_name"] = base_name
            targets = names_to_ids.get(base_name, set())
            if len(targets) == 1 and eid not in targets:
                entry["base_model"] = next(iter(targets))
        siblings = by_slug[entry_slug(group[0]["model"])]
        if len(siblings) > 1:
            entry["distinct_from"] = sorted(ids[id(g)] for g in siblings if g is not group)
        entries.append(entry)
        if len(group) > 1:
            report.merged_duplicates.append(
                f"{group[0]['model']}: rows {', '.join(str(r['row']) for r in group)} -> {eid} (same date, "
                "parameters, organisations and reference: one system listed twice)")
    for base, siblings in sorted(by_slug.items()):
        if len(siblings) > 1:
            report.distinct_duplicates.append(
                f"{' / '.join(sorted({g[0]['model'] for g in siblings}))}: rows "
                f"{', '.join(str(g[0]['row']) for g in siblings)} -> {', '.join(ids[id(g)] for g in siblings)}")
    _mark_lookalikes(entries)
    report.entries = len(entries)
    report.warnings = sum(len(e.get("warnings", [])) for e in entries)
    # Only organisations a model names: co-developers after the first would be rows without models.
    used = {e.get("organization") for e in entries}
    org_entries = [o for o in org_entries if o["id"] in used]
    return {"sources": [source], "organizations": org_entries, "models": entries}, report


def _mark_lookalikes(entries: list[dict]) -> None:
    """`distinct_from` between entries of this file that a reader (or the build's matching) could take
    for one model: the same name once punctuation goes (DeepLabV3 / DeepLabV3+, PointNet / PointNet++)
    or the same Hugging Face link (NVILA 15B and 8B, Emu1 and Emu2, Aquila 33B and 7B). Epoch lists
    them as separate systems, so they stay separate rows."""
    from catalog.names import hf_key, name_key

    groups: dict[str, set[str]] = collections.defaultdict(set)
    for entry in entries:
        groups["name:" + name_key(entry["name"])].add(entry["id"])
        if entry.get("hf_repo"):
            groups["hf:" + hf_key(entry["hf_repo"])].add(entry["id"])
    apart: dict[str, set[str]] = collections.defaultdict(set)
    for ids in groups.values():
        if len(ids) > 1:
            for one in ids:
                apart[one] |= ids - {one}
    for entry in entries:
        if apart.get(entry["id"]):
            entry["distinct_from"] = sorted(set(entry.get("distinct_from", [])) | apart[entry["id"]])


def _entry(group: list[dict], eid: str, source_id: str, columns: dict, row_errors: dict, org_ids: dict,
           hardware_names: dict, known_hardware: set, report: ModelsReport) -> dict:
    first = group[0]
    entry: dict = {"id": eid, "name": first["model"]}
    warnings: list[str] = []

    def column(key: str) -> str:
        return columns.get(key, key)

    def drop(field_name: str, row: int, key: str, why: str) -> None:
        message = f"{field_name}: dropped (row {row}, column '{column(key)}'): {why}"
        warnings.append(message)
        report.dropped_fields.append(f"{first['model']}: {message}")
        report.warnings_by_field[f"{field_name} dropped"] += 1

    orgs = [org_ids[o] for o in first.get("organizations", []) if o in org_ids]
    if orgs:
        entry["organization"] = orgs[0]
    date = first.get("publication_date")
    if date:
        iso, why = parse_date(date)
        if iso:
            entry["release_date"] = iso
        else:
            drop("release_date", first["row"], "publication_date", why)
    domain = _domain(first.get("domain", []))
    if domain:
        entry["domain"] = domain
    accessibility = _accessibility(first.get("model_accessibility"))
    if accessibility:
        entry["accessibility"] = accessibility
    repo = hf_repo([*first.get("links", []), first.get("notes", {}).get("model_accessibility", "")])
    if repo:
        entry["hf_repo"] = repo

    claims: dict[str, list[dict]] = collections.defaultdict(list)
    for record in group:
        for error in row_errors.get((record.get("file"), record["row"]), []):
            if error["field"] not in PARSER_FIELDS:
                continue  # a column cegdb does not keep (citations, cost, ...)
            drop(PARSER_FIELDS.get(error["field"], error["field"]), record["row"], error["field"], error["message"])
        for claim_field, claim in _claims(record, source_id, column, hardware_names, known_hardware, report,
                                          drop, warnings):
            if not any(c.get("value", c.get("derived_from")) == claim.get("value", claim.get("derived_from"))
                       for c in claims[claim_field]):
                claims[claim_field].append(claim)
    if claims:
        entry["claims"] = {k: (v[0] if len(v) == 1 else v) for k, v in claims.items()}
    if warnings:
        entry["warnings"] = warnings
    return entry


def _claims(record: dict, source_id: str, column, hardware_names: dict, known_hardware: set, report: ModelsReport,
            drop, warnings: list[str]):
    row = record["row"]
    notes = record.get("notes", {})
    row_confidence = record.get("confidence") or "low"
    confidence_note = None if record.get("confidence") else (
        f"Epoch's confidence: {record.get('confidence_epoch') or 'not given'} (taken as low)")

    def base(key: str, method: str, note: str | None = None, confidence: str | None = None) -> dict:
        parts = [p for p in (note, confidence_note) if p]
        where = record.get("at", {}).get(key)  # several files of one export: the cell's own file and row
        locator = f"{where[0]} row {where[1]}, column '{where[2]}'" if where else f"row {row}, column '{column(key)}'"
        # Epoch is a compilation: what it states was read in Epoch's table, not in the paper.
        claim = {"source": source_id, "locator": locator, "confidence": confidence or row_confidence,
                 "evidence": "secondary", "method": method}
        if parts:
            claim["note"] = "; ".join(parts)
        return claim

    methods = record.get("training_compute_method", [])
    hardware, missing = map_ids(record.get("hardware", []), hardware_names)
    hardware = [h for h in hardware if h in known_hardware]
    report.unmapped.update(("hardware", m) for m in missing)
    chip = hardware[0] if len(hardware) == 1 and not missing else None
    for claim_field, (key, note_key, column_key) in NUMERIC_CLAIMS.items():
        if key not in record:
            continue
        value = record[key]
        if value == 0:
            drop(claim_field, row, column_key, f"0 is not a meaningful {claim_field}")
            continue
        if value < 0:
            drop(claim_field, row, column_key, f"{_fmt(value)} is negative")
            continue
        if claim_field in ("training_tokens", "training_dataset_tokens") \
                and record.get("dataset_size_unit_basis") == "gradients column" \
                and "dataset_size" not in record:
            column_key = "dataset_size_gradients"
        stated = record["training_time_hours"] if claim_field == "training_days" else (
            record.get("dataset_size") if claim_field in ("training_tokens", "training_dataset_tokens") else value)
        method, confidence, why = label(claim_field, stated, notes.get(note_key) if note_key else None, row_confidence)
        note, derived = why, None
        if claim_field == "training_compute_flop":
            # Epoch's own estimation-method column says how, and its Confidence rates this figure.
            # Without that column (the late-2025 notable and large-scale files) the figure is reported
            # only where the note quotes it; else Epoch's estimate, and the note says the method is missing.
            if methods:
                method = "reported" if any(m.lower() == "reported" for m in methods) else "estimated"
                note = f"Epoch's estimation method: {', '.join(methods)}"
            else:
                quoted = label(claim_field, value, notes.get(note_key), row_confidence)[0] == "reported" \
                    and notes.get(note_key) and short_quote(notes.get(note_key), value) is not None \
                    and '"' in notes.get(note_key, "")
                method = "reported" if quoted else "estimated"
                note = "Epoch states no estimation method in this export" + (
                    "; its note quotes the figure" if quoted else "")
            confidence = row_confidence
        elif claim_field == "active_parameters":
            method, note = "derived", "read from Epoch's parameters note (the cell holds the MoE total)"
        elif claim_field in ("training_tokens", "training_dataset_tokens"):
            derived = record.get("tokens_seen_from" if claim_field == "training_tokens" else "dataset_tokens_from")
            how = record.get("tokens_seen_note" if claim_field == "training_tokens" else "dataset_tokens_note")
            if derived:
                method = "derived"
            if record.get("dataset_size_unit_unstated"):
                confidence = weaker(confidence, "medium")
            note = "; ".join(p for p in (how, why) if p)
        elif claim_field == "training_days":
            derived = {"inputs": {"hours": record["training_time_hours"]}, "formula": "hours / 24"}
            note = "; ".join(p for p in (f"Epoch gives {record['training_time_hours']:g} hours", why) if p)
            method = "derived" if method == "reported" else method
        elif claim_field == "gpu_hours" and record.get("hardware_count") and record.get("training_time_hours") \
                and abs(record["hardware_count"] * record["training_time_hours"] - value) <= 0.01 * value:
            # Epoch's chip-hours are its own product of chips and hours (GPT-3: 10,000 x 355.2 h).
            derived = {"inputs": {"chips": record["hardware_count"], "hours": record["training_time_hours"]},
                       "formula": "chips * hours"}
            method = "derived"
            note = "Epoch's chip-hours equal its hardware quantity x training hours"
        elif claim_field == "parameters" and record.get("parameters_scope"):
            note = "; ".join(p for p in (f"Epoch: {record['parameters_scope']}", why) if p)
        elif claim_field in ("training_cost_cloud_usd", "training_cost_upfront_usd"):
            method = "estimated"  # Epoch prices the run itself; its dollar year is Epoch's
            note = "Epoch's own cost estimate (late-2025 export), in the dollars Epoch states"
        elif claim_field == "training_epochs":
            method, confidence = "reported", weaker(row_confidence, "medium")
        claim = {"derived_from": derived} if derived else {"value": tidy(value)}
        claim.update(base(column_key, method, note, confidence))
        quote = short_quote(notes.get(note_key) if note_key else None, stated)
        if quote:
            claim["quote"] = quote
        if claim_field == "training_compute_flop":
            bounds = record.get("bounds", {}).get("training_compute_flop", {})
            lower, upper = bounds.get("lower"), bounds.get("upper")
            bad = [b for b in (lower, upper) if b is not None and b <= 0]
            if bad or (lower is not None and upper is not None and lower > upper):
                drop("training_compute_flop bounds", row, "training_compute_lower",
                     f"lower {lower} / upper {upper} are not a range around a positive value")
            else:
                if lower is not None:
                    claim["lower"] = tidy(lower)
                if upper is not None:
                    claim["upper"] = tidy(upper)
        if claim_field == "gpu_hours" and chip:
            claim["hardware"] = chip
        try:
            MODEL_FIELDS[claim_field].check_number(value)
        except ValueProblem:
            spec = MODEL_FIELDS[claim_field]
            side = "below" if spec.low is not None and value < spec.low else "above"
            warnings.append(f"{claim_field}: {_fmt(value)} {spec.unit} is {side} the usual range "
                            f"({spec.low:g}..{spec.high:g}); kept (row {row}, column '{column(column_key)}')")
            report.warnings_by_field[f"{claim_field} out of range"] += 1
        yield claim_field, claim
    if chip:
        yield "hardware", {"value": chip, **base("hardware", "reported",
                                                 f"Epoch's training hardware: {', '.join(record['hardware'])}",
                                                 weaker(row_confidence, "medium"))}
    if record.get("training_precision"):
        yield "training_precision", {"value": record["training_precision"], **base(
            "numerical_format", "reported", f"Epoch's numerical format: {', '.join(record['numerical_format'])}",
            weaker(row_confidence, "medium"))}
    if record.get("frontier_model"):
        yield "frontier_model", {"value": True, **base(
            "frontier_model", "reported", "Epoch marks it a frontier model (top 10 by training compute when released)",
            "high")}
