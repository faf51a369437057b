"""Import an ONNX graph as a symcnn network: ``from_onnx("model.onnx")``.

Every node becomes a symcnn layer with the same hyperparameters, named after
the node (``"/layer1/layer1.0/conv1/Conv"``), so the derivation reads like
the graph Netron shows::

    from symcnn.adapters.onnx import from_onnx

    net = from_onnx("resnet18.onnx")          # input (N, 3, H, W): symcnn sees (3, H, W)
    net.derive().totals.params                 # the graph's float initializers, counted once

The first dimension of the input is the batch and is dropped; every
``dim_param`` becomes a symbol of that name, numbers stay numbers, and
``input=(3, "H", "W")`` overrides the declared sizes.  Size arithmetic
(``Shape``/``Gather``/``Concat`` feeding a ``Reshape``) is followed exactly.
Whatever cannot be mapped raises one :class:`~symcnn.errors.UnsupportedError`
listing every such node by name and op type.

The package: :mod:`.importer` walks the graph, :mod:`.operators` maps the
operators that compute, :mod:`.arithmetic` constants, sizes and layouts;
:mod:`.values` holds what a value stands for.  Importing this package does
not import ``onnx``; :func:`from_onnx` does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ...errors import SpecError, UnsupportedError
from ...model.network import Graph
from .importer import _Importer

__all__ = ["from_onnx"]


def from_onnx(model: Any, input: Sequence[Any] | None = None) -> Graph:
    """Read an ONNX model (a path or an ``onnx.ModelProto``) as a symcnn network.

    ``input``: the input's shape without the batch, to override the graph's
    (``(3, "H", "W")``); a list of shapes for a graph with several inputs.

    Raises :class:`~symcnn.errors.UnsupportedError` listing every node symcnn
    cannot map, :class:`~symcnn.errors.SpecError` for an input it cannot read.
    """
    import onnx

    if isinstance(model, str | os.PathLike):
        try:
            model = onnx.load(os.fspath(model), load_external_data=False)
        except (OSError, onnx.onnx_cpp2py_export.checker.ValidationError) as error:  # type: ignore[attr-defined]
            raise SpecError(f"cannot read the ONNX file {os.fspath(model)!r}: {error}") from None
        except Exception as error:  # protobuf's DecodeError: not an ONNX file
            raise SpecError(f"cannot read the ONNX file {os.fspath(model)!r}: {error}") from None
    if not isinstance(model, onnx.ModelProto):
        raise UnsupportedError(f"from_onnx expects a path or an onnx.ModelProto, got {type(model).__name__}")
    shapes = None
    if input is not None:
        shapes = (
            [tuple(item) for item in input]
            if input and all(isinstance(i, list | tuple) for i in input)
            else [tuple(input)]
        )
    return _Importer(onnx, model, shapes).run()
