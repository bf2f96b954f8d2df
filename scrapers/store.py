"""Turn parsed items into rows: sources, imported models and claims, one item per transaction.

An `Item` is what one scraped thing (a Hugging Face repository, a model card, a paper, one row of
an Epoch CSV) says, already parsed. `Catalog.store` checks every claim of the item with the same
rules as curated claims and writes the item only if all of them pass: a half-stored item would
look complete and never be re-fetched (docs/architecture.md, "Scrapers").

Re-storing an item (`--refresh`) keeps the ids of claims whose value did not change, adds the new
ones and removes the ones the source no longer states.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from catalog import schema
from catalog.fields import HARDWARE_FIELDS, MODEL_FIELDS, ValueProblem
from catalog.resolve import DERIVED_ORIGIN, resolve
from scrapers.snapshots import SnapshotInfo, utc_now
from scrapers.validate import ClaimDraft, check_draft

MODEL_FACTS = ("name", "family", "organization_id", "release_date", "domain", "accessibility",
               "hf_repo_id", "primary_source_id")
SOURCE_COLUMNS = ("id", "kind", "title", "authors", "date", "year", "venue", "url", "arxiv_id", "doi",
                  "license", "retrieved_at", "citation_count")


@dataclass
class Item:
    key: str  # a re-run skips the item when a source with this URL and origin exists
    origin: str  # scraper:hf | scraper:card | scraper:arxiv | scraper:s2 | import:epoch
    label: str  # how messages name it: a repo id, an arXiv id, "row 17 (GPT-4)"
    sources: list[dict] = field(default_factory=list)
    snapshots: list[SnapshotInfo] = field(default_factory=list)
    model: dict | None = None  # model facts (name, hf_repo_id, ...) when claims are about a model
    model_id: str | None = None  # set when the caller names the catalog model (card --model)
    claims: list[ClaimDraft] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)  # origin_refs this item owns (replaced on --refresh)
    warnings: list[str] = field(default_factory=list)  # reported, not failures (unmapped names)
    problems: list[str] = field(default_factory=list)  # failures found while parsing


class ItemInvalid(Exception):
    def __init__(self, label: str, problems: list[str]):
        self.label, self.problems = label, problems
        super().__init__(f"{label}: " + "; ".join(problems))


@dataclass
class Stored:
    model_id: str | None
    new: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    removed: int = 0
    model_created: bool = False


def _long_text_problems(item: Item, rows: list[dict]) -> list[str]:
    """Texts the server could not show (catalog/limits.py): the item is refused, nothing stored."""
    from catalog.limits import MAX_TEXT_BYTES, too_long

    found = [f"{what} {key}" for what, entries in (("claim", rows), ("source", item.sources),
                                                    ("model", [item.model or {}]))
             for entry in entries for key, value in entry.items() if too_long(value)]
    return [f"{name}: longer than {MAX_TEXT_BYTES:,} bytes of text" for name in found]


def normalise_name(name: str) -> str:
    """'Llama 3.1-405B' and 'llama-3.1-405b' -> 'llama-3-1-405b', for matching names to ids."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def slug(name: str) -> str:
    """A model id in the curated format (lowercase, digits, '.', '-', '_')."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9._-]+", "-", ascii_name.lower())).strip("-._")


def _calendar_date(value) -> bool:
    """YYYY-MM-DD that exists (S2 or a feed saying 2023-02-30 must not reach the source table)."""
    import datetime as dt

    try:
        return isinstance(value, str) and len(value) == 10 and dt.date.fromisoformat(value) is not None
    except ValueError:
        return False


class Catalog:
    """The database side of one scrape run: lookups cached once, one item per transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.hardware = {r[0] for r in conn.execute(text("SELECT id FROM hardware"))}
        self.organizations = {r[0] for r in conn.execute(text("SELECT id FROM organization"))}
        self._by_repo: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        self._origin: dict[str, str] = {}
        self._org_by_owner: dict[str, str] = {}  # Hugging Face account -> organisation, from the catalog
        for mid, name, repo, origin, org in conn.execute(
                text("SELECT id, name, hf_repo_id, origin, organization_id FROM model ORDER BY id")):
            self._remember(mid, name, repo, origin)
            if repo and org and "/" in repo:
                self._org_by_owner.setdefault(repo.split("/")[0].lower(), org)
        for alias, mid in conn.execute(text("SELECT alias, entity_id FROM alias WHERE entity_type = 'model'")):
            self._by_name.setdefault(normalise_name(alias), mid)

    def _remember(self, mid: str, name: str | None, repo: str | None, origin: str) -> None:
        self._origin[mid] = origin
        if repo:
            self._by_repo.setdefault(repo.lower(), mid)
        for label in (mid, name):
            if label:
                self._by_name.setdefault(normalise_name(label), mid)

    # -- lookups ----------------------------------------------------------------------------------

    def stored_keys(self, origin: str) -> set[str]:
        """URLs of the sources this origin stored, and the origin_refs of its claims."""
        keys = {r[0] for r in self.conn.execute(text("SELECT url FROM source WHERE origin = :o"), {"o": origin})}
        keys.update(r[0] for r in self.conn.execute(
            text("SELECT DISTINCT origin_ref FROM claim WHERE origin = :o AND origin_ref IS NOT NULL"), {"o": origin}))
        return keys

    def snapshot_imported(self, origin: str, sha256: str) -> bool:
        return self.conn.execute(text("SELECT 1 FROM claim WHERE origin = :o AND snapshot_id = :s LIMIT 1"),
                                 {"o": origin, "s": sha256}).first() is not None

    def match_model(self, *, hf_repo_id: str | None = None, name: str | None = None) -> str | None:
        """The catalog model a scraped thing is about: by Hugging Face repo, else by name or alias."""
        if hf_repo_id and hf_repo_id.lower() in self._by_repo:
            return self._by_repo[hf_repo_id.lower()]
        if name:
            found = self._by_name.get(normalise_name(name))
            # 'GPT-3 175B (davinci)', 'Gopher (280B)': the name without its parenthesis, if no
            # model has the full name.
            bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
            if found is None and bare and bare != name:
                found = self._by_name.get(normalise_name(bare))
            return found
        return None

    def new_model_id(self, wanted: str) -> str:
        base = slug(wanted) or "model"
        candidate, number = base, 2
        while candidate in self._origin:
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    # -- writing ----------------------------------------------------------------------------------

    def store(self, item: Item) -> Stored:
        """Write one item in its own transaction; ItemInvalid (nothing written) when any claim fails."""
        if item.problems:
            raise ItemInvalid(item.label, item.problems)
        if self.conn.in_transaction():  # lookups autobegin one; the item needs its own
            self.conn.commit()
        created, model_id = False, None
        try:
            with self.conn.begin():
                model_id, created = self._model_for(item)
                return self._store(item, model_id, created)
        except BaseException:
            if created:  # the model row was rolled back: forget it here too
                self._forget(model_id)
            raise

    def _store(self, item: Item, model_id: str | None, created: bool) -> Stored:
        rows, problems = [], list(self._source_problems(item))
        # An import of another database keeps unusual magnitudes as warnings on the model, the rule of
        # the generated layer (TD-Gammon's 25,000 parameters are true): one rule for both routes.
        magnitudes: list[str] | None = list((item.model or {}).get("warnings") or []) \
            if item.origin.startswith("import:") else None
        for draft in item.claims:
            try:
                row = check_draft(draft, self.hardware.__contains__, magnitudes)
            except ValueProblem as exc:
                where = f" ({draft.locator})" if draft.locator else ""
                problems.append(f"{draft.field}{where}: {exc}")
                continue
            rows.append(row)
        problems += _long_text_problems(item, rows)
        if problems:
            raise ItemInvalid(item.label, problems)
        for source in item.sources:
            self._upsert_source(source, item.origin, item.warnings)
        if created:
            self._insert_model(model_id, item)
        stored = self._write_claims(item, model_id, rows)
        stored.model_created = created
        if magnitudes and model_id is not None:
            self._add_warnings(model_id, magnitudes)
        return stored

    def _add_warnings(self, model_id: str, warnings: list[str]) -> None:
        from catalog.generated import warning_columns

        old = self.conn.execute(text("SELECT warnings FROM model WHERE id = :id"), {"id": model_id}).scalar()
        columns = warning_columns((old.split("; ") if old else []) + warnings)
        self.conn.execute(text("UPDATE model SET warnings = :warnings, warning_fields = :warning_fields "
                               "WHERE id = :id"), {**columns, "id": model_id})

    def _forget(self, model_id: str) -> None:
        self._origin.pop(model_id, None)
        for index in (self._by_name, self._by_repo):
            for key in [k for k, v in index.items() if v == model_id]:
                del index[key]

    def _source_problems(self, item: Item):
        known = {s["id"] for s in item.sources}
        for source in item.sources:
            if not source.get("url"):
                yield f"source {source.get('id')}: has no url"
            elif not str(source["url"]).lower().startswith(("http://", "https://")):
                # A javascript: or data: URL would become a link on the model page.
                yield f"source {source.get('id')}: url {str(source['url'])[:80]!r} is not http(s)"
            if source.get("date") is not None and not _calendar_date(source["date"]):
                yield f"source {source.get('id')}: date {str(source['date'])[:40]!r} is not a day in the calendar"
            if source.get("kind") not in schema.SOURCE_KINDS:
                yield f"source {source.get('id')}: kind {source.get('kind')!r} is not one of {schema.SOURCE_KINDS}"
        for draft in item.claims:
            if draft.source_id not in known and not self._source_exists(draft.source_id):
                yield f"{draft.field}: unknown source {draft.source_id!r}"

    def _source_exists(self, source_id: str) -> bool:
        return self.conn.execute(text("SELECT 1 FROM source WHERE id = :i"), {"i": source_id}).first() is not None

    def _model_for(self, item: Item) -> tuple[str | None, bool]:
        if item.model_id is not None:
            if item.model_id not in self._origin:
                raise ItemInvalid(item.label, [f"unknown model id {item.model_id!r} (build the catalog, "
                                               "or check the id)"])
            return item.model_id, False
        if item.model is None:
            return None, False
        facts = item.model
        # The model this item's claims went to last time, then the id the glue asked for (both
        # only among models this origin created), then a match in the catalog: a Hugging Face
        # repo by its repo id only (a re-upload named like a catalog model is not that model),
        # an imported row (Epoch) by name, alias or id.
        found = self._earlier_model(item)
        if found is None and self._origin.get(facts.get("id") or "") == item.origin:
            found = facts["id"]
        if found is None and facts.get("match", True):
            by_name = None if facts.get("hf_repo_id") else facts.get("name")
            found = self.match_model(hf_repo_id=facts.get("hf_repo_id"), name=by_name)
        if found is not None:
            if self._origin.get(found) == item.origin:
                self._update_model(found, item)  # our own earlier import: the source may have changed
            return found, False
        wanted = [w for w in (facts.get("id"), facts.get("name"), *facts.get("fallback_ids", ()), item.label) if w]
        model_id = next((slug(w) for w in wanted if slug(w) and slug(w) not in self._origin), None) \
            or self.new_model_id(wanted[0])
        self._origin[model_id] = item.origin  # reserved; released again if the item fails
        return model_id, True

    def _earlier_model(self, item: Item) -> str | None:
        if not item.refs:
            return None
        params = {f"r{n}": ref for n, ref in enumerate(sorted(item.refs))}
        row = self.conn.execute(text(
            f"SELECT entity_id FROM claim WHERE origin = :origin AND entity_type = 'model' "
            f"AND origin_ref IN ({', '.join(':' + k for k in params)}) ORDER BY id LIMIT 1"),
            {"origin": item.origin, **params}).first()
        return row[0] if row is not None and row[0] in self._origin else None

    def _model_row(self, model_id: str, item: Item) -> dict:
        facts = dict(item.model or {})
        row = {key: facts.get(key) for key in MODEL_FACTS}
        row["name"] = row["name"] or model_id
        repo = row["hf_repo_id"]
        if row["organization_id"] is None and repo and "/" in repo:
            row["organization_id"] = self._org_by_owner.get(repo.split("/")[0].lower())
        if row["organization_id"] not in self.organizations:
            row["organization_id"] = None
        if row["primary_source_id"] and not self._source_exists(row["primary_source_id"]):
            row["primary_source_id"] = None
        if row["domain"] not in schema.DOMAINS:
            row["domain"] = None
        if row["accessibility"] not in schema.ACCESSIBILITY:
            row["accessibility"] = None
        date = row["release_date"]
        row["release_year"] = int(date[:4]) if isinstance(date, str) and re.match(r"^\d{4}", date) else None
        base = facts.get("base_model_id")
        if base is None and facts.get("base_model_hf_repo"):
            base = self.match_model(hf_repo_id=facts["base_model_hf_repo"])
        if base is None and facts.get("base_model_name"):
            base = self.match_model(name=facts["base_model_name"])
        row["base_model_id"] = base if base in self._origin and base != model_id else None
        return row

    def _insert_model(self, model_id: str, item: Item) -> None:
        row = {"id": model_id, **self._model_row(model_id, item), "origin": item.origin}
        self.conn.execute(text(f"INSERT INTO model ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)
        self._remember(model_id, row["name"], row["hf_repo_id"], item.origin)

    def _update_model(self, model_id: str, item: Item) -> None:
        row = self._model_row(model_id, item)
        sets = ", ".join(f"{k} = :{k}" for k in row)
        self.conn.execute(text(f"UPDATE model SET {sets} WHERE id = :id AND origin = :origin"),
                          {**row, "id": model_id, "origin": item.origin})

    def _upsert_source(self, source: dict, origin: str, warnings: list[str]) -> None:
        row = {key: source.get(key) for key in SOURCE_COLUMNS}
        row["retrieved_at"] = row["retrieved_at"] or utc_now()
        existing = self.conn.execute(text("SELECT origin FROM source WHERE id = :id"), {"id": row["id"]}).first()
        same = None
        if existing is None and (row["arxiv_id"] or row["doi"]):
            same = self.conn.execute(text(
                "SELECT id FROM source WHERE arxiv_id = :a OR LOWER(doi) = LOWER(:d) "
                "ORDER BY CASE origin WHEN 'curated' THEN 0 ELSE 1 END, id"),
                {"a": row["arxiv_id"] or "", "d": row["doi"] or ""}).first()
        if same is not None:
            # The paper is in the catalog under another key (often a curated citation key): one row
            # per paper, so only the citation count (Semantic Scholar) is added to that row.
            warnings.append(f"same paper as source {same[0]!r}: no new source row")
            if row["citation_count"] is not None:
                self.conn.execute(text("UPDATE source SET citation_count = :c WHERE id = :id"),
                                  {"c": row["citation_count"], "id": same[0]})
        elif existing is None:
            row["origin"] = origin
            self.conn.execute(text(f"INSERT INTO source ({', '.join(row)}) VALUES "
                                   f"({', '.join(':' + k for k in row)})"), row)
        elif existing[0] != "curated":
            # A scraped source is refreshed by any scraper (S2 adds citation counts to an arXiv row),
            # but a value already known is not blanked by a source that lacks it.
            sets = ", ".join(f"{k} = COALESCE(:{k}, {k})" for k in row if k not in ("id", "url"))
            self.conn.execute(text(f"UPDATE source SET {sets} WHERE id = :id"), row)
        # curated sources belong to datasets/: never changed by a scraper

    def _write_claims(self, item: Item, model_id: str | None, rows: list[dict]) -> Stored:
        stored = Stored(model_id)
        old: dict[tuple, list[int]] = {}
        refs = sorted(item.refs | {r["origin_ref"] for r in rows if r["origin_ref"]})
        if refs:
            params = {f"r{n}": ref for n, ref in enumerate(refs)}
            marks = ", ".join(f":{k}" for k in params)
            for cid, fld, num, txt, loc in self.conn.execute(text(
                    f"SELECT id, field, value_num, value_text, locator FROM claim "
                    f"WHERE origin = :origin AND origin_ref IN ({marks}) ORDER BY id"),
                    {"origin": item.origin, **params}):
                old.setdefault((fld, num, txt, loc), []).append(cid)
        next_id = (self.conn.execute(text("SELECT MAX(id) FROM claim")).scalar() or 0) + 1
        for row in rows:
            entity_type = "model"
            entity_id = model_id
            if entity_id is None:
                raise ItemInvalid(item.label, [f"{row['field']}: no model to attach the claim to"])
            row.update(entity_type=entity_type, entity_id=entity_id, model_id=entity_id, hardware_id=None,
                       origin=item.origin)
            same = old.get((row["field"], row["value_num"], row["value_text"], row["locator"]))
            if same:
                claim_id = same.pop(0)
                self.conn.execute(text(
                    "UPDATE claim SET quote = :quote, note = :note, method = :method, confidence = :confidence, "
                    "evidence = :evidence, lower = :lower, upper = :upper, snapshot_id = :snapshot_id, "
                    "source_id = :source_id, entity_id = :entity_id, model_id = :model_id WHERE id = :id"),
                    {**row, "id": claim_id})
                stored.unchanged.append(claim_id)
            else:
                row["id"] = next_id
                next_id += 1
                self.conn.execute(text(f"INSERT INTO claim ({', '.join(row)}) VALUES "
                                       f"({', '.join(':' + k for k in row)})"), row)
                stored.new.append(row["id"])
        gone = [cid for ids in old.values() for cid in ids]
        if gone:
            params = {f"c{n}": cid for n, cid in enumerate(gone)}
            marks = ", ".join(f":{k}" for k in params)
            self.conn.execute(text(f"DELETE FROM conflict WHERE claim_a_id IN ({marks}) OR claim_b_id IN ({marks})"),
                              params)
            self.conn.execute(text(f"DELETE FROM claim WHERE id IN ({marks})"), params)
            stored.removed = len(gone)
        return stored


def resolve_again(conn: Connection) -> int:
    """Recompute derived claims, resolved columns and conflicts after new claims; returns conflicts.

    Derived claims are recomputed from the new winners, so they and every conflict (which may
    name them) are deleted first. Resolved columns are cleared so a field whose last claim was
    removed does not keep a stale value.
    """
    conn.execute(text("DELETE FROM conflict"))
    conn.execute(text("DELETE FROM claim WHERE origin = :o"), {"o": DERIVED_ORIGIN})
    model_columns = [s.target_column for s in MODEL_FIELDS.values()] + ["training_compute_method"]
    conn.execute(text(f"UPDATE model SET {', '.join(c + ' = NULL' for c in model_columns)}"))
    conn.execute(text(f"UPDATE hardware SET {', '.join(s.target_column + ' = NULL' for s in HARDWARE_FIELDS.values())}"))
    next_id = (conn.execute(text("SELECT MAX(id) FROM claim")).scalar() or 0) + 1
    return resolve(conn, next_id)["conflicts"]


def conflicting(conn: Connection, claim_ids: set[int]) -> set[int]:
    """Which of `claim_ids` disagree with another claim (after resolve_again)."""
    found: set[int] = set()
    for a, b in conn.execute(text("SELECT claim_a_id, claim_b_id FROM conflict")):
        found.update(x for x in (a, b) if x in claim_ids)
    return found
