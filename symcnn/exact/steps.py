"""What a layer derives, as plain data: tensors, steps, checks and outcomes.

This is the data model shared by the layers (which make it) and the derivation
and renderers (which read it).  It sits below both and knows nothing of either.

* :class:`Tensor`: a shape without the batch, with how each size is shown;
* :class:`Step`: one derived quantity (rule, rule in general, rule with values, value);
* :class:`Check`: a validity condition a layer states;
* :class:`Outcome`: everything one layer derives for one input;
* :class:`Bind`: a rule argument with its notation and how its value is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeAlias

import sympy

from .display import ONE, ZERO, Shown, leaf, substitute
from .printing import to_str
from .rules import Rule
from .simplify import at_least_one
from .values import integer

__all__ = [
    "Bind",
    "Check",
    "Outcome",
    "Shape",
    "Step",
    "Tensor",
    "Value",
    "Window",
    "bias_term",
    "derive_step",
    "format_shape",
    "product",
    "shown_product",
    "size_check",
    "spatial_names",
    "zero_step",
]

Shape: TypeAlias = tuple[sympy.Expr, ...]
Value: TypeAlias = Any  # an int, a formula string or a SymPy expression


@dataclass(frozen=True)
class Tensor:
    """A shape without the batch dimension, plus how each size is shown.

    ``shown`` keeps a product as a product: after ``Flatten`` the feature count
    of 32x5x5 maps displays as ``32*5*5`` in the next layer's formula.
    """

    shape: Shape
    shown: tuple[Shown, ...]

    @classmethod
    def of(cls, shape: Iterable[sympy.Expr]) -> Tensor:
        dims = tuple(size if isinstance(size, sympy.Basic) else sympy.sympify(size, strict=True) for size in shape)
        return cls(dims, tuple(leaf(size) for size in dims))

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> sympy.Expr:
        return product(self.shape)


@dataclass(frozen=True)
class Window:
    """The geometry of a sliding window along one axis, kept beside the size it gives.

    A size rule shows only what it needs (``size_ceil_exact`` has no kernel);
    receptive fields need all of it.
    """

    kernel: sympy.Expr
    stride: sympy.Expr
    padding: sympy.Expr
    dilation: sympy.Expr = sympy.S.One
    ceil_mode: bool = False

    def map(self, change: Any) -> Window:
        """The same window with ``change`` applied to every value (a substitution)."""
        return Window(
            change(self.kernel), change(self.stride), change(self.padding), change(self.dilation), self.ceil_mode
        )


@dataclass(frozen=True)
class Step:
    """One derived quantity: the rule, the rule in general and with values, the value.

    The two displays are built when first read, not during the derivation:
    a deep network is derived many more times (sweeps, what-ifs) than printed.
    """

    quantity: str
    value: sympy.Expr
    rule: Rule | None = None
    arguments: tuple[tuple[str, Bind], ...] = ()
    shown: Shown | None = None  # a display given directly, for steps without a rule
    replaced: tuple[Mapping[sympy.Basic, sympy.Expr], ...] = ()  # substitutions made since
    window: Window | None = None  # a size made by a sliding window: its geometry

    @cached_property
    def general(self) -> Shown | None:
        """The rule in its notation, e.g. ``(n*m*l + 1)*k``."""
        if self.rule is None:
            return None
        return self.rule.shown({name: bind.general() for name, bind in self.arguments})

    @cached_property
    def substituted(self) -> Shown | None:
        """The rule with this layer's values, e.g. ``(5*5*1 + 1)*32``."""
        if self.rule is not None:
            tree: Shown | None = self.rule.shown({name: bind.substituted() for name, bind in self.arguments})
        else:
            tree = self.shown
        for mapping in self.replaced:
            tree = substitute(tree, mapping) if tree is not None else None
        return tree


@dataclass(frozen=True)
class Check:
    """A validity condition: ``holds`` is a SymPy relation, ``true`` or ``false``.

    ``got`` is the step whose value the rule constrains; it is only printed if
    the check fails (printing every formula up front would slow deep networks).
    """

    rule: str
    holds: sympy.Basic
    got: Step | None = None

    def failure(self) -> str:
        if self.got is None:
            return self.rule
        shown = f"{self.got.substituted} = " if self.got.substituted is not None else ""
        return f"{self.rule}, got {shown}{self.got.value}"


