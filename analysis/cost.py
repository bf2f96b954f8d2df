"""Training cost in dollars by two methods, with bounds, and the growth of frontier training cost.

Pure functions (no database): `analysis/cost_store.py` reads the catalog and writes the claims.
The methods and every assumption, with its source, are in docs/cost.md.

* cloud: chip-hours x the rental price per chip-hour quoted near the time the hardware was
  obtained (Epoch's price series). Central value the median of the quotes, bounds the cheapest
  and dearest quote (providers and rental terms: on demand, 1- and 3-year commitments).
* amortised (Cottier et al. 2024, arXiv 2405.21015): the hardware's value at the start of
  training, depreciated at the rate ML GPU price-performance improves (0.14 orders of magnitude a
  year), spread over the chip-hours of the run; servers and cluster interconnect on top; plus
  energy at TDP x server power x average power draw x PUE x the year's electricity price. Bounds:
  the hardware price at 0.5x and 2x (their 90% credible interval for it).

Each estimate is a `derived_from` spec ({inputs, formula}) evaluated by catalog.derive.compute,
the evaluator curated derived claims go through, for the value and for each bound.
Dollars: those of one stated year (default 2024), restated from the model's release month with
the producer price index Cottier et al. use (FRED PCU518210518210); nominal where no index is given.

Constants from Cottier et al.'s released code, github.com/epoch-research/training-cost-trends
@ 263c40a159307e917213d1dc433c617e47d55bfe, cost_analysis_standalone.py (function named at each).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

from catalog.derive import compute

# --- assumptions (docs/cost.md lists each with its source) -------------------------------------

# get_training_start_date / get_acquisition_date: training starts 60 days plus the training time
# before publication; the hardware is obtained 60 days before that.
PUBLICATION_LAG_DAYS = 60
ACQUISITION_LEAD_DAYS = 60
# MEDIAN_TRAINING_TIME_DAYS: median of the running top-10 models, used when a run's time is unknown.
MEDIAN_TRAINING_DAYS = 793.5 / 24
# Cloud: quotes within a year of the acquisition date; with none, the nearest quote dates before
# and after it (find_closest_price_dates looks before, then after).
PRICE_WINDOW_DAYS = 365
# ... but never quotes more than three years away: the series' rental quotes start in 2017, and a
# 2012 run is not priced at a 2017 rate.
PRICE_MAX_DISTANCE_DAYS = 3 * 365
# ML_GPU_PRICE_PERFORMANCE_OOMS_PER_YEAR: hardware loses value as price-performance improves, and
# estimate_hardware_capex_energy_cost spreads its value at r x ln 10 per year (0.32/yr, i.e. a
# straight-line useful life of 1 / 0.322 = 3.1 years).
PRICE_PERFORMANCE_OOMS_PER_YEAR = 0.14
HOURS_PER_YEAR = 24 * 365.25
# CLUSTER_INTERCONNECT_COST_FRACTION: interconnect is 19% of the cluster's hardware cost.
INTERCONNECT_FRACTION = 0.19
# find_hardware_acquisition_price: a GPU is first bought no earlier than 90 days after release.
FIRST_PURCHASE_DAYS = 90
# get_server_cost_overhead: server price / chip price, applied to single-unit (chip-only) prices.
SERVER_OVERHEAD = {"a100": 1.66, "v100": 1.69, "p100": 1.54}
SERVER_OVERHEAD_DEFAULT = 1.64
# Cottier et al.'s uncertainty notebook: 90% credible interval of the hardware price, 0.5x to 2x.
PRICE_FACTOR_BOUNDS = (0.5, 2.0)
# chip_to_server_power: server power per chip / chip TDP (DGX H100 10.2 kW for 8 chips at 700 W;
# DGX A100 6.5 kW for 8 at 400 W; V100: mean of DGX-2 and DGX Station); TPUs by generation.
SERVER_POWER = {"h100": (10.2 / 8) / 0.7, "a100": (6.5 / 8) / 0.4,
                "v100": ((10 / 16) / 0.3 + (1.5 / 4) / 0.3) / 2}
TPU_SERVER_POWER = {"v1": 2.93, "v2": 1.64, "v3": 1.47}
TPU_SERVER_POWER_DEFAULT = 1.56
SERVER_POWER_DEFAULT = 1.8
# server_TDP_fraction: average draw during training as a share of server TDP.
POWER_FRACTION_GPU, POWER_FRACTION_TPU = 0.75, 0.43
# power_usage_effectiveness: hyperscalers' data centres 1.1, others 1.25.
HYPERSCALERS = ("google", "deepmind", "microsoft", "amazon", "meta", "facebook")
PUE_HYPERSCALER, PUE_OTHER = 1.1, 1.25
# energy_price: average US industrial electricity price, USD per kWh, by year.
ELECTRICITY_USD_PER_KWH = {
    2010: 0.0677, 2011: 0.0682, 2012: 0.0667, 2013: 0.0689, 2014: 0.0710, 2015: 0.0691, 2016: 0.0676,
    2017: 0.0688, 2018: 0.0692, 2019: 0.0681, 2020: 0.0667, 2021: 0.0718, 2022: 0.0832, 2023: 0.0806,
    2024: 0.0771, 2025: 0.0826,
}
# DEFAULT_CUD: a 3-year commitment's discount on the on-demand price, the average of AWS, Google
# Cloud and Azure (their 'Lambda Labs' row). A quote with no 3-year price also bounds the cloud cost
# below at on-demand x (1 - 0.56): frontier runs are rented on long commitments.
COMMIT_3Y_DISCOUNT = 0.56

# adjust_value_for_inflation: costs restated from the publication month with this index.
INDEX_SERIES = "PCU518210518210"
DOLLAR_YEAR = 2024  # the last full year of the index in the catalog

CLOUD_FORMULA = "chip_hours * usd_per_chip_hour * dollar_factor"
AMORTIZED_FORMULA = (
    "(purchase_usd * price_factor * server_overhead * 10 ** (-ooms_per_year * years_held)"
    " * ooms_per_year * ln10 / hours_per_year * chip_hours / (1 - interconnect_fraction)"
    " + chip_tdp_kw * server_power_ratio * power_fraction * pue * chip_hours * usd_per_kwh) * dollar_factor")
LN10 = "2.302585092994046"


class PriceError(ValueError):
    """A user's price that cannot be used: the message names the input."""


