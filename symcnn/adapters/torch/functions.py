"""Functions and tensor methods as symcnn layers: ``F.relu``, ``+``, ``torch.cat``, ``x.mean(...)``...

:func:`_function_table` maps functions (``torch.*``, ``torch.nn.functional.*``,
``operator.*``) and :data:`METHODS` maps tensor methods by name to handlers;
the handlers that read or rearrange shapes are in :mod:`.shapes`.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Sequence
from typing import Any

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
from .values import (
    Handler,
    Importing,
    _Chunks,
    _Indices,
    _is_tensorish,
    _Parameter,
    _Several,
    _Unmapped,
    _Unsupported,
    _Value,
)


def _one_tensor(kind: type[Layer], spec: Sequence[tuple[str, Any]], label: str, copy: Sequence[str] = ()) -> Handler:
    """A function of one tensor (``F.relu(x, inplace=True)``) mapped to one layer."""

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
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

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        made = pool(self, node, args, kwargs)
        return _Several(made, "the indices", indices=True) if _bind(args, kwargs, spec)["return_indices"] else made

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


def _max_pool_with_indices(dims: int) -> Handler:
    """``F.max_poolNd(..., return_indices=True)``, which ``torch.fx`` records as ``max_poolNd_with_indices``."""
    pool = _max_pool(dims)

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        made = pool(self, node, args, kwargs)
        return made if isinstance(made, _Several) else _Several(made, "the indices", indices=True)

    return handle


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


def _interpolate(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
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


#: F.pad's modes and the symcnn layers that pad so (by the number of padded dimensions).
PAD_MODES = {
    "constant": "zeropad",
    "reflect": "reflectionpad",
    "replicate": "replicationpad",
    "circular": "circularpad",
}


def _pad(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("pad", REQUIRED), ("mode", "constant"), ("value", None)])
    x = self.tensor(bound["input"])
    mode = bound["mode"]
    if mode not in PAD_MODES or (mode == "constant" and bound["value"] not in (None, 0)):
        raise _Unsupported(
            f"F.pad maps to ZeroPad, ReflectionPad, ReplicationPad or CircularPad; got mode={mode!r}, "
            f"value={bound['value']!r}"
        )
    padding = tuple(bound["pad"])
    if len(padding) % 2 or not 2 <= len(padding) <= 6:
        raise _Unsupported(f"pad must have 2, 4 or 6 values, got {len(padding)}")
    kind = sl.LAYERS[f"{PAD_MODES[mode]}{len(padding) // 2}d"]
    return self.layer(self.name(node, "pad"), kind, [x], padding=padding)


def _parameter(value: Any, what: str) -> _Parameter:
    if not isinstance(value, _Parameter):
        raise _Unsupported(f"the {what} must be a parameter of the model, got {type(value).__name__}")
    return value


def _linear(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``F.linear(x, weight, bias)``: a Linear layer counting the model's weight and bias."""
    bound = _bind(args, kwargs, [("input", REQUIRED), ("weight", REQUIRED), ("bias", None)])
    return _dense(self, node, bound["input"], bound["weight"], bound["bias"], transposed=False)


