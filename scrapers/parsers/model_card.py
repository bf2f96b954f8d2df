"""Model cards (markdown with markdown or HTML tables, YAML front matter) -> quoted claims per model.

Developed against Meta's llama-models cards (Llama 3.1, 3.2, 3.3, 4) and DeepSeek-V3's README.
Every value carries the table row or sentence it was read from (`quote`) and where that is
(`locator`). Cards contradict themselves (Llama 3.3's prose says 39.3M GPU hours, its table
7.0M for the only model on the card): both claims are emitted and resolution shows the conflict.

Tables: a column is read when its header names a fact (HEADER_FIELDS); benchmark tables name
none and are skipped. A row is a model: its first cell, with the size from the Params column
when the label names a family ("Llama 3.1 (text only)" + "8B" -> "Llama 3.1 8B"). HTML
rowspans and markdown continuation rows (first cell empty) repeat the values above.
Prose: numbers followed by "GPU hours", "tokens", "parameters", "activated", "tons CO2eq",
attributed to the nearest model named in the sentence, else to the card's only model, else to
the card as a whole (`model: null`). A parameter count in a sentence about experts that says
neither "total" nor "activated" is skipped: "a 17 billion parameter model with 16 experts"
(Llama 4 Scout) means active parameters, 109B total, and reading it as total would be our
error, not the card's.
"""

from __future__ import annotations

import bisect
import re

import yaml

from scrapers.errors import ParseError
from scrapers.numbers import Quantity, clean_text, find_quantities, is_missing, parse_quantity
from scrapers.parsers import decode_text
from scrapers.parsers.markdown_blocks import split_blocks

# Header text (cleaned, lower case) -> field; first match wins, None means "not a fact column".
HEADER_FIELDS = (
    (r"logit generation", None),
    (r"gpu[- ]?hours", "gpu_hours"),
    (r"location-based", "emissions_location_tco2eq"),
    (r"market-based", "emissions_market_tco2eq"),
    (r"emissions|co2", "emissions_tco2eq"),
    (r"power consumption|\btdp\b", "gpu_power_w"),
    (r"activated param|active param", "active_parameters"),
    (r"total param", "parameters"),
    (r"^#?\s*params\b|^#?\s*parameters\b|^model size$", "parameters"),
    (r"token count|training tokens|^#?\s*tokens$", "training_tokens"),
    (r"context (length|window)", "context_length"),
    (r"^gqa$", "attention"),
    (r"shared embeddings|tied embeddings", "tied_embeddings"),
    (r"knowledge cutoff", "knowledge_cutoff"),
    (r"^(training )?hardware$|^gpu type$", "hardware"),
)
NUMERIC = {"gpu_hours", "emissions_location_tco2eq", "emissions_market_tco2eq", "emissions_tco2eq", "gpu_power_w",
           "active_parameters", "parameters", "training_tokens", "context_length"}
# Sentence context -> scope of a GPU-hour or token figure; first match wins.
SCOPES = (
    (r"post-?training|after pre-?training|subsequent training|fine-?tun", "post-training"),
    (r"pre-?train", "pre-training"),
    (r"\bcumulative\b|\btotal\b", "total"),
    (r"\bfull training\b", "full training"),
)
ACCELERATOR = re.compile(r"\b(?:NVIDIA\s+)?(?:[HAVPB]\d{2,3}|GB\d{3}|MI\d{3}X?|TPU\s?v\d+[a-z]*|Ascend\s?\d{3}[A-Z]?|"
                         r"Gaudi\s?\d)(?:[-\s](?:SXM\d?|PCIe|NVL|\d+\s?GB))*\b")
_SIZE = re.compile(r"^\d+(?:\.\d+)?[BMT]$")


def parse_model_card(data: bytes | str, source: str | None = None) -> dict:
    """{"front_matter": {...}, "models": [{"model": name or None, field: [claims]}], "unread": [...]}."""
    text = decode_text(data, source).replace("\r\n", "\n")
    front, body = _front_matter(text, source)
    card = _Card(source)
    if front:
        card.front_matter(front)
    tables, prose = split_blocks(body)
    for number, (section, rows) in enumerate(tables, start=1):
        card.table(number, section, rows)
    for section, paragraph in prose:
        card.paragraph(section, paragraph)
    return card.result()


def _front_matter(text: str, source: str | None) -> tuple[dict | None, str]:
    if not text.startswith("---\n"):
        return None, text
    end = re.search(r"^---\s*$", text[4:], re.M)
    if end is None:
        raise ParseError(source, "front_matter", "YAML front matter opened with --- but never closed")
    try:
        front = yaml.safe_load(text[4:4 + end.start()])
    except yaml.YAMLError as exc:
        raise ParseError(source, "front_matter", f"unreadable YAML: {exc}") from exc
    if front is not None and not isinstance(front, dict):
        raise ParseError(source, "front_matter", "expected a mapping")
    return front, text[4 + end.end():]


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.lower()).strip()


