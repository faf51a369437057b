"""The base class of all layers.

A layer is a frozen dataclass whose fields use PyTorch's names and PyTorch's
positional order, so ``Conv2d(3, 64, 3)`` means what it means in PyTorch.
Channel and feature counts that PyTorch asks for first (``in_channels``) are
optional here: they are read from the incoming shape, and checked if given.
What a layer derives is plain data (:mod:`symcnn.exact.steps`); the registry of
spec names is :mod:`.registry`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError, SpecError, SymcnnError
from ..exact.conventions import Conventions
from ..exact.simplify import decide
from ..exact.steps import Check, Outcome, Shape, Tensor, Value, format_shape
from ..exact.values import integer, integer_at_least, to_expr
from .field import Field
from .node import Node

__all__ = ["Layer"]

_PLAIN_LIMIT = 10**18  # plain ints below this need none of to_expr's checks (its limit is 10**1000)


@dataclass(frozen=True)
class Layer:
    """Base of all layers.  Subclasses implement :meth:`apply`."""

    kind: ClassVar[str] = "layer"
    prefix: ClassVar[str] = "layer"
    arity: ClassVar[int] = 1  # number of inputs; 0 means any number >= 2
    last_prefix: ClassVar[str | None] = None  # the row name when unnamed and last at the top level
    # How the kind moves the receptive field (symcnn.analysis.receptive); None: not derived through it.
    receptive: ClassVar[Field | None] = None
    # False for a kind that only states something about its input (Require: torch._assert): PyTorch
    # makes no tensor there, so its row counts no activations.
    makes_tensor: ClassVar[bool] = True

    name: str | None = field(default=None, kw_only=True)

    # -- construction helpers ---------------------------------------------------
    def _set(self, attribute: str, value: Any) -> None:
        object.__setattr__(self, attribute, value)

    def _fail(self, message: str) -> SpecError:
        return SpecError(message, where=self.kind)

    def _integer(
        self, attribute: str, *, minimum: int | None = 1, optional: bool = False, formula: bool = True
    ) -> None:
        """Validate the integer argument ``attribute`` in place (see :meth:`_valid_integer`)."""
        raw = getattr(self, attribute)
        if raw is None:
            if optional:
                return
            raise self._fail(f"{attribute} is required")
        self._set(attribute, self._valid_integer(raw, attribute, minimum=minimum, formula=formula))

    def _valid_integer(self, raw: object, what: str, *, minimum: int | None = 1, formula: bool = True) -> Any:
        """The one route by which a layer validates an integer argument.

        With ``formula`` (sizes, counts: anything a formula may stand for) the value
        becomes a SymPy expression, and a lower bound the symbols leave open is kept
        as a condition of the derivation.  Without it (dimension indices, which pick
        a position in the shape) it must be a plain Python ``int``.  ``minimum``
        ``None`` allows any integer.
        """
        if formula and minimum is not None:  # the common case: a number that obeys the rule
            if type(raw) is int and minimum <= raw < _PLAIN_LIMIT:
                return integer(raw)
            if isinstance(raw, sympy.Integer) and int(raw) >= minimum:
                return raw
        if not formula:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise self._fail(f"{what} must be an integer, got {raw!r}")
            if minimum is not None and raw < minimum:
                raise self._fail(f"{what} must be an integer ≥ {minimum}, got {raw}")
            return raw
        try:
            value = to_expr(raw, what)
            if minimum is None:
                if value.is_integer is not True:
                    raise SpecError(f"{what} must be an integer, got {value}")
                return value
            holds = integer_at_least(value, minimum, what)
        except SymcnnError as error:
            raise error.located(self.kind) from None
        if holds is not sympy.true:  # e.g. kernel_size "k - 2": listed as a condition when derived
            self._defer(Check(f"{what} must be ≥ {minimum}", holds))
        return value

    def _defer(self, check: Check) -> None:
        """Keep a condition on the arguments that the symbols leave open; ``derive`` lists it."""
        object.__setattr__(self, "_argument_checks", (*self.argument_checks(), check))

    def _dimension(self, attribute: str) -> None:
        """A dimension index counted as in PyTorch (batch = 0, negative from the end), never the batch."""
        self._integer(attribute, minimum=None, formula=False)
        if getattr(self, attribute) == 0:
            raise self._fail(f"{attribute} must not be 0: dimension 0 is the batch, which symcnn leaves out")

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
        self._set(attribute, tuple(self._valid_integer(item, attribute, minimum=minimum) for item in items))

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

    def _expect_rank(self, x: Tensor, *ranks: int, at_least: int | None = None, what: str = "input") -> None:
        """Refuse an input whose rank (without batch) is not one of ``ranks`` nor ``at_least`` or more."""
        if x.rank in ranks or (at_least is not None and x.rank >= at_least):
            return
        wanted = [str(rank) for rank in ranks] + ([f"at least {at_least}"] if at_least is not None else [])
        plural = "dimension" if wanted == ["1"] or wanted == ["at least 1"] else "dimensions"
        raise ShapeError(
            f"{what} must have {' or '.join(wanted)} {plural} (without batch), got shape {format_shape(x.shape)}"
        )

    def _divides(
        self, divisor_name: str, divisor: sympy.Expr, dividend_name: str, dividend: sympy.Expr
    ) -> Check | None:
        """``divisor`` must divide ``dividend``: an error for numbers, a condition for symbols.

        Returns ``None`` when it holds for every value of the symbols.
        """
        rule = f"{divisor_name} must divide {dividend_name}"
        numbers = divisor.is_Integer and dividend.is_Integer  # settled without building a relation
        if numbers and int(dividend) % int(divisor) == 0:  # type: ignore[call-overload]
            return None
        return self._must_hold(
            rule,
            sympy.Eq(sympy.Mod(dividend, divisor), 0),
            lambda: f"{rule}, got {dividend_name}={dividend} and {divisor_name}={divisor}",
        )

    def _must_hold(self, rule: str, holds: sympy.Basic, failure: str | Callable[[], str]) -> Check | None:
        """A rule on the arguments or sizes: an error when false, a condition when open.

        ``failure`` may be a function making the message, so a rule that holds prints nothing.
        """
        holds = decide(holds)
        if holds is sympy.false:
            raise ShapeError(failure if isinstance(failure, str) else failure())
        return None if holds is sympy.true else Check(rule, holds)

    def _check_declared(self, attribute: str, actual: sympy.Expr) -> Check | None:
        """A size PyTorch asks for (``in_channels``) must be the input's, if it was given."""
        declared = getattr(self, attribute)
        if declared is None:
            return None
        if declared == actual:
            return None
        return self._must_hold(
            f"{attribute} must equal the input's {actual}",
            sympy.Eq(declared, actual),
            lambda: f"{attribute} is {declared} but the input has {actual}",
        )

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

    def __call__(self, *inputs: Any) -> Node:
        """Functional API: ``y = Conv2d(out_channels=8, kernel_size=3)(x)``."""
        return Node.make(self, inputs)
