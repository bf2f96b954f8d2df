"""Issue 18, the public server: limits no parameter gets around (printf by value whatever its type,
URL length, Host header), request mistakes as 400s, formula-safe `.csv`, short logs."""

from __future__ import annotations

import logging
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from publish import serving
from publish.plugin import guards


@pytest.fixture
def datasette(built_db: Path) -> Datasette:
    return Datasette(immutables=[str(built_db)], metadata=serving.metadata(built_db.stem),
                     settings=serving.SETTINGS)


async def asgi_get(app, path: str, query: bytes = b"", host: bytes = b"127.0.0.1:8001"):
    """One GET straight to the ASGI app (httpx refuses query strings over 64 KiB client-side)."""
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query,
             "headers": [(b"host", host)], "http_version": "1.1", "scheme": "http",
             "server": ("127.0.0.1", 8001), "client": ("127.0.0.1", 5000), "root_path": "",
             "asgi": {"version": "3.0"}}
    sent = {"status": None, "body": b""}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(event):
        if event["type"] == "http.response.start":
            sent["status"] = event["status"]
        elif event["type"] == "http.response.body":
            sent["body"] += event.get("body", b"")

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize("sql", [
    "select printf('%.*c', '2147483647', 'x')",    # a text precision
    "select printf('%.*c', 999999999.0, 'x')",     # a float precision
    "select printf(x'252e2a63', 999999999, 'x')",  # a BLOB format ('%.*c')
    "select format('%*d', ' 2147483647', 1)",       # a text width with leading space
])
async def test_printf_is_bounded_by_value_whatever_the_argument_type(datasette, built_db, sql):
    """Each of these ran 9 to 22 s inside one SQLite call; three at once stalled every query."""
    response = await datasette.client.get(f"/{built_db.stem}.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 400 and "user-defined function raised exception" in response.text


def test_printf_refusal_reads_numbers_as_sqlite_does():
    assert guards.printf_refusal("%.*c", ("12abc", "x")) is None
    assert guards.printf_refusal("%.*c", ("1e9", "x")) is not None
    assert guards.printf_refusal("%.*c", (float("inf"), "x")) is not None
    assert guards.printf_refusal(b"%.999999c", ("x",)) is not None
    assert guards.printf_refusal("%d items", (10**12,)) is None  # no `*`: a big value is only printed


@pytest.mark.parametrize("param", ["_search", "name__exact", "_where"])
async def test_a_huge_parameter_is_a_short_414_and_logs_nothing_long(datasette, built_db, capsys, param):
    """~100 kB in one parameter was a 500 with the whole SQL, parameters and a traceback in the log."""
    value = "x" * 100_001 if param != "_where" else "name = '" + "x" * 100_001 + "'"
    response = await asgi_get(datasette.app(), f"/{built_db.stem}/model.json",
                              urllib.parse.urlencode({param: value}).encode())
    assert response["status"] == 414 and len(response["body"]) < 200
    printed = capsys.readouterr()
    assert len(printed.out + printed.err) < 1000


async def test_a_failing_query_logs_one_short_line(datasette, built_db, capsys):
    sql = "select * from model where name = '" + "x" * 5000 + "' and nope = 1"
    response = await datasette.client.get(f"/{built_db.stem}.json", params={"sql": sql})
    assert response.status_code == 400
    printed = capsys.readouterr()
    assert len(printed.out + printed.err) < 600 and "Traceback" not in printed.err


def test_access_log_lines_keep_at_most_a_few_hundred_characters_of_the_url():
    record = logging.LogRecord("uvicorn.access", logging.INFO, "x", 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/cat/model?x=" + "y" * 50_000, "1.1", 200), None)
    guards.ShortAccessLines().filter(record)
    assert len(record.getMessage()) < guards.MAX_LOGGED_PATH + 100


async def test_the_host_header_is_not_reflected_into_links(datasette, built_db, monkeypatch):
    app = datasette.app()
    response = await asgi_get(app, f"/{built_db.stem}/model", b"_facet=domain&_size=1", host=b"evil.example")
    assert response["status"] == 200 and b"evil.example" not in response["body"]
    monkeypatch.setenv("CEGDB_ALLOWED_HOSTS", "cegdb.example.org")
    response = await asgi_get(app, f"/{built_db.stem}/model.json", b"_size=1", host=b"cegdb.example.org")
    assert b"cegdb.example.org" in response["body"]  # a host the operator allows is kept


@pytest.mark.parametrize("params", [{"_sort": "nope"}, {"_sort_desc": "nope"}, {"_sort": "id", "_sort_desc": "id"}])
async def test_bad_sort_parameters_are_a_400_with_a_message(datasette, built_db, params):
    """Issue 17: `/cegdb/model?_sort=nope` was a 500."""
    for suffix in ("", ".json"):
        response = await datasette.client.get(f"/{built_db.stem}/model{suffix}", params=params)
        assert response.status_code == 400, (suffix, response.status_code)
        assert "sort" in response.text.lower()


async def test_datasette_csv_neutralises_formulas(datasette, built_db):
    sql = "select '=HYPERLINK(\"http://evil\")' as a, -5 as b, '@x' as c, 'plain' as d"
    response = await datasette.client.get(f"/{built_db.stem}.csv", params={"sql": sql})
    assert response.status_code == 200
    assert response.text.splitlines()[1] == "\"'=HYPERLINK(\"\"http://evil\"\")\",-5,'@x,plain"
