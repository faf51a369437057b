"""User-style PyTorch modules, one per pattern of issue 11, for the corpus tests.

Each entry of :data:`CORPUS` makes a fresh module and says how to feed it:
the input shape symcnn is given (sizes may be symbols), the sizes to run it
at, the input's dtype, and whether PyTorch's ``FlopCounterMode`` counts its
MACs (it does not count recurrent layers on the CPU).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune


@dataclass(frozen=True)
class Case:
    make: Callable[[], nn.Module]
    shape: tuple[Any, ...]
    sizes: dict[str, int]
    dtype: torch.dtype = torch.float32
    flops: bool = True  # FlopCounterMode counts this model's MACs
    numeric: bool = False  # torch.fx cannot follow it: imported from one forward pass

    def example(self) -> torch.Tensor:
        shape = (1, *(self.sizes.get(size, size) if isinstance(size, str) else size for size in self.shape))
        if self.dtype == torch.long:
            return torch.randint(0, 10, shape)
        return torch.randn(shape)


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    )


# -- frozen parameters -----------------------------------------------------------------------------


def frozen_backbone() -> nn.Module:
    """Fine-tuning: the first half of the parameter tensors frozen."""
    model = small_cnn()
    for parameter in list(model.parameters())[:4]:
        parameter.requires_grad = False
    return model


def frozen_weight_only() -> nn.Module:
    """A Linear whose weight is frozen and whose bias trains."""
    model = nn.Sequential(nn.Linear(12, 6), nn.ReLU(), nn.Linear(6, 3))
    model[0].weight.requires_grad = False
    return model


def frozen_everything() -> nn.Module:
    model = small_cnn()
    model.requires_grad_(False)
    return model


class FrozenScale(nn.Module):
    """A layer scale kept fixed."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.gamma = nn.Parameter(torch.ones(4, 1, 1), requires_grad=False)

    def forward(self, x: Any) -> Any:
        return self.gamma * self.conv(x)


# -- pruning ---------------------------------------------------------------------------------------


def pruned_conv() -> nn.Module:
    model = small_cnn()
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    prune.random_unstructured(model[8], "bias", amount=0.3)
    return model


def pruned_globally() -> nn.Module:
    model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))
    prune.global_unstructured([(model[0], "weight"), (model[2], "weight")], prune.L1Unstructured, amount=0.4)
    return model


# -- parameters and buffers the forward does not use -----------------------------------------------


class ReadOnly(nn.Module):
    """A parameter read but not computed with."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(8, 4)
        self.w = nn.Parameter(torch.zeros(5, 5))

    def forward(self, x: Any) -> Any:
        _ = self.w
        return self.fc(x)


class Alternatives(nn.Module):
    """An ``nn.ModuleDict`` of which the forward uses one entry."""

    def __init__(self, choice: str = "small") -> None:
        super().__init__()
        self.choice = choice
        self.heads = nn.ModuleDict({"small": nn.Linear(16, 4), "large": nn.Linear(16, 64), "deep": small_cnn()})

    def forward(self, x: Any) -> Any:
        return self.heads[self.choice](x)


class Listed(nn.Module):
    """An ``nn.ParameterList``; the forward uses its first item."""

    def __init__(self) -> None:
        super().__init__()
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(6, 1)) for _ in range(3)])

    def forward(self, x: Any) -> Any:
        return self.scales[0] * x


class AuxiliaryHeads(nn.Module):
    """GoogLeNet's pattern: auxiliary classifiers used only while training."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
        self.aux1 = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))
        self.aux2 = nn.Linear(8, 10)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def forward(self, x: Any) -> Any:
        x = self.features(x)
        if self.training:
            return self.head(x), self.aux1(x), self.aux2(x.mean((2, 3)))
        return self.head(x)


class SpareBuffer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.register_buffer("table", torch.zeros(7, 3))

    def forward(self, x: Any) -> Any:
        return self.fc(x)


# -- shared modules and tied weights ---------------------------------------------------------------


