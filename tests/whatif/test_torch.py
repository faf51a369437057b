"""What-if answers on torchvision models, checked against PyTorch itself (meta device, FlopCounterMode)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from symcnn import from_torch  # noqa: E402
from symcnn.whatif import solve, sweep  # noqa: E402


def torch_macs(model, height: int, width: int) -> int:
    with torch.device("meta"):
        x = torch.empty(1, 3, height, width)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(x)
    return counter.get_total_flops() // 2


@pytest.fixture(scope="module")
def resnet18():
    with torch.device("meta"):
        model = torchvision.models.resnet18().eval()
    return model, from_torch(torchvision.models.resnet18().eval(), (3, "H", "W")).derive()


def test_solve_matches_the_flop_counter(resnet18):
    model, d = resnet18
    answer = solve(d, "macs <= 1e9", largest="H", fixed={"W": 200})
    assert answer.status == "found"
    assert torch_macs(model, answer.value, 200) <= 10**9 < torch_macs(model, answer.value + 1, 200)


def test_sweep_matches_pytorch_on_a_sample(resnet18):
    model, d = resnet18
    result = sweep(d, ["H=1:700", "W=1:700"], random=12, seed=5)
    params = sum(p.numel() for p in model.parameters())
    for i in range(len(result)):
        height, width = int(result.columns["H"][i]), int(result.columns["W"][i])
        if not result.valid[i]:
            with pytest.raises(RuntimeError):
                torch_macs(model, height, width)
            continue
        assert result.column("params")[i] == params
        assert result.column("macs")[i] == torch_macs(model, height, width)
    assert np.any(result.valid)
