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
    return {module: name for name, module in _named(root, remove_duplicate=True)}


def all_paths(root: Any) -> dict[str, Any]:
    """``dict(root.named_modules(remove_duplicate=False))``: every path, a shared module under each."""
    return dict(_named(root, remove_duplicate=False))


def _named(root: Any, *, remove_duplicate: bool) -> list[tuple[str, Any]]:
    """``list(root.named_modules(remove_duplicate=...))`` by plain recursion."""
    found = [("", root)]
    seen = {root}

    def walk(module: Any, prefix: str) -> None:
        for name, child in module._modules.items():
            if child is None or (remove_duplicate and child in seen):
                continue
            seen.add(child)
            path = f"{prefix}.{name}" if prefix else name
            found.append((path, child))
            walk(child, path)

    walk(root, "")
    return found
