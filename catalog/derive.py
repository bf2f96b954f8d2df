"""Arithmetic that belongs to the tool: derived curated claims, and a check on arithmetic in notes.

A curated claim whose value is computed from stated numbers gives its inputs and its formula,

    training_tokens:
      derived_from:
        inputs: {steps: 1M, batch_sequences: "2**11", sequence_length: 512}
        formula: steps * batch_sequences * sequence_length
      source: raffel2019t5
      ...

and the loader computes the value (here exactly 1,048,576,000,000). The formula is read by a small
evaluator that walks the Python syntax tree and accepts only numbers, input names, parentheses and
+ - * / ** (and unary minus): no calls, no attributes, no `eval`. Arithmetic is done in decimal, so
2**11 * 512 * 1e6 is exact and rounded once to a float at the end.

`note_arithmetic_problems` reads a claim's note for "a x b = c" arithmetic and reports where the
stated result is not what the arithmetic gives, or where the note's arithmetic and the claim's value
part ways: a hand-multiplied number that went wrong (T5-11B's 2^11 x 512 x 1,000,000 = 1.074e12).
"""

from __future__ import annotations

import ast
import decimal
import re
from decimal import Decimal
from typing import Mapping

from catalog.fields import ValueProblem, parse_decimal

_CONTEXT = decimal.Context(prec=34, Emax=999, Emin=-999, traps=[decimal.InvalidOperation, decimal.DivisionByZero,
                                                                  decimal.Overflow])