@dataclass(frozen=True)
class Dollars:
    """Restates nominal dollars of a month in dollars of `year` with a monthly index {YYYY-MM: value}.
    Without an index (or year None) dollars stay nominal."""

    year: int | None = None
    index: Mapping[str, float] = field(default_factory=dict)
    series: str = INDEX_SERIES

    def __post_init__(self):
        if self.year is not None:
            months = [m for m in self.index if m.startswith(f"{self.year}-")]
            if len(months) < 12:
                span = f"{min(self.index)} to {max(self.index)}" if self.index else "no months"
                raise PriceError(f"dollar year {self.year}: the price index {self.series} has {len(months)} of its "
                                 f"12 months (it covers {span})")

    def factor(self, when: dt.date) -> tuple[float, str]:
        """(multiplier, words) from dollars of `when`'s month to dollars of the year."""
        if self.year is None:
            return 1.0, "nominal USD (no price index)"
        target = statistics.fmean(v for m, v in self.index.items() if m.startswith(f"{self.year}-"))
        month = f"{when.year:04d}-{when.month:02d}"
        earlier = [m for m in self.index if m <= month]
        base = max(earlier) if earlier else min(self.index)
        value = round(target / self.index[base], 6)
        return value, (f"USD of {self.year}: x{value:g} = {self.series} {self.year} mean / {base} "
                       f"(the release month{'' if base == month else ', nearest index month'})")


@dataclass(frozen=True)
class Price:
    """One observation of Epoch's series (a hardware_price row)."""

    hardware_id: str
    date: str
    locator: str
    provider: str | None = None
    on_demand: float | None = None
    commit_1y: float | None = None
    commit_3y: float | None = None
    purchase: float | None = None
    single_unit: bool | None = None

    @property
    def rentals(self) -> list[float]:
        return [p for p in (self.on_demand, self.commit_1y, self.commit_3y) if p is not None]