@dataclass(frozen=True)
class Outcome:
    """Everything one layer derives for one input."""

    output: Tensor
    sizes: tuple[Step, ...] = ()
    params: Step = field(default_factory=lambda: zero_step("params"))
    non_trainable: Step = field(default_factory=lambda: zero_step("non_trainable"))
    buffers: Step = field(default_factory=lambda: zero_step("buffers"))
    macs: Step = field(default_factory=lambda: zero_step("macs"))
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Bind:
    """A rule argument: its value, its notation, and how the value is shown.

    ``omit`` hides a term at its identity (groups 1, no bias) in both displays.
    """

    value: sympy.Expr
    notation: str | Shown
    shown: Shown | None = None
    omit: bool = False

    def _identity(self) -> Shown:
        return ONE if self.value == 1 else ZERO

    def general(self) -> str | Shown:
        return self._identity() if self.omit else self.notation

    def substituted(self) -> Shown:
        if self.omit:
            return self._identity()
        return self.shown if self.shown is not None else leaf(self.value)


_BIAS, _NO_BIAS = Bind(sympy.Integer(1), leaf(1)), Bind(sympy.Integer(0), "b", omit=True)


def bias_term(present: bool) -> Bind:
    """The bias count per output: shown as ``+ 1`` when present, left out when not."""
    return _BIAS if present else _NO_BIAS


# A deep network's steps repeat the same arguments (``("n", Bind(3, "n"))`` in every 3x3 window):
# equal (name, Bind) pairs are shared, so a 10,000-layer derivation keeps one of each, not one per step.
_PAIRS: dict[tuple[str, Bind], tuple[str, Bind]] = {}
_PAIRS_LIMIT = 1 << 16


def _shared(pair: tuple[str, Bind]) -> tuple[str, Bind]:
    try:
        found = _PAIRS.get(pair)
    except TypeError:  # a value SymPy cannot hash: not shared
        return pair
    if found is not None:
        return found
    if len(_PAIRS) >= _PAIRS_LIMIT:
        _PAIRS.clear()
    _PAIRS[pair] = pair
    return pair


def derive_step(quantity: str, rule: Rule, **arguments: Bind) -> Step:
    value = rule(**{name: bind.value for name, bind in arguments.items()})
    # A Bind with its own display (an input size as the tensor shows it, a layer's output positions) is
    # rarely equal to another: looking it up would cost a hash and fill the table for nothing.
    pairs = tuple(_shared(pair) if pair[1].shown is None else pair for pair in arguments.items())
    return Step(quantity, value, rule, pairs)


_ZEROS: dict[str, Step] = {}


def zero_step(quantity: str) -> Step:
    """A zero (no parameters, no MACs): one shared step per quantity, as every pool and activation has them."""
    step = _ZEROS.get(quantity)
    if step is None:
        step = _ZEROS[quantity] = Step(quantity, sympy.Integer(0))
    return step


def product(values: Iterable[sympy.Expr]) -> sympy.Expr:
    factors = tuple(values)
    if all(isinstance(factor, sympy.Integer) for factor in factors):
        result = 1
        for factor in factors:  # numbers: Python ints, no SymPy flattening
            result *= factor.p  # type: ignore[attr-defined]
        return integer(result)
    return sympy.Mul(*factors)


def shown_product(parts: Sequence[Shown | str | int]) -> Shown:
    """``a*b*c`` as written (a single part shows as itself)."""
    if all(isinstance(part, str | int) for part in parts):
        return _named_product(tuple(parts))  # type: ignore[arg-type]
    return _product_of(parts)


@lru_cache(maxsize=1024)  # every conv of a network shows its kernel as n*m and 3*3: one tree each
def _named_product(parts: tuple[str | int, ...]) -> Shown:
    return _product_of(parts)


def _product_of(parts: Sequence[Shown | str | int]) -> Shown:
    result = leaf(parts[0])
    for part in parts[1:]:
        result = result * leaf(part)
    return result


def spatial_names(count: int) -> tuple[str, ...]:
    return {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}.get(
        count, tuple(f"size {index + 1}" for index in range(count))
    )


def size_check(dimension: str, step: Step) -> Check:
    return Check(_at_least_one_message(dimension), at_least_one(step.value), step)


@lru_cache(maxsize=64)  # one message string per dimension name, not one per layer
def _at_least_one_message(dimension: str) -> str:
    return f"output {dimension} must be ≥ 1"


def format_shape(shape: Iterable[sympy.Expr]) -> str:
    return "x".join(
        to_str(size) if size.is_Atom or isinstance(size, sympy.Function) else f"({to_str(size)})" for size in shape
    )
