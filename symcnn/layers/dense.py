"""Dense layers and reshaping: Linear, Bilinear, Flatten, Embedding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError, SymcnnError, UnsupportedError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.display import ONE
from ..exact.rules import NOTATION, rule
from ..exact.steps import (
    Bind,
    Check,
    Outcome,
    Step,
    Tensor,
    bias_term,
    derive_step,
    format_shape,
    product,
    shown_product,
)
from .base import Layer
from .field import Field
from .registry import register


@register(prefix="dense")
@dataclass(frozen=True)
class Linear(Layer):
    """``torch.nn.Linear``: acts on the last dimension.

    >>> Linear(out_features=10).params((256,))
    2570
    """
    receptive: ClassVar[Field | None] = Field.DENSE

    last_prefix: ClassVar[str | None] = "output"  # the textbook's name for the final dense layer

    in_features: Any = None
    out_features: Any = None
    bias: bool = True

    def __post_init__(self) -> None:
        self._integer("in_features", optional=True)
        self._integer("out_features")
        self._flag("bias")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, at_least=1)
        features = x.shape[-1]
        check = self._check_declared("in_features", features)
        out = Tensor((*x.shape[:-1], self.out_features), (*x.shown[:-1], Tensor.of((self.out_features,)).shown[0]))
        units = Bind(self.out_features, "k")
        inputs_bind = Bind(features, "l", x.shown[-1])
        params = derive_step("params", rules.linear_params, l=inputs_bind, k=units, b=bias_term(self.bias))
        rows = product(x.shape[:-1])
        rows_bind = Bind(rows, "r", shown_product(list(x.shown[:-1])) if x.rank > 1 else ONE, omit=x.rank == 1)
        macs = derive_step("macs", rules.linear_macs, r=rows_bind, l=inputs_bind, k=units)
        return Outcome(out, params=params, macs=macs, checks=() if check is None else (check,))


# Bilinear's formulas live beside it (a rule may sit in its layer's module; it is registered all the same).
NOTATION.update({"l1": "features of a bilinear layer's first input", "l2": "features of its second input"})


@rule("bilinear layer: k units of l1*l2 weights, plus b biases each")
def bilinear_params(l1, l2, k, b):  # type: ignore[no-untyped-def]
    return (l1 * l2 + b) * k


@rule("bilinear layer: r rows of l1*l2*k products")
def bilinear_macs(r, l1, l2, k):  # type: ignore[no-untyped-def]
    return r * l1 * l2 * k


@register
@dataclass(frozen=True)
class Bilinear(Layer):
    """``torch.nn.Bilinear``: ``y = x1ᵀ A x2 + b`` on the last dimension of two inputs.

    Both inputs have the same leading dimensions; the output has ``out_features`` last.

    >>> from symcnn import Graph, Input
    >>> x1, x2 = Input(3, 4, name="x1"), Input(3, 6, name="x2")
    >>> d = Graph([x1, x2], Bilinear(out_features=5)(x1, x2)).derive()
    >>> d.output_shape, d.totals.params, d.totals.macs
    ((3, 5), 125, 360)
    """

    arity: ClassVar[int] = 2
    receptive: ClassVar[Field | None] = None  # mixes two inputs' features: no spatial field through it

    in1_features: Any = None
    in2_features: Any = None
    out_features: Any = None
    bias: bool = True

    def __post_init__(self) -> None:
        self._integer("in1_features", optional=True)
        self._integer("in2_features", optional=True)
        self._integer("out_features")
        self._flag("bias")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        first, second = inputs
        self._expect_rank(first, at_least=1, what="first input")
        self._expect_rank(second, at_least=1, what="second input")
        if first.rank != second.rank:
            raise ShapeError(
                f"both inputs must have the same leading dimensions, got {format_shape(first.shape)} "
                f"and {format_shape(second.shape)}"
            )
        checks = [
            check
            for check in (
                self._check_declared("in1_features", first.shape[-1]),
                self._check_declared("in2_features", second.shape[-1]),
                *(
                    self._must_hold(
                        "both inputs must have the same leading dimensions",
                        sympy.Eq(one, two),
                        f"leading dimensions differ: {format_shape(first.shape)} and {format_shape(second.shape)}",
                    )
                    for one, two in zip(first.shape[:-1], second.shape[:-1], strict=True)
                ),
            )
            if check is not None
        ]
        out = Tensor(
            (*first.shape[:-1], self.out_features), (*first.shown[:-1], Tensor.of((self.out_features,)).shown[0])
        )
        units = Bind(self.out_features, "k")
        l1, l2 = Bind(first.shape[-1], "l1", first.shown[-1]), Bind(second.shape[-1], "l2", second.shown[-1])
        params = derive_step("params", bilinear_params, l1=l1, l2=l2, k=units, b=bias_term(self.bias))
        rows = product(first.shape[:-1])
        shown_rows = shown_product(list(first.shown[:-1])) if first.rank > 1 else ONE
        rows_bind = Bind(rows, "r", shown_rows, omit=first.rank == 1)
        macs = derive_step("macs", bilinear_macs, r=rows_bind, l1=l1, l2=l2, k=units)
        return Outcome(out, params=params, macs=macs, checks=tuple(checks))


@register
@dataclass(frozen=True)
class Flatten(Layer):
    """``torch.nn.Flatten``; dimensions count the batch as 0, as in PyTorch."""
    receptive: ClassVar[Field | None] = Field.FLATTEN

    start_dim: int = 1
    end_dim: int = -1

    def __post_init__(self) -> None:
        self._integer("start_dim", minimum=None, formula=False)
        self._integer("end_dim", minimum=None, formula=False)
        if self.start_dim == 0:
            raise UnsupportedError("flatten: start_dim=0 would merge the batch dimension, which symcnn leaves out")

    def _span(self, rank: int) -> tuple[int, int]:
        def ours(dim: int) -> int:
            return dim - 1 if dim > 0 else dim + rank

        start, end = ours(self.start_dim), ours(self.end_dim)
        if not (0 <= start < rank and 0 <= end < rank) or start > end:
            raise ShapeError(
                f"start_dim={self.start_dim}, end_dim={self.end_dim} do not fit an input of {rank} dimensions (+ batch)"
            )
        return start, end

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        start, end = self._span(x.rank)
        merged = product(x.shape[start : end + 1])
        merged_shown = shown_product(list(x.shown[start : end + 1]))
        out = Tensor(
            (*x.shape[:start], merged, *x.shape[end + 1 :]),
            (*x.shown[:start], merged_shown, *x.shown[end + 1 :]),
        )
        features = Step("features", merged, shown=merged_shown) if end > start else None
        return Outcome(out, () if features is None else (features,))


@register
@dataclass(frozen=True)
class Embedding(Layer):
    """``torch.nn.Embedding``: input ``(L,)`` token indices, output ``(L, embedding_dim)``."""

    num_embeddings: Any = None
    embedding_dim: Any = None
    padding_idx: Any = None
    max_norm: Any = None
    norm_type: Any = 2.0
    scale_grad_by_freq: bool = False
    sparse: bool = False

    def __post_init__(self) -> None:
        self._integer("num_embeddings")
        self._integer("embedding_dim")
        if self.padding_idx is not None:
            self._integer("padding_idx", minimum=None)
            try:  # PyTorch refuses at construction; an open condition is listed by apply
                self._padding_index_check()
            except SymcnnError as error:
                raise self._fail(error.message) from None

    def _padding_index_check(self) -> Check | None:
        if self.padding_idx is None:
            return None
        index, count = self.padding_idx, self.num_embeddings
        return self._must_hold(
            f"padding_idx must be in [-{count}, {count})",
            sympy.And(sympy.Ge(index, -count), sympy.Lt(index, count)),
            f"padding_idx must be in [-{count}, {count}), got {index}",
        )

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        out = Tensor.of((*x.shape, self.embedding_dim))
        params = derive_step(
            "params", rules.embedding_params, v=Bind(self.num_embeddings, "v"), e=Bind(self.embedding_dim, "e")
        )
        check = self._padding_index_check()
        return Outcome(out, params=params, checks=() if check is None else (check,))


__all__ = ["Bilinear", "Embedding", "Flatten", "Linear"]