class Loop(nn.Module):
    """One convolution applied six times."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: Any) -> Any:
        for _ in range(6):
            x = self.conv1(x)
        return x


class OneReLU(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(8, 8), nn.Linear(8, 8)
        self.act = nn.ReLU()

    def forward(self, x: Any) -> Any:
        return self.act(self.b(self.act(self.a(x))))


class Recursive(nn.Module):
    """A recursive net: the same cell four times, then a head."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.Sequential(nn.Linear(10, 10), nn.Tanh())
        self.head = nn.Linear(10, 2)

    def forward(self, x: Any) -> Any:
        for _ in range(4):
            x = self.cell(x) + x
        return self.head(x)


class TiedLanguageModel(nn.Module):
    """The decoder's weight is the embedding's."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(50, 16)
        self.hidden = nn.Linear(16, 16)
        self.decoder = nn.Linear(16, 50)
        self.decoder.weight = self.embedding.weight

    def forward(self, tokens: Any) -> Any:
        return self.decoder(torch.relu(self.hidden(self.embedding(tokens))))


class FunctionalShared(nn.Module):
    """``F.linear`` twice with the same weight."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(6, 6))
        self.bias = nn.Parameter(torch.zeros(6))

    def forward(self, x: Any) -> Any:
        return F.linear(F.linear(x, self.weight, self.bias).relu(), self.weight)


class SiameseBlock(nn.Module):
    """One block applied to two halves, then merged."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(3, 6, 3), nn.BatchNorm2d(6), nn.ReLU())

    def forward(self, x: Any) -> Any:
        return self.block(x) + self.block(torch.relu(x))


# -- bare layers -----------------------------------------------------------------------------------


def bare_lstm() -> nn.Module:
    return nn.LSTM(6, 5, batch_first=True)


# -- functional layers -----------------------------------------------------------------------------


class FunctionalLayers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv_weight = nn.Parameter(torch.randn(8, 3, 3, 3))
        self.conv_bias = nn.Parameter(torch.zeros(8))
        self.grouped = nn.Parameter(torch.randn(8, 2, 1, 1))
        self.fc_weight = nn.Parameter(torch.randn(10, 8))
        self.fc_bias = nn.Parameter(torch.zeros(10))

    def forward(self, x: Any) -> Any:
        x = F.conv2d(x, self.conv_weight, self.conv_bias, stride=2, padding=1)
        x = F.conv2d(x, self.grouped, groups=4)
        return F.linear(x.mean((2, 3)), self.fc_weight, self.fc_bias)


class Functional1d3d(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(4, 2, 3))
        self.w3 = nn.Parameter(torch.randn(2, 4, 1, 2, 2))
        self.b3 = nn.Parameter(torch.zeros(2))

    def forward(self, x: Any) -> Any:
        y = F.conv1d(x, self.w1, dilation=2)
        return F.conv3d(y.view(y.size(0), 4, 2, 2, 2), self.w3, self.b3, padding=(0, 1, 0))


class MatrixProducts(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(12, 8))
        self.w2 = nn.Parameter(torch.randn(8, 8))
        self.w3 = nn.Parameter(torch.randn(8, 4))
        self.b3 = nn.Parameter(torch.zeros(4))

    def forward(self, x: Any) -> Any:
        x = torch.mm(x, self.w1)
        x = torch.matmul(x, self.w2)
        return torch.addmm(self.b3, x, self.w3)


class TokenMatmul(nn.Module):
    """``x @ W`` on a sequence: a projection of the last dimension."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Parameter(torch.randn(6, 3))

    def forward(self, x: Any) -> Any:
        return x @ self.proj


# -- dtype and device moves ------------------------------------------------------------------------


class Moves(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: Any) -> Any:
        x = x.float().to(torch.float32).cpu()
        y = self.conv(x.to("cpu")).double()
        return y.float().contiguous()


# -- padding and unpooling -------------------------------------------------------------------------


def pads_1d() -> nn.Module:
    return nn.Sequential(
        nn.ReflectionPad1d((2, 1)),
        nn.Conv1d(2, 4, 3),
        nn.ReplicationPad1d(3),
        nn.CircularPad1d((1, 2)),
    )


def pads_2d() -> nn.Module:
    return nn.Sequential(
        nn.ReflectionPad2d(1),
        nn.Conv2d(3, 4, 3),
        nn.ReplicationPad2d((1, 0, 2, 1)),
        nn.CircularPad2d(2),
        nn.Conv2d(4, 2, 3),
    )


