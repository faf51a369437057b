"""``torch.nn.MultiheadAttention``: self-attention on one input, or query/key/value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import ShapeError, SymcnnError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.steps import Bind, Outcome, Tensor, derive_step, format_shape
from .base import Layer
from .registry import register

__all__ = ["MultiheadAttention"]  # AttentionWeights: made by importers only


@register(prefix="attention")
@dataclass(frozen=True)
class MultiheadAttention(Layer):
    """Inputs ``(L, embed_dim)`` (self-attention) or query ``(L, E)``, key ``(S, kdim)``, value ``(S, vdim)``.

    ``embed_dim`` may be left out: it is read from the query, as ``in_channels`` is.

    >>> MultiheadAttention(num_heads=4).output_shape((10, 64))
    (10, 64)
    >>> MultiheadAttention(num_heads=4).params((10, 64))
    16640
    """

    arity: ClassVar[int] = -1  # one or three inputs

    embed_dim: Any = None
    num_heads: Any = None
    dropout: Any = 0.0
    bias: bool = True
    add_bias_kv: bool = False
    add_zero_attn: bool = False
    kdim: Any = None
    vdim: Any = None
    batch_first: bool = False

    def __post_init__(self) -> None:
        self._integer("embed_dim", optional=True)
        self._integer("num_heads")
        self._integer("kdim", optional=True)
        self._integer("vdim", optional=True)
        for flag in ("bias", "add_bias_kv", "add_zero_attn", "batch_first"):
            self._flag(flag)
        if self.embed_dim is not None:  # PyTorch refuses at construction; the condition is listed by apply
            try:
                self._divides("num_heads", self.num_heads, "embed_dim", self.embed_dim)
            except SymcnnError as error:
                raise self._fail(error.message) from None

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        if len(inputs) not in (1, 3):
            raise ShapeError(f"takes 1 input (self-attention) or 3 (query, key, value), got {len(inputs)}")
        query, key, value = (inputs[0],) * 3 if len(inputs) == 1 else inputs
        for tensor, what in ((query, "query"), (key, "key"), (value, "value")):
            self._expect_rank(tensor, 2, what=f"{what} (length, features)")
        embed = query.shape[1] if self.embed_dim is None else self.embed_dim
        key_dim = self.kdim if self.kdim is not None else embed
        value_dim = self.vdim if self.vdim is not None else embed
        found = [
            self._check_declared("embed_dim", query.shape[1]),
            self._divides("num_heads", self.num_heads, "embed_dim", embed),
        ]
        for tensor, wanted, what in ((key, key_dim, "key"), (value, value_dim, "value")):
            shape = f"(length, {wanted})"
            failure = f"{what} must have shape {shape}, got {format_shape(tensor.shape)}"
            found.append(self._must_hold(f"{what} must have shape {shape}", sympy.Eq(tensor.shape[1], wanted), failure))
        found.append(
            self._must_hold(
                "key and value must have the same length",
                sympy.Eq(key.shape[0], value.shape[0]),
                f"key and value must have the same length, got {key.shape[0]} and {value.shape[0]}",
            )
        )
        checks = [check for check in found if check is not None]
        params = derive_step(
            "params",
            rules.attention_params,
            e=Bind(embed, "e"),
            kd=Bind(key_dim, "kd"),
            vd=Bind(value_dim, "vd"),
            b=Bind(sympy.Integer(int(self.bias)), "b", omit=not self.bias),
            z=Bind(sympy.Integer(int(self.add_bias_kv)), "z", omit=not self.add_bias_kv),
        )
        extra_keys = int(self.add_bias_kv) + int(self.add_zero_attn)
        macs = derive_step(
            "macs",
            rules.attention_macs,
            t=Bind(query.shape[0], "t", query.shown[0]),
            u=Bind(key.shape[0], "u", key.shown[0]),
            w=Bind(key.shape[0] + extra_keys, "w"),
            e=Bind(embed, "e"),
            kd=Bind(key_dim, "kd"),
            vd=Bind(value_dim, "vd"),
        )
        return Outcome(Tensor.of((query.shape[0], embed)), params=params, macs=macs, checks=tuple(checks))


@dataclass(frozen=True)
class AttentionWeights(Layer):
    """The attention weights ``nn.MultiheadAttention`` returns beside its output.

    Inputs: the query ``(L, E)`` and the key ``(S, E_k)``.  The weights are
    ``(L, S + extra)`` averaged over the heads, ``(heads, L, S + extra)`` per head
    (``average_attn_weights=False``); ``extra`` counts the key positions the layer
    adds (``add_bias_kv``, ``add_zero_attn``).  An importer's row: it holds nothing.

    >>> from symcnn import Conventions
    >>> query, key = Tensor.of((5, 8)), Tensor.of((7, 8))
    >>> AttentionWeights(heads=2).apply((query, key), Conventions()).output.shape
    (2, 5, 7)
    """

    kind: ClassVar[str] = "attention_weights"
    prefix: ClassVar[str] = "weights"
    arity: ClassVar[int] = 2

    heads: Any = None  # None: averaged over the heads
    extra: Any = 0

    def __post_init__(self) -> None:
        if self.heads is not None:
            self._integer("heads")
        self._integer("extra", minimum=0)

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        query, key = inputs
        self._expect_rank(query, 2, what="query (length, features)")
        self._expect_rank(key, 2, what="key (length, features)")
        grid = (query.shape[0], key.shape[0] + self.extra)
        return Outcome(Tensor.of(grid if self.heads is None else (self.heads, *grid)))
