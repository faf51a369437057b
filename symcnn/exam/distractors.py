"""Wrong answers from misconceptions, computed through the engine.

Never a second copy of a formula; each network is derived once, and a
misconception's number comes from that derivation where it can:

* re-evaluate a derivation step's own rule with some arguments changed
  (:func:`reevaluate`): the input maps ``l`` as 1, the groups ``g`` as 1, no bias ``b = 0``;
* a sliding window's size by the layer's own size rule with a changed geometry
  (:func:`window_height`: no padding, stride 1, one side padded), or, for the
  dozens of values a search tries, PyTorch's general rule in Python integers (:func:`window_at`);
* a changed layer alone (:func:`apply_layer`): applied to its input as the
  walker applies it, without a network around it (a pooling layer replaced by a
  convolution, a layer with stride 1, a BatchNorm counted as Keras counts it);
* otherwise derive a *modified network* (:func:`derive_spec`).

``tests/exam/test_distractors.py`` checks these against deriving the misread networks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import sympy

from .. import KERAS, Conventions, Derivation, Row, Step, SymcnnError, load_spec
from ..exact import rules
from ..exact.display import leaf
from ..exact.numeric import evaluate
from ..exact.simplify import decide
from ..exact.steps import Outcome, Tensor, Window
from ..layers.memo import apply_once
from ..layers.registry import layer_class
from ..layers.window import window_size
from .misconceptions import MISCONCEPTIONS
from .model import Distractor, answer_text
from .unfloored import NotWritten, has_floor, unfloored_value

__all__ = [
    "derive_spec",
    "distinct",
    "make",
    "one_layer",
    "reevaluate",
    "search",
    "unfloored",
    "window_at",
    "window_height",
]

Spec = dict[str, Any]


def derive_spec(spec: Spec, conventions: Conventions | None = None) -> Derivation | None:
    """The derivation of ``spec``, or ``None`` when the modified network is invalid."""
    try:
        return load_spec(spec).derive(conventions=conventions)
    except SymcnnError:
        return None


def apply_layer(
    shape: Iterable[sympy.Expr], layer: dict[str, Any], conventions: Conventions | None = None
) -> Outcome | None:
    """What deriving ``layer`` alone on an input of ``shape`` gives for that layer, or ``None`` where it refuses.

    The layer built as a spec builds it and applied as the walker applies it
    (its checks decided the same way), without the network, the input's checks and
    the derivation around it: a misread layer costs a fraction of a derivation.
    """
    arguments = {key: value for key, value in layer.items() if key not in ("type", "name", "inputs")}
    try:
        built = layer_class(layer["type"])(**arguments)
        outcome = apply_once(built, [Tensor.of(shape)], conventions or Conventions())
    except SymcnnError:
        return None
    if any(decide(check.holds) is sympy.false for check in (*built.argument_checks(), *outcome.checks)):
        return None
    return outcome


def height_of(outcome: Outcome | None) -> sympy.Expr | None:
    """The output height of a layer's outcome (the feature count of a flat output)."""
    if outcome is None:
        return None
    shape = outcome.output.shape
    return shape[1] if len(shape) > 1 else shape[0]


def one_layer(shape: Iterable[sympy.Expr], layer: dict[str, Any], before: tuple[dict[str, Any], ...] = ()) -> Spec:
    """A spec of one layer (optionally after others) on an input of ``shape``."""
    clean = {key: value for key, value in layer.items() if key not in ("name", "inputs")}
    return {"input": [int(size) for size in shape], "layers": [*before, clean]}


