"""The graph walker: maps each ONNX node, in the graph's order, to symcnn layers or constants.

:class:`_Importer` reads the initializers (floats become :class:`~.values.Weight`,
integers :class:`~.values.Constant`), makes the inputs (batch dropped), and
visits every node with the handler for its op type (:mod:`.operators`,
:mod:`.arithmetic`).  Rows are named after the nodes.  Every node that cannot
be mapped is collected into one :class:`~symcnn.errors.UnsupportedError`.

Counts follow the convention in docs/conventions.md: each floating-point
initializer a layer computes with counts once, at the first row that reads it
(a shared initializer is ``counted_before`` at the others); BatchNormalization's
mean and variance are buffers; integer initializers are not parameters.  A
layer's own count is compared with the initializers' before its row is
accepted: a difference is an error, never a silent wrong count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...errors import ShapeError, SpecError, SymcnnError, UnsupportedError
from ...exact.conventions import Conventions
from ...exact.steps import Tensor
from ...exact.symbols import symbol
from ...layers.base import Layer
from ...layers.memo import apply_once
from ...layers.usage import Held
from ...model.network import Graph, Input
from ..placing import Placing
from .arithmetic import ARITHMETIC
from .operators import OPERATORS
from .values import UNKNOWN, Constant, Weight, _Unmapped, _Unsupported, _Value, constant

#: TensorProto's floating-point element types: FLOAT, FLOAT16, DOUBLE, BFLOAT16, the FLOAT8s, FLOAT4E2M1.
FLOAT_TYPES = {1, 10, 11, 16, 17, 18, 19, 20, 23}

#: Op type -> handler(importer, node, inputs, attributes); inputs resolved to values (None where omitted).
HANDLERS = {**OPERATORS, **ARITHMETIC}


class _Importer(Placing):
    def __init__(self, onnx: Any, model: Any, shapes: Sequence[Sequence[Any]] | None) -> None:
        self.onnx = onnx
        self.graph = model.graph
        self.title = self.graph.name or "onnx"
        self.shapes = shapes
        self.conventions = Conventions()
        self.values: dict[str, Any] = {}
        self.inputs: list[Input] = []
        self.problems: list[str] = []
        self.names: set[str] = set()
        self.counted: set[str] = set()  # initializers counted at a row so far

    # -- the walk -------------------------------------------------------------------------------
    def run(self) -> Graph:
        unknown = [
            node for node in self.graph.node if node.op_type not in HANDLERS or node.domain not in ("", "ai.onnx")
        ]
        if unknown:
            self._fail(
                [f"node {self.label(node)!r} ({_op(node)}): symcnn has no layer for this operator" for node in unknown]
            )
        for tensor in self.graph.initializer:
            self.values[tensor.name] = self.initializer(tensor)
        self.make_inputs()
        for node in self.graph.node:
            inputs = [self.values.get(name, UNKNOWN) if name else None for name in node.input]
            if any(item is UNKNOWN for item in inputs):
                results: Any = UNKNOWN  # an input could not be mapped (and is reported)
            else:
                try:
                    results = self.visit(node, inputs)
                except _Unsupported as problem:
                    self.problems.append(f"node {self.label(node)!r} ({_op(node)}): {problem}")
                    results = UNKNOWN
                except SymcnnError as error:
                    if isinstance(error, ShapeError):
                        raise error.located(f"node {self.label(node)!r} ({_op(node)})") from None
                    self.problems.append(f"node {self.label(node)!r} ({_op(node)}): {error}")
                    results = UNKNOWN
            self.assign(node, results)
        if self.problems:
            self._fail(self.problems)
        outputs = []
        for output in self.graph.output:
            value = self.values[output.name]
            if not isinstance(value, _Value):
                raise UnsupportedError(f"cannot import {self.title}: output {output.name!r} is not computed by layers")
            outputs.append(value.node)
        if not outputs:
            raise UnsupportedError(f"cannot import {self.title}: the graph has no output")
        return Graph(self.inputs, outputs, name=self.title)

    def _fail(self, problems: list[str]) -> None:
        count = len(problems)
        what = "node has" if count == 1 else "nodes have"
        raise UnsupportedError(
            f"cannot import {self.title}: {count} {what} no symcnn equivalent:\n  - " + "\n  - ".join(problems)
        )

    def visit(self, node: Any, inputs: list[Any]) -> Any:
        attributes = {item.name: self.onnx.helper.get_attribute_value(item) for item in node.attribute}
        return HANDLERS[node.op_type](self, node, inputs, attributes)

    def assign(self, node: Any, results: Any) -> None:
        if not isinstance(results, list | tuple):
            results = [results]
        for position, name in enumerate(node.output):
            if not name:
                continue
            if position < len(results):
                self.values[name] = results[position]
            else:  # a MaxPool's indices, a Dropout's mask: an error only where used
                self.values[name] = UNKNOWN if results[0] is UNKNOWN else _Unmapped(f"output {position} of {_op(node)}")

    def label(self, node: Any) -> str:
        return str(node.name or f"{node.op_type}({', '.join(node.output)})")

    # -- sources -----------------------------------------------------------------------------------
    def initializer(self, tensor: Any) -> Any:
        """Float initializers are weights (only their sizes are read); integer ones constants (their values)."""
        if tensor.data_type in FLOAT_TYPES:
            return Weight(tensor.name, tuple(int(size) for size in tensor.dims), tensor)
        return constant(self.onnx.numpy_helper.to_array(tensor))

    def make_inputs(self) -> None:
        graph_inputs = [item for item in self.graph.input if item.name not in self.values]
        if self.shapes is not None and len(self.shapes) != len(graph_inputs):
            raise SpecError(f"input= gives {len(self.shapes)} shapes but the graph has {len(graph_inputs)} inputs")
        for position, item in enumerate(graph_inputs):
            shape = self.shapes[position] if self.shapes is not None else self.declared(item)
            made = Input(*shape, name=self.unique(item.name))
            self.inputs.append(made)
            assert made.shape is not None
            self.values[item.name] = _Value(made.node, Tensor.of(made.shape))

    def declared(self, item: Any) -> tuple[Any, ...]:
        """The input's shape without the batch: numbers stay numbers, every ``dim_param`` becomes a symbol."""
        dims = list(item.type.tensor_type.shape.dim)
        if len(dims) < 2:
            raise SpecError(
                f"input {item.name!r} has {len(dims)} dimensions; symcnn needs a batch and at least one more "
                "(give the shape with input=)"
            )
        shape: list[Any] = []
        for position, dim in enumerate(dims[1:], start=1):
            if dim.HasField("dim_value"):
                shape.append(int(dim.dim_value))
            elif dim.HasField("dim_param"):
                try:
                    shape.append(symbol(dim.dim_param))
                except SpecError:
                    raise SpecError(
                        f"input {item.name!r} dimension {position}: dim_param {dim.dim_param!r} cannot be a symcnn "
                        "symbol (a name such as H or height is needed); give the sizes with input=(3, 'H', 'W')"
                    ) from None
            else:
                raise SpecError(
                    f"input {item.name!r} dimension {position} has neither a size nor a name; "
                    "give the sizes with input=(3, 'H', 'W')"
                )
        return tuple(shape)

    # -- helpers for handlers ------------------------------------------------------------------------
    def unique(self, base: str, *, owner: bool = False) -> str:
        name, count = base, 0
        while name in self.names:
            count += 1
            name = f"{base}_{count}"
        self.names.add(name)
        return name

    def name(self, node: Any, label: str | None = None) -> str:
        """The node's name (``label``, the torch adapter's fallback for unnamed calls, is not needed)."""
        return self.unique(self.label(node))

    def part(self, node: Any, label: str) -> str:
        """``<node>.<label>``: a row made before the node's own (a zero-padding before a convolution)."""
        return self.unique(f"{self.label(node)}.{label}")

    def tensor(self, value: Any, what: str = "input") -> _Value:
        if isinstance(value, _Value):
            return value
        if isinstance(value, _Unmapped):
            raise _Unsupported(f"the {what} is {value.reason}, which symcnn does not follow")
        if isinstance(value, Weight):
            raise _Unsupported(f"the {what} is the initializer {value.name!r}, not a tensor computed from the input")
        if isinstance(value, Constant):
            raise _Unsupported(f"the {what} is a constant, not a tensor computed from the input")
        raise _Unsupported(f"the {what} must be a tensor, got {value!r}")

    def weighted(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        arguments: dict[str, Any],
        weights: Sequence[Weight | None],
        buffers: Sequence[Weight] = (),
    ) -> _Value:
        """A layer computing with initializers: its count must equal theirs; each initializer counts once.

        An initializer read before (an exporter keeps one copy of equal tensors,
        e.g. the zeros of several fresh BatchNorms) is left out of this row:
        ``counted_before`` for parameters, fewer buffers for statistics.
        """
        held = list({item.name: item for item in weights if item is not None}.values())
        layer: Layer = kind(**arguments, name=name)
        outcome = apply_once(layer, [item.tensor for item in inputs], self.conventions)
        counts = outcome.params.value + outcome.non_trainable.value
        total = sum(item.size for item in held)
        if counts.is_number and counts != total:
            raise _Unsupported(
                f"symcnn's {layer.kind} counts {counts} parameters but the node reads {total} from its "
                f"initializers; refusing a wrong count"
            )
        before = sum(item.size for item in held if item.name in self.counted)
        self.counted.update(item.name for item in held)
        fresh = list({item.name: item for item in buffers if item.name not in self.counted}.values())
        self.counted.update(item.name for item in fresh)
        difference = sum(item.size for item in fresh) - outcome.buffers.value
        if not difference.is_number:
            raise _Unsupported(f"symcnn's {layer.kind} counts {outcome.buffers.value} buffer elements")
        if before or difference or buffers:
            extra, missing = max(int(difference), 0), max(-int(difference), 0)
            # Statistics stay buffers under any conventions: ONNX does not say they are parameters.
            framework = "pytorch" if buffers else None
            layer = Held(
                layer,
                counted_before=before,
                extra_buffers=extra,
                missing_buffers=missing,
                framework=framework,
                name=name,
            )
        return self._place(layer, inputs)



def _op(node: Any) -> str:
    return f"{node.domain}.{node.op_type}" if node.domain not in ("", "ai.onnx") else str(node.op_type)