@dataclass(frozen=True)
class Run:
    """What a cost needs to know about a model's training run."""

    model_id: str
    hardware_id: str
    chip_hours: float
    chip_hours_how: str
    release_date: str
    training_days: float | None = None
    organization_id: str | None = None
    hardware_name: str | None = None
    hardware_kind: str | None = None
    hardware_release_date: str | None = None
    tdp_w: float | None = None


@dataclass
class CostEstimate:
    model_id: str
    method: str  # "cloud" | "amortized"
    value: float
    lower: float
    upper: float
    explanation: str
    assumptions: str
    price_locators: list[str] = field(default_factory=list)
    user_priced: bool = False

    @property
    def field(self) -> str:
        return f"training_cost_{self.method}_usd"

    @property
    def note(self) -> str:
        rows = f" Price rows: {', '.join(self.price_locators)}." if self.price_locators else ""
        return f"{self.explanation}; bounds {self.lower:.6g}-{self.upper:.6g} USD. {self.assumptions}{rows}"


# --- dates ---------------------------------------------------------------------------------------

def parse_date(text: str) -> dt.date:
    """An ISO date; a year or year-month alone is read as its middle (July 1 / the 15th)."""
    parts = str(text).split("-")
    if len(parts) == 1:
        return dt.date(int(parts[0]), 7, 1)
    if len(parts) == 2:
        return dt.date(int(parts[0]), int(parts[1]), 15)
    return dt.date.fromisoformat(str(text)[:10])


def training_start(run: Run) -> dt.date:
    days = run.training_days if run.training_days else MEDIAN_TRAINING_DAYS
    return parse_date(run.release_date) - dt.timedelta(days=days + PUBLICATION_LAG_DAYS)


def acquisition_date(run: Run) -> dt.date:
    return training_start(run) - dt.timedelta(days=ACQUISITION_LEAD_DAYS)


# --- cloud ---------------------------------------------------------------------------------------

def quotes_near(prices: Iterable[Price], when: dt.date) -> list[Price]:
    """Rental quotes within PRICE_WINDOW_DAYS of `when`; with none, the nearest dates before and after."""
    rentals = [p for p in prices if p.rentals]
    near = [p for p in rentals if abs((parse_date(p.date) - when).days) <= PRICE_WINDOW_DAYS]
    if near or not rentals:
        return sorted(near, key=lambda p: (p.date, p.locator))
    rentals = [p for p in rentals if abs((parse_date(p.date) - when).days) <= PRICE_MAX_DISTANCE_DAYS]
    before = [p for p in rentals if parse_date(p.date) <= when]
    after = [p for p in rentals if parse_date(p.date) > when]
    chosen = []
    if before:
        last = max(p.date for p in before)
        chosen += [p for p in before if p.date == last]
    if after:
        first = min(p.date for p in after)
        chosen += [p for p in after if p.date == first]
    return sorted(chosen, key=lambda p: (p.date, p.locator))


