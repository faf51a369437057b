"""DenseNets in growth_rate (a polynomial), and with other block configurations."""

from __future__ import annotations

import pytest
import sympy

import symcnn
from symcnn import SpecError, zoo


def test_block_config_must_be_numbers() -> None:
    with pytest.raises(SpecError, match="block_config"):
        zoo.densenet121(block_config=[6, 12, "N", 16])


torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


@pytest.mark.torch
@pytest.mark.parametrize("name", ["densenet121", "densenet161"])
def test_growth_rate_substituted_equals_torchvision(name: str) -> None:
    from torchvision.models.densenet import DenseNet

    from .compare import counts

    k = symcnn.symbols("k")
    d = zoo.get(name)(growth_rate=k).derive()
    defaults = zoo.get(name).hyperparameters
    for growth in (12, 24, 32, 33, 48):
        with torch.device("meta"):
            model = DenseNet(growth, tuple(defaults["block_config"]), defaults["num_init_features"])
        assert (d.subs(k=growth).totals.trainable, d.subs(k=growth).totals.buffers) == counts(model)


@pytest.mark.torch
def test_growth_rate_polynomial_equals_torchvision_interpolated() -> None:
    """At growth rates divisible by 4 the transitions' halvings are exact: a quadratic, fixed by three torch models."""
    from torchvision.models.densenet import DenseNet

    from .compare import counts

    k = symcnn.symbols("k")
    points = []
    for growth in (8, 16, 32):
        with torch.device("meta"):
            points.append((growth // 4, counts(DenseNet(growth, (6, 12, 24, 16), 64))[0]))
    total = zoo.densenet121(growth_rate=4 * k).derive().totals.trainable
    assert sympy.expand(total - sympy.interpolate(points, k)) == 0


@pytest.mark.torch
@pytest.mark.parametrize("config", [(1, 1, 1, 1), (2, 3, 4, 5), (6, 12, 24)])
def test_other_block_configs_equal_torchvision(config: tuple[int, ...]) -> None:
    from torchvision.models.densenet import DenseNet

    from .compare import assert_matches_torch

    with torch.device("meta"):
        model = DenseNet(32, config, 64).eval()
    assert_matches_torch(zoo.densenet121(block_config=config).derive(), model, [(97, 131)])
