"""Tensor operations for transformers: indexing, learned tensors, constants, size conditions.

The handlers here extend the tables of :mod:`.functions` (:func:`more_functions`,
:data:`MORE_METHODS`); where an operation also has a plain meaning there (``+``
of two tensors, ``torch.cat`` of tensors, ``getitem`` of a tuple) they hand
the call back to it.

* ``x[:, 0]``, ``x[..., 1::2]``: :class:`~symcnn.layers.Select` and :class:`~symcnn.layers.Slice`;
* ``p.expand(n, -1, -1)`` then ``torch.cat([p, x], 1)``: :class:`~symcnn.layers.LearnedConcat`;
* ``x + p`` with a parameter ``p``: :class:`~symcnn.layers.Shift`;
* ``x * 0.5``, ``x + 1``, ``1 - x``: :class:`~symcnn.layers.ConstantOp`;
* ``torch._assert(h == 224, ...)`` on sizes: :class:`~symcnn.layers.Require`, a condition of the derivation;
* ``torch.roll``, ``torch.stack``, ``F.pixel_shuffle``: their layers.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy

from ... import layers as sl
from ...errors import ShapeError
from .arguments import REQUIRED, _bind, _int, _ints
from .functions import _arithmetic, _cat, _getitem, _parameter_layer
from .shapes import BATCH
from .values import Handler, Importing, _is_tensorish, _Parameter, _Unsupported, _Value


@dataclass(frozen=True, eq=False)
class _Batched:
    """A parameter expanded over the batch (``class_token.expand(n, -1, -1)``): a learned tensor per sample."""

    parameter: _Parameter
    shape: tuple[int, ...]


# --- indexing -------------------------------------------------------------------------------------


def _index(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    container, index = args
    if not isinstance(container, _Value):
        return _getitem(self, node, args, kwargs)
    items = list(index) if isinstance(index, tuple) else [index]
    if items.count(Ellipsis) > 1:
        raise _Unsupported("an index may hold one Ellipsis (...)")
    rank = container.tensor.rank + 1  # with the batch
    if Ellipsis in items:
        at = items.index(Ellipsis)
        used = sum(1 for item in items if item is not None and item is not Ellipsis)
        items[at : at + 1] = [slice(None)] * (rank - used)
    if len(items) > rank:
        raise _Unsupported(f"{len(items)} indices for a tensor of {rank} dimensions")
    if not items or items[0] != slice(None):
        raise _Unsupported("indexing the batch dimension (0) has no symcnn layer; keep it whole with [:, ...]")
    x, dim = container, 1
    for item in items[1:]:
        if item is None:
            raise _Unsupported("adding a dimension with None has no symcnn layer")
        if isinstance(item, slice):
            if item != slice(None):
                step = _bound(item.step, "step")
                x = self.layer(
                    self.name(node, "slice"),
                    sl.Slice,
                    [x],
                    dim=dim,
                    start=_bound(item.start, "start"),
                    stop=_bound(item.stop, "stop"),
                    step=1 if step is None else step,
                )
            dim += 1
        else:
            x = self.layer(self.name(node, "select"), sl.Select, [x], dim=dim, index=_int(item, "an index"))
    return x


def _bound(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, f"the slice {what}")


# --- learned tensors ------------------------------------------------------------------------------


def _expand(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs or not args:
        raise _Unsupported("expects the sizes as positional arguments")
    source, sizes = args[0], list(args[1:])
    if len(sizes) == 1 and isinstance(sizes[0], list | tuple):
        sizes = list(sizes[0])
    if not isinstance(source, _Parameter):
        raise _Unsupported("only a parameter expanded over the batch (p.expand(n, -1, ...)) is mapped")
    shape = source.shape
    if len(sizes) != len(shape) or not shape or shape[0] != 1 or sizes[0] is not BATCH:
        raise _Unsupported(
            f"expands the parameter {source.name!r} of shape {shape} to {tuple(sizes)}; "
            "only a leading 1 expanded to the batch (x.shape[0]) is mapped"
        )
    for size, own in zip(sizes[1:], shape[1:], strict=True):
        if size != -1 and size != own:
            raise _Unsupported(f"expands the parameter {source.name!r} beyond the batch dimension")
    return _Batched(source, shape[1:])


def _learned_cat(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("tensors", REQUIRED), ("dim", 0)])
    items = list(bound["tensors"])
    learned = [item for item in items if isinstance(item, _Batched)]
    if not learned:
        return _cat(self, node, args, kwargs)
    if len(items) != 2 or len(learned) != 1:
        raise _Unsupported("only one learned tensor concatenated with one tensor is mapped")
    (token,) = learned
    position = items.index(token)
    x = self.tensor(items[1 - position])
    return self.weighted_layer(
        self.unique(token.parameter.name, owner=True),
        sl.LearnedConcat,
        [x],
        {"shape": token.shape, "dim": _int(bound["dim"], "dim"), "first": position == 0},
        [token.parameter.tensor],
        f"the parameter {token.parameter.name!r}",
    )


# --- arithmetic -----------------------------------------------------------------------------------


def _is_constant(value: Any) -> bool:
    """A number written in the model (``0.5``), not a size read from a tensor."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _with_constants(name: str, base: Handler) -> Handler:
    """``x + p`` (a parameter) and ``x * 0.5`` (a constant); everything else as :mod:`.functions` maps it."""

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if kwargs or len(args) != 2:
            return base(self, node, args, kwargs)
        left, right = args
        if name == "add" and isinstance(left, _Parameter | _Value) and isinstance(right, _Parameter | _Value):
            parameters = [item for item in args if isinstance(item, _Parameter)]
            if len(parameters) == 1:
                other = right if left is parameters[0] else left
                return _parameter_layer(sl.Shift, self, parameters[0], self.tensor(other))
        tensors = [item for item in args if _is_tensorish(item)]
        if len(tensors) == 1 and isinstance(tensors[0], _Value):
            constant = right if left is tensors[0] else left
            if _is_constant(constant):
                operation = name if left is tensors[0] else {"sub": "rsub", "div": "rdiv"}.get(name, name)
                if operation == "pow" and left is not tensors[0]:
                    raise _Unsupported("a constant raised to a tensor power has no symcnn layer")
                return self.layer(
                    self.name(node, name), sl.ConstantOp, [tensors[0]], operation=operation, constant=constant
                )
        return base(self, node, args, kwargs)

    return handle


