"""Traces are remembered per model and written directly for plain nn.Sequential chains."""

from __future__ import annotations

import gc
import weakref

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402

from symcnn.adapters.torch import clear_trace_cache, from_torch  # noqa: E402
from symcnn.adapters.torch.importer import _Importer, _input_shapes  # noqa: E402
from symcnn.adapters.torch.modules import _module_table  # noqa: E402
from symcnn.adapters.torch.tracecache import _chain, traced  # noqa: E402
from symcnn.adapters.torch.tracing import _trace  # noqa: E402


def chain() -> nn.Sequential:
    inner = nn.Sequential(nn.Conv2d(8, 8, 3, groups=2), nn.BatchNorm2d(8))
    return nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), inner, nn.Flatten(), nn.Dropout())


def rows(model: nn.Module, graph: object) -> list[tuple[str, str, object, object]]:
    modules = _module_table(torch)
    d = _Importer(torch, model, _input_shapes((3, "H", "W")), modules).run(graph).derive()
    return [(row.name, row.kind, row.output_shape, row.params.value) for row in d.rows]


def test_a_plain_sequential_is_read_without_tracing_and_gives_the_traced_graph() -> None:
    model, modules = chain(), _module_table(torch)
    direct = _chain(torch, model, modules)
    assert direct is not None
    assert rows(model, direct) == rows(model, _trace(torch, model, modules))


def test_sequential_with_an_unmapped_module_is_traced() -> None:
    class Twice(nn.Module):
        def forward(self, x: object) -> object:
            return x + x

    assert _chain(torch, nn.Sequential(nn.ReLU(), Twice()), _module_table(torch)) is None
    d = from_torch(nn.Sequential(nn.ReLU(), Twice()), (3, 4, 4)).derive()
    assert [row.kind for row in d.rows] == ["input", "relu", "add"]


def test_a_trace_is_reused_until_the_model_changes() -> None:
    clear_trace_cache()
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
    modules = _module_table(torch)
    first = traced(torch, model, modules)
    assert traced(torch, model, modules) is first
    model.append(nn.Flatten())
    assert traced(torch, model, modules) is not first
    assert from_torch(model, (3, 5, 5)).derive().output_shape == (36,)
    model.train()
    assert traced(torch, model, modules) is not traced(torch, model.eval(), modules)


def test_a_branch_setting_retraces_and_a_mapped_layer_setting_is_read_afresh() -> None:
    class Branching(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.mode = "conv"  # a plain setting choosing the graph

        def forward(self, x: object) -> object:
            return self.conv(x) if self.mode == "conv" else x

    clear_trace_cache()
    model, modules = Branching(), _module_table(torch)
    first = traced(torch, model, modules)
    model.conv.stride = (2, 2)  # a mapped layer: one node whatever its settings, read at import
    assert traced(torch, model, modules) is first
    assert from_torch(model, (3, 9, 9)).derive().output_shape == (4, 4, 4)
    model.mode = "identity"
    assert traced(torch, model, modules) is not first
    assert from_torch(model, (3, 9, 9)).derive().output_shape == (3, 9, 9)


def test_the_memo_does_not_keep_models_alive() -> None:
    model = chain()
    from_torch(model, (3, 16, 16))
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_a_module_listed_twice_in_a_sequential_is_counted_at_both_calls() -> None:
    conv = nn.Conv2d(3, 3, 1)
    d = from_torch(nn.Sequential(conv, nn.ReLU(), conv), (3, 4, 4)).derive()
    assert [row.name for row in d.rows][1:] == ["0 (call 1 of 2)", "1", "0 (call 2 of 2)"]
