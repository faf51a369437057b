"""The plain walks of the module tree give PyTorch's own names, in its order."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402

from symcnn.adapters.torch.tree import all_paths, first_paths  # noqa: E402


def shared_and_missing() -> nn.Module:
    """A module under two parents, a module twice in one Sequential, and a None child."""
    conv = nn.Conv2d(3, 3, 1)
    inner = nn.Sequential(conv, nn.ReLU())
    model = nn.Sequential(inner, nn.Sequential(inner, conv), conv)
    model.register_module("nothing", None)
    return model


@pytest.mark.parametrize("build", [shared_and_missing, lambda: torchvision.models.mobilenet_v3_small(weights=None)])
def test_walks_equal_named_modules(build: object) -> None:
    model = build()  # type: ignore[operator]
    assert [(name, id(module)) for module, name in first_paths(model).items()] == [
        (name, id(module)) for name, module in model.named_modules()
    ]
    assert [(name, id(module)) for name, module in all_paths(model).items()] == [
        (name, id(module)) for name, module in model.named_modules(remove_duplicate=False)
    ]