def cloud_cost(run: Run, prices: Iterable[Price], user_price: float | None = None,
               dollars: Dollars = Dollars()) -> CostEstimate | None:
    """Chip-hours x rental price; None when the series has no rental quote for the chip."""
    factor, dollar_words = dollars.factor(parse_date(run.release_date))
    if user_price is not None:
        factor, dollar_words = 1.0, f"your price, taken as USD of {dollars.year or 'your choice'}"
        central = lower = upper = Decimal(repr(float(user_price)))
        locators, why = [], f"price {user_price:g} USD per chip-hour given by the user"
    else:
        when = acquisition_date(run)
        quotes = quotes_near(prices, when)
        if not quotes:
            return None
        values = sorted(Decimal(repr(v)) for q in quotes for v in q.rentals)
        implied = [Decimal(repr(q.on_demand)) * (1 - Decimal(repr(COMMIT_3Y_DISCOUNT)))
                   for q in quotes if q.on_demand is not None and q.commit_3y is None]
        central, lower, upper = statistics.median(values), min(values + implied), values[-1]
        locators = [q.locator for q in quotes]
        span = f"{quotes[0].date} to {quotes[-1].date}"
        why = (f"median of {len(values)} rental quote(s) for {run.hardware_id} dated {span} (on demand and "
               f"1-/3-year commitments), near the hardware acquisition date {when} (release {run.release_date} "
               f"- training time - {PUBLICATION_LAG_DAYS + ACQUISITION_LEAD_DAYS} d); upper bound the dearest "
               f"quote, lower bound the cheapest quote or an on-demand quote less the average 3-year commitment "
               f"discount of {COMMIT_3Y_DISCOUNT:.0%}")
    value, explanation = _evaluate(CLOUD_FORMULA, chip_hours=run.chip_hours, usd_per_chip_hour=central,
                                   dollar_factor=factor)
    low, _ = _evaluate(CLOUD_FORMULA, chip_hours=run.chip_hours, usd_per_chip_hour=lower, dollar_factor=factor)
    high, _ = _evaluate(CLOUD_FORMULA, chip_hours=run.chip_hours, usd_per_chip_hour=upper, dollar_factor=factor)
    assumptions = f"Cloud method (docs/cost.md): {why}; chip-hours {run.chip_hours_how}; {dollar_words}."
    return CostEstimate(run.model_id, "cloud", value, low, high, explanation, assumptions, locators,
                        user_priced=user_price is not None)


# --- amortised hardware and energy ---------------------------------------------------------------

def _family(run: Run, table: Mapping[str, float], default: float) -> float:
    text = f"{run.hardware_id} {run.hardware_name or ''}".lower()
    return next((v for k, v in table.items() if k in text), default)


def is_tpu(run: Run) -> bool:
    return run.hardware_kind == "tpu" or "tpu" in run.hardware_id


def server_power_ratio(run: Run) -> float:
    if is_tpu(run):
        return next((v for k, v in TPU_SERVER_POWER.items() if re.search(rf"tpu[- ]?{k}\b", run.hardware_id)),
                    TPU_SERVER_POWER_DEFAULT)
    # The H800 is an H100 with a cut interconnect, in the same 8-GPU servers (DGX H800).
    text = run.hardware_id.replace("h800", "h100")
    return next((v for k, v in SERVER_POWER.items() if k in text), SERVER_POWER_DEFAULT)


def pue(organization_id: str | None) -> float:
    org = (organization_id or "").lower()
    return PUE_HYPERSCALER if any(h in org for h in HYPERSCALERS) else PUE_OTHER


def electricity_price(year: int) -> float:
    years = sorted(ELECTRICITY_USD_PER_KWH)
    return ELECTRICITY_USD_PER_KWH[min(max(year, years[0]), years[-1])]


def purchase_price(prices: Iterable[Price]) -> Price | None:
    """The earliest purchase price of the chip, a server's per-chip price before a bare chip's
    (Cottier et al. take the earliest price and prefer DGX servers)."""
    bought = [p for p in prices if p.purchase is not None]
    if not bought:
        return None
    return min(bought, key=lambda p: (bool(p.single_unit), p.date, p.locator))


