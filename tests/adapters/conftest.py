"""Every import in these tests is checked against PyTorch's own sums (issue 17's invariant).

``from_torch`` hands a traced model to the importer and an untraceable one to
the measuring pass; both are wrapped here so that each network they return is
derived and its totals compared with ``sum(p.numel() for p in
model.parameters())`` and ``sum(b.numel() for b in model.buffers())``,
independently of the check the importer makes itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def assert_totals_match(model: Any, network: Any) -> None:
    totals = network.derive().totals
    if totals.params.is_number:  # a count that depends on the input is checked by its conditions
        assert totals.params == sum(p.numel() for p in model.parameters()), (totals.params, type(model).__name__)
        assert totals.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    if totals.buffers.is_number:
        assert totals.buffers == sum(b.numel() for b in model.buffers()), (totals.buffers, type(model).__name__)


@pytest.fixture(autouse=True)
def _every_import_keeps_pytorch_totals(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    try:
        import torch  # noqa: F401
    except ImportError:  # the adapter's tests skip themselves without torch
        yield
        return
    import symcnn.adapters.torch as adapter

    importer, measure = adapter._Importer, adapter.measure

    class Checked(importer):  # type: ignore[misc, valid-type]
        def run(self, graph: Any) -> Any:
            network = super().run(graph)
            assert_totals_match(self.root, network)
            return network

    def measured(torch: Any, module: Any, *args: Any, **kwargs: Any) -> Any:
        network = measure(torch, module, *args, **kwargs)
        assert_totals_match(module, network)
        return network

    monkeypatch.setattr(adapter, "_Importer", Checked)
    monkeypatch.setattr(adapter, "measure", measured)
    yield