def pads_3d() -> nn.Module:
    return nn.Sequential(nn.ReflectionPad3d(1), nn.ReplicationPad3d((0, 1, 1, 0, 2, 2)), nn.CircularPad3d(1))


class FunctionalPads(nn.Module):
    def forward(self, x: Any) -> Any:
        x = F.pad(x, (1, 1, 2, 0), mode="reflect")
        x = F.pad(x, (3, 3, 1, 1), mode="replicate")
        return F.pad(x, (1, 0, 0, 1), mode="circular")


class SegNetLike(nn.Module):
    """Encoder pooling with indices, decoder unpooling with them."""

    def __init__(self) -> None:
        super().__init__()
        self.encode = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2, 2)
        self.decode = nn.Conv2d(8, 3, 3, padding=1)

    def forward(self, x: Any) -> Any:
        y, indices = self.pool(torch.relu(self.encode(x)))
        return self.decode(self.unpool(y, indices))


class Unpool1d(nn.Module):
    def forward(self, x: Any) -> Any:
        y, indices = F.max_pool1d(x, 3, stride=2, return_indices=True)
        return F.max_unpool1d(y, indices, 3, stride=2)


# -- view(-1, n) -----------------------------------------------------------------------------------


class MnistNet(nn.Module):
    """The PyTorch MNIST example's network."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x: Any) -> Any:
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


class ViewFlatten(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(2, 3, 3)
        self.fc = nn.Linear(12, 2)

    def forward(self, x: Any) -> Any:
        return self.fc(self.conv(x).view(-1, 12))


# -- recurrent layers ------------------------------------------------------------------------------


class SequenceFirst(nn.Module):
    """``batch_first=False`` and a forward returning ``(output, (h, c))``."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(8, 16, num_layers=2)
        self.fc = nn.Linear(16, 4)

    def forward(self, x: Any) -> Any:
        output, (h, c) = self.lstm(x)
        return self.fc(output), (h, c)


