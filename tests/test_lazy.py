"""First-use imports: a name's module loads when the name is first read, once; unknown names are errors."""

from __future__ import annotations

import sys
import types

import pytest

from symcnn.lazy import first_use


def _package(table: dict[str, str | None]) -> types.ModuleType:
    """A stand-in for ``symcnn.render``, whose globals the loader fills."""
    made = types.ModuleType("symcnn.render")
    made.__all__ = sorted(table)  # type: ignore[attr-defined]
    made.__getattr__, made.__dir__ = first_use("symcnn.render", table, vars(made))  # type: ignore[attr-defined]
    return made


def test_a_name_loads_its_module_once_and_a_submodule_is_itself() -> None:
    package = _package({"latex": None, "escape": "latex"})
    assert package.latex is sys.modules["symcnn.render.latex"]
    assert package.escape is sys.modules["symcnn.render.latex"].escape
    assert vars(package)["escape"] is package.escape  # stored: later reads skip __getattr__


def test_dir_lists_the_table_and_an_unknown_name_is_an_attribute_error() -> None:
    package = _package({"latex": None})
    assert "latex" in dir(package) and "latex" not in vars(package)
    with pytest.raises(AttributeError, match=r"module 'symcnn\.render' has no attribute 'pdf'"):
        _ = package.pdf
