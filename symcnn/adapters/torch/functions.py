"""Functions and tensor methods as symcnn layers: ``F.relu``, ``+``, ``torch.cat``, ``x.mean(...)``...

:func:`_function_table` maps functions (``torch.*``, ``torch.nn.functional.*``,
``operator.*``) and :data:`METHODS` maps tensor methods by name to handlers;
the handlers that read or rearrange shapes are in :mod:`.shapes`.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ... import layers as sl
from ...layers.base import Layer
from .arguments import REQUIRED, _bind, _int, _ints, _plain
from .shapes import (
    _dim,
    _flatten,
    _permute_method,
    _size,
    _size_arithmetic,
    _sizes,
    _torch_permute,
    _torch_reshape,
    _transpose,
    _view_method,
)
from .values import Handler, _Chunks, _is_tensorish, _Parameter, _Several, _Unmapped, _Unsupported, _Value

if TYPE_CHECKING:
    from .importer import _Importer


def _one_tensor(kind: type[Layer], spec: Sequence[tuple[str, Any]], label: str, copy: Sequence[str] = ()) -> Handler:
    """A function of one tensor (``F.relu(x, inplace=True)``) mapped to one layer."""

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        bound = _bind(args, kwargs, spec)
        x = self.tensor(bound[spec[0][0]])
        return self.layer(self.name(node, label), kind, [x], **{name: _plain(bound[name]) for name in copy})

    return handle


def _activation(kind: type[Layer], label: str, *extra: tuple[str, Any], inplace: bool = True) -> Handler:
    spec = [("input", REQUIRED), *extra] + ([("inplace", False)] if inplace else [])
    return _one_tensor(kind, spec, label, copy=[name for name, _ in extra])


def _softmax(kind: type[Layer], label: str) -> Handler:
    return _one_tensor(
        kind, [("input", REQUIRED), ("dim", None), ("_stacklevel", 3), ("dtype", None)], label, copy=["dim"]
    )


def _dropout(label: str) -> Handler:
    return _one_tensor(
        sl.Dropout, [("input", REQUIRED), ("p", 0.5), ("training", True), ("inplace", False)], label, ["p"]
    )


def _with_indices(pool: Handler, spec: Sequence[tuple[str, Any]]) -> Handler:
    """A max pooling that returns ``(output, indices)`` when called with ``return_indices=True``."""

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        made = pool(self, node, args, kwargs)
        return _Several(made, "the indices") if _bind(args, kwargs, spec)["return_indices"] else made

    return handle


def _max_pool(dims: int) -> Handler:
    spec = [
        ("input", REQUIRED),
        ("kernel_size", REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("dilation", 1),
        ("ceil_mode", False),
        ("return_indices", False),
    ]
    pool = _one_tensor(getattr(sl, f"MaxPool{dims}d"), spec, "max_pool", [name for name, _ in spec[1:]])
    return _with_indices(pool, spec)


def _avg_pool(dims: int) -> Handler:
    spec = [
        ("input", REQUIRED),
        ("kernel_size", REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("ceil_mode", False),
        ("count_include_pad", True),
        *([("divisor_override", None)] if dims > 1 else []),
    ]
    return _one_tensor(getattr(sl, f"AvgPool{dims}d"), spec, "avg_pool", [name for name, _ in spec[1:]])


def _adaptive_pool(kind: str, dims: int) -> Handler:
    if kind == "Avg":
        return _one_tensor(
            sl.LAYERS[f"adaptiveavgpool{dims}d"],
            [("input", REQUIRED), ("output_size", REQUIRED)],
            "adaptive_avg_pool",
            ["output_size"],
        )
    spec = [("input", REQUIRED), ("output_size", REQUIRED), ("return_indices", False)]
    pool = _one_tensor(
        sl.LAYERS[f"adaptivemaxpool{dims}d"], spec, "adaptive_max_pool", ["output_size", "return_indices"]
    )
    return _with_indices(pool, spec)


def _interpolate(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(
        args,
        kwargs,
        [
            ("input", REQUIRED),
            ("size", None),
            ("scale_factor", None),
            ("mode", "nearest"),
            ("align_corners", None),
            ("recompute_scale_factor", None),
            ("antialias", False),
        ],
    )
    x = self.tensor(bound["input"])
    names = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")
    return self.layer(self.name(node, "interpolate"), sl.Upsample, [x], **{name: _plain(bound[name]) for name in names})


def _pad(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("pad", REQUIRED), ("mode", "constant"), ("value", None)])
    x = self.tensor(bound["input"])
    if bound["mode"] != "constant" or bound["value"] not in (None, 0):
        raise _Unsupported(
            f"only zero padding maps to a symcnn layer (ZeroPad), got mode={bound['mode']!r}, value={bound['value']!r}"
        )
    padding = tuple(bound["pad"])
    if len(padding) % 2 or not 2 <= len(padding) <= 6:
        raise _Unsupported(f"pad must have 2, 4 or 6 values, got {len(padding)}")
    return self.layer(self.name(node, "pad"), sl.LAYERS[f"zeropad{len(padding) // 2}d"], [x], padding=padding)


def _arithmetic(function: Callable[..., Any], label: str, kind: type[Layer] | None) -> Handler:
    """``+`` and ``*``: on tensors a merge layer (Add, Multiply); on sizes, arithmetic."""

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        operands = args
        if kwargs:
            bound = _bind(args, kwargs, [("input", REQUIRED), ("other", REQUIRED), ("alpha", 1)])
            if bound["alpha"] != 1 and not (_is_tensorish(bound["input"]) and _is_tensorish(bound["other"])):
                raise _Unsupported("alpha != 1 is only followed between tensors")
            operands = [bound["input"], bound["other"]]
        if not any(_is_tensorish(item) for item in operands):
            return _size_arithmetic(function, operands)
        if len(operands) != 2:
            raise _Unsupported(f"expects 2 operands, got {len(operands)}")
        parameters = [item for item in operands if isinstance(item, _Parameter)]
        if kind is sl.Multiply and len(parameters) == 1:
            (parameter,) = parameters
            (other,) = [item for item in operands if item is not parameter]
            return _scale(self, node, parameter, self.tensor(other))
        if kind is None:
            raise _Unsupported(f"{label!r} on tensors has no symcnn layer (+ and * have: Add, Multiply)")
        if not all(isinstance(item, _Value | _Several | _Parameter) for item in operands):
            raise _Unsupported(f"{label!r} between a tensor and a constant has no symcnn layer")
        tensors = [self.tensor(item) for item in operands]
        return self.layer(self.name(node, label), kind, tensors)

    return handle


def _scale(self: _Importer, node: Any, parameter: _Parameter, x: _Value) -> _Value:
    self.parameter_uses[parameter.name] += 1
    if self.parameter_uses[parameter.name] > 1:
        raise _Unsupported(f"the parameter {parameter.name!r} is used more than once; symcnn would count it again")
    shape = list(parameter.shape)
    while len(shape) > x.tensor.rank:
        if shape[0] != 1:
            raise _Unsupported(f"the parameter {parameter.name!r} of shape {parameter.shape} broadcasts over the batch")
        shape.pop(0)
    return self.layer(self.unique(parameter.name, owner=True), sl.Scale, [x], shape=tuple(shape))


def _cat(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("tensors", REQUIRED), ("dim", 0)])
    tensors = [self.tensor(item) for item in bound["tensors"]]
    if len(tensors) == 1:
        return tensors[0]
    return self.layer(self.name(node, "cat"), sl.Concat, tensors, dim=_int(bound["dim"], "dim"))


def _mean(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dim", None), ("keepdim", False), ("dtype", None)])
    x = self.tensor(bound["input"])
    if bound["dim"] is None:
        raise _Unsupported("a mean over all dimensions includes the batch; give dim")
    return self.layer(
        self.name(node, "mean"), sl.Mean, [x], dim=_ints(bound["dim"], "dim"), keepdim=bool(bound["keepdim"])
    )


def _chunk(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("chunks", REQUIRED), ("dim", 0)])
    x = self.tensor(bound["input"])
    return _Chunks(x, _int(bound["chunks"], "chunks"), _int(bound["dim"], "dim"))


def _getitem(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    container, index = args
    if isinstance(container, _Chunks):
        position = _int(index, "the chunk index")
        if position < 0:
            raise _Unsupported("negative chunk indices are not supported (PyTorch may return fewer chunks)")
        return self.layer(
            self.name(node, "chunk"),
            sl.Chunk,
            [container.source],
            chunks=container.chunks,
            dim=container.dim,
            index=position,
        )
    if isinstance(container, _Several):
        if index == 0:
            return container.first
        return _Unmapped(
            f"uses {container.others} (item {index!r} of node {node.args[0].name!r}); only item 0 is mapped"
        )
    if isinstance(container, _Value | _Parameter):
        raise _Unsupported("indexing or slicing a tensor has no symcnn layer")
    try:
        return container[index]
    except (TypeError, IndexError, KeyError) as error:
        raise _Unsupported(f"cannot follow {container!r}[{index!r}]: {error}") from None


def _getattr(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    target, attribute = args[0], args[1]
    if isinstance(target, _Value):
        if attribute == "shape":
            return _sizes(target)
        if attribute == "ndim":
            return len(_sizes(target))
        raise _Unsupported(f"reads the tensor attribute .{attribute}, which symcnn does not follow")
    if _is_tensorish(target):
        raise _Unsupported(f"reads .{attribute} of something that is not a plain tensor")
    try:
        return getattr(target, attribute)
    except AttributeError as error:
        raise _Unsupported(str(error)) from None


def _alias(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``contiguous()``, ``clone()``, ``detach()``: the same values."""
    return self.tensor(args[0])