def changed(spec: Spec, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Spec:
    """``spec`` with ``change`` applied to each layer (``None`` keeps the layer as it is)."""
    result = copy.deepcopy(spec)
    result["layers"] = [change(layer) or layer for layer in result["layers"]]
    return result


def reevaluate(step: Step, **values: int | sympy.Expr) -> sympy.Expr | None:
    """The step's own rule with some arguments replaced: ``reevaluate(params, l=1)``.

    ``None`` when the step has no rule or no such argument.
    """
    if step.rule is None:
        return None
    arguments = {name: bind.value for name, bind in step.arguments}
    if not set(values) <= set(arguments):
        return None
    return step.rule(**{**arguments, **{name: sympy.sympify(value) for name, value in values.items()}})


def unfloored(step: Step) -> sympy.Expr | None:
    """The step's rule evaluated without its floor (exact fraction), ``None`` if it has none."""
    if step.rule is None or not step.arguments:
        return None
    if not has_floor(step.rule):
        return None
    try:
        return unfloored_value(step.rule, {name: bind.value for name, bind in step.arguments})
    except NotWritten:  # a formula, or a node the written rule's reading does not know: SymPy's
        pass
    plain = _unfloored_rule(step.rule, tuple(name for name, _ in step.arguments))
    if plain is None:
        return None
    return plain.xreplace(
        {sympy.Symbol(name, positive=True, integer=True): bind.value for name, bind in step.arguments}
    )


@lru_cache(maxsize=256)  # a few size rules, each asked once per question
def _unfloored_rule(rule: rules.Rule, names: tuple[str, ...]) -> sympy.Expr | None:
    """The rule in symbols with its floors taken away, ``None`` if it has no floor."""
    general = rule(**{name: sympy.Symbol(name, positive=True, integer=True) for name in names})
    if not general.has(sympy.floor):
        return None
    return general.replace(sympy.floor, lambda argument: argument)


def search(candidates: Iterable[int], forward: Callable[[int], int | None], target: int) -> list[int]:
    """Every candidate (in increasing order) whose forward value, derived by the engine, equals ``target``.

    Output sizes are monotone in each searched value: they grow with the padding
    and shrink with the kernel and the stride.  Once a hit is followed by a size
    below the target no later candidate can hit, so the search stops there.
    """
    found = []
    for candidate in candidates:
        value = forward(candidate)
        if value == target:
            found.append(candidate)
        elif value is not None and value < target and found:
            break
    return found


def window_at(size: int, *, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int | None:
    """The output size of a sliding window (floor mode) in Python integers; ``None`` below 1, as the engine refuses.

    PyTorch's general rule (``size_dilated``), its own function called with
    ``int``s, where ``//`` floors exactly; the simpler rules the engine shows for
    particular values (no padding, unit stride) agree with it there.  A search
    tries dozens of values: this costs a microsecond where deriving costs milliseconds.

    >>> window_at(28, kernel=5, padding=2, stride=2), window_at(3, kernel=5)
    (14, None)
    """
    result = int(rules.size_dilated.function(size, kernel, padding, stride, dilation))
    return result if result >= 1 else None


def window_height(size: sympy.Expr, window: Window, **changes: Any) -> sympy.Expr | None:
    """The output size of a sliding window on ``size`` with ``changes`` to its geometry, by the engine's rule.

    ``window`` is the geometry a derivation step kept (:attr:`Step.window`);
    ``changes`` replaces ``kernel``, ``padding``, ``stride``, ``dilation`` or
    ``ceil_mode``.  The layer's own size rule (:func:`~symcnn.layers.window.window_size`,
    which picks the ceil-mode variant) gives the same size as deriving the
    changed layer, without building and deriving a network; in floor mode
    the simplest rule agrees with PyTorch's general one, :func:`window_at`,
    which is what this computes there.  ``None`` if it is below 1.
    """
    geometry = {
        "kernel": window.kernel,
        "padding": window.padding,
        "stride": window.stride,
        "dilation": window.dilation,
        "ceil_mode": window.ceil_mode,
    } | changes
    if not geometry["ceil_mode"]:  # floor mode: PyTorch's general rule, in Python integers
        arguments = {key: int(geometry[key]) for key in ("kernel", "padding", "stride", "dilation")}
        found = window_at(int(size), **arguments)
        return None if found is None else sympy.Integer(found)
    size = sympy.Integer(size)
    step, check = window_size(
        "H",
        size,
        leaf(size),
        sympy.Integer(geometry["kernel"]),
        sympy.Integer(geometry["padding"]),
        sympy.Integer(geometry["stride"]),
        sympy.Integer(geometry["dilation"]),
        ceil_mode=bool(geometry["ceil_mode"]),
    )
    return None if decide(check.holds) is sympy.false else step.value


def output_height(derivation: Derivation | None) -> sympy.Expr | None:
    if derivation is None:
        return None
    return derivation.output_shape[1] if len(derivation.output_shape) > 1 else derivation.output_shape[0]


def make(name: str, value: sympy.Expr | None) -> Distractor | None:
    """A distractor for misconception ``name`` (``None`` if no value, or not typeable exactly)."""
    if value is None:
        return None
    value = sympy.sympify(value)
    if value.is_number and answer_text(value) is None:
        return None
    if value.is_number and value < 0:
        return None
    misconception = MISCONCEPTIONS[name]
    return Distractor(value, name, misconception.feedback)


def distinct(answer: sympy.Expr, candidates: Iterable[Distractor | None]) -> tuple[Distractor, ...]:
    """Drop missing distractors, those equal to the answer and repeats of an earlier value."""
    kept: list[Distractor] = []
    seen = [answer]
    compared = _Comparisons()
    for candidate in candidates:
        if candidate is None:
            continue
        if any(compared.same(candidate.value, value) for value in seen):
            continue
        seen.append(candidate.value)
        kept.append(candidate)
    return tuple(kept)


class _Comparisons:
    """Equality of the values of one question's options, each formula's symbols and values found once.

    A question compares each candidate with every value kept before it: the same
    formula meets many others, and its free symbols and its values at the test
    points (:meth:`differ_somewhere`) are the same each time.
    """

    POINTS = ((7, 2), (31, 3))  # symbol j (in name order) takes start + step*j

    def __init__(self) -> None:
        self._symbols: dict[sympy.Expr, frozenset[sympy.Basic]] = {}
        self._values: dict[tuple[sympy.Expr, tuple[sympy.Basic, ...], int], sympy.Expr | None] = {}

    def same(self, one: sympy.Expr, two: sympy.Expr) -> bool:
        if one.is_number and two.is_number:
            return bool(one == two)
        if one == two:
            return True
        if self.differ_somewhere(one, two):  # exact values that differ: no expansion needed
            return False
        return sympy.expand(one - two) == 0  # formulas (polynomials in k and l): expanded, equal means the same

    def differ_somewhere(self, one: sympy.Expr, two: sympy.Expr) -> bool:
        """Whether the two formulas take different exact values at one of a few integer points.

        Different values prove them different; equal values prove nothing, so the
        caller then expands.  (Most candidate pairs differ, and expanding is slow.)
        """
        symbols = tuple(sorted(self.symbols(one) | self.symbols(two), key=lambda symbol: symbol.name))
        for point in range(len(self.POINTS)):
            try:
                first, second = self.value(one, symbols, point), self.value(two, symbols, point)
            except ZeroDivisionError:
                continue
            if first is not None and second is not None and first != second:
                return True
        return False

    def symbols(self, formula: sympy.Expr) -> frozenset[sympy.Basic]:
        found = self._symbols.get(formula)
        if found is None:
            found = self._symbols[formula] = frozenset(formula.free_symbols)
        return found

    def value(self, formula: sympy.Expr, symbols: tuple[sympy.Basic, ...], point: int) -> sympy.Expr | None:
        key = (formula, symbols, point)
        if key not in self._values:
            start, step = self.POINTS[point]
            at = {symbol: start + step * index for index, symbol in enumerate(symbols)}
            self._values[key] = evaluate(formula, at)
        return self._values[key]


# --- misconceptions of counting parameters and MACs ----------------------------------


def forgot_bias(derivation: Derivation) -> sympy.Expr:
    """Total parameters without any bias: each row's own rule with ``b = 0`` (the network without biases)."""
    dropped = sympy.Integer(0)
    for row in derivation.layers:
        unbiased = reevaluate(row.params, b=0)
        if unbiased is not None:
            dropped += row.multiplicity * (row.params.value - unbiased)
    return derivation.totals.params - dropped


def without_bias(spec: Spec) -> Spec:
    return changed(spec, lambda layer: {**layer, "bias": False} if layer["type"] in BIASED else None)


BIASED = ("conv2d", "convtranspose2d", "linear")


def argument(step: Step, name: str) -> sympy.Expr | None:
    """The value the step's rule was called with for ``name`` (``None`` if it has no such argument)."""
    return next((bind.value for key, bind in step.arguments if key == name), None)


def summed(rows: Iterable[Row], quantity: str, change: Callable[[Row, Step], sympy.Expr | None]) -> sympy.Expr | None:
    """Sum of ``quantity`` over ``rows`` with ``change`` applied to each row's step where it applies.

    ``None`` when the change alters no row (the misconception makes no difference here).
    """
    total, hit = sympy.Integer(0), False
    for row in rows:
        step: Step = getattr(row, quantity)
        again = change(row, step)
        if again is not None and again != step.value:
            hit = True
        total += row.multiplicity * (again if again is not None else step.value)
    return total if hit else None


def forgot_input_maps(rows: Iterable[Row], quantity: str = "params") -> sympy.Expr | None:
    """Sum of ``quantity`` with every convolution's input maps taken as 1 (``None`` if no convolution)."""
    return summed(rows, quantity, lambda row, step: (_windowed(step) and reevaluate(step, l=1)) or None)


def forgot_inputs(rows: Iterable[Row], quantity: str = "params") -> sympy.Expr | None:
    """Sum of ``quantity`` with every dense layer's input features taken as 1 (one weight per unit)."""
    return summed(rows, quantity, lambda row, step: (not _windowed(step) and reevaluate(step, l=1)) or None)


def _windowed(step: Step) -> bool:
    """A step of a layer with a kernel (its rule takes the kernel's size), as opposed to a dense layer."""
    return argument(step, "kernel") is not None


def ignored_groups(rows: Iterable[Row], quantity: str = "params") -> sympy.Expr | None:
    return summed(rows, quantity, lambda row, step: reevaluate(step, g=1))


def kernel_one_side(rows: Iterable[Row], quantity: str = "params") -> sympy.Expr | None:
    """Sum of ``quantity`` with each n×m kernel counted as n weights per map (the kernel not squared)."""

    def change(row: Row, step: Step) -> sympy.Expr | None:
        side = argument(row.sizes[0], "n") if row.sizes else None
        return None if side is None else reevaluate(step, kernel=int(side))

    return summed(rows, quantity, change)


def forgot_output_maps(rows: Iterable[Row], quantity: str = "macs") -> sympy.Expr | None:
    """Sum of ``quantity`` with the filters (output maps or units) ``k`` taken as 1."""
    return summed(rows, quantity, lambda row, step: reevaluate(step, k=1))


def bias_per_input(rows: Iterable[Row]) -> sympy.Expr | None:
    """Parameters with one bias per input (map or feature) instead of one per output."""

    def change(row: Row, step: Step) -> sympy.Expr | None:
        maps, bias = argument(step, "l"), argument(step, "b")
        if maps is None or bias != 1:
            return None
        weights = reevaluate(step, b=0)
        return None if weights is None else weights + maps

    return summed(rows, "params", change)


def weights_per_position(rows: Iterable[Row]) -> sympy.Expr | None:
    """Parameters as if each output position had its own weights: the MACs (plus the biases) of each row."""

    def change(row: Row, step: Step) -> sympy.Expr | None:
        if step.value == 0 or row.macs.value == 0 or not row.sizes:
            return None
        bias = step.value - (reevaluate(step, b=0) or step.value)
        return row.macs.value + bias

    return summed(rows, "params", change)


def keeps_running_statistics(row: Row) -> bool:
    """A normalisation with running statistics (BatchNorm): its buffers are not empty."""
    return bool(row.buffers.value != 0)


def norm_per_position(rows: Iterable[Row]) -> sympy.Expr | None:
    """Parameters with BatchNorm's γ and β per activation (C·H·W) instead of per channel."""

    def change(row: Row, step: Step) -> sympy.Expr | None:
        if argument(step, "c") is None or not keeps_running_statistics(row):
            return None
        return reevaluate(step, c=int(row.activations))

    return summed(rows, "params", change)


def norm_scale_only(rows: Iterable[Row]) -> sympy.Expr | None:
    """Parameters with BatchNorm learning only a scale γ per channel (no shift β)."""

    def change(row: Row, step: Step) -> sympy.Expr | None:
        if argument(step, "c") is None or not keeps_running_statistics(row):
            return None
        return step.value / 2

    return summed(rows, "params", change)


def pooling_params(derivation: Derivation, spec_layers: list[dict[str, Any]]) -> sympy.Expr | None:
    """The total if each pooling layer had the weights of a convolution of its window (C filters)."""
    extra, hit = sympy.Integer(0), False
    for row, layer in zip(derivation.layers, spec_layers, strict=True):
        if not row.kind.endswith("pool2d"):
            continue
        conv = {"type": "conv2d", "out_channels": int(row.input_shapes[0][0]), "kernel_size": layer["kernel_size"]}
        counted = apply_layer(row.input_shapes[0], conv)
        if counted is not None:
            extra += counted.params.value + counted.non_trainable.value
            hit = True
    return derivation.totals.params + extra if hit else None


def keras_counting(spec: Spec) -> sympy.Expr | None:
    """Total parameters counting BatchNorm's statistics too (Keras's total, i.e. as if learnable)."""
    derivation = derive_spec(spec, KERAS)
    return None if derivation is None else derivation.totals.params
