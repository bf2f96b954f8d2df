"""Semantic Scholar Graph API: citation counts, DOI, venue and external ids of one paper.

The paper's `source` row is keyed like arXiv's (arxiv-<id>) when it has an arXiv id, so both
scrapers fill one row; a paper already in the catalog under another key (a curated citation key
with the same arXiv id or DOI) only gets its citation count. Counts change, so a re-run fetches
again (the HTTP cache answers for a day): there is nothing to skip.
"""

from __future__ import annotations

from urllib.parse import quote

from scrapers.http import Fetched, PoliteClient
from scrapers.parsers.s2 import parse_s2_paper
from scrapers.pipeline import Task
from scrapers.store import Item, slug

ORIGIN = "scraper:s2"
API = "https://api.semanticscholar.org/graph/v1/paper"
FIELDS = ("title,authors,year,venue,publicationDate,externalIds,citationCount,influentialCitationCount,"
          "referenceCount,journal,url")


def task(paper_id: str) -> Task:
    url = f"{API}/{quote(paper_id.strip(), safe=':/.')}?fields={FIELDS}"

    def fetch(client: PoliteClient) -> list[Fetched]:
        return [client.get(url)]

    def parse(fetched: list[Fetched]) -> list[Item]:
        paper = parse_s2_paper(fetched[0].content, url)
        arxiv_id, doi = paper.get("arxiv_id"), paper.get("doi")
        if arxiv_id:
            key, page = f"arxiv-{arxiv_id.replace('/', '-').lower()}", f"https://arxiv.org/abs/{arxiv_id}"
        elif doi:
            key, page = f"doi-{slug(doi)}", f"https://doi.org/{doi}"
        else:
            key, page = f"s2-{paper['paper_id']}", paper.get("url") or url
        date = paper.get("publication_date")
        item = Item(key=page, origin=ORIGIN, label=paper_id)
        item.sources.append({
            "id": key, "kind": "preprint" if arxiv_id and not paper.get("journal") else "paper",
            "title": paper.get("title") or paper_id, "authors": ", ".join(paper.get("authors", [])) or None,
            "date": date, "year": paper.get("year"), "venue": paper.get("journal") or paper.get("venue") or None,
            "url": page, "arxiv_id": arxiv_id, "doi": doi, "citation_count": paper.get("citation_count")})
        return [item]

    return Task(key=None, label=paper_id, fetch=fetch, parse=parse)
