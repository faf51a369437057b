"""PyTorch modules as symcnn layers: the table from ``nn.Module`` types to handlers.

Most modules map to one layer whose arguments are copied from the module's
attributes (:func:`_attributes`); recurrent layers, attention and torchvision's
``LayerNorm2d`` have handlers of their own.  A module type in the table is a
leaf of the trace (see :mod:`.tracing`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ... import layers as sl
from ...layers.base import Layer
from ...results import format_shape
from .arguments import REQUIRED, _bind, _plain
from .values import Handler, _Several, _Unsupported, _Value

if TYPE_CHECKING:
    from .importer import _Importer


def _lookup(table: dict[type, Handler], module: Any) -> Handler | None:
    """The handler for ``module``'s type, or for a base type whose ``forward`` it keeps."""
    kind = type(module)
    if kind in table:
        return table[kind]
    for base in kind.__mro__[1:]:
        if base in table and getattr(kind, "forward", None) is getattr(base, "forward", None):
            return table[base]
    return None


class _ModuleHandler:
    """Maps a module call; ``check`` vets the module alone, for calls whose inputs could not be mapped."""

    def __init__(self, handle: Handler, check: Callable[[Any], None] | None = None) -> None:
        self.handle = handle
        self.check = check

    def __call__(self, importer: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        try:
            return self.handle(importer, node, args, kwargs)
        except Exception:
            # The call failed (often on an unmapped input): report the module's own problem first, if any.
            if self.check is not None:
                self.check(importer.root.get_submodule(node.target))
            raise


#: Reads a module: the symcnn layer type it maps to and that layer's arguments.
Build = Callable[[Any], tuple[type[Layer], dict[str, Any]]]


def _constructible(build: Build) -> Callable[[Any], None]:
    """Make the layer once, so that arguments symcnn refuses are reported."""

    def check(module: Any) -> None:
        kind, arguments = build(module)
        kind(**arguments)

    return check


def _batch_first(module: Any) -> None:
    if not module.batch_first:
        raise _Unsupported(
            "batch_first=False puts the batch in dimension 1; symcnn's shapes leave out dimension 0 "
            "(construct the module with batch_first=True)"
        )


def _module_handler(build: Build, tuple_result: str = "") -> Handler:
    """A module applied to one tensor, mapped to one layer built from its attributes."""

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module = self.root.get_submodule(node.target)
        if len(args) != 1 or kwargs:
            raise _Unsupported("only a call with a single tensor argument is supported")
        x = self.tensor(args[0])
        kind, arguments = build(module)
        made = _call_module(self, node, module, kind, [x], arguments)
        if tuple_result and getattr(module, "return_indices", False):
            return _Several(made, tuple_result)
        return made

    return _ModuleHandler(handle, _constructible(build))


def _call_module(
    self: _Importer, node: Any, module: Any, kind: type[Layer], inputs: list[_Value], arguments: dict[str, Any]
) -> _Value:
    self.claim([*module.parameters(), *module.buffers()], "the module")
    return self.layer(self.name(node), kind, inputs, **arguments)


def _attributes(kind: type[Layer], *names: str, **computed: Callable[[Any], Any]) -> Build:
    """Copy the module attributes ``names`` (when present) and the ``computed`` ones."""

    def build(module: Any) -> tuple[type[Layer], dict[str, Any]]:
        arguments = {name: _plain(getattr(module, name)) for name in names if hasattr(module, name)}
        arguments.update({name: function(module) for name, function in computed.items()})
        return kind, arguments

    return build


def _has_bias(module: Any) -> bool:
    return getattr(module, "bias", None) is not None


def _conv_padding(module: Any) -> Any:
    return module.padding if isinstance(module.padding, str) else tuple(module.padding)


def _rnn_handler(kind: type[Layer], *names: str) -> Handler:
    build = _attributes(kind, *names)

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module = self.root.get_submodule(node.target)
        bound = _bind(args, kwargs, [("input", REQUIRED), ("hx", None)])
        x = self.tensor(bound["input"])
        layer_kind, arguments = build(module)
        made = _call_module(self, node, module, layer_kind, [x], arguments)
        return _Several(made, "the final hidden state")

    def check(module: Any) -> None:
        _batch_first(module)
        _constructible(build)(module)

    return _ModuleHandler(handle, check)


def _attention(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.root.get_submodule(node.target)
    bound = _bind(
        args,
        kwargs,
        [
            ("query", REQUIRED),
            ("key", REQUIRED),
            ("value", REQUIRED),
            ("key_padding_mask", None),
            ("need_weights", True),
            ("attn_mask", None),
            ("average_attn_weights", True),
            ("is_causal", False),
        ],
    )  # masks change neither shapes nor counts
    query, key, value = (self.tensor(bound[part], part) for part in ("query", "key", "value"))
    inputs = [query] if query is key is value else [query, key, value]
    arguments = {
        "embed_dim": module.embed_dim,
        "num_heads": module.num_heads,
        "dropout": module.dropout,
        "bias": module.in_proj_bias is not None,
        "add_bias_kv": module.bias_k is not None,
        "add_zero_attn": module.add_zero_attn,
        "kdim": module.kdim,
        "vdim": module.vdim,
        "batch_first": True,
    }
    made = _call_module(self, node, module, sl.MultiheadAttention, inputs, arguments)
    return _Several(made, "the attention weights")


def _layernorm2d(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """torchvision's LayerNorm2d, as its forward: ``permute(0, 2, 3, 1)``, LayerNorm, ``permute(0, 3, 1, 2)``.

    The rows are ``<name>.permute``, ``<name>.layer_norm`` (the parameters) and
    ``<name>``: as for every module, the row named after it holds its output.
    """
    module = self.root.get_submodule(node.target)
    if len(args) != 1 or kwargs:
        raise _Unsupported("only a call with a single tensor argument is supported")
    x = self.tensor(args[0])
    if x.tensor.rank != 3:
        raise _Unsupported(f"expects a (C, H, W) input, got {format_shape(x.tensor.shape)}")
    self.claim([*module.parameters(), *module.buffers()], "the module")
    last = self.layer(self.unique(f"{node.target}.permute"), sl.Permute, [x], dims=(0, 2, 3, 1))
    normed = self.layer(
        self.unique(f"{node.target}.layer_norm"),
        sl.LayerNorm,
        [last],
        normalized_shape=tuple(module.normalized_shape),
        eps=module.eps,
        elementwise_affine=module.elementwise_affine,
        bias=module.bias is not None,
    )
    return self.layer(self.name(node), sl.Permute, [normed], dims=(0, 3, 1, 2))


def _module_table(torch: Any) -> dict[type, Handler]:
    nn = torch.nn
    table: dict[type, Handler] = {}

    def add(module_type: Any, build: Build, tuple_result: str = "") -> None:
        table[module_type] = _module_handler(build, tuple_result)

    conv = ("in_channels", "out_channels", "kernel_size", "stride", "dilation", "groups", "padding_mode")
    for dims in (1, 2, 3):
        add(
            getattr(nn, f"Conv{dims}d"),
            _attributes(getattr(sl, f"Conv{dims}d"), *conv, padding=_conv_padding, bias=_has_bias),
        )
        add(
            getattr(nn, f"ConvTranspose{dims}d"),
            _attributes(getattr(sl, f"ConvTranspose{dims}d"), *conv, "padding", "output_padding", bias=_has_bias),
        )
        add(
            getattr(nn, f"MaxPool{dims}d"),
            _attributes(
                getattr(sl, f"MaxPool{dims}d"),
                "kernel_size",
                "stride",
                "padding",
                "dilation",
                "return_indices",
                "ceil_mode",
            ),
            "the indices",
        )
        add(
            getattr(nn, f"AvgPool{dims}d"),
            _attributes(
                getattr(sl, f"AvgPool{dims}d"),
                "kernel_size",
                "stride",
                "padding",
                "ceil_mode",
                "count_include_pad",
                "divisor_override",
            ),
        )
        add(getattr(nn, f"AdaptiveAvgPool{dims}d"), _attributes(getattr(sl, f"AdaptiveAvgPool{dims}d"), "output_size"))
        add(
            getattr(nn, f"AdaptiveMaxPool{dims}d"),
            _attributes(getattr(sl, f"AdaptiveMaxPool{dims}d"), "output_size", "return_indices"),
            "the indices",
        )
        add(
            getattr(nn, f"BatchNorm{dims}d"),
            _attributes(
                getattr(sl, f"BatchNorm{dims}d"),
                *("num_features", "eps", "momentum", "affine", "track_running_stats"),
                bias=_has_bias,  # BatchNorm(bias=False) keeps the scale alone
            ),
        )
        add(getattr(nn, f"Dropout{dims}d"), _attributes(getattr(sl, f"Dropout{dims}d"), "p"))
        add(getattr(nn, f"ZeroPad{dims}d"), _attributes(getattr(sl, f"ZeroPad{dims}d"), "padding"))
    add(nn.Linear, _attributes(sl.Linear, "in_features", "out_features", bias=_has_bias))
    add(nn.Flatten, _attributes(sl.Flatten, "start_dim", "end_dim"))
    add(nn.Unflatten, _attributes(sl.Unflatten, "dim", "unflattened_size"))
    add(nn.Embedding, _attributes(sl.Embedding, "num_embeddings", "embedding_dim", "padding_idx", "max_norm"))
    add(
        nn.LayerNorm,
        _attributes(
            sl.LayerNorm,
            "normalized_shape",
            "eps",
            "elementwise_affine",
            bias=_has_bias,
        ),
    )
    add(nn.GroupNorm, _attributes(sl.GroupNorm, "num_groups", "num_channels", "eps", "affine", bias=_has_bias))
    add(nn.Dropout, _attributes(sl.Dropout, "p"))
    add(nn.AlphaDropout, _attributes(sl.AlphaDropout, "p"))
    add(
        nn.Upsample, _attributes(sl.Upsample, "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor")
    )
    add(nn.PReLU, _attributes(sl.PReLU, "num_parameters"))
    add(nn.LeakyReLU, _attributes(sl.LeakyReLU, "negative_slope"))
    add(nn.ELU, _attributes(sl.ELU, "alpha"))
    add(nn.GELU, _attributes(sl.GELU, "approximate"))
    add(nn.Softplus, _attributes(sl.Softplus, "beta", "threshold"))
    add(nn.Softmax, _attributes(sl.Softmax, "dim"))
    add(nn.LogSoftmax, _attributes(sl.LogSoftmax, "dim"))
    for name in ("ReLU", "ReLU6", "SiLU", "Sigmoid", "Tanh", "Hardswish", "Hardsigmoid", "Mish", "Identity"):
        add(getattr(nn, name), _attributes(getattr(sl, name)))
    table[nn.RNN] = _rnn_handler(
        sl.RNN,
        "input_size",
        "hidden_size",
        "num_layers",
        "nonlinearity",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    )
    table[nn.LSTM] = _rnn_handler(
        sl.LSTM,
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
        "proj_size",
    )
    table[nn.GRU] = _rnn_handler(
        sl.GRU, "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"
    )
    table[nn.MultiheadAttention] = _ModuleHandler(_attention, _batch_first)
    try:
        from torchvision.models.convnext import LayerNorm2d
        from torchvision.ops import StochasticDepth
        from torchvision.ops.misc import Permute
    except ImportError:  # torchvision is optional
        return table
    table[LayerNorm2d] = _layernorm2d
    # Stochastic depth drops whole residual branches while training and is the identity in eval: a dropout.
    add(StochasticDepth, _attributes(sl.Dropout, "p"))
    add(Permute, _attributes(sl.Permute, dims=lambda module: tuple(module.dims)))
    return table