_MAX_EXPONENT = 64  # 2**64 is plenty for a count of anything; a bigger power is a typo or an attack
_MAX_LENGTH = 500
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def evaluate(expression: str, names: Mapping[str, Decimal] | None = None) -> Decimal:
    """Evaluate + - * / ** over decimal numbers and the given names; anything else is a ValueProblem."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValueProblem(f"expected an arithmetic expression, got {expression!r}")
    if len(expression) > _MAX_LENGTH:
        raise ValueProblem(f"expression longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueProblem(f"cannot read {expression!r} as arithmetic: {exc.msg}") from None
    names = names or {}

    def walk(node: ast.AST) -> Decimal:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            # ast keeps a float, not the digits typed; its repr is the shortest string that reads
            # back as that float, which is what the curator typed (1e6 -> "1000000.0", 0.1 -> "0.1").
            return Decimal(repr(node.value))
        if isinstance(node, ast.Name):
            if node.id not in names:
                known = ", ".join(sorted(names)) or "none"
                raise ValueProblem(f"unknown name {node.id!r} in {expression!r} (inputs: {known})")
            return names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
                raise ValueProblem(f"exponent {right} too large in {expression!r}")
            try:
                with decimal.localcontext(_CONTEXT):
                    if isinstance(node.op, ast.Add):
                        return left + right
                    if isinstance(node.op, ast.Sub):
                        return left - right
                    if isinstance(node.op, ast.Mult):
                        return left * right
                    if isinstance(node.op, ast.Div):
                        return left / right
                    return left ** right
            except decimal.DecimalException as exc:
                raise ValueProblem(f"arithmetic error in {expression!r}: {type(exc).__name__}") from None
        raise ValueProblem(f"{expression!r}: only numbers, input names, parentheses and + - * / ** are allowed "
                           f"(found {type(node).__name__})")

    return walk(tree)


def _input_value(name: str, raw: object) -> Decimal:
    if isinstance(raw, str):
        try:
            return parse_decimal(raw)
        except ValueProblem:
            return evaluate(raw)  # "2**11", "8 * 24"
    try:
        return parse_decimal(raw)
    except ValueProblem as exc:
        raise ValueProblem(f"input {name!r}: {exc}") from None


def compute(spec: object) -> tuple[float, str]:
    """(value, explanation) for a `derived_from:` mapping {inputs: {name: number}, formula: "..."}.

    Numbers with a suffix (1M, 15T) go through `parse_number`; an input may itself be arithmetic
    on numbers ("2**11").
    """
    if not isinstance(spec, Mapping):
        raise ValueProblem("derived_from: expected {inputs: {name: number, ...}, formula: \"...\"}")
    unknown = set(spec) - {"inputs", "formula"}
    if unknown:
        raise ValueProblem(f"derived_from: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                           "(allowed: inputs, formula)")
    inputs = spec.get("inputs") or {}
    formula = spec.get("formula")
    if not isinstance(inputs, Mapping):
        raise ValueProblem("derived_from.inputs: expected a mapping of names to numbers")
    if not isinstance(formula, str):
        raise ValueProblem("derived_from.formula: expected an expression such as \"steps * batch * length\"")
    names: dict[str, Decimal] = {}
    for name, raw in inputs.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueProblem(f"derived_from.inputs: {name!r} is not a lowercase name (letters, digits, _)")
        names[name] = _input_value(name, raw)
    exact = evaluate(formula, names)
    value = float(exact)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueProblem(f"derived_from: {formula!r} is not a finite number")
    shown = ", ".join(f"{name} = {_show(number)}" for name, number in names.items())
    explanation = f"computed by cegdb: {formula.strip()}" + (f" with {shown}" if shown else "") + f" = {_show(exact)}"
    return value, explanation


def _show(number: Decimal) -> str:
    number = number.normalize() if number == number.to_integral_value() else number
    if abs(number) >= Decimal("1e7") or (number != 0 and abs(number) < Decimal("1e-3")):
        return f"{float(number):.10g}"
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, dot, frac = text.partition(".")
    return f"{int(whole):,}" + (dot + frac if frac else "") if whole.lstrip("-").isdigit() else text


# --- arithmetic written in notes --------------------------------------------------------------

# A number as curators write it in prose: 1,000,000  1.074e12  2^11  70B  (thousands separators,
# scientific notation, a power, one multiplier suffix).
_NUM = r"\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?(?:\s*\^\s*\d+)?[kKMBT]?"
_OP = r"\s*(?:[x×*/+]|-(?!\d+\s*(?:h|hours|days)\b))\s*"
_ARITHMETIC = re.compile(rf"(?<![\w.^])((?:{_NUM}){_OP}(?:\(?{_NUM}\)?)(?:{_OP}\(?{_NUM}\)?)*)\s*=\s*({_NUM})(?![\w]|\.\d)")
# Arithmetic starts a clause: "40 x 317,214,720 (attention ...) + embeddings 2 x 100,352 x 5,120 = N"
# is one sum with words in it, and its last product alone is not the whole story.
_CLAUSE_START = re.compile(r"(?:^|[:;,(=]|\.\s)\s*$")
_SUFFIX = {"k": "e3", "K": "e3", "M": "e6", "B": "e9", "T": "e12"}


def _prose_number(text: str) -> str:
    text = text.replace(",", "").replace(" ", "")
    if text and text[-1] in _SUFFIX:
        text = f"({text[:-1]}{_SUFFIX[text[-1]]})"
    return text.replace("^", "**")


def _prose_expression(text: str) -> str:
    parts = re.split(r"(\s*(?:[x×*/]|(?<![eE])[+\-])\s*|[()])", text)  # not the sign of 1e-3
    out = []
    for part in parts:
        stripped = part.strip()
        if stripped in ("x", "×", "*"):
            out.append("*")
        elif stripped in ("/", "+", "-", "(", ")"):
            out.append(stripped)
        elif stripped:
            out.append(_prose_number(stripped))
    return "".join(out)


def _tolerance(stated: str) -> Decimal:
    """One unit in the last digit the curator wrote (1.074e12 -> 1e9): a rounded or truncated
    result passes, a wrong product does not. A plain whole number is rounded, not truncated."""
    text = stated.replace(",", "").strip()
    mantissa, _, exponent = text.lower().partition("e")
    suffix = 0
    if mantissa and mantissa[-1] in "kmbt":
        suffix = {"k": 3, "m": 6, "b": 9, "t": 12}[mantissa[-1]]
        mantissa = mantissa[:-1]
    decimals = len(mantissa.partition(".")[2])
    if not decimals and not exponent and not suffix:
        return Decimal("0.5")  # a whole number as written: 184,320 GPU-hours, 256 GPUs
    return Decimal(10) ** (int(exponent or 0) + suffix - decimals)


def note_arithmetic_problems(note: str | None, value: float | None, derived: bool = True,
                             bounds: tuple[float | None, ...] = ()) -> list[str]:
    """Messages for "a x b = c" arithmetic in a note that does not hold, or (for a derived claim,
    whose note says how it was computed) does not give `value`."""
    if not note:
        return []
    messages = []
    for match in _ARITHMETIC.finditer(note):
        if not _CLAUSE_START.search(note[:match.start()]):
            continue
        expression, stated = match.group(1), match.group(2)
        try:
            result = evaluate(_prose_expression(expression))
            claimed = evaluate(_prose_number(stated))
        except ValueProblem:
            continue  # not arithmetic after all (a range, a date, a ratio in words)
        tolerance = max(_tolerance(stated.split("^")[0]) if "^" not in stated else Decimal(0),
                        abs(claimed) * Decimal("1e-9"))
        if abs(result - claimed) > tolerance:
            messages.append(f"note says {match.group(0).strip()!r}, but {expression.strip()} = {_show(result)}; "
                            "give the inputs in derived_from and let the loader compute the value")
        elif derived and value is not None and value != 0 and _same_magnitude(float(claimed), value) \
                and not any(abs(float(result) - v) <= max(float(tolerance), abs(v) * 1e-9)
                            for v in (value, *bounds) if v is not None):
            messages.append(f"note's arithmetic {match.group(0).strip()!r} gives {_show(result)}, "
                            f"not the claim's value {value:.10g}")
    return messages


def _same_magnitude(a: float, b: float) -> bool:
    """The note's result is about this claim's value (not, say, a head count in a parameter note)."""
    return a > 0 and b > 0 and 0.5 <= a / b <= 2.0


# --- hooks for the dataset reader (catalog/datasets.py) ---------------------------------------

def read_derived_claim(claim: Mapping, spec, path, line: int, problems) -> tuple[float, str] | None:
    """The computed value of a claim with `derived_from:`, or None after recording the problem."""
    if spec.kind != "num":
        problems.add(path, line, f"{spec.name}.derived_from", "only numeric fields can be derived")
        return None
    if claim.get("value") is not None:
        problems.add(path, _line(claim, "value"), f"{spec.name}.value",
                     "give either value or derived_from, not both: the loader computes a derived value")
        return None
    try:
        return compute(claim.get("derived_from"))
    except ValueProblem as exc:
        problems.add(path, line, f"{spec.name}.derived_from", str(exc))
        return None


def claim_problems(claim: Mapping, row: Mapping, computed: bool) -> list[str]:
    """Checks on a curated claim once its value is read: labels, quote or its absence, note arithmetic."""
    messages = []
    if computed and row.get("method") not in ("derived", "estimated"):
        messages.append(f"method {row.get('method')!r}: a value computed from derived_from is derived "
                        "(or estimated, when an input is assumed)")
    if claim.get("quote") and claim.get("quote_absent"):
        messages.append("give quote or quote_absent (why there is no quote), not both")
    messages.extend(note_arithmetic_problems(claim.get("note"), row.get("value_num"),
                                             derived=row.get("method") in ("derived", "estimated"),
                                             bounds=(row.get("lower"), row.get("upper"))))
    return messages


def _line(mapping: object, key: str) -> int:
    return mapping.line_of(key) if hasattr(mapping, "line_of") else getattr(mapping, "line", 0)
