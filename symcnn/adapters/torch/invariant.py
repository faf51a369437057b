"""The import's promise, checked: its totals are the model's own, or the import fails saying why.

After every import the rows' parameters (trainable and non-trainable) must sum
to ``sum(p.numel() for p in model.parameters())`` and their buffers to
``sum(b.numel() for b in model.buffers())`` (PyTorch's convention: BatchNorm's
running statistics and its batch counter are buffers).  The importer places
every parameter and buffer at exactly one row, and the layer rules count what
a layer holds; this check is the net under both.  It costs one sum per row.
Counts that depend on the input size (a ``Linear`` after ``view(-1, n)``) are
left to the conditions the layers state; numeric ones must agree now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import sympy

from ...errors import UnsupportedError
from .tree import first_paths

#: At most this many disagreeing rows are named in the error.
SHOWN = 5


@dataclass(frozen=True)
class Placed:
    """One row as made: what its layer counts and the model's tensors placed at it."""

    name: str
    params: sympy.Expr  # trainable + non-trainable
    buffers: sympy.Expr
    tensors: tuple[tuple[str, int, bool], ...] = ()  # (qualified name, elements, is a parameter)
    # Or the model's tensors themselves, described as ``tensors`` only if the totals disagree.
    held: tuple[Any, ...] = ()

    def described(self, torch: Any, names: dict[int, str]) -> tuple[tuple[str, int, bool], ...]:
        return self.tensors or tensors_of(torch, names, self.held)


class Holdings:
    """What the model holds, read once per import: PyTorch's two sums, and each tensor's name by identity.

    The names are only read when something is wrong (an error names the tensors): they are made then.
    """

    def __init__(self, paths: dict[Any, str]) -> None:
        self._parameters = list(_first_tensors(paths, "_parameters"))
        self._buffers = list(_first_tensors(paths, "_buffers"))
        self.params = sum(item.numel() for _, _, item in self._parameters)
        self.buffers = sum(item.numel() for _, _, item in self._buffers)
        self.ids = {id(item) for _, _, item in [*self._parameters, *self._buffers]}

    @cached_property
    def names(self) -> dict[int, str]:
        """Each tensor's qualified name (its first, as ``named_parameters()`` and ``named_buffers()`` give it)."""
        return {
            id(item): f"{prefix}.{name}" if prefix else name
            for prefix, name, item in [*self._parameters, *self._buffers]
        }

    def all_counted(self, counted: set[int]) -> bool:
        """Whether every tensor the model holds is among ``counted`` (by identity)."""
        return counted.issuperset(self.ids)

    @staticmethod
    def of(root: Any, paths: dict[Any, str] | None = None) -> Holdings:
        """``paths``: the model's :func:`~.tree.first_paths`, if walked already."""
        return Holdings(first_paths(root) if paths is None else paths)


def _first_tensors(paths: dict[Any, str], store: str) -> Iterator[tuple[str, str, Any]]:
    """``(module path, name, tensor)`` of each tensor in the modules' ``store`` (``"_parameters"`` or
    ``"_buffers"``), once, at its first name: ``named_parameters()``'s or ``named_buffers()``'s order
    and names, read from the modules' own dictionaries instead of PyTorch's generic walk."""
    seen: set[int] = set()
    for module, prefix in paths.items():
        for name, item in getattr(module, store).items():
            if item is not None and id(item) not in seen:
                seen.add(id(item))
                yield prefix, name, item


def check_totals(root: Any, rows: Sequence[Placed], holdings: Holdings) -> None:
    """Raise :class:`UnsupportedError` unless ``rows`` hold exactly the model's parameters and buffers."""
    params, buffers = _total(row.params for row in rows), _total(row.buffers for row in rows)
    if params is None or buffers is None:
        return
    if params == holdings.params and buffers == holdings.buffers:
        return
    import torch

    rows = [replace(row, tensors=row.described(torch, holdings.names), held=()) for row in rows]
    placed = {name for row in rows for name, _, _ in row.tensors}
    missing = [name for name in holdings.names.values() if name not in placed]
    wrong = [row for row in rows if _disagrees(row)]
    details = [f"not placed at any row: {', '.join(missing[: SHOWN * 2])}"] if missing else []
    details += [
        f"row {row.name!r} counts {row.params} parameters and {row.buffers} buffer elements but holds "
        f"{sum(size for _, size, _ in row.tensors)} ({', '.join(name for name, _, _ in row.tensors) or 'nothing'})"
        for row in wrong[:SHOWN]
    ]
    raise UnsupportedError(
        f"cannot import {type(root).__name__}: symcnn's rows hold {params} parameters and {buffers} buffer elements "
        f"but the model holds {holdings.params} and {holdings.buffers} (sum of numel); refusing a wrong total"
        + "".join(f"\n  - {line}" for line in details)
    )


def _total(values: Iterable[sympy.Expr]) -> int | None:
    """The sum of numeric counts as a Python integer (fast for thousands of rows); None if one is symbolic."""
    total = 0
    for value in values:
        if not value.is_Integer:
            return None
        total += int(value)
    return total


def tensors_of(torch: Any, names: dict[int, str], items: Sequence[Any]) -> tuple[tuple[str, int, bool], ...]:
    """``(name, elements, is a parameter)`` of ``items``, named as the model names them."""
    return tuple((names.get(id(item), "?"), int(item.numel()), isinstance(item, torch.nn.Parameter)) for item in items)


def _disagrees(row: Placed) -> bool:
    held = sum(size for _, size, parameter in row.tensors if parameter)
    kept = sum(size for _, size, parameter in row.tensors if not parameter)
    return bool(row.params.is_number and row.params != held) or bool(row.buffers.is_number and row.buffers != kept)
