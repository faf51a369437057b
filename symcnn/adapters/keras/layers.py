"""Keras layers as symcnn layers: the table from a Keras layer's class name to its handler.

Each handler reads the layer's configuration (``get_config()``) and variables
and makes the symcnn layer with the same hyperparameters, in symcnn's
channels-first shapes (:mod:`.axes`).  A layer with an ``activation`` other
than ``"linear"`` (``Conv2D(..., activation="relu")``) gives two rows: the
layer with its weights, then ``<name>.<activation>``.  ``padding="same"`` is
TensorFlow's, ``ceil(i/s)`` for any stride: the layers' ``"same_upper"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ... import layers as sl
from ...layers.base import Layer
from ..families import by_dims
from ..torch.shapes import BATCH, _reshape
from ..torch.values import _Unsupported, _Value
from .axes import channels_first, symcnn_dim

#: ``handler(importer, layer, inputs)``: the Keras layer and its input values.
Handler = Callable[[Any, Any, list[Any]], Any]


#: Keras activation names -> symcnn layers (``"linear"`` is none).
ACTIVATIONS: dict[str, tuple[type[Layer], dict[str, Any]]] = {
    "relu": (sl.ReLU, {}),
    "relu6": (sl.ReLU6, {}),
    "sigmoid": (sl.Sigmoid, {}),
    "tanh": (sl.Tanh, {}),
    "swish": (sl.SiLU, {}),
    "silu": (sl.SiLU, {}),
    "gelu": (sl.GELU, {}),
    "elu": (sl.ELU, {}),
    "softplus": (sl.Softplus, {}),
    "mish": (sl.Mish, {}),
    "hard_sigmoid": (sl.Hardsigmoid, {}),  # Keras 3: relu6(x + 3) / 6, PyTorch's
    "hard_silu": (sl.Hardswish, {}),
    "hard_swish": (sl.Hardswish, {}),
    "leaky_relu": (sl.LeakyReLU, {"negative_slope": 0.2}),  # Keras's default slope
    "softmax": (sl.Softmax, {}),
    "log_softmax": (sl.LogSoftmax, {}),
}


def _one(self: Any, inputs: list[Any]) -> _Value:
    if len(inputs) != 1:
        raise _Unsupported(f"expects one input, got {len(inputs)}")
    return self.tensor(inputs[0])


def _channels_last(config: dict[str, Any]) -> None:
    if config.get("data_format", "channels_last") not in (None, "channels_last"):
        raise _Unsupported("data_format='channels_first' is not supported; symcnn reads channels-last Keras models")


def _padding(config: dict[str, Any]) -> Any:
    padding = config.get("padding", "valid")
    if padding == "valid":
        return 0
    if padding == "same":
        return "same_upper"  # TensorFlow's: ceil(i/s) for any stride, the odd padding element at the end
    raise _Unsupported(f"padding={padding!r} is not supported")


def activation(self: Any, layer: Any, made: _Value, name: str | None = None) -> _Value:
    """The row for a layer's ``activation`` (none for ``"linear"``)."""
    which = name or layer.get_config().get("activation", "linear")
    if not isinstance(which, str):
        raise _Unsupported(f"activation {which!r} is not a built-in Keras activation")
    if which == "linear":
        return made
    if which not in ACTIVATIONS:
        raise _Unsupported(f"symcnn has no layer for the activation {which!r}")
    kind, arguments = ACTIVATIONS[which]
    if kind in (sl.Softmax, sl.LogSoftmax):
        arguments = {"dim": symcnn_dim(-1, made.tensor.rank)}
    label = self.name(layer) if name else self.name(layer, which)
    return self.layer(label, kind, [made], **arguments)


def _conv(dims: int) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        x = _one(self, inputs)
        config = layer.get_config()
        _channels_last(config)
        groups = int(config.get("groups", 1))
        kernel = tuple(layer.kernel.shape)
        arguments = {
            "in_channels": kernel[-2] * groups,
            "out_channels": int(config["filters"]),
            "kernel_size": tuple(config["kernel_size"]),
            "stride": tuple(config["strides"]),
            "padding": _padding(config),
            "dilation": tuple(config["dilation_rate"]),
            "groups": groups,
            "bias": bool(config["use_bias"]),
        }
        made = self.weighted(self.name(layer), by_dims("conv", dims), [x], arguments, layer.weights)
        return activation(self, layer, made)

    return handle


