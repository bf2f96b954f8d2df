"""Markdown documents split into what a reader sees: tables (markdown or HTML) and paragraphs.

Each block keeps the heading it sits under, so a claim can say where it was read
("table 2 in 'Hardware and Software'"). HTML tables are expanded into full grids: a cell with
rowspan="3" is repeated in the rows it spans, as a reader would read it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from scrapers.numbers import clean_text

_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


class _HTMLTable(HTMLParser):
    """Rows of cell texts; rowspan and colspan expanded into a full grid."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, int, int]]] = []
        self.cell: list[str] | None = None
        self.span = (1, 1)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._close_cell()
            self.rows.append([])
        elif tag in ("td", "th"):
            self._close_cell()  # cards leave cells unclosed (Llama 3.1's Total row)
            if not self.rows:
                self.rows.append([])
            attributes = dict(attrs)
            self.span = (_span(attributes.get("rowspan")), _span(attributes.get("colspan")))
            self.cell = []
        elif tag in ("br", "p", "li") and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th", "tr", "table"):
            self._close_cell()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def _close_cell(self):
        if self.cell is not None:
            self.rows[-1].append((clean_text("".join(self.cell)), *self.span))
            self.cell = None

    def grid(self) -> list[list[str]]:
        grid, pending = [], {}  # column -> (text, rows left)
        for row in self.rows:
            out, cells, column = [], list(row), 0
            while cells or any(c >= column for c in pending):
                if column in pending:
                    text, left = pending[column]
                    out.append(text)
                    pending[column] = (text, left - 1) if left > 1 else None
                    pending = {k: v for k, v in pending.items() if v}
                elif cells:
                    text, rowspan, colspan = cells.pop(0)
                    for offset in range(colspan):
                        out.append(text)
                        if rowspan > 1:
                            pending[column + offset] = (text, rowspan - 1)
                    column += colspan - 1
                else:
                    out.append("")
                column += 1
            if out:
                grid.append(out)
        return grid


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def split_blocks(body: str):
    """(tables, prose): tables as (section, rows of cells); prose as (section, paragraph)."""
    tables, prose, section = [], [], None
    html_tables = []

    def stash(match):
        html_tables.append(match.group(0))
        return f"\n\x00TABLE{len(html_tables) - 1}\x00\n"

    body = re.sub(r"<table\b.*?</table>", stash, body, flags=re.S | re.I)
    lines, paragraph, i = body.split("\n"), [], 0

    def flush():
        if paragraph:
            prose.append((section, " ".join(paragraph)))
            paragraph.clear()

    while i < len(lines):
        line = lines[i].strip()
        placeholder = re.fullmatch(r"\x00TABLE(\d+)\x00", line)
        if placeholder:
            flush()
            parser = _HTMLTable()
            parser.feed(html_tables[int(placeholder.group(1))])
            parser._close_cell()
            tables.append((section, parser.grid()))
        elif line.startswith("|") and i + 1 < len(lines) and _SEPARATOR_ROW.match(lines[i + 1].strip()):
            flush()
            rows = [_md_cells(line)]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_md_cells(lines[i].strip()))
                i += 1
            tables.append((section, rows))
            continue
        elif line.startswith("#"):
            flush()
            section = clean_text(line.lstrip("#")) or section
        elif not line or re.match(r"^([-*+]|\d+[.)])\s", line) or line in ("---", "***"):
            flush()
            if line and line not in ("---", "***"):
                paragraph.append(re.sub(r"^([-*+]|\d+[.)])\s+", "", line))
                flush()
        else:
            paragraph.append(line)
        i += 1
    flush()
    return tables, prose


def _md_cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [clean_text(cell) for cell in re.split(r"(?<!\\)\|", inner)]
