"""Numbers as model cards, READMEs and CSV exports write them.

`184320`, `1,022,362`, `1.46M`, `916k`, `**39.3**M`, `2.788M H800 GPU hours`, `~15 trillion`,
`2.0T`, `15T+`, `Up to 9T tokens`, `6.12e+23`, `3.8 x 10^25`, `$6770000.00`.

Curated YAML goes through the strict `catalog.fields.parse_number`; this module is the lenient
reader for text written by others. It keeps what the writer said about precision: `~` and
"about" make a value approximate, `15T+` and "over" make it a lower bound, "up to" an upper
bound, so a claim can carry that into its note or bounds instead of silently rounding it away.
Anything it cannot read raises `ParseError`; nothing else escapes (hypothesis checks this).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from scrapers.errors import ParseError

# Powers of ten after a number. "B" and "G" are both 1e9 (billion / giga, "GPU hours" never
# follows directly). Lower-case "m" and "b" are left out: in cards they mean metres, minutes,
# bits or bytes as often as million or billion.
_SUFFIX_EXPONENT = {
    "k": 3, "K": 3, "thousand": 3,
    "M": 6, "million": 6, "mln": 6,
    "B": 9, "G": 9, "billion": 9, "bn": 9,
    "T": 12, "trillion": 12,
}
# Context windows are powers of two: every card we read writes 131,072 tokens as "128k"
# (Llama 3.1: max_position_embeddings 131072) and Llama 4 Scout's 10,485,760 as "10M".
_SUFFIX_BINARY = {"k": 2 ** 10, "K": 2 ** 10, "M": 2 ** 20}

_APPROXIMATE = {"~", "≈", "about", "around", "approximately", "approx", "approx.", "roughly", "nearly",
                "almost", "circa", "ca."}
_LOWER_BOUND = {">", ">=", "≥", "over", "more than", "at least", "above", "upwards of"}
_UPPER_BOUND = {"<", "<=", "≤", "up to", "under", "less than", "at most", "below"}

_QUALIFIER = (r"(?P<qual>~|≈|>=|<=|≥|≤|>|<|(?i:\b(?:about|around|approximately|approx\.?|roughly|nearly|almost|"
              r"circa|ca\.|over|more\s+than|at\s+least|above|upwards\s+of|up\s+to|under|less\s+than|"
              r"at\s+most|below)\b))?\s*")
_NUMBER_RE = re.compile(
    _QUALIFIER
    + r"(?P<cur>\$)?\s*"
    # A number not glued to a word on its left ("H100" is a name, not 100).
    + r"(?<![\w.])(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    + r"(?:[eE](?P<exp>[+-]?\d{1,3})|\s*[x×]\s*10\s*\^\s*(?P<exp2>[+-]?\d{1,3}))?"
    # A suffix letter must not be the start of a word or a name ("7 Mixture", "T4", "80GB").
    + r"(?:\s*(?P<suf>thousand|million|billion|trillion|mln|bn|[kKMBGT])(?![A-Za-z0-9]))?"
    + r"(?P<plus>\+)?",
)

_MAX_DIGITS = 30  # beyond this a "number" is noise; it would also break int() and JSON output
_MISSING = {"", "-", "–", "—", "n/a", "na", "none", "null", "?", "unknown", "tbd", "nan"}


@dataclass(frozen=True)
class Quantity:
    """One number as written: its value, how exact the writer said it was, where it was."""

    value: int | float
    text: str  # the number with its qualifier and suffix, as it appears in the cleaned text
    approximate: bool = False
    bound: str | None = None  # "lower" ("15T+", "over"), "upper" ("up to"), None (a point value)
    currency: str | None = None
    start: int = 0
    end: int = 0
    # The text the number was read from; `rest` is cut from it on demand. Copying the rest of the
    # sentence for every number made a clause of n numbers cost n^2 (issue 10).
    source_text: str = field(default="", repr=False, compare=False)

    @property
    def rest(self) -> str:
        """What follows the number ("H800 GPU hours")."""
        return self.source_text[self.end:].strip()


def clean_text(text: str) -> str:
    """Markdown and HTML reduced to the words a reader sees: `**39.3**M` -> `39.3M`."""
    s = re.sub(r"<[^<>]{0,300}>", " ", text)
    s = html.unescape(s)
    s = re.sub(r"!?\[([^\]]*)\]\([^)\s]*\)", r"\1", s)
    s = re.sub(r"\\([\\`*_{}\[\]()#+\-.!~|<>])", r"\1", s)
    s = s.replace("**", "").replace("__", "").replace("`", "")
    # Single * or _ used for emphasis, but not "6*10" (multiplication) or snake_case.
    s = re.sub(r"(?<![\w*])[*_](?=\w)|(?<=\w)[*_](?![\w*])", "", s)
    s = s.replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", s).strip()


def is_missing(text: str | None) -> bool:
    """True for the ways tables and CSVs write "no value": blank, dashes, N/A, Unknown."""
    return text is None or clean_text(text).strip().lower() in _MISSING


def _value(match: re.Match, binary: bool, source: str | None, field: str | None) -> int | float:
    digits = match.group("num").replace(",", "")
    if len(digits.replace(".", "")) > _MAX_DIGITS:
        raise ParseError(source, field, f"{match.group(0)!r} has more than {_MAX_DIGITS} digits")
    try:
        number = Decimal(digits)
    except InvalidOperation as exc:  # the regex admits only digits; kept for the contract
        raise ParseError(source, field, f"cannot read {digits!r} as a number") from exc
    exponent = int(match.group("exp") or match.group("exp2") or 0)
    suffix = match.group("suf")
    if suffix:
        key = suffix if len(suffix) == 1 else suffix.lower()
        if binary and key in _SUFFIX_BINARY:
            number *= _SUFFIX_BINARY[key]
        else:
            exponent += _SUFFIX_EXPONENT[key]
    number = number.scaleb(exponent)
    # Whole numbers a float holds exactly stay int (184320, 671e9); beyond 2**53 a float is the
    # honest type: "3.8e+25" is a measurement to two figures, not a 26-digit integer.
    if number == number.to_integral_value() and abs(number) < 2 ** 53:
        return int(number)
    result = float(number)
    if result in (float("inf"), float("-inf")) or result != result:
        raise ParseError(source, field, f"{match.group(0)!r} is not a finite number")
    return result


def _quantity(match: re.Match, text: str, binary: bool, source: str | None,
              field: str | None) -> Quantity:
    qualifier = re.sub(r"\s+", " ", (match.group("qual") or "").lower())
    bound = "lower" if (match.group("plus") or qualifier in _LOWER_BOUND) else (
        "upper" if qualifier in _UPPER_BOUND else None)
    return Quantity(
        value=_value(match, binary, source, field),
        text=match.group(0).strip(),
        approximate=qualifier in _APPROXIMATE,
        bound=bound,
        currency=match.group("cur"),
        start=match.start(),
        end=match.end(),
        source_text=text,
    )


def parse_quantity(text: object, *, source: str | None = None, field: str | None = None,
                   binary: bool = False) -> Quantity:
    """Read the number that a cell or phrase starts with; what follows is kept in `rest`.

    `binary=True` reads k and M as 1024 and 1024**2 (context windows only).
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise ParseError(source, field, f"expected a number, got {type(text).__name__}")
    if isinstance(text, (int, float)):
        text = repr(text)
    cleaned = clean_text(text)
    if cleaned.lower() in _MISSING:
        raise ParseError(source, field, f"no value in {text[:80]!r}")
    match = _NUMBER_RE.match(cleaned)
    if not match:
        raise ParseError(source, field, f"cannot read a number at the start of {cleaned[:80]!r}")
    return _quantity(match, cleaned, binary, source, field)


def find_quantities(cleaned: str, *, source: str | None = None, field: str | None = None,
                    binary: bool = False) -> list[Quantity]:
    """Every number in a sentence (already passed through `clean_text`), left to right.

    A number too long to be real (`_MAX_DIGITS`) is skipped, not raised: prose also holds
    hashes and ids that happen to be digits.
    """
    found = []
    for match in _NUMBER_RE.finditer(cleaned):
        try:
            found.append(_quantity(match, cleaned, binary, source, field))
        except ParseError:
            continue
    return found
