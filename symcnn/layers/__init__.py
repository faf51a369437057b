"""All layer kinds; importing this package fills the registry ``LAYERS``.

Each family module lists its layers in its own ``__all__``; this package
exports them all, so adding a layer kind touches only its module.
"""

from __future__ import annotations

from .attention import *  # noqa: F403
from .base import Layer
from .conv import *  # noqa: F403
from .dense import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .layout import *  # noqa: F403
from .merge import *  # noqa: F403
from .norm import *  # noqa: F403
from .padding import *  # noqa: F403
from .pool import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .reduce import *  # noqa: F403
from .registry import LAYERS, layer_class
from .resize import *  # noqa: F403
from .scale import *  # noqa: F403
from .unpool import *  # noqa: F403
from .usage import *  # noqa: F403

__all__ = ["LAYERS", "Layer", "layer_class", *sorted(cls.__name__ for cls in LAYERS.values())]
