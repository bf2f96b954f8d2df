"""arXiv API (Atom): one paper per request -> a `source` row (origin scraper:arxiv).

arXiv asks for one request every 3 s on one connection (scrapers/http.py HOST_LIMITS). An id
arXiv cannot read comes back as HTTP 400 with an error entry; its words become the failure.
A paper already in the catalog under a curated citation key gets no second row.
"""

from __future__ import annotations

import re

from scrapers.errors import ParseError
from scrapers.http import FetchError, Fetched, PoliteClient
from scrapers.parsers.arxiv import parse_arxiv_atom
from scrapers.pipeline import Task
from scrapers.store import Item

ORIGIN = "scraper:arxiv"
API = "https://export.arxiv.org/api/query"


def canonical(arxiv_id: str) -> str:
    """'arXiv:2412.19437v2' and 'https://arxiv.org/abs/2412.19437' -> '2412.19437'."""
    value = re.sub(r"^(?:arxiv:|https?://arxiv\.org/(?:abs|pdf)/)", "", arxiv_id.strip(), flags=re.I)
    return re.sub(r"(?:v\d+)?(?:\.pdf)?$", "", value)


def task(arxiv_id: str) -> Task:
    paper = canonical(arxiv_id)
    url = f"{API}?id_list={paper}"
    page = f"https://arxiv.org/abs/{paper}"

    def fetch(client: PoliteClient) -> list[Fetched]:
        try:
            return [client.get(url)]
        except FetchError as exc:
            if exc.status == 400 and exc.body:
                try:
                    parse_arxiv_atom(exc.body, url)
                except ParseError as error:
                    raise FetchError(url, f"HTTP 400: {error.message}", status=400) from None
            raise

    def parse(fetched: list[Fetched]) -> list[Item]:
        entries = parse_arxiv_atom(fetched[0].content, url)
        item = Item(key=page, origin=ORIGIN, label=paper)
        if not entries:
            item.problems.append(f"arXiv has no paper with id {paper}")
            return [item]
        entry = entries[0]
        date = entry.get("date")
        item.sources.append({
            "id": f"arxiv-{paper.replace('/', '-').lower()}", "kind": "preprint", "title": entry.get("title") or paper,
            "authors": ", ".join(entry.get("authors", [])) or None, "date": date,
            "year": int(date[:4]) if date else None, "venue": entry.get("journal_ref") or "arXiv",
            "url": page, "arxiv_id": entry.get("arxiv_id") or paper, "doi": entry.get("doi")})
        return [item]

    return Task(key=page, label=paper, fetch=fetch, parse=parse)
