"""Epoch AI's chip dataset ("Chip dataset-Grid view" export; CC BY 4.0) -> one record per chip row.

Data: Epoch AI, 'Data on Machine Learning Hardware', https://epoch.ai/data/machine-learning-hardware.

The export counts in SI base units (FLOP/s, OP/s, bytes, bytes/s); records keep them so, and the
conversion to the catalog's units (TFLOP/s, GB, TB/s) happens once, where claims are made
(`scrapers/sources/epoch_chips.py`). Column names are matched through COLUMNS like the models
export; a column it does not know is listed in `columns.unmapped`, never an error. A cell that
cannot be read as a number is a row error (row, chip, field, message) and the rest of the row is
kept. Rows are numbered like a spreadsheet: the header is row 1, the first chip row 2.
"""

from __future__ import annotations

import csv
import io
import re

from scrapers.errors import ParseError
from scrapers.numbers import is_missing, parse_quantity
from scrapers.parsers import decode_text
from scrapers.parsers.csv_rows import mapped_rows, read_header
from scrapers.parsers.epoch import NEGATIVE

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Hardware name",),
    "manufacturer": ("Manufacturer",),
    "type": ("Type",),
    "release_date": ("Release date",),
    "fp32_flops": ("FP32 (single precision) performance (FLOP/s)",),
    "fp16_flops": ("FP16 (half precision) performance (FLOP/s)",),
    "tf32_flops": ("TF32 (TensorFloat-32) performance (FLOP/s)",),
    "tensor16_flops": ("Tensor-FP16/BF16 performance (FLOP/s)",),
    "fp8_flops": ("FP8 performance (FLOP/s)",),
    "int8_ops": ("INT8 performance (OP/s)",),
    "memory_bytes": ("Memory size per board (Byte)",),
    "memory_bandwidth_bytes_s": ("Memory bandwidth (byte/s)",),
    "intranode_bandwidth_bytes_s": ("Intranode bandwidth (byte/s)",),
    "die_size_mm2": ("Die Size (mm^2)",),
    "tdp_w": ("TDP (W)",),
    "ml_hardware": ("ML hardware",),
    "models_trained": ("Number of ML models trained",),
    "datasheet": ("Link to datasheet",),
    "last_modified": ("Last modified",),
}
NUMBERS = ("fp32_flops", "fp16_flops", "tf32_flops", "tensor16_flops", "fp8_flops", "int8_ops", "memory_bytes",
           "memory_bandwidth_bytes_s", "intranode_bandwidth_bytes_s", "die_size_mm2", "tdp_w", "models_trained")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def parse_epoch_chips(data: bytes | str, source: str | None = None) -> dict:
    """{"chips": [...], "columns": {"mapped", "unmapped"}, "row_errors": [...]}."""
    # The November 2025 export has one bare carriage return inside an unquoted name
    # ("NVIDIA GeForce RTX 2080 Ti Founders Edition\r,NVIDIA,..."): read it as a space, not a row end.
    text = re.sub(r"\r(?!\n)", " ", decode_text(data, source))
    reader = csv.reader(io.StringIO(text))
    header = read_header(reader, source)
    by_name = {_norm(col): key for key, cols in COLUMNS.items() for col in cols}
    mapped, unmapped, positions = {}, [], {}
    for index, column in enumerate(header):
        key = by_name.get(_norm(column))
        if key is None or key in positions:
            unmapped.append(column)
        else:
            mapped[column], positions[key] = key, index
    if "name" not in positions:
        raise ParseError(source, "Hardware name", f"no hardware-name column among {header[:8]}...")
    chips, errors = [], []
    for row_number, cells in mapped_rows(reader, source, positions):
        name = cells.get("name")
        if not name:
            errors.append({"row": row_number, "chip": None, "field": "name", "message": "row without a hardware name"})
            continue
        chips.append(_record(cells, row_number, name, source, errors))
    return {"chips": chips, "columns": {"mapped": mapped, "unmapped": unmapped}, "row_errors": errors}


def _record(cells: dict, row_number: int, name: str, source: str | None, errors: list) -> dict:
    record: dict = {"name": " ".join(name.split()), "row": row_number}
    for key, value in cells.items():
        if key == "name" or is_missing(value):
            continue
        if key in NUMBERS:
            if value.lower() in ("nan", "infinity", "-infinity"):
                continue  # Epoch's computed columns print NaN/Infinity for missing inputs
            if NEGATIVE.match(value):
                errors.append({"row": row_number, "chip": name, "field": key,
                               "message": f"negative value {value!r:.40}"})
                continue
            try:
                record[key] = parse_quantity(value, source=source, field=key).value
            except ParseError as exc:
                errors.append({"row": row_number, "chip": name, "field": key, "message": exc.message})
        elif key == "release_date":
            record[key] = value  # checked as a calendar date by the glue, which drops it with a warning
        elif key == "ml_hardware":
            record[key] = value.lower() == "checked"
        else:
            record[key] = " ".join(value.split())
    return record
