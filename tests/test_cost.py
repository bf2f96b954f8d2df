"""Training cost (issue 19): both methods on planted inputs, the trend, the price import and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import pytest
from click.testing import CliRunner

from analysis import cost
from conftest import TOY_MOE, rows, write_catalog
from scrapers.generated import restamp  # every generated file carries its entry count and digest

# --- the cloud method ----------------------------------------------------------------------------

RUN = cost.Run("m", "chip-a", 1.5e6, "planted", "2024-05-01")


def _price(date, locator, **prices):
    return cost.Price("chip-a", date, locator, **prices)


def test_cloud_cost_is_chip_hours_times_the_median_quote_with_cheapest_and_dearest_as_bounds():
    # Acquisition date: 2024-05-01 - 33.06 d (median training time) - 60 - 60 d = 2023-11-30.
    assert cost.acquisition_date(RUN) == dt.date(2023, 11, 30)
    prices = [_price("2023-10-01", "row 2", on_demand=2.0, commit_3y=1.0), _price("2024-01-01", "row 3", on_demand=3.0),
              _price("2020-01-01", "row 4", on_demand=50.0)]  # more than a year away: not near
    made = cost.cloud_cost(RUN, prices)
    # Lower bound: the 3-year quote (1.0) beats row 3's on-demand 3.0 less the 56% commitment discount (1.32).
    assert (made.value, made.lower, made.upper) == (3.0e6, 1.5e6, 4.5e6)
    assert made.price_locators == ["row 2", "row 3"]
    assert "chip_hours * usd_per_chip_hour" in made.note and "row 4" not in made.note


def test_cloud_cost_without_a_quote_within_a_year_uses_the_nearest_dates_before_and_after():
    prices = [_price("2021-01-01", "row 2", on_demand=1.0), _price("2021-06-01", "row 3", on_demand=4.0),
              _price("2026-01-01", "row 4", on_demand=6.0), _price("2026-06-01", "row 5", on_demand=9.0)]
    made = cost.cloud_cost(RUN, prices)
    assert made.price_locators == ["row 3", "row 4"]
    # On-demand quotes only: the lower bound is the cheapest less the 3-year commitment discount.
    assert (made.value, made.upper) == (1.5e6 * 5.0, 1.5e6 * 6.0)
    assert made.lower == pytest.approx(1.5e6 * 4.0 * (1 - 0.56), rel=1e-12)


def test_a_chip_without_rental_quotes_gets_no_cloud_cost():
    assert cost.cloud_cost(RUN, [_price("2023-10-01", "row 2", purchase=10000.0)]) is None
    # Quotes more than three years from the acquisition date price nothing.
    assert cost.cloud_cost(RUN, [_price("2019-01-01", "row 2", on_demand=1.0)]) is None


def test_a_run_on_a_chip_released_after_the_model_gets_no_estimate():
    prices = {"chip-a": [_price("2023-10-01", "row 2", on_demand=2.0, purchase=9000.0)]}
    late = cost.Run("m", "chip-a", 1.0e6, "planted", "2012-01-01", hardware_release_date="2016-04-05")
    assert cost.estimate([late], prices) == []
    assert len(cost.estimate([RUN], prices)) == 2


def test_deepseek_v3_at_two_dollars_per_h800_hour_reproduces_its_5_576m_exactly():
    run = cost.Run("deepseek-v3", "nvidia-h800", 2.788e6, "gpu_hours", "2024-12-26")
    made = cost.cloud_cost(run, [], user_price=2)
    assert made.value == 5_576_000.0 and made.lower == made.upper == made.value and made.user_priced


def test_costs_are_restated_in_dollars_of_the_stated_year_from_the_release_month():
    index = {f"2023-{m:02d}": 100.0 for m in range(1, 13)} | {f"2024-{m:02d}": 110.0 for m in range(1, 13)}
    index["2024-05"] = 125.0  # the release month; 2024's mean is (11 x 110 + 125) / 12
    dollars = cost.Dollars(2023, index)
    made = cost.cloud_cost(RUN, [_price("2023-10-01", "row 2", on_demand=2.0)], dollars=dollars)
    assert made.value == pytest.approx(1.5e6 * 2.0 * 100.0 / 125.0, rel=1e-6)
    assert "USD of 2023" in made.note and "2024-05" in made.note
    # A reader's price is taken in dollars of the stated year: not restated.
    assert cost.cloud_cost(RUN, [], user_price=2, dollars=dollars).value == 3.0e6
    assert cost.cloud_cost(RUN, [_price("2023-10-01", "row 2", on_demand=2.0)]).value == 3.0e6  # nominal
    with pytest.raises(cost.PriceError, match="dollar year 2030: the price index PCU518210518210 has 0 of its 12"):
        cost.Dollars(2030, index)


# --- the amortised method ------------------------------------------------------------------------

def test_amortized_cost_follows_cottier_et_al_formula():
    run = cost.Run("m", "nvidia-a100-80gb", 1.0e6, "planted", "2024-05-01", training_days=40,
                   organization_id="google", hardware_release_date="2023-01-01", tdp_w=400)
    purchase = _price("2022-06-01", "row 9", purchase=10000.0, single_unit=True)
    made = cost.amortized_cost(run, [purchase])
    # By hand: bought no earlier than release + 90 d; training starts 40 + 60 d before release.
    acquired = dt.date(2023, 1, 1) + dt.timedelta(days=90)
    start = dt.date(2024, 5, 1) - dt.timedelta(days=100)
    years = (start - acquired).days / 365.25
    value = 10000 * 1.66 * 10 ** (-0.14 * years)  # single-unit A100: server overhead 1.66
    hardware = value * 0.14 * math.log(10) / (24 * 365.25) * 1.0e6 / (1 - 0.19)
    energy = 0.4 * (6.5 / 8) / 0.4 * 0.75 * 1.1 * 1.0e6 * 0.0771  # kW x server ratio x draw x PUE x h x $/kWh
    assert made.value == pytest.approx(hardware + energy, rel=1e-6)
    assert made.lower == pytest.approx(hardware * 0.5 + energy, rel=1e-6)
    assert made.upper == pytest.approx(hardware * 2 + energy, rel=1e-6)
    assert made.price_locators == ["row 9"] and "PUE 1.1" in made.note


def test_amortized_cost_prefers_a_server_price_and_leaves_out_energy_without_a_tdp():
    run = cost.Run("m", "chip-a", 1.0e6, "planted", "2024-05-01", organization_id="startup")
    prices = [_price("2021-01-01", "row 2", purchase=5000.0, single_unit=True),
              _price("2023-01-01", "row 3", purchase=8000.0, single_unit=False)]
    made = cost.amortized_cost(run, prices)
    assert made.price_locators == ["row 3"]
    start = dt.date(2024, 5, 1) - dt.timedelta(days=cost.MEDIAN_TRAINING_DAYS + 60)
    years = (start - dt.date(2023, 1, 1)).days / 365.25
    expected = 8000 * 10 ** (-0.14 * years) * 0.14 * math.log(10) / (24 * 365.25) * 1.0e6 / 0.81
    assert made.value == pytest.approx(expected, rel=1e-6)
    assert "Energy left out" in made.note
    assert cost.amortized_cost(run, [_price("2023-01-01", "row 4", on_demand=2.0)]) is None


# --- a reader's prices ---------------------------------------------------------------------------

HARDWARE = {"nvidia-h100-sxm": "NVIDIA H100 SXM5 (80 GB)", "nvidia-h100-pcie": "NVIDIA H100 PCIe",
            "nvidia-h800": "NVIDIA H800 SXM5", "google-tpu-v4": "Google TPU v4"}


def test_a_chip_key_prices_every_variant_and_an_exact_id_wins():
    assert cost.match_prices({"H100": 2.5}, HARDWARE) == {"nvidia-h100-sxm": 2.5, "nvidia-h100-pcie": 2.5}
    assert cost.match_prices({"H100": "2.5", "nvidia-h100-pcie": 1}, HARDWARE) == \
        {"nvidia-h100-sxm": 2.5, "nvidia-h100-pcie": 1.0}
    assert cost.match_prices({"TPU v4": 3}, HARDWARE) == {"google-tpu-v4": 3.0}


@pytest.mark.parametrize("given, message", [
    ({"H100": -2}, "H100=-2: a price must be a finite number of dollars, not negative"),
    ({"H100": "two"}, "H100='two': not a number"),
    ({"H1000": 2}, "unknown chip 'H1000'"),
    ({"H100": "nan"}, "a price must be a finite number"),
])
def test_bad_prices_are_errors_naming_the_input(given, message):
    with pytest.raises(cost.PriceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cost.match_prices(given, HARDWARE)


# --- the trend -----------------------------------------------------------------------------------

def test_frontier_is_the_top_n_by_compute_among_models_released_so_far():
    models = [("a", "2016-01-01", 1e20), ("b", "2017-01-01", 1e19), ("c", "2018-01-01", 1e21),
              ("d", "2019-01-01", 5e19), ("e", "2019-06-01", 2e21)]
    # top 2: b is second of two when released; d is third (after c, a) and e is first.
    assert cost.frontier(models, top_n=2) == {"a", "b", "c", "e"}


def test_growth_per_year_recovers_a_planted_2_4x_with_an_interval_that_covers_it():
    rng = random.Random(7)
    points = []
    for i in range(40):
        year = 2016 + i * 0.22
        date = dt.date(int(year), 1, 1) + dt.timedelta(days=int((year % 1) * 365))
        points.append((date.isoformat(), 1e5 * 2.4 ** (year - 2016) * 10 ** rng.gauss(0, 0.3)))
    fit = cost.growth_per_year(points, level=0.90)
    assert fit["n"] == 40
    assert fit["growth_per_year"] == pytest.approx(2.4, rel=0.15)
    assert fit["lower"] < 2.4 < fit["upper"]
    assert fit["lower"] < fit["growth_per_year"] < fit["upper"]
    flat = cost.growth_per_year([(d, 1e6) for d, _ in points[:10]])
    assert flat["growth_per_year"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 3"):
        cost.growth_per_year(points[:2])


# --- the price series: parser, generated layer, build ------------------------------------------------

CSV_HEADER = ("Price source,Price date,Hardware model,Manufacturer,Vendor,Location,Price per chip-hour (on-demand),"
              "Price per chip-hour (1-year CUD),Price per chip-hour (3-year CUD),Price (hardware purchase),Notes,"
              "Cloud GPU description,Number of GPUs\n")


def test_price_parser_reads_rows_and_refuses_negative_and_unreadable_prices_by_row():
    from scrapers.parsers.epoch_prices import parse_epoch_prices

    text = CSV_HEADER + (
        "https://a.example/1,2023-06-20,ChipCo X100,ChipCo,Cloudy,US,1.99,,,,,,1\n"
        "https://a.example/2,2023-06-01,ChipCo X100,ChipCo,,,,,,\"25,000.00\",Single-unit list price,,1\n"
        "https://a.example/3,2023-07-01,ChipCo X100,ChipCo,Cloudy,US,-1.00,,,,,,1\n"
        "https://a.example/4,2023-07-01,ChipCo X100,ChipCo,Cloudy,US,cheap,,,,,,1\n"
        "https://a.example/5,July 2023,ChipCo X100,ChipCo,Cloudy,US,1.00,,,,,,1\n")
    parsed = parse_epoch_prices(text, "prices.csv")
    first, second = parsed["prices"][:2]
    assert (first["row"], first["on_demand_usd_per_hour"], first["provider"]) == (2, 1.99, "Cloudy")
    assert (second["purchase_usd"], second["single_unit"]) == (25000.0, True)
    errors = {e["row"]: e for e in parsed["row_errors"]}
    assert errors[4]["field"] == "Price per chip-hour (on-demand)" and "'-1.00'" in errors[4]["message"]
    assert errors[5]["field"] == "Price per chip-hour (on-demand)" and "'cheap'" in errors[5]["message"]
    assert errors[6]["field"] == "date"


def _price_file(prices: str) -> str:
    return restamp(f"""\
