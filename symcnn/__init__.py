"""symcnn: convolutional networks as exact mathematics.

>>> import symcnn
>>> net = symcnn.Sequential(
...     symcnn.Input(1, 28, 28),
...     symcnn.Conv2d(out_channels=32, kernel_size=5),
...     symcnn.MaxPool2d(2),
... )
>>> d = net.derive()
>>> d.output_shape, d.totals.params
((32, 12, 12), 832)
"""

from __future__ import annotations

from typing import Any

# The tiers, bottom up (each imports only those below it): errors, exact/, layers/,
# analysis/ and render/, derivation/, model/; the applications (zoo/, whatif/, exam/,
# paper/, adapters/, cli/) sit on top and are imported on first use.
from .caches import clear_caches
from .derivation import Condition, Derivation, Row, Totals
from .derivation.conditions import minimum_input_size, violated
from .errors import ShapeError, SpecError, SymcnnError, UnknownLayerError, UnsupportedError
from .exact import printing
from .exact.conventions import KERAS, PYTORCH, Conventions
from .exact.steps import Step
from .exact.symbols import symbols
from .layers import *  # noqa: F403  (the layer classes are the public API)
from .layers import __all__ as _layer_names
from .model.network import Graph, Input, Network, Node, Repeat, Sequential, derive
from .model.spec import load_spec

__version__ = "0.1.0"

__all__ = [
    "symbols",
    "Input",
    "Sequential",
    "Graph",
    "Repeat",
    "Network",
    "Node",
    "derive",
    "Derivation",
    "Row",
    "Step",
    "Condition",
    "Totals",
    "load_spec",
    "Conventions",
    "PYTORCH",
    "KERAS",
    "minimum_input_size",
    "clear_caches",
    "violated",
    "printing",
    "SymcnnError",
    "SpecError",
    "ShapeError",
    "UnknownLayerError",
    "UnsupportedError",
    *_layer_names,
]


def __getattr__(name: str) -> Any:
    # The adapters import their framework; load them only when asked for (import symcnn imports none).
    if name == "from_torch":
        from .adapters.torch import from_torch

        return from_torch
    if name == "from_onnx":
        from .adapters.onnx import from_onnx

        return from_onnx
    if name == "from_keras":
        from .adapters.keras import from_keras

        return from_keras
    raise AttributeError(f"module 'symcnn' has no attribute {name!r}")