def _matmul(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``x @ W``, ``torch.mm(x, W)``, ``torch.matmul(x, W)`` with a parameter ``W`` of shape (in, out)."""
    bound = _bind(args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    if not isinstance(bound["other"], _Parameter):
        raise _Unsupported("a product of two computed tensors has no symcnn layer; x @ W needs W a parameter")
    return _dense(self, node, bound["input"], bound["other"], None, transposed=True)


def _addmm(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``torch.addmm(b, x, W)`` = ``x @ W + b``: a Linear layer with bias."""
    bound = _bind(
        args, kwargs, [("input", REQUIRED), ("mat1", REQUIRED), ("mat2", REQUIRED), ("beta", 1), ("alpha", 1)]
    )
    if bound["beta"] != 1 or bound["alpha"] != 1:
        raise _Unsupported("addmm with beta or alpha other than 1 has no symcnn layer")
    return _dense(self, node, bound["mat1"], bound["mat2"], bound["input"], transposed=True)


def _dense(self: Importing, node: Any, x: Any, weight: Any, bias: Any, *, transposed: bool) -> Any:
    x = self.tensor(x)
    weight = _parameter(weight, "weight")
    if len(weight.shape) != 2:
        raise _Unsupported(f"the weight {weight.name!r} must have 2 dimensions, got {weight.shape}")
    inputs, outputs = weight.shape[::-1] if not transposed else weight.shape
    parameters = [weight.tensor]
    if bias is not None:
        bias = _parameter(bias, "bias")
        if bias.shape != (outputs,):
            raise _Unsupported(f"the bias {bias.name!r} must have shape ({outputs},), got {bias.shape}")
        parameters.append(bias.tensor)
    arguments = {"in_features": inputs, "out_features": outputs, "bias": bias is not None}
    return self.weighted_layer(self.name(node, "linear"), sl.Linear, [x], arguments, parameters, "the call")


def _conv(dims: int) -> Handler:
    """``F.conv2d(x, weight, bias, stride, padding, dilation, groups)`` with the model's parameters."""
    spec = [
        ("input", REQUIRED),
        ("weight", REQUIRED),
        ("bias", None),
        ("stride", 1),
        ("padding", 0),
        ("dilation", 1),
        ("groups", 1),
    ]

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        bound = _bind(args, kwargs, spec)
        x = self.tensor(bound["input"])
        weight = _parameter(bound["weight"], "weight")
        if len(weight.shape) != dims + 2:
            raise _Unsupported(f"the weight {weight.name!r} must have {dims + 2} dimensions, got {weight.shape}")
        groups = _int(bound["groups"], "groups")
        parameters = [weight.tensor]
        if bound["bias"] is not None:
            parameters.append(_parameter(bound["bias"], "bias").tensor)
        arguments = {
            "in_channels": weight.shape[1] * groups,
            "out_channels": weight.shape[0],
            "kernel_size": weight.shape[2:],
            "stride": _plain(bound["stride"]),
            "padding": _plain(bound["padding"]),
            "dilation": _plain(bound["dilation"]),
            "groups": groups,
            "bias": bound["bias"] is not None,
        }
        kind = sl.LAYERS[f"conv{dims}d"]
        return self.weighted_layer(self.name(node, f"conv{dims}d"), kind, [x], arguments, parameters, "the call")

    return handle


def _max_unpool(dims: int) -> Handler:
    spec = [
        ("input", REQUIRED),
        ("indices", REQUIRED),
        ("kernel_size", REQUIRED),
        ("stride", None),
        ("padding", 0),
        ("output_size", None),
    ]

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        bound = _bind(args, kwargs, spec)
        x = self.tensor(bound["input"])
        if not isinstance(bound["indices"], _Indices) or bound["indices"].pooled.tensor.shape != x.tensor.shape:
            raise _Unsupported("the indices must come from a max pooling of the input's shape (return_indices=True)")
        if bound["output_size"] is not None:
            raise _Unsupported("output_size= is not supported; symcnn computes the default output size")
        names = ("kernel_size", "stride", "padding")
        kind = sl.LAYERS[f"maxunpool{dims}d"]
        return self.layer(self.name(node, "max_unpool"), kind, [x], **{name: _plain(bound[name]) for name in names})

    return handle


def _arithmetic(function: Callable[..., Any], label: str, kind: type[Layer] | None) -> Handler:
    """``+`` and ``*``: on tensors a merge layer (Add, Multiply); on sizes, arithmetic."""

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
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
            return _parameter_layer(sl.Scale, self, parameter, self.tensor(other))
        if kind is None:
            raise _Unsupported(f"{label!r} on tensors has no symcnn layer (+ and * have: Add, Multiply)")
        if not all(isinstance(item, _Value | _Several | _Parameter) for item in operands):
            raise _Unsupported(f"{label!r} between a tensor and a constant has no symcnn layer")
        tensors = [self.tensor(item) for item in operands]
        return self.layer(self.name(node, label), kind, tensors)

    return handle


def _parameter_layer(kind: type[Layer], self: Importing, parameter: _Parameter, x: _Value) -> _Value:
    """``parameter * x`` (Scale) or ``x + parameter`` (Shift): a layer owning the parameter's elements.

    Leading size-1 dimensions of the parameter are dropped; any other would broadcast over the batch.
    """
    shape = list(parameter.shape)
    while len(shape) > x.tensor.rank:
        if shape[0] != 1:
            raise _Unsupported(f"the parameter {parameter.name!r} of shape {parameter.shape} broadcasts over the batch")
        shape.pop(0)
    return self.weighted_layer(
        self.unique(parameter.name, owner=True),
        kind,
        [x],
        {"shape": tuple(shape)},
        [parameter.tensor],
        f"the parameter {parameter.name!r}",
    )


def _cat(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("tensors", REQUIRED), ("dim", 0)])
    tensors = [self.tensor(item) for item in bound["tensors"]]
    if len(tensors) == 1:
        return tensors[0]
    return self.layer(self.name(node, "cat"), sl.Concat, tensors, dim=_int(bound["dim"], "dim"))


