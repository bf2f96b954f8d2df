"""`cegdb parse KIND FILE [--json]`: what a parser extracts from one local file, without a database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from scrapers.errors import ParseError
from scrapers.parsers.arxiv import parse_arxiv_atom
from scrapers.parsers.epoch import parse_epoch_csv
from scrapers.parsers.hf_api import parse_hf_api
from scrapers.parsers.hf_config import parse_hf_config
from scrapers.parsers.model_card import parse_model_card
from scrapers.parsers.s2 import parse_s2_paper

PARSERS = {
    "hf-config": parse_hf_config,
    "hf-api": parse_hf_api,
    "model-card": parse_model_card,
    "arxiv-atom": parse_arxiv_atom,
    "s2-paper": parse_s2_paper,
    "epoch-csv": parse_epoch_csv,
}
# Columns of the readable Epoch summary (the full records are in --json).
EPOCH_COLUMNS = ("model", "publication_date", "parameters", "training_compute_flop", "tokens_seen", "hardware",
                 "hardware_count", "gpu_hours", "confidence")


def _records(kind: str, result) -> tuple[list[dict], list[str]]:
    """The parser's result as records keyed like claim fields, and warnings for stderr."""
    warnings = []
    if kind == "model-card":
        records = result["models"]
        if result.get("front_matter"):
            card = next((r for r in records if r["model"] is None), None)
            if card is None:
                card = {"model": None}
                records.insert(0, card)
            card["front_matter"] = result["front_matter"]
        warnings += [f"unread cell {u['text']!r} at {u['locator']}" for u in result.get("unread", [])]
        return records, warnings
    if kind == "epoch-csv":
        columns = result["columns"]
        if columns["unmapped"]:
            warnings.append("columns not in the synonym table (kept out): " + ", ".join(columns["unmapped"]))
        warnings += [f"row {e['row']} ({e['model']}): {e['field']}: {e['message']}" for e in result["row_errors"]]
        return result["models"], warnings
    return (result if isinstance(result, list) else [result]), warnings


def _short(value: object, width: int = 70) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e4:
        text = f"{value:,}" if isinstance(value, int) else f"{value:.4g}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(kind: str, records: list[dict], file: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160)
    if kind == "epoch-csv":
        table = Table(title=f"{file}: {len(records)} models")
        for column in EPOCH_COLUMNS:
            table.add_column(column, overflow="fold")
        for record in records:
            table.add_row(*(_short(record.get(c, ""), 40) for c in EPOCH_COLUMNS))
        console.print(table)
        return
    if kind == "model-card":
        table = Table(title=file)
        for column in ("model", "field", "value", "as written", "quote"):
            table.add_column(column, overflow="fold")
        for record in records:
            for field, claims in record.items():
                if field == "model" or not isinstance(claims, list):
                    continue
                for claim in claims:
                    table.add_row(record["model"] or "(card)", field, _short(claim.get("value")),
                                  claim.get("as_written", ""), _short(claim.get("quote", ""), 90))
        console.print(table)
        return
    for record in records:
        title = record.get("repo_id") or record.get("title") or record.get("model_type") or file
        table = Table(title=str(title), show_header=False)
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        for key, value in record.items():
            # hf-config's assumptions and parameter breakdown are read item by item: a line each, uncut.
            if key == "assumptions":
                text = "\n".join(value)
            elif key == "parameter_breakdown":
                text = "\n".join(f"{part}: {count:,}" for part, count in value.items())
            else:
                text = _short(value, 110)
            table.add_row(key, text)
        console.print(table)
    if not records:
        console.print(f"{file}: no records")


@click.command()
@click.argument("kind", type=click.Choice(["hf-config", "hf-api", "model-card", "arxiv-atom", "s2-paper", "epoch-csv"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: one object, or a list for files with several models.")
@click.option("--index", "index_file", type=click.Path(exists=True, dir_okay=False),
              help="hf-config only: the checkpoint's model.safetensors.index.json, to cross-check the "
                   "parameter count against its total_size.")
def parse(kind: str, file: str, as_json: bool, index_file: str | None) -> None:
    """Print what the parser for KIND extracts from FILE, keys named like the claim fields.

    Nothing is fetched or stored. Model cards give each value with the quote it was read from.

    \b
    Example:
        cegdb parse hf-config config.json --json
        cegdb parse hf-config config.json --index model.safetensors.index.json
        cegdb parse model-card MODEL_CARD.md
        cegdb parse epoch-csv All_ML_Systems_-_full_view.csv --json > epoch.json
    """
    if index_file and kind != "hf-config":
        raise click.ClickException("--index goes with hf-config only (a safetensors index checks a config's count)")
    try:
        data = Path(file).read_bytes()
        index = Path(index_file).read_bytes() if index_file else None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: cannot read: {exc.strerror}") from exc
    try:
        result = PARSERS[kind](data, file, index=index) if index is not None else PARSERS[kind](data, file)
    except ParseError as exc:
        hint = f" (is {file} a {kind} file?)" if exc.field is None else ""
        raise click.ClickException(f"{exc}{hint}") from exc
    records, warnings = _records(kind, result)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        payload = records[0] if len(records) == 1 and kind != "epoch-csv" else records
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _table(kind, records, file)
