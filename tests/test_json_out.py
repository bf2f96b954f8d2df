"""cegdb/json_out.dumps is json.dumps(indent=..., allow_nan=False), byte for byte (`cegdb ceg --json`)."""

import json
import math
import random

import pytest

from cegdb import json_out


def _value(rng: random.Random, depth: int):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-10 ** 12, 10 ** 12)
    if kind == 2:
        return rng.choice([0.1, -0.0, 1e300, 5e-324, 1 / 3, rng.lognormvariate(0, 20)])
    if kind in (3, 4, 5):
        # escapes, a separator-like text and non-ASCII: none may be confused with the layout
        return rng.choice(["", "a", 'q"uote', "line\nbreak", ",\n    ", "tab\t", "é ∞ 😀", "\\", "\x00"])
    if kind in (6, 7):
        return {rng.choice(["a", "b", "line\n", "é", "ceg_upper", ""]) + str(k): _value(rng, depth + 1)
                for k in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


@pytest.mark.parametrize("indent", [0, 2, 4])
def test_same_bytes_as_json_dumps_on_random_nested_values(indent):
    rng = random.Random(indent)
    for _ in range(3000):
        value = _value(rng, 0)
        assert json_out.dumps(value, indent) == json.dumps(value, indent=indent, allow_nan=False), value


def test_a_series_summary_shape_with_tuples_and_int_keys():
    value = {"points": [{"ceg": 1.5, "line": 3, "censored": None}], "lines": (1, 2), "n": {1: [2.0], True: {}},
             "empty": [], "none": {}}
    assert json_out.dumps(value) == json.dumps(value, indent=2, allow_nan=False)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_not_a_finite_number_is_refused_as_json_does(bad):
    for value in (bad, [bad], {"a": [1, {"b": bad}]}):
        with pytest.raises(ValueError):
            json_out.dumps(value)