# --- conditions on sizes -------------------------------------------------------------------------


def _compare(relation: Callable[[Any, Any], Any], python: Callable[[Any, Any], Any]) -> Handler:
    """``h == 224`` on sizes: a SymPy relation (``true``/``false`` once the sizes are numbers)."""

    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        left, right = args
        if any(_is_tensorish(item) for item in args):
            raise _Unsupported("comparing tensors has no symcnn layer")
        if isinstance(left, sympy.Basic) or isinstance(right, sympy.Basic):
            return relation(sympy.sympify(left), sympy.sympify(right))
        return python(left, right)

    return handle


def _assert(self: Any, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("condition", REQUIRED), ("message", "")])
    condition = bound["condition"]
    if condition is True or condition is sympy.true:
        return None
    if condition is False or condition is sympy.false:
        raise ShapeError(f"the model asserts a condition the input fails: {_message(self, node, bound['message'])}")
    if not isinstance(condition, sympy.core.relational.Relational | sympy.logic.boolalg.Boolean):
        raise _Unsupported(f"asserts {condition!r}, which is not a condition on sizes")
    # Reads and rebinds the importer's node values, which the Importing protocol leaves out.
    source = _latest_tensor(self, node)
    if source is None:
        raise _Unsupported("asserts a condition that reads no tensor's size")
    guarded = self.layer(self.name(node, "_assert"), sl.Require, [self.values[source]], condition=condition)
    self.values[source] = guarded  # later uses of that tensor pass through the condition
    return None


def _message(self: Any, node: Any, message: Any) -> str:
    """The assert's message with the values of the sizes it names (written at trace time as ``Proxy(name)``)."""
    named = {item.name: item for item in node.graph.nodes}

    def value(match: re.Match[str]) -> str:
        found = named.get(match.group(1))
        known = self.values.get(found) if found is not None else None
        return str(known) if isinstance(known, int | sympy.Expr) else match.group(0)

    return re.sub(r"Proxy\((\w+)\)", value, str(message))


