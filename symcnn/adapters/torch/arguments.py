"""Reading the arguments of a call: binding them by name, plain integers, attribute values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

from .values import _Unsupported

#: The default, in a :func:`_bind` spec, of an argument that must be given.
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


def _plain(value: Any) -> Any:
    """PyTorch attribute values as symcnn arguments (tuples stay tuples, lists become tuples)."""
    if isinstance(value, list):
        return tuple(value)
    return value
