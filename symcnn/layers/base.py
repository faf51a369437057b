"""What every layer shares: values it is made of, the steps it derives, the registry.

A layer is a frozen dataclass whose fields use PyTorch's names and PyTorch's
positional order, so ``Conv2d(3, 64, 3)`` means what it means in PyTorch.
Channel and feature counts that PyTorch asks for first (``in_channels``) are
optional here: they are read from the incoming shape, and checked if given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeVar

import sympy

from ..conventions import Conventions
from ..display import ONE, ZERO, Shown, leaf, substitute
from ..errors import ShapeError, SpecError, SymcnnError, UnknownLayerError
from ..rules import Rule
from ..simplify import at_least_one, decide
from ..symbols import integer_at_least, to_expr

if TYPE_CHECKING:
    from ..network import Node

__all__ = [
    "LAYERS",
    "Bind",
    "Check",
    "Layer",
    "Outcome",
    "Step",
    "Tensor",
    "bias_term",
    "derive_step",
    "product",
    "register",
    "spatial_names",
    "zero_step",
]

Shape = tuple[sympy.Expr, ...]
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
        dims = tuple(sympy.sympify(size) for size in shape)
        return cls(dims, tuple(leaf(size) for size in dims))

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> sympy.Expr:
        return product(self.shape)


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


def bias_term(present: bool) -> Bind:
    """The bias count per output: shown as ``+ 1`` when present, left out when not."""
    return Bind(sympy.Integer(1), leaf(1)) if present else Bind(sympy.Integer(0), "b", omit=True)


def derive_step(quantity: str, rule: Rule, **arguments: Bind) -> Step:
    value = rule(**{name: bind.value for name, bind in arguments.items()})
    return Step(quantity, value, rule, tuple(arguments.items()))


def zero_step(quantity: str) -> Step:
    return Step(quantity, sympy.Integer(0))


def product(values: Iterable[sympy.Expr]) -> sympy.Expr:
    return sympy.Mul(*values)


def shown_product(parts: Sequence[Shown | str]) -> Shown:
    """``a*b*c`` as written (a single part shows as itself)."""
    result = leaf(parts[0])
    for part in parts[1:]:
        result = result * leaf(part)
    return result


def spatial_names(count: int) -> tuple[str, ...]:
    return {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}.get(
        count, tuple(f"size {index + 1}" for index in range(count))
    )


def size_check(dimension: str, step: Step) -> Check:
    return Check(f"output {dimension} must be ≥ 1", at_least_one(step.value), step)


# --- the layer base class and the registry -----------------------------------

LAYERS: dict[str, type[Layer]] = {}
L = TypeVar("L", bound="type[Layer]")


def register(kind: str, prefix: str) -> Callable[[L], L]:
    """Enter a layer class in the registry under its spec name (``"conv2d"``)."""

    def enter(cls: L) -> L:
        if kind in LAYERS:
            raise ValueError(f"layer type {kind!r} is registered twice")
        cls.kind, cls.prefix = kind, prefix
        LAYERS[kind] = cls
        return cls

    return enter


def layer_class(kind: str) -> type[Layer]:
    try:
        return LAYERS[kind.lower()]
    except KeyError:
        close = sorted(name for name in LAYERS if name.startswith(kind.lower()[:4]))
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownLayerError(f"unknown layer type {kind!r}{hint}") from None


@dataclass(frozen=True)
class Layer:
    """Base of all layers.  Subclasses implement :meth:`apply`."""

    kind: ClassVar[str] = "layer"
    prefix: ClassVar[str] = "layer"
    arity: ClassVar[int] = 1  # number of inputs; 0 means any number >= 2

    name: str | None = field(default=None, kw_only=True)

    # -- construction helpers ---------------------------------------------------
    def _set(self, attribute: str, value: Any) -> None:
        object.__setattr__(self, attribute, value)

    def _fail(self, message: str) -> SpecError:
        return SpecError(message, where=self.kind)

    def _integer(self, attribute: str, *, minimum: int = 1, optional: bool = False) -> None:
        raw = getattr(self, attribute)
        if raw is None:
            if optional:
                return
            raise self._fail(f"{attribute} is required")
        self._set(attribute, self._checked(raw, attribute, minimum))

    def _checked(self, raw: object, what: str, minimum: int) -> sympy.Expr:
        try:
            value = to_expr(raw, what)
            holds = integer_at_least(value, minimum, what)
        except SymcnnError as error:
            raise error.located(self.kind) from None
        if holds is not sympy.true:  # e.g. kernel_size "k - 2": listed as a condition when derived
            pending = (*self.argument_checks(), Check(f"{what} must be ≥ {minimum}", holds))
            object.__setattr__(self, "_argument_checks", pending)
        return value

    def argument_checks(self) -> tuple[Check, ...]:
        """Conditions on formula arguments that the symbols alone do not settle."""
        return getattr(self, "_argument_checks", ())

    def _tuple(self, attribute: str, count: int, *, minimum: int = 1) -> None:
        raw = getattr(self, attribute)
        if raw is None:
            raise self._fail(f"{attribute} is required")
        items = list(raw) if isinstance(raw, list | tuple) else [raw] * count
        if len(items) != count:
            raise self._fail(f"{attribute} must have {count} values, got {len(items)}")
        self._set(attribute, tuple(self._checked(item, attribute, minimum) for item in items))

    def _flag(self, attribute: str) -> None:
        if not isinstance(getattr(self, attribute), bool):
            raise self._fail(f"{attribute} must be true or false, got {getattr(self, attribute)!r}")

    def _choice(self, attribute: str, allowed: Sequence[object]) -> None:
        if getattr(self, attribute) not in allowed:
            raise self._fail(
                f"{attribute} must be one of {', '.join(map(repr, allowed))}, got {getattr(self, attribute)!r}"
            )

    # -- derivation -----------------------------------------------------------------
    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        raise NotImplementedError

    def _expect_rank(self, x: Tensor, *ranks: int, what: str = "input") -> None:
        if x.rank not in ranks:
            wanted = " or ".join(str(rank) for rank in ranks)
            raise ShapeError(f"{what} must have {wanted} dimensions (without batch), got shape {format_shape(x.shape)}")

    def _check_declared(self, attribute: str, actual: sympy.Expr) -> Check | None:
        declared = getattr(self, attribute)
        if declared is None:
            return None
        holds = sympy.Eq(declared, actual)
        if holds is sympy.false:
            raise ShapeError(f"{attribute} is {declared} but the input has {actual}")
        return Check(f"{attribute} must equal the input's {actual}", holds)

    # -- convenience, for one-off questions ---------------------------------------
    def _outcome(self, input_shape: Iterable[Value], conventions: Conventions | None = None) -> Outcome:
        """Apply the layer to one input; a check the numbers decide as false is an error, as in ``derive``."""
        shape = tuple(to_expr(size, "input size") for size in input_shape)
        outcome = self.apply((Tensor.of(shape),), conventions or Conventions())
        for check in outcome.checks:
            if decide(check.holds) is sympy.false:
                raise ShapeError(check.failure())
        return outcome

    def output_shape(self, input_shape: Iterable[Value]) -> Shape:
        """Output shape (without batch) for ``input_shape`` (without batch)."""
        return self._outcome(input_shape).output.shape

    def params(self, input_shape: Iterable[Value]) -> sympy.Expr:
        """Trainable parameters (PyTorch: ``numel`` of ``.parameters()``)."""
        return self._outcome(input_shape).params.value

    def buffers(self, input_shape: Iterable[Value]) -> sympy.Expr:
        """Buffer elements (PyTorch: ``numel`` of ``.buffers()``)."""
        return self._outcome(input_shape).buffers.value

    def macs(self, input_shape: Iterable[Value]) -> sympy.Expr:
        """Multiply-accumulates for one sample."""
        return self._outcome(input_shape).macs.value

    def replace(self, **changes: Any) -> Layer:
        """A copy with some arguments changed: ``conv.replace(stride=2)``."""
        return dataclasses.replace(self, **changes)

    def __call__(self, *inputs: Node) -> Node:
        """Functional API: ``y = Conv2d(out_channels=8, kernel_size=3)(x)``."""
        from ..network import Node

        return Node.make(self, inputs)


_APPLIED: dict[object, Outcome] = {}
_APPLIED_LIMIT = 8192


def apply_once(layer: Layer, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
    """``layer.apply``, remembered for equal layers on equal input shapes.

    Importing a PyTorch model applies every layer to follow shapes; deriving the
    network then finds the same outcomes here instead of computing them again.
    The key includes how each input size is shown (``32*5*5`` after Flatten, or
    ``800``), since the outcome's formulas show them.
    """
    try:
        key = (layer, conventions, tuple((x.shape, tuple(_shown_key(part) for part in x.shown)) for x in inputs))
        hash(key)
    except TypeError:  # a layer with an unhashable argument: nothing to remember it by
        return layer.apply(inputs, conventions)
    outcome = _APPLIED.get(key)
    if outcome is None:
        outcome = layer.apply(inputs, conventions)
        if len(_APPLIED) >= _APPLIED_LIMIT:
            del _APPLIED[next(iter(_APPLIED))]
        _APPLIED[key] = outcome
    return outcome


def _shown_key(part: Shown) -> object:
    from ..display import Leaf

    return part.item if isinstance(part, Leaf) else part.text()


def format_shape(shape: Iterable[sympy.Expr]) -> str:
    from ..printing import to_str

    return "x".join(
        to_str(size) if size.is_Atom or isinstance(size, sympy.Function) else f"({to_str(size)})" for size in shape
    )
