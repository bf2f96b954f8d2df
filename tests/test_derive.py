"""Arithmetic belongs to the tool: derived_from claims, the safe evaluator, and notes whose sums are wrong."""

import re
from decimal import Decimal

import pytest

from catalog.build import BuildFailed

from cegdb.pipeline import build
from catalog.derive import compute, evaluate, note_arithmetic_problems
from catalog.fields import ValueProblem
from conftest import TOY_MOE, rows, write_catalog

MOE = "models/toylab/toy-moe.yaml"
T5_TOKENS = """\
  training_tokens:
    derived_from:
      inputs: {steps: 1M, batch_sequences: "2**11", sequence_length: 512}
      formula: steps * batch_sequences * sequence_length
    source: toy2024paper
    locator: Section 3.7
    confidence: high
    evidence: primary
"""


def with_tokens(claim: str) -> str:
    return TOY_MOE.replace(
        "  training_tokens:   {value: 1T, source: toy2024paper, locator: Table 1, confidence: high, evidence: primary}\n",
        claim)


def test_t5_token_count_is_exact():
    # The T5-11B note once said 2^11 x 512 x 1,000,000 = 1.074e12; the product is 1,048,576,000,000.
    assert evaluate("2**11 * 512 * 1e6") == Decimal("1048576000000")
    value, explanation = compute({"inputs": {"steps": "1M", "batch": "2**11", "length": 512},
                                  "formula": "steps * batch * length"})
    assert value == 1_048_576_000_000.0
    assert "steps = 1,000,000" in explanation and explanation.endswith("= 1.048576e+12")


def test_decimal_arithmetic_has_no_float_artefacts():
    assert float(evaluate("16.4 * 1e9")) == 16_400_000_000.0
    assert compute({"inputs": {"sparse": 1979}, "formula": "sparse / 2"})[0] == 989.5


@pytest.mark.parametrize("expression", [
    "__import__('os').system('true')", "(1).real", "open('x')", "[1, 2]", "x if 1 else 2", "1 < 2", "lambda: 1",
    "2 ** 1000", "unknown_name * 2", "1 / 0", "", "1 +",
])
def test_the_evaluator_refuses_anything_but_arithmetic(expression):
    with pytest.raises(ValueProblem):
        evaluate(expression)


@pytest.mark.parametrize("spec, message", [
    ({"formula": "a * 2", "inputs": {"a": "two"}}, "unknown name 'two'"),
    ({"formula": "a * b", "inputs": {"a": 1}}, "unknown name 'b'"),
    ({"formula": "a", "inputs": {"A": 1}}, "not a lowercase name"),
    ({"inputs": {"a": 1}}, "formula"),
    ({"formula": "1", "inputs": {}, "value": 3}, "unknown key"),
    ("1 * 2", "expected"),
])
def test_bad_derived_from_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ValueProblem, match=message):
        compute(spec)


@pytest.mark.parametrize("note, value, flagged", [
    ("2^11 x 512 x 1,000,000 = 1.074e12 (the paper rounds)", 1.074e12, True),
    ("2^11 x 512 x 1,000,000 = 1.048576e12", 1.048576e12, False),
    ("6144 x 1200 + 3072 x 336 = 8,404,992 TPU v4 chip-hours.", 8404992, False),
    ("989.4 / 148 = 6.68", 6.68, False),                      # truncated in the last digit: fine
    ("1+1 = 3", 3, True),
    ("2.5e-3 x 4 = 1e-2", 0.01, False),                        # an exponent's sign is not a minus
    ("8 GPUs x approximately 90 hours = 720 GPU-hours", 720, False),  # words inside: not checked
    # the tail of a longer sum written in words is not the whole arithmetic
    ("40 layers x 317,214,720 + embeddings 2 x 100,352 x 5,120 = 13,716,198,400.", 13716198400, False),
])
def test_note_arithmetic_is_checked(note, value, flagged):
    assert bool(note_arithmetic_problems(note, value)) is flagged


def test_note_arithmetic_must_give_a_derived_value_or_one_of_its_bounds():
    assert note_arithmetic_problems("2 x 3 = 6", 7.0, derived=True)
    assert not note_arithmetic_problems("2 x 3 = 6", 7.0, derived=False)  # a reported value beside a check
    assert not note_arithmetic_problems("2 x 3 = 6", 7.0, derived=True, bounds=(5.0, 6.0))


def test_loader_computes_a_derived_from_claim(tmp_path):
    datasets = write_catalog(tmp_path, **{MOE: with_tokens(T5_TOKENS)})
    build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}", analysis=None)
    ((value, method, note, quote_absent),) = rows(
        tmp_path / "c.sqlite", "select value_num, method, note, quote_absent from claim "
                               "where entity_id = 'toy-moe' and field = 'training_tokens'")
    assert value == 1_048_576_000_000.0 and method == "derived"
    assert note.startswith("computed by cegdb: steps * batch_sequences * sequence_length")
    assert quote_absent == "computed by the loader from derived_from"
    assert rows(tmp_path / "c.sqlite", "select training_tokens from model where id = 'toy-moe'") == \
        [(1_048_576_000_000.0,)]


@pytest.mark.parametrize("case, claim, expected", [
    ("value and derived_from", T5_TOKENS.replace("    source:", "    value: 1.074e12\n    source:", 1),
     r"toy-moe\.yaml:\d+: training_tokens\.value: give either value or derived_from"),
    ("reported method", T5_TOKENS + "    method: reported\n",
     r"training_tokens: method 'reported': a value computed from derived_from is derived"),
    ("bad formula", T5_TOKENS.replace("formula: steps", "formula: __import__('os') or steps"),
     r"toy-moe\.yaml:\d+: training_tokens\.derived_from: .*only numbers, input names"),
    ("hand arithmetic in a note", T5_TOKENS.replace("derived_from:\n      inputs: {steps: 1M, batch_sequences: \"2**11\", "
                                                    "sequence_length: 512}\n      formula: steps * batch_sequences * "
                                                    "sequence_length\n", "value: 1.074e12\n    method: derived\n")
     + "    note: 2^11 x 512 x 1,000,000 = 1.074e12\n",
     r"training_tokens: note says '2\^11 x 512 x 1,000,000 = 1\.074e12', but .* = 1\.048576e\+12"),
    ("quote and quote_absent", T5_TOKENS + "    quote: \"about 1 trillion\"\n    quote_absent: computed\n",
     r"training_tokens: give quote or quote_absent"),
])
def test_derived_claim_problems_are_reported(tmp_path, case, claim, expected):
    datasets = write_catalog(tmp_path, **{MOE: with_tokens(claim)})
    with pytest.raises(BuildFailed) as info:
        build(datasets, f"sqlite:///{tmp_path / 'c.sqlite'}", analysis=None)
    problems = [str(p) for p in info.value.problems]
    assert any(re.search(expected, p) for p in problems), (case, problems)
