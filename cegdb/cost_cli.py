"""`cegdb cost`: training cost in dollars, re-priced with the reader's own prices (docs/cost.md)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from catalog import db

# Cottier et al. 2024 (arXiv 2405.21015v2, abstract): amortised cost of the most compute-intensive
# models grows 2.4x per year since 2016, 90% CI 2.0x to 2.9x.
COTTIER_GROWTH = (2.4, 2.0, 2.9)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for item in values:
        chip, sep, price = item.partition("=")
        if not sep or not chip.strip() or not price.strip():
            raise click.BadParameter(f"{item!r}: write CHIP=USD, e.g. H100=2.5", param_hint=option)
        out[chip.strip()] = price.strip()
    return out


def _prices_file(path: Path) -> tuple[dict, dict]:
    """{chip: USD/h} or {price: {chip: USD/h}, purchase: {chip: USD}} from a YAML file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise click.ClickException(f"{path}: cannot read the prices ({exc})") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a mapping of chips to prices, e.g. `H100: 2.5`, or "
                                   "`price: {H100: 2.5}` and `purchase: {H100: 30000}`")
    from analysis.cost import PriceError, match_prices

    parts = {k: data.get(k) or {} for k in ("price", "purchase")} if set(data) <= {"price", "purchase"} \
        else {"price": data, "purchase": {}}
    for key, part in parts.items():
        if not isinstance(part, dict):
            raise click.ClickException(f"{path}: {key}: expected a mapping of chips to prices")
        try:  # the numbers now, with the file's name; the chips once the catalog is open
            match_prices(part, {str(chip): "" for chip in part}, key)
        except PriceError as exc:
            raise click.ClickException(f"{path}: {exc}") from None
    return {str(k): v for k, v in parts["price"].items()}, {str(k): v for k, v in parts["purchase"].items()}


@click.command(name="cost")
@click.option("--db", "db_url", envvar="CEGDB_DATABASE_URL", default=None,
              help="Database path or SQLAlchemy URL. Default: $CEGDB_DATABASE_URL, else ./cegdb.sqlite.")
@click.argument("models", nargs=-1)
@click.option("--price", "prices", multiple=True, metavar="CHIP=USD",
              help="Rental price per chip-hour for the cloud method (repeatable). CHIP is an id "
                   "(nvidia-h100-sxm) or words of an id or name (H100: every H100 variant).")
@click.option("--purchase", "purchases", multiple=True, metavar="CHIP=USD",
              help="Purchase price per chip, server share included, for the amortised method (repeatable).")
@click.option("--prices-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML with `price: {CHIP: USD}` and/or `purchase: {CHIP: USD}` (or a flat {CHIP: USD} of "
                   "rental prices); --price and --purchase override it.")
@click.option("--method", type=click.Choice(["cloud", "amortized", "both"]), default="both", show_default=True)
@click.option("--year", type=int, default=2024, show_default=True,
              help="Give costs in US dollars of this year (the price index FRED PCU518210518210, as Cottier "
                   "et al.); your own prices are taken as dollars of this year.")
