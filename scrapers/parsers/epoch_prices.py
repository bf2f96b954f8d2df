"""Epoch AI's hardware price series ("Hardware prices" export; CC BY 4.0) -> one record per price row.

The series Cottier et al. 2024 ("The rising costs of training frontier AI models", arXiv 2405.21015)
price training runs with: purchase prices per chip and cloud rental prices per chip-hour (on-demand,
1-year and 3-year commitments), each with its date, provider and the address it was read at.
Dollars are nominal US dollars of the price's date, as the series gives them.

A price cell that is not a number, a negative price or a date that is not YYYY-MM-DD is a row error
(row, chip, field, message); the rest of the file is kept. Rows are numbered like a spreadsheet:
the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re

from scrapers.errors import ParseError
from scrapers.parsers import decode_text
from scrapers.parsers.csv_rows import mapped_rows, read_header

COLUMNS: dict[str, tuple[str, ...]] = {
    "price_url": ("Price source",),
    "date": ("Price date",),
    "chip_name": ("Hardware model",),
    "provider": ("Vendor",),
    "location": ("Location",),
    "on_demand_usd_per_hour": ("Price per chip-hour (on-demand)",),
    "commit_1y_usd_per_hour": ("Price per chip-hour (1-year CUD)",),
    "commit_3y_usd_per_hour": ("Price per chip-hour (3-year CUD)",),
    "purchase_usd": ("Price (hardware purchase)",),
    "notes": ("Notes",),
}
PRICES = ("on_demand_usd_per_hour", "commit_1y_usd_per_hour", "commit_3y_usd_per_hour", "purchase_usd")
REQUIRED = ("date", "chip_name")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY = re.compile(r"^\$?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)$")
# Cottier et al.'s code multiplies a purchase price by a server overhead only when the series'
# note calls it a single-unit price (cost_analysis_standalone.py, find_hardware_acquisition_price).
_SINGLE_UNIT = re.compile(r"single[- ]unit", re.I)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _money(text: str) -> float:
    match = _MONEY.match(text.strip())
    if not match:
        raise ValueError(f"cannot read {text!r} as a price in dollars")
    return float(match.group(1).replace(",", ""))


def parse_epoch_prices(data: bytes | str, source: str | None = None) -> dict:
    """{"prices": [...], "columns": {"mapped", "unmapped"}, "row_errors": [...]}."""
    reader = csv.reader(io.StringIO(decode_text(data, source)))
    header = read_header(reader, source)
    by_name = {_norm(c): key for key, cols in COLUMNS.items() for c in cols}
    positions, unmapped = {}, []
    for index, column in enumerate(header):
        key = by_name.get(_norm(column))
        if key is None:
            unmapped.append(column)
        elif key not in positions:
            positions[key] = index
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in positions]
    if missing:
        raise ParseError(source, "header", f"missing column(s) {', '.join(missing)}; is this Epoch's hardware "
                                           "price export?")
    prices, errors = [], []
    for row_number, cells in mapped_rows(reader, source, positions):
        chip = cells.get("chip_name")
        record = {"row": row_number, "chip_name": chip, "date": cells.get("date"),
                  "provider": cells.get("provider"), "location": cells.get("location"),
                  "price_url": cells.get("price_url"),
                  "single_unit": bool(_SINGLE_UNIT.search(cells.get("notes", "")))}
        if not chip:
            errors.append({"row": row_number, "chip": None, "field": "chip_name", "message": "no hardware model"})
            continue
        if not record["date"] or not _DATE.match(record["date"]):
            errors.append({"row": row_number, "chip": chip, "field": "date",
                           "message": f"price date {record['date']!r} is not YYYY-MM-DD"})
            continue
        refused = False
        for key in PRICES:
            text = cells.get(key)
            if text is None:
                record[key] = None
                continue
            try:
                value = _money(text)
            except ValueError as exc:
                errors.append({"row": row_number, "chip": chip, "field": COLUMNS[key][0], "message": str(exc)})
                value, refused = None, True
            record[key] = value
        if all(record[k] is None for k in PRICES):
            if not refused:  # a refused price is already on record for this row
                errors.append({"row": row_number, "chip": chip, "field": "prices", "message": "no price in the row"})
            continue
        prices.append(record)
    return {"prices": prices, "columns": {"mapped": sorted(positions), "unmapped": unmapped}, "row_errors": errors}
