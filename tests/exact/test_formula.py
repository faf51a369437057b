"""Tests for symcnn.formula: what the whitelist accepts, what it refuses, and why."""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symcnn.exact.formula
from symcnn.errors import SpecError
from symcnn.exact.formula import parse_formula
from symcnn.exact.symbols import symbol
from symcnn.exact.values import to_expr

H, k, p = symbol("H"), symbol("k"), symbol("p")


def message(text: str, reason: str, what: str = "formula") -> str:
    return f"{what}: cannot parse formula {text!r}: {reason}"


def rejects(text: str, reason: str) -> None:
    expected = message(text.strip(), reason)
    with pytest.raises(SpecError, match=f"^{re.escape(expected)}$"):
        parse_formula(text)


# --------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2*k", 2 * k),
        ("(H - 1)//4 + 1", sympy.floor((H - 1) / 4) + 1),
        ("H/2", H * sympy.Rational(1, 2)),
        ("1_000", sympy.Integer(1000)),
        ("2**64", sympy.Integer(18446744073709551616)),
        (
            "123456789012345678901234567890 + 1",
            sympy.Integer(123456789012345678901234567891),
        ),
        ("min(H, 3)", sympy.Min(H, 3)),
        ("max(H, k, 2)", sympy.Max(H, k, 2)),
        ("min(7)", sympy.Integer(7)),
        ("floor(H/3)", sympy.floor(H / 3)),
        ("ceil(H/3)", sympy.ceiling(H / 3)),
        ("floor(7/2) + ceil(7/2)", sympy.Integer(7)),
        ("H % 4", sympy.Mod(H, 4)),
        ("-H + +k", k - H),
        ("H**2 + 2**0", H**2 + 1),
        ("2**(2*3)", sympy.Integer(64)),
        ("(10**64)**64", sympy.Integer(10**4096)),
        ("  2*k \n", 2 * k),
    ],
)
def test_accepts(text: str, expected: sympy.Expr) -> None:
    result = parse_formula(text)
    assert isinstance(result, sympy.Expr)
    assert result == expected
    assert sympy.simplify(result - expected) == 0


def test_division_is_exact_rational() -> None:
    half = parse_formula("1/2")
    assert isinstance(half, sympy.Rational) and not half.has(sympy.Float)
    assert half == sympy.Rational(1, 2)
    assert parse_formula("H/2").subs(H, 3) == sympy.Rational(3, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("-7//2", -4), ("7//-2", -4), ("-7 % 3", 2), ("7 % -3", -2), ("-8//2", -4)],
)
def test_floor_division_and_modulo_follow_python(text: str, expected: int) -> None:
    assert parse_formula(text) == expected


def test_names_are_the_shared_integer_symbols() -> None:
    assert parse_formula("H") is symbol("H")
    assert parse_formula("H").is_positive and parse_formula("H").is_integer
    assert parse_formula("p").is_nonnegative and parse_formula("p").is_zero is None
    assert parse_formula("p + 1").free_symbols == {p}


def test_to_expr_uses_the_safe_parser() -> None:
    assert to_expr("(H - 1)//4 + 1", "kernel") == sympy.floor((H - 1) / 4) + 1
    expected = message("H.real", "attribute access is not allowed", what="kernel")
    with pytest.raises(SpecError, match=f"^{re.escape(expected)}$"):
        to_expr("H.real", "kernel")


# --------------------------------------------------------------------- rejected


