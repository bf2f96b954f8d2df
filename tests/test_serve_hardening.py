"""Issue 10, the public server: cheap plain errors, SQLite limits on served connections, no
`javascript:` links, a Content-Security-Policy, BibTeX URLs that biblatex can follow."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from datasette.app import Datasette

from publish import bibtex
from publish import serving
from publish.plugin import CONTENT_SECURITY_POLICY, ERROR_DELAY_S


@pytest.fixture
def datasette(built_db: Path) -> Datasette:
    return Datasette(immutables=[str(built_db)], metadata=serving.metadata(built_db.stem),
                     settings=serving.SETTINGS)


@pytest.mark.parametrize("method, path, params", [
    ("get", "/{db}.json", {"sql": "delete from model"}),
    ("get", "/{db}/model.json", {"_sort": "nope"}),
    ("get", "/{db}/model", {"_sort": "nope"}),
    ("post", "/{db}/model", None),
    ("get", "/{db}.json", {"sql": "select * from no_such_table"}),
])
async def test_failing_requests_print_no_rich_traceback_with_locals(datasette, built_db, capsys, method, path,
                                                                     params):
    """Each failing request printed a rich traceback with locals: 300 ms of CPU, 50 KiB of log."""
    url = path.format(db=built_db.stem)
    response = await (datasette.client.get(url, params=params) if method == "get" else datasette.client.post(url))
    assert response.status_code >= 400  # Datasette answers an unknown sort column with a 500
    out = capsys.readouterr()
    printed = out.out + out.err
    assert "Traceback" not in printed and "locals" not in printed and "╭" not in printed
    assert len(printed) < 2000


@pytest.mark.parametrize("sql, error", [
    ("select printf('%.*c', 999999999, 'x')", "user-defined function raised exception"),
    ("select format('%.*c', 999999999, 'x')", "user-defined function raised exception"),
    ("select printf('%.999999999c', 'x')", "user-defined function raised exception"),
    ("select randomblob(300000000)", "string or blob too big"),
    ("select zeroblob(300000000)", "string or blob too big"),
    ("select length(replace(hex(zeroblob(40000)), '0', hex(zeroblob(40000))))", "string or blob too big"),
])
async def test_expensive_builtin_calls_fail_at_once_on_served_connections(datasette, built_db, sql, error):
    """One call to a built-in ran 6 to 21 s and allocated GBs: the time limit cannot stop it."""
    response = await datasette.client.get(f"/{built_db.stem}.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 400
    assert error in response.text


async def test_printf_still_works_for_ordinary_use(datasette, built_db):
    sql = "select printf('%5.1f|%-4s|%d|%%', 3.14159, 'ab', 7) as a, format('%.*c', 3, 'x') as b"
    response = await datasette.client.get(f"/{built_db.stem}.json", params={"sql": sql, "_shape": "array"})
    assert response.json() == [{"a": "  3.1|ab  |7|%", "b": "xxx"}]


async def test_a_javascript_source_url_is_never_a_link(datasette, built_db):
    conn = sqlite3.connect(built_db)
    conn.execute("update source set url = 'javascript:alert(document.cookie)' where id = 'toy2024paper'")
    conn.commit()
    conn.close()
    response = await datasette.client.get(f"/{built_db.stem}/model/toy-moe")
    assert response.status_code == 200
    assert "A Toy Mixture-of-Experts Model" in response.text
    assert 'href="javascript:' not in response.text.lower()
    assert 'href="https://example.org/toy/MODEL_CARD.md"' in response.text  # http(s) links stay


def test_a_scraped_source_with_a_javascript_url_is_refused():
    from scrapers.store import Catalog

    class Item:
        sources = [{"id": "evil", "kind": "website", "url": "javascript:alert(1)"},
                   {"id": "fine", "kind": "website", "url": "https://example.org/a_b"}]
        claims = []

    problems = list(Catalog._source_problems(object.__new__(Catalog), Item()))
    assert problems == ["source evil: url 'javascript:alert(1)' is not http(s)"]
    Item.sources = [{"id": "feb", "kind": "paper", "url": "https://example.org/p", "date": "2023-02-30"}]
    problems = list(Catalog._source_problems(object.__new__(Catalog), Item()))
    assert problems == ["source feb: date '2023-02-30' is not a day in the calendar"]


@pytest.mark.parametrize("path", ["/", "/{db}/model", "/{db}/model/toy-moe", "/cite", "/{db}.json?sql=select+1",
                                  "/{db}/model?_sort=nope"])
async def test_every_response_carries_a_content_security_policy(datasette, built_db, path):
    response = await datasette.client.get(path.format(db=built_db.stem))
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "object-src 'none'" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


def test_bibtex_urls_and_dois_are_verbatim():
    """`_` in URLs came out as `\\_` (20 of 173 URLs): broken links for the people who cite us."""
    entry = bibtex.source_entry({"id": "x", "kind": "website", "title": "Under_score & co",
                                 "url": "https://huggingface.co/meta-llama/Llama_3 {x}", "doi": "10.1000/a_b"})
    assert "url = {https://huggingface.co/meta-llama/Llama_3%20%7Bx%7D}" in entry
    assert "doi = {10.1000/a_b}" in entry
    assert r"title = {Under\_score \& co}" in entry  # text fields are still escaped


async def test_error_answers_wait_so_back_to_back_failing_clients_slow_down(datasette, built_db):
    """2 clients sending failing requests back to back took the server's time from 20 normal ones;
    an error now waits ERROR_DELAY_S (without CPU) before it is sent, a success does not."""
    start = time.perf_counter()
    response = await datasette.client.get(f"/{built_db.stem}.json", params={"sql": "delete from model"})
    assert response.status_code == 400 and time.perf_counter() - start >= ERROR_DELAY_S
    start = time.perf_counter()
    response = await datasette.client.post(f"/{built_db.stem}/model")
    assert response.status_code == 405 and time.perf_counter() - start >= ERROR_DELAY_S
    assert ERROR_DELAY_S <= 0.5  # a person who mistyped a query barely notices
