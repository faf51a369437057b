"""The renderers, one module per format; each walks the same Derivation.

``Derivation.to_text()`` and friends call them; they read a derivation by its
attributes and never import :mod:`symcnn.derivation` (only for type checking),
so the imports run one way.
"""

from . import json, latex, markdown, text, tikz

__all__ = ["json", "latex", "markdown", "text", "tikz"]
