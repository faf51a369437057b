"""The renderers, one module per format; each walks the same Derivation.

Importing this package registers them (:mod:`symcnn.hooks`), which is what
``Derivation.to_text()`` and friends call.
"""

from . import json, latex, markdown, text, tikz

__all__ = ["json", "latex", "markdown", "text", "tikz"]
