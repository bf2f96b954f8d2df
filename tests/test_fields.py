import pytest

from catalog.fields import MODEL_FIELDS, ValueProblem, parse_number


@pytest.mark.parametrize("text, expected", [
    (671e9, 671e9),
    (184320, 184320.0),
    ("671e9", 671e9),
    ("14.8e12", 14.8e12),
    ("2.788M", 2.788e6),
    ("916k", 916e3),
    ("15T", 15e12),
    ("1.5B", 1.5e9),
    ("30,840,000", 30.84e6),
    ("1_000_000", 1e6),
])
def test_parse_number_accepts_the_documented_forms(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["~15 trillion", "15T+", "2.788M H800 GPU hours", "2.788 MM", "1.2m", "", True,
                                  "nan", "inf", [1]])
def test_parse_number_rejects_everything_else_with_a_reason(text):
    with pytest.raises(ValueProblem):
        parse_number(text)


def test_implausible_parameter_count_names_the_fix():
    with pytest.raises(ValueProblem, match="implausible magnitude.*671e9"):
        MODEL_FIELDS["parameters"].check_number(671)


def test_negative_values_are_rejected():
    with pytest.raises(ValueProblem, match="negative"):
        MODEL_FIELDS["gpu_hours"].check_number(-5)
