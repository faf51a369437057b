"""Training memory as formulas in the batch size: parameters, gradients, optimizer state, activations.

Two conventions, described in docs/conventions.md:

* ``saved``: the output of every layer is kept for the backward pass (an
  upper-bound style estimate that knows nothing of in-place operations,
  activation checkpointing, workspaces or allocator overhead);
* ``torchinfo``: what torchinfo prints, to the byte: "Params size" counts the
  parameters (no buffers), "Forward/backward pass size" twice the outputs of the
  layers that have parameters.

>>> import symcnn
>>> net = symcnn.Sequential(symcnn.Input(1, 28, 28), symcnn.Conv2d(out_channels=32, kernel_size=5))
>>> m = net.derive().memory(batch="B", optimizer="adam")
>>> m.params_bytes, m.gradient_bytes, m.optimizer_bytes, m.activation_bytes
(3328, 3328, 6656, 73728*B)
>>> m.total_bytes
76864*B + 13312
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from ..errors import SpecError
from ..exact import rules
from ..exact.values import integer_at_least, to_expr

if TYPE_CHECKING:  # read by its attributes only: the derivation imports this module
    from ..derivation.derivation import Derivation

__all__ = ["CONVENTIONS", "DTYPES", "OPTIMIZERS", "Memory", "memory"]

DTYPES = {
    "float64": 8, "double": 8,
    "float32": 4, "float": 4, "fp32": 4,
    "float16": 2, "half": 2, "fp16": 2,
    "bfloat16": 2, "bf16": 2,
}  # fmt: skip
# Optimizer state per trainable parameter, as torch.optim keeps it.
OPTIMIZERS = {
    "none": 0,
    "sgd": 0,
    "sgd-momentum": 1,
    "momentum": 1,
    "adam": 2,
    "adamw": 2,
    "adam-amsgrad": 3,
    "amsgrad": 3,
}
CONVENTIONS = ("saved", "torchinfo")
FLOAT32 = 4
COUNTER = 8  # BatchNorm's num_batches_tracked is an int64


@dataclass(frozen=True)
class Memory:
    """Bytes of one training step, each a formula in ``batch`` and the network's symbols."""

    convention: str
    batch: sympy.Expr
    dtype: str
    optimizer: str
    params_bytes: sympy.Expr
    buffer_bytes: sympy.Expr
    gradient_bytes: sympy.Expr
    optimizer_bytes: sympy.Expr
    input_bytes: sympy.Expr
    activation_bytes: sympy.Expr

    @property
    def total_bytes(self) -> sympy.Expr:
        return sympy.expand(
            self.params_bytes
            + self.buffer_bytes
            + self.gradient_bytes
            + self.optimizer_bytes
            + self.input_bytes
            + self.activation_bytes
        )

    def largest_batch(self, budget: object) -> sympy.Expr:
        """The largest batch whose ``total_bytes`` fit in ``budget`` bytes (a number or a formula).

        The total is linear in the batch, ``a*batch + c``, so the answer is
        ``floor((budget - c)/a)``, exact; below 1 the network does not fit at all.
        Needs this memory computed with a symbolic batch (the default ``"B"``).

        >>> import symcnn
        >>> net = symcnn.Sequential(symcnn.Input(1, 28, 28), symcnn.Conv2d(out_channels=32, kernel_size=5))
        >>> net.derive().memory(optimizer="adam").largest_batch("1e6")
        12
        """
        if not isinstance(self.batch, sympy.Symbol):
            raise SpecError("largest_batch: compute the memory with a symbolic batch, e.g. memory(batch='B')")
        limit = to_expr(budget, "budget")
        total = self.total_bytes
        per_item, fixed = total.coeff(self.batch, 1), total.coeff(self.batch, 0)
        if sympy.expand(total - per_item * self.batch - fixed) != 0 or per_item == 0:
            raise SpecError(f"largest_batch: the total {total} is not linear in {self.batch}")
        return sympy.floor((limit - fixed) / per_item)

    def as_dict(self) -> dict[str, sympy.Expr | str]:
        return {
            "convention": self.convention,
            "batch": self.batch,
            "dtype": self.dtype,
            "optimizer": self.optimizer,
            "params_bytes": self.params_bytes,
            "buffer_bytes": self.buffer_bytes,
            "gradient_bytes": self.gradient_bytes,
            "optimizer_bytes": self.optimizer_bytes,
            "input_bytes": self.input_bytes,
            "activation_bytes": self.activation_bytes,
            "total_bytes": self.total_bytes,
        }


def memory(
    derivation: Derivation,
    batch: object = "B",
    dtype: str = "float32",
    optimizer: str | None = None,
    convention: str = "saved",
) -> Memory:
    """Training memory of ``derivation`` for a batch of ``batch`` (a number or a formula).

    16-bit dtypes mean mixed precision: a float32 master copy of the trainable
    parameters, and the optimizer state in float32 beside it.
    """
    size = _choice(dtype, DTYPES, "dtype")
    state = _choice(optimizer or "none", OPTIMIZERS, "optimizer")
    if convention not in CONVENTIONS:
        raise SpecError(f"memory convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
    count = to_expr(batch, "batch")
    integer_at_least(count, 1, "batch")
    layers = derivation.layers
    inputs = sympy.Add(*(sympy.Mul(*row.output_shape) for row in derivation.rows if row.kind == "input"))
    input_bytes = sympy.expand(count * inputs * size)
    totals = derivation.totals
    if convention == "torchinfo":
        with_params = sympy.Add(*(row.multiplicity * row.activations for row in layers if row.total_params != 0))
        return Memory(
            convention, count, dtype, optimizer or "none",
            params_bytes=sympy.expand(totals.params * size),
            buffer_bytes=sympy.S.Zero,
            gradient_bytes=sympy.S.Zero,
            optimizer_bytes=sympy.S.Zero,
            input_bytes=input_bytes,
            activation_bytes=sympy.expand(2 * count * with_params * size),
        )  # fmt: skip
    mixed = size < FLOAT32
    state_size = FLOAT32 if mixed else size
    counters = sympy.Add(
        *(row.multiplicity for row in layers if row.buffers.rule is rules.batchnorm_buffers and row.buffers.value != 0)
    )
    return Memory(
        convention, count, dtype, optimizer or "none",
        params_bytes=sympy.expand(totals.params * size),
        buffer_bytes=sympy.expand((totals.buffers - counters) * size + counters * COUNTER),
        gradient_bytes=sympy.expand(totals.trainable * size),
        optimizer_bytes=sympy.expand(totals.trainable * (state * state_size + (FLOAT32 if mixed else 0))),
        input_bytes=input_bytes,
        activation_bytes=sympy.expand(count * totals.activations * size),
    )  # fmt: skip


def _choice(value: str, table: dict[str, int], what: str) -> int:
    key = value.lower()
    if key not in table:
        raise SpecError(f"{what} must be one of {', '.join(table)}, got {value!r}")
    return table[key]
