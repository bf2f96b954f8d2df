"""The CSV reading both Epoch exports share: a header that must be there, then the non-blank
rows as {key: stripped cell} by the columns a parser mapped, each with its row number.

Row numbers count records (the header is row 1), not physical lines: a quoted cell may span
lines, and the number is what a reader finds by counting rows in a spreadsheet.
"""

from __future__ import annotations

import csv
from typing import Iterator

from scrapers.errors import ParseError


def read_header(reader, source: str | None) -> list[str]:
    try:
        return next(reader)
    except StopIteration:
        raise ParseError(source, None, "empty file: no header row") from None
    except csv.Error as exc:
        raise ParseError(source, "line 1", f"unreadable CSV header: {exc}") from exc


def mapped_rows(reader, source: str | None, positions: dict[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, non-empty cells by key) for every row with any content."""
    row_number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(source, f"line {reader.line_num}", f"unreadable CSV: {exc}") from exc
        row_number += 1
        if not any(cell.strip() for cell in row):
            continue
        yield row_number, {key: row[i].strip() for key, i in positions.items() if i < len(row) and row[i].strip()}
