"""Epoch AI's hardware price series -> the generated layer (`datasets/imported/epoch/hardware_prices.yaml`).

Every price row whose chip maps to a catalog hardware id becomes one `hardware_prices` entry: the
chip (curated id, or the id `cegdb scrape epoch-chips` gave it), the date, provider and region,
the four prices (on-demand, 1- and 3-year commitment per chip-hour; purchase per chip), whether
the purchase price is for the bare chip (single-unit), the address the series read it at, and
the row as locator. Epoch's free-text notes are not copied (facts only, docs/generated-layer.md).
Chips that map to no id are counted in the report and left out: no price is ever attached to a
guessed chip.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field

from scrapers.parsers.epoch import map_ids
from scrapers.parsers.epoch_prices import PRICES, parse_epoch_prices

SOURCE_ID = "epoch-hardware-prices"
DATA_PAGE = "https://epoch.ai/data/machine-learning-hardware"
SOURCE = {
    "id": SOURCE_ID, "kind": "dataset",
    "title": "Epoch AI, hardware price data (purchase and cloud rental prices per chip), as used by "
             "Cottier et al. 2024",
    "authors": "Epoch AI", "date": "2025-11-28", "year": 2025,
    "url": ("https://github.com/epoch-research/training-cost-trends/blob/"
            "5deb003d233687beaa59f9957d6c69534b234364/data/Hardware%20prices.csv"),
    "license": "CC-BY-4.0",
}


@dataclass
class PricesReport:
    rows: int = 0
    entries: int = 0
    by_chip: collections.Counter = field(default_factory=collections.Counter)
    unmapped: collections.Counter = field(default_factory=collections.Counter)
    row_errors: list = field(default_factory=list)


def build_prices(content: bytes, *, file_name: str, hardware_names: dict[str, str]) -> tuple[dict, PricesReport]:
    """(sections for scrapers.generated.write_generated, report). `hardware_names`: chip name -> id."""
    parsed = parse_epoch_prices(content, file_name)
    report = PricesReport(rows=len(parsed["prices"]) + len(parsed["row_errors"]), row_errors=parsed["row_errors"])
    entries = []
    for record in parsed["prices"]:
        mapped, missing = map_ids([record["chip_name"]], hardware_names)
        if missing or not mapped:
            report.unmapped[record["chip_name"]] += 1
            continue
        entry = {"id": f"row-{record['row']:04d}", "hardware": mapped[0], "chip_name": record["chip_name"],
                 "date": record["date"], "locator": f"row {record['row']}"}
        for key in ("provider", "location", "price_url"):
            if record.get(key):
                entry[key] = record[key]
        for key in PRICES:
            if record[key] is not None:
                entry[key] = record[key]
        if record["purchase_usd"] is not None:
            entry["single_unit"] = record["single_unit"]
        entries.append(entry)
        report.by_chip[mapped[0]] += 1
    report.entries = len(entries)
    return {"sources": [SOURCE], "hardware_prices": entries}, report
