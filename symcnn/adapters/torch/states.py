"""A recurrent layer's final state, ``out, (h, c) = lstm(x)``, as its forward uses it.

PyTorch returns ``h`` and ``c`` as ``(layers, batch, size)``: the batch in
dimension 1, where symcnn's shapes cannot say it.  They become
:class:`~.values._State` values whose shape is one sample's ``(layers, size)``,
and the forward's usual ways back to a batch-first tensor are mapped:

* ``h[-1]`` (the last layer), ``h[i]``: a :class:`~symcnn.layers.Select` of that layer;
* ``h.view(-1, size)``, ``h.reshape(-1, size)``, ``h.squeeze(0)`` of a one-layer state: its only layer;
* ``h.permute(1, 0, 2)``, ``h.transpose(0, 1)``: the batch first, ``(layers, size)`` per sample.

Anything else refuses, saying that ``h`` holds the batch in dimension 1.
Returned from the forward, ``h`` and ``c`` are outputs of their own.
"""

from __future__ import annotations

from typing import Any

from ... import layers as sl
from .arguments import _int, _ints
from .values import Handler, Importing, _State, _Unsupported, _Value


def with_states(methods: dict[str, Handler], getitem: Handler) -> tuple[dict[str, Handler], Handler]:
    """``methods`` and ``getitem`` that also take a final state as their tensor."""
    wrapped = dict(methods)
    for name, handler in (
        ("view", _view),
        ("reshape", _view),
        ("squeeze", _squeeze),
        ("permute", _permute),
        ("transpose", _transpose),
        ("contiguous", _same),
        ("clone", _same),
        ("detach", _same),
    ):
        wrapped[name] = _first_state(handler, methods.get(name))
    return wrapped, _first_state(_item, getitem)


def takes_states(handler: Any) -> bool:
    """Whether ``handler`` maps a final state itself (else the importer refuses one, saying where its batch is)."""
    return bool(getattr(handler, "takes_states", False))


def _first_state(state_handler: Handler, plain: Handler | None) -> Handler:
    def handle(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if args and isinstance(args[0], _State):
            return state_handler(self, node, args, kwargs)
        if plain is None:
            raise _Unsupported("symcnn has no layer for this tensor method")
        return plain(self, node, args, kwargs)

    handle.takes_states = True  # type: ignore[attr-defined]
    return handle


def _layers(state: _State) -> Any:
    return state.value.tensor.shape[0]


def _select(self: Importing, node: Any, state: _State, index: int, label: str) -> _Value:
    return self.layer(self.name(node, label), sl.Select, [state.value], dim=1, index=index)


def _item(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    state, index = args
    if isinstance(index, int) and not isinstance(index, bool):
        return _select(self, node, state, index, "select")
    raise _Unsupported(
        f"indexes the final state {state.name!r} with {index!r}; symcnn maps one layer of it, {state.name}[-1]"
    )


def _view(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    state, sizes = args[0], list(args[1:]) or list(kwargs.get("shape", ()))
    if len(sizes) == 1 and isinstance(sizes[0], list | tuple):
        sizes = list(sizes[0])
    size = state.value.tensor.shape[1]
    layers = _layers(state)
    if len(sizes) == 2 and _int(sizes[0], "a size") == -1 and sizes[1] == size and layers == 1:
        return _select(self, node, state, 0, str(node.target))
    raise _Unsupported(
        f"{node.target}{tuple(sizes)} of the final state {state.name!r} ({layers} layers, batch, {size}): "
        f"PyTorch's state holds the batch in dimension 1, so only {state.name}.{node.target}(-1, {size}) "
        f"of a one-layer state keeps it in dimension 0; take {state.name}[-1] for the last layer"
    )


def _squeeze(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    state = args[0]
    dims = args[1:] or list(kwargs.values())
    if _layers(state) == 1 and [_int(item, "dim") for item in dims] in ([], [0]):
        return _select(self, node, state, 0, "squeeze")
    raise _Unsupported(
        f"squeezes the final state {state.name!r} of {_layers(state)} layers; take {state.name}[-1] instead"
    )


def _permute(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    order = _ints(args[1:] if len(args) > 2 else args[1], "dims")
    if tuple(order) == (1, 0, 2):
        return args[0].value
    raise _Unsupported(f"permutes the final state {args[0].name!r} as {tuple(order)}; symcnn maps permute(1, 0, 2)")


def _transpose(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    dims = sorted(_int(item, "dim") for item in [*args[1:], *kwargs.values()])
    if dims == [0, 1]:
        return args[0].value
    raise _Unsupported(f"transposes the final state {args[0].name!r}; symcnn maps transpose(0, 1)")


def _same(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return args[0]
