"""Attention in windows: Swin's shifted windows and patch merging, MaxViT's partitions.

Swin works channels-last, on ``(H, W, C)``.  :class:`WindowAttention` pads
``H`` and ``W`` up to whole windows, attends within each window of ``N``
positions (shifted or not: a shift moves no count) and crops back, so its
output has the input's shape while its MACs count the padded tokens ``T``.
:class:`PatchMerge` pads to even sizes and stacks each 2x2 patch into the
channels.

MaxViT partitions ``(C, H, W)`` into windows of ``p x p`` positions
(:class:`WindowPartition`; ``p`` must divide ``H`` and ``W``), attends within
each with a relative-position bias (:class:`RelativeAttention`) and puts the
windows back (:class:`WindowDepartition`).

Parameters and buffers are those of torchvision's modules; MACs count the
projections and both attention products (scores ``QK^T`` and the weighted
sum), as ``torch.utils.flop_counter`` counts their matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.simplify import decide
from ..exact.steps import Bind, Check, Outcome, Step, Tensor, derive_step, format_shape, shown_product
from .base import Layer
from .registry import register

__all__ = ["PatchMerge", "RelativeAttention", "WindowAttention", "WindowDepartition", "WindowPartition"]


def _flag_bind(present: bool, notation: str) -> Bind:
    return Bind(sympy.Integer(int(present)), notation, omit=not present)


def _settle(checks: list[Check], rule: str, holds: sympy.Basic, got: Any = None) -> None:
    """Raise when the numbers refute ``holds``; keep it as a condition when they do not settle it."""
    holds = decide(holds)
    if holds is sympy.false:
        raise ShapeError(f"{rule}" + (f", got {got}" if got is not None else ""))
    if holds is not sympy.true:
        checks.append(Check(rule, holds))


@register
@dataclass(frozen=True)
class WindowAttention(Layer):
    """Swin's (shifted) window attention on ``(H, W, C)``; ``version=2`` is Swin V2's.

    V1 learns a bias table of ``(2*w_h - 1)*(2*w_w - 1)`` rows per head; V2
    computes the bias with an MLP ``2 -> cpb_hidden -> num_heads`` and learns a
    logit scale per head.  Both keep the relative-position index as a buffer.

    >>> WindowAttention(3, (7, 7), (3, 3)).output_shape((56, 56, 96))
    (56, 56, 96)
    >>> WindowAttention(3, (7, 7)).params((56, 56, 96))
    37755
    >>> WindowAttention(3, (7, 7)).macs((9, 9, 96))  # padded to 14 x 14 tokens
    9069312
    """

    num_heads: Any = None
    window_size: Any = None
    shift_size: Any = (0, 0)
    qkv_bias: bool = True
    proj_bias: bool = True
    version: int = 1
    cpb_hidden: Any = 512

    def __post_init__(self) -> None:
        self._integer("num_heads")
        self._tuple("window_size", 2)
        self._tuple("shift_size", 2, minimum=0)
        self._flag("qkv_bias")
        self._flag("proj_bias")
        self._choice("version", (1, 2))
        self._integer("cpb_hidden")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 3, what="input (H, W, C)")
        height, width, channels = x.shape
        checks: list[Check] = []
        _settle(checks, "num_heads must divide the channels", sympy.Eq(sympy.Mod(channels, self.num_heads), 0))
        covered = [
            derive_step(name, rules.window_cover, i=Bind(size, "i", shown), win=Bind(window, "win"))
            for name, size, shown, window in zip(
                ("padded height", "padded width"), (height, width), x.shown[:2], self.window_size, strict=True
            )
        ]
        tokens = covered[0].value * covered[1].value
        per_window = self.window_size[0] * self.window_size[1]
        rows = (2 * self.window_size[0] - 1) * (2 * self.window_size[1] - 1)
        common = {
            "T": Bind(tokens, "T", shown_product([covered[0].value, covered[1].value])),
            "c": Bind(channels, "c", x.shown[2]),
            "N": Bind(per_window, "N", shown_product(list(self.window_size))),
        }
        bias = {"bq": _flag_bind(self.qkv_bias, "bq"), "bp": _flag_bind(self.proj_bias, "bp")}
        heads = Bind(self.num_heads, "nh")
        table = Bind(rows, "rt", shown_product([2 * w - 1 for w in self.window_size]))
        if self.version == 1:
            params = derive_step("params", rules.window_attention_params, c=common["c"], rt=table, nh=heads, **bias)
            macs = derive_step("macs", rules.window_attention_macs, **common)
            buffers = derive_step("buffers", rules.relative_index_buffers, N=common["N"])
        else:
            hidden = Bind(self.cpb_hidden, "f")
            params = derive_step("params", rules.window_attention_v2_params, c=common["c"], nh=heads, f=hidden, **bias)
            macs = derive_step("macs", rules.window_attention_v2_macs, rt=table, f=hidden, nh=heads, **common)
            buffers = derive_step("buffers", rules.relative_index_v2_buffers, N=common["N"], rt=table)
        return Outcome(x, tuple(covered), params=params, buffers=buffers, macs=macs, checks=tuple(checks))


@register
@dataclass(frozen=True)
class PatchMerge(Layer):
    """Swin's patch merging on ``(..., H, W, C)``: pad to even sizes, stack each 2x2 patch: ``4*C`` channels.

    >>> PatchMerge().output_shape((57, 56, 96))
    (29, 28, 384)
    """

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        if x.rank < 3:
            raise ShapeError(f"input must be (..., H, W, C), got {format_shape(x.shape)}")
        sizes = [
            derive_step(name, rules.size_halved_up, i=Bind(size, "i", shown))
            for name, size, shown in zip(("height", "width"), x.shape[-3:-1], x.shown[-3:-1], strict=True)
        ]
        out = Tensor.of((*x.shape[:-3], sizes[0].value, sizes[1].value, 4 * x.shape[-1]))
        return Outcome(out, tuple(sizes))


@register
@dataclass(frozen=True)
class WindowPartition(Layer):
    """MaxViT's partition of ``(C, H, W)`` into ``(H/p * W/p, p*p, C)``; ``p`` must divide ``H`` and ``W``.

    >>> WindowPartition(7).output_shape((64, 56, 56))
    (64, 49, 64)
    """

    partition: Any = None

    def __post_init__(self) -> None:
        self._integer("partition")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 3, what="input (C, H, W)")
        channels, height, width = x.shape
        p = self.partition
        checks: list[Check] = []
        for name, size in (("height", height), ("width", width)):
            _settle(checks, f"the partition size {p} must divide the {name}", sympy.Eq(sympy.Mod(size, p), 0), size)
        count = derive_step(
            "partitions",
            rules.partitions,
            i=Bind(height, "i", x.shown[1]),
            j=Bind(width, "j", x.shown[2]),
            p=Bind(p, "p"),
        )
        return Outcome(Tensor.of((count.value, p * p, channels)), (count,), checks=tuple(checks))


@register
@dataclass(frozen=True)
class WindowDepartition(Layer):
    """MaxViT's inverse partition: ``(h*w, p*p, C)`` back to ``(C, h*p, w*p)``.

    >>> WindowDepartition(7, 8, 8).output_shape((64, 49, 64))
    (64, 56, 56)
    """

    partition: Any = None
    h_partitions: Any = None
    w_partitions: Any = None

    def __post_init__(self) -> None:
        for name in ("partition", "h_partitions", "w_partitions"):
            self._integer(name)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 3, what="input (partitions, positions, C)")
        count, positions, channels = x.shape
        p = self.partition
        wanted = self.h_partitions * self.w_partitions * p * p
        checks: list[Check] = []
        rule = f"the partitions must hold {self.h_partitions} x {self.w_partitions} windows of {p} x {p}"
        _settle(checks, rule, sympy.Eq(count * positions, wanted), count * positions)
        height = Step("height", self.h_partitions * p, shown=shown_product([self.h_partitions, p]))
        width = Step("width", self.w_partitions * p, shown=shown_product([self.w_partitions, p]))
        return Outcome(Tensor.of((channels, height.value, width.value)), (height, width), checks=tuple(checks))


@register(prefix="attention")
@dataclass(frozen=True)
class RelativeAttention(Layer):
    """MaxViT's relative-position multi-head attention on ``(P, N, C)``, windows of ``N = partition**2``.

    >>> RelativeAttention(2, 7).params((64, 49, 64))
    16978
    >>> RelativeAttention(2, 7).macs((64, 49, 64))
    71049216
    """

    arity: ClassVar[int] = 1

    num_heads: Any = None
    partition_size: Any = None

    def __post_init__(self) -> None:
        self._integer("num_heads")
        self._integer("partition_size")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 3, what="input (partitions, positions, C)")
        count, positions, channels = x.shape
        size = self.partition_size
        checks: list[Check] = []
        rule = f"each window must have {size} x {size} positions (the bias table's)"
        _settle(checks, rule, sympy.Eq(positions, size * size), positions)
        _settle(checks, "num_heads must divide the channels", sympy.Eq(sympy.Mod(channels, self.num_heads), 0))
        rows = Bind((2 * size - 1) ** 2, "rt", shown_product([2 * size - 1, 2 * size - 1]))
        c = Bind(channels, "c", x.shown[2])
        params = derive_step("params", rules.relative_attention_params, c=c, rt=rows, nh=Bind(self.num_heads, "nh"))
        n = Bind(size * size, "N", shown_product([size, size]))
        macs = derive_step("macs", rules.relative_attention_macs, P=Bind(count, "P", x.shown[0]), N=n, c=c)
        buffers = derive_step("buffers", rules.relative_index_buffers, N=n)
        return Outcome(x, params=params, buffers=buffers, macs=macs, checks=tuple(checks))