def test_full_message_shape() -> None:
    with pytest.raises(SpecError) as info:
        parse_formula("exec('x')", what="layer 2 (conv) kernel_size")
    assert str(info.value) == (
        "layer 2 (conv) kernel_size: cannot parse formula \"exec('x')\": unknown function 'exec'"
    )
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os').system('echo hi')", "attribute access is not allowed"),
        ("__import__('os')", "unknown function '__import__'"),
        ("os.system", "attribute access is not allowed"),
        ("exec('x')", "unknown function 'exec'"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("lambda: 1", "lambda is not allowed"),
        ("(lambda: 1)()", "lambda is not allowed"),
        ("(1)(2)", "only floor, ceil, min and max can be called"),
        ("[1,2]", "lists are not allowed"),
        ("(1, 2)", "tuples are not allowed"),
        ("{1: 2}", "dicts are not allowed"),
        ("[x for x in y]", "comprehensions are not allowed"),
        ("x[0]", "subscripts are not allowed"),
        ("9**9**9", "exponent must be an integer literal between 0 and 64"),
        ("2**-1", "exponent must be an integer literal between 0 and 64"),
        ("H**65", "exponent must be an integer literal between 0 and 64"),
        ("H**(1/2)", "exponent must be an integer literal between 0 and 64"),
        ("2**H", "exponent must be an integer literal between 0 and 64"),
        ("((10**64)**64)**3", "the result would have more than 10000 digits"),
        ("(H*(10**64)**64)**3", "the result would have more than 10000 digits"),
        ("1/0", "division by zero"),
        ("H/0", "division by zero"),
        ("H//(k - k)", "division by zero"),
        ("1 % 0", "division by zero"),
        ("H % 0", "division by zero"),
        ("", "empty formula"),
        ("   \n", "empty formula"),
        ("a if b else c", "conditional expressions are not allowed"),
        ("H > 2", "comparisons are not allowed"),
        ("H and k", "boolean operators are not allowed"),
        ("not H", "operator 'not' is not allowed"),
        ("~H", "operator '~' is not allowed"),
        ("H << 2", "operator '<<' is not allowed"),
        ("H ^ 2", "operator '^' is not allowed"),
        ("(y := 2)", "assignment expressions are not allowed"),
        ("f'{x}'", "f-strings are not allowed"),
        ("'abc'", "strings are not allowed (got 'abc')"),
        ("b'abc'", "strings are not allowed (got b'abc')"),
        ("1j", "complex numbers are not allowed (got 1j)"),
        ("True", "constants are not allowed (got True)"),
        ("None", "constants are not allowed (got None)"),
        ("...", "constants are not allowed (got Ellipsis)"),
        ("_x + 1", "names starting with '_' are not allowed (got '_x')"),
        ("__class__", "names starting with '_' are not allowed (got '__class__')"),
        ("floor + 1", "'floor' is a function; call it like floor(x)"),
        ("min(H, k=3)", "keyword and starred arguments are not allowed in min()"),
        ("max(*H)", "keyword and starred arguments are not allowed in max()"),
        ("floor(H, 2)", "floor() takes 1 argument, got 2"),
        ("min()", "min() takes 1 or more arguments, got 0"),
        ("k=3", "syntax error"),
        ("import os", "syntax error"),
        ("H +", "syntax error"),
        ("1\x00", "syntax error"),
        ("-" * 300 + "1", "formula is nested too deeply"),
        ("(" * 200 + "1" + ")" * 200, "formula is nested too deeply"),
        ("[" * 150, "formula is nested too deeply"),
    ],
)
def test_rejects(text: str, reason: str) -> None:
    rejects(text, reason)


def test_too_long_formula_is_refused_before_parsing() -> None:
    text = "H + " * 150 + "1"
    assert len(text) > 500
    expected = message(text[:40] + "...", "formula longer than 500 characters")
    with pytest.raises(SpecError, match=f"^{re.escape(expected)}$"):
        parse_formula(text)
    parse_formula("+".join(["1"] * 50))  # long-ish but fine