def _function_table(torch: Any) -> dict[Any, Handler]:
    F = torch.nn.functional
    table: dict[Any, Handler] = {
        operator.add: _arithmetic(operator.add, "add", sl.Add),
        operator.iadd: _arithmetic(operator.add, "add", sl.Add),
        torch.add: _arithmetic(operator.add, "add", sl.Add),
        operator.mul: _arithmetic(operator.mul, "mul", sl.Multiply),
        operator.imul: _arithmetic(operator.mul, "mul", sl.Multiply),
        torch.mul: _arithmetic(operator.mul, "mul", sl.Multiply),
        operator.sub: _arithmetic(operator.sub, "sub", None),
        operator.floordiv: _arithmetic(operator.floordiv, "floordiv", None),
        operator.truediv: _arithmetic(operator.truediv, "truediv", None),
        operator.mod: _arithmetic(operator.mod, "mod", None),
        operator.getitem: _getitem,
        builtins.getattr: _getattr,
        torch.cat: _cat,
        torch.concat: _cat,
        torch.concatenate: _cat,
        torch.flatten: _flatten,
        torch.reshape: _torch_reshape,
        torch.transpose: _transpose,
        torch.swapaxes: _transpose,
        torch.swapdims: _transpose,
        torch.permute: _torch_permute,
        torch.mean: _mean,
        torch.chunk: _chunk,
        F.interpolate: _interpolate,
        F.pad: _pad,
        F.relu: _activation(sl.ReLU, "relu"),
        torch.relu: _activation(sl.ReLU, "relu", inplace=False),
        torch.relu_: _activation(sl.ReLU, "relu", inplace=False),
        F.relu6: _activation(sl.ReLU6, "relu6"),
        F.hardswish: _activation(sl.Hardswish, "hardswish"),
        F.hardsigmoid: _activation(sl.Hardsigmoid, "hardsigmoid"),
        F.silu: _activation(sl.SiLU, "silu"),
        F.mish: _activation(sl.Mish, "mish"),
        F.gelu: _activation(sl.GELU, "gelu", ("approximate", "none"), inplace=False),
        F.leaky_relu: _activation(sl.LeakyReLU, "leaky_relu", ("negative_slope", 0.01)),
        F.elu: _activation(sl.ELU, "elu", ("alpha", 1.0)),
        torch.sigmoid: _activation(sl.Sigmoid, "sigmoid", inplace=False),
        F.sigmoid: _activation(sl.Sigmoid, "sigmoid", inplace=False),
        torch.tanh: _activation(sl.Tanh, "tanh", inplace=False),
        F.tanh: _activation(sl.Tanh, "tanh", inplace=False),
        F.softmax: _softmax(sl.Softmax, "softmax"),
        torch.softmax: _softmax(sl.Softmax, "softmax"),
        F.log_softmax: _softmax(sl.LogSoftmax, "log_softmax"),
        torch.log_softmax: _softmax(sl.LogSoftmax, "log_softmax"),
        F.dropout: _dropout("dropout"),
        F.dropout1d: _dropout("dropout"),
        F.dropout2d: _dropout("dropout"),
        F.dropout3d: _dropout("dropout"),
        F.alpha_dropout: _dropout("dropout"),
    }
    for dims in (1, 2, 3):
        table[getattr(F, f"max_pool{dims}d")] = _max_pool(dims)
        table[getattr(F, f"avg_pool{dims}d")] = _avg_pool(dims)
        table[getattr(F, f"adaptive_avg_pool{dims}d")] = _adaptive_pool("Avg", dims)
        table[getattr(F, f"adaptive_max_pool{dims}d")] = _adaptive_pool("Max", dims)
    return table


