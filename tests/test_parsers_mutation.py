"""Issue 10: type mutation of every fixture document. Each JSON leaf and container is replaced,
one at a time, by a value of another type; each parser must either read the result or raise
ParseError, never another exception (a traceback in `cegdb parse` and a "parser bug" failure in
a scrape)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from scrapers.errors import ParseError
from scrapers.parsers.hf_api import parse_hf_api
from scrapers.parsers.hf_config import parse_hf_config
from scrapers.parsers.s2 import parse_s2_paper

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parsers"
PARSERS = {"hf_api": parse_hf_api, "hf_config": parse_hf_config, "s2": parse_s2_paper}
REPLACEMENTS = [None, True, 0, -1, 7, 1.5, float("nan"), 10 ** 400, "", "x", "10.1/A_B", [], ["a", 1],
                {}, {"a": {"b": [1]}}]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            yield from _paths(child, prefix + (index,))


def _replace(document, path, new):
    if not path:
        return new
    document = copy.deepcopy(document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return document


def _documents():
    for kind in PARSERS:
        for path in sorted((FIXTURES / kind).glob("*.json")):
            yield pytest.param(kind, path, id=f"{kind}/{path.stem}")


@pytest.mark.parametrize("kind, fixture", list(_documents()))
def test_only_parse_error_escapes_under_type_mutation(kind, fixture):
    parse = PARSERS[kind]
    document = json.loads(fixture.read_text())
    escaped = []
    for path in _paths(document):
        for new in REPLACEMENTS:
            mutated = _replace(document, path, new)
            text = json.dumps(mutated)  # what the parser gets from the network: bytes
            try:
                parse(text.encode(), str(fixture))
            except ParseError:
                pass
            except Exception as exc:  # noqa: BLE001 - what the test is looking for
                escaped.append(f"{'.'.join(map(str, path)) or '<root>'} = {new!r:.30}: "
                               f"{type(exc).__name__}: {exc}"[:200])
    assert escaped == []


def test_numeric_doi_is_a_parse_error():
    document = json.loads((FIXTURES / "s2" / "paper_full_uppercase_doi.json").read_text())
    document["externalIds"]["DOI"] = 1234
    with pytest.raises(ParseError, match="externalIds.DOI"):
        parse_s2_paper(json.dumps(document), "paper.json")