class _Card:
    def __init__(self, source: str | None):
        self.source = source
        self.models: dict[str | None, dict] = {}  # normalised name -> record
        self.families: dict[str, set[str]] = {}  # family key -> model keys
        self.unread: list[dict] = []
        self.front: dict = {}
        self._seen_claims: set = set()
        self._names_index: tuple[tuple, dict[str, list[str]]] | None = None
        self._default: tuple[int, str | None] | None = None

    def claim(self, model: str | None, field: str, claim: dict) -> None:
        key = _key(model) if model else None
        record = self.models.setdefault(key, {"model": model})
        claims = record.setdefault(field, [])
        # Keep 0 (Llama's market-based emissions are 0 tons); drop unset flags.
        kept = {k: v for k, v in claim.items() if v is not None and v is not False}
        try:  # a set instead of `in claims`, which cost O(claims) per claim
            seen = (key, field, tuple(sorted(kept.items())))
            hash(seen)
        except TypeError:
            seen = (key, field, repr(sorted(kept.items())))
        if seen not in self._seen_claims:
            self._seen_claims.add(seen)
            claims.append(kept)

    def front_matter(self, front: dict) -> None:
        for key in ("license", "license_name", "base_model", "datasets", "language", "pipeline_tag", "library_name",
                    "tags"):
            if front.get(key) is not None:
                self.front[key] = front[key]
        co2 = front.get("co2_eq_emissions")
        if isinstance(co2, dict):
            hardware = co2.get("hardware_used")
            if isinstance(hardware, str):
                self.claim(None, "hardware", {"value": hardware, "quote": f"hardware_used: {hardware}",
                                              "locator": "YAML front matter, co2_eq_emissions"})
            co2 = co2.get("emissions")
        if isinstance(co2, (int, float)) and not isinstance(co2, bool):
            # The Hub's metadata spec gives co2_eq_emissions in grams.
            self.claim(None, "emissions_tco2eq", {"value": co2 / 1e6, "quote": f"co2_eq_emissions: {co2}",
                                                  "locator": "YAML front matter", "note": "grams / 1e6"})

    def table(self, number: int, section: str | None, rows: list[list[str]]) -> None:
        if len(rows) < 2:
            return
        header = rows[0]
        fields = [None] + [next((f for pattern, f in HEADER_FIELDS if re.search(pattern, cell.lower())), None)
                           for cell in header[1:]]
        if not any(fields):
            return
        params_column = fields.index("parameters") if "parameters" in fields else None
        previous: list[str] = []
        resolved = []  # (row with carried values, row as written)
        for written in rows[1:]:
            written = written + [""] * (len(header) - len(written))
            row = written
            if not written[0] and previous:  # a continuation row: empty cells repeat the row above
                row = [cell or (previous[i] if i < len(previous) else "") for i, cell in enumerate(written)]
            resolved.append((row, written))
            previous = row
        labels = [row[0] for row, _ in resolved]
        for row, written in resolved:
            label = row[0]
            if not label or label.lower() in ("total", "totals", "sum"):
                continue
            name, family = self._name(label, row[params_column] if params_column is not None else "",
                                      labels.count(label))
            if family:
                self.families.setdefault(_key(family), set()).add(_key(name))
            self.models.setdefault(_key(name), {"model": name})
            quote = "| " + " | ".join(written) + " |"
            for column, field in enumerate(fields):
                if field and column < len(row) and not is_missing(row[column]):
                    locator = f"table {number}" + (f" in '{section}'" if section else "") + \
                              f", row '{label}', column '{header[column]}'"
                    carried = "value carried from the row above" if not written[column] else None
                    self._cell(name, field, row[column], {"quote": quote, "locator": locator, "note": carried})

    def _name(self, label: str, params: str, group: int) -> tuple[str, str | None]:
        base = re.sub(r"\s*\([^)]*\)", "", label).strip() or label
        qualifier = re.search(r"\(([^)]*)\)", label)
        first = find_quantities(clean_text(params))
        size = first[0].text if first and _SIZE.match(first[0].text) else None
        names_size = re.search(r"\d+(?:\.\d+)?\s*[BMT]\b", base)
        family_row = group > 1 or (qualifier is not None and not re.search(r"\d", qualifier.group(1)))
        if size and not names_size and family_row:
            return f"{base} {size}", base
        return base, None

    def _cell(self, model: str, field: str, text: str, context: dict) -> None:
        if field == "attention":
            if text.lower() in ("yes", "y", "true"):
                self.claim(model, "attention", {"value": "gqa", **context})
            return
        if field == "tied_embeddings":
            if text.lower() in ("yes", "no"):
                self.claim(model, field, {"value": text.lower() == "yes", **context})
            return
        if field not in NUMERIC:
            self.claim(model, field, {"value": text, **context})
            return
        if field == "context_length":
            try:
                q = parse_quantity(text, source=self.source, field=field, binary=True)
            except ParseError:
                self.unread.append({"text": text, **context})
                return
            self.claim(model, field, _value(q, **context))
            return
        quantities = find_quantities(text)
        if not quantities:
            self.unread.append({"text": text, **context})
            return
        if field in ("parameters", "active_parameters"):
            self._parameters(model, field, text, quantities, context)
        else:
            self.claim(model, field, _value(quantities[0], **context))

    def _parameters(self, model, field, text, quantities, context) -> None:
        plain = []
        for i, q in enumerate(quantities):
            tail = text[q.end:quantities[i + 1].start if i + 1 < len(quantities) else len(text)].lower()
            if "activ" in tail:
                self.claim(model, "active_parameters", _value(q, **context))
            elif "total" in tail:
                self.claim(model, "parameters", _value(q, **context))
            else:
                plain.append(q)
        if plain:
            # "1B (1.23B)": the bracketed figure is the precise one.
            precise = next((q for q in plain if text[:q.start].rstrip().endswith("(")), plain[0])
            self.claim(model, field, _value(precise, **context))

    def paragraph(self, section: str | None, paragraph: str) -> None:
        text = clean_text(paragraph)
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text):
            self._sentence(section, sentence)

    def _mentions(self, sentence: str) -> list[tuple[int, str]]:
        """(position, model) for each model or family name in the sentence; longer names first.

        Names are looked up by the word they start with, so a sentence costs its length times
        the few names sharing a first word, not its length times every name on the card (a
        card with a table of 1,000 models and 1,000 sentences was quadratic).
        """
        index = self._name_index()
        candidates = []
        lowered = sentence.lower()
        for word in _WORD.finditer(lowered):
            start = word.start()
            if start and (lowered[start - 1] in ".-"):
                continue
            for name in index.get(word.group(), ()):
                end = start + len(name)
                if lowered[start:end] == name.lower() and not _glued_after(lowered, end):
                    candidates.append((-len(name), start, end, name))
        candidates.sort()
        taken = bytearray(len(sentence))
        found = []
        for _, start, end, name in candidates:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                found.append((start, self._resolve(name)))
        return sorted(found)

    def _name_index(self) -> dict[str, list[str]]:
        """Model and family names by their first word (lower case), rebuilt when a model is added."""
        version = (len(self.models), sum(len(members) for members in self.families.values()))
        if self._names_index is None or self._names_index[0] != version:
            names = {m["model"] for k, m in self.models.items() if k}
            names |= {family for family in self._family_names()}
            index: dict[str, list[str]] = {}
            for name in names:
                first = _WORD.match(name.lower())
                if first:
                    index.setdefault(first.group(), []).append(name)
            self._names_index = (version, index)
        return self._names_index[1]

    def _family_names(self):
        for family_key in self.families:
            yield next(m["model"].rsplit(" ", 1)[0] for k, m in self.models.items()
                       if k in self.families[family_key])

    def _resolve(self, name: str) -> str:
        members = self.families.get(_key(name))
        if members and len(members) == 1:  # a family with one model on this card is that model
            return self.models[next(iter(members))]["model"]
        return name

    def _default_model(self) -> str | None:
        # Asked for every number without a named model: counted once per change of self.models.
        if self._default is None or self._default[0] != len(self.models):
            named = [m["model"] for k, m in self.models.items() if k]
            self._default = (len(self.models), named[0] if len(named) == 1 else None)
        return self._default[1]

    def _sentence(self, section: str | None, sentence: str) -> None:
        quantities = find_quantities(sentence)
        if not quantities:
            return
        mentions = self._mentions(sentence)
        mention_starts = [start for start, _ in mentions]
        # Everything that depends on the sentence only is read once, and each clause's scope once:
        # per number, only a bounded window around it is looked at, so a sentence of n numbers
        # costs O(n log n), not O(n^2) (issue 10: 8,000 numbers in one clause took 30 s).
        facts = _SentenceFacts(sentence)
        separators = [m.start() for m in re.finditer(r"[,;]", sentence)]
        clause_scopes: dict[tuple[int, int], str | None] = {}
        context = {"quote": sentence, "locator": f"section '{section}'" if section else "text"}
        for q in quantities:
            # The clause around the number decides first: "We pre-train X on 14.8T tokens, followed
            # by fine-tuning" is a pre-training figure although the sentence names fine-tuning.
            clause = (bisect.bisect_left(separators, q.start), bisect.bisect_left(separators, q.end))
            if clause not in clause_scopes:
                clause_start = separators[clause[0] - 1] + 1 if clause[0] > 0 else 0
                clause_end = separators[clause[1]] if clause[1] < len(separators) else len(sentence)
                clause_scopes[clause] = _scope(sentence[clause_start:clause_end])
            scope = clause_scopes[clause] or facts.scope
            after, before = sentence[q.end:q.end + 80], sentence[max(0, q.start - 80):q.start]
            position = bisect.bisect_left(mention_starts, q.start)
            model = (mentions[position - 1][1] if position > 0 else None) or (
                mentions[0][1] if mentions else self._default_model())
            gpu = re.match(r"\s*(?:(?P<hw>[A-Z][\w-]*)\s+)?GPU[- ]hours", after)
            if gpu:
                self.claim(model, "gpu_hours", _value(q, scope=scope, **context))
                hardware = gpu.group("hw") or facts.first_accelerator
                if hardware and ACCELERATOR.fullmatch(hardware):
                    self.claim(model, "hardware", {"value": hardware, **context})
            elif re.match(r"\s*(?:[\w-]+\s+){0,4}?tokens\b", after) and facts.mentions_training \
                    and not facts.mentions_batch_or_context:
                self.claim(model, "training_tokens", _value(q, scope=scope, **context))
            elif re.match(r"\s*(?:parameters\s+)?(?:activated|active)\b", after, re.I):
                self.claim(model, "active_parameters", _value(q, **context))
            elif re.match(r"\s*total\s+param", after, re.I) or (
                    re.match(r"\s*param(?:eter)?s?\b", after, re.I) and not facts.mentions_experts):
                self.claim(model, "parameters", _value(q, **context))
            elif re.match(r"\s*(?:metric\s+)?(?:tons?|tonnes?)\s+(?:of\s+)?CO2", after, re.I):
                self.claim(model, facts.emissions_field, _value(q, **context))
            elif re.search(r"\bTDP of\s*$", before) and after.startswith("W"):
                self.claim(model, "gpu_power_w", _value(q, **context))
            elif (chips := re.match(r"\s*(" + ACCELERATOR.pattern + r")\s+(?:GPUs|chips|accelerators|TPUs)\b", after)):
                self.claim(model, "hardware_count", _value(q, **context))
                self.claim(model, "hardware", {"value": chips.group(1), **context})
            elif re.match(r"\s*days\b", after) and re.search(r"train", sentence, re.I):
                self.claim(model, "training_days", _value(q, scope=scope, **context))

    def result(self) -> dict:
        models = [record for key, record in self.models.items() if len(record) > 1 or key is None]
        out = {"models": models}
        if self.front:
            out["front_matter"] = self.front
        if self.unread:
            out["unread"] = self.unread
        return out


