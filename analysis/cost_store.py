"""Training-cost claims in the catalog: read the runs and prices, write the claims (docs/cost.md).

`derive_cost_claims` runs inside resolution (catalog.resolve.resolve's `derivers`, passed by the
build pipeline), after the model rows hold their resolved values, so that `conflict` and the
model's cost columns see the claims. `reprice` gives the same estimates with a reader's prices,
without writing anything (`cegdb cost`, `Catalog.costs`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from sqlalchemy import Connection, text

from analysis import cost
from catalog.resolve import DERIVED_ORIGIN, METHODS_SOURCE

FIELDS = ("training_cost_cloud_usd", "training_cost_amortized_usd")
# Epoch's and publishers' figures arrive as claims of these fields (reported or imported); ours
# sit beside them, so `conflict` lists where they part.
COMPARED_FIELDS = ("training_cost_cloud_usd", "training_cost_amortized_usd", "training_cost_upfront_usd")

RUNS_SQL = """
    SELECT m.id, m.hardware_id, m.gpu_hours, m.hardware_count, m.training_days, m.release_date,
           m.organization_id, h.name, h.kind, h.release_date, h.tdp_w
    FROM model m JOIN hardware h ON h.id = m.hardware_id
    WHERE m.release_date IS NOT NULL
      AND (m.gpu_hours IS NOT NULL OR (m.hardware_count IS NOT NULL AND m.training_days IS NOT NULL))
    ORDER BY m.id
