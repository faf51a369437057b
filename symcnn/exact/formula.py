"""Safe parsing of the hyperparameter formulas users type (``"(H - 1)//4 + 1"``).

Formulas come from YAML spec files and command-line flags, so they are
untrusted text.  ``sympy.sympify`` and ``parse_expr`` run strings through
Python's ``eval``, which would let a spec file execute arbitrary code
(``"__import__('os').system(...)"``).  Instead we only *parse* the text with
:func:`ast.parse` and walk the tree with an explicit whitelist: integer
literals, names, ``+ - * / // % **``, unary ``+``/``-`` and calls to
``floor``, ``ceil``, ``min`` and ``max``.  Anything else is a ``SpecError``.
Decimals are read as the exact number they spell (``0.35`` is 7/20, ``20e6`` is
20000000), never as a binary float.  :func:`parse_relation` reads one
comparison (``params <= 20e6``) for budgets and bounds.
Length, nesting, exponents, the digits of big powers and the number of terms
the formula expands to are bounded, so that parsing it, and expanding the
totals it enters, stays cheap.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NoReturn

import sympy

from ..errors import SpecError
from .symbols import symbol

__all__ = ["exact_decimal", "parse_formula", "parse_relation"]

MAX_LENGTH = 500
MAX_DEPTH = 100
MAX_EXPONENT = 64
MAX_DIGITS = 10_000

Fail = Callable[[str], NoReturn]

_FUNCTIONS: dict[str, Callable[..., Any]] = {"floor": sympy.floor, "min": sympy.Min}
_FUNCTIONS |= {"ceil": sympy.ceiling, "max": sympy.Max}
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,  # Integer / Integer is an exact Rational
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),
    ast.Mod: lambda a, b: _remainder(a, b),
}


def _remainder(a: Any, b: Any) -> Any:
    """Python's ``a % b``: SymPy's ``Mod`` where the divisor is positive, else ``a - b*floor(a/b)``.

    SymPy 1.14 folds a positive modulus inside a negative one wrongly (``Mod(W*Mod(W, 7), -7)``
    becomes ``Mod(W*Mod(W, 7)**2, -7)``: -1 at W = 12, where Python gives -3); the floor form
    is the definition, exact for every sign.
    """
    if b == 0:
        raise ZeroDivisionError
    if getattr(b, "is_positive", False) is True:
        return sympy.Mod(a, b)
    return a - b * sympy.floor(a / b)
_OPERATORS: dict[type[ast.AST], str] = {ast.Invert: "~", ast.Not: "not"}
_OPERATORS |= {ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^"}
_OPERATORS |= {ast.BitAnd: "&", ast.MatMult: "@"}
_CONSTANTS = {str: "strings", bytes: "strings", complex: "complex numbers"}
_FORBIDDEN: dict[type[ast.AST], str] = {  # node type -> "<what> is/are"
    ast.Attribute: "attribute access is", ast.Subscript: "subscripts are",
    ast.Lambda: "lambda is", ast.IfExp: "conditional expressions are",
    ast.Compare: "comparisons are", ast.BoolOp: "boolean operators are",
    ast.JoinedStr: "f-strings are", ast.NamedExpr: "assignment expressions are",
    ast.List: "lists are", ast.Tuple: "tuples are", ast.Set: "sets are",
    ast.Dict: "dicts are", ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
}  # fmt: skip


def parse_formula(text: str, *, what: str = "formula") -> sympy.Expr:
    """Turn a formula string into an exact SymPy expression, or raise ``SpecError``.

    >>> parse_formula("k//2 + 1")
    floor(k/2) + 1
    >>> parse_formula("0.35*k")
    7*k/20
    """
    tree, fail, source = _parse(text, what)
    return _finish(lambda: _build(tree.body, fail, 0, source), fail)


_RELATIONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.LtE: sympy.Le,
    ast.Lt: sympy.Lt,
    ast.GtE: sympy.Ge,
    ast.Gt: sympy.Gt,
    ast.Eq: sympy.Eq,
}


def parse_relation(text: str, *, what: str = "bound") -> tuple[str, sympy.Expr, sympy.Expr]:
    """Read one comparison ``left OP right`` (``<=``, ``<``, ``>=``, ``>``, ``==``) safely.

    Returns the operator and both sides, each parsed like :func:`parse_formula`;
    the left side may be a quantity name with dots (``layer3.0.conv2.params``) or
    brackets (``output_shape[1]``), returned as a symbol of that exact name.

    >>> parse_relation("params <= 20e6")
    ('<=', params, 20000000)
    """
    source = text.strip()
    match = re.fullmatch(r"\s*([A-Za-z_][\w.\[\]]*)\s*(<=|<|>=|>|==)\s*(.+)", source)
    if not match:
        shown = source if len(source) <= 60 else source[:40] + "..."
        raise SpecError(f"{what}: cannot read {shown!r}: write it as NAME <= VALUE (or <, >=, >, ==)")
    name, operator, right = match.groups()
    if any(char in name for char in ".[]"):
        left: sympy.Expr = sympy.Symbol(name)
    else:
        left = parse_formula(name, what=what)
    return operator, left, parse_formula(right, what=what)


def _parse(text: str, what: str) -> tuple[ast.Expression, Fail, str]:
    source = text.strip()
    shown = source if len(source) <= MAX_LENGTH else source[:40] + "..."

    def fail(reason: str) -> NoReturn:
        raise SpecError(f"{what}: cannot parse formula {shown!r}: {reason}")

    if not source:
        fail("empty formula")
    if len(source) > MAX_LENGTH:
        fail(f"formula longer than {MAX_LENGTH} characters")
    depth = deepest = 0
    for char in source:  # bound bracket nesting before the parser sees it
        depth += (char in "([{") - (char in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        fail("formula is nested too deeply")
    try:
        tree = ast.parse(source, mode="eval")  # parses only; nothing is evaluated
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        fail("syntax error")
    return tree, fail, source


def _finish(build: Callable[[], Any], fail: Fail) -> sympy.Expr:
    try:
        result = build()
        if _expanded_terms(result) > MAX_TERMS:  # totals expand formulas: keep that affordable
            fail(f"formula would expand to more than {MAX_TERMS:,} terms")
        return result
    except ZeroDivisionError:  # sympy.Mod(x, 0) raises instead of giving nan
        fail("division by zero")
    except RecursionError:
        fail("formula is nested too deeply")


MAX_TERMS = 10_000


def _expanded_terms(expr: Any) -> int:
    """An upper bound on the number of terms of ``expand(expr)``, computed without expanding."""
    if isinstance(expr, sympy.Add):
        return sum(_expanded_terms(arg) for arg in expr.args)
    if isinstance(expr, sympy.Mul):
        count = 1
        for arg in expr.args:
            count *= _expanded_terms(arg)
        return count
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and expr.exp > 0:
        return int(_expanded_terms(expr.base) ** int(expr.exp))
    return 1


def _build(node: ast.AST, fail: Fail, depth: int, source: str) -> Any:
    """Build the SymPy object for one whitelisted node; ``fail`` on anything else."""
    if depth > MAX_DEPTH:
        fail("formula is nested too deeply")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool):
            return sympy.Integer(value)
        if isinstance(value, float):
            return _decimal(ast.get_source_segment(source, node) or repr(value), fail)
        kind = _CONSTANTS.get(type(value), "constants")
        fail(f"{kind} are not allowed (got {value!r})")
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            fail(f"names starting with '_' are not allowed (got {node.id!r})")
        if node.id in _FUNCTIONS:
            fail(f"{node.id!r} is a function; call it like {node.id}(x)")
        return symbol(node.id)
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.UAdd, ast.USub)):
            fail(f"operator {_OPERATORS[type(node.op)]!r} is not allowed")
        operand = _build(node.operand, fail, depth + 1, source)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Pow) and type(node.op) not in _BINARY:
            fail(f"operator {_OPERATORS[type(node.op)]!r} is not allowed")
        left = _build(node.left, fail, depth + 1, source)
        right = _build(node.right, fail, depth + 1, source)
        if isinstance(node.op, ast.Pow):
            return _power(left, right, fail)
        result = _BINARY[type(node.op)](left, right)
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            fail("division by zero")
        return result
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            _build(node.func, fail, depth + 1, source)  # reports attribute access, lambda...
            fail("only floor, ceil, min and max can be called")
        name = node.func.id
        if name not in _FUNCTIONS:
            fail(f"unknown function {name!r}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            fail(f"keyword and starred arguments are not allowed in {name}()")
        wanted = "1 argument" if name in ("floor", "ceil") else "1 or more arguments"
        if not node.args or (wanted == "1 argument" and len(node.args) > 1):
            fail(f"{name}() takes {wanted}, got {len(node.args)}")
        return _FUNCTIONS[name](*(_build(arg, fail, depth + 1, source) for arg in node.args))
    kind = _FORBIDDEN.get(type(node), f"{type(node).__name__} expressions are")
    fail(f"{kind} not allowed")


def exact_decimal(literal: str) -> Fraction:
    """A decimal literal as the exact number it spells: ``0.35`` is 7/20, ``20e6`` is 20000000.

    Used for formulas, and for the decimals of YAML and JSON spec files, so that a
    width multiplier typed as ``0.35`` is never a binary float.
    """
    text = literal.strip().replace("_", "")
    _, _, exponent = text.lower().partition("e")
    try:
        if (exponent and abs(int(exponent)) > MAX_DIGITS) or len(text) > MAX_DIGITS:
            raise SpecError(f"the number {literal!r} has more than {MAX_DIGITS} digits")
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecError(f"cannot read the number {literal!r} exactly") from None


def _decimal(literal: str, fail: Fail) -> sympy.Rational:
    try:
        exact = exact_decimal(literal)
    except SpecError as error:
        fail(error.message)
    return sympy.Rational(exact.numerator, exact.denominator)


def _power(base: Any, exponent: Any, fail: Fail) -> Any:
    """``base ** exponent`` for a small non-negative integer exponent."""
    if not (isinstance(exponent, sympy.Integer) and 0 <= exponent <= MAX_EXPONENT):
        fail(f"exponent must be an integer literal between 0 and {MAX_EXPONENT}")
    numbers = base.atoms(sympy.Rational)  # all get raised: (10*H)**2 is 100*H**2
    bits = max((max(abs(n.p), n.q).bit_length() for n in numbers), default=0)
    if int(exponent) * bits * 0.30103 > MAX_DIGITS:  # 0.30103 = log10(2)
        fail(f"the result would have more than {MAX_DIGITS} digits")
    return base**exponent