_WORD = re.compile(r"(?<!\w)\w+")


def _glued_after(text: str, end: int) -> bool:
    """A name must not run on into a word, a hyphen or a version number ("M2" in "M2-Pro", "M2.5")."""
    if end >= len(text):
        return False
    after = text[end]
    return after.isalnum() or after in "_-" or (after == "." and end + 1 < len(text) and text[end + 1].isdigit())


class _SentenceFacts:
    """What the field rules ask of a whole sentence, computed once per sentence."""

    def __init__(self, sentence: str):
        self.scope = _scope(sentence)
        self.mentions_training = re.search(r"train", sentence, re.I) is not None
        self.mentions_batch_or_context = re.search(r"batch|context|window|per second|sequence length",
                                                   sentence, re.I) is not None
        self.mentions_experts = re.search(r"expert", sentence, re.I) is not None
        self.emissions_field = ("emissions_location_tco2eq" if re.search(r"location-based", sentence, re.I) else
                                "emissions_market_tco2eq" if re.search(r"market-based", sentence, re.I) else
                                "emissions_tco2eq")
        self._sentence = sentence

    @property
    def first_accelerator(self) -> str | None:
        match = ACCELERATOR.search(self._sentence)
        return match.group(0) if match else None


def _scope(text: str) -> str | None:
    return next((label for pattern, label in SCOPES if re.search(pattern, text, re.I)), None)


def _value(q: Quantity, **context) -> dict:
    return {"value": q.value, "as_written": q.text, "approximate": q.approximate, "bound": q.bound, **context}
