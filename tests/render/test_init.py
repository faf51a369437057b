"""Each format's module loads on first use: ``symcnn.render.latex`` is the module, and ``dir`` lists them all."""

from __future__ import annotations

import importlib

import pytest

from symcnn import render


def test_each_format_is_its_module_and_listed() -> None:
    for name in render.__all__:
        assert getattr(render, name) is importlib.import_module(f"symcnn.render.{name}")
        assert name in dir(render)


def test_an_unknown_format_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'pdf'"):
        _ = render.pdf
