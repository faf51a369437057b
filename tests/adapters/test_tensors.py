"""from_torch on the tensor operations transformers use, against PyTorch forward passes."""

from __future__ import annotations

from typing import Any

import pytest
import sympy

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from symcnn import ShapeError, UnsupportedError  # noqa: E402
from symcnn.adapters.torch import from_torch  # noqa: E402
from symcnn.exact.symbols import symbol  # noqa: E402


class Index(nn.Module):
    def forward(self, x: Any) -> Any:
        return x[:, 1:, ::2, -3] * 0.5 + 1


class Token(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.token = nn.Parameter(torch.zeros(1, 1, 8))
        self.position = nn.Parameter(torch.zeros(1, 6, 8))

    def forward(self, x: Any) -> Any:
        x = x.flatten(2).transpose(1, 2)
        x = torch.cat([self.token.expand(x.shape[0], -1, -1), x], dim=1)
        return (x + self.position)[:, 0]


class Asserted(nn.Module):
    def forward(self, x: Any) -> Any:
        torch._assert(x.shape[2] == 6, "height must be 6")
        return 1 - x


class Rearranged(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.shuffle = nn.PixelShuffle(2)
        self.unshuffle = nn.PixelUnshuffle(2)

    def forward(self, x: Any) -> Any:
        y = torch.roll(self.unshuffle(x), shifts=(1, -1), dims=(2, 3))
        z = F.pixel_shuffle(y, 2)
        padded = F.pad(z, (0, x.shape[3] % 3, 0, x.shape[2] % 3))
        return torch.stack([padded, padded], dim=1), self.shuffle(y)


def shapes_at(net: Any, **sizes: int) -> Any:
    return net.derive().subs(**sizes).output_shape


@pytest.mark.parametrize(("height", "width"), [(4, 6), (10, 8), (6, 12)])
def test_indexing_slicing_and_constants(height: int, width: int) -> None:
    net = from_torch(Index(), (4, "H", "W"))
    kinds = [row.kind for row in net.derive().rows]
    assert kinds == ["input", "slice", "slice", "select", "constantop", "constantop"]
    expected = Index()(torch.zeros(1, 4, height, width)).shape[1:]
    assert shapes_at(net, H=height, W=width) == tuple(expected)


def test_class_token_and_positional_embedding() -> None:
    model = Token()
    d = from_torch(model, (8, "H", "W")).derive()
    assert d.totals.trainable == sum(p.numel() for p in model.parameters())
    assert d.output_shape == (8,)
    relations = [condition.relation for condition in d.conditions]
    assert sympy.Eq(symbol("H") * symbol("W") + 1, 6) in relations  # the embedding's 6 tokens
    assert tuple(model(torch.zeros(1, 8, 1, 5)).shape[1:]) == d.subs(H=1, W=5).output_shape
    with pytest.raises(ShapeError):
        d.subs(H=2, W=3)


def test_a_size_assert_is_a_condition() -> None:
    d = from_torch(Asserted(), (3, "H", "W")).derive()
    assert [condition.relation for condition in d.conditions] == [sympy.Eq(symbol("H"), 6)]
    assert d.subs(H=6, W=9).output_shape == (3, 6, 9)
    with pytest.raises(ShapeError, match="H = 6"):
        d.subs(H=7, W=9)
    with pytest.raises(ShapeError, match="height must be 6"):
        from_torch(Asserted(), (3, 7, 9))
    with pytest.raises(AssertionError):
        Asserted()(torch.zeros(1, 3, 7, 9))  # PyTorch refuses it too


@pytest.mark.parametrize(("height", "width"), [(4, 6), (8, 10), (12, 4)])
def test_roll_pixel_shuffles_computed_padding_and_stack(height: int, width: int) -> None:
    model = Rearranged()
    d = from_torch(model, (4, "H", "W")).derive()
    stacked, shuffled = model(torch.zeros(1, 4, height, width))
    at = d.subs(H=height, W=width)
    assert at.output_shapes == (tuple(stacked.shape[1:]), tuple(shuffled.shape[1:]))
    with pytest.raises(ShapeError):
        d.subs(H=5, W=6)  # PixelUnshuffle(2) needs even sizes
    with pytest.raises(RuntimeError):
        model(torch.zeros(1, 4, 5, 6))


def test_what_cannot_be_mapped_is_listed_in_one_error() -> None:
    class Odd(nn.Module):
        def forward(self, x: Any) -> Any:
            return x[0] + x.unsqueeze(1).sum() + torch.sort(x)[0]

    with pytest.raises(UnsupportedError) as caught:
        from_torch(Odd(), (3, "H", "W"))  # symbolic: no numeric fallback
    message = str(caught.value)
    assert "operations have no symcnn equivalent" in message
    assert "batch dimension" in message and "unsqueeze" in message and "sort" in message