def _depthwise(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    config = layer.get_config()
    _channels_last(config)
    kernel = tuple(layer.kernel.shape) if hasattr(layer, "kernel") else tuple(layer.depthwise_kernel.shape)
    channels, multiplier = kernel[-2], kernel[-1]
    dims = len(kernel) - 2
    arguments = {
        "in_channels": channels,
        "out_channels": channels * multiplier,
        "kernel_size": tuple(config["kernel_size"]),
        "stride": tuple(config["strides"]),
        "padding": _padding(config),
        "dilation": tuple(config["dilation_rate"]),
        "groups": channels,
        "bias": bool(config["use_bias"]),
    }
    made = self.weighted(self.name(layer), by_dims("conv", dims), [x], arguments, layer.weights)
    return activation(self, layer, made)


def _separable(self: Any, layer: Any, inputs: list[Any]) -> Any:
    """A depthwise convolution (``<name>.depthwise``) then a pointwise one (``<name>``)."""
    x = _one(self, inputs)
    config = layer.get_config()
    _channels_last(config)
    depthwise, pointwise = layer.depthwise_kernel, layer.pointwise_kernel
    *window, channels, multiplier = tuple(depthwise.shape)
    dims = len(window)
    first = {
        "in_channels": channels,
        "out_channels": channels * multiplier,
        "kernel_size": tuple(config["kernel_size"]),
        "stride": tuple(config["strides"]),
        "padding": _padding(config),
        "dilation": tuple(config["dilation_rate"]),
        "groups": channels,
        "bias": False,
    }
    spread = self.weighted(self.name(layer, "depthwise"), by_dims("conv", dims), [x], first, [depthwise])
    second = {
        "in_channels": channels * multiplier,
        "out_channels": int(config["filters"]),
        "kernel_size": (1,) * dims,
        "bias": bool(config["use_bias"]),
    }
    rest = [item for item in layer.weights if item is not depthwise]
    del pointwise  # counted with the bias, in rest
    made = self.weighted(self.name(layer), by_dims("conv", dims), [spread], second, rest)
    return activation(self, layer, made)


def _transpose(dims: int) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        x = _one(self, inputs)
        config = layer.get_config()
        _channels_last(config)
        kernels, strides = tuple(config["kernel_size"]), tuple(config["strides"])
        dilations = tuple(config["dilation_rate"])
        if config.get("output_padding") is not None:
            raise _Unsupported("output_padding= is not supported")
        if any(item != 1 for item in dilations):
            raise _Unsupported("dilated transposed convolutions are not supported")
        if config["padding"] == "same":  # Keras: output i*s; PyTorch's (i-1)*s - 2p + k + op with 2p - op = k - s
            paddings = tuple(max(0, -(-(k - s) // 2)) for k, s in zip(kernels, strides, strict=True))
            extra = tuple(2 * p - (k - s) for p, k, s in zip(paddings, kernels, strides, strict=True))
        elif config["padding"] == "valid":
            paddings, extra = (0,) * dims, (0,) * dims
        else:
            raise _Unsupported(f"padding={config['padding']!r} is not supported")
        kernel = tuple(layer.kernel.shape)  # (*window, filters, in_channels)
        arguments = {
            "in_channels": kernel[-1],
            "out_channels": int(config["filters"]),
            "kernel_size": kernels,
            "stride": strides,
            "padding": paddings,
            "output_padding": extra,
            "bias": bool(config["use_bias"]),
        }
        made = self.weighted(self.name(layer), by_dims("convtranspose", dims), [x], arguments, layer.weights)
        return activation(self, layer, made)

    return handle


def _dense(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    if x.tensor.rank != 1:
        raise _Unsupported("Dense on a tensor of more than one dimension (it acts on the channels) is not supported")
    config = layer.get_config()
    arguments = {
        "in_features": int(layer.kernel.shape[0]),
        "out_features": int(config["units"]),
        "bias": bool(config["use_bias"]),
    }
    made = self.weighted(self.name(layer), sl.Linear, [x], arguments, layer.weights)
    return activation(self, layer, made)


def _batch_norm(self: Any, layer: Any, inputs: list[Any]) -> Any:
    """``scale`` (gamma) and ``center`` (beta): one of them is one vector per channel, as symcnn's bias=False."""
    x = _one(self, inputs)
    config = layer.get_config()
    axis = config["axis"]
    axis = axis[0] if isinstance(axis, list | tuple) and len(axis) == 1 else axis
    if not isinstance(axis, int) or symcnn_dim(axis, x.tensor.rank) != 1:
        raise _Unsupported(f"normalising over axis {axis} (not the channels) is not supported")
    scale, center = bool(config["scale"]), bool(config["center"])
    rank = x.tensor.rank
    kind = sl.BatchNorm1d if rank <= 2 else by_dims("batchnorm", rank - 1)
    arguments = {
        "num_features": x.tensor.shape[0],
        "eps": float(config["epsilon"]),
        "affine": scale or center,
        "bias": scale and center,
    }
    return self.weighted(self.name(layer), kind, [x], arguments, layer.weights)


def _layer_norm(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    if x.tensor.rank != 1:
        raise _Unsupported("LayerNormalization of a tensor of more than one dimension is not supported")
    config = layer.get_config()
    scale, center = bool(config["scale"]), bool(config["center"])
    arguments = {
        "normalized_shape": (x.tensor.shape[0],),
        "eps": float(config["epsilon"]),
        "elementwise_affine": scale or center,
        "bias": scale and center,
    }
    return self.weighted(self.name(layer), sl.LayerNorm, [x], arguments, layer.weights)


def _normalization(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    if not layer.weights:  # mean and variance given as constants: nothing is held
        return self.layer(self.name(layer), sl.Identity, [x])
    return self.weighted(self.name(layer), sl.Normalization, [x], {}, layer.weights)


def _pool(family: str, dims: int) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        x = _one(self, inputs)
        config = layer.get_config()
        _channels_last(config)
        kernel = tuple(config["pool_size"])
        strides = tuple(config["strides"]) if config.get("strides") is not None else kernel
        arguments: dict[str, Any] = {"kernel_size": kernel, "stride": strides, "padding": _padding(config)}
        if family == "avgpool":
            arguments["count_include_pad"] = False  # Keras averages over the input values only
        return self.layer(self.name(layer), by_dims(family, dims), [x], **arguments)

    return handle


def _global(family: str) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        x = _one(self, inputs)
        config = layer.get_config()
        _channels_last(config)
        dims = x.tensor.rank - 1
        keep = bool(config.get("keepdims", False))
        if family == "avg":
            return self.layer(self.name(layer), sl.Mean, [x], dim=tuple(range(2, dims + 2)), keepdim=keep)
        if keep:
            return self.layer(self.name(layer), by_dims("globalmax", dims), [x], output_size=(1,) * dims)
        pooled = self.layer(self.name(layer, "pool"), by_dims("globalmax", dims), [x], output_size=(1,) * dims)
        return self.layer(self.name(layer), sl.Flatten, [pooled])

    return handle


def _pairs(value: Any, dims: int) -> list[tuple[int, int]]:
    """Keras's ``padding``/``cropping``: one number, one per axis, or (before, after) per axis."""
    if isinstance(value, int):
        return [(value, value)] * dims
    items = list(value)
    if dims == 1 and len(items) == 2 and all(isinstance(item, int) for item in items):
        return [(items[0], items[1])]
    return [(item, item) if isinstance(item, int) else (int(item[0]), int(item[1])) for item in items]


def _zero_padding(dims: int, sign: int, key: str) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        x = _one(self, inputs)
        config = layer.get_config()
        _channels_last(config)
        pairs = _pairs(config[key], dims)
        padding = tuple(sign * item for pair in pairs[::-1] for item in pair)  # PyTorch's order: last axis first
        return self.layer(self.name(layer), by_dims("zeropad", dims), [x], padding=padding)

    return handle


def _merge(kind: type[Layer]) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        tensors = [self.tensor(item) for item in inputs]
        return self.layer(self.name(layer), kind, tensors)

    return handle


def _concatenate(self: Any, layer: Any, inputs: list[Any]) -> Any:
    tensors = [self.tensor(item) for item in inputs]
    dim = symcnn_dim(int(layer.get_config()["axis"]), tensors[0].tensor.rank)
    return self.layer(self.name(layer), sl.Concat, tensors, dim=dim)


def _flatten(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    if x.tensor.rank == 1:
        return self.layer(self.name(layer), sl.Identity, [x])
    return self.layer(self.name(layer), sl.Flatten, [x])


def _reshape_layer(self: Any, layer: Any, inputs: list[Any]) -> Any:
    """Keras's channels-last target shape, in symcnn's order, mapped as the torch adapter maps ``view``."""
    x = _one(self, inputs)
    target = channels_first([int(item) for item in layer.get_config()["target_shape"]])
    return _reshape(cast(Any, _Renaming(self)), layer, x, [(BATCH, *target)])


class _Renaming:
    """The importer as the torch adapter's reshape sees it: the row takes the Keras layer's name."""

    def __init__(self, importer: Any) -> None:
        self.importer = importer

    def name(self, layer: Any, label: str | None = None) -> str:
        return str(self.importer.name(layer))

    def layer(self, *args: Any, **kwargs: Any) -> Any:
        return self.importer.layer(*args, **kwargs)


def _rescaling(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    config = layer.get_config()
    scale, offset = config["scale"], config["offset"]
    if isinstance(scale, list | tuple) or isinstance(offset, list | tuple):
        raise _Unsupported("per-channel scale or offset is not supported")
    if offset:
        scaled = self.layer(self.name(layer, "scale"), sl.ConstantOp, [x], operation="mul", constant=float(scale))
        return self.layer(self.name(layer), sl.ConstantOp, [scaled], operation="add", constant=float(offset))
    return self.layer(self.name(layer), sl.ConstantOp, [x], operation="mul", constant=float(scale))


def _activation_layer(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    which = layer.get_config()["activation"]
    if which == "linear":
        return self.layer(self.name(layer), sl.Identity, [x])
    return activation(self, layer, x, name=which)


def _relu(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    config = layer.get_config()
    top, slope, threshold = (
        config.get("max_value"),
        float(config.get("negative_slope", 0)),
        float(config.get("threshold", 0)),
    )
    if threshold:
        raise _Unsupported(f"threshold={threshold} is not supported")
    if top is None and slope == 0:
        return self.layer(self.name(layer), sl.ReLU, [x])
    if top is not None and float(top) == 6 and slope == 0:
        return self.layer(self.name(layer), sl.ReLU6, [x])
    if top is None:
        return self.layer(self.name(layer), sl.LeakyReLU, [x], negative_slope=slope)
    raise _Unsupported(f"ReLU(max_value={top}, negative_slope={slope}) has no symcnn layer")


def _simple(kind: type[Layer], **read: tuple[str, Any]) -> Handler:
    def handle(self: Any, layer: Any, inputs: list[Any]) -> Any:
        x = _one(self, inputs)
        config = layer.get_config()
        arguments = {field: config.get(key, default) for field, (key, default) in read.items()}
        return self.layer(self.name(layer), kind, [x], **arguments)

    return handle


def _softmax(self: Any, layer: Any, inputs: list[Any]) -> Any:
    x = _one(self, inputs)
    axis = layer.get_config().get("axis", -1)
    return self.layer(self.name(layer), sl.Softmax, [x], dim=symcnn_dim(int(axis), x.tensor.rank))


def _dropout(self: Any, layer: Any, inputs: list[Any]) -> Any:
    return self.layer(self.name(layer), sl.Dropout, [_one(self, inputs)], p=float(layer.get_config()["rate"]))


LAYERS: dict[str, Handler] = {
    "Conv1D": _conv(1),
    "Conv2D": _conv(2),
    "Conv3D": _conv(3),
    "DepthwiseConv1D": _depthwise,
    "DepthwiseConv2D": _depthwise,
    "SeparableConv1D": _separable,
    "SeparableConv2D": _separable,
    "Conv1DTranspose": _transpose(1),
    "Conv2DTranspose": _transpose(2),
    "Conv3DTranspose": _transpose(3),
    "Dense": _dense,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": _layer_norm,
    "Normalization": _normalization,
    "MaxPooling1D": _pool("maxpool", 1),
    "MaxPooling2D": _pool("maxpool", 2),
    "MaxPooling3D": _pool("maxpool", 3),
    "AveragePooling1D": _pool("avgpool", 1),
    "AveragePooling2D": _pool("avgpool", 2),
    "AveragePooling3D": _pool("avgpool", 3),
    "GlobalAveragePooling1D": _global("avg"),
    "GlobalAveragePooling2D": _global("avg"),
    "GlobalAveragePooling3D": _global("avg"),
    "GlobalMaxPooling1D": _global("max"),
    "GlobalMaxPooling2D": _global("max"),
    "GlobalMaxPooling3D": _global("max"),
    "ZeroPadding1D": _zero_padding(1, 1, "padding"),
    "ZeroPadding2D": _zero_padding(2, 1, "padding"),
    "ZeroPadding3D": _zero_padding(3, 1, "padding"),
    "Cropping1D": _zero_padding(1, -1, "cropping"),
    "Cropping2D": _zero_padding(2, -1, "cropping"),
    "Cropping3D": _zero_padding(3, -1, "cropping"),
    "Add": _merge(sl.Add),
    "Multiply": _merge(sl.Multiply),
    "Concatenate": _concatenate,
    "Flatten": _flatten,
    "Reshape": _reshape_layer,
    "Rescaling": _rescaling,
    "Activation": _activation_layer,
    "ReLU": _relu,
    "LeakyReLU": _simple(sl.LeakyReLU, negative_slope=("negative_slope", 0.3)),
    "ELU": _simple(sl.ELU, alpha=("alpha", 1.0)),
    "Softmax": _softmax,
    "Dropout": _dropout,
    "SpatialDropout1D": _dropout,
    "SpatialDropout2D": _dropout,
    "SpatialDropout3D": _dropout,
}
