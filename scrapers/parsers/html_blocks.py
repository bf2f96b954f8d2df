"""HTML inside a markdown card -> what a reader sees: headings, tables as full grids, text.

Model cards embed HTML exported from word processors (Meta's Llama cards): cells left unclosed,
rowspan and colspan, <p> and <br> inside cells, <h1 align="center"> titles. BeautifulSoup with
the standard library's "html.parser" backend turns that tag soup into a tree (entities decoded,
comments, scripts and styles told apart from text); this module reads the tree in document
order into events:

    ("heading", text)  an <h1>..<h6> outside a table
    ("table", rows)    a table as a grid of cell texts: a cell with rowspan="3" is repeated in
                       the rows it spans and colspan="2" in the columns, as a reader reads it
    ("text", text)     text outside tables and headings, one event per block (<p>, <div>, <li>)

html.parser does not apply HTML's implied end tags: "<td>a<td>b" nests the second cell inside
the first (Llama 3.1's Total row). So a cell takes its place in its row when it starts, and its
text is only what is not inside a later cell; a row likewise belongs to the table it starts in.
The walk keeps its own stack, not Python's: a card of 50,000 nested <div>s must not raise
RecursionError (parsers raise only ParseError).
"""

from __future__ import annotations

import html
import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.exceptions import ParserRejectedMarkup

from scrapers.numbers import clean_text

# A card's HTML block may start with "<?xml" or be a bare file name; BeautifulSoup's hints about
# that are for people choosing a parser, not for readers of cards.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

# Not text a reader takes for prose: code, scripts, styles.
_SKIPPED = {"script", "style", "template", "pre", "textarea", "head", "title"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Block elements end a run of text; inside a cell they (and <br>) are a space, as in a browser.
_BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "center", "section", "article", "details",
           "summary", "figure", "figcaption", "hr", "header", "footer", "main", "nav", "aside", "table", "tr",
           "caption"} | _HEADINGS
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_SPAN = 100  # a cell claiming rowspan="100000" would fill memory, not the table


class _Cell:
    def __init__(self, tag: Tag):
        self.parts: list[str] = []
        self.rowspan = _span(tag.get("rowspan"))
        self.colspan = _span(tag.get("colspan"))


class _Table:
    def __init__(self):
        self.rows: list[list[_Cell]] = []
        self.open_cells: list[_Cell] = []  # cells started and not yet ended, innermost last


def html_blocks(fragment: str) -> list[tuple[str, object]]:
    """Events ("heading" | "table" | "text", value) for an HTML fragment, in document order."""
    return _Walk().run(_soup(fragment))


def _soup(fragment: str) -> BeautifulSoup:
    # A lone surrogate (text handed in as str) cannot be encoded, and BeautifulSoup encodes.
    fragment = _SURROGATE.sub("\ufffd", fragment)
    try:
        return BeautifulSoup(fragment, "html.parser")
    except ParserRejectedMarkup:
        pass
    # html.parser refuses some declarations and marked sections ("<![x]]>", "<![ x"): read those
    # as text, and if it still refuses, the whole block (parsers raise only ParseError).
    try:
        return BeautifulSoup(re.sub(r"<!(?!--)", "&lt;!", fragment), "html.parser")
    except ParserRejectedMarkup:
        return BeautifulSoup(html.escape(fragment), "html.parser")


class _Walk:
    def __init__(self):
        self.events: list[list] = []  # [kind, value]; a table's slot is taken at <table>, filled at </table>
        self.tables: list[tuple[_Table, list]] = []  # open tables, innermost last, with their event slot
        self.text: list[str] = []  # the run of text outside tables
        self.heading: list[str] | None = None  # the text of an open heading outside tables

    def run(self, root: Tag) -> list[tuple[str, object]]:
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self.end(node)
            elif isinstance(node, Tag):
                if node.name in _SKIPPED:
                    continue
                self.start(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
            elif type(node) is NavigableString:  # subclasses are comments, CDATA, doctypes
                self.data(str(node))
        self.flush()
        return [(kind, value) for kind, value in self.events if value]

    def start(self, tag: Tag) -> None:
        name = tag.name
        table = self.tables[-1][0] if self.tables else None
        if name == "table":
            self.flush()
            slot = ["table", None]
            self.events.append(slot)
            self.tables.append((_Table(), slot))
        elif table is not None and name == "tr":
            table.rows.append([])
        elif table is not None and name in ("td", "th"):
            if not table.rows:  # a cell before any <tr>
                table.rows.append([])
            cell = _Cell(tag)
            table.rows[-1].append(cell)
            table.open_cells.append(cell)
        elif table is None and name in _HEADINGS:
            self.flush()
            self.heading = []
        elif name in _BLOCKS or name == "br":
            self.space(flush=name != "br")

    def end(self, tag: Tag) -> None:
        name = tag.name
        if name == "table" and self.tables:
            table, slot = self.tables.pop()
            slot[1] = _grid(table.rows)
        elif name in ("td", "th") and self.tables:
            open_cells = self.tables[-1][0].open_cells
            if open_cells:
                open_cells.pop()
        elif name in _HEADINGS and not self.tables and self.heading is not None:
            self.events.append(["heading", clean_text("".join(self.heading))])
            self.heading = None
        elif name in _BLOCKS:
            self.space(flush=True)

    def data(self, text: str) -> None:
        if self.tables:
            open_cells = self.tables[-1][0].open_cells
            if open_cells:  # text between cells (whitespace, stray words) is not in the grid
                open_cells[-1].parts.append(text)
        elif self.heading is not None:
            self.heading.append(text)
        else:
            self.text.append(text)

    def space(self, flush: bool) -> None:
        if self.tables:
            self.data(" ")
        elif self.heading is not None:
            self.heading.append(" ")
        elif flush:
            self.flush()
        else:
            self.text.append(" ")

    def flush(self) -> None:
        text = clean_text("".join(self.text))
        self.text.clear()
        if text:
            self.events.append(["text", text])


def _span(value) -> int:
    try:
        return max(1, min(int(value or 1), _MAX_SPAN))
    except (TypeError, ValueError):
        return 1


def _grid(rows: list[list[_Cell]]) -> list[list[str]]:
    """Rows of cells with spans -> rows of texts, each spanned cell repeated where it reaches."""
    grid = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows it still covers) from rowspans above
    for cells in rows:
        out, waiting, column = [], iter(cells), 0
        cell = next(waiting, None)
        last = max(carried, default=-1)  # the rightmost column a rowspan above still reaches
        while cell is not None or column <= last:
            if column in carried:
                text, left = carried.pop(column)
                if left > 1:
                    carried[column] = (text, left - 1)
                out.append(text)
                column += 1
            elif cell is not None:
                text = clean_text("".join(cell.parts))
                for offset in range(cell.colspan):
                    out.append(text)
                    if cell.rowspan > 1:
                        carried[column + offset] = (text, cell.rowspan - 1)
                        last = max(last, column + offset)
                column += cell.colspan
                cell = next(waiting, None)
            else:  # a gap left of a rowspan further right
                out.append("")
                column += 1
        if out:
            grid.append(out)
    return grid