def amortized_cost(run: Run, prices: Iterable[Price], user_purchase: float | None = None,
                   dollars: Dollars = Dollars()) -> CostEstimate | None:
    """Cottier et al.'s amortised hardware CapEx plus energy; None without a purchase price."""
    prices = list(prices)
    start = training_start(run)
    factor, dollar_words = dollars.factor(parse_date(run.release_date))
    if user_purchase is not None:
        factor, dollar_words = 1.0, f"your price, taken as USD of {dollars.year or 'your choice'}"
    if user_purchase is not None:
        purchase, overhead, acquired, locators = float(user_purchase), 1.0, start, []
        bought = f"purchase price {user_purchase:g} USD per chip (with its server share) given by the user"
    else:
        row = purchase_price(prices)
        if row is None:
            return None
        purchase, locators = row.purchase, [row.locator]
        overhead = _family(run, SERVER_OVERHEAD, SERVER_OVERHEAD_DEFAULT) if row.single_unit else 1.0
        acquired = parse_date(row.date)
        if run.hardware_release_date and not is_tpu(run):
            acquired = max(acquired, parse_date(run.hardware_release_date) + dt.timedelta(days=FIRST_PURCHASE_DAYS))
        kind = f"chip alone, x server overhead {overhead:g}" if row.single_unit else "server price per chip"
        bought = f"purchase price {purchase:g} USD per chip ({row.date}, {kind})"
    # A GPU is used only once bought (Cottier et al. move the start to the acquisition date; TPUs
    # could be used before their public release): no depreciation when the price is dated later.
    years_held = max(0.0, (start - acquired).days / 365.25)
    tdp_kw = (run.tdp_w or 0.0) / 1000.0
    inputs = dict(purchase_usd=purchase, server_overhead=overhead, ooms_per_year=PRICE_PERFORMANCE_OOMS_PER_YEAR,
                  years_held=round(years_held, 6), ln10=LN10, hours_per_year=HOURS_PER_YEAR,
                  chip_hours=run.chip_hours, interconnect_fraction=INTERCONNECT_FRACTION, chip_tdp_kw=tdp_kw,
                  server_power_ratio=round(server_power_ratio(run), 6),
                  power_fraction=POWER_FRACTION_TPU if is_tpu(run) else POWER_FRACTION_GPU,
                  pue=pue(run.organization_id), usd_per_kwh=electricity_price(parse_date(run.release_date).year),
                  dollar_factor=factor)
    value, explanation = _evaluate(AMORTIZED_FORMULA, price_factor=1, **inputs)
    low, _ = _evaluate(AMORTIZED_FORMULA, price_factor=PRICE_FACTOR_BOUNDS[0], **inputs)
    high, _ = _evaluate(AMORTIZED_FORMULA, price_factor=PRICE_FACTOR_BOUNDS[1], **inputs)
    energy = "" if run.tdp_w else " Energy left out: the chip's TDP is not in the catalog."
    assumptions = (f"Amortised method after Cottier et al. 2024 (docs/cost.md): {bought}, held {years_held:.2f} y "
                   f"from {acquired} to the training start {start} (none when the price is dated later), "
                   f"depreciated at {PRICE_PERFORMANCE_OOMS_PER_YEAR} OOM/y and spread at that rate x ln 10 per "
                   f"year (a 3.1-year straight-line life); interconnect "
                   f"{INTERCONNECT_FRACTION:.0%} of cluster hardware; PUE {inputs['pue']} "
                   f"({'hyperscaler' if inputs['pue'] == PUE_HYPERSCALER else 'other operator'}); electricity "
                   f"{inputs['usd_per_kwh']} USD/kWh (US industrial, {parse_date(run.release_date).year}); bounds: "
                   f"hardware price x{PRICE_FACTOR_BOUNDS[0]:g} and x{PRICE_FACTOR_BOUNDS[1]:g}; chip-hours "
                   f"{run.chip_hours_how}; {dollar_words}.{energy}")
    return CostEstimate(run.model_id, "amortized", value, low, high, explanation, assumptions, locators,
                        user_priced=user_purchase is not None)


def _evaluate(formula: str, **inputs) -> tuple[float, str]:
    """catalog.derive.compute on {inputs, formula}: the loader's evaluator, in decimal."""
    spec = {"inputs": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in inputs.items()},
            "formula": formula}
    return compute(spec)


# --- a reader's own prices -------------------------------------------------------------------------

def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", text.lower()) if t]


