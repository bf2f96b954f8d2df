"""A researcher's path through the published catalog, in a real Chromium driven by Playwright.

Starts a real `datasette serve` (immutable, with cegdb's metadata and plugin) on a free loopback
port over the catalog built from this repository's datasets/, then: home page, facet the model
table, open DeepSeek-V3, follow a claim to its source, run SQL, download CSV, open a chart.
Screenshots go to test-output/browser/ (kept for CI artifacts).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from publish import serving
from conftest import REPO

CHROMIUM = os.environ.get("CEGDB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = REPO / "test-output" / "browser"
# Flags for a closed network: without the background-networking ones Chromium keeps trying to
# reach Google's services and floods the log with refused connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, repo_catalog):
    folder = tmp_path_factory.mktemp("serve")
    db_path = folder / "cegdb.sqlite"
    shutil.copyfile(repo_catalog, db_path)
    meta = serving.write_metadata(folder / "cegdb.metadata.json", database="cegdb")
    port = _free_port()
    args = serving.datasette_args(db_path, meta, None, "127.0.0.1", port)
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"datasette did not start: {process.stdout.read().decode()[-2000:]}")
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def test_a_researcher_finds_deepseek_v3_and_its_sources(server, page):
    page.goto(server + "/")
    assert serving.TITLE in page.content()
    page.screenshot(path=str(SHOTS / "01-home.png"))

    # full-text search from the model table's search box
    page.goto(server + "/cegdb/model")
    page.fill("input#_search", "DeepSeek-V3")
    page.keyboard.press("Enter")
    page.wait_for_url("**_search=DeepSeek-V3**")
    assert "deepseek-v3" in page.content()
    page.screenshot(path=str(SHOTS / "02a-search.png"))

    # narrow by the organisation facet of the search results (the whole table's facet shows the ten
    # largest organisations, and DeepSeek is not among them since Epoch's December 2025 export)
    page.goto(server + "/cegdb/model?_search=DeepSeek")
    page.locator(".facet-info a[href*='organization_id=deepseek']").first.click()
    page.wait_for_url("**organization_id=deepseek**")
    assert "deepseek-v3" in page.content()
    page.screenshot(path=str(SHOTS / "02-facet-deepseek.png"))

    page.get_by_role("link", name="deepseek-v3", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == "DeepSeek-V3"
    assert "2.788M GPU-hours" in page.content()
    page.screenshot(path=str(SHOTS / "03-deepseek-v3.png"), full_page=True)

    # follow the gpu_hours claim to its source row, which carries the paper's URL
    page.locator("tr", has_text="gpu_hours").locator("a", has_text="deepseekai2024v3").first.click()
    page.wait_for_load_state()
    assert "https://arxiv.org/abs/2412.19437" in page.content()
    page.screenshot(path=str(SHOTS / "04-source.png"))


def test_sql_query_and_csv_download(server, page):
    page.goto(server + "/cegdb?sql=" + urllib.request.quote(
        "select id, gpu_hours from model where gpu_hours is not null order by gpu_hours desc limit 3"))
    assert "llama-3.1-405b" in page.content()
    page.screenshot(path=str(SHOTS / "05-sql.png"))
    href = page.locator("a[href*='.csv']").first.get_attribute("href")
    response = page.request.get(server + href + ("&" if "?" in href else "?") + "_dl=1")
    assert response.ok and "attachment" in response.headers.get("content-disposition", "")
    assert response.text().splitlines()[0] == "id,gpu_hours"


def test_chart_renders(server, page):
    page.goto(server + "/-/dashboards/cegdb")
    page.wait_for_selector("#chart-compute-over-time svg, #chart-compute-over-time canvas", timeout=30000)
    page.screenshot(path=str(SHOTS / "06-charts.png"), full_page=True)


def test_cite_page_shows_bibtex(server, page):
    page.goto(server + "/cite")
    assert "@misc{cegdb_" in page.locator("#bibtex").inner_text()
