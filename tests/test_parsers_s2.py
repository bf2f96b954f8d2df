"""Semantic Scholar paper JSON: counts, DOI, venue, ids; nulls tolerated."""

from __future__ import annotations

import json

import pytest
import yaml

from parsers_support import fixture, reference_dir
from scrapers.errors import ParseError
from scrapers.parsers.s2 import parse_s2_paper


def test_full_paper():
    paper = parse_s2_paper(fixture("s2", "paper_full_uppercase_doi.json"), "p.json")
    assert paper["doi"] == "10.1093/mind/lix.236.433"  # DOIs are case-insensitive; stored lower case
    assert (paper["citation_count"], paper["influential_citation_count"], paper["reference_count"]) == (10059, 530, 14)
    assert paper["venue"] == "The Philosophy of Artificial Intelligence" and paper["journal"] == "Mind"
    assert paper["corpus_id"] == 14636783 and paper["dblp"] == "journals/x/Turing50"
    assert paper["authors"] == ["A. Turing"] and paper["year"] == 1950


def test_venue_from_publication_venue_and_arxiv_id():
    paper = parse_s2_paper(fixture("s2", "paper_arxiv_venue_object.json"))
    assert paper["venue"] == "Neural Information Processing Systems" and paper["venue_type"] == "conference"
    assert paper["arxiv_id"] == "1706.03762" and paper["corpus_id"] == 13756489


def test_nulls_are_absent():
    paper = parse_s2_paper(fixture("s2", "paper_with_nulls.json"))
    assert paper == {"paper_id": "2d5673caa9e6af3a7b82a43f19ee920992db07ad"}


def test_not_found_error():
    with pytest.raises(ParseError, match="Paper with id 0 not found"):
        parse_s2_paper(fixture("s2", "not_found_error.json"), "s2.json")


@pytest.mark.parametrize("change, field", [
    ({"citationCount": "many"}, "citationCount"), ({"citationCount": True}, "citationCount"),
    ({"authors": [3]}, "authors[0]"), ({"externalIds": {"DOI": [1]}}, "externalIds.DOI"), ({"year": "1950"}, "year"),
])
def test_wrong_types_name_the_field(change, field):
    raw = {**json.loads(fixture("s2", "paper_full_uppercase_doi.json")), **change}
    with pytest.raises(ParseError) as caught:
        parse_s2_paper(json.dumps(raw), "s2.json")
    assert caught.value.field == field


def test_reference_papers_and_recorded_responses():
    folder = reference_dir("semantic_scholar")
    assert parse_s2_paper((folder / "Paper.json").read_bytes())["citation_count"] > 0
    assert parse_s2_paper((folder / "PaperWithNullValues.json").read_bytes())["paper_id"]
    for cassette, ok in (("test_get_paper.yaml", True), ("test_not_found.yaml", False)):
        interaction = yaml.safe_load((folder / cassette).read_text())["interactions"][0]
        body = interaction["response"]["body"]["string"]
        if ok:
            assert parse_s2_paper(body)["title"] == "Computing Machinery and Intelligence"
        else:
            with pytest.raises(ParseError, match="not found"):
                parse_s2_paper(body, interaction["request"]["uri"])