METHODS: dict[str, Handler] = {
    "add": _arithmetic(operator.add, "add", sl.Add),
    "add_": _arithmetic(operator.add, "add", sl.Add),
    "mul": _arithmetic(operator.mul, "mul", sl.Multiply),
    "mul_": _arithmetic(operator.mul, "mul", sl.Multiply),
    "flatten": _flatten,
    "view": _view_method,
    "reshape": _view_method,
    "transpose": _transpose,
    "swapaxes": _transpose,
    "swapdims": _transpose,
    "permute": _permute_method,
    "mean": _mean,
    "chunk": _chunk,
    "size": _size,
    "dim": _dim,
    "contiguous": _alias,
    "clone": _alias,
    "detach": _alias,
    "relu": _activation(sl.ReLU, "relu", inplace=False),
    "relu_": _activation(sl.ReLU, "relu", inplace=False),
    "sigmoid": _activation(sl.Sigmoid, "sigmoid", inplace=False),
    "sigmoid_": _activation(sl.Sigmoid, "sigmoid", inplace=False),
    "tanh": _activation(sl.Tanh, "tanh", inplace=False),
    "tanh_": _activation(sl.Tanh, "tanh", inplace=False),
    "softmax": _softmax(sl.Softmax, "softmax"),
    "log_softmax": _softmax(sl.LogSoftmax, "log_softmax"),
}