"""


def _rows(conn, sql: str):
    """Rows of a query on a SQLAlchemy connection (build, CLI) or a sqlite3 one (cegdb.open)."""
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql).fetchall()
    return conn.execute(text(sql)).all()


def read_runs(conn: Connection, model_ids: list[str] | None = None) -> list[cost.Run]:
    """Models with a known accelerator, a release date and chip-hours (or chips x days)."""
    runs = []
    wanted = set(model_ids) if model_ids else None
    for (mid, hid, hours, count, days, released, org, hname, kind, hreleased, tdp) in _rows(conn, RUNS_SQL):
        if wanted is not None and mid not in wanted:
            continue
        if hours:
            chip_hours, how = hours, f"{hours:.6g} (the model's gpu_hours)"
        else:
            chip_hours = count * days * 24
            how = f"{count:g} chips x {days:g} days x 24 h = {chip_hours:.6g} (hardware_count x training_days)"
        runs.append(cost.Run(mid, hid, chip_hours, how, released, days, org, hname, kind, hreleased, tdp))
    return runs


def read_prices(conn: Connection) -> dict[str, list[cost.Price]]:
    prices: dict[str, list[cost.Price]] = defaultdict(list)
    rows = _rows(conn, """
        SELECT hardware_id, price_date, locator, provider, on_demand_usd_per_hour, commit_1y_usd_per_hour,
               commit_3y_usd_per_hour, purchase_usd, single_unit
        FROM hardware_price ORDER BY id""")
    for hid, date, locator, provider, od, c1, c3, purchase, single in rows:
        prices[hid].append(cost.Price(hid, date, locator, provider, od, c1, c3, purchase,
                                      None if single is None else bool(single)))
    return dict(prices)


def dollars(conn, year: int | None = cost.DOLLAR_YEAR, series: str = cost.INDEX_SERIES) -> cost.Dollars:
    """Dollars of `year` by the catalog's price index; nominal when the catalog has no index
    (a fixture, or a catalog built before the index was imported) or `year` is None."""
    index = {m: v for m, v in _rows(conn, f"SELECT month, value FROM price_index WHERE series = '{series}'")} \
        if _has_table(conn, "price_index") else {}
    if not index or year is None:
        return cost.Dollars()
    return cost.Dollars(year, index, series)


def _has_table(conn, name: str) -> bool:
    # Asked, not tried: a failed SELECT would abort the caller's PostgreSQL transaction.
    if isinstance(conn, sqlite3.Connection):
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() \
            is not None
    from sqlalchemy import inspect

    return inspect(conn).has_table(name)


def hardware_names(conn: Connection) -> dict[str, str]:
    return {hid: name for hid, name in _rows(conn, "SELECT id, name FROM hardware ORDER BY id")}


def derive_cost_claims(conn: Connection, next_id: int) -> tuple[int, tuple[str, ...]]:
    """Add our cloud and amortised cost claims (origin derived:cegdb). Returns (next id, fields)."""
    estimates = cost.estimate(read_runs(conn), read_prices(conn), dollars=dollars(conn))
    insert = text("""
        INSERT INTO claim (id, entity_type, entity_id, model_id, field, value_num, unit, lower, upper,
                           method, confidence, evidence, source_id, locator, origin, rank, note)
        VALUES (:id, 'model', :model_id, :model_id, :field, :value, 'USD', :lower, :upper, 'estimated', 'low',
                'unverified', :source_id, :locator, :origin, 'normal', :note)
    """)
    rows = []
    for made in estimates:
        rows.append({"id": next_id, "model_id": made.model_id, "field": made.field, "value": made.value,
                     "lower": made.lower, "upper": made.upper, "source_id": METHODS_SOURCE["id"],
                     "locator": f"docs/cost.md: {made.method} method", "origin": DERIVED_ORIGIN,
                     "note": made.note})
        next_id += 1
    if rows:
        conn.execute(insert, rows)
    return next_id, FIELDS


def reprice(conn: Connection, *, model_ids: list[str] | None = None, prices: dict | None = None,
            purchases: dict | None = None, year: int | None = cost.DOLLAR_YEAR) -> list[cost.CostEstimate]:
    """Both methods for the catalog's runs, with the reader's prices for the chips they name.

    `prices` / `purchases`: {chip: USD per chip-hour / USD per chip}; a chip is an id or words of
    one ("H100"). `year`: the dollars of the result (None: nominal). Raises cost.PriceError naming
    a bad input.
    """
    money = dollars(conn, year)
    names = hardware_names(conn)
    user_prices = cost.match_prices(prices or {}, names, "price")
    user_purchases = cost.match_prices(purchases or {}, names, "purchase")
    runs = read_runs(conn, model_ids)
    if model_ids:
        unknown = sorted(set(model_ids) - {r.model_id for r in runs})
        known = {m for (m,) in _rows(conn, "SELECT id FROM model")}
        missing = [m for m in unknown if m not in known]
        if missing:
            raise cost.PriceError(f"unknown model id(s): {', '.join(missing)}")
    return cost.estimate(runs, read_prices(conn), user_prices=user_prices, user_purchases=user_purchases,
                         dollars=money)


def published_costs(conn: Connection, model_ids: list[str] | None = None) -> list[dict]:
    """Every non-deprecated cost claim (ours, Epoch's, publishers'), with its source, for comparison."""
    rows = _rows(conn, f"""
        SELECT c.entity_id, c.field, c.value_num, c.lower, c.upper, c.method, c.origin, c.source_id, c.locator,
               c.quote
        FROM claim c
        WHERE c.entity_type = 'model' AND c.rank <> 'deprecated'
          AND c.field IN ({", ".join(f"'{f}'" for f in COMPARED_FIELDS)})
        ORDER BY c.entity_id, c.field, c.id""")
    wanted = set(model_ids or [])
    keys = ("model_id", "field", "value_usd", "lower_usd", "upper_usd", "method", "origin", "source_id", "locator",
            "quote")
    return [dict(zip(keys, r)) for r in rows if not wanted or r[0] in wanted]


FRONTIER_SQL = """
    SELECT id, release_date, training_compute_flop FROM model
    WHERE base_model_id IS NULL AND same_pretraining_as IS NULL
      AND release_date IS NOT NULL AND training_compute_flop IS NOT NULL
"""


def frontier_trend(conn, estimates: list, *, method: str = "amortized", since: str = "2016-01-01",
                   top_n: int = 10, level: float = 0.90) -> dict:
    """Growth per year of the cost of frontier runs, selected as Cottier et al. select them: in the
    top `top_n` by training compute when released, not fine-tunes, released on or after `since`."""
    models = [(m, d, c) for m, d, c in _rows(conn, FRONTIER_SQL)]
    chosen = cost.frontier(models, top_n)
    dates = {m: d for m, d, _ in models}
    points = sorted((dates[e.model_id], e.value, e.model_id) for e in estimates
                    if e.method == method and e.model_id in chosen
                    and cost.parse_date(dates[e.model_id]) >= cost.parse_date(since))
    result = cost.growth_per_year([(d, v) for d, v, _ in points], level)
    result.update(method=method, since=since, top_n=top_n, models=[m for _, _, m in points],
                  frontier_models=len(chosen))
    return result
