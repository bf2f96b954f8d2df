"""Issue 10, input that crashed or hung the tools: each probe is refused as `file:line: field:
message` (or a ParseError), never a traceback, a hang or a silently wrong row."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from cegdb.cli import main
from catalog.yamlio import YamlError, load_yaml
from conftest import SOURCES, TOY_CHAT, TOY_MOE, write_catalog
from parsers_support import FIXTURES
from scrapers.parse_cli import parse
from scrapers.parsers.epoch import parse_epoch_csv
from scrapers.parsers.model_card import parse_model_card

CHAT = "models/toylab/toy-chat.yaml"
MOE = "models/toylab/toy-moe.yaml"
BENCHMARK = ("- {model_name: X, benchmark: ptb, perplexity: 50, publication_date: %s, source: toy2024paper, "
             "locator: T1, evidence: primary, confidence: high}\n")
ABLATION = ("- {innovation: moe, source: toy2024paper, locator: T, evidence: primary, confidence: high, gain: 2, "
            "gain_basis: flop, seeds: %s}\n")

PROBES = {
    "source id is a list": ({CHAT: TOY_CHAT.replace("source: toy2025card, locator", "source: [a, b], locator")},
                            "toy-chat.yaml:10: parameters.source: unknown source key ['a', 'b']"),
    "source id is a mapping": ({CHAT: TOY_CHAT.replace("source: toy2025card, locator", "source: {a: 1}, locator")},
                               "toy-chat.yaml:10: parameters.source: unknown source key {'a': 1}"),
    "hardware id is a list": ({MOE: TOY_MOE.replace("hardware: chipco-x100", "hardware: [chipco-x100]")},
                              "toy-moe.yaml:16: gpu_hours.hardware: unknown hardware id ['chipco-x100']"),
    "complex mapping key": ({CHAT: TOY_CHAT + "? [a, b]\n: 1\n"},
                            "toy-chat.yaml:11: yaml: malformed YAML: a mapping key must be a plain value"),
    "400-digit integer": ({CHAT: TOY_CHAT.replace("value: 100e9", "value: " + "9" * 400)},
                          "toy-chat.yaml:10: parameters: 99999999999999999999... (400 digits) is too large"),
    "5000-digit integer": ({CHAT: TOY_CHAT.replace("value: 100e9", "value: " + "9" * 5000)},
                           "toy-chat.yaml:10: yaml: malformed YAML: integer of 5000 digits is too large"),
    "400-digit bound": ({CHAT: TOY_CHAT.replace("value: 100e9,", "value: 100e9, upper: " + "9" * 400 + ",")},
                        "toy-chat.yaml:10: parameters: 99999999999999999999... (400 digits) is too large"),
    "400-digit seeds": ({"ablations/a.yaml": ABLATION % ("9" * 400)}, "a.yaml:1: seeds: "),
    "50,000-deep nesting": ({CHAT: TOY_CHAT + "family: " + "[" * 50000 + "]" * 50000 + "\n"},
                            "toy-chat.yaml:11: yaml: malformed YAML: nested deeper than 64 levels"),
    "alias bomb": ({CHAT: TOY_CHAT.replace("name: Toy-Chat", 'name: &a ["lol", "lol"]\nfamily: [*a, *a, *a]')},
                   "toy-chat.yaml:2: yaml: malformed YAML: YAML anchor &a is not allowed"),
    "impossible publication_date": ({"benchmark_results/ptb.yaml": BENCHMARK % "2023-02-30"},
                                    "ptb.yaml:1: publication_date: '2023-02-30' is not a date in the calendar"),
    "quote is a list": ({CHAT: TOY_CHAT.replace("locator: Overview", "locator: Overview, quote: [a, b]")},
                        "toy-chat.yaml:10: parameters.quote: expected text, got ['a', 'b']"),
    "locator is a mapping": ({CHAT: TOY_CHAT.replace("locator: Overview", "locator: {table: 1}")},
                             "toy-chat.yaml:10: parameters.locator: expected text, got {'table': 1}"),
    "model date 2023-02-30": ({CHAT: TOY_CHAT.replace("release_date: 2025-01-01", "release_date: 2023-02-30")},
                              "toy-chat.yaml:4: release_date: '2023-02-30' is not a date in the calendar"),
    "model date 2023-13-45": ({CHAT: TOY_CHAT.replace("release_date: 2025-01-01", "release_date: 2023-13-45")},
                              "toy-chat.yaml:4: release_date: '2023-13-45' is not a date in the calendar"),
    "source date 2023-02-30": ({"sources/main.yaml": SOURCES.replace("date: 2024-05-01", "date: 2023-02-30")},
                               "main.yaml:5: date: '2023-02-30' is not a date in the calendar"),
    "model is its own base model": ({CHAT: TOY_CHAT.replace("base_model: toy-moe", "base_model: toy-chat")},
                                    "toy-chat.yaml:7: base_model: a model cannot be its own base model"),
}


@pytest.mark.parametrize("overrides, message", list(PROBES.values()), ids=list(PROBES))
def test_bad_input_is_a_file_line_problem_not_a_traceback(tmp_path, overrides, message):
    datasets = write_catalog(tmp_path, **overrides)
    result = CliRunner().invoke(main, ["validate", "--datasets", str(datasets), "--db", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert message in result.output.replace("\n", "")


@pytest.mark.parametrize("text, message", [
    ('a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: [*b,*b]\n', "1: malformed YAML: YAML anchor &a is not allowed"),
    ("a: 1\nb: *x\n", "2: malformed YAML: "),
    ("a: " + "- " * 50000 + "x\n", "1: malformed YAML"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 200)), "nested deeper than 64 levels"),
    ("{a: 1}: 2\n", "1: malformed YAML: a mapping key must be a plain value"),
])
def test_yaml_that_would_hang_or_crash_is_refused_with_its_line(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(YamlError) as error:
        load_yaml(path)
    assert message in str(error.value)


def test_the_yaml_loader_keeps_lines_dates_as_text_and_duplicate_key_checks(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("- id: a\n  date: 2024-01-02\n  n: 3\n- id: b\n  x: {y: [1, 2]}\n")
    data = load_yaml(path)
    assert data == [{"id": "a", "date": "2024-01-02", "n": 3}, {"id": "b", "x": {"y": [1, 2]}}]
    assert (data.line, data[1].line, data[1].line_of("x"), data[1]["x"].line) == (1, 4, 5, 5)
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(YamlError, match="2: malformed YAML: duplicate key 'a'"):
        load_yaml(path)


def test_epoch_rows_with_impossible_dates_are_row_errors():
    csv = ("Model,Publication date,Parameters\nGood,2023-02-28,1e9\nFeb 30,2023-02-30,1e9\n"
           "Month 13,2023-13-45,1e9\nMonth only,2023-13,1e9\nYear,2023,1e9\n")
    result = parse_epoch_csv(csv.encode(), "e.csv")
    errors = {(e["model"], e["field"]) for e in result["row_errors"]}
    assert ("Feb 30", "publication_date") in errors and ("Month 13", "publication_date") in errors
    assert ("Month only", "publication_date") in errors and ("Good", "publication_date") not in errors
    dates = {r["model"]: r.get("publication_date") for r in result["models"]}
    assert dates["Good"] == "2023-02-28" and dates.get("Feb 30") is None


def test_parse_s2_paper_with_a_numeric_doi_says_so(tmp_path):
    document = json.loads((FIXTURES / "s2" / "paper_full_uppercase_doi.json").read_text())
    document["externalIds"]["DOI"] = 1234
    path = tmp_path / "paper.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(parse, ["s2-paper", str(path)])
    assert result.exit_code != 0
    assert not isinstance(result.exception, AttributeError)
    assert "externalIds.DOI" in result.output and "expected a DOI string" in result.output


def test_model_card_with_thousands_of_numbers_in_one_clause_is_fast():
    """8,000 repetitions of "1.2 " took 30 s (quadratic); benchmarks/parser_linearity.py measures
    the growth, this is only a generous bound: well under a second now."""
    card = "# Model\n\nWe trained it on " + "1.2 " * 8000 + "tokens.\n"
    start = time.perf_counter()
    parse_model_card(card.encode(), "card.md")
    assert time.perf_counter() - start < 10


def test_model_card_clause_scopes_are_unchanged_by_the_linear_rewrite():
    card = ("# M\n\nWe pre-train M on 14.8T tokens, followed by fine-tuning on 1.5M tokens. "
            "M was trained for 2.788M H800 GPU hours in total.\n")
    records = parse_model_card(card.encode(), "card.md")["models"]
    claims = [claim for record in records for values in record.values() if isinstance(values, list)
              for claim in values if isinstance(claim, dict)]
    scopes = {(c["as_written"], c.get("scope")) for c in claims if "as_written" in c}
    assert ("14.8T", "pre-training") in scopes and ("1.5M", "post-training") in scopes
    assert ("2.788M", "total") in scopes


def test_curation_yaml_never_writes_anchors_that_datasets_refuse(tmp_path):
    from scrapers.curation import _dump

    shared = ["a", "b"]
    _dump(tmp_path / "x.yaml", {"one": shared, "two": shared}, "# header\n")
    assert "&" not in (tmp_path / "x.yaml").read_text()
    assert load_yaml(tmp_path / "x.yaml") == {"one": ["a", "b"], "two": ["a", "b"]}
