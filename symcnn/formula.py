"""Safe parsing of the hyperparameter formulas users type (``"(H - 1)//4 + 1"``).

Formulas come from YAML spec files and command-line flags, so they are
untrusted text.  ``sympy.sympify`` and ``parse_expr`` run strings through
Python's ``eval``, which would let a spec file execute arbitrary code
(``"__import__('os').system(...)"``).  Instead we only *parse* the text with
:func:`ast.parse` and walk the tree with an explicit whitelist: integer
literals, names, ``+ - * / // % **``, unary ``+``/``-`` and calls to
``floor``, ``ceil``, ``min`` and ``max``.  Anything else is a ``SpecError``.
Length, nesting, exponents, the digits of big powers and the number of terms
the formula expands to are bounded, so that parsing it, and expanding the
totals it enters, stays cheap.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, NoReturn

import sympy

from .errors import SpecError
from .symbols import symbol

__all__ = ["parse_formula"]

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
    ast.Mod: lambda a, b: sympy.Mod(a, b),
}
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
    """Turn a formula string into an exact SymPy expression, or raise ``SpecError``."""
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
    try:
        result = _build(tree.body, fail, 0)
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


def _build(node: ast.AST, fail: Fail, depth: int) -> Any:
    """Build the SymPy object for one whitelisted node; ``fail`` on anything else."""
    if depth > MAX_DEPTH:
        fail("formula is nested too deeply")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool):
            return sympy.Integer(value)
        if isinstance(value, float):
            fail(f"floats are not allowed (got {value!r}); write a fraction like 1/2")
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
        operand = _build(node.operand, fail, depth + 1)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Pow) and type(node.op) not in _BINARY:
            fail(f"operator {_OPERATORS[type(node.op)]!r} is not allowed")
        left = _build(node.left, fail, depth + 1)
        right = _build(node.right, fail, depth + 1)
        if isinstance(node.op, ast.Pow):
            return _power(left, right, fail)
        result = _BINARY[type(node.op)](left, right)
        if result.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            fail("division by zero")
        return result
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            _build(node.func, fail, depth + 1)  # reports attribute access, lambda...
            fail("only floor, ceil, min and max can be called")
        name = node.func.id
        if name not in _FUNCTIONS:
            fail(f"unknown function {name!r}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            fail(f"keyword and starred arguments are not allowed in {name}()")
        wanted = "1 argument" if name in ("floor", "ceil") else "1 or more arguments"
        if not node.args or (wanted == "1 argument" and len(node.args) > 1):
            fail(f"{name}() takes {wanted}, got {len(node.args)}")
        return _FUNCTIONS[name](*(_build(arg, fail, depth + 1) for arg in node.args))
    kind = _FORBIDDEN.get(type(node), f"{type(node).__name__} expressions are")
    fail(f"{kind} not allowed")


def _power(base: Any, exponent: Any, fail: Fail) -> Any:
    """``base ** exponent`` for a small non-negative integer exponent."""
    if not (isinstance(exponent, sympy.Integer) and 0 <= exponent <= MAX_EXPONENT):
        fail(f"exponent must be an integer literal between 0 and {MAX_EXPONENT}")
    numbers = base.atoms(sympy.Rational)  # all get raised: (10*H)**2 is 100*H**2
    bits = max((max(abs(n.p), n.q).bit_length() for n in numbers), default=0)
    if int(exponent) * bits * 0.30103 > MAX_DIGITS:  # 0.30103 = log10(2)
        fail(f"the result would have more than {MAX_DIGITS} digits")
    return base**exponent
