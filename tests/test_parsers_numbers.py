"""The lenient number reader: every form the issue lists, qualifiers kept, fuzzing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapers.errors import ParseError
from scrapers.numbers import clean_text, find_quantities, is_missing, parse_quantity


@pytest.mark.parametrize("text, value, approximate, bound, rest", [
    ("184320", 184320, False, None, ""),
    ("1.46M", 1_460_000, False, None, ""),
    ("916k", 916_000, False, None, ""),
    ("**39.3**M", 39_300_000, False, None, ""),
    ("2.788M H800 GPU hours", 2_788_000, False, None, "H800 GPU hours"),
    ("~15 trillion", 15 * 10 ** 12, True, None, ""),
    ("1.0000000001e+25", 1.0000000001e25, False, None, ""),
    ("2.0T", 2 * 10 ** 12, False, None, ""),
    ("15T+", 15 * 10 ** 12, False, "lower", ""),
    ("30.84M", 30_840_000, False, None, ""),
    ("1,022,362", 1_022_362, False, None, ""),
    ("Up to 9T tokens", 9 * 10 ** 12, False, "upper", "tokens"),
    ("over 25M synthetically generated examples", 25_000_000, False, "lower", "synthetically generated examples"),
    ("\\~40T", 40 * 10 ** 12, True, None, ""),
    ("6.12e+23", 6.12e23, False, None, ""),
    ("3.8 x 10^25", 3.8e25, False, None, ""),
    ("$6770000.00", 6_770_000, False, None, ""),
    ("24000000000.0", 24_000_000_000, False, None, ""),
    ("0.3156", 0.3156, False, None, ""),
    ("1B (1.23B)", 10 ** 9, False, None, "(1.23B)"),
    ("about 1.5 billion", 1_500_000_000, True, None, ""),
    ("12.9", 12.9, False, None, ""),
])
def test_forms_written_in_cards_and_csvs(text, value, approximate, bound, rest):
    q = parse_quantity(text)
    assert q.value == value and type(q.value) is type(value)
    assert (q.approximate, q.bound, q.rest) == (approximate, bound, rest)


def test_context_windows_read_k_and_m_as_powers_of_two():
    assert parse_quantity("128k", binary=True).value == 131_072
    assert parse_quantity("10M", binary=True).value == 10_485_760
    assert parse_quantity("128k").value == 128_000


@pytest.mark.parametrize("text", ["", "-", "\\-", "N/A", "Unknown", "*Negligible*", "H100", "GPU hours 5",
                                  "9" * 31, ".", "e5"])
def test_no_number_raises_parse_error_naming_input_and_field(text):
    with pytest.raises(ParseError) as caught:
        parse_quantity(text, source="card.md", field="gpu_hours")
    assert (caught.value.source, caught.value.field) == ("card.md", "gpu_hours")


@pytest.mark.parametrize("value", [None, True, [1], {"a": 1}])
def test_non_text_values_are_parse_errors(value):
    with pytest.raises(ParseError):
        parse_quantity(value)


def test_names_and_units_are_not_numbers():
    # "H100" is a chip, "T4" a chip, "80GB" 80 (not 80e9), "7 Mixture" 7 (not 7e6).
    values = [q.value for q in find_quantities(clean_text("3 T4 and 8 H100 80GB, 7 Mixture of 128k"))]
    assert values == [3, 8, 80, 7, 128_000]


def test_missing_markers():
    assert all(is_missing(t) for t in ("", " - ", "—", "n/a", "Unknown", None))
    assert not is_missing("0")


def test_markdown_and_html_are_cleaned():
    assert clean_text("**39.3**M <strong>GPU</strong> [hours](https://x.y) \\~15") == "39.3M GPU hours ~15"


# Fuzzing: any text either reads or raises ParseError, nothing else.
@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789.,+-~$eExX^ kKMBGTmb*_\\()<>≈\n") + ["trillion", "up to ", "tokens",
                                                                                       "about ", "1,000", "e+23"]),
                max_size=25).map("".join) | st.text(max_size=40))
def test_fuzz_only_parse_error_escapes(text):
    try:
        q = parse_quantity(text, source="fuzz", field="x")
    except ParseError:
        pass
    else:
        assert isinstance(q.value, (int, float)) and q.value == q.value
    for q in find_quantities(clean_text(text)):
        assert isinstance(q.value, (int, float))


_suffixes = st.sampled_from([("", 0), ("k", 3), ("K", 3), ("M", 6), ("B", 9), ("G", 9), ("T", 12), (" thousand", 3),
                             (" million", 6), (" billion", 9), (" trillion", 12)])


@settings(max_examples=800, deadline=None)
@given(st.decimals(min_value=0, max_value=10 ** 6, places=3, allow_nan=False, allow_infinity=False), _suffixes,
       st.sampled_from(["", "~", "about ", "up to "]), st.booleans())
def test_fuzz_round_trip_value_times_suffix(number, suffix, qualifier, plus):
    text = f"{qualifier}{number}{suffix[0]}{'+' if plus else ''}"
    q = parse_quantity(text)
    assert Decimal(str(q.value)) == pytest.approx(number.scaleb(suffix[1]))
    assert q.approximate == (qualifier in ("~", "about "))
    assert q.bound == ("lower" if plus else "upper" if qualifier == "up to " else None)


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10 ** 15))
def test_fuzz_thousands_separators(number):
    assert parse_quantity(f"{number:,}").value == number
    assert parse_quantity(f"**{number}**").value == number
