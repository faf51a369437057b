"""Sequential chains are written directly, node for node as the torch.fx trace records them, or left to the trace."""

from __future__ import annotations

import operator
from typing import Any

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402
from torchvision.ops.misc import Conv2dNormActivation  # noqa: E402

from symcnn.adapters.torch.chains import _chain  # noqa: E402
from symcnn.adapters.torch.modules import _module_table  # noqa: E402
from symcnn.adapters.torch.tracing import _trace  # noqa: E402
from symcnn.adapters.torch.transformer import more_modules  # noqa: E402

from .graphs import signature  # noqa: E402

MODULES = {**_module_table(torch), **more_modules(torch)}


class Stack(nn.Sequential):
    """A Sequential subclass keeping Sequential's forward: a chain."""


class Reversed(nn.Sequential):
    def forward(self, x: Any) -> Any:
        for module in reversed(self):
            x = module(x)
        return x


def shared() -> nn.Sequential:
    conv = nn.Conv2d(3, 3, 1)
    return nn.Sequential(conv, nn.ReLU(), nn.Sequential(conv, nn.BatchNorm2d(3)), conv)


def hooked() -> nn.Sequential:
    inner = nn.Sequential(nn.ReLU(), nn.Conv2d(3, 3, 1))
    inner.register_forward_hook(lambda module, inputs, output: output * 2)  # the trace records its `* 2`
    return nn.Sequential(nn.Conv2d(3, 3, 1), inner)


def with_none() -> nn.Sequential:
    model = nn.Sequential(nn.ReLU(), nn.ReLU())
    model._modules["1"] = None
    return model


def own_forward() -> nn.Sequential:
    model = nn.Sequential(nn.ReLU(), nn.Flatten())
    model.forward = lambda x: x  # type: ignore[method-assign]  # an instance's forward: not Sequential's
    return model


CHAINS = {
    "plain": lambda: nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 4)),
    "nested": lambda: nn.Sequential(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sequential(nn.ReLU())), nn.Flatten()),
    "subclass": lambda: Stack(nn.Conv2d(3, 4, 3), Stack(nn.BatchNorm2d(4), nn.ReLU())),
    "torchvision_block": lambda: Conv2dNormActivation(3, 8, 3),
    "blocks_in_a_sequential": lambda: nn.Sequential(Conv2dNormActivation(3, 8, 3), Conv2dNormActivation(8, 8, 1)),
    "shared_item_called_three_times": shared,
    "empty": nn.Sequential,
    "hooks_on_the_root": lambda: _with_root_hook(nn.Sequential(nn.ReLU(), nn.Conv2d(3, 3, 1))),
}
TRACED = {
    "unmapped_item": lambda: nn.Sequential(nn.ReLU(), nn.Softmax2d()),  # symcnn has no Softmax2d
    "own_forward_class": lambda: Reversed(nn.ReLU(), nn.Flatten()),
    "own_forward_instance": own_forward,
    "hooks_on_a_nested_sequential": hooked,
    "none_item": with_none,
    "not_a_sequential": lambda: nn.ModuleList([nn.ReLU()]),
}


def _with_root_hook(model: nn.Sequential) -> nn.Sequential:
    model.register_forward_hook(lambda module, inputs, output: output + 1)  # the trace calls forward, not the hooks
    return model


@pytest.mark.parametrize("name", list(CHAINS))
def test_a_chain_is_written_as_the_trace_records_it(name: str) -> None:
    model = CHAINS[name]()
    written = _chain(torch, model, MODULES)
    assert written is not None
    assert signature(written) == signature(_trace(torch, model, MODULES))


@pytest.mark.parametrize("name", list(TRACED))
def test_what_the_trace_must_run_is_not_a_chain(name: str) -> None:
    assert _chain(torch, TRACED[name](), MODULES) is None


def test_the_hook_of_a_nested_chain_would_change_the_graph() -> None:
    """Why hooks are refused: the trace records them (the comparison above would fail)."""
    graph = _trace(torch, hooked(), MODULES)
    assert [node.target for node in graph.nodes if node.op == "call_function"] == [operator.mul]


def test_an_item_listed_twice_is_called_twice_under_its_first_name() -> None:
    written = _chain(torch, shared(), MODULES)
    assert [node.target for node in written.nodes if node.op == "call_module"] == ["0", "1", "0", "2.1", "0"]
    assert [node.name for node in written.nodes][1:-1] == ["_0", "_1", "_0_1", "_2_1", "_0_2"]
