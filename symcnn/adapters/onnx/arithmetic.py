"""Constants, size arithmetic and layouts: the operators exporters emit around the layers.

PyTorch's exporter writes ``x.view(x.size(0), groups, -1, h, w)`` as
``Shape``, ``Gather``, ``Unsqueeze`` and ``Concat`` nodes feeding a
``Reshape``.  These are followed exactly: a ``Shape`` gives the tensor's
sizes as SymPy expressions with the batch as the symbol
:data:`~.values.BATCH`, integer arithmetic on them stays exact, and the
``Reshape`` is then mapped, as in the torch adapter, to a Flatten or
Unflatten that provably keeps the batch in dimension 0.  The same operators
on tensors (``Concat`` of feature maps, ``Add`` of a residual) make layers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy

from ... import layers as sl
from ...layers.base import Layer
from ..torch.shapes import _permute_layer, _reshape
from .operators import Handler, weight
from .values import BATCH, Constant, Importing, Weight, _Unsupported, _Value, constant

#: ONNX's integer element types (TensorProto.DataType): INT8..UINT64, BOOL.
_INTEGER_TYPES = {2, 3, 4, 5, 6, 7, 9, 12, 13}
_HUGE = 2**62  # an end this large means "to the end" (exporters write INT64_MAX)


def _constant_node(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    if "value" in attributes:
        import onnx

        return constant(onnx.numpy_helper.to_array(attributes["value"]))
    for key in ("value_int", "value_ints"):
        if key in attributes:
            return constant(np.asarray(attributes[key], dtype=np.int64))
    for key in ("value_float", "value_floats"):
        if key in attributes:
            return constant(np.asarray(attributes[key], dtype=np.float64))
    raise _Unsupported(f"Constant with {', '.join(attributes) or 'no value'} is not supported")


def _shape(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    sizes = [BATCH, *x.tensor.shape]
    start, end = int(attributes.get("start", 0)), attributes.get("end")
    sizes = sizes[start:] if end is None else sizes[start : int(end)]
    values = np.empty(len(sizes), dtype=object)
    values[:] = sizes
    return Constant(values)


def _axis(value: int, rank: int) -> int:
    if not -rank <= value < rank:
        raise _Unsupported(f"axis {value} does not fit a tensor of {rank} dimensions")
    return value % rank


def _gather(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    data, indices = inputs[0], inputs[1]
    if not isinstance(indices, Constant):
        raise _Unsupported("the indices must be constants")
    axis = int(attributes.get("axis", 0))
    if isinstance(data, Constant):
        chosen = np.asarray(indices.numbers("indices")).reshape(indices.values.shape)
        taken = np.take(data.values, chosen, axis=axis)
        return Constant(np.asarray(taken, dtype=data.values.dtype), data.floating)
    x = self.tensor(data)
    if indices.values.ndim != 0:
        raise _Unsupported("gathering several indices from a tensor is not supported (only x[:, i])")
    rank = x.tensor.rank + 1
    dim = _axis(axis, rank)
    if dim == 0:
        raise _Unsupported("gathering along the batch dimension")
    return self.layer(self.name(node), sl.Select, [x], dim=dim, index=indices.numbers("index")[0])


def _axes(inputs: list[Any], attributes: dict[str, Any]) -> list[int] | None:
    if len(inputs) > 1 and inputs[1] is not None:
        if not isinstance(inputs[1], Constant):
            raise _Unsupported("the axes must be constants")
        return inputs[1].numbers("axes")
    return list(attributes["axes"]) if "axes" in attributes else None


def _unsqueeze(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    data = _constant(inputs[0], "Unsqueeze")
    values = data.values
    axes = _axes(inputs, attributes) or []
    rank = values.ndim + len(axes)
    for axis in sorted(_axis(item, rank) for item in axes):
        values = np.expand_dims(values, axis)
    return Constant(values, data.floating)


def _squeeze(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    data = _constant(inputs[0], "Squeeze")
    axes = _axes(inputs, attributes)
    values = data.values.squeeze() if axes is None else data.values.squeeze(tuple(axes))
    return Constant(values, data.floating)


def _constant(value: Any, what: str) -> Constant:
    if not isinstance(value, Constant):
        raise _Unsupported(f"{what} of a tensor is not supported (only of sizes and constants)")
    return value


def _cast(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    value = inputs[0]
    if not isinstance(value, Constant):
        return value  # a tensor's element type changes, its shape does not
    to_integer = int(attributes.get("to", 1)) in _INTEGER_TYPES
    if to_integer and value.floating:
        values = np.empty(value.values.shape, dtype=object)
        for index, item in np.ndenumerate(value.values):
            values[index] = sympy.Integer(int(item))  # ONNX casts toward zero, as int() does
        return Constant(values)
    if not to_integer and not value.floating:
        numbers = value.numbers("the values cast to floats")
        return Constant(np.asarray(numbers, dtype=np.float64).reshape(value.values.shape), floating=True)
    return value


def _concat(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    axis = int(attributes["axis"])
    items = [item for item in inputs if item is not None]
    if all(isinstance(item, Constant) for item in items):
        floating = {item.floating for item in items}
        if len(floating) > 1:
            raise _Unsupported("concatenates integer and float constants")
        return Constant(np.concatenate([item.values for item in items], axis=axis), floating.pop())
    tensors = [self.tensor(item) for item in items]
    if len(tensors) == 1:  # DenseNet's first layer concatenates a list of one
        return self.layer(self.name(node), sl.Identity, tensors)
    dim = _axis(axis, tensors[0].tensor.rank + 1)
    if dim == 0:
        raise _Unsupported("concatenating along the batch dimension")
    return self.layer(self.name(node), sl.Concat, tensors, dim=dim)


_FOLD: dict[str, Callable[[Any, Any], Any]] = {
    "Add": operator.add,
    "Sub": operator.sub,
    "Mul": operator.mul,
    "Div": operator.floordiv,  # on sizes (non-negative) ONNX's truncation is the floor
}
_CONSTANT_OPERATION = {"Add": ("add", "add"), "Sub": ("sub", "rsub"), "Mul": ("mul", "mul"), "Div": ("div", "rdiv")}


def _binary(op: str) -> Handler:
    def handle(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
        a, b = inputs[0], inputs[1]
        if isinstance(a, Constant) and isinstance(b, Constant):
            return _fold(op, a, b)
        if isinstance(a, _Value) and isinstance(b, _Value):
            merge: type[Layer] | None = {"Add": sl.Add, "Mul": sl.Multiply}.get(op)
            if merge is None:
                raise _Unsupported(f"symcnn has no layer for {op} of two tensors")
            return self.layer(self.name(node), merge, [a, b])
        first = isinstance(b, _Value)  # the constant or initializer comes first (1 - x)
        x, other = (b, a) if first else (a, b)
        x = self.tensor(x)
        if isinstance(other, Weight):
            kind: type[Layer] | None = {"Add": sl.Shift, "Mul": sl.Scale}.get(op)
            if kind is None:
                raise _Unsupported(f"symcnn has no layer for {op} with a learned tensor")
            shape = _broadcast_shape(weight(other, "operand").shape, x)
            return self.weighted(self.name(node), kind, [x], {"shape": shape}, [other])
        if isinstance(other, Constant) and other.values.size == 1:
            value = other.values.reshape(-1)[0]
            value = repr(float(value)) if other.floating else int(value)
            operation = _CONSTANT_OPERATION[op][1 if first else 0]
            return self.layer(self.name(node), sl.ConstantOp, [x], operation=operation, constant=value)
        raise _Unsupported(f"{op} of a tensor and a constant array is not supported (only of a scalar)")

    return handle


def _fold(op: str, a: Constant, b: Constant) -> Constant:
    if a.floating != b.floating:
        raise _Unsupported("arithmetic on an integer and a float constant")
    if a.floating:
        function = np.divide if op == "Div" else _FOLD[op]
        return Constant(np.asarray(function(a.values, b.values), dtype=np.float64), floating=True)
    return Constant(np.asarray(_FOLD[op](a.values, b.values), dtype=object))


def _broadcast_shape(shape: tuple[int, ...], x: _Value) -> tuple[int, ...]:
    """An initializer's shape against the sample: a leading 1 for the batch is dropped."""
    if len(shape) == x.tensor.rank + 1:
        if shape[0] != 1:
            raise _Unsupported(f"the initializer of shape {shape} varies along the batch dimension")
        return shape[1:]
    return shape


