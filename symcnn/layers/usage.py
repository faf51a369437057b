"""Counts as a model holds them: frozen, shared and extra state, and parameters the forward never uses.

A layer's rules count the parameters a fresh layer has, all trainable.  A
model read from a framework may hold them differently, and its totals must
still equal the framework's own sums:

* :class:`Held` wraps a layer and moves frozen elements (``requires_grad=False``)
  to non-trainable, leaves out elements already counted at another row (a
  module called again, a weight tied to another layer's) and adds buffers the
  framework keeps beside the layer's own (a pruning mask).
* :class:`Unused` is a row of its own for the parameters and buffers a model
  holds but its forward does not use; it passes its input through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from ..exact.conventions import Conventions
from ..exact.display import leaf
from ..exact.steps import Check, Outcome, Step, Tensor, zero_step
from .base import Layer
from .memo import apply_once
from .registry import register

__all__ = ["Held", "Measured", "Unused"]


@dataclass(frozen=True)
class Held(Layer):
    """``layer`` with its counts as the model holds them; its row keeps the layer's kind.

    ``frozen``: parameter elements that do not train; ``counted_before``:
    parameter elements already counted at an earlier row (tied weights);
    ``repeated``: a further call of a layer whose parameters and buffers were
    counted at its first call (shapes and MACs are counted at every call);
    ``extra_buffers``: buffer elements held beside the layer's own;
    ``missing_buffers``: buffer elements the layer's rule counts but the model
    does not hold (an ONNX graph keeps BatchNorm's mean and variance, not
    PyTorch's ``num_batches_tracked``);
    ``checks``: conditions the model adds to the layer's (a ``view`` that must
    keep the batch in dimension 0); ``framework``: count the layer as that
    framework does whatever the derivation's conventions (a Keras model's
    BatchNorm statistics are non-trainable parameters, as ``model.summary()`` says).

    >>> from symcnn import Conv2d
    >>> frozen = Held(Conv2d(3, 4, 3), frozen=108)
    >>> outcome = frozen._outcome((3, 8, 8))
    >>> outcome.params.value, outcome.non_trainable.value, frozen.kind
    (4, 108, 'conv2d')
    """

    layer: Layer | None = None
    frozen: int = 0
    counted_before: int = 0
    repeated: bool = False
    extra_buffers: int = 0
    missing_buffers: int = 0
    checks: tuple[Check, ...] = ()
    framework: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.layer, Layer):
            raise self._fail(f"held: layer must be a layer, got {self.layer!r}")
        for attribute in ("frozen", "counted_before", "extra_buffers", "missing_buffers"):
            value = getattr(self, attribute)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise self._fail(f"{attribute} must be a non-negative integer, got {value!r}")
        # The row reads as the wrapped layer's: its kind, name prefix, number of inputs, receptive
        # field, and whether it makes a tensor.
        for attribute in ("kind", "prefix", "arity", "last_prefix", "receptive", "makes_tensor"):
            object.__setattr__(self, attribute, getattr(self.layer, attribute))

    def argument_checks(self) -> tuple[Check, ...]:
        assert self.layer is not None
        return self.layer.argument_checks()

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        assert self.layer is not None
        if self.framework is not None:
            conventions = replace(conventions, framework=self.framework)  # type: ignore[arg-type]
        outcome = apply_once(self.layer, inputs, conventions)
        if self.checks:
            outcome = replace(outcome, checks=outcome.checks + self.checks)
        if self.repeated:
            return replace(
                outcome,
                params=zero_step("params"),
                non_trainable=zero_step("non_trainable"),
                buffers=zero_step("buffers"),
            )
        params, non_trainable = outcome.params, outcome.non_trainable
        removed = self.frozen + self.counted_before
        if removed:
            left = params.value - removed
            if left.is_number and left < 0:  # the wrapper was made for another layer
                raise self._fail(f"holds {removed} parameter elements aside but the layer has only {params.value}")
            params = zero_step("params") if left == 0 else Step("params", left, shown=_shown(params) - removed)
        if self.frozen:
            if non_trainable.value == 0 and self.counted_before == 0 and outcome.params.value == self.frozen:
                non_trainable = replace(outcome.params, quantity="non_trainable")  # all frozen: the formula moves
            else:
                total = non_trainable.value + self.frozen
                shown = _shown(non_trainable) + self.frozen if non_trainable.value != 0 else None
                non_trainable = Step("non_trainable", total, shown=shown)
        buffers = outcome.buffers
        change = self.extra_buffers - self.missing_buffers
        if change:
            total = buffers.value + change
            if total.is_number and total < 0:
                raise self._fail(
                    f"leaves out {self.missing_buffers} buffer elements but the layer has {buffers.value}"
                )
            shown = _shown(buffers) + change if buffers.value != 0 else None
            buffers = zero_step("buffers") if total == 0 else Step("buffers", total, shown=shown)
        return replace(outcome, params=params, non_trainable=non_trainable, buffers=buffers)


def _shown(step: Step) -> Any:
    return step.substituted if step.substituted is not None else leaf(step.value)


@register
@dataclass(frozen=True)
class Unused(Layer):
    """Parameters and buffers a model holds but its forward does not use; the input passes through.

    ``parameters`` trainable and ``frozen`` non-trainable parameter elements,
    ``buffer_elements`` buffer elements.  The row keeps a model's totals equal
    to its framework's (``sum(p.numel() for p in model.parameters())``).

    >>> Unused(parameters=20).params((4,))
    20
    >>> Unused(parameters=20, buffer_elements=3).output_shape((4,))
    (4,)
    """

    parameters: Any = 0
    frozen: Any = 0
    buffer_elements: Any = 0

    def __post_init__(self) -> None:
        for attribute in ("parameters", "frozen", "buffer_elements"):
            self._integer(attribute, minimum=0)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs

        def step(quantity: str, value: sympy.Expr) -> Step:
            return Step(quantity, value) if value != 0 else zero_step(quantity)

        return Outcome(
            x,
            params=step("params", self.parameters),
            non_trainable=step("non_trainable", self.frozen),
            buffers=step("buffers", self.buffer_elements),
        )


@dataclass(frozen=True)
class Measured(Layer):
    """A row measured by running a model once, not derived: numeric shape and counts only.

    Made by importers that could not follow a model symbolically; its row's
    kind is ``label`` (say ``"Conv2d (numeric)"``) and its output ``shape``
    whatever its input (the rows of such a model follow the order of its calls).

    >>> row = Measured(label="Conv2d (numeric)", shape=(8, 6, 6), parameters=224, macs_counted=7776)
    >>> row.output_shape((3, 8, 8)), row.macs((3, 8, 8)), row.kind
    ((8, 6, 6), 7776, 'Conv2d (numeric)')
    """

    label: str = "measured"
    shape: tuple[int, ...] = ()
    parameters: int = 0
    frozen: int = 0
    buffer_elements: int = 0
    macs_counted: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", self.label)
        object.__setattr__(self, "prefix", "measured")
        object.__setattr__(self, "shape", tuple(int(size) for size in self.shape))

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        def step(quantity: str, value: int) -> Step:
            return Step(quantity, sympy.Integer(value)) if value else zero_step(quantity)

        return Outcome(
            Tensor.of(self.shape),
            params=step("params", self.parameters),
            non_trainable=step("non_trainable", self.frozen),
            buffers=step("buffers", self.buffer_elements),
            macs=step("macs", self.macs_counted),
        )