@click.option("--nominal", is_flag=True, help="Nominal dollars of the release date: no price index.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
@click.option("--trend", is_flag=True, help="Also fit the growth per year of frontier training cost "
                                            "(top 10 by compute when released, since 2016), beside Cottier et al.'s.")
def cost_command(db_url, models, prices, purchases, prices_file, method, fmt, trend, year, nominal) -> None:
    """Training cost in dollars by the cloud and amortised methods, with bounds; with your own prices.

    Without prices, the catalog's estimates from Epoch's price series (the claims a build stores).
    With --price/--purchase, the chips you name are re-priced (your price, no bounds) and every
    other chip keeps the series' prices. Beside each model: the publisher's and Epoch's own figures
    where the catalog has them (in their own dollars). Our costs are in dollars of --year (docs/cost.md).

    \b
    Example:
        cegdb cost deepseek-v3 --price H800=2
        cegdb cost llama-3.1-405b deepseek-v3 --price H100=2.5 --price H800=2 --year 2023 --format json
        cegdb cost --purchase H100=25000 --method amortized --format csv > costs.csv
        cegdb cost --trend --method amortized
    """
    from sqlalchemy import text

    from analysis import cost as cost_model
    from analysis import cost_store

    given_prices, given_purchases = _prices_file(prices_file) if prices_file else ({}, {})
    given_prices.update(_pairs(prices, "--price"))
    given_purchases.update(_pairs(purchases, "--purchase"))
    url = db.database_url(db_url)
    path = db.sqlite_path(url)
    if path is not None and not path.exists():
        raise click.ClickException(f"{path}: no such database; run `cegdb build` first")
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            if "hardware_price" not in {r[0] for r in conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'" if engine.dialect.name == "sqlite"
                    else "SELECT table_name FROM information_schema.tables"))}:
                raise click.ClickException(f"{url}: no hardware_price table; rebuild with `cegdb build`")
            try:
                dollar_year = None if nominal else year
                estimates = cost_store.reprice(conn, model_ids=list(models) or None, prices=given_prices,
                                               purchases=given_purchases, year=dollar_year)
            except cost_model.PriceError as exc:
                raise click.ClickException(str(exc)) from None
            published = [p for p in cost_store.published_costs(conn, list(models) or None)
                         if p["origin"] != "derived:cegdb"]
            trend_result = None
            if trend:
                all_estimates = estimates if not models else cost_store.reprice(
                    conn, prices=given_prices, purchases=given_purchases, year=dollar_year)
                trend_method = "amortized" if method == "both" else method
                try:
                    trend_result = cost_store.frontier_trend(conn, all_estimates, method=trend_method)
                except ValueError as exc:
                    raise click.ClickException(f"trend: {exc}") from None
    finally:
        engine.dispose()
    if method != "both":
        estimates = [e for e in estimates if e.method == method]
    if models and not estimates:
        click.echo("no estimate: the models named need chip-hours (or chips x days), a known accelerator and "
                   "a price for it (see docs/cost.md)", err=True)
    rows = [{"model_id": e.model_id, "method": e.method, "field": e.field, "cost_usd": e.value,
             "lower_usd": e.lower, "upper_usd": e.upper, "user_priced": e.user_priced, "note": e.note}
            for e in estimates]
    if fmt == "json":
        payload = {"estimates": rows, "published": published}
        if trend_result is not None:
            payload["trend"] = _plain(trend_result)
        click.echo(json.dumps(payload, indent=2))
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["model_id"])
        writer.writeheader()
        writer.writerows(rows)
        return
    by_model: dict[str, list] = {}
    for row in rows:
        by_model.setdefault(row["model_id"], []).append(row)
    for mid, items in by_model.items():
        click.echo(mid)
        for row in items:
            bounds = "" if row["lower_usd"] == row["upper_usd"] else \
                f"  [{_usd(row['lower_usd'])} - {_usd(row['upper_usd'])}]"
            mark = " (your price)" if row["user_priced"] else ""
            click.echo(f"  {row['method']:<10} {_usd(row['cost_usd']):>10}{bounds}{mark}")
        for pub in (p for p in published if p["model_id"] == mid):
            click.echo(f"  {pub['field'].replace('training_cost_', '').replace('_usd', ''):<10} "
                       f"{_usd(pub['value_usd']):>10}  ({pub['origin']}: {pub['source_id']}, {pub['locator']})")
    if trend_result is not None:
        click.echo(_trend_text(trend_result))


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return float(value) if hasattr(value, "dtype") else value


def _usd(value: float) -> str:
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"${value / scale:.4g}{suffix}"
    return f"${value:.3g}"


def _trend_text(t: dict) -> str:
    g, lo, hi = COTTIER_GROWTH
    return (f"frontier training cost ({t['method']}, {t['n']} runs in the top {t['top_n']} by compute when "
            f"released, {t['first']:.1f}-{t['last']:.1f}): x{t['growth_per_year']:.2f} per year "
            f"({t['level']:.0%} CI x{t['lower']:.2f} to x{t['upper']:.2f}); Cottier et al. 2024: x{g} "
            f"({t['level']:.0%} CI x{lo} to x{hi}), amortised, constant dollars")
