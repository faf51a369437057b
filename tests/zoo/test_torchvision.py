"""Every zoo builder at its defaults is torchvision's model: counts, shapes, MACs, and the formulas themselves.

Models are built on the meta device (no weights allocated; forward passes
propagate shapes only), so even ResNet-152 and VGG-19 are cheap to compare.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from symcnn import zoo

from .compare import assert_matches_torch, same_formula, torch_model

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

#: builder -> torchvision keyword arguments that make the comparable model (eval-mode outputs).
MODELS: dict[str, dict[str, Any]] = {
    "alexnet": {},
    **{f"vgg{depth}{bn}": {} for depth in (11, 13, 16, 19) for bn in ("", "_bn")},
    **{name: {} for name in ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")},
    **{name: {} for name in ("resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d")},
    **{name: {} for name in ("wide_resnet50_2", "wide_resnet101_2")},
    **{name: {} for name in ("mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large")},
    **{f"densenet{depth}": {} for depth in (121, 161, 169, 201)},
    **{name: {} for name in ("squeezenet1_0", "squeezenet1_1")},
    **{f"efficientnet_b{index}": {} for index in range(8)},
    **{f"convnext_{size}": {} for size in ("tiny", "small", "base", "large")},
    "googlenet": {"aux_logits": False, "init_weights": False},
    "inception_v3": {"aux_logits": False, "init_weights": False},
}
SIZES = [(99, 131), (225, 193)]
#: With their auxiliary classifiers (torchvision's default), GoogLeNet and Inception v3 are compared in
#: training mode, where the auxiliary outputs are computed; from_torch cannot follow their named-tuple output,
#: so their formulas are compared without the auxiliary classifiers.
AUXILIARY = {"googlenet": [(99, 131), (225, 193)], "inception_v3": [(299, 331), (343, 301)]}


def from_torch_totals(model: Any) -> Any:
    import symcnn

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return symcnn.from_torch(model, (3, "H", "W")).derive().totals


@pytest.mark.parametrize("name", sorted(MODELS))
def test_defaults_equal_torchvision(name: str) -> None:
    model = torch_model(name, **MODELS[name])
    d = zoo.get(name)(**({"aux_logits": False} if name in AUXILIARY else {})).derive()
    assert_matches_torch(d, model, SIZES)
    reference = from_torch_totals(model)
    for quantity in ("trainable", "buffers", "macs", "activations"):
        assert same_formula(getattr(d.totals, quantity), getattr(reference, quantity)), quantity


@pytest.mark.parametrize("name", sorted(AUXILIARY))
def test_auxiliary_classifiers_equal_torchvision_in_training(name: str) -> None:
    model = torch_model(name, init_weights=False).train()
    for module in model.modules():  # batch statistics of one sample are undefined; shapes and counts do not change
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eval()
    d = zoo.get(name)().derive()
    assert len(d.output_shapes) == (3 if name == "googlenet" else 2)
    assert_matches_torch(d, model, AUXILIARY[name])


def test_every_builder_is_compared() -> None:
    assert set(zoo.BUILDERS) - {"lenet5", "mnist_cnn"} == set(MODELS)