def _latest_tensor(self: Any, node: Any) -> Any:
    """The last graph node, among those ``node`` depends on, whose value is a tensor."""
    order = {item: position for position, item in enumerate(node.graph.nodes)}
    seen, stack, found = set(), list(node.all_input_nodes), None
    while stack:
        item = stack.pop()
        if item in seen:
            continue
        seen.add(item)
        if isinstance(self.values.get(item), _Value):
            if found is None or order[item] > order[found]:
                found = item
            continue
        stack.extend(item.all_input_nodes)
    return found


# --- rearrangements -------------------------------------------------------------------------------


def _roll(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("shifts", REQUIRED), ("dims", None)])
    x = self.tensor(bound["input"])
    if bound["dims"] is None:
        raise _Unsupported("a roll without dims flattens the batch into the roll; give dims")
    shifts = bound["shifts"] if isinstance(bound["shifts"], list | tuple) else (bound["shifts"],)
    return self.layer(self.name(node, "roll"), sl.Roll, [x], shifts=tuple(shifts), dims=_ints(bound["dims"], "dims"))


def _stack(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("tensors", REQUIRED), ("dim", 0)])
    tensors = [self.tensor(item) for item in bound["tensors"]]
    return self.layer(self.name(node, "stack"), sl.Stack, tensors, dim=_int(bound["dim"], "dim"))


def _pixel_shuffle(kind: type[sl.Layer], argument: str, label: str) -> Handler:
    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        bound = _bind(args, kwargs, [("input", REQUIRED), (argument, REQUIRED)])
        x = self.tensor(bound["input"])
        arguments: dict[str, Any] = {argument: _int(bound[argument], argument)}
        return self.layer(self.name(node, label), kind, [x], **arguments)

    return handle


def more_functions(torch: Any) -> dict[Any, Handler]:
    """Function handlers that extend (and, for ``+``, ``*``, ``cat``, ``getitem``, refine) :mod:`.functions`'."""
    F = torch.nn.functional
    add = _with_constants("add", _arithmetic(operator.add, "add", sl.Add))
    mul = _with_constants("mul", _arithmetic(operator.mul, "mul", sl.Multiply))
    sub = _with_constants("sub", _arithmetic(operator.sub, "sub", None))
    div = _with_constants("div", _arithmetic(operator.truediv, "truediv", None))
    return {
        operator.getitem: _index,
        operator.add: add,
        operator.iadd: add,
        torch.add: add,
        operator.mul: mul,
        operator.imul: mul,
        torch.mul: mul,
        operator.sub: sub,
        torch.sub: sub,
        operator.truediv: div,
        torch.div: div,
        operator.pow: _with_constants("pow", _arithmetic(operator.pow, "pow", None)),
        operator.eq: _compare(sympy.Eq, operator.eq),
        operator.ne: _compare(sympy.Ne, operator.ne),
        operator.lt: _compare(sympy.Lt, operator.lt),
        operator.le: _compare(sympy.Le, operator.le),
        operator.gt: _compare(sympy.Gt, operator.gt),
        operator.ge: _compare(sympy.Ge, operator.ge),
        torch._assert: _assert,
        torch.cat: _learned_cat,
        torch.concat: _learned_cat,
        torch.concatenate: _learned_cat,
        torch.roll: _roll,
        torch.stack: _stack,
        F.pixel_shuffle: _pixel_shuffle(sl.PixelShuffle, "upscale_factor", "pixel_shuffle"),
        F.pixel_unshuffle: _pixel_shuffle(sl.PixelUnshuffle, "downscale_factor", "pixel_unshuffle"),
        torch.pixel_shuffle: _pixel_shuffle(sl.PixelShuffle, "upscale_factor", "pixel_shuffle"),
        torch.pixel_unshuffle: _pixel_shuffle(sl.PixelUnshuffle, "downscale_factor", "pixel_unshuffle"),
    }


MORE_METHODS: dict[str, Handler] = {
    "expand": _expand,
    "roll": _roll,
}
for _name, _function, _layer in (
    ("add", operator.add, sl.Add),
    ("mul", operator.mul, sl.Multiply),
    ("sub", operator.sub, None),
    ("div", operator.truediv, None),
):
    # x.mul_(2) computes what x.mul(2) does, in place: the same row.
    MORE_METHODS[_name] = MORE_METHODS[f"{_name}_"] = _with_constants(
        _name, _arithmetic(_function, "truediv" if _name == "div" else _name, _layer)
    )
