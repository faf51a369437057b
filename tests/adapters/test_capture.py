"""The fast capture gives torch.fx's graph node for node, or steps aside for the plain trace.

For every torchvision model and every user-style model of the corpora, the
graph of :func:`capture` equals the graph of ``_trace``: each node's op,
target, args and kwargs (nodes replaced by their position), name, type and
``nn_module_stack``.  Where the fast tracer refuses (a constant torch.fx would
store on the model) or fails (control flow on a proxy), the plain trace runs:
the same graph, or the same error.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402

from symcnn.adapters.torch import capture as capture_module  # noqa: E402
from symcnn.adapters.torch.capture import _capture_class, _Refused, capture  # noqa: E402
from symcnn.adapters.torch.modules import _module_table  # noqa: E402
from symcnn.adapters.torch.tracing import _trace, _Untraceable  # noqa: E402
from symcnn.adapters.torch.transformer import more_modules  # noqa: E402

from .corpus import CORPUS  # noqa: E402
from .forum import REPORTS  # noqa: E402
from .graphs import signature  # noqa: E402
from .torchvision_models import build, regnet_widths_on_cpu  # noqa: E402, F401  (the fixture is autouse)

MODELS = torchvision.models.list_models(module=torchvision.models)
MODULES = {**_module_table(torch), **more_modules(torch)}


def fast(model: Any) -> Any:
    """The fast tracer alone, without the fallback."""
    return _capture_class(torch)(MODULES).trace(model)


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the models ``capture`` handed to the plain trace."""
    taken: list[str] = []

    def counted(torch: Any, module: Any, modules: Any) -> Any:
        taken.append(type(module).__name__)
        return _trace(torch, module, modules)

    monkeypatch.setattr(capture_module, "_trace", counted)
    return taken


# -- the graphs are the same --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MODELS)
def test_every_torchvision_model_gives_the_traced_graph_without_falling_back(name: str, fallbacks: list[str]) -> None:
    model = build(name)
    expected = signature(_trace(torch, model, MODULES))
    assert signature(capture(torch, model, MODULES)) == expected
    assert fallbacks == []


def outcome(model: Any, tracer: Any) -> Any:
    """The graph's signature, or the error's type and message."""
    try:
        return signature(tracer(torch, model, MODULES))
    except Exception as error:
        return (type(error).__name__, str(error))


def both(make: Any) -> tuple[Any, Any]:
    """The capture's outcome and the trace's, for one model (a parametrised module's class is its own).

    The capture goes first, on the model as made: a trace may store constants on it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make()
    return outcome(model, capture), outcome(model, _trace)


@pytest.mark.parametrize("name", list(CORPUS))
def test_every_corpus_model_gives_the_traced_graph_or_its_error(name: str) -> None:
    captured, traced = both(CORPUS[name].make)
    assert captured == traced


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_forum_model_gives_the_traced_graph_or_its_error(name: str) -> None:
    captured, traced = both(REPORTS[name].make)
    assert captured == traced


def test_the_comparison_sees_a_changed_target_argument_name_or_scope() -> None:
    model = build("resnet18")
    expected = signature(_trace(torch, model, MODULES))
    changes = [
        ("call_module", lambda node: setattr(node, "target", "layer1.1.conv2")),
        ("call_function", lambda node: setattr(node, "args", (*node.args, 1))),
        ("placeholder", lambda node: setattr(node, "name", f"{node.name}_x")),
        ("call_module", lambda node: node.meta.update(nn_module_stack={"fc": ("fc", nn.Linear)})),
    ]
    for op, change in changes:
        graph = capture(torch, model, MODULES)
        assert signature(graph) == expected
        change(next(node for node in graph.nodes if node.op == op))
        assert signature(graph) != expected


# -- models the fast paths are built for --------------------------------------------------------------------------


class Hooked(nn.Module):
    """A hook on a traced-through module runs on its proxies (torch.fx records its ``* 2``); a leaf's does not."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        self.block.register_forward_hook(lambda module, inputs, output: output * 2)
        self.head = nn.Linear(4, 2)
        self.head.register_forward_hook(lambda module, inputs, output: output + 1)

    def forward(self, x: Any) -> Any:
        return self.head(self.block(x))