def test_rejected_code_is_never_run(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    for text in [
        f"open({str(target)!r}, 'w')",
        f"__import__('pathlib').Path({str(target)!r}).touch()",
        f"[open({str(target)!r}, 'w') for _ in 'x']",
        f"(lambda: open({str(target)!r}, 'w'))()",
    ]:
        with pytest.raises(SpecError):
            parse_formula(text)
    assert not target.exists()


def test_module_calls_no_evaluating_functions() -> None:
    tree = ast.parse(Path(symcnn.exact.formula.__file__).read_text())
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not used & {"eval", "exec", "compile", "sympify", "parse_expr", "S"}


# ----------------------------------------------------------- property tests

Node = tuple[str, Fraction]  # (formula text, exact value Python computes for it)

_BINARY: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: Fraction(a // b),
    "%": lambda a, b: a % b,
}

_FUNCTIONS: dict[str, Callable[[list[Fraction]], Fraction | int]] = {
    "floor": lambda vs: math.floor(vs[0]),
    "ceil": lambda vs: math.ceil(vs[0]),
    "min": min,
    "max": max,
}


def _leaf(n: int) -> Node:
    return (f"({n})" if n < 0 else str(n), Fraction(n))


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    def binary(args: tuple[Node, str, Node]) -> Node:
        (a, va), op, (b, vb) = args
        return f"({a} {op} {b})", _BINARY[op](va, vb)

    def call(args: tuple[str, list[Node]]) -> Node:
        name, nodes = args
        if name in ("floor", "ceil"):
            nodes = nodes[:1]
        value = _FUNCTIONS[name]([v for _, v in nodes])
        return f"{name}({', '.join(s for s, _ in nodes)})", Fraction(value)

    def power(args: tuple[Node, int]) -> Node:
        (a, va), e = args
        if max(abs(va.numerator), va.denominator).bit_length() > 64:
            e = 1  # keep numbers small; the digit limit has its own tests
        return f"({a})**{e}", va**e

    binaries = st.tuples(children, st.sampled_from(sorted(_BINARY)), children).filter(
        lambda t: t[1] not in ("/", "//", "%") or t[2][1] != 0
    )
    return st.one_of(
        binaries.map(binary),
        children.map(lambda n: (f"(-{n[0]})", -n[1])),
        st.tuples(
            st.sampled_from(["floor", "ceil", "min", "max"]),
            st.lists(children, min_size=1, max_size=3),
        ).map(call),
        st.tuples(children, st.integers(0, 3)).map(power),
    )


numeric_formulas = st.recursive(st.integers(-30, 30).map(_leaf), _extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(numeric_formulas)
def test_numbers_evaluate_like_python(node: Node) -> None:
    text, value = node
    assert parse_formula(text) == sympy.Rational(value.numerator, value.denominator)


VALUES = {"H": 7, "k": 3, "p": 0, "W": 12}


def _symbolic_leaf() -> st.SearchStrategy[Node]:
    names = st.sampled_from(sorted(VALUES)).map(lambda n: (n, Fraction(VALUES[n])))
    return st.one_of(names, st.integers(-9, 9).map(_leaf))


@settings(max_examples=150, deadline=None)
@given(st.recursive(_symbolic_leaf(), _extend, max_leaves=6))
def test_symbolic_formulas_agree_after_substitution(node: Node) -> None:
    """Parsing keeps symbols; substituting values must give Python's number."""
    text, value = node
    result = parse_formula(text).subs({symbol(n): v for n, v in VALUES.items()})
    assert result == sympy.Rational(value.numerator, value.denominator)


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("0.5", sympy.Rational(1, 2)),
        ("1e3", 1000),
        ("0.35", sympy.Rational(7, 20)),
        ("20e6", 20_000_000),
        ("1.5e-3", sympy.Rational(3, 2000)),
        ("0.1 + 0.2", sympy.Rational(3, 10)),
    ],
)
def test_decimals_are_exact(text: str, exact: object) -> None:
    # 0.1 + 0.2 is 3/10 exactly: a decimal is never a binary float.
    assert parse_formula(text) == exact


def test_relations_parse_both_sides_exactly() -> None:
    from symcnn.exact.formula import parse_relation

    assert parse_relation("params <= 20e6") == ("<=", symbol("params"), 20_000_000)
    operator, left, right = parse_relation("layer3.0.conv2.params > 2*k")
    assert (operator, left.name, str(right)) == (">", "layer3.0.conv2.params", "2*k")
    with pytest.raises(SpecError, match="write it as NAME <= VALUE"):
        parse_relation("params")
    with pytest.raises(SpecError, match="comparisons are not allowed"):
        parse_relation("a <= b <= c")
    with pytest.raises(SpecError, match="unknown function"):
        parse_relation("params <= exec('x')")


def test_remainder_by_a_negative_divisor_is_pythons() -> None:
    """SymPy folds Mod(W*Mod(W, 7), -7) wrongly; a % b by a divisor not known positive is parsed as its definition."""
    text = "((W * (W % H)) % (-H))"
    assert parse_formula(text).subs({symbol("W"): 12, symbol("H"): 7}) == (12 * (12 % 7)) % -7 == -3
    for w in range(1, 30):
        for h in range(1, 9):
            assert parse_formula(text).subs({symbol("W"): w, symbol("H"): h}) == (w * (w % h)) % -h
