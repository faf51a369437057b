"""What a node of the traced graph stands for, and the importer as handlers see it.

Every node of the ``torch.fx`` graph gets a value: a tensor made by a symcnn
layer (:class:`_Value`), a parameter read by the forward, a module's tuple
result, chunks waiting for an index, the indices of a max pooling, a plain
Python value (sizes, constants), or a marker for what could not be mapped.

Handlers (in :mod:`.modules`, :mod:`.functions`, :mod:`.shapes`) receive the
importer as :class:`Importing`, a protocol: they depend on this module only,
and the importer (:mod:`.importer`) depends on them, never the other way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ...exact.steps import Check
from ...layers.base import Layer
from ..placing import _Value  # the tensor every importer's handlers pass around


@dataclass(frozen=True, eq=False)
class _Parameter:
    """An ``nn.Parameter`` read directly by the forward (``self.layer_scale``); counted where it is used."""

    name: str
    shape: tuple[int, ...]
    tensor: Any  # the torch parameter itself: its identity, size and requires_grad


@dataclass(frozen=True, eq=False)
class _Several:
    """A module's tuple result: the first item, a tensor, mapped; the others as ``rest`` makes them, if it can."""

    first: _Value
    others: str
    indices: bool = False  # item 1 is a max pooling's indices (for MaxUnpool)
    rest: Callable[[], Any] | None = None  # item 1, made on first use (a recurrent layer's h, or (h, c))


@dataclass(frozen=True, eq=False)
class _State:
    """A recurrent layer's final state ``h`` or ``c``: PyTorch's ``(layers, batch, size)``, the batch in dimension 1.

    ``value`` is one sample's ``(layers, size)``; ``h[-1]`` (a batch-first tensor) is what layers take.
    """

    value: _Value
    name: str


@dataclass(frozen=True, eq=False)
class _Indices:
    """The indices returned by a max pooling: where MaxUnpool puts each value back."""

    pooled: _Value


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


class Importing(Protocol):
    """What handlers use of the importer (:class:`~.importer._Importer` implements it)."""

    torch: Any
    root: Any

    def tensor(self, value: Any, what: str = "input") -> _Value: ...

    def submodule(self, target: str) -> Any: ...

    def name(self, node: Any, label: str | None = None) -> str: ...

    def unique(self, base: str, *, owner: bool = False) -> str: ...

    def layer(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        *,
        checks: tuple[Check, ...] = (),
        **arguments: Any,
    ) -> _Value: ...

    def module_layer(
        self, node: Any, module: Any, kind: type[Layer], inputs: Sequence[_Value], arguments: dict[str, Any]
    ) -> _Value: ...

    def weighted_layer(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        arguments: dict[str, Any],
        parameters: Iterable[Any],
        what: str,
    ) -> _Value: ...


#: Maps one graph node: ``handler(importer, node, args, kwargs)``, arguments already resolved to values.
Handler = Callable[[Importing, Any, list[Any], dict[str, Any]], Any]


def _is_tensorish(value: Any) -> bool:
    return isinstance(value, _Value | _Several | _Chunks | _Parameter | _Indices | _State)