def _mean(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dim", None), ("keepdim", False), ("dtype", None)])
    x = self.tensor(bound["input"])
    if bound["dim"] is None:
        raise _Unsupported("a mean over all dimensions includes the batch; give dim")
    return self.layer(
        self.name(node, "mean"), sl.Mean, [x], dim=_ints(bound["dim"], "dim"), keepdim=bool(bound["keepdim"])
    )


def _chunk(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("chunks", REQUIRED), ("dim", 0)])
    x = self.tensor(bound["input"])
    return _Chunks(x, _int(bound["chunks"], "chunks"), _int(bound["dim"], "dim"))


def _getitem(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
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
        if index == 1 and container.indices:
            return _Indices(container.first)
        if index == 1 and container.rest is not None:
            return container.rest()
        return _Unmapped(
            f"uses {container.others} (item {index!r} of node {node.args[0].name!r}); only item 0 is mapped"
        )
    if isinstance(container, _Value | _Parameter):
        raise _Unsupported("indexing or slicing a tensor has no symcnn layer")
    try:
        return container[index]
    except (TypeError, IndexError, KeyError) as error:
        raise _Unsupported(f"cannot follow {container!r}[{index!r}]: {error}") from None


def _getattr(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
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


def _alias(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``contiguous()``, ``clone()``, ``detach()``, ``.to(...)``, ``.float()``: the same shape, no count."""
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
        F.linear: _linear,
        torch.mm: _matmul,
        torch.matmul: _matmul,
        operator.matmul: _matmul,
        torch.addmm: _addmm,
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
        table[getattr(F, f"conv{dims}d")] = _conv(dims)
        table[getattr(F, f"max_pool{dims}d_with_indices")] = _max_pool_with_indices(dims)
        table[getattr(F, f"max_unpool{dims}d")] = _max_unpool(dims)
    return table


METHODS: dict[str, Handler] = {
    "add": _arithmetic(operator.add, "add", sl.Add),
    "add_": _arithmetic(operator.add, "add", sl.Add),
    "mul": _arithmetic(operator.mul, "mul", sl.Multiply),
    "mul_": _arithmetic(operator.mul, "mul", sl.Multiply),
    "matmul": _matmul,
    "mm": _matmul,
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
    # dtype and device moves keep the shape
    "to": _alias,
    "float": _alias,
    "half": _alias,
    "double": _alias,
    "bfloat16": _alias,
    "cpu": _alias,
    "cuda": _alias,
    "relu": _activation(sl.ReLU, "relu", inplace=False),
    "relu_": _activation(sl.ReLU, "relu", inplace=False),
    "sigmoid": _activation(sl.Sigmoid, "sigmoid", inplace=False),
    "sigmoid_": _activation(sl.Sigmoid, "sigmoid", inplace=False),
    "tanh": _activation(sl.Tanh, "tanh", inplace=False),
    "tanh_": _activation(sl.Tanh, "tanh", inplace=False),
    "softmax": _softmax(sl.Softmax, "softmax"),
    "log_softmax": _softmax(sl.LogSoftmax, "log_softmax"),
}
