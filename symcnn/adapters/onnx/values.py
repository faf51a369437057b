"""What an ONNX value stands for while a graph is read, and the importer as operators see it.

Every value name of the graph gets one of: a tensor made by a symcnn layer
(the torch adapter's :class:`~symcnn.adapters.torch.values._Value`: node and
shape without the batch), a floating-point initializer (:class:`Weight`,
counted as parameters where a layer computes with it), a constant
(:class:`Constant`: integer initializers, ``Constant`` nodes and the size
arithmetic that ``Shape``/``Gather``/``Concat`` build from them), or a marker
for what could not be mapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import sympy

from ...exact.steps import Check
from ...layers.base import Layer
from ..torch.shapes import BATCH
from ..torch.values import UNKNOWN, _Unmapped, _Unsupported, _Value

__all__ = [
    "BATCH",
    "UNKNOWN",
    "Constant",
    "Importing",
    "Weight",
    "_Unmapped",
    "_Unsupported",
    "_Value",
    "constant",
    "setting",
]


@dataclass(frozen=True, eq=False)
class Weight:
    """A floating-point initializer: learned values, counted once, at the first row that computes with them."""

    name: str
    shape: tuple[int, ...]
    source: Any = None  # the TensorProto, for an initializer read as a setting (Resize's scales)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=object)) if self.shape else 1

    def as_constant(self) -> Constant:
        """The values, for an operand that is a setting rather than learned (scales, bounds): not counted."""
        from onnx import numpy_helper

        return constant(numpy_helper.to_array(self.source))


def setting(value: Any) -> Any:
    """``value``, with a float initializer read as a constant (it configures the node, nothing is learned)."""
    return value.as_constant() if isinstance(value, Weight) and value.source is not None else value


@dataclass(frozen=True, eq=False)
class Constant:
    """A constant array: exact SymPy integers (sizes; the batch is :data:`BATCH`) or floats.

    ``values`` is a NumPy array of ``dtype=object`` holding SymPy integers, or
    of a float dtype; integer arithmetic on it stays exact.
    """

    values: np.ndarray
    floating: bool = False

    def ints(self, what: str) -> list[Any]:
        """The values as a flat list of sizes (SymPy integers, possibly symbolic)."""
        if self.floating:
            raise _Unsupported(f"{what} must be integers, got floats {self.values.tolist()}")
        return list(self.values.reshape(-1))

    def numbers(self, what: str) -> list[int]:
        """The values as plain Python integers; sizes that depend on the input are refused."""
        out = []
        for item in self.ints(what):
            if not getattr(item, "is_Integer", False):
                raise _Unsupported(f"{what} must be numbers, got {item} (it depends on the input size)")
            out.append(int(item))
        return out


def constant(array: np.ndarray) -> Constant:
    """An ONNX array as a :class:`Constant`: integers exact (SymPy), floats as floats."""
    if np.issubdtype(array.dtype, np.floating):
        return Constant(np.asarray(array, dtype=np.float64), floating=True)
    if array.dtype == np.bool_:
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise _Unsupported(f"constants of type {array.dtype} are not supported")
    values = np.empty(array.shape, dtype=object)
    for index, item in np.ndenumerate(array):
        values[index] = sympy.Integer(int(item))
    return Constant(values)


class Importing(Protocol):
    """What operator handlers use of the importer (:class:`~.importer._Importer` implements it)."""

    def tensor(self, value: Any, what: str = "input") -> _Value: ...

    def name(self, node: Any, label: str | None = None) -> str: ...

    def label(self, node: Any) -> str: ...

    def part(self, node: Any, label: str) -> str: ...

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

    def weighted(
        self,
        name: str,
        kind: type[Layer],
        inputs: Sequence[_Value],
        arguments: dict[str, Any],
        weights: Sequence[Weight | None],
        buffers: Sequence[Weight] = (),
    ) -> _Value: ...
