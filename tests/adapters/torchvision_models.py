"""Helper for the torchvision tests: each classification model built on the meta device, RegNet included.

``test_torchvision.py`` and ``test_capture.py`` import :func:`build` and the
module-scoped autouse fixture :func:`regnet_widths_on_cpu` (a fixture imported
into a test module is that module's fixture).  torch is imported on use: the
callers skip first where it is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module", autouse=True)
def regnet_widths_on_cpu() -> Iterator[None]:
    """RegNet computes its widths with tensors and ``.tolist()``, which the meta device cannot do."""
    import torch
    from torchvision.models import regnet

    original = regnet.BlockParams.from_init_params.__func__

    def on_cpu(cls: Any, *args: Any, **kwargs: Any) -> Any:
        with torch.device("cpu"):
            return original(cls, *args, **kwargs)

    regnet.BlockParams.from_init_params = classmethod(on_cpu)
    yield
    regnet.BlockParams.from_init_params = classmethod(original)


def build(name: str) -> Any:
    """torchvision's model ``name`` on the meta device, in eval mode (no auxiliary heads, no weight init)."""
    import torch
    import torchvision

    options = {"aux_logits": False, "init_weights": False} if name in ("googlenet", "inception_v3") else {}
    with torch.device("meta"):
        return torchvision.models.get_model(name, **options).eval()
