"""Accelerator prices from the generated layer (`hardware_prices:` sections) -> `hardware_price` rows.

The rows are facts of a price series (Epoch AI's, imported by `cegdb scrape epoch-prices`); the
training-cost claims are computed from them at build time (analysis/cost.py, docs/cost.md).
A price is a dollar amount: negative, unreadable or non-finite values are problems naming the
file, line and field, like any other number in datasets/. A chip id the catalog does not have is
a problem too: a price is never attached to a guessed chip.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from catalog.datasets import DATE, Problems, Refs, _line, _optional_number, _text, _unknown_keys

PRICE_KEYS = {"id", "hardware", "chip_name", "date", "provider", "location", "price_url", "locator",
              "on_demand_usd_per_hour", "commit_1y_usd_per_hour", "commit_3y_usd_per_hour", "purchase_usd",
              "single_unit", "source"}
PRICE_FIELDS = ("on_demand_usd_per_hour", "commit_1y_usd_per_hour", "commit_3y_usd_per_hour", "purchase_usd")


def read_prices(files: Iterable, problems: Problems, refs: Refs, hw_map: Mapping[str, str]) -> list[dict]:
    """`hardware_price` rows of every generated file's `hardware_prices:` section, in file order."""
    rows: list[dict] = []
    for gen in files:
        entries = gen.section("hardware_prices", problems)
        if not entries:
            continue
        sources = [s.get("id") for s in gen.section("sources", problems)]
        for entry in entries:
            row = _read_price(gen, entry, problems, refs, hw_map, sources)
            if row is not None:
                row["id"] = len(rows) + 1
                rows.append(row)
    return rows


def _read_price(gen, entry: Mapping, problems: Problems, refs: Refs, hw_map: Mapping[str, str],
                sources: list) -> dict | None:
    path = gen.path
    _unknown_keys(entry, PRICE_KEYS, path, problems)
    hardware = _text(entry, "hardware", path, problems, required=True)
    chip_name = _text(entry, "chip_name", path, problems, required=True)
    date = _text(entry, "date", path, problems, required=True, pattern=DATE)
    locator = _text(entry, "locator", path, problems, required=True)
    # A file with one source names it once in its header; an entry may name another.
    source = _entry_source(entry, sources, path, problems, refs, "a price")
    if source is None:
        return None
    target = hw_map.get(hardware, hardware) if hardware else None
    if hardware is not None and target not in refs.hardware:
        problems.add(path, _line(entry, "hardware"), "hardware", f"unknown hardware id {hardware!r}")
        return None
    row = {"hardware_id": target, "chip_name": chip_name, "price_date": date,
           "provider": _text(entry, "provider", path, problems),
           "location": _text(entry, "location", path, problems),
           "price_url": _text(entry, "price_url", path, problems),
           "source_id": source, "locator": locator, "origin": gen.origin,
           "origin_ref": f"{path}:{getattr(entry, 'line', 0)}"}
    for key in PRICE_FIELDS:
        row[key] = _optional_number(entry, key, path, problems)
    single = entry.get("single_unit")
    if single is not None and not isinstance(single, bool):
        problems.add(path, _line(entry, "single_unit"), "single_unit", f"expected true or false, got {single!r}")
        single = None
    row["single_unit"] = single
    if all(row[k] is None for k in PRICE_FIELDS):
        problems.add(path, getattr(entry, "line", 0), "price", "a price entry needs at least one price")
        return None
    if None in (chip_name, date, locator):
        return None
    return row


def _entry_source(entry: Mapping, sources: list, path, problems: Problems, refs: Refs, what: str) -> str | None:
    """The entry's `source`, else the file's only source; an unknown or missing one is a problem."""
    source = _text(entry, "source", path, problems) or (sources[0] if len(sources) == 1 else None)
    if source is None or source not in refs.sources:
        problems.add(path, _line(entry, "source"), "source",
                     f"unknown source key {source!r}" if source else f"{what} names its source")
        return None
    return source


INDEX_KEYS = {"id", "series", "value", "source"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def read_price_index(files: Iterable, problems: Problems, refs: Refs) -> list[dict]:
    """`price_index` rows (series, month, value) of every generated file's `price_index:` section."""
    rows: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for gen in files:
        entries = gen.section("price_index", problems)
        if not entries:
            continue
        sources = [s.get("id") for s in gen.section("sources", problems)]
        for entry in entries:
            path = gen.path
            _unknown_keys(entry, INDEX_KEYS, path, problems)
            month = _text(entry, "id", path, problems, required=True, pattern=_MONTH)
            series = _text(entry, "series", path, problems, required=True)
            source = _entry_source(entry, sources, path, problems, refs, "an index value")
            if source is None:
                continue
            value = _optional_number(entry, "value", path, problems)
            if value is not None and value == 0:
                problems.add(path, _line(entry, "value"), "value", "an index value must be positive")
                continue
            if None in (month, series, value):
                if entry.get("value") is None:
                    problems.add(path, _line(entry, "value"), "value", "is required")
                continue
            if (series, month) in seen:
                problems.add(path, getattr(entry, "line", 0), "id", f"{series} {month} given twice")
                continue
            seen.add((series, month))
            rows.append({"series": series, "month": month, "value": value, "source_id": source,
                         "origin": gen.origin})
    return rows
