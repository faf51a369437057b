"""Counting conventions: what a "parameter" and a "FLOP" mean in a result.

Peer tools disagree silently; symcnn states its choice in every result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

from ..errors import SpecError

__all__ = ["KERAS", "PYTORCH", "Conventions"]

Framework = Literal["pytorch", "keras"]


@dataclass(frozen=True)
class Conventions:
    """How quantities are counted.

    ``framework="pytorch"``: parameters are ``nn.Parameter`` elements (all
    trainable); BatchNorm's running statistics and ``num_batches_tracked`` are
    buffers, not parameters.  ``framework="keras"``: BatchNorm's moving mean and
    variance count as 2*C non-trainable parameters and there is no batch counter.

    MACs count the multiply-accumulates of convolutions, dense layers,
    recurrent gates and attention matrix products; bias additions,
    normalisation, activations and pooling count zero (the convention of
    ``torch.utils.flop_counter``).  FLOPs = ``flops_per_mac`` * MACs.
    """

    framework: Framework = "pytorch"
    flops_per_mac: int = 2

    def __post_init__(self) -> None:
        if self.framework not in ("pytorch", "keras"):
            raise SpecError(f"conventions: framework must be 'pytorch' or 'keras', got {self.framework!r}")
        if isinstance(self.flops_per_mac, bool) or not isinstance(self.flops_per_mac, int) or self.flops_per_mac < 1:
            raise SpecError(f"conventions: flops_per_mac must be a positive integer, got {self.flops_per_mac!r}")

    def merge(self, **changes: object) -> Conventions:
        """A copy with ``changes`` applied (unknown names are rejected)."""
        unknown = set(changes) - set(asdict(self))
        if unknown:
            raise SpecError(f"conventions: unknown option {sorted(unknown)[0]!r}")
        return replace(self, **changes)  # type: ignore[arg-type]

    def describe(self) -> str:
        stats = (
            "BatchNorm running statistics are buffers (PyTorch)"
            if self.framework == "pytorch"
            else "BatchNorm moving statistics are non-trainable parameters (Keras)"
        )
        return (
            f"{stats}; MACs count weight multiply-accumulates of conv/dense/recurrent/attention layers "
            f"(bias, norms, activations, pooling: 0); FLOPs = {self.flops_per_mac} x MACs"
        )

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "description": self.describe()}


PYTORCH = Conventions()
KERAS = Conventions(framework="keras")
