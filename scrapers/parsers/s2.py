"""Semantic Scholar Graph API paper JSON -> citation counts, DOI, venue, external ids.

Every field is optional: the API returns only the fields asked for (`?fields=title`) and writes
`null` for what it does not know (`PaperWithNullValues.json` has authors, citations and
references all null). An unknown paper is `{"error": "Paper with id 0 not found"}` with a 404.
DOIs are lower-cased: S2 writes `10.1093/MIND/LIX.236.433`, Crossref and arXiv the lower case,
and DOIs are case-insensitive by definition.
"""

from __future__ import annotations

from scrapers.errors import ParseError
from scrapers.parsers import load_json

# S2 externalIds key -> our key.
EXTERNAL_IDS = {"DOI": "doi", "ArXiv": "arxiv_id", "CorpusId": "corpus_id", "DBLP": "dblp", "MAG": "mag",
                "PubMed": "pubmed", "PubMedCentral": "pmc", "ACL": "acl"}
COUNTS = {"citationCount": "citation_count", "influentialCitationCount": "influential_citation_count",
          "referenceCount": "reference_count"}


def _typed(raw: dict, key: str, kind, source: str | None, label: str | None = None):
    value = raw.get(key)
    if value is None:
        return None
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ParseError(source, label or key, f"expected {getattr(kind, '__name__', kind)}, got {value!r:.80}")
    return value


def parse_s2_paper(data: bytes | str | dict, source: str | None = None) -> dict:
    raw = data if isinstance(data, dict) else load_json(data, source)
    if not isinstance(raw, dict):
        raise ParseError(source, None, f"expected a JSON object, got {type(raw).__name__}")
    if isinstance(raw.get("error"), str):
        raise ParseError(source, "paperId", f"Semantic Scholar answered with an error: {raw['error']}")
    if raw.get("paperId") is None and raw.get("title") is None:
        raise ParseError(source, "paperId", "neither paperId nor title: not a paper record")

    external = _typed(raw, "externalIds", dict, source) or {}
    ids = {}
    for key, name in EXTERNAL_IDS.items():
        value = external.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ParseError(source, f"externalIds.{key}", f"expected an id, got {value!r:.80}")
        if name == "doi" and not isinstance(value, str):  # a DOI is text: "10.<registrant>/<suffix>"
            raise ParseError(source, f"externalIds.{key}", f"expected a DOI string, got {value!r:.80}")
        ids[name] = value.lower() if name == "doi" else value
    for key in COUNTS:
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ParseError(source, key, f"expected a count, got {value!r:.80}")

    journal = _typed(raw, "journal", dict, source) or {}
    venue = _typed(raw, "publicationVenue", dict, source) or {}
    authors = _typed(raw, "authors", list, source) or []
    names = []
    for number, author in enumerate(authors):
        if not isinstance(author, dict):
            raise ParseError(source, f"authors[{number}]", "expected an object")
        name = _typed(author, "name", str, source, f"authors[{number}].name")
        if name:
            names.append(name)
    tldr = _typed(raw, "tldr", dict, source) or {}
    open_pdf = _typed(raw, "openAccessPdf", dict, source) or {}
    record = {
        "paper_id": _typed(raw, "paperId", str, source),
        "corpus_id": _typed(raw, "corpusId", int, source) or ids.get("corpus_id"),
        "title": _typed(raw, "title", str, source),
        "year": _typed(raw, "year", int, source),
        "publication_date": _typed(raw, "publicationDate", str, source),
        "venue": _typed(raw, "venue", str, source) or venue.get("name"),
        "venue_type": venue.get("type"),
        "journal": journal.get("name"),
        "journal_volume": journal.get("volume"),
        "journal_pages": journal.get("pages"),
        **{name: raw[key] for key, name in COUNTS.items() if raw.get(key) is not None},
        **{name: value for name, value in ids.items() if name != "corpus_id"},
        "external_ids": external or None,
        "authors": names or None,
        "fields_of_study": _typed(raw, "fieldsOfStudy", list, source),
        "publication_types": _typed(raw, "publicationTypes", list, source),
        "is_open_access": _typed(raw, "isOpenAccess", bool, source),
        "open_access_pdf": open_pdf.get("url"),
        "tldr": tldr.get("text"),
        "url": _typed(raw, "url", str, source),
    }
    return {k: v for k, v in record.items() if v not in (None, "")}
