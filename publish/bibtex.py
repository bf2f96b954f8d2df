"""BibTeX for source rows and for the dataset itself (used by `.bib` output, /cite and exports)."""

from __future__ import annotations

import re
from typing import Iterable, Mapping

ENTRY_TYPES = {"paper": "article", "preprint": "misc", "tech_report": "techreport", "model_card": "misc",
               "blog": "misc", "repo": "misc", "dataset": "misc", "website": "misc"}
# Characters BibTeX treats specially; escaped so titles like "Attention Is All You Need" and
# "GPT-4o & friends" survive LaTeX.
_SPECIAL = re.compile(r"([&%$#_{}])")


def _escape(value: str) -> str:
    return _SPECIAL.sub(r"\\\1", value.replace("\\", "\\textbackslash{}"))


# biblatex reads url, doi and eprint verbatim: `\_` there is a literal backslash and breaks
# the link (issue 10: 20 of 173 URLs). Only what would unbalance the braces, a backslash and
# white space are percent-encoded, as in any URL.
VERBATIM_FIELDS = {"url", "doi", "eprint"}
_URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20", "\n": "%0A", "\r": "%0D", "\t": "%09"}


def _verbatim(value: str) -> str:
    return "".join(_URL_UNSAFE.get(ch, ch) for ch in value)


def _key(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9:_-]", "", value) or "source"


# A one-name author that is an organisation, not a person: braced so BibTeX keeps it whole
# ({Mistral AI}, not "AI, Mistral").
_ORGANISATION_WORDS = {"ai", "team", "institute", "research", "cloud", "face", "lab", "labs", "inc", "inc.", "ltd",
                       "corporation", "university", "foundation", "project", "contributors", "group", "deepmind",
                       "google", "microsoft", "nvidia", "openai", "anthropic", "meta", "amd", "intel", "(tii)"}


def format_authors(authors: str) -> str:
    """Authors as written ("A. Smith, B. Jones" or "A. Smith; B. Jones") -> BibTeX's "A. Smith and B. Jones".

    BibTeX separates names with ` and ` only; with commas it reads one mangled name. "et al." becomes
    "and others"; an organisation's name is braced. The result is already escaped.
    """
    text = authors.strip()
    others = False
    for tail in (" et al.", " et al", ", et al.", " and others"):
        if text.endswith(tail):
            text, others = text[: -len(tail)].rstrip(" ,"), True
    if ";" in text:
        names = text.split(";")
    elif " and " in text:
        names = [part for chunk in text.split(" and ") for part in chunk.split(",")]
    else:
        names = text.split(",")
    names = [n.strip() for n in names if n.strip()]
    out = []
    for name in names:
        words = name.split()
        organisation = len(names) == 1 and (len(words) == 1 or any(w.lower() in _ORGANISATION_WORDS for w in words))
        out.append("{" + _escape(name) + "}" if organisation else _escape(name))
    if others:
        out.append("others")
    return " and ".join(out)


def source_entry(row: Mapping) -> str:
    """One entry from a mapping with source-table columns (id, kind, title, authors, year, ...)."""
    kind = row.get("kind") or "misc"
    fields = [("title", row.get("title")), ("author", row.get("authors")),
              ("year", row.get("year") or (str(row.get("date"))[:4] if row.get("date") else None))]
    venue = row.get("venue")
    if kind == "paper" and venue:
        fields.append(("journal", venue))
    elif kind == "tech_report":
        fields.append(("institution", venue or row.get("authors")))
    elif venue:
        fields.append(("howpublished", venue))
    if row.get("arxiv_id"):
        fields += [("eprint", row["arxiv_id"]), ("archivePrefix", "arXiv")]
    fields += [("doi", row.get("doi")), ("url", row.get("url"))]
    if row.get("retrieved_at"):
        fields.append(("urldate", str(row["retrieved_at"])[:10]))
    def encode(name, value):
        if name == "author":
            return format_authors(str(value))
        return (_verbatim if name in VERBATIM_FIELDS else _escape)(str(value))

    body = ",\n".join(f"  {name} = {{{encode(name, value)}}}" for name, value in fields if value)
    return f"@{ENTRY_TYPES.get(kind, 'misc')}{{{_key(str(row.get('id', 'source')))},\n{body}\n}}\n"


def source_entries(rows: Iterable[Mapping]) -> str:
    return "\n".join(source_entry(row) for row in rows)


def dataset_entry(data_version: str, year: int, url: str = "https://github.com/cegdb/cegdb") -> str:
    return (f"@misc{{cegdb_{_key(data_version).replace(':', '_')},\n"
            f"  title = {{cegdb: a sourced catalog of AI models, accelerators and algorithmic innovations}},\n"
            f"  author = {{{{cegdb contributors}}}},\n"
            f"  year = {{{year}}},\n"
            f"  version = {{{_escape(data_version)}}},\n"
            f"  note = {{Data licensed CC BY 4.0}},\n"
            f"  url = {{{url}}}\n}}\n")
