"""The renderers, one module per format; each walks the same Derivation.

``Derivation.to_text()`` and friends call them; they read a derivation by its
attributes and never import :mod:`symcnn.derivation` (only for type checking),
so the imports run one way.  Each format's module is imported when first used
(``symcnn.render.latex`` or ``from symcnn.render import latex``), so a
derivation that is only counted loads none of them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import html, json, latex, markdown, text, tikz

__all__ = ["html", "json", "latex", "markdown", "text", "tikz"]


def _submodule(name: str) -> Any:
    # The import statement's own path (not importlib's), so ``python -X importtime`` lists the module.
    __import__(f"{__name__}.{name}")
    return sys.modules[f"{__name__}.{name}"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _submodule(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
