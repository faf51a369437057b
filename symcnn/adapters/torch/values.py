"""What a node of the traced graph stands for, and how a handler says it cannot map one.

Every node of the ``torch.fx`` graph gets a value: a tensor made by a symcnn
layer (:class:`_Value`), a parameter read by the forward, a module's tuple
result, chunks waiting for an index, a plain Python value (sizes, constants),
or a marker for what could not be mapped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...network import Node
from ...results import Tensor

if TYPE_CHECKING:
    from .importer import _Importer


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


#: Maps one graph node: ``handler(importer, node, args, kwargs)``, arguments already resolved to values.
Handler = Callable[["_Importer", Any, list[Any], dict[str, Any]], Any]


def _is_tensorish(value: Any) -> bool:
    return isinstance(value, _Value | _Several | _Chunks | _Parameter)
