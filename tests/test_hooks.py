from __future__ import annotations

import pytest

import symcnn
import symcnn.examples
from symcnn.hooks import OPERATIONS, call, provides


def test_the_upper_modules_register_their_operations():
    assert {"derive", "render.text", "render.latex", "render.json", "render.markdown_summary"} <= set(OPERATIONS)
    mnist = symcnn.load_spec(symcnn.examples.MNIST)
    assert call("derive", mnist).totals.params == 217706


def test_an_operation_is_provided_once():
    with pytest.raises(ValueError, match="provided twice"):
        provides("derive")(lambda: None)
