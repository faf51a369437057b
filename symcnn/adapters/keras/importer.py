"""The graph walker: maps each call of a Keras functional model to symcnn layers.

:class:`_Importer` visits the model's nodes from the inputs on (Keras's
``_nodes_by_depth``, deepest first), finds each layer's handler by its class
name (:mod:`.layers`), and names the rows after the Keras layers.  A nested
model is walked as a block: its rows are named ``<model>.<layer>``.  Every
layer that cannot be mapped is collected into one
:class:`~symcnn.errors.UnsupportedError`.

Shapes are symcnn's: the batch left out and the channels first, ``(C, H, W)``
where Keras shows ``(None, H, W, C)``; :mod:`.axes` converts Keras's axes.

Counts are Keras's: each layer's variables are counted once, at its first
call; trainable ones are ``model.trainable_weights``, the others
(BatchNormalization's moving mean and variance, frozen layers) non-trainable,
as ``model.summary()`` shows.  Every weighted row is counted under Keras's
convention whatever the derivation's (``Held(framework="keras")``).  The
layer's own count is compared with the Keras layer's before its row is
accepted: a difference is an error, never a silent wrong count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import ShapeError, SpecError, SymcnnError, UnsupportedError
from ...exact.conventions import KERAS, Conventions
from ...exact.steps import Tensor
from ...exact.symbols import symbol
from ...layers.base import Layer
from ...layers.memo import apply_once
from ...layers.usage import Held
from ...model.network import Graph, Input
from ..placing import Placing
from ..torch.values import UNKNOWN, _Unsupported, _Value
from .layers import LAYERS

#: Names for a Keras input's unknown sizes by number of spatial dimensions, channels last.
SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


class _Importer(Placing):
    def __init__(self, keras: Any, model: Any, shapes: Sequence[Sequence[Any]] | None) -> None:
        self.keras = keras
        self.model = model
        self.shapes = shapes
        self.conventions = Conventions()
        self.values: dict[int, Any] = {}  # id(KerasTensor) -> value
        self.inputs: list[Input] = []
        self.problems: list[str] = []
        self.names: set[str] = set()
        self.counted: set[int] = set()  # ids of the variables counted at a row so far
        self.prefix = ""

    # -- the walk -------------------------------------------------------------------------------
    def run(self) -> Graph:
        model = functional(self.model)
        unknown = sorted(
            {f"{layer.name!r} ({type(layer).__name__})" for layer in _leaves(model) if _handler(layer) is None}
        )
        if unknown:
            self._fail([f"layer {item}: symcnn has no layer for this Keras layer" for item in unknown])
        tensors = list(model.inputs)
        if self.shapes is not None and len(self.shapes) != len(tensors):
            raise SpecError(f"input= gives {len(self.shapes)} shapes but the model has {len(tensors)} inputs")
        for position, tensor in enumerate(tensors):
            shape = self.shapes[position] if self.shapes is not None else declared(tensor)
            made = Input(*shape, name=self.unique(_input_name(tensor)))
            self.inputs.append(made)
            assert made.shape is not None
            self.values[id(tensor)] = _Value(made.node, Tensor.of(made.shape))
        outputs = self.walk(model)
        if self.problems:
            self._fail(self.problems)
        nodes = []
        for value in outputs:
            if not isinstance(value, _Value):
                raise UnsupportedError(f"cannot import {model.name}: an output is not computed by layers")
            nodes.append(value.node)
        return Graph(self.inputs, nodes, name=model.name)

    def walk(self, model: Any) -> list[Any]:
        """Visit ``model``'s calls in order (its inputs already have values); return its outputs' values."""
        for depth in sorted(model._nodes_by_depth, reverse=True):
            for node in model._nodes_by_depth[depth]:
                layer = node.operation
                if type(layer).__name__ == "InputLayer":
                    continue
                inputs = [self.values.get(id(tensor), UNKNOWN) for tensor in node.input_tensors]
                results: Any = UNKNOWN
                if not any(item is UNKNOWN for item in inputs):
                    try:
                        results = self.visit(layer, inputs)
                    except _Unsupported as problem:
                        self.problems.append(f"layer {self.prefix}{layer.name!r} ({type(layer).__name__}): {problem}")
                    except SymcnnError as error:
                        where = f"layer {self.prefix}{layer.name!r} ({type(layer).__name__})"
                        if isinstance(error, ShapeError):
                            raise error.located(where) from None
                        self.problems.append(f"{where}: {error}")
                if not isinstance(results, list | tuple):
                    results = [results]
                for tensor, value in zip(node.output_tensors, results, strict=False):
                    self.values[id(tensor)] = value
        return [self.values.get(id(tensor), UNKNOWN) for tensor in model.outputs]

    def visit(self, layer: Any, inputs: list[Any]) -> Any:
        if _is_model(layer):
            return self.block(layer, inputs)
        handler = _handler(layer)
        assert handler is not None
        return handler(self, layer, inputs)

    def block(self, model: Any, inputs: list[Any]) -> Any:
        """A nested model: its layers' rows named ``<model>.<layer>``."""
        inner = functional(model)
        for tensor, value in zip(inner.inputs, inputs, strict=True):
            self.values[id(tensor)] = value
        outer, self.prefix = self.prefix, f"{self.prefix}{model.name}."
        try:
            outputs = self.walk(inner)
        finally:
            self.prefix = outer
        return outputs

    def _fail(self, problems: list[str]) -> None:
        count = len(problems)
        what = "layer has" if count == 1 else "layers have"
        raise UnsupportedError(
            f"cannot import {self.model.name}: {count} {what} no symcnn equivalent:\n  - " + "\n  - ".join(problems)
        )

    # -- helpers for handlers ------------------------------------------------------------------------
    def unique(self, base: str) -> str:
        name, count = base, 0
        while name in self.names:
            count += 1
            name = f"{base}_{count}"
        self.names.add(name)
        return name

    def name(self, layer: Any, label: str | None = None) -> str:
        """The layer's name; ``label`` gives a further row for the same layer (``<name>.<label>``)."""
        base = f"{self.prefix}{layer.name}"
        return self.unique(base if label is None else f"{base}.{label}")

    def tensor(self, value: Any, what: str = "input") -> _Value:
        if isinstance(value, _Value):
            return value
        raise _Unsupported(f"the {what} must be a tensor computed by layers, got {value!r}")

    def weighted(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        arguments: dict[str, Any],
        variables: Sequence[Any],
    ) -> _Value:
        """A layer computing with Keras ``variables``: counted once each, trainable as Keras says."""
        variables = list({id(item): item for item in variables}.values())
        layer: Layer = kind(**arguments, name=name)
        outcome = apply_once(layer, [item.tensor for item in inputs], KERAS)
        held = sum(_size(item) for item in variables)
        counts = outcome.params.value + outcome.non_trainable.value + outcome.buffers.value
        if counts.is_number and counts != held:
            raise _Unsupported(
                f"symcnn's {layer.kind} counts {counts} weights but the Keras layer holds {held}; "
                "refusing a wrong count"
            )
        fresh = [item for item in variables if id(item) not in self.counted]
        self.counted.update(id(item) for item in variables)
        if not fresh and variables:  # a shared layer called again: counted at its first call
            return self._place(Held(layer, repeated=True, framework="keras", name=name), inputs)
        trainable = sum(_size(item) for item in fresh if item.trainable)
        frozen = sum(_size(item) for item in fresh if not item.trainable) - outcome.non_trainable.value
        before = outcome.params.value - frozen - trainable
        if not (frozen.is_number and before.is_number) or frozen < 0 or before < 0:
            raise _Unsupported(
                f"cannot split the layer's {held} weights into trainable and non-trainable as Keras does"
            )
        made = Held(layer, frozen=int(frozen), counted_before=int(before), framework="keras", name=name)
        return self._place(made, inputs)