# Generated by `cegdb scrape epoch-prices`; do not edit.
generated_by: cegdb scrape epoch-prices
origin: import:test
retrieved:
- {{url: https://example.org/prices.csv, sha256: abc, retrieved_on: '2025-11-28', route: direct}}
sources:
- {{id: test-prices, kind: dataset, title: Test prices, year: 2025, url: https://example.org/prices.csv}}
hardware_prices:
{prices}""")


PRICES = """\
- {id: row-0002, hardware: chipco-x100, chip_name: ChipCo X100, date: '2023-10-01', locator: row 2,
   on_demand_usd_per_hour: 2.0, commit_3y_usd_per_hour: 1.0}
- {id: row-0003, hardware: chipco-x100, chip_name: ChipCo X100, date: '2024-01-01', locator: row 3,
   on_demand_usd_per_hour: 3.0}
- {id: row-0004, hardware: chipco-x100, chip_name: ChipCo X100, date: '2023-06-01', locator: row 4,
   purchase_usd: 20000, single_unit: false}
"""


@pytest.fixture
def priced_db(tmp_path):
    from cegdb.pipeline import build

    reported = TOY_MOE.replace("  attention:", "  training_cost_cloud_usd: {value: 1M, source: toy2024paper, "
                                               "locator: Table 9, confidence: high, quote: \"$1M\"}\n  attention:")
    datasets = write_catalog(tmp_path, **{"imported/test/prices.yaml": _price_file(PRICES),
                                          "models/toylab/toy-moe.yaml": reported})
    path = tmp_path / "cat.sqlite"
    build(datasets, f"sqlite:///{path}")
    return path


def test_build_stores_both_estimates_with_bounds_beside_the_reported_figure(priced_db):
    claims = dict(((f, o), (v, lo, hi)) for f, o, v, lo, hi in rows(
        priced_db, "SELECT field, origin, value_num, lower, upper FROM claim WHERE field LIKE 'training_cost%'"))
    assert claims[("training_cost_cloud_usd", "derived:cegdb")] == (3.0e6, 1.5e6, 4.5e6)
    assert claims[("training_cost_cloud_usd", "curated")][0] == 1.0e6
    start, acquired = dt.date(2024, 5, 1) - dt.timedelta(days=cost.MEDIAN_TRAINING_DAYS + 60), dt.date(2023, 6, 1)
    years = (start - acquired).days / 365.25
    expected = 20000 * 10 ** (-0.14 * years) * 0.14 * math.log(10) / (24 * 365.25) * 1.5e6 / 0.81
    value, lower, upper = claims[("training_cost_amortized_usd", "derived:cegdb")]
    assert value == pytest.approx(expected, rel=1e-6) and lower < value < upper
    # The reported figure wins the model's column; ours stays beside it, and the conflict shows it.
    assert rows(priced_db, "SELECT training_cost_cloud_usd, training_cost_amortized_usd FROM model "
                           "WHERE id = 'toy-moe'") == [(1.0e6, pytest.approx(expected, rel=1e-6))]
    assert rows(priced_db, "SELECT count(*) FROM conflict WHERE field = 'training_cost_cloud_usd'") == [(1,)]
    assert rows(priced_db, "SELECT count(*) FROM hardware_price") == [(3,)]


INDEX = restamp("""\
# Generated by `cegdb scrape price-index`; do not edit.
generated_by: cegdb scrape price-index
origin: import:fred
retrieved:
- {url: https://fred.stlouisfed.org/series/PCU518210518210, sha256: abc, retrieved_on: '2025-11-28', route: direct}
sources:
- {id: fred-pcu518210518210, kind: dataset, title: PPI, url: https://fred.stlouisfed.org/series/PCU518210518210}
price_index:
""" + "".join(f"- {{id: '2024-{m:02d}', series: PCU518210518210, value: {100 if m == 5 else 110}}}\n"
              for m in range(1, 13)))


def test_build_gives_costs_in_dollars_of_2024_with_the_price_index_and_refuses_a_bad_year(tmp_path):
    from cegdb.cli import main
    from cegdb.pipeline import build

    datasets = write_catalog(tmp_path, **{"imported/test/prices.yaml": _price_file(PRICES),
                                          "imported/fred/index.yaml": INDEX})
    path = tmp_path / "cat.sqlite"
    build(datasets, f"sqlite:///{path}")
    factor = round((11 * 110 + 100) / 12 / 100, 6)  # 2024 mean over May 2024, the release month
    ((value, lower, upper, note),) = rows(path, "SELECT value_num, lower, upper, note FROM claim "
                                                "WHERE field = 'training_cost_cloud_usd' AND origin = 'derived:cegdb'")
    assert (value, lower, upper) == pytest.approx((3.0e6 * factor, 1.5e6 * factor, 4.5e6 * factor), rel=1e-9)
    assert "USD of 2024" in note
    nominal = CliRunner().invoke(main, ["cost", "--db", str(path), "toy-moe", "--nominal", "--method", "cloud",
                                        "--format", "json"])
    assert json.loads(nominal.output)["estimates"][0]["cost_usd"] == 3.0e6
    bad = CliRunner().invoke(main, ["cost", "--db", str(path), "--year", "2030"])
    assert bad.exit_code != 0 and "dollar year 2030" in bad.output


def test_a_negative_price_in_the_generated_layer_stops_the_build_naming_file_line_and_field(tmp_path):
    from catalog.build import BuildFailed
    from cegdb.pipeline import build

    bad = PRICES.replace("on_demand_usd_per_hour: 3.0", "on_demand_usd_per_hour: -3.0")
    datasets = write_catalog(tmp_path, **{"imported/test/prices.yaml": _price_file(bad)})
    with pytest.raises(BuildFailed) as failed:
        build(datasets, f"sqlite:///{tmp_path / 'cat.sqlite'}")
    text = "\n".join(str(p) for p in failed.value.problems)
    assert "imported/test/prices.yaml:" in text and "on_demand_usd_per_hour" in text and "negative" in text


def test_cli_reprices_with_the_readers_price_and_refuses_bad_ones(priced_db):
    from cegdb.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["cost", "--db", str(priced_db), "toy-moe", "--price", "X100=2", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    cloud = next(e for e in data["estimates"] if e["method"] == "cloud")
    assert cloud["cost_usd"] == 3.0e6 and cloud["user_priced"]
    assert [p["value_usd"] for p in data["published"]] == [1.0e6]
    for args, message in ((["--price", "X100=-1"], "X100='-1'"), (["--price", "X100=abc"], "not a number"),
                          (["--price", "Z9=1"], "unknown chip 'Z9'"), (["--price", "X100"], "CHIP=USD"),
                          (["--purchase", "X100=-5"], "purchase X100='-5'")):
        bad = runner.invoke(main, ["cost", "--db", str(priced_db), *args])
        assert bad.exit_code != 0 and message in bad.output, (args, bad.output)
    text = runner.invoke(main, ["cost", "--db", str(priced_db)])
    assert "toy-moe" in text.output and "$3M" in text.output and "[$1.5M - $4.5M]" in text.output


def test_python_api_gives_the_same_numbers_as_the_cli(priced_db):
    import cegdb

    with cegdb.open(priced_db) as cat:
        frame = cat.costs("Toy-MoE", prices={"chipco-x100": 1})
        assert frame.set_index("method").loc["cloud", "cost_usd"] == 1.5e6
        assert cat.models().set_index("id").loc["toy-moe", "training_cost_cloud_usd"] == 1.0e6
        with pytest.raises(cost.PriceError, match="unknown chip"):
            cat.costs(prices={"nothing": 1})


def test_report_has_the_cost_figure(priced_db, tmp_path):
    from sqlalchemy import create_engine

    from analysis.figures import write_report

    engine = create_engine(f"sqlite:///{priced_db}")
    try:
        with engine.connect() as conn:
            page = write_report(conn, tmp_path / "report")
    finally:
        engine.dispose()
    assert (tmp_path / "report" / "training_cost_over_time.svg").stat().st_size > 1000
    assert "training_cost_over_time.svg" in page.read_text()


def test_fred_parser_reads_months_skips_missing_and_names_bad_lines():
    from scrapers.errors import ParseError
    from scrapers.parsers.fred import parse_fred_series

    parsed = parse_fred_series("observation_date,PCU518210518210\n2024-01-01,119.5\n2024-02-01,.\n2024-03-01,120\n")
    assert parsed == {"series": "PCU518210518210", "values": [("2024-01", 119.5), ("2024-03", 120.0)]}
    for text, where in (("date,X\n2024-01-01,-3\n", "line 2"), ("date,X\n2024-01-01,abc\n", "line 2"),
                        ("date,X\n2024-01-01,1\nJan 2024,2\n", "line 3"), ("when,X\n", "header")):
        with pytest.raises(ParseError, match=where):
            parse_fred_series(text, "index.csv")


def test_cli_reads_a_prices_file_and_names_it_when_it_is_bad(priced_db, tmp_path):
    from cegdb.cli import main

    good = tmp_path / "prices.yaml"
    good.write_text("price: {X100: 2}\npurchase: {X100: 10000}\n")
    result = CliRunner().invoke(main, ["cost", "--db", str(priced_db), "toy-moe", "--prices-file", str(good),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {e["method"]: e["user_priced"] for e in json.loads(result.output)["estimates"]} == \
        {"cloud": True, "amortized": True}
    for content, message in (("- H100\n", "expected a mapping"), ("price: [1, 2]\n", "price: expected a mapping"),
                             ("X100: -2\n", "bad.yaml: price X100=-2: a price must be"), ("a: [\n", "cannot read the prices")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(content)
        out = CliRunner().invoke(main, ["cost", "--db", str(priced_db), "--prices-file", str(bad)])
        assert out.exit_code != 0 and message in out.output, (content, out.output)
