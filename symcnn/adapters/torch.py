"""Import a PyTorch module as a symcnn network: ``from_torch(model, (3, "H", "W"))``.

The module is traced with ``torch.fx`` and every node of the graph becomes a
symcnn layer with the same hyperparameters, named after the module it comes
from (``"layer1.0.conv1"``), so the derivation reads like the PyTorch model::

    >>> import torchvision                                  # doctest: +SKIP
    >>> from symcnn.adapters.torch import from_torch        # doctest: +SKIP
    >>> net = from_torch(torchvision.models.resnet18(weights=None).eval(), (3, "H", "W"))  # doctest: +SKIP
    >>> net.derive().totals.trainable                       # doctest: +SKIP
    11689512

Modules whose type symcnn knows (``nn.Conv2d``, ``nn.BatchNorm2d``, ...) are
leaves of the trace; every other module (torchvision's ``BasicBlock``, a
``Sequential``) is traced through.  Functions and tensor methods that shape the
graph map to layers too: ``+`` to ``Add``, ``*`` to ``Multiply``, ``torch.cat``
to ``Concat``, ``x.mean((2, 3))`` to ``Mean``, ``view``/``reshape`` to
``Flatten``/``Unflatten``, ``transpose``/``permute`` to ``Permute``,
``x.chunk(n)[i]`` to ``Chunk``, ``parameter * x`` to ``Scale``.  Size
arithmetic (``x.size()``, ``c // groups``) is followed symbolically.

Shapes are symcnn's: without the batch, which PyTorch puts in dimension 0 and
which the model must keep there.  Whatever cannot be mapped raises one
:class:`~symcnn.errors.UnsupportedError` listing every such node.

Importing this module does not import ``torch``; :func:`from_torch` does.
"""

from __future__ import annotations

import builtins
import operator
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from .. import layers as sl
from ..conventions import Conventions
from ..errors import ShapeError, SymcnnError, UnsupportedError
from ..layers.base import Layer, Tensor, format_shape, product
from ..network import Graph, Input, Node

__all__ = ["from_torch"]

#: The batch size, as it appears in ``x.size()``; it must stay in dimension 0.
BATCH = sympy.Dummy("batch", integer=True, positive=True)


# --- what a node of the traced graph stands for ------------------------------------------


@dataclass(frozen=True, eq=False)
class _Value:
    """A tensor: the symcnn node that makes it and its shape (without batch)."""

    node: Node
    tensor: Tensor


@dataclass(frozen=True, eq=False)
class _Parameter:
    """An ``nn.Parameter`` read directly by the forward (``self.layer_scale``)."""

    name: str
    shape: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class _Several:
    """A module's tuple result of which only the first item, a tensor, is mapped."""

    first: _Value
    others: str


@dataclass(frozen=True, eq=False)
class _Chunks:
    """The result of ``x.chunk(chunks, dim)``, before an item is taken."""

    source: _Value
    chunks: int
    dim: int


class _Unknown:
    """The value of a node that could not be mapped (already reported)."""


UNKNOWN = _Unknown()


class _Unsupported(Exception):
    """Raised inside a handler: this node cannot be mapped, for this reason."""


Handler = Callable[["_Importer", Any, list[Any], dict[str, Any]], Any]
REQUIRED = object()


