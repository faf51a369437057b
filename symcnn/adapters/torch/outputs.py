"""Every output of a forward, named: ``return out, (h, c)`` gives ``out``, ``h`` and ``c``.

The traced graph's output is a structure (a tensor, tuple, list, dict,
namedtuple, nested) of values; each tensor in it is one output.  Names come
from the structure where it has them (a dict's keys, a namedtuple's fields),
else from the names in the forward's one ``return`` statement
(``return out, (h, c)``), else from positions (``output[1][0]``).
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Iterator
from typing import Any


def leaves(structure: Any, expression: ast.expr | None, name: str = "output") -> Iterator[tuple[str, Any]]:
    """``(name, value)`` of every item of ``structure`` that is not a container, in order."""
    if isinstance(structure, dict):
        keys = _dict_keys(expression)
        for key, item in structure.items():
            yield from leaves(item, keys.get(key), _joined(name, str(key), top=name == "output"))
    elif isinstance(structure, tuple) and hasattr(structure, "_fields"):  # a namedtuple
        for field, item in zip(structure._fields, structure, strict=True):
            yield from leaves(item, None, _joined(name, field, top=name == "output"))
    elif isinstance(structure, list | tuple):
        parts = _elements(expression, len(structure))
        for position, item in enumerate(structure):
            part = parts[position] if parts else None
            shown = part.id if isinstance(part, ast.Name) else f"{name}[{position}]"
            yield from leaves(item, part, shown)
    else:
        yield name, structure


def returned(module: Any) -> ast.expr | None:
    """The expression of the forward's only ``return`` statement, if its source can be read."""
    try:
        return _returned(type(module))  # type: ignore[arg-type]  # classes are hashable
    except TypeError:  # an unhashable class
        return None


@functools.lru_cache(maxsize=256)
def _returned(kind: Any) -> ast.expr | None:
    """Read once per class: a model imported again (another size) reuses it."""
    try:
        source = textwrap.dedent(inspect.getsource(kind.forward))
        tree = ast.parse(source)
    except Exception:  # no source (a TorchScript module, a model built in a notebook): names by position
        return None
    function = tree.body[0] if tree.body else None
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    found = [node for node in _own_nodes(function) if isinstance(node, ast.Return)]
    return found[0].value if len(found) == 1 else None


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``function``'s body, not those of functions or classes defined inside it."""
    for child in ast.iter_child_nodes(function):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        yield child
        yield from _own_nodes(child)


def _elements(expression: ast.expr | None, count: int) -> list[ast.expr] | None:
    if not isinstance(expression, ast.Tuple | ast.List) or len(expression.elts) != count:
        return None
    if any(isinstance(item, ast.Starred) for item in expression.elts):
        return None
    return list(expression.elts)


def _dict_keys(expression: ast.expr | None) -> dict[Any, ast.expr]:
    if not isinstance(expression, ast.Dict):
        return {}
    return {
        key.value: value
        for key, value in zip(expression.keys, expression.values, strict=True)
        if isinstance(key, ast.Constant)
    }


def _joined(name: str, part: str, *, top: bool) -> str:
    return part if top else f"{name}.{part}"
