"""arXiv API Atom feed -> one source record per entry.

Two layouts are read. The older one (to 2025) puts `opensearch:` namespaces on each element,
lists authors before the DOI and links, and indents titles and abstracts with hard wraps; the
2026 one declares namespaces once on `<feed>`, writes https links and puts `<published>` after
the categories. Neither order nor namespace placement matters to an XML parser, so both go
through the same code; the tests keep one fixture of each.

arXiv answers a malformed id with HTTP 400 and a feed whose single entry has an id under
`/api/errors` and the explanation as its summary; that becomes a ParseError with arXiv's
words. A query that matches nothing is a feed without entries: an empty list.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from scrapers.errors import ParseError
from scrapers.parsers import decode_text

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
# New-style ids (0704.0001 onwards, 5 digits after the dot since 2015) and old-style
# archive/YYMMNNN ids (hep-th/9307195, math.GT/0309136); the version suffix is not the paper.
_ID = re.compile(r"(?P<id>\d{4}\.\d{4,5}|[a-zA-Z\-]+(?:\.[A-Za-z\-]+)?/\d{7})(?:v(?P<version>\d+))?$")


def _unwrap(text: str, source: str | None) -> tuple[str, int | None]:
    """Accept a raw feed or a recorded response {"url", "status_code", "body"} (arxiv.py's fixtures)."""
    if not text.lstrip().startswith("{"):
        return text, None
    try:
        wrapper = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(source, None, f"neither an Atom feed nor a recorded response: {exc}") from exc
    if not isinstance(wrapper, dict) or not isinstance(wrapper.get("body"), str):
        raise ParseError(source, "body", "a recorded response needs the feed as text in 'body'")
    status = wrapper.get("status_code")
    return wrapper["body"], status if isinstance(status, int) and not isinstance(status, bool) else None


def _text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return re.sub(r"\s+", " ", child.text).strip() or None


def parse_arxiv_atom(data: bytes | str, source: str | None = None) -> list[dict]:
    text, status = _unwrap(decode_text(data, source), source)
    try:
        root = ET.fromstring(text.lstrip())
    except ET.ParseError as exc:
        raise ParseError(source, None, f"not an XML document: {exc}") from exc
    if root.tag != f"{ATOM}feed":
        raise ParseError(source, None, f"expected an Atom <feed>, got <{root.tag}>")
    records = []
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        entry_id = _text(entry, f"{ATOM}id") or ""
        if "/api/errors" in entry_id:
            reason = _text(entry, f"{ATOM}summary") or entry_id
            raise ParseError(source, "id_list" if "id_format" in entry_id else "query",
                             f"arXiv API error{f' (HTTP {status})' if status else ''}: {reason}")
        records.append(_entry(entry, entry_id, number, source))
    if status is not None and status >= 400:
        raise ParseError(source, None, f"arXiv answered HTTP {status} without an error entry")
    return records


def _entry(entry: ET.Element, entry_id: str, number: int, source: str | None) -> dict:
    match = _ID.search(entry_id)
    if not match:
        raise ParseError(source, f"entry[{number}].id", f"not an arXiv abstract URL: {entry_id!r:.120}")
    title = _text(entry, f"{ATOM}title")
    if title is None:
        raise ParseError(source, f"entry[{number}].title", "entry without a title")
    links = {}
    for link in entry.findall(f"{ATOM}link"):
        kind = link.get("title") or link.get("rel")
        if kind and link.get("href"):
            links.setdefault(kind, link.get("href"))
    primary = entry.find(f"{ARXIV}primary_category")
    published = _text(entry, f"{ATOM}published")
    record = {
        "arxiv_id": match.group("id"),
        "version": int(match.group("version")) if match.group("version") else None,
        "title": title,
        "authors": [name for author in entry.findall(f"{ATOM}author")
                    if (name := _text(author, f"{ATOM}name"))],
        "published": published,
        "updated": _text(entry, f"{ATOM}updated"),
        "date": published[:10] if published else None,
        "doi": _text(entry, f"{ARXIV}doi"),
        "journal_ref": _text(entry, f"{ARXIV}journal_ref"),
        "comment": _text(entry, f"{ARXIV}comment"),
        "primary_category": primary.get("term") if primary is not None else None,
        "categories": [c.get("term") for c in entry.findall(f"{ATOM}category") if c.get("term")],
        "abstract": _text(entry, f"{ATOM}summary"),
        "url": f"https://arxiv.org/abs/{match.group('id')}",
        "pdf_url": links.get("pdf"),
    }
    return {k: v for k, v in record.items() if v is not None}
