"""arXiv Atom, old and 2026 layouts; the HTTP 400 error entry; zero results."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers_support import fixture, reference_files
from scrapers.errors import ParseError
from scrapers.parsers.arxiv import parse_arxiv_atom


def test_old_layout_two_entries():
    first, second = parse_arxiv_atom(fixture("arxiv", "old_layout_two_entries_doi_old_style_id.atom.xml"))
    assert (first["arxiv_id"], first["version"]) == ("1706.03762", 7)
    assert first["title"] == "Attention Is All You Need"  # hard wrap collapsed
    assert first["authors"] == ["Ashish Vaswani", "Noam Shazeer"]
    assert (first["published"], first["date"]) == ("2017-06-12T17:57:34Z", "2017-06-12")
    assert first["categories"] == ["cs.CL", "cs.LG"] and first["primary_category"] == "cs.CL"
    assert "doi" not in first and first["url"] == "https://arxiv.org/abs/1706.03762"
    assert (second["arxiv_id"], second["version"]) == ("hep-th/9711200", 3)  # old-style id
    assert second["doi"] == "10.1023/A:1026654312961"
    assert second["journal_ref"] == "Adv.Theor.Math.Phys.2:231-252,1998"


def test_2026_layout():
    (paper,) = parse_arxiv_atom(fixture("arxiv", "new_2026_layout.atom.xml"), "new.xml")
    assert (paper["arxiv_id"], paper["version"], paper["date"]) == ("2412.19437", 2, "2024-12-27")
    assert paper["title"] == "DeepSeek-V3 Technical Report" and paper["authors"] == ["DeepSeek-AI"]
    assert paper["primary_category"] == "cs.CL" and paper["pdf_url"] == "https://arxiv.org/pdf/2412.19437v2"


def test_error_entry_is_a_clear_parse_error():
    with pytest.raises(ParseError) as caught:
        parse_arxiv_atom(fixture("arxiv", "error_entry_http400.fixture.json"), "query.json")
    assert str(caught.value) == "query.json: id_list: arXiv API error (HTTP 400): incorrect id format for llama3"


def test_zero_results_is_an_empty_list():
    assert parse_arxiv_atom(fixture("arxiv", "zero_results_old_layout.atom.xml")) == []


@pytest.mark.parametrize("data", [b"", b"<html><body>503</body></html>", b"{\"body\": 3}", b"<feed", b"\x00"])
def test_not_a_feed(data):
    with pytest.raises(ParseError):
        parse_arxiv_atom(data, "x")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_only_parse_error_escapes(data):
    try:
        parse_arxiv_atom(data, "fuzz")
    except ParseError:
        pass


@pytest.mark.parametrize("path", reference_files("arxiv_api", "*"))
def test_reference_feeds(path):
    if "_abc_" in path.name:  # arxiv.py's recorded malformed-id query
        with pytest.raises(ParseError, match="incorrect id format for abc"):
            parse_arxiv_atom(path.read_bytes(), path.name)
        return
    records = parse_arxiv_atom(path.read_bytes(), path.name)
    assert ("0000.0000" in path.name or "zero" in path.name) == (records == [])
    for record in records:
        assert record["title"] and record["authors"] and "v" not in record["arxiv_id"].split("/")[-1]
