"""ResNets in their hyperparameters: width_per_group, block counts and groups, substituted, are torchvision's."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

import symcnn
from symcnn import SpecError, zoo

from .compare import counts, flops, module_shapes


def test_resnet50_total_is_a_polynomial_in_its_width_and_depth() -> None:
    w, N = symcnn.symbols("w N")
    total = zoo.resnet50(width_per_group=w, layers=[3, 4, N, 3]).derive().totals.trainable
    assert sympy.Poly(total, w, N).total_degree() == 3  # w**2 * N: the 3x3 convolutions of the repeated blocks
    assert total.subs({w: 64, N: 6}) == 25557032  # torchvision's published resnet50 count


def test_symbolic_block_count_repeats_the_rest_of_the_stage() -> None:
    N = symcnn.symbols("N")
    d = zoo.resnet18(layers=[2, N, 2, 2]).derive()
    assert not any("N" in str(condition.relation) for condition in d.conditions)  # valid from one block
    assert d.row("layer2.1.conv1").multiplicity == N - 1


def test_basic_block_refuses_groups_and_widths_like_torchvision() -> None:
    with pytest.raises(SpecError, match="BasicBlock"):
        zoo.resnet.resnet(zoo.resnet.basic_block, 1, (2, 2, 2, 2), 10, 2, 64, (3, 32, 32), "x")


torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


def bottleneck_model(layers: list[int], **options: Any) -> Any:
    from torchvision.models.resnet import Bottleneck, ResNet

    with torch.device("meta"):
        return ResNet(Bottleneck, layers, **options).eval()


@pytest.fixture(scope="module")
def symbolic() -> symcnn.Derivation:
    w, N, g = symcnn.symbols("w N g")
    return zoo.resnet50(width_per_group=w, layers=[3, 4, N, 3], groups=g).derive()


@pytest.mark.torch
@pytest.mark.parametrize(("width", "blocks", "groups"), [(64, 6, 1), (16, 2, 1), (128, 6, 1), (4, 6, 32), (8, 3, 4)])
def test_substituted_hyperparameters_equal_torchvision(symbolic, width: int, blocks: int, groups: int) -> None:
    model = bottleneck_model([3, 4, blocks, 3], width_per_group=width, groups=groups)
    at = symbolic.subs(w=width, N=blocks, g=groups)
    assert (at.totals.trainable, at.totals.buffers) == counts(model)
    sized = at.subs(H=97, W=129)
    _, seen = module_shapes(model, 97, 129)
    assert tuple(sized.row("layer3.1.conv2").output_shape) == seen["layer3.1.conv2"]
    assert 2 * sized.totals.macs == flops(model, 97, 129)


@pytest.mark.torch
def test_width_128_is_wide_resnet50_2(symbolic) -> None:
    with torch.device("meta"):
        wide = torchvision.models.wide_resnet50_2()
    assert symbolic.subs(w=128, N=6, g=1).totals.trainable == counts(wide)[0]


@pytest.mark.torch
def test_resnet50_width_polynomial_equals_torchvision_interpolated() -> None:
    """Parameters are quadratic in width_per_group: three torchvision models fix the polynomial."""
    w = symcnn.symbols("w")
    points = [(width, counts(bottleneck_model([3, 4, 6, 3], width_per_group=width))[0]) for width in (16, 32, 64)]
    interpolated = sympy.interpolate(points, w)
    assert sympy.expand(zoo.resnet50(width_per_group=w).derive().totals.trainable - interpolated) == 0


@pytest.mark.torch
def test_basic_block_counts_in_every_stage() -> None:
    from torchvision.models.resnet import BasicBlock, ResNet

    a, b = symcnn.symbols("a b")
    d = zoo.resnet34(layers=[a, 4, b, 3]).derive()
    for first, third in [(2, 2), (3, 6), (5, 2)]:
        with torch.device("meta"):
            model = ResNet(BasicBlock, [first, 4, third, 3])
        assert d.subs(a=first, b=third).totals.trainable == counts(model)[0]


def test_a_stage_of_one_block_is_valid() -> None:
    from symcnn import zoo

    d = zoo.resnet50(layers=[3, 4, "N", 3]).derive()
    assert d.conditions == ()  # no N >= 2
    one = d.subs(N=1, H=224, W=224)
    assert one.row("layer3.1.conv1").multiplicity == 0
    numeric = zoo.resnet50(layers=[3, 4, 1, 3]).derive().subs(H=224, W=224)
    assert (one.totals.trainable, one.totals.macs) == (numeric.totals.trainable, numeric.totals.macs)
    assert one.totals.trainable == 19_971_112  # torchvision's ResNet(Bottleneck, [3, 4, 1, 3])
    # The empty Repeat passes the receptive field through unchanged.
    def field(d: symcnn.Derivation) -> list[tuple[object, ...]]:
        return [(axis.size, axis.jump, axis.start) for axis in d.row("layer4.2.conv2").receptive_field]

    assert field(one) == field(numeric)
