"""Recurrent layers: RNN, LSTM (with optional projection), GRU.

Input is an unbatched sequence ``(L, input_size)``; output ``(L, D*h_out)``
with ``D`` = 2 when bidirectional.  PyTorch keeps two bias vectors per gate
set (``b_ih`` and ``b_hh``), hence ``2*b`` in the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import sympy

from ..errors import UnsupportedError
from ..exact import rules
from ..exact.conventions import Conventions
from ..exact.display import leaf
from ..exact.simplify import decide
from ..exact.steps import Bind, Check, Outcome, Tensor, derive_step
from .base import Layer
from .registry import register

__all__ = ["GRU", "LSTM", "RNN"]  # FinalState: made by importers only


@dataclass(frozen=True)
class _Recurrent(Layer):
    gates: ClassVar[int] = 1

    def _validate(self) -> None:
        self._integer("input_size", optional=True)
        self._integer("hidden_size")
        self._integer("num_layers")
        self._flag("bias")
        self._flag("batch_first")
        self._flag("bidirectional")

    def _projection(self) -> sympy.Expr:
        return sympy.Integer(0)

    def _projection_checks(self) -> tuple[Check, ...]:
        return ()

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 2, what="input (sequence length, features)")
        steps, features = x.shape
        check = self._check_declared("input_size", features)
        directions = sympy.Integer(2 if self.bidirectional else 1)  # type: ignore[attr-defined]
        projection = self._projection()
        width = projection if projection != 0 else self.hidden_size  # type: ignore[attr-defined]
        binds = {
            "D": Bind(directions, "D", omit=directions == 1),
            "h": Bind(self.hidden_size, "h"),  # type: ignore[attr-defined]
            "x": Bind(features, "x", x.shown[1]),
            "L": Bind(self.num_layers - 1, leaf("L") - 1, omit=self.num_layers == 1),  # type: ignore[attr-defined]
        }
        bias = Bind(sympy.Integer(int(self.bias)), "b", omit=not self.bias)  # type: ignore[attr-defined]
        if projection != 0:
            binds["r"] = Bind(projection, "r")
            params = derive_step("params", rules.lstm_proj_params, b=bias, **binds)
            macs = derive_step("macs", rules.lstm_proj_macs, t=Bind(steps, "t", x.shown[0]), **binds)
        else:
            gates = Bind(sympy.Integer(self.gates), "G", omit=self.gates == 1)
            params = derive_step("params", rules.recurrent_params, G=gates, b=bias, **binds)
            macs = derive_step("macs", rules.recurrent_macs, t=Bind(steps, "t", x.shown[0]), G=gates, **binds)
        out = Tensor.of((steps, directions * width))
        checks = (() if check is None else (check,)) + self._projection_checks()
        return Outcome(out, params=params, macs=macs, checks=checks)


@register
@dataclass(frozen=True)
class RNN(_Recurrent):
    """``torch.nn.RNN`` (positional order as PyTorch: ..., num_layers, nonlinearity, bias, ...)."""

    input_size: Any = None
    hidden_size: Any = None
    num_layers: Any = 1
    nonlinearity: str = "tanh"
    bias: bool = True
    batch_first: bool = False
    dropout: Any = 0.0
    bidirectional: bool = False

    def __post_init__(self) -> None:
        self._validate()
        self._choice("nonlinearity", ("tanh", "relu"))


@register
@dataclass(frozen=True)
class LSTM(_Recurrent):
    """``torch.nn.LSTM``; ``proj_size`` > 0 adds the projection ``W_hr``."""

    gates: ClassVar[int] = 4

    input_size: Any = None
    hidden_size: Any = None
    num_layers: Any = 1
    bias: bool = True
    batch_first: bool = False
    dropout: Any = 0.0
    bidirectional: bool = False
    proj_size: Any = 0

    def __post_init__(self) -> None:
        self._validate()
        self._integer("proj_size", minimum=0)
        if self.proj_size != 0 and decide(sympy.Ge(self.proj_size, 1)) is not sympy.true:
            # 0 switches the projection off (another formula), so a formula must not reach 0.
            raise UnsupportedError(
                f"proj_size {self.proj_size} may be 0, which removes the projection and changes every formula; "
                "write 0 as a number, or a formula that is at least 1",
                where=self.kind,
            )
        if self.proj_size != 0 and decide(sympy.Lt(self.proj_size, self.hidden_size)) is sympy.false:
            raise self._fail(
                f"proj_size has to be smaller than hidden_size, got {self.proj_size} >= {self.hidden_size}"
            )

    def _projection_checks(self) -> tuple[Check, ...]:
        if self.proj_size == 0:
            return ()
        check = self._must_hold(
            "proj_size must be smaller than hidden_size",
            sympy.Lt(self.proj_size, self.hidden_size),
            f"proj_size has to be smaller than hidden_size, got {self.proj_size} >= {self.hidden_size}",
        )
        return () if check is None else (check,)

    def _projection(self) -> sympy.Expr:
        return self.proj_size  # type: ignore[no-any-return]


@register
@dataclass(frozen=True)
class GRU(_Recurrent):
    """``torch.nn.GRU``: three gates."""

    gates: ClassVar[int] = 3

    input_size: Any = None
    hidden_size: Any = None
    num_layers: Any = 1
    bias: bool = True
    batch_first: bool = False
    dropout: Any = 0.0
    bidirectional: bool = False

    def __post_init__(self) -> None:
        self._validate()


@dataclass(frozen=True)
class FinalState(Layer):
    """A recurrent layer's final hidden (``h_n``) or cell (``c_n``) state, read beside its output.

    Its input is the recurrent layer's output ``(L, D*h_out)``; its shape is one
    sample's ``(D*num_layers, size)``.  PyTorch returns the state as
    ``(D*num_layers, N, size)``, the batch in dimension 1 whatever
    ``batch_first`` says.  An importer's row for ``h`` or ``c``: it holds nothing.

    >>> FinalState(layers=2, size=20).output_shape((7, 40))
    (2, 20)
    """

    kind: ClassVar[str] = "final_state"
    prefix: ClassVar[str] = "state"

    layers: Any = 1
    size: Any = None

    def __post_init__(self) -> None:
        self._integer("layers")
        self._integer("size")

    def apply(self, inputs: Sequence[Tensor], conventions: Conventions) -> Outcome:
        (x,) = inputs
        self._expect_rank(x, 2, what="input (the recurrent layer's output: sequence length, features)")
        return Outcome(Tensor.of((self.layers, self.size)))
