"""Stage tables' stages: ResNet-50's match torchvision's stage modules, and they sum to the totals."""

from __future__ import annotations

import pytest
import sympy

import symcnn
import symcnn.model.examples
from symcnn import zoo
from symcnn.render.stages import stages


def test_resnet50_stages_sum_to_the_network_totals():
    derivation = zoo.resnet50(width_per_group="w").derive()
    found = stages(derivation)
    assert [stage.name for stage in found] == ["conv1–maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool–fc"]
    assert sympy.expand(sum(stage.params for stage in found) - derivation.totals.params) == 0
    assert sympy.expand(sum(stage.macs for stage in found) - derivation.totals.macs) == 0
    assert sum(len(stage.rows) for stage in found) == len(derivation.layers)


@pytest.mark.torch
def test_resnet50_stages_match_torchvision_modules():
    pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.resnet50()
    derivation = symcnn.from_torch(model, (3, "H", "W")).derive()
    by_name = {stage.name: stage for stage in stages(derivation)}

    def count(*modules: object) -> int:
        return sum(p.numel() for module in modules for p in module.parameters())  # type: ignore[attr-defined]

    for name in ("layer1", "layer2", "layer3", "layer4"):
        assert by_name[name].params == count(getattr(model, name)), name
    assert by_name["conv1–maxpool"].params == count(model.conv1, model.bn1)
    assert by_name["avgpool–fc"].params == count(model.fc)

    # The block bracket lists each bottleneck's convolutions: kernel sizes and widths as torch has them.
    for name, blocks in (("layer1", 3), ("layer2", 4), ("layer3", 6), ("layer4", 3)):
        (bracket,) = by_name[name].brackets
        block = getattr(model, name)[1]
        convs = [block.conv1, block.conv2, block.conv3]
        assert [(entry.kernel, entry.channels) for entry in bracket.entries] == [
            (tuple(conv.kernel_size), conv.out_channels) for conv in convs
        ]
        assert bracket.times == blocks == len(getattr(model, name))
        projection = getattr(model, name)[0].downsample[0]
        assert [(e.kernel, e.channels, e.stride) for e in bracket.first] == [
            (tuple(projection.kernel_size), projection.out_channels, projection.stride[0])
        ]


def test_a_repeat_multiplies_the_bracket_symbolically():
    block = symcnn.Sequential(symcnn.Conv2d(out_channels=8, kernel_size=3, padding=1), symcnn.ReLU(), name="unit")
    network = symcnn.Sequential(
        symcnn.Input(8, "H", "W"),
        symcnn.Sequential(symcnn.Repeat(block, "n", name="body"), name="stage1"),
        symcnn.Conv2d(out_channels=4, kernel_size=1, name="head"),
    )
    derivation = network.derive()
    found = stages(derivation)
    assert [stage.name for stage in found] == ["stage1", "head"]
    (bracket,) = found[0].brackets
    assert bracket.times == sympy.Symbol("n", integer=True, positive=True)
    assert [str(entry) for entry in bracket.entries] == ["3×3, 8"]
    assert found[0].params == derivation.totals.params - 4 * 8 - 4


def test_a_flat_network_has_one_run_of_layers():
    derivation = symcnn.load_spec(symcnn.model.examples.MNIST).derive()
    assert all(stage.prefix is None for stage in stages(derivation))