def functional(model: Any) -> Any:
    """A Sequential model's functional graph (it has one once its input shape is known)."""
    if type(model).__name__ == "Sequential":
        inner = getattr(model, "_functional", None)
        if inner is None:
            raise UnsupportedError(
                f"cannot import {model.name}: the Sequential model has no input shape yet "
                "(start it with keras.Input(shape) or call it once)"
            )
        return inner
    if not hasattr(model, "_nodes_by_depth"):
        raise UnsupportedError(
            f"cannot import {model.name}: a subclassed keras.Model has no graph to read; build it with the "
            "functional API or as a Sequential"
        )
    return model


def declared(tensor: Any) -> tuple[Any, ...]:
    """A Keras input's shape in symcnn's order, ``(C, H, W)``: unknown sizes become ``H``, ``W`` (``L``; ``D``)."""
    sizes = list(tensor.shape)[1:]
    if not sizes:
        raise SpecError("the model's input has no dimension besides the batch; give input=")
    if len(sizes) == 1:
        if sizes[0] is None:
            raise SpecError("the input's features are unknown (None); give input=")
        return (int(sizes[0]),)
    *spatial, channels = sizes
    if channels is None:
        raise SpecError("the input's channels (its last dimension) are unknown (None); give input=")
    names = SPATIAL_NAMES.get(len(spatial)) or tuple(f"S{index + 1}" for index in range(len(spatial)))
    return (
        int(channels),
        *(symbol(name) if size is None else int(size) for name, size in zip(names, spatial, strict=True)),
    )


def _input_name(tensor: Any) -> str:
    history = getattr(tensor, "_keras_history", None)
    return str(getattr(history.operation, "name", "input")) if history is not None else "input"


def _is_model(layer: Any) -> bool:
    return hasattr(layer, "_nodes_by_depth") or type(layer).__name__ == "Sequential"


def _leaves(model: Any) -> list[Any]:
    """Every layer of ``model``, nested models' layers included."""
    found = []
    for layer in functional(model).layers:
        if _is_model(layer):
            found.extend(_leaves(layer))
        elif type(layer).__name__ != "InputLayer":
            found.append(layer)
    return found


def _handler(layer: Any) -> Any:
    for kind in type(layer).__mro__:
        if kind.__name__ in LAYERS:
            return LAYERS[kind.__name__]
    return None


def _size(variable: Any) -> int:
    return int(np.prod(tuple(variable.shape), dtype=np.int64)) if len(variable.shape) else 1