def match_prices(given: Mapping[str, object], hardware: Mapping[str, str], what: str = "price") -> dict[str, float]:
    """{hardware id: price} from a reader's {chip: price}; a chip key is an id or words of an id or
    name ("H100" prices every H100 variant; an exact id wins over a partial match).

    Raises PriceError naming the input for a negative, non-numeric or unknown chip.
    """
    out: dict[str, tuple[int, float]] = {}
    for key, raw in given.items():
        try:
            price = float(str(raw).strip().lstrip("$"))
        except ValueError:
            raise PriceError(f"{what} {key}={raw!r}: not a number (write e.g. {key}=2.5)") from None
        if not math.isfinite(price) or price < 0:
            raise PriceError(f"{what} {key}={raw!r}: a price must be a finite number of dollars, not negative")
        wanted = _tokens(str(key))
        if not wanted:
            raise PriceError(f"{what} {key!r}={raw}: name a chip (an id such as nvidia-h100-sxm, or H100)")
        matched = []
        for hid, name in hardware.items():
            if hid == str(key).strip():
                matched.append((hid, 2))
                continue
            for tokens in (_tokens(hid), _tokens(name or "")):
                if any(tokens[i:i + len(wanted)] == wanted for i in range(len(tokens) - len(wanted) + 1)):
                    matched.append((hid, 1))
                    break
        if not matched:
            raise PriceError(f"{what} {key}={raw}: unknown chip {key!r}: no accelerator id or name in the catalog "
                             "contains it (e.g. nvidia-h100-sxm, H100, A100, TPU v4)")
        for hid, strength in matched:
            if hid not in out or strength > out[hid][0]:
                out[hid] = (strength, price)
    return {hid: price for hid, (_, price) in out.items()}


def estimate(runs: Iterable[Run], prices: Mapping[str, list[Price]], *,
             user_prices: Mapping[str, float] | None = None,
             user_purchases: Mapping[str, float] | None = None, dollars: Dollars = Dollars()) -> list[CostEstimate]:
    """Both methods for every run that can be priced; a reader's prices replace the series' for
    the chips they name."""
    out = []
    for run in runs:
        if run.hardware_release_date and parse_date(run.hardware_release_date) > parse_date(run.release_date):
            continue  # a chip released after the model: the inputs contradict each other, no estimate
        series = prices.get(run.hardware_id, [])
        for made in (cloud_cost(run, series, (user_prices or {}).get(run.hardware_id), dollars),
                     amortized_cost(run, series, (user_purchases or {}).get(run.hardware_id), dollars)):
            if made is not None:
                out.append(made)
    return out


# --- the trend of frontier training cost ---------------------------------------------------------

def frontier(models: Iterable[tuple[str, str, float]], top_n: int = 10) -> set[str]:
    """Ids of models in the top `top_n` by training compute among models released up to their
    release date (Cottier et al.: 'in the top 10 in terms of training compute when they were
    released'; Epoch's 'Compute rank when published')."""
    rows = sorted((parse_date(d), c, m) for m, d, c in models if d and c and c > 0)
    seen: list[float] = []  # computes released so far, sorted: n log n, not n^2 (100,000 models)
    chosen = set()
    for _, group in itertools.groupby(rows, key=lambda r: r[0]):
        group = list(group)
        for _, compute_flop, _ in group:  # same-day releases count each other
            bisect.insort(seen, compute_flop)
        for _, compute_flop, model_id in group:
            if len(seen) - bisect.bisect_right(seen, compute_flop) < top_n:
                chosen.add(model_id)
    return chosen


def decimal_year(date: dt.date) -> float:
    start = dt.date(date.year, 1, 1)
    return date.year + (date - start).days / ((dt.date(date.year + 1, 1, 1) - start).days)


def growth_per_year(points: Iterable[tuple[str, float]], level: float = 0.90) -> dict:
    """Least squares of log10(cost) on the date: growth factor per year with its `level` interval
    (t distribution on the slope). Needs three points or more."""
    from scipy import stats

    pts = [(decimal_year(parse_date(d)), math.log10(c)) for d, c in points if c and c > 0]
    if len(pts) < 3:
        raise ValueError(f"a trend needs at least 3 costs, got {len(pts)}")
    xs, ys = zip(*pts)
    fit = stats.linregress(xs, ys)
    t = stats.t.ppf(0.5 + level / 2, len(pts) - 2)
    slope, half = fit.slope, t * fit.stderr
    return {"n": len(pts), "growth_per_year": 10 ** slope, "lower": 10 ** (slope - half),
            "upper": 10 ** (slope + half), "level": level, "slope_log10_per_year": slope,
            "first": min(xs), "last": max(xs)}
