"""PyTorch modules as symcnn layers: the table from ``nn.Module`` types to handlers.

The table is derived, not written: every registered symcnn layer whose class
name is also a class of ``torch.nn`` (``Conv2d``, ``ReflectionPad2d``...) maps
to it, its arguments read from the module's attributes of the same names (the
layer dataclass's fields, which use PyTorch's names).  A parameter attribute
such as ``bias`` becomes ``True`` or ``False``.  Recurrent layers, attention,
max unpooling and torchvision's ``LayerNorm2d`` have handlers of their own.
A module type in the table is a leaf of the trace (see :mod:`.tracing`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from ... import layers as sl
from ...exact.steps import format_shape
from ...layers.attention import AttentionWeights
from ...layers.base import Layer
from ...layers.recurrent import FinalState
from ...layers.registry import LAYERS
from .arguments import REQUIRED, _bind, _plain
from .values import Handler, Importing, _Indices, _Several, _State, _Unmapped, _Unsupported


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

    def __call__(self, importer: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        try:
            return self.handle(importer, node, args, kwargs)
        except Exception:
            # The call failed (often on an unmapped input): report the module's own problem first, if any.
            if self.check is not None:
                self.check(importer.submodule(node.target))
            raise


#: Reads a module: the symcnn layer type it maps to and that layer's arguments.
Build = Callable[[Any], tuple[type[Layer], dict[str, Any]]]


def _constructible(build: Build) -> Callable[[Any], None]:
    """Make the layer once, so that arguments symcnn refuses are reported."""

    def check(module: Any) -> None:
        kind, arguments = build(module)
        kind(**arguments)

    return check


_MISSING = object()


def _fields(kind: type[Layer]) -> Build:
    """Read the layer's arguments from the module attributes of the same names."""
    names = [field.name for field in dataclasses.fields(kind) if field.name != "name"]

    def build(module: Any) -> tuple[type[Layer], dict[str, Any]]:
        arguments = {}
        own = module.__dict__  # most settings are plain attributes: no trip through Module.__getattr__
        for name in names:
            value = own[name] if name in own else getattr(module, name, _MISSING)
            if value is _MISSING:
                continue
            if name == "bias" and not isinstance(value, bool):
                value = value is not None  # the bias parameter, or None: whether there is one
            arguments[name] = _plain(value)
        return kind, arguments

    return build


def _module_handler(build: Build, tuple_result: str = "") -> Handler:
    """A module applied to its tensors (as many as the layer takes), mapped to one layer built from its attributes."""

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module = self.submodule(node.target)
        kind, arguments = build(module)
        count = kind.arity or len(args)  # the layer declares how many tensors it takes (0: any number)
        if len(args) != count or kwargs:
            wanted = "a single tensor argument" if count == 1 else f"{count} tensor arguments"
            raise _Unsupported(f"only a call with {wanted} is supported")
        made = self.module_layer(node, module, kind, [self.tensor(arg) for arg in args], arguments)
        if tuple_result and getattr(module, "return_indices", False):
            return _Several(made, tuple_result, indices=True)
        return made

    return _ModuleHandler(handle, _constructible(build))


def _rnn(kind: type[Layer]) -> Handler:
    """RNN, LSTM, GRU: ``output, h = rnn(x)``; the hidden state is not followed.

    With ``batch_first=False`` PyTorch reads dimension 0 as the sequence; symcnn
    still takes dimension 0 for the batch.  Shapes, parameters and total MACs are
    the same either way (a recurrence costs the same per step, in any order).
    """
    build = _fields(kind)

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module = self.submodule(node.target)
        bound = _bind(args, kwargs, [("input", REQUIRED), ("hx", None)])
        x = self.tensor(bound["input"])
        layer_kind, arguments = build(module)
        made = self.module_layer(node, module, layer_kind, [x], arguments)
        return _Several(made, "the final hidden state", rest=functools.cache(lambda: _final_states(self, node, made)))

    return _ModuleHandler(handle, _constructible(build))


def _final_states(self: Importing, node: Any, output: Any) -> Any:
    """Item 1 of ``rnn(x)``: ``h``, or ``(h, c)`` for an LSTM, as rows of their own (made when used)."""
    module = self.submodule(node.target)
    if not module.batch_first:
        return _Unmapped(
            f"uses the final state of {node.target!r}, whose batch_first=False makes symcnn read PyTorch's sequence "
            "dimension as the batch; the state (layers, batch, size) has no such dimension"
        )
    layers = module.num_layers * (2 if module.bidirectional else 1)
    hidden = getattr(module, "proj_size", 0) or module.hidden_size
    h = _State(self.layer(self.unique(f"{node.target}.h_n"), FinalState, [output], layers=layers, size=hidden), "h")
    if not isinstance(module, self.torch.nn.LSTM):
        return h
    c = self.layer(self.unique(f"{node.target}.c_n"), FinalState, [output], layers=layers, size=module.hidden_size)
    return (h, _State(c, "c"))


