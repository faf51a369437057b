"""All layer kinds, each module imported when one of its layers is first asked for.

Each family module lists its layers in its own ``__all__`` (and registers them in
``LAYERS`` as they are defined).  ``MODULES`` below names, per module, the layers
this package exports, so ``symcnn.layers.Conv2d`` imports :mod:`.conv` alone and
``import symcnn`` defines no layer class (a frozen dataclass costs a millisecond
to create; there are a hundred).  ``LAYERS`` looks a spec name up the same way
and imports every module when it is listed.  A new layer kind is its class in
its family's module and its name here (``tests/layers/test_init.py`` fails for a
registered class ``MODULES`` does not list); nothing else names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import first_use, submodule
from .base import Layer
from .registry import LAYERS, layer_class

if TYPE_CHECKING:  # the type checker sees every layer; run time imports a module on first use
    from .attention import *  # noqa: F403
    from .conv import *  # noqa: F403
    from .dense import *  # noqa: F403
    from .elementwise import *  # noqa: F403
    from .indexing import *  # noqa: F403
    from .layout import *  # noqa: F403
    from .learned import *  # noqa: F403
    from .lenet import *  # noqa: F403
    from .merge import *  # noqa: F403
    from .norm import *  # noqa: F403
    from .padding import *  # noqa: F403
    from .pool import *  # noqa: F403
    from .recurrent import *  # noqa: F403
    from .reduce import *  # noqa: F403
    from .require import *  # noqa: F403
    from .resize import *  # noqa: F403
    from .scale import *  # noqa: F403
    from .tensorops import *  # noqa: F403
    from .unpool import *  # noqa: F403
    from .usage import *  # noqa: F403
    from .windows import *  # noqa: F403

# module -> the layer classes it defines, as exported by this package (and named in specs, lower case).
MODULES: dict[str, tuple[str, ...]] = {
    "attention": ("MultiheadAttention",),
    "conv": ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"),
    "dense": ("Bilinear", "Embedding", "Flatten", "Linear"),
    "elementwise": (
        "AlphaDropout", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "ELU", "GELU", "Hardsigmoid",
        "Hardswish", "Identity", "LeakyReLU", "LogSoftmax", "Mish", "PReLU", "ReLU", "ReLU6", "SiLU",
        "Sigmoid", "Softmax", "Softplus", "Tanh",
    ),
    "indexing": ("Select", "Slice"),
    "layout": ("Chunk", "Permute", "Unflatten"),
    "learned": ("LearnedConcat", "Shift"),
    "lenet": ("ConvolutionMap2d", "SubSampling2d"),
    "merge": ("Add", "Concat", "Multiply"),
    "norm": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "GroupNorm", "LayerNorm", "Normalization"),
    "padding": (
        "CircularPad1d", "CircularPad2d", "CircularPad3d", "ReflectionPad1d", "ReflectionPad2d",
        "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
    ),
    "pool": (
        "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
        "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d",
        "MaxPool1d", "MaxPool2d", "MaxPool3d",
    ),
    "recurrent": ("GRU", "LSTM", "RNN"),
    "reduce": ("Mean",),
    "require": ("Require",),
    "resize": ("Upsample", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"),
    "scale": ("Scale",),
    "tensorops": ("ConstantOp", "PixelShuffle", "PixelUnshuffle", "Roll", "Stack"),
    "unpool": ("MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"),
    "usage": ("Unused",),
    "windows": ("PatchMerge", "RelativeAttention", "WindowAttention", "WindowDepartition", "WindowPartition"),
}  # fmt: skip

_HOME = {name: module for module, names in MODULES.items() for name in names}
_KIND_HOME = {name.lower(): module for name, module in _HOME.items()}

__all__ = ["LAYERS", "Layer", "layer_class", *sorted(_HOME)]


def load_kind(kind: str) -> None:
    """Import the module defining the layer registered as ``kind`` (``"conv2d"``), if there is one."""
    module = _KIND_HOME.get(kind)
    if module is not None:
        submodule(__name__, module)


def load_all() -> None:
    """Import every layer module (``LAYERS`` listed, ``symcnn layers``)."""
    for module in MODULES:
        submodule(__name__, module)


__getattr__, __dir__ = first_use(__name__, _HOME, globals())
