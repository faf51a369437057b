"""Import a PyTorch module as a symcnn network: ``from_torch(model, (3, "H", "W"))``.

The module is traced with ``torch.fx`` and every node of the graph becomes a
symcnn layer with the same hyperparameters, named after the module it comes
from (``"layer1.0.conv1"``), so the derivation reads like the PyTorch model::

    import torchvision
    from symcnn.adapters.torch import from_torch

    net = from_torch(torchvision.models.resnet18(weights=None).eval(), (3, "H", "W"))
    net.derive().totals.trainable  # 11689512, as sum(p.numel() for p in model.parameters())

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
from collections.abc import Callable, Iterable, Iterator, Sequence
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


@dataclass(frozen=True, eq=False)
class _Unmapped:
    """A value symcnn does not follow (an LSTM's hidden state): an error only where it is used."""

    reason: str


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
    def __init__(self, torch: Any, root: Any, shapes: list[tuple[Any, ...]], modules: dict[type, Handler]) -> None:
        self.torch = torch
        self.root = root
        self.shapes = shapes
        self.conventions = Conventions()
        self.values: dict[Any, Any] = {}
        self.inputs: list[Input] = []
        self.outputs: list[Node] = []
        self.problems: list[str] = []
        self.names: set[str] = set()
        self.reserved: set[str] = set()
        self.parameter_uses: Counter[str] = Counter()
        self.covered: set[int] = set()  # ids of the parameters the mapped nodes account for
        self.modules = modules
        self.functions = _function_table(torch)

    # -- the walk -----------------------------------------------------------------------------
    def run(self, graph: Any) -> Graph:
        self.reserved = {node.target for node in graph.nodes if node.op in ("call_module", "get_attr")}
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
            # An input could not be mapped (and is reported): vet what does not depend on it.
            check = getattr(handler, "check", None)
            if check is not None:
                check(self.root.get_submodule(node.target))
            return UNKNOWN
        for item in _flat((args, kwargs)):
            if isinstance(item, _Unmapped):
                if node.target is operator.getitem:
                    return item  # (h, c) = state: still nothing used
                raise _Unsupported(item.reason)
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
            return (
                f"module {node.target!r} of type {_type_name(self.torch, type(self.root.get_submodule(node.target)))}"
            )
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
            self.claim([value], f"the parameter {node.target!r}")
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
            elif isinstance(item, _Unmapped):
                raise _Unsupported(f"returns a value symcnn does not follow: {item.reason}")
            elif isinstance(item, _Chunks | _Parameter):
                raise _Unsupported("the forward returns something other than tensors made by layers")

    # -- helpers for handlers -----------------------------------------------------------------------
    def claim(self, parameters: Iterable[Any], what: str) -> None:
        """Count ``parameters`` once: a second use would be counted again by symcnn."""
        parameters = list(parameters)
        if any(id(parameter) in self.covered for parameter in parameters):
            raise _Unsupported(
                f"{what} shares its weights with a layer mapped before (a repeated call or tied parameters); "
                "symcnn would count them twice"
            )
        self.covered.update(id(parameter) for parameter in parameters)

    def unique(self, base: str, *, owner: bool = False) -> str:
        """``base``, or ``base_1``, ``base_2``... if taken.

        A module's (or parameter's) qualified name is kept for its own row
        (``owner``): other rows do not take it even when they come first.
        """
        name, count = base, 0
        while name in self.names or (not owner and name in self.reserved):
            count += 1
            name = f"{base}_{count}"
            owner = False
        self.names.add(name)
        return name

    def name(self, node: Any, label: str | None = None) -> str:
        """The module's qualified name, or ``<enclosing module>.<label>`` for functions and methods."""
        if node.op == "call_module":
            return self.unique(node.target, owner=True)
        stack = node.meta.get("nn_module_stack") or {}
        scope = ""
        if stack:
            last = list(stack.items())[-1]
            scope = last[1][0] if isinstance(last[1], tuple) else str(last[0])
        op = label or str(node.target if isinstance(node.target, str) else getattr(node.target, "__name__", "op"))
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


class _ModuleHandler:
    """Maps a module call; ``check`` vets the module alone, for calls whose inputs could not be mapped."""

    def __init__(self, handle: Handler, check: Callable[[Any], None] | None = None) -> None:
        self.handle = handle
        self.check = check

    def __call__(self, importer: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self.check is not None:
            self.check(importer.root.get_submodule(node.target))
        return self.handle(importer, node, args, kwargs)


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


def _attributes(
    kind: type[Layer], *names: str, **computed: Callable[[Any], Any]
) -> Callable[[Any], tuple[type[Layer], dict[str, Any]]]:
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

    def add(
        module_type: Any, build: Callable[[Any], tuple[type[Layer], dict[str, Any]]], tuple_result: str = ""
    ) -> None:
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


# --- functions and tensor methods --------------------------------------------------------------


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

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        made = pool(self, node, args, kwargs)
        return _Several(made, "the indices") if _bind(args, kwargs, spec)["return_indices"] else made

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

    def handle(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        made = pool(self, node, args, kwargs)
        return _Several(made, "the indices") if _bind(args, kwargs, spec)["return_indices"] else made

    return handle


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


def _is_tensorish(value: Any) -> bool:
    return isinstance(value, _Value | _Several | _Chunks | _Parameter)


def _number(value: Any) -> Any:
    return sympy.Integer(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _size_arithmetic(function: Callable[..., Any], operands: Sequence[Any]) -> Any:
    """``c // groups`` and friends on sizes: exact SymPy arithmetic."""
    try:
        return function(*(_number(item) for item in operands))
    except TypeError as error:
        raise _Unsupported(f"cannot follow this arithmetic on {operands!r}: {error}") from None


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


def _flatten(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("start_dim", 0), ("end_dim", -1)])
    x = self.tensor(bound["input"])
    start, end = _int(bound["start_dim"], "start_dim"), _int(bound["end_dim"], "end_dim")
    return self.layer(self.name(node, "flatten"), sl.Flatten, [x], start_dim=start, end_dim=end)


def _shape_arguments(sizes: Sequence[Any]) -> list[Any]:
    """``view(a, b)`` and ``view((a, b))`` alike."""
    if len(sizes) == 1 and isinstance(sizes[0], list | tuple):
        return list(sizes[0])
    return list(sizes)


def _reshape(self: _Importer, node: Any, x: _Value, sizes: Sequence[Any]) -> Any:
    """``view``/``reshape``: a Flatten or Unflatten of the sample, or an error."""
    entries = [sympy.sympify(_number(item)) for item in _shape_arguments(sizes)]
    numel = x.tensor.numel
    if not entries:
        raise _Unsupported("reshaping to a scalar drops the batch dimension")
    head, rest = entries[0], entries[1:]
    if any(item.has(BATCH) for item in rest) or (head != BATCH and head.has(BATCH)):
        raise _Unsupported("the new shape moves or merges the batch dimension")
    minus = [index for index, item in enumerate(rest) if item == -1]
    if head != BATCH and (head != -1 or minus or not _same(product(rest), numel)):
        raise _Unsupported(
            f"the new shape {tuple(entries)} does not provably keep the batch in dimension 0 "
            f"(the sample has shape {format_shape(x.tensor.shape)}); write view(x.size(0), ...)"
        )
    if len(minus) > 1:
        raise _Unsupported("only one size may be -1")
    if minus:
        known = product(item for item in rest if item != -1)
        inferred = sympy.cancel(numel / known)
        if sympy.fraction(inferred)[1] != 1:
            raise _Unsupported(f"cannot infer the -1 in {tuple(entries)}: {known} does not provably divide {numel}")
        rest[minus[0]] = inferred
    return _relayout(self, node, x, tuple(rest))


def _relayout(self: _Importer, node: Any, x: _Value, target: tuple[sympy.Expr, ...]) -> Any:
    source = x.tensor.shape
    if len(source) == len(target) and all(_same(a, b) for a, b in zip(source, target, strict=True)):
        return x
    shortest = min(len(source), len(target))
    for prefix in range(shortest, -1, -1):
        if not all(_same(source[index], target[index]) for index in range(prefix)):
            continue
        for suffix in range(shortest - prefix, -1, -1):
            if not all(_same(source[-1 - index], target[-1 - index]) for index in range(suffix)):
                continue
            before, after = source[prefix : len(source) - suffix], target[prefix : len(target) - suffix]
            if len(after) == 1 and len(before) >= 2 and _same(product(before), after[0]):
                return self.layer(
                    self.name(node, "flatten"), sl.Flatten, [x], start_dim=prefix + 1, end_dim=prefix + len(before)
                )
            if len(before) == 1 and len(after) >= 2 and _same(product(after), before[0]):
                return self.layer(
                    self.name(node, "unflatten"), sl.Unflatten, [x], dim=prefix + 1, unflattened_size=after
                )
    raise _Unsupported(
        f"reshapes {format_shape(source)} into {format_shape(target)}, which is neither a flatten nor an unflatten"
    )


def _torch_reshape(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("shape", REQUIRED)])
    return _reshape(self, node, self.tensor(bound["input"]), [bound["shape"]])


def _view_method(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) < 2:
        raise _Unsupported("expects the new shape as positional arguments")
    return _reshape(self, node, self.tensor(args[0]), args[1:])


def _permute_layer(self: _Importer, node: Any, x: _Value, dims: Sequence[int]) -> Any:
    rank = x.tensor.rank + 1
    order = tuple(dim + rank if dim < 0 else dim for dim in dims)
    if order and order[0] != 0:
        raise _Unsupported(f"the permutation {tuple(dims)} moves the batch dimension (0)")
    if order == tuple(range(rank)):
        return x
    return self.layer(self.name(node, "permute"), sl.Permute, [x], dims=order)


def _transpose(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dim0", REQUIRED), ("dim1", REQUIRED)])
    x = self.tensor(bound["input"])
    rank = x.tensor.rank + 1
    first, second = (_int(bound[name], name) for name in ("dim0", "dim1"))
    if not (-rank <= first < rank and -rank <= second < rank):
        raise _Unsupported(f"dims ({first}, {second}) do not fit a tensor of {rank} dimensions")
    first, second = first % rank, second % rank
    order = list(range(rank))
    order[first], order[second] = order[second], order[first]
    return _permute_layer(self, node, x, order)


def _torch_permute(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dims", REQUIRED)])
    return _permute_layer(self, node, self.tensor(bound["input"]), _ints(bound["dims"], "dims"))


def _permute_method(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        bound = _bind(args, kwargs, [("input", REQUIRED), ("dims", REQUIRED)])
        args = [bound["input"], bound["dims"]]
    return _permute_layer(self, node, self.tensor(args[0]), _ints(_shape_arguments(args[1:]), "dims"))


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


def _sizes(x: _Value) -> tuple[sympy.Expr, ...]:
    return (BATCH, *x.tensor.shape)


def _size(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dim", None)])
    sizes = _sizes(self.tensor(bound["input"]))
    if bound["dim"] is None:
        return sizes
    dim = _int(bound["dim"], "dim")
    if not -len(sizes) <= dim < len(sizes):
        raise _Unsupported(f"dim={dim} does not fit a tensor of {len(sizes)} dimensions")
    return sizes[dim]


def _dim(self: _Importer, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return len(_sizes(self.tensor(args[0])))


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


# --- the entry point ---------------------------------------------------------------------------


def _input_shapes(input_shape: Sequence[Any]) -> list[tuple[Any, ...]]:
    """One shape ``(3, "H", "W")`` or several ``[(3, "H", "W"), (10,)]``."""
    if input_shape and all(isinstance(item, list | tuple) for item in input_shape):
        return [tuple(item) for item in input_shape]
    return [tuple(input_shape)]


def from_torch(module: Any, input_shape: Sequence[Any] = (3, "H", "W")) -> Graph:
    """Trace ``module`` with ``torch.fx`` and build the same network in symcnn.

    ``input_shape`` is the input without the batch; sizes may be symbols or
    formulas (``(3, "H", "W")``).  A forward with several tensor inputs takes a
    list of shapes.  The trace follows the module's current mode: call
    ``.eval()`` first for the inference graph.

    Raises :class:`~symcnn.errors.UnsupportedError` listing every node that has
    no symcnn equivalent, and :class:`~symcnn.errors.ShapeError` when the
    input shape is impossible for the model.
    """
    import torch
    import torch.fx

    modules = _module_table(torch)

    class Tracer(torch.fx.Tracer):  # type: ignore[misc, name-defined]
        """Stops at every module symcnn maps to a layer; traces through the rest."""

        def is_leaf_module(self, m: Any, module_qualified_name: str) -> bool:
            return _lookup(modules, m) is not None or bool(super().is_leaf_module(m, module_qualified_name))

    if not isinstance(module, torch.nn.Module):
        raise UnsupportedError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
    try:
        graph = Tracer().trace(module)
    except Exception as error:  # torch.fx raises many kinds (TraceError, TypeError, ...)
        raise UnsupportedError(f"torch.fx cannot trace {type(module).__name__}: {error}") from error
    return _Importer(torch, module, _input_shapes(input_shape), modules).run(graph)
