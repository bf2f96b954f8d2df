"""Markdown documents split into what a reader sees: tables (markdown or HTML) and paragraphs.

markdown-it-py (CommonMark plus GitHub's pipe tables, the dialect GitHub and the Hugging Face
Hub render cards in) finds the blocks: ATX and setext headings, tables, paragraphs and list
items; fenced and indented code is skipped, so a table or a "# comment" in a code sample is
neither a table nor a heading. HTML blocks (a card's <table>, <h1 align="center">) go to
`html_blocks`, which reads them with BeautifulSoup.

Each block keeps the heading it sits under, so a claim can say where it was read
("table 2 in 'Hardware and Software'"). Texts are reduced to the words a reader sees
(`clean_text`): "**39.3**M" -> "39.3M", "[Llama 3.1 8B](url)" -> "Llama 3.1 8B".
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from scrapers.numbers import clean_text
from scrapers.parsers.html_blocks import html_blocks

# "commonmark" keeps raw HTML as html_block tokens (html=True); "table" adds GitHub's pipe tables.
_MARKDOWN = MarkdownIt("commonmark").enable("table")
_TABLE_OPEN = re.compile(r"<table\b", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)
# Blocks that hold no other block: the unit an HTML table running over blank lines is extended by.
_LEAF_BLOCKS = {"html_block", "paragraph_open", "heading_open", "table_open", "fence", "code_block", "hr"}


def split_blocks(body: str):
    """(tables, prose): tables as (section, rows of cells); prose as (section, paragraph)."""
    tables, prose, section = [], [], None
    tokens = _MARKDOWN.parse(body)
    html_extent = _HTMLExtent(body)
    skip_before = 0  # lines already read as part of an HTML table that ran over blank lines
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.map and token.map[0] < skip_before:
            i += 1
            continue
        if token.type == "heading_open":
            text = _inline_text(tokens[i + 1])
            section = text or section
            if text and token.markup in ("=", "-"):
                # A setext heading is a paragraph underlined, and "---" under a paragraph is often
                # meant as a rule: the text is read as prose too, as it was before markdown-it.
                prose.append((section, text))
        elif token.type == "paragraph_open":
            text = _inline_text(tokens[i + 1])
            if text:
                prose.append((section, text))
        elif token.type == "table_open":
            rows, i = _table(tokens, i)
            tables.append((section, rows))
        elif token.type == "html_block":
            fragment, skip_before = html_extent.fragment(tokens, i)
            for kind, value in html_blocks(fragment):
                if kind == "heading":
                    section = value
                elif kind == "table":
                    tables.append((section, value))
                else:
                    prose.append((section, value))
        i += 1
    return tables, prose


def _table(tokens, i: int) -> tuple[list[list[str]], int]:
    """Rows of cell texts of the table opening at tokens[i]; and the index of its table_close."""
    rows: list[list[str]] = []
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(_inline_text(tokens[i]))
        i += 1
    return rows, i


def _inline_text(token) -> str:
    return clean_text(_plain(token.children or []))


def _plain(children) -> str:
    """Inline tokens -> text: emphasis and link markup dropped, an image's alt text kept.

    Inline HTML (<br>, <sup>) becomes a space, as `clean_text` makes of a tag.
    """
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak", "html_inline"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain(child.children or []))
    return "".join(parts)


class _HTMLExtent:
    """Where an HTML block that opens a <table> really ends.

    CommonMark ends an HTML block at the first blank line, but cards leave blank lines inside
    tables ("<ul>\\n\\n</ul>" in a cell of Llama 3.1's card) and browsers read on to </table>.
    A block with more <table> than </table> runs on to the line that closes it; one never
    closed stays as it is, rather than swallowing the rest of the card.
    """

    def __init__(self, body: str):
        # Lines as markdown-it counts them (token.map), and <table> depth before each line.
        self.lines = re.split(r"\r\n?|\n", body)
        self.depth = [0]
        for line in self.lines:
            self.depth.append(self.depth[-1] + len(_TABLE_OPEN.findall(line)) - len(_TABLE_CLOSE.findall(line)))
        # Lowest depth from each line on: a block that can never close is known without a scan.
        self.lowest = self.depth[:]
        for j in range(len(self.depth) - 2, -1, -1):
            self.lowest[j] = min(self.depth[j], self.lowest[j + 1])

    def fragment(self, tokens, i: int) -> tuple[str, int]:
        """(HTML to read, first line after it) for the html_block tokens[i]."""
        token = tokens[i]
        start, end = token.map
        if self.depth[end] <= self.depth[start] or self.lowest[end] > self.depth[start]:
            return token.content, end
        # The first line after the block where the depth is back where the block started.
        # Lines before `end` cannot be it, and each line is scanned once: it is skipped after.
        close = end
        while self.depth[close] > self.depth[start]:
            close += 1
        # ...and on to the end of the block that line is in: text after </table> is not lost.
        for j in range(i + 1, len(tokens)):
            later = tokens[j]
            if later.map is None:
                continue
            if later.map[0] >= close:
                break
            if later.type in _LEAF_BLOCKS:
                close = max(close, later.map[1])
        return token.content + "\n" + "\n".join(self.lines[end:close]), close