class Parameters(nn.Module):
    """A parameter read twice is one ``get_attr`` node; a child's parameter and a Sequential used twice."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(4))
        self.fc = nn.Linear(4, 4)
        self.twice = nn.Sequential(nn.ReLU())

    def forward(self, x: Any, bias: Any = None) -> Any:
        x = self.twice(self.scale * x + self.scale)
        return torch.cat([self.twice(x), x * self.fc.weight.sum()], dim=-1).flatten(1)


class Shared(nn.Module):
    """One module under two names (the first is its path) and the same child twice in a Sequential."""

    def __init__(self) -> None:
        super().__init__()
        conv = nn.Conv2d(3, 3, 1)
        self.a = conv
        self.b = conv
        self.seq = nn.Sequential(conv, nn.ReLU(), conv)

    def forward(self, x: Any) -> Any:
        return self.seq(self.b(x)) + self.a(x)


@pytest.mark.parametrize("make", [Hooked, Parameters, Shared], ids=lambda make: make.__name__)
def test_hooks_parameters_and_shared_modules_give_the_traced_graph_without_falling_back(
    make: Any, fallbacks: list[str]
) -> None:
    captured, traced = both(make)
    assert captured == traced
    assert fallbacks == []


# -- the fallback ---------------------------------------------------------------------------------------------------


class OnData(nn.Module):
    def forward(self, x: Any) -> Any:
        if x.sum() > 0:  # control flow on a proxy: torch.fx cannot trace it
            return x
        return -x


class Constant(nn.Module):
    """``x + torch.ones(4)``: torch.fx stores the tensor on the model as ``_tensor_constant0``."""

    def forward(self, x: Any) -> Any:
        return x + torch.ones(4)


class Swallowing(Constant):
    """A forward that catches every exception cannot hide the refusal."""

    def forward(self, x: Any) -> Any:
        try:
            return x + torch.ones(4)
        except Exception:
            return x


def test_control_flow_on_data_falls_back_and_raises_the_trace_error(fallbacks: list[str]) -> None:
    with pytest.raises(_Untraceable) as plain:
        _trace(torch, OnData(), MODULES)
    with pytest.raises(_Untraceable) as captured:
        capture(torch, OnData(), MODULES)
    assert str(captured.value) == str(plain.value)
    assert "control flow" in str(captured.value)
    assert fallbacks == ["OnData"]


@pytest.mark.parametrize("make", [Constant, Swallowing], ids=lambda make: make.__name__)
def test_a_constant_stored_on_the_model_is_refused_and_traced_by_torch_fx(make: Any, fallbacks: list[str]) -> None:
    model = make()
    with pytest.raises(_Refused):
        fast(model)
    assert not hasattr(model, "_tensor_constant0")  # refused before torch.fx's step would change the model
    graph = capture(torch, model, MODULES)
    assert fallbacks == [make.__name__]
    assert hasattr(model, "_tensor_constant0")
    assert signature(graph) == signature(_trace(torch, make(), MODULES))
    assert [node.target for node in graph.nodes if node.op == "get_attr"] == ["_tensor_constant0"]


def test_a_module_made_during_forward_falls_back_to_the_same_error(fallbacks: list[str]) -> None:
    class MadeInForward(nn.Module):
        def forward(self, x: Any) -> Any:
            return nn.ReLU()(x)  # not a submodule: torch.fx has no path for it

    captured, traced = both(MadeInForward)
    assert captured == traced
    assert captured[0] == "_Untraceable"
    assert fallbacks == ["MadeInForward"]
