"""The module table: derived from the layer registry, so every layer PyTorch also has is mapped."""

from __future__ import annotations

import dataclasses

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from symcnn.adapters.torch.modules import _fields, _lookup, _module_table  # noqa: E402
from symcnn.layers import LAYERS, Conv2d, Linear  # noqa: E402


def test_every_registered_layer_that_pytorch_has_is_mapped() -> None:
    table = _module_table(torch)
    shared = [kind for kind in LAYERS.values() if isinstance(getattr(torch.nn, kind.__name__, None), type)]
    assert len(shared) >= 60
    missing = [kind.__name__ for kind in shared if getattr(torch.nn, kind.__name__) not in table]
    assert not missing


def test_arguments_are_read_from_the_layer_fields() -> None:
    module = torch.nn.Conv2d(3, 8, (3, 5), stride=2, padding=(1, 2), groups=1, bias=False, padding_mode="reflect")
    kind, arguments = _fields(Conv2d)(module)
    names = {field.name for field in dataclasses.fields(Conv2d)} - {"name"}
    assert kind is Conv2d and set(arguments) == names
    assert arguments["bias"] is False and arguments["padding"] == (1, 2) and arguments["padding_mode"] == "reflect"
    assert _fields(Linear)(torch.nn.Linear(4, 2))[1] == {"in_features": 4, "out_features": 2, "bias": True}


def test_subclasses_keeping_the_forward_are_mapped_and_others_are_not() -> None:
    table = _module_table(torch)

    class Tagged(torch.nn.Linear):
        pass

    class Changed(torch.nn.Linear):
        def forward(self, x):  # type: ignore[no-untyped-def]
            return super().forward(x) * 2

    assert _lookup(table, Tagged(2, 2)) is table[torch.nn.Linear]
    assert _lookup(table, Changed(2, 2)) is None