class GruFirst(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(5, 7, bidirectional=True)

    def forward(self, x: Any) -> Any:
        return self.gru(x)


class TokenRnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(30, 8)
        self.rnn = nn.RNN(8, 8, batch_first=True)
        self.head = nn.Linear(8, 30)

    def forward(self, tokens: Any) -> Any:
        output, hidden = self.rnn(self.embedding(tokens))
        return self.head(output), hidden


# -- what torch.fx cannot trace --------------------------------------------------------------------


class DataDependent(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 4)
        self.spare = nn.Linear(3, 3)

    def forward(self, x: Any) -> Any:
        y = self.conv(x)
        if y.sum() > 0:
            y = torch.relu(y)
        return self.fc(y.mean((2, 3)))


@dataclass
class Prediction:
    logits: torch.Tensor
    features: torch.Tensor


class CustomOutput(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = small_cnn()[:6]
        self.head = nn.Linear(16, 5)

    def forward(self, x: Any) -> Any:
        features = self.backbone(x)
        return Prediction(self.head(features.mean((2, 3))), features)


class SizedTensors(nn.Module):
    """A tensor created from a traced size."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x: Any) -> Any:
        return self.fc(x) + torch.ones(x.size(0), 6)


def scripted() -> nn.Module:
    return torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3)))


class WithScriptedPart(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)))
        self.head = nn.Linear(4, 2)

    def forward(self, x: Any) -> Any:
        return self.head(self.stem(x).mean((2, 3)))


CORPUS: dict[str, Case] = {
    # frozen
    "frozen_backbone": Case(frozen_backbone, (3, "H", "W"), {"H": 17, "W": 12}),
    "frozen_weight_only": Case(frozen_weight_only, (12,), {}),
    "frozen_everything": Case(frozen_everything, (3, "H", "W"), {"H": 9, "W": 9}),
    "frozen_scale": Case(FrozenScale, (3, "H", "W"), {"H": 5, "W": 4}),
    # pruned
    "pruned_conv": Case(pruned_conv, (3, "H", "W"), {"H": 11, "W": 8}),
    "pruned_globally": Case(pruned_globally, (20,), {}),
    # unused
    "read_only_parameter": Case(ReadOnly, (8,), {}),
    "module_dict": Case(Alternatives, (16,), {}),
    "parameter_list": Case(Listed, (6, "L"), {"L": 9}),
    "auxiliary_heads": Case(lambda: AuxiliaryHeads().eval(), (3, "H", "W"), {"H": 8, "W": 10}),
    "spare_buffer": Case(SpareBuffer, (4,), {}),
    # shared and tied
    "conv_in_a_loop": Case(Loop, (4, "H", "W"), {"H": 6, "W": 7}),
    "one_relu": Case(OneReLU, (8,), {}),
    "recursive": Case(Recursive, (10,), {}),
    "tied_embedding": Case(TiedLanguageModel, ("L",), {"L": 7}, dtype=torch.long),
    "functional_shared": Case(FunctionalShared, (6,), {}),
    "siamese_block": Case(lambda: SiameseBlock().eval(), (3, "H", "W"), {"H": 7, "W": 9}),
    # bare layers
    "bare_linear": Case(lambda: nn.Linear(10, 5), (10,), {}),
    "bare_conv": Case(lambda: nn.Conv2d(3, 8, 3, stride=2), (3, "H", "W"), {"H": 13, "W": 10}),
    "bare_batchnorm": Case(lambda: nn.BatchNorm1d(6).eval(), (6,), {}),
    "bare_lstm": Case(bare_lstm, ("L", 6), {"L": 5}, flops=False),
    "bare_multihead_attention": Case(
        lambda: _SelfAttention(nn.MultiheadAttention(8, 2, batch_first=True)), ("L", 8), {"L": 6}
    ),
    # functional layers
    "functional_conv_linear": Case(FunctionalLayers, (3, "H", "W"), {"H": 10, "W": 7}),
    "functional_1d_3d": Case(Functional1d3d, (2, 12), {}),
    "matrix_products": Case(MatrixProducts, (12,), {}),
    "token_matmul": Case(TokenMatmul, ("L", 6), {"L": 4}),
    # dtype and device moves
    "moves": Case(Moves, (3, "H", "W"), {"H": 6, "W": 5}),
    # padding and unpooling
    "pads_1d": Case(pads_1d, (2, "L"), {"L": 6}),
    "pads_2d": Case(pads_2d, (3, "H", "W"), {"H": 5, "W": 6}),
    "pads_3d": Case(pads_3d, (2, "D", "H", "W"), {"D": 3, "H": 4, "W": 5}),
    "functional_pads": Case(FunctionalPads, (2, "H", "W"), {"H": 4, "W": 5}),
    "segnet_unpool": Case(SegNetLike, (3, "H", "W"), {"H": 8, "W": 6}),
    "unpool_1d": Case(Unpool1d, (2, "L"), {"L": 11}),
    # view(-1, n)
    "mnist_view": Case(lambda: MnistNet().eval(), (1, "H", "W"), {"H": 28, "W": 28}),
    "view_flatten": Case(ViewFlatten, (2, 6), {}),
    # recurrent
    "sequence_first_lstm": Case(SequenceFirst, ("N", 8), {"N": 3}, flops=False),
    "sequence_first_gru": Case(GruFirst, ("N", 5), {"N": 2}, flops=False),
    "token_rnn_with_hidden": Case(TokenRnn, ("L",), {"L": 6}, dtype=torch.long, flops=False),
    # untraceable: measured
    "data_dependent": Case(DataDependent, (3, 10, 9), {}, numeric=True),
    "custom_output": Case(lambda: CustomOutput().eval(), (3, 12, 12), {}, numeric=True),
    "sized_tensors": Case(SizedTensors, (6,), {}, numeric=True),
    "torchscript": Case(scripted, (3, 9, 8), {}, numeric=True),
    "torchscript_part": Case(lambda: WithScriptedPart().eval(), (3, 7, 7), {}, numeric=True),
}


class _SelfAttention(nn.Module):
    def __init__(self, attention: nn.MultiheadAttention) -> None:
        super().__init__()
        self.attention = attention

    def forward(self, x: Any) -> Any:
        return self.attention(x, x, x)[0]
