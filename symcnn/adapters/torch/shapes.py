"""Sizes and layouts: size arithmetic, ``view``/``reshape``/``flatten``, ``transpose``/``permute``.

Sizes read from a tensor (``x.size()``, ``x.shape``) are SymPy expressions and
the batch is the symbol :data:`BATCH`, so ``x.view(x.size(0), -1)`` can be
checked to keep the batch in dimension 0 and mapped to a Flatten or Unflatten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy

from ... import layers as sl
from ...exact.steps import Check, format_shape, product
from .arguments import REQUIRED, _bind, _int, _ints
from .values import Importing, _Unsupported, _Value

#: The batch size, as it appears in ``x.size()``; it must stay in dimension 0.
BATCH = sympy.Dummy("batch", integer=True, positive=True)


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Provably equal (exactly; floors are compared as written)."""
    return bool(sympy.expand(_as_size(a) - _as_size(b)) == 0)


def _as_size(value: Any) -> sympy.Expr:
    """A size from the traced graph as SymPy; never parses text (sympify would evaluate it)."""
    value = _number(value)
    if not isinstance(value, sympy.Expr):
        raise _Unsupported(f"a size must be an integer or a size of the input, got {value!r}")
    return value


def _number(value: Any) -> Any:
    return sympy.Integer(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _size_arithmetic(function: Callable[..., Any], operands: Sequence[Any]) -> Any:
    """``c // groups`` and friends on sizes: exact SymPy arithmetic."""
    try:
        return function(*(_number(item) for item in operands))
    except TypeError as error:
        raise _Unsupported(f"cannot follow this arithmetic on {operands!r}: {error}") from None


def _sizes(x: _Value) -> tuple[sympy.Expr, ...]:
    return (BATCH, *x.tensor.shape)


def _size(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dim", None)])
    sizes = _sizes(self.tensor(bound["input"]))
    if bound["dim"] is None:
        return sizes
    dim = _int(bound["dim"], "dim")
    if not -len(sizes) <= dim < len(sizes):
        raise _Unsupported(f"dim={dim} does not fit a tensor of {len(sizes)} dimensions")
    return sizes[dim]


def _dim(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return len(_sizes(self.tensor(args[0])))


def _flatten(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("start_dim", 0), ("end_dim", -1)])
    x = self.tensor(bound["input"])
    start, end = _int(bound["start_dim"], "start_dim"), _int(bound["end_dim"], "end_dim")
    return self.layer(self.name(node, "flatten"), sl.Flatten, [x], start_dim=start, end_dim=end)


def _shape_arguments(sizes: Sequence[Any]) -> list[Any]:
    """``view(a, b)`` and ``view((a, b))`` alike."""
    if len(sizes) == 1 and isinstance(sizes[0], list | tuple):
        return list(sizes[0])
    return list(sizes)


def _reshape(self: Importing, node: Any, x: _Value, sizes: Sequence[Any]) -> Any:
    """``view``/``reshape``: a Flatten or Unflatten of the sample, or an error."""
    entries = [_as_size(item) for item in _shape_arguments(sizes)]
    numel = x.tensor.numel
    if not entries:
        raise _Unsupported("reshaping to a scalar drops the batch dimension")
    head, rest = entries[0], entries[1:]
    if any(item.has(BATCH) for item in rest) or (head != BATCH and head.has(BATCH)):
        raise _Unsupported("the new shape moves or merges the batch dimension")
    minus = [index for index, item in enumerate(rest) if item == -1]
    if (
        head == -1
        and not minus
        and not _same(product(rest), numel)
        and not (numel.is_number and product(rest).is_number)
    ):
        # x.view(-1, 320) on a sample of 20*h*w: the batch stays in dimension 0 exactly when 20*h*w = 320.
        target = product(rest)
        condition = Check(
            f"the sample must have {target} elements for view(-1, ...) to keep the batch in dimension 0",
            sympy.Eq(target, numel),  # written as a Linear states its in_features: listed once
        )
        return _relayout(self, node, x, tuple(rest), condition)
    folded = sympy.cancel(numel / product(rest)) if head == -1 and not minus else None
    if folded is not None and folded.is_Integer and folded > 1:
        raise _Unsupported(
            f"the new shape {tuple(entries)} folds the batch into dimension 0: the sample has shape "
            f"{format_shape(x.tensor.shape)}, so a batch of N becomes {folded}*N rows (PyTorch's result for "
            "every sample at once); symcnn's shapes keep the batch in dimension 0: write "
            f"view(x.size(0), -1, {', '.join(str(item) for item in rest)}) or apply the next layer to x directly"
        )
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


def _relayout(
    self: Importing, node: Any, x: _Value, target: tuple[sympy.Expr, ...], condition: Check | None = None
) -> Any:
    """A Flatten or an Unflatten from ``x``'s shape to ``target`` (equal given ``condition``, if any)."""
    source = x.tensor.shape
    if condition is not None:
        # The sizes are equal only under the condition: flatten everything, the condition says the rest.
        if len(target) != 1:
            raise _Unsupported(
                f"view(-1, ...) into {len(target)} dimensions of a symbolic sample; write view(x.size(0), ...)"
            )
        checks = (condition,)
        if len(source) == 1:
            return self.layer(self.name(node, "flatten"), sl.Identity, [x], checks=checks)
        return self.layer(self.name(node, "flatten"), sl.Flatten, [x], checks=checks, start_dim=1, end_dim=len(source))
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


def _torch_reshape(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("shape", REQUIRED)])
    return _reshape(self, node, self.tensor(bound["input"]), [bound["shape"]])


def _view_method(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs or len(args) < 2:
        raise _Unsupported("expects the new shape as positional arguments")
    return _reshape(self, node, self.tensor(args[0]), args[1:])


def _permute_layer(self: Importing, node: Any, x: _Value, dims: Sequence[int]) -> Any:
    rank = x.tensor.rank + 1
    order = tuple(dim + rank if dim < 0 else dim for dim in dims)
    if order and order[0] != 0:
        raise _Unsupported(f"the permutation {tuple(dims)} moves the batch dimension (0)")
    if order == tuple(range(rank)):
        return x
    return self.layer(self.name(node, "permute"), sl.Permute, [x], dims=order)


def _transpose(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
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


def _torch_permute(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    bound = _bind(args, kwargs, [("input", REQUIRED), ("dims", REQUIRED)])
    return _permute_layer(self, node, self.tensor(bound["input"]), _ints(bound["dims"], "dims"))


def _permute_method(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        bound = _bind(args, kwargs, [("input", REQUIRED), ("dims", REQUIRED)])
        args = [bound["input"], bound["dims"]]
    return _permute_layer(self, node, self.tensor(args[0]), _ints(_shape_arguments(args[1:]), "dims"))