def _slice(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    data = inputs[0]
    parts: list[list[int] | None] = []
    for position, key in ((1, "starts"), (2, "ends"), (3, "axes"), (4, "steps")):
        if len(inputs) > position and inputs[position] is not None:
            parts.append(_constant(inputs[position], key).numbers(key))
        else:
            parts.append(list(attributes[key]) if key in attributes else None)
    starts, ends, axes, steps = parts
    if starts is None or ends is None:
        raise _Unsupported("starts and ends are required")
    axes = axes if axes is not None else list(range(len(starts)))
    steps = steps if steps is not None else [1] * len(starts)
    if isinstance(data, Constant):
        index = [slice(None)] * data.values.ndim
        for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
            index[axis] = slice(start, None if abs(end) >= _HUGE else end, step)
        return Constant(data.values[tuple(index)], data.floating)
    x = self.tensor(data)
    rank = x.tensor.rank + 1
    for count, (start, end, axis, step) in enumerate(zip(starts, ends, axes, steps, strict=True)):
        dim = _axis(axis, rank)
        if dim == 0:
            raise _Unsupported("slicing the batch dimension")
        name = self.name(node) if count == len(starts) - 1 else self.part(node, f"axis{dim}")
        stop = None if end >= _HUGE else end
        x = self.layer(name, sl.Slice, [x], dim=dim, start=start, stop=stop, step=step)
    return x


def _split(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    rank = x.tensor.rank + 1
    dim = _axis(int(attributes.get("axis", 0)), rank)
    if dim == 0:
        raise _Unsupported("splitting the batch dimension")
    size = x.tensor.shape[dim - 1]
    count = len(node.output)
    if len(inputs) > 1 and inputs[1] is not None:
        sizes = _constant(inputs[1], "split").numbers("split")
    elif "split" in attributes:
        sizes = list(attributes["split"])
    else:
        if not getattr(size, "is_Integer", False):
            raise _Unsupported(f"an equal split of the size {size} (give the split sizes)")
        step = -(-int(size) // count)
        sizes = [min(step, int(size) - step * index) for index in range(count)]
    if sympy.simplify(sum(sizes) - size) != 0:
        raise _Unsupported(f"split sizes {sizes} do not add up to the size {size}")
    results, start = [], 0
    for index, length in enumerate(sizes):
        name = self.unique(f"{self.label(node)}.{index}")  # one row per output
        results.append(self.layer(name, sl.Slice, [x], dim=dim, start=start, stop=start + length))
        start += length
    return results


def _reshape_node(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    target = _constant(inputs[1], "the shape of Reshape")
    entries = target.ints("the new shape")
    data = inputs[0]
    if isinstance(data, Constant):
        return Constant(data.values.reshape([int(item) for item in entries]), data.floating)
    x = self.tensor(data)
    sizes = [BATCH, *x.tensor.shape]
    if not attributes.get("allowzero", 0):
        entries = [sizes[index] if item == 0 else item for index, item in enumerate(entries)]
    return _reshape(self, node, x, [entries])  # type: ignore[arg-type]


def _flatten(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    axis = _axis(int(attributes.get("axis", 1)), x.tensor.rank + 2)
    if axis != 1:
        raise _Unsupported(f"Flatten(axis={axis}) merges the batch with other dimensions; symcnn keeps it apart")
    if x.tensor.rank == 1:
        return self.layer(self.name(node), sl.Identity, [x])
    return self.layer(self.name(node), sl.Flatten, [x], start_dim=1, end_dim=-1)


def _transpose(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    rank = x.tensor.rank + 1
    perm = list(attributes.get("perm", range(rank - 1, -1, -1)))
    return _permute_layer(self, node, x, perm)  # type: ignore[arg-type]


ARITHMETIC: dict[str, Handler] = {
    "Constant": _constant_node,
    "Shape": _shape,
    "Gather": _gather,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "Cast": _cast,
    "Concat": _concat,
    "Add": _binary("Add"),
    "Sub": _binary("Sub"),
    "Mul": _binary("Mul"),
    "Div": _binary("Div"),
    "Slice": _slice,
    "Split": _split,
    "Reshape": _reshape_node,
    "Flatten": _flatten,
    "Transpose": _transpose,
}
