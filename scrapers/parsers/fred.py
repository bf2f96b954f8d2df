"""A FRED series as CSV (https://fred.stlouisfed.org/graph/fredgraph.csv?id=SERIES) -> monthly values.

Two columns: the date (`observation_date`, older downloads `DATE`) and the series id. FRED writes
"." for a month without a value; that month is skipped. Anything else that is not a positive number,
or a date that is not YYYY-MM-DD, is a ParseError naming the line.
"""

from __future__ import annotations

import csv
import io
import math
import re

from scrapers.errors import ParseError
from scrapers.parsers import decode_text

_DATE = re.compile(r"^(\d{4}-\d{2})-\d{2}$")


def parse_fred_series(data: bytes | str, source: str | None = None) -> dict:
    """{"series": id, "values": [(YYYY-MM, value), ...]} in file order."""
    reader = csv.reader(io.StringIO(decode_text(data, source)))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ParseError(source, None, "empty file: no header row") from None
    except csv.Error as exc:
        raise ParseError(source, "line 1", f"unreadable CSV header: {exc}") from None
    if len(header) != 2 or header[0].lower() not in ("observation_date", "date"):
        raise ParseError(source, "header", f"expected 'observation_date,<SERIES>', got {','.join(header)!r}")
    series, values = header[1], []
    try:
        for line, row in enumerate(reader, start=2):
            if not row or not any(c.strip() for c in row):
                continue
            match = _DATE.match(row[0].strip()) if len(row) == 2 else None
            if match is None:
                raise ParseError(source, f"line {line}", f"expected 'YYYY-MM-DD,value', got {','.join(row)!r}")
            cell = row[1].strip()
            if cell == ".":
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ParseError(source, f"line {line}", f"{series}: {cell!r} is not a number") from None
            if not math.isfinite(value) or value <= 0:
                raise ParseError(source, f"line {line}", f"{series}: {cell!r} is not a positive index value")
            values.append((match.group(1), value))
    except csv.Error as exc:
        raise ParseError(source, f"line {reader.line_num}", f"unreadable CSV: {exc}") from None
    return {"series": series, "values": values}
