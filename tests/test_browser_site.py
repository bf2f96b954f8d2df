"""The pages a researcher lands on, in Debian's Chromium at 1400 px and 400 px (issue 17).

For the front page, a model page, an innovation page, a hardware page and the classes query:
a screenshot each (test-output/browser/site-*.png), and the checks a reader would make by eye:
the headline classes are on the front page; no table cell shows a float with more than four
significant digits or a trailing ".0"; on a phone every cell's label is its own column's; every
resolved value on a model page links to the claim that won it. Then a bounded crawl of the
internal links from the front page: no answer is a 500.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from test_browser import CHROMIUM_ARGS, CHROMIUM, SHOTS, server  # noqa: F401  (server is a fixture)

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                reason=f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")

PAGES = {
    "front": "/",
    "model": "/cegdb/model/deepseek-v3",
    "innovation": "/cegdb/innovation/rope",
    "hardware": "/cegdb/hardware/nvidia-h800",
    "classes": "/cegdb/classes",
    "claim": "/cegdb/claim/1",  # a stock Datasette row page: its labels and numbers too
}
WIDTHS = (1400, 400)
# A cell that shows one number, maybe with a unit or a multiplication sign: "3.8e25 FLOP",
# "30.84M GPU-hours", "×14.6", "0.708×", "2,048 chips".
NUMBER_CELL = re.compile(r"^[×~<>]?(?P<number>[-+]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?)[kMBT]?×?(?: [A-Za-z][\w/-]*)?$")


def float_problem(text: str) -> str | None:
    """Why a cell's text is an unreadable float, or None."""
    match = NUMBER_CELL.match(text.strip())
    if not match:
        return None
    number = match["number"]
    mantissa = re.split(r"e", number, flags=re.I)[0].replace(",", "").lstrip("+-")
    if "." not in mantissa and "e" not in number.lower():
        return None  # an integer count, not a float
    if re.search(r"\.0+$", mantissa):
        return "trailing .0"
    digits = mantissa.replace(".", "").lstrip("0")
    if len(digits) > 4:
        return f"{len(digits)} significant digits"
    return None


def test_float_problem_rule():
    assert float_problem("2000000000000.0") == "trailing .0"
    assert float_problem("1.1097115308589056e+19") == "17 significant digits"
    assert float_problem("80.0 GB") == "trailing .0"
    assert float_problem("3.8e25 FLOP") is None and float_problem("30.84M GPU-hours") is None
    assert float_problem("2,048 chips") is None and float_problem("×14.6") is None
    assert float_problem("Llama 3.1 405B") is None and float_problem("0.7083×") is None


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Every cell of every table: its text, its ::before label (Datasette's phone layout) and the
# header of its column.
CELLS_JS = """() => {
  const out = [];
  document.querySelectorAll("table").forEach((table, t) => {
    const heads = Array.from(table.querySelectorAll("thead th")).map(th =>
      (th.getAttribute("data-column") || th.textContent).replace(/[\\u25b2\\u25bc]/g, "").trim());
    table.querySelectorAll("tbody tr").forEach(tr => {
      Array.from(tr.children).forEach((td, i) => {
        let label = getComputedStyle(td, "::before").content;
        label = (label === "none" || label === "normal") ? null : label.replace(/^"|"$/g, "");
        out.push({table: t, text: td.innerText.trim(), label: label, header: heads[i] ?? null});
      });
    });
  });
  return out;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_well(server, browser, name, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(server + PAGES[name])
        assert response.status == 200, f"{PAGES[name]}: {response.status}"
        page.screenshot(path=str(SHOTS / f"site-{name}-{width}.png"), full_page=True)
        cells = page.evaluate(CELLS_JS)
        assert cells, f"{name}: no table cells"
        print(f"{name} at {width}px: {len(cells)} table cells checked")
        bad = [(c["header"], c["text"], why) for c in cells if (why := float_problem(c["text"]))]
        assert bad == [], f"{name} at {width}px: unreadable floats {bad[:10]}"
        mislabelled = [(c["label"], c["header"], c["text"][:40]) for c in cells
                       if c["label"] and c["header"] is not None and c["label"] != c["header"]]
        assert mislabelled == [], f"{name} at {width}px: cells labelled with another column's name {mislabelled[:5]}"
        if width <= 576:
            assert any(c["label"] for c in cells), "the phone layout labels cells"
        if name == "front":
            _front_page_has_the_headline_classes(page, server)
        if name == "model":
            _every_resolved_value_links_to_a_claim(page)
    finally:
        context.close()


def _front_page_has_the_headline_classes(page, server):  # noqa: F811
    headline = page.locator("table.cegdb-headline").inner_text()
    # the classes query lists the same FLOP-basis summaries the front page reads
    classes = page.context.request.get(server + "/cegdb/classes.json?_shape=array").json()
    assert classes, "the build has classes"
    for row in classes:
        assert row["name"] in headline, f"{row['name']} missing from the front page"
        assert row["our_class"] in headline


def _every_resolved_value_links_to_a_claim(page):
    values = page.locator(".cegdb-values > div")
    count = values.count()
    assert count >= 10
    for i in range(count):
        link = values.nth(i).locator("a.cegdb-claim-link")
        assert link.count() == 1, values.nth(i).inner_text()
        target = link.get_attribute("href")
        row = page.locator(f"tr{target}")
        assert row.count() == 1 and "cegdb-winner-row" in (row.get_attribute("class") or ""), target


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


CRAWL_LIMIT = 400


def test_crawl_from_the_front_page_has_no_server_errors(server):  # noqa: F811
    """Every internal link of the front page, and the links on those pages, up to CRAWL_LIMIT pages."""
    seen: dict[str, int] = {}
    frontier = [server + "/"]
    for depth in range(3):
        following = []
        for url in frontier:
            if url in seen or len(seen) >= CRAWL_LIMIT:
                continue
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status, body = response.status, response.read().decode("utf-8", "replace")
                    kind = response.headers.get("content-type", "")
            except urllib.error.HTTPError as error:
                status, body, kind = error.code, "", ""
            seen[url] = status
            if depth == 2 or "html" not in kind:
                continue
            parser = _Links()
            parser.feed(body)
            for href in parser.links:
                absolute = urljoin(url, href).split("#")[0]
                parts = urlsplit(absolute)
                if absolute.startswith(server) and not parts.path.endswith(".db"):
                    following.append(absolute)
        frontier = following
    errors = {url: status for url, status in seen.items() if status >= 500}
    print(f"crawled {len(seen)} pages: {sum(1 for s in seen.values() if s < 400)} ok, "
          f"{sum(1 for s in seen.values() if 400 <= s < 500)} 4xx, {len(errors)} 5xx")
    assert len(seen) >= 50 and errors == {}
