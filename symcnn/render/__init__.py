"""The renderers, one module per format; each walks the same Derivation.

``Derivation.to_text()`` and friends call them; they read a derivation by its
attributes and never import :mod:`symcnn.derivation` (only for type checking),
so the imports run one way.  Each format's module is imported when first used
(``symcnn.render.latex`` or ``from symcnn.render import latex``), so a
derivation that is only counted loads none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import first_use

if TYPE_CHECKING:
    from . import html, json, latex, markdown, text, tikz

__all__ = ["html", "json", "latex", "markdown", "text", "tikz"]

__getattr__, __dir__ = first_use(__name__, dict.fromkeys(__all__), globals())  # each name is a submodule
