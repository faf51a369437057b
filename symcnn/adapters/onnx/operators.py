"""ONNX operators that compute: the table from op type to the handler that makes the symcnn layer.

Each handler reads the node's attributes (ONNX's defaults where one is
absent, which differ from PyTorch's: a pooling's stride is 1, an average
pooling leaves the padding out of its count) and its initializers, and makes
the layer with the same hyperparameters.  Padding that differs at the two
ends of an axis becomes a zero-padding row (``<node>.pad``) before the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import layers as sl
from ...layers.base import Layer
from ..families import by_dims
from .values import Constant, Importing, Weight, _Unsupported, _Value, setting

#: ``handler(importer, node, inputs, attributes)``: the node's inputs resolved (None where omitted).
Handler = Callable[[Importing, Any, list[Any], dict[str, Any]], Any]


def weight(value: Any, what: str) -> Weight:
    if not isinstance(value, Weight):
        raise _Unsupported(f"the {what} must be a floating-point initializer (learned values), got {_what(value)}")
    return value


def optional_weight(inputs: list[Any], position: int, what: str) -> Weight | None:
    if position >= len(inputs) or inputs[position] is None:
        return None
    return weight(inputs[position], what)


def _what(value: Any) -> str:
    if isinstance(value, _Value):
        return "a tensor computed from the input"
    if isinstance(value, Constant):
        return "a constant"
    return repr(value)


def torch_padding(begins: list[int], ends: list[int]) -> tuple[int, ...]:
    """ONNX's ``(x1_begin, x2_begin, ..., x1_end, ...)`` as PyTorch's ``(last_begin, last_end, ...)``."""
    return tuple(item for pair in zip(begins[::-1], ends[::-1], strict=True) for item in pair)


def spatial_padding(self: Importing, node: Any, x: _Value, attributes: dict[str, Any], dims: int, pads: bool) -> Any:
    """The layer's ``padding``: a tuple or ``"same_upper"``/``"same_lower"``; zero-padding first where ends differ.

    ``pads``: whether the layer may pad unequally by padding zeros first (a
    convolution may; a max pooling pads with -inf, an average pooling's count
    would change).
    """
    auto = attributes.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto == "VALID":
        return x, (0,) * dims
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        return x, auto.lower()  # the layers' TensorFlow/ONNX 'same': ceil(i/s) outputs, any stride
    if auto != "NOTSET":
        raise _Unsupported(f"unknown auto_pad {auto!r}")
    given = list(attributes.get("pads", [0] * (2 * dims)))
    begins, ends = given[:dims], given[dims:]
    if begins == ends:
        return x, tuple(begins)
    if not pads:
        raise _Unsupported(f"pads {given} differ at the two ends of an axis, which this layer cannot do")
    common = [min(begin, end) for begin, end in zip(begins, ends, strict=True)]
    extra = torch_padding(
        [b - c for b, c in zip(begins, common, strict=True)], [e - c for e, c in zip(ends, common, strict=True)]
    )
    padded = self.layer(self.part(node, "pad"), by_dims("zeropad", dims), [x], padding=extra)
    return padded, tuple(common)


def _conv(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    kernel = weight(inputs[1], "weight")
    bias = optional_weight(inputs, 2, "bias")
    dims = len(kernel.shape) - 2
    groups = int(attributes.get("group", 1))
    padded, padding = spatial_padding(self, node, x, attributes, dims, pads=True)
    arguments = {
        "in_channels": kernel.shape[1] * groups,
        "out_channels": kernel.shape[0],
        "kernel_size": tuple(kernel.shape[2:]),
        "stride": tuple(attributes.get("strides", [1] * dims)),
        "padding": padding,
        "dilation": tuple(attributes.get("dilations", [1] * dims)),
        "groups": groups,
        "bias": bias is not None,
    }
    return self.weighted(self.name(node), by_dims("conv", dims), [padded], arguments, [kernel, bias])


def _conv_transpose(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    kernel = weight(inputs[1], "weight")
    bias = optional_weight(inputs, 2, "bias")
    dims = len(kernel.shape) - 2
    groups = int(attributes.get("group", 1))
    if "output_shape" in attributes:
        raise _Unsupported("output_shape= is not supported; symcnn computes the size from pads and output_padding")
    auto = attributes.get("auto_pad", b"NOTSET")
    if (auto.decode() if isinstance(auto, bytes) else auto) not in ("NOTSET", "VALID"):
        raise _Unsupported(f"auto_pad={auto!r} is not supported for ConvTranspose")
    given = list(attributes.get("pads", [0] * (2 * dims)))
    if given[:dims] != given[dims:]:
        raise _Unsupported(f"pads {given} differ at the two ends of an axis")
    arguments = {
        "in_channels": kernel.shape[0],
        "out_channels": kernel.shape[1] * groups,
        "kernel_size": tuple(kernel.shape[2:]),
        "stride": tuple(attributes.get("strides", [1] * dims)),
        "padding": tuple(given[:dims]),
        "output_padding": tuple(attributes.get("output_padding", [0] * dims)),
        "dilation": tuple(attributes.get("dilations", [1] * dims)),
        "groups": groups,
        "bias": bias is not None,
    }
    return self.weighted(self.name(node), by_dims("convtranspose", dims), [x], arguments, [kernel, bias])


def _gemm(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    if attributes.get("transA", 0):
        raise _Unsupported("transA=1 transposes the input, batch included")
    matrix = weight(inputs[1], "matrix B")
    bias = optional_weight(inputs, 2, "bias C")
    outputs, features = matrix.shape if attributes.get("transB", 0) else matrix.shape[::-1]
    arguments = {"in_features": features, "out_features": outputs, "bias": bias is not None}
    return self.weighted(self.name(node), sl.Linear, [x], arguments, [matrix, bias])


def _matmul(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    matrix = weight(inputs[1], "second operand")
    if len(matrix.shape) != 2:
        raise _Unsupported(f"the initializer must be a matrix, got shape {matrix.shape}")
    features, outputs = matrix.shape
    arguments = {"in_features": features, "out_features": outputs, "bias": False}
    return self.weighted(self.name(node), sl.Linear, [x], arguments, [matrix])


def _batch_norm(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    scale, shift = weight(inputs[1], "scale"), weight(inputs[2], "bias")
    mean, variance = weight(inputs[3], "mean"), weight(inputs[4], "variance")
    rank = x.tensor.rank
    kind = sl.BatchNorm1d if rank <= 2 else by_dims("batchnorm", rank - 1)
    arguments = {"num_features": scale.shape[0], "eps": float(attributes.get("epsilon", 1e-5))}
    return self.weighted(self.name(node), kind, [x], arguments, [scale, shift], [mean, variance])


def _layer_norm(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    scale = weight(inputs[1], "scale")
    bias = optional_weight(inputs, 2, "bias")
    axis = int(attributes.get("axis", -1))
    rank = x.tensor.rank + 1
    axis = axis + rank if axis < 0 else axis
    if axis < 1:
        raise _Unsupported(f"axis={axis} normalises over the batch")
    normalized = tuple(x.tensor.shape[axis - 1 :])
    arguments = {
        "normalized_shape": normalized,
        "eps": float(attributes.get("epsilon", 1e-5)),
        "bias": bias is not None,
    }
    return self.weighted(self.name(node), sl.LayerNorm, [x], arguments, [scale, bias])


def _pool(family: str) -> Handler:
    def handle(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
        x = self.tensor(inputs[0])
        kernel = tuple(attributes["kernel_shape"])
        dims = len(kernel)
        _, padding = spatial_padding(self, node, x, attributes, dims, pads=False)
        arguments: dict[str, Any] = {
            "kernel_size": kernel,
            "stride": tuple(attributes.get("strides", [1] * dims)),  # ONNX's default stride is 1
            "padding": padding,
            "ceil_mode": bool(attributes.get("ceil_mode", 0)),
        }
        dilations = tuple(attributes.get("dilations", [1] * dims))
        if family == "maxpool":
            arguments["dilation"] = dilations
            if attributes.get("storage_order", 0):
                raise _Unsupported("storage_order=1 (column-major indices) is not supported")
        else:
            if any(item != 1 for item in dilations):
                raise _Unsupported(f"average pooling with dilations {dilations} is not supported")
            arguments["count_include_pad"] = bool(attributes.get("count_include_pad", 0))
        return self.layer(self.name(node), by_dims(family, dims), [x], **arguments)

    return handle


def _global(family: str) -> Handler:
    def handle(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
        x = self.tensor(inputs[0])
        dims = x.tensor.rank - 1
        return self.layer(self.name(node), by_dims(family, dims), [x], output_size=(1,) * dims)

    return handle


def _simple(kind: type[Layer], **read: tuple[str, Any]) -> Handler:
    """A layer whose arguments are attributes: ``negative_slope=("alpha", 0.01)``."""

    def handle(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
        x = self.tensor(inputs[0])
        arguments = {field: _plain(attributes.get(attribute, default)) for field, (attribute, default) in read.items()}
        return self.layer(self.name(node), kind, [x], **arguments)

    return handle


def _plain(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def _hard_sigmoid(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    alpha, beta = float(attributes.get("alpha", 0.2)), float(attributes.get("beta", 0.5))
    if abs(alpha - 1 / 6) > 1e-6 or abs(beta - 0.5) > 1e-6:
        raise _Unsupported(f"symcnn's Hardsigmoid is PyTorch's x/6 + 1/2, this node has alpha={alpha}, beta={beta}")
    return self.layer(self.name(node), sl.Hardsigmoid, [self.tensor(inputs[0])])


def _gelu(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    return self.layer(
        self.name(node), sl.GELU, [self.tensor(inputs[0])], approximate=_plain(attributes.get("approximate", "none"))
    )


def _softmax(kind: type[Layer]) -> Handler:
    def handle(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
        x = self.tensor(inputs[0])
        axis = int(attributes.get("axis", -1))
        if axis % (x.tensor.rank + 1) == 0:
            raise _Unsupported("softmax over the batch dimension")
        return self.layer(self.name(node), kind, [x], dim=axis)

    return handle


def _clip(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    low, high = attributes.get("min"), attributes.get("max")
    if len(inputs) > 1 and inputs[1] is not None:
        low = _scalar(inputs[1], "min")
    if len(inputs) > 2 and inputs[2] is not None:
        high = _scalar(inputs[2], "max")
    if low == 0 and high == 6:
        return self.layer(self.name(node), sl.ReLU6, [x])
    if low == 0 and high is None:
        return self.layer(self.name(node), sl.ReLU, [x])
    raise _Unsupported(f"Clip to [{low}, {high}]: symcnn has ReLU (min 0) and ReLU6 (min 0, max 6) only")


def _scalar(value: Any, what: str) -> float:
    value = setting(value)
    if not isinstance(value, Constant) or value.values.size != 1:
        raise _Unsupported(f"{what} must be a constant scalar")
    return float(value.values.reshape(-1)[0])


def _prelu(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    slope = weight(inputs[1], "slope")
    arguments = {"num_parameters": slope.size}
    return self.weighted(self.name(node), sl.PReLU, [x], arguments, [slope])


def _dropout(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    ratio = float(attributes.get("ratio", 0.5))
    if len(inputs) > 1 and inputs[1] is not None:
        ratio = _scalar(inputs[1], "ratio")
    return self.layer(self.name(node), sl.Dropout, [x], p=ratio)


def _identity(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    if not isinstance(inputs[0], _Value):
        return inputs[0]  # an initializer or constant under another name: the same one
    return self.layer(self.name(node), sl.Identity, [inputs[0]])


def _reduce_mean(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    axes = attributes.get("axes")
    if len(inputs) > 1 and inputs[1] is not None:
        if not isinstance(inputs[1], Constant):
            raise _Unsupported("the axes must be constants")
        axes = inputs[1].numbers("axes")
    rank = x.tensor.rank + 1
    if not axes:
        raise _Unsupported("ReduceMean over every axis averages over the batch")
    order = tuple(sorted(axis % rank for axis in axes))
    if 0 in order:
        raise _Unsupported("ReduceMean over axis 0 averages over the batch")
    keep = bool(attributes.get("keepdims", 1))
    return self.layer(self.name(node), sl.Mean, [x], dim=order, keepdim=keep)


def _pad(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    rank = x.tensor.rank + 1
    mode = _plain(attributes.get("mode", "constant"))
    if len(inputs) > 1 and inputs[1] is not None:
        if not isinstance(inputs[1], Constant):
            raise _Unsupported("the pads must be constants")
        pads = inputs[1].numbers("pads")
    else:
        pads = list(attributes.get("pads", []))
    if len(inputs) > 3 and inputs[3] is not None:
        raise _Unsupported("the axes input is not supported; give pads for every axis")
    if len(inputs) > 2 and inputs[2] is not None and _scalar(inputs[2], "constant_value") != 0:
        raise _Unsupported("symcnn pads with zeros only (constant_value must be 0)")
    if len(pads) != 2 * rank:
        raise _Unsupported(f"pads must have {2 * rank} values, got {len(pads)}")
    begins, ends = pads[:rank], pads[rank:]
    if begins[:2] != [0, 0] or ends[:2] != [0, 0]:
        raise _Unsupported(f"pads {pads} pad the batch or the channels; symcnn pads spatial dimensions")
    families = {"constant": "zeropad", "reflect": "reflect", "edge": "edge", "wrap": "wrap"}
    if mode not in families:
        raise _Unsupported(f"unknown pad mode {mode!r}")
    padding = torch_padding(begins[2:], ends[2:])
    return self.layer(self.name(node), by_dims(families[mode], rank - 2), [x], padding=padding)


_RESIZE_MODES = {
    "nearest": {1: "nearest", 2: "nearest", 3: "nearest"},
    "linear": {1: "linear", 2: "bilinear", 3: "trilinear"},
    "cubic": {2: "bicubic"},
}


def _resize(self: Importing, node: Any, inputs: list[Any], attributes: dict[str, Any]) -> Any:
    x = self.tensor(inputs[0])
    dims = x.tensor.rank - 1
    mode = _RESIZE_MODES.get(_plain(attributes.get("mode", "nearest")), {}).get(dims)
    if mode is None:
        raise _Unsupported(f"mode {_plain(attributes.get('mode', 'nearest'))!r} on {dims} spatial dimensions")
    scales = setting(inputs[2]) if len(inputs) > 2 else None
    sizes = inputs[3] if len(inputs) > 3 else None
    if isinstance(sizes, Constant) and sizes.values.size:
        target = sizes.ints("sizes")
        if len(target) != dims + 2 or target[1] != x.tensor.shape[0]:
            raise _Unsupported(f"sizes {target} must keep the batch and the channels")
        return self.layer(self.name(node), sl.Upsample, [x], size=tuple(target[2:]), mode=mode)
    if isinstance(scales, Constant) and scales.values.size:
        factors = [float(item) for item in scales.values.reshape(-1)]
        if len(factors) != dims + 2 or factors[:2] != [1.0, 1.0]:
            raise _Unsupported(f"scales {factors} must keep the batch and the channels (1, 1, ...)")
        return self.layer(self.name(node), sl.Upsample, [x], scale_factor=tuple(factors[2:]), mode=mode)
    raise _Unsupported("the scales or sizes must be constants")


OPERATORS: dict[str, Handler] = {
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "MaxPool": _pool("maxpool"),
    "AveragePool": _pool("avgpool"),
    "GlobalAveragePool": _global("globalavg"),
    "GlobalMaxPool": _global("globalmax"),
    "Relu": _simple(sl.ReLU),
    "Sigmoid": _simple(sl.Sigmoid),
    "Tanh": _simple(sl.Tanh),
    "LeakyRelu": _simple(sl.LeakyReLU, negative_slope=("alpha", 0.01)),
    "Elu": _simple(sl.ELU, alpha=("alpha", 1.0)),
    "Softplus": _simple(sl.Softplus),
    "HardSigmoid": _hard_sigmoid,
    "HardSwish": _simple(sl.Hardswish),
    "Mish": _simple(sl.Mish),
    "Gelu": _gelu,
    "PRelu": _prelu,
    "Clip": _clip,
    "Softmax": _softmax(sl.Softmax),
    "LogSoftmax": _softmax(sl.LogSoftmax),
    "Dropout": _dropout,
    "Identity": _identity,
    "ReduceMean": _reduce_mean,
    "Pad": _pad,
    "Resize": _resize,
}
