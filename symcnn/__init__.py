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

from typing import TYPE_CHECKING

# The tiers, bottom up (each imports only those below it): errors, exact/, layers/,
# analysis/ and render/, derivation/, model/; the applications (zoo/, whatif/, exam/,
# paper/, adapters/, cli/) sit on top and are imported on first use.  Imported here is
# what a first derivation needs; the rest (each layer's module, specs, renderers,
# analyses, adapters) loads when first used, by ``__getattr__`` below.
from .caches import clear_caches
from .derivation import Condition, Derivation, Row, Totals
from .errors import ShapeError, SpecError, SymcnnError, UnknownLayerError, UnsupportedError
from .exact import printing
from .exact.conventions import KERAS, PYTORCH, Conventions
from .exact.steps import Step
from .exact.symbols import symbols
from .layers import __all__ as _layer_names
from .lazy import first_use
from .model.network import Graph, Input, Network, Node, Repeat, Sequential, derive

if TYPE_CHECKING:  # what __getattr__ loads on first use, for the type checker (`as`: re-exported)
    from .adapters.keras import from_keras as from_keras
    from .adapters.onnx import from_onnx as from_onnx
    from .adapters.torch import from_torch as from_torch
    from .derivation.conditions import minimum_input_size, violated
    from .layers import *  # noqa: F403  (the layer classes are the public API)
    from .model.spec import load_spec

# name -> the module defining it, imported when the name is first used.  The adapters import
# their framework; they are not in __all__ (``from symcnn import *`` must not import torch).
_ON_FIRST_USE = {
    "load_spec": "model.spec",
    "minimum_input_size": "derivation.conditions",
    "violated": "derivation.conditions",
    "from_torch": "adapters.torch",
    "from_onnx": "adapters.onnx",
    "from_keras": "adapters.keras",
    **dict.fromkeys(_layer_names, "layers"),
}

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

__getattr__, __dir__ = first_use(__name__, _ON_FIRST_USE, globals())