def _bind(args: Sequence[Any], kwargs: dict[str, Any], spec: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Arguments by name, as Python would bind them to a signature ``spec``."""
    names = [name for name, _ in spec]
    if len(args) > len(spec):
        raise _Unsupported(f"takes at most {len(spec)} arguments ({', '.join(names)}), got {len(args)}")
    bound = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise _Unsupported(f"the argument {key}= is not supported")
        bound[key] = value
    for name, default in spec:
        if name not in bound:
            if default is REQUIRED:
                raise _Unsupported(f"the argument {name} is required")
            bound[name] = default
    return bound


def _flat(value: Any) -> Iterator[Any]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _flat(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flat(item)
    else:
        yield value


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Provably equal (exactly; floors are compared as written)."""
    return bool(sympy.expand(sympy.sympify(a) - sympy.sympify(b)) == 0)


def _int(value: Any, what: str) -> int:
    """A plain integer argument (a dimension, a chunk count)."""
    if isinstance(value, sympy.Integer):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Unsupported(f"{what} must be a known integer, got {value!r}")


def _ints(value: Any, what: str) -> tuple[int, ...]:
    items = value if isinstance(value, list | tuple) else (value,)
    return tuple(_int(item, what) for item in items)


# --- the importer ------------------------------------------------------------------------------


class _Importer:
    def __init__(self, torch: Any, root: Any, shapes: list[tuple[Any, ...]]) -> None:
        self.torch = torch
        self.root = root
        self.shapes = shapes
        self.conventions = Conventions()
        self.values: dict[Any, Any] = {}
        self.inputs: list[Input] = []
        self.outputs: list[Node] = []
        self.problems: list[str] = []
        self.names: set[str] = set()
        self.module_calls: Counter[str] = Counter()
        self.parameter_uses: Counter[str] = Counter()
        self.covered: set[int] = set()  # ids of the parameters the mapped nodes account for
        self.modules = _module_table(torch)
        self.functions = _function_table(torch)

    # -- the walk -----------------------------------------------------------------------------
    def run(self, graph: Any) -> Graph:
        for node in graph.nodes:
            try:
                self.values[node] = self.visit(node)
            except _Unsupported as problem:
                self.problems.append(f"node {node.name!r} ({self.describe(node)}): {problem}")
                self.values[node] = UNKNOWN
            except SymcnnError as error:
                if isinstance(error, ShapeError):
                    raise error.located(f"node {node.name!r} ({self.describe(node)})") from None
                self.problems.append(f"node {node.name!r} ({self.describe(node)}): {error}")
                self.values[node] = UNKNOWN
        if self.problems:
            count = len(self.problems)
            what = "operation has" if count == 1 else "operations have"
            raise UnsupportedError(
                f"cannot import {type(self.root).__name__}: {count} {what} no symcnn equivalent:\n  - "
                + "\n  - ".join(self.problems)
            )
        unused = [name for name, parameter in self.root.named_parameters() if id(parameter) not in self.covered]
        if unused:
            shown = ", ".join(unused[:5]) + (", ..." if len(unused) > 5 else "")
            warnings.warn(
                f"{len(unused)} parameters of {type(self.root).__name__} are not used by the traced forward "
                f"and are not counted: {shown}",
                stacklevel=3,
            )
        if not self.outputs:
            raise UnsupportedError(f"cannot import {type(self.root).__name__}: its forward returns no tensor")
        return Graph(self.inputs, self.outputs, name=type(self.root).__name__)

    def visit(self, node: Any) -> Any:
        if node.op == "placeholder":
            return self.placeholder(node)
        if node.op == "get_attr":
            return self.get_attr(node)
        args = list(self.resolve(node.args))
        kwargs = dict(self.resolve(node.kwargs))
        if node.op == "output":
            return self.output(args)
        handler = self.handler(node)
        if any(item is UNKNOWN for item in _flat((args, kwargs))):
            return UNKNOWN  # an input could not be mapped; that node is reported already
        return handler(self, node, args, kwargs)

    def resolve(self, structure: Any) -> Any:
        return self.torch.fx.node.map_arg(structure, lambda item: self.values[item])

    def handler(self, node: Any) -> Handler:
        if node.op == "call_module":
            module = self.root.get_submodule(node.target)
            found = _lookup(self.modules, module)
            if found is None:
                raise _Unsupported("symcnn has no layer for this module type")
            return found
        if node.op == "call_function":
            found = self.functions.get(node.target)
            if found is None:
                raise _Unsupported("symcnn has no layer for this function")
            return found
        if node.op == "call_method":
            found = METHODS.get(node.target)
            if found is None:
                raise _Unsupported("symcnn has no layer for this tensor method")
            return found
        raise _Unsupported(f"unknown graph operation {node.op!r}")

    def describe(self, node: Any) -> str:
        if node.op == "call_module":
            return f"module {node.target!r} of type {_type_name(self.torch, type(self.root.get_submodule(node.target)))}"
        if node.op == "call_function":
            return _function_name(self.torch, node.target)
        if node.op == "call_method":
            return f"Tensor.{node.target}()"
        if node.op == "get_attr":
            return f"attribute {node.target!r}"
        return node.op

    # -- sources and results -------------------------------------------------------------------
    def placeholder(self, node: Any) -> Any:
        position = len(self.inputs)
        if position >= len(self.shapes):
            if node.args:  # an argument with a default value, e.g. need_weights=False
                return node.args[0]
            raise _Unsupported(f"the forward takes more inputs than the {len(self.shapes)} shapes given")
        made = Input(*self.shapes[position], name=self.unique(node.name))
        self.inputs.append(made)
        assert made.shape is not None
        return _Value(made.node, Tensor.of(made.shape))

    def get_attr(self, node: Any) -> Any:
        value: Any = self.root
        for part in node.target.split("."):
            value = getattr(value, part)
        if isinstance(value, self.torch.nn.Parameter):
            self.covered.add(id(value))
            return _Parameter(node.target, tuple(int(size) for size in value.shape))
        if isinstance(value, self.torch.Tensor):
            raise _Unsupported("the forward reads this tensor directly; symcnn maps only parameters used as `p * x`")
        return value

    def output(self, args: list[Any]) -> None:
        for item in _flat(args):
            if isinstance(item, _Several):
                item = item.first
            if isinstance(item, _Value):
                self.outputs.append(item.node)
            elif isinstance(item, _Chunks | _Parameter):
                raise _Unsupported("the forward returns something other than tensors made by layers")

    # -- helpers for handlers -----------------------------------------------------------------------
    def unique(self, base: str) -> str:
        name, count = base, 0
        while name in self.names:
            count += 1
            name = f"{base}_{count}"
        self.names.add(name)
        return name

    def name(self, node: Any, label: str | None = None) -> str:
        """The module's qualified name, or ``<enclosing module>.<label>`` for functions and methods."""
        if node.op == "call_module":
            return self.unique(node.target)
        stack = node.meta.get("nn_module_stack") or {}
        scope = ""
        if stack:
            last = list(stack.items())[-1]
            scope = last[1][0] if isinstance(last[1], tuple) else str(last[0])
        op = label or (node.target if isinstance(node.target, str) else getattr(node.target, "__name__", "op"))
        return self.unique(f"{scope}.{op}" if scope else op)

    def tensor(self, value: Any, what: str = "input") -> _Value:
        if isinstance(value, _Value):
            return value
        if isinstance(value, _Several):
            raise _Unsupported(f"the {what} is a tuple (tensor, {value.others}); take its item [0] first")
        if isinstance(value, _Parameter):
            raise _Unsupported(f"uses the parameter {value.name!r} directly; symcnn maps only `parameter * x` (Scale)")
        if isinstance(value, _Chunks):
            raise _Unsupported(f"the {what} is a list of chunks, not a tensor")
        raise _Unsupported(f"the {what} must be a tensor, got {value!r}")

    def layer(self, name: str, kind: type[Layer], inputs: Sequence[_Value], **arguments: Any) -> _Value:
        made = kind(**arguments, name=name)
        outcome = made.apply([item.tensor for item in inputs], self.conventions)
        return _Value(made(*(item.node for item in inputs)), outcome.output)


# --- modules ---------------------------------------------------------------------------------------


def _lookup(table: dict[type, Handler], module: Any) -> Handler | None:
    """The handler for ``module``'s type, or for a base type whose ``forward`` it keeps."""
    kind = type(module)
    if kind in table:
        return table[kind]
    for base in kind.__mro__[1:]:
        if base in table and getattr(kind, "forward", None) is getattr(base, "forward", None):
            return table[base]
    return None


def _type_name(torch: Any, kind: type) -> str:
    if getattr(torch.nn, kind.__name__, None) is kind:
        return f"torch.nn.{kind.__name__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _function_name(torch: Any, target: Any) -> str:
    name = getattr(target, "__name__", repr(target))
    for prefix, namespace in (("torch", torch), ("torch.nn.functional", torch.nn.functional), ("operator", operator)):
        if getattr(namespace, name, None) is target:
            return f"{prefix}.{name}"
    return f"{getattr(target, '__module__', None) or '?'}.{name}"


def _module_handler(build: Callable[[Any], tuple[type[Layer], dict[str, Any]]], tuple_result: str = "") -> Handler:
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

    return handle


def _call_module(
    self: _Importer, node: Any, module: Any, kind: type[Layer], inputs: list[_Value], arguments: dict[str, Any]
) -> _Value:
    has_parameters = any(parameter.numel() > 0 for parameter in module.parameters())
    self.module_calls[node.target] += 1
    if has_parameters and self.module_calls[node.target] > 1:
        raise _Unsupported("the module is called more than once: its weights are shared, and symcnn would count them again")
    made = self.layer(self.name(node), kind, inputs, **arguments)
    self.covered.update(id(parameter) for parameter in module.parameters())
    return made


def _attributes(kind: type[Layer], *names: str, **computed: Callable[[Any], Any]) -> Callable[[Any], tuple[type[Layer], dict[str, Any]]]:
    """Copy the module attributes ``names`` (when present) and the ``computed`` ones."""

    def build(module: Any) -> tuple[type[Layer], dict[str, Any]]:
        arguments = {name: _plain(getattr(module, name)) for name in names if hasattr(module, name)}
        arguments.update({name: function(module) for name, function in computed.items()})
        return kind, arguments

    return build


def _plain(value: Any) -> Any:
    """PyTorch attribute values as symcnn arguments (tuples stay tuples, lists become tuples)."""
    if isinstance(value, list):
        return tuple(value)
    return value


def _has_bias(module: Any) -> bool:
    return getattr(module, "bias", None) is not None


def _conv_padding(module: Any) -> Any:
    return module.padding if isinstance(module.padding, str) else tuple(module.padding)


def _rnn_handler(kind: type[Layer], *names: str) -> Handler:
    build = _attributes(kind, *names)

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        module = self.root.get_submodule(node.target)
        if not module.batch_first:
            raise _Unsupported(
                "batch_first=False puts the batch in dimension 1; symcnn's shapes leave out dimension 0 "
                "(construct the module with batch_first=True)"
            )
        bound = _bind(args, kwargs, [("input", REQUIRED), ("hx", None)])
        x = self.tensor(bound["input"])
        layer_kind, arguments = build(module)
        made = _call_module(self, node, module, layer_kind, [x], arguments)
        return _Several(made, "the final hidden state")

    return handle


def _attention(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.root.get_submodule(node.target)
    if not module.batch_first:
        raise _Unsupported(
            "batch_first=False puts the batch in dimension 1; symcnn's shapes leave out dimension 0 "
            "(construct the module with batch_first=True)"
        )
    bound = _bind(
        args,
        kwargs,
        [
            ("query", REQUIRED), ("key", REQUIRED), ("value", REQUIRED), ("key_padding_mask", None),
            ("need_weights", True), ("attn_mask", None), ("average_attn_weights", True), ("is_causal", False),
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
    """torchvision's LayerNorm2d: ``permute(0, 2, 3, 1)``, LayerNorm over channels, ``permute(0, 3, 1, 2)``."""
    module = self.root.get_submodule(node.target)
    if len(args) != 1 or kwargs:
        raise _Unsupported("only a call with a single tensor argument is supported")
    x = self.tensor(args[0])
    if x.tensor.rank != 3:
        raise _Unsupported(f"expects a (C, H, W) input, got {format_shape(x.tensor.shape)}")
    last = self.layer(self.unique(f"{node.target}.permute"), sl.Permute, [x], dims=(0, 2, 3, 1))
    normed = _call_module(
        self, node, module, sl.LayerNorm, [last],
        {
            "normalized_shape": tuple(module.normalized_shape),
            "eps": module.eps,
            "elementwise_affine": module.elementwise_affine,
            "bias": module.bias is not None,
        },
    )
    return self.layer(self.unique(f"{node.target}.permute"), sl.Permute, [normed], dims=(0, 3, 1, 2))


def _module_table(torch: Any) -> dict[type, Handler]:
    nn = torch.nn
    table: dict[type, Handler] = {}

    def add(module_type: Any, build: Callable[[Any], tuple[type[Layer], dict[str, Any]]], tuple_result: str = "") -> None:
        table[module_type] = _module_handler(build, tuple_result)

    conv = ("in_channels", "out_channels", "kernel_size", "stride", "dilation", "groups", "padding_mode")
    for dims in (1, 2, 3):
        add(getattr(nn, f"Conv{dims}d"), _attributes(getattr(sl, f"Conv{dims}d"), *conv, padding=_conv_padding, bias=_has_bias))
        add(
            getattr(nn, f"ConvTranspose{dims}d"),
            _attributes(getattr(sl, f"ConvTranspose{dims}d"), *conv, "padding", "output_padding", bias=_has_bias),
        )
        add(
            getattr(nn, f"MaxPool{dims}d"),
            _attributes(getattr(sl, f"MaxPool{dims}d"), "kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
            "the indices",
        )
        add(
            getattr(nn, f"AvgPool{dims}d"),
            _attributes(
                getattr(sl, f"AvgPool{dims}d"), "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
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
            _attributes(getattr(sl, f"BatchNorm{dims}d"), "num_features", "eps", "momentum", "affine", "track_running_stats"),
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
            sl.LayerNorm, "normalized_shape", "eps", "elementwise_affine", bias=_has_bias,
        ),
    )
    add(nn.GroupNorm, _attributes(sl.GroupNorm, "num_groups", "num_channels", "eps", "affine"))
    add(nn.Dropout, _attributes(sl.Dropout, "p"))
    add(nn.AlphaDropout, _attributes(sl.AlphaDropout, "p"))
    add(nn.Upsample, _attributes(sl.Upsample, "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"))
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
        sl.RNN, "input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first", "dropout", "bidirectional"
    )
    table[nn.LSTM] = _rnn_handler(
        sl.LSTM, "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size"
    )
    table[nn.GRU] = _rnn_handler(
        sl.GRU, "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional"
    )
    table[nn.MultiheadAttention] = _attention
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