def _attention(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.submodule(node.target)
    _batch_first(module)
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
    made = self.module_layer(node, module, sl.MultiheadAttention, inputs, arguments)
    if not bound["need_weights"]:
        return _Several(made, "the attention weights", rest=lambda: None)  # PyTorch returns None for them
    weights = functools.cache(
        lambda: self.layer(
            self.unique(f"{node.target}.weights"),
            AttentionWeights,
            [query, key],
            heads=None if bound["average_attn_weights"] else module.num_heads,
            extra=int(module.bias_k is not None) + int(module.add_zero_attn),
        )
    )
    return _Several(made, "the attention weights", rest=weights)


def _batch_first(module: Any) -> None:
    if not module.batch_first:
        raise _Unsupported(
            "batch_first=False puts the batch in dimension 1; symcnn's shapes leave out dimension 0 "
            "(construct the module with batch_first=True)"
        )


def _max_unpool(kind: type[Layer]) -> Handler:
    """``unpool(x, indices, output_size=None)``: the indices must be a max pooling's, of ``x``'s shape."""
    build = _fields(kind)

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module = self.submodule(node.target)
        bound = _bind(args, kwargs, [("input", REQUIRED), ("indices", REQUIRED), ("output_size", None)])
        x = self.tensor(bound["input"])
        if not isinstance(bound["indices"], _Indices):
            raise _Unsupported("the indices must come from a max pooling with return_indices=True")
        if bound["output_size"] is not None:
            raise _Unsupported("output_size= is not supported; symcnn computes the default output size")
        if bound["indices"].pooled.tensor.shape != x.tensor.shape:
            raise _Unsupported("the indices must have the shape of the input")
        layer_kind, arguments = build(module)
        return self.module_layer(node, module, layer_kind, [x], arguments)

    return _ModuleHandler(handle, _constructible(build))


def _layernorm2d(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """torchvision's LayerNorm2d, as its forward: ``permute(0, 2, 3, 1)``, LayerNorm, ``permute(0, 3, 1, 2)``.

    The rows are ``<name>.permute``, ``<name>.layer_norm`` (the parameters) and
    ``<name>``: as for every module, the row named after it holds its output.
    """
    module = self.submodule(node.target)
    if len(args) != 1 or kwargs:
        raise _Unsupported("only a call with a single tensor argument is supported")
    x = self.tensor(args[0])
    if x.tensor.rank != 3:
        raise _Unsupported(f"expects a (C, H, W) input, got {format_shape(x.tensor.shape)}")
    last = self.layer(self.unique(f"{node.target}.permute"), sl.Permute, [x], dims=(0, 2, 3, 1))
    _, arguments = _fields(sl.LayerNorm)(module)
    normed = self.weighted_layer(
        self.unique(f"{node.target}.layer_norm"),
        sl.LayerNorm,
        [last],
        arguments,
        [*module.parameters(), *module.buffers()],
        "the module",
    )
    return self.layer(self.name(node), sl.Permute, [normed], dims=(0, 3, 1, 2))


#: Layer kinds whose torch module is read by a handler of its own (keyed by the symcnn class).
_SPECIAL: dict[type[Layer], Callable[[type[Layer]], Handler]] = {
    sl.RNN: _rnn,
    sl.LSTM: _rnn,
    sl.GRU: _rnn,
    sl.MultiheadAttention: lambda kind: _ModuleHandler(_attention, _batch_first),
    sl.MaxUnpool1d: _max_unpool,
    sl.MaxUnpool2d: _max_unpool,
    sl.MaxUnpool3d: _max_unpool,
}


def _module_table(torch: Any) -> dict[type, Handler]:
    """Every registered layer whose class ``torch.nn`` also has, and torchvision's few extra modules."""
    nn = torch.nn
    table: dict[type, Handler] = {}
    for kind in LAYERS.values():
        module_type = getattr(nn, kind.__name__, None)
        if not isinstance(module_type, type) or not issubclass(module_type, nn.Module):
            continue
        if kind in _SPECIAL:
            table[module_type] = _SPECIAL[kind](kind)
        else:
            # A layer with a return_indices argument returns (output, indices) when it is set.
            indices = any(field.name == "return_indices" for field in dataclasses.fields(kind))
            table[module_type] = _module_handler(_fields(kind), "the indices" if indices else "")
    try:
        from torchvision.models.convnext import LayerNorm2d
        from torchvision.ops import StochasticDepth
        from torchvision.ops.misc import Permute
    except ImportError:  # torchvision is optional
        return table
    table[LayerNorm2d] = _layernorm2d
    # Stochastic depth drops whole residual branches while training and is the identity in eval: a dropout.
    table[StochasticDepth] = _module_handler(lambda module: (sl.Dropout, {"p": module.p}))
    table[Permute] = _module_handler(lambda module: (sl.Permute, {"dims": tuple(module.dims)}))
    return table
