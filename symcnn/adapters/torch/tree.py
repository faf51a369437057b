"""The model's module tree, walked without PyTorch's generator per module.

``named_modules()`` makes one generator per module and a numeric summary used to
walk the tree five times (the lazy-parameter check, the trace memo, the capture,
the tensors, the submodule table); these plain walks give the same names in the
same order at a fraction of the cost.
"""

from __future__ import annotations

from typing import Any

__all__ = ["all_paths", "first_paths"]


def first_paths(root: Any) -> dict[Any, str]:
    """``{module: name for name, module in root.named_modules()}``: each module once, at its first name.

    The order is ``named_modules()``'s (depth first, parents before children).
    """
    paths = {root: ""}

    def walk(module: Any, prefix: str) -> None:
        for name, child in module._modules.items():
            if child is None or child in paths:
                continue
            path = f"{prefix}.{name}" if prefix else name
            paths[child] = path
            walk(child, path)

    walk(root, "")
    return paths


def all_paths(root: Any) -> dict[str, Any]:
    """``dict(root.named_modules(remove_duplicate=False))``: every path, a shared module under each."""
    found = {"": root}

    def walk(module: Any, prefix: str) -> None:
        for name, child in module._modules.items():
            if child is None:
                continue
            path = f"{prefix}.{name}" if prefix else name
            found[path] = child
            walk(child, path)

    walk(root, "")
    return found
