"""Issue 17's corpus: modules as users paste them into forums and issue trackers.

Each :class:`Report` makes a fresh module and says how to import it: the
input shape symcnn is given (sizes may be symbols), two odd sizes to check it
at, and what to expect — the names of its outputs, which of them PyTorch keeps
with the batch in dimension 1 (a recurrent layer's ``h`` and ``c``), whether
``torch.fx`` cannot follow it (imported from one forward pass), or the error
that must refuse it.
"""

from __future__ import annotations

import warnings
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune


@dataclass(frozen=True)
class Report:
    make: Callable[[], nn.Module]
    shape: Any  # a shape, or a list of shapes for several inputs
    sizes: tuple[dict[str, int], dict[str, int]] = ({}, {})
    names: tuple[str, ...] = ()  # the outputs' names, when there are several
    states: tuple[str, ...] = ()  # outputs PyTorch returns with the batch in dimension 1
    numeric: bool = False  # torch.fx cannot follow it: imported from one forward pass, at numeric sizes
    refused: str = ""  # a regex the import's error must match
    unused: str = ""  # the name of the "not used by forward" row
    dtype: torch.dtype = torch.float32

    def shapes(self, sizes: dict[str, int]) -> list[tuple[int | str, ...]]:
        shapes = self.shape if isinstance(self.shape, list) else [self.shape]
        return [tuple(sizes.get(size, size) if isinstance(size, str) else size for size in shape) for shape in shapes]

    def inputs(self, sizes: dict[str, int], batch: int = 2) -> list[torch.Tensor]:
        made = []
        for shape in self.shapes(sizes):
            full = (batch, *shape)
            made.append(torch.randint(0, 10, full) if self.dtype == torch.long else torch.randn(full))
        return made


# -- the reported case: a Sequential used twice, helpers some branches call, code after an early return -----------


class EarlyReturn(nn.Module):
    """The issue's report: symcnn said 60 parameters where numel says 150."""

    def __init__(self, use_first_helper: bool = True) -> None:
        super().__init__()
        self.shared = nn.Sequential(nn.Linear(5, 5))
        self.helper_a = nn.Linear(5, 5)
        self.helper_b = nn.Linear(5, 5)
        self.late = nn.Linear(5, 5)
        self.spare = nn.Linear(5, 5)
        self.use_first_helper = use_first_helper

    def forward(self, x: Any) -> Any:
        y = self.shared(x)
        y = self.shared(y)
        if self.use_first_helper:
            return self.helper_a(y)
        y = self.helper_b(y)
        return self.late(y)


class EarlyReturnOnData(EarlyReturn):
    """The same, the branch chosen by the data: torch.fx cannot trace it."""

    def forward(self, x: Any) -> Any:
        y = self.shared(self.shared(x))
        if y.sum() > 1e9:
            return self.helper_a(y)
        return self.late(self.helper_b(y))


class SharedContainer(nn.Module):
    """A block registered twice (as ``block`` and inside ``blocks``); only ``blocks[0]`` runs."""

    def __init__(self) -> None:
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU())
        self.blocks = nn.ModuleList([self.block, nn.Conv2d(6, 6, 3)])

    def forward(self, x: Any) -> Any:
        return self.blocks[0](x)


class TrainingOnlyHead(nn.Module):
    """A deep-supervision head used only in training; imported in eval mode."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        self.aux = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x: Any) -> Any:
        x = self.body(x)
        if self.training:
            return self.head(x), self.aux(x)
        return self.head(x)


class ReturnInsideLoop(nn.Module):
    """Stops after ``depth`` layers: the rest are never used."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(9, 9) for _ in range(4)])
        self.depth = 2

    def forward(self, x: Any) -> Any:
        for index, layer in enumerate(self.layers):
            x = torch.relu(layer(x))
            if index + 1 == self.depth:
                return x
        return x


class ModuleDictTask(nn.Module):
    """Multi-task heads in an ``nn.ModuleDict``, one selected by a string."""

    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.heads = nn.ModuleDict({"age": nn.Linear(8, 1), "gender": nn.Linear(8, 2), "race": nn.Linear(8, 5)})
        self.task = "gender"

    def forward(self, x: Any) -> Any:
        return self.heads[self.task](self.trunk(x))


class ZippedLists(nn.Module):
    """Two ModuleLists walked together."""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv1d(4, 4, 3, padding=1) for _ in range(3)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(4) for _ in range(3)])

    def forward(self, x: Any) -> Any:
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = x + F.relu(norm(conv(x)))
        return x


class SkipSubmodule(nn.Module):
    """A backbone of which the forward calls two stages directly."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.ModuleDict(
            {
                "stem": nn.Conv2d(3, 4, 3, padding=1),
                "stage1": nn.Conv2d(4, 8, 3, stride=2),
                "stage2": nn.Conv2d(8, 16, 3, stride=2),
            }
        )

    def forward(self, x: Any) -> Any:
        return self.backbone["stage1"](self.backbone["stem"](x))


class SharedActivation(nn.Module):
    """One ``nn.ReLU`` reused after every layer."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(7, 11), nn.Linear(11, 11), nn.Linear(11, 3)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Any) -> Any:
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


class Siamese(nn.Module):
    """One encoder for both images; the two embeddings returned."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten())

    def forward(self, left: Any, right: Any) -> Any:
        first = self.encoder(left)
        second = self.encoder(right)
        return first, second


# -- tied weights, frozen parts, bare parameters, buffers -----------------------------------------------------------


class TiedAutoencoder(nn.Module):
    """The decoder is the encoder's weight transposed, used functionally."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(12, 4)
        self.decoder_bias = nn.Parameter(torch.zeros(12))

    def forward(self, x: Any) -> Any:
        return F.linear(torch.relu(self.encoder(x)), self.encoder.weight.t(), self.decoder_bias)


class TiedClassifier(nn.Module):
    """``self.out.weight = self.embed.weight``: one tensor, counted once."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(20, 6)
        self.rnn = nn.GRU(6, 6, batch_first=True)
        self.out = nn.Linear(6, 20)
        self.out.weight = self.embed.weight

    def forward(self, tokens: Any) -> Any:
        return self.out(self.rnn(self.embed(tokens))[0])


def frozen_encoder() -> nn.Module:
    """Transfer learning: the encoder frozen, the classifier trained."""
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3)
    )
    for layer in list(model)[:2]:
        layer.requires_grad_(False)
    return model.eval()


class FrozenScalar(nn.Module):
    """A temperature kept fixed, divided into the logits."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.temperature = nn.Parameter(torch.tensor(2.0), requires_grad=False)

    def forward(self, x: Any) -> Any:
        return self.fc(x) / self.temperature


class AffineParameters(nn.Module):
    """``x * gamma + beta`` with bare parameters shaped for broadcasting."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.gamma = nn.Parameter(torch.ones(4, 1, 1))
        self.beta = nn.Parameter(torch.zeros(4, 1, 1))

    def forward(self, x: Any) -> Any:
        return self.conv(x) * self.gamma + self.beta


class MatmulParameters(nn.Module):
    """A hand-written dense layer: ``x @ W + b``."""

    def __init__(self) -> None:
        super().__init__()
        self.W = nn.Parameter(torch.randn(10, 3))
        self.b = nn.Parameter(torch.zeros(3))

    def forward(self, x: Any) -> Any:
        return x @ self.W + self.b


class GatedParameter(nn.Module):
    """A parameter passed through a function before it multiplies: ``x * w.sigmoid()``."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(5, 5)
        self.gate = nn.Parameter(torch.zeros(5))

    def forward(self, x: Any) -> Any:
        return self.fc(x) * self.gate.sigmoid()


class PositionalEmbedding(nn.Module):
    """A learned position table added to a sequence."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 8)
        self.position = nn.Parameter(torch.zeros(1, 6, 8))

    def forward(self, x: Any) -> Any:
        return self.proj(x) + self.position


class MaskBuffer(nn.Module):
    """A registered buffer used in arithmetic."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.register_buffer("mask", torch.linspace(0, 1, 6))
        self.register_buffer("scratch", torch.zeros(3), persistent=False)

    def forward(self, x: Any) -> Any:
        return self.fc(x) * self.mask


def pruned_mlp() -> nn.Module:
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    prune.random_unstructured(model[2], "bias", amount=0.5)
    return model


class PrunedOnData(nn.Module):
    """A pruned convolution in a forward torch.fx cannot follow."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = prune.ln_structured(nn.Conv2d(3, 6, 3), "weight", amount=0.5, n=2, dim=0)
        self.fc = nn.Linear(6, 2)

    def forward(self, x: Any) -> Any:
        y = self.conv(x).mean((2, 3))
        if y.abs().sum() > 1e9:
            y = y / 2
        return self.fc(y)


class WeightNormed(nn.Module):
    """``torch.nn.utils.parametrizations.weight_norm``: the weight held as g and v."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.utils.parametrizations.weight_norm(nn.Conv2d(3, 4, 3))

    def forward(self, x: Any) -> Any:
        return self.conv(x)


def lazy_unmaterialised() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.LazyLinear(10))


def lazy_materialised() -> nn.Module:
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.LazyConv2d(6, 3))
    model(torch.zeros(1, 3, 9, 9))
    return model


# -- recurrent layers: views, (h, c) ----------------------------------------------------------------------------------


class LstmStates(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(4, 6, num_layers=2, batch_first=True)

    def forward(self, x: Any) -> Any:
        out, (h, c) = self.lstm(x)
        return out, (h, c)


class LstmLastLayer(nn.Module):
    """The classic classifier: ``fc(h[-1])``."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.1)
        self.fc = nn.Linear(20, 3)

    def forward(self, x: Any) -> Any:
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


class LstmStateView(nn.Module):
    """``fc(h.view(-1, 20))`` on a one-layer LSTM."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(10, 20, batch_first=True)
        self.fc = nn.Linear(20, 3)

    def forward(self, x: Any) -> Any:
        _, (h, _) = self.lstm(x)
        return self.fc(h.view(-1, 20))


class LstmStateSqueezed(LstmStateView):
    """``h.squeeze(0)`` of a one-layer LSTM."""

    def forward(self, x: Any) -> Any:
        _, (h, _) = self.lstm(x)
        return self.fc(h.squeeze(0))


class LstmStateSum(LstmStateView):
    """``h + c`` taken as a batch-first tensor: refused at symbolic sizes, measured at numeric ones."""

    def forward(self, x: Any) -> Any:
        _, (h, c) = self.lstm(x)
        return self.fc((h + c)[0])


class LstmFoldedView(LstmStateView):
    """``out.view(-1, 20)``: every time step a row, the batch folded into dimension 0."""

    def forward(self, x: Any) -> Any:
        out, _ = self.lstm(x)
        return self.fc(out.contiguous().view(-1, 20))


class BidirectionalGru(nn.Module):
    """Both directions' last states concatenated."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(5, 7, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(14, 3)

    def forward(self, x: Any) -> Any:
        _, h = self.gru(x)
        return self.fc(torch.cat((h[-2], h[-1]), dim=1))


class GruPassThrough(nn.Module):
    """``return self.gru(x)``: the module's own tuple."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(3, 5, batch_first=True)

    def forward(self, x: Any) -> Any:
        return self.gru(x)


class ProjectedLstm(nn.Module):
    """``proj_size``: h is projected, c is not."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(4, 8, proj_size=3, batch_first=True)

    def forward(self, x: Any) -> Any:
        out, (h, c) = self.lstm(x)
        return out, h, c


class StatePermuted(nn.Module):
    """``h.permute(1, 0, 2)`` then flattened: every layer's state per sample."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(4, 6, num_layers=3, batch_first=True)
        self.fc = nn.Linear(18, 2)

    def forward(self, x: Any) -> Any:
        _, h = self.rnn(x)
        return self.fc(h.permute(1, 0, 2).reshape(x.size(0), -1))


class TokenLstm(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(30, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 12, batch_first=True)
        self.head = nn.Linear(12, 4)

    def forward(self, tokens: Any) -> Any:
        out, (h, _) = self.lstm(self.embed(tokens))
        return self.head(out[:, -1, :]), h


class SequenceFirstState(nn.Module):
    """``batch_first=False`` and ``fc(h[-1])``: symcnn reads the sequence as the batch, so h cannot be followed."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(4, 6)
        self.fc = nn.Linear(6, 2)

    def forward(self, x: Any) -> Any:
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


class LstmOnData(LstmStates):
    """``(out, (h, c))`` from a forward torch.fx cannot follow: measured."""

    def forward(self, x: Any) -> Any:
        if x.sum() > 1e9:
            x = x / 2
        out, (h, c) = self.lstm(x)
        return {"out": out, "state": (h, c)}


# -- outputs: tuples, dicts, namedtuples, lists -----------------------------------------------------------------------

Heads = namedtuple("Heads", ["logits", "aux_logits1"])


class DictOutputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.trunk = nn.Conv2d(3, 4, 3, padding=1)
        self.seg = nn.Conv2d(4, 2, 1)
        self.cls = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))

    def forward(self, x: Any) -> Any:
        features = torch.relu(self.trunk(x))
        return {"masks": self.seg(features), "labels": self.cls(features)}


class NamedOutputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc, self.aux = nn.Linear(6, 3), nn.Linear(6, 2)

    def forward(self, x: Any) -> Any:
        return Heads(self.fc(x), self.aux(x))


class ListOutputs(nn.Module):
    """Feature-pyramid style: a list of maps at three strides."""

    def __init__(self) -> None:
        super().__init__()
        self.stages = nn.ModuleList(
            [nn.Conv2d(3, 4, 3, stride=2, padding=1)] + [nn.Conv2d(4, 4, 3, stride=2, padding=1) for _ in range(2)]
        )

    def forward(self, x: Any) -> Any:
        maps = []
        for stage in self.stages:
            x = stage(x)
            maps.append(x)
        return maps


class NestedOutputs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.c = nn.Linear(4, 2), nn.Linear(4, 3), nn.Linear(4, 1)

    def forward(self, x: Any) -> Any:
        return (self.a(x), self.b(x)), self.c(x)


class VaeOutputs(nn.Module):
    """``return recon, mu, logvar``."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(16, 8)
        self.mu, self.logvar = nn.Linear(8, 2), nn.Linear(8, 2)
        self.decoder = nn.Linear(2, 16)

    def forward(self, x: Any) -> Any:
        h = torch.relu(self.encoder(x))
        mu, logvar = self.mu(h), self.logvar(h)
        recon = torch.sigmoid(self.decoder(mu))
        return recon, mu, logvar


@dataclass
class Detections:
    boxes: torch.Tensor
    scores: torch.Tensor


class DataclassOutput(nn.Module):
    """A dataclass result: torch.fx cannot trace it, the measuring pass names its fields."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.boxes, self.scores = nn.Linear(4, 4), nn.Linear(4, 1)

    def forward(self, x: Any) -> Any:
        pooled = self.conv(x).mean((2, 3))
        return Detections(self.boxes(pooled), self.scores(pooled))


# -- TorchScript, functional calls, in-place operations, views -------------------------------------------------------


class ScriptedPart(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit.script is deprecated
            self.block = torch.jit.script(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()))
        self.fc = nn.Linear(4, 2)

    def forward(self, x: Any) -> Any:
        return self.fc(self.block(x).mean((2, 3)))


class FunctionalConv(nn.Module):
    """Weights held as parameters, applied with ``F.conv2d`` and ``F.linear``."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(8, 3, 3, 3))
        self.bias = nn.Parameter(torch.zeros(8))
        self.fc_weight = nn.Parameter(torch.randn(2, 8))

    def forward(self, x: Any) -> Any:
        x = F.relu(F.conv2d(x, self.weight, self.bias, stride=2, padding=1))
        return F.linear(F.adaptive_avg_pool2d(x, 1).flatten(1), self.fc_weight)


class InPlaceResidual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x: Any) -> Any:
        out = self.bn(self.conv(x))
        out += x
        out.relu_()
        return F.relu(out, inplace=True).mul_(2)


class LeNetView(nn.Module):
    """``x.view(-1, 16 * 5 * 5)``: holds for the input sizes that make the sample 400 elements."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x: Any) -> Any:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.view(-1, 16 * 5 * 5))


class SizeFlatten(nn.Module):
    """``x.view(x.size(0), -1)`` and ``torch.flatten(x, 1)``."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, stride=2)
        self.drop = nn.Dropout(0.3)

    def forward(self, x: Any) -> Any:
        y = self.conv(x)
        return self.drop(y.view(y.size(0), -1)), torch.flatten(y, 1)


class ConditionalDownsample(nn.Module):
    """A residual block whose 1x1 projection exists only when the stride is not 1."""

    def __init__(self, stride: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, stride=stride, padding=1)
        self.project = nn.Conv2d(4, 4, 1, stride=stride) if stride != 1 else None

    def forward(self, x: Any) -> Any:
        identity = x if self.project is None else self.project(x)
        return torch.relu(self.conv(x) + identity)


class CrossAttention(nn.Module):
    """Query from one input, key and value from another."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, query: Any, memory: Any) -> Any:
        out, _ = self.attention(query, memory, memory)
        return out


class AttentionWithWeights(nn.Module):
    """``return self.attention(q, m, m, average_attn_weights=False)``: the output and each head's weights."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, query: Any, memory: Any) -> Any:
        return self.attention(query, memory, memory, average_attn_weights=False)


class AttentionExtraKeys(nn.Module):
    """``add_bias_kv`` and ``add_zero_attn`` add two key positions to the averaged weights."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(8, 4, batch_first=True, add_bias_kv=True, add_zero_attn=True)

    def forward(self, x: Any) -> Any:
        out, weights = self.attention(x, x, x)
        return out, weights


def googlenet_training() -> nn.Module:
    """torchvision's GoogLeNet in training mode returns GoogLeNetOutputs(logits, aux_logits2, aux_logits1)."""
    import torchvision

    with torch.device("meta"):
        return torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=False).train()


def faster_rcnn() -> nn.Module:
    import torchvision

    return torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()


HW = ({"H": 13, "W": 11}, {"H": 17, "W": 9})

REPORTS: dict[str, Report] = {
    # shared modules, dead branches, early returns
    "early_return": Report(EarlyReturn, (5,), unused="not used by forward: helper_b.*, late.*, spare.*"),
    "early_return_other_branch": Report(
        lambda: EarlyReturn(use_first_helper=False), (5,), unused="not used by forward: helper_a.*, spare.*"
    ),
    "early_return_on_data": Report(
        EarlyReturnOnData, (5,), numeric=True, unused="not used by forward: helper_a.*, spare.*"
    ),
    "shared_container": Report(SharedContainer, (3, "H", "W"), HW, unused="not used by forward: blocks.1.*"),
    "training_only_head": Report(
        lambda: TrainingOnlyHead().eval(), (3, "H", "W"), HW, unused="not used by forward: aux.*"
    ),
    "training_mode_outputs": Report(TrainingOnlyHead, (3, "H", "W"), HW, names=("output[0]", "output[1]")),
    "return_inside_loop": Report(ReturnInsideLoop, (9,), unused="not used by forward: layers.2.*, layers.3.*"),
    "module_dict_by_string": Report(
        ModuleDictTask, (3, "H", "W"), HW, unused="not used by forward: heads.age.*, heads.race.*"
    ),
    "zipped_module_lists": Report(lambda: ZippedLists().eval(), (4, "L"), ({"L": 7}, {"L": 13})),
    "skipped_submodule": Report(SkipSubmodule, (3, "H", "W"), HW, unused="not used by forward: backbone.stage2.*"),
    "shared_activation": Report(SharedActivation, (7,)),
    "siamese_two_inputs": Report(Siamese, [(1, "H", "W"), (1, "H", "W")], HW, names=("first", "second")),
    # tied, frozen, bare parameters, buffers
    "tied_transposed_weight": Report(TiedAutoencoder, (12,), numeric=True),
    "tied_embedding_classifier": Report(TiedClassifier, ("L",), ({"L": 5}, {"L": 9}), dtype=torch.long),
    "frozen_encoder": Report(frozen_encoder, (3, "H", "W"), HW),
    "frozen_scalar_parameter": Report(FrozenScalar, (6,), numeric=True),
    "affine_parameters": Report(AffineParameters, (3, "H", "W"), HW),
    "matmul_parameters": Report(MatmulParameters, (10,)),
    "gated_parameter": Report(GatedParameter, (5,), numeric=True),
    "positional_embedding": Report(PositionalEmbedding, (6, 4)),
    "mask_buffer": Report(MaskBuffer, (6,), numeric=True),
    "pruned_mlp": Report(pruned_mlp, (8,)),
    "pruned_on_data": Report(PrunedOnData, (3, 9, 7), numeric=True),
    "weight_norm_symbolic": Report(
        WeightNormed,
        (3, "H", "W"),
        HW,
        refused=r"(?s)cannot import WeightNormed: .*conv2d counts 112 parameters but the module holds 116 "
        r"\(conv\.bias, conv\.parametrizations\.weight\.original0, conv\.parametrizations\.weight\.original1\)",
    ),
    "weight_norm_numeric": Report(WeightNormed, (3, 10, 12), numeric=True),
    "lazy_unmaterialised": Report(
        lazy_unmaterialised,
        (3, 8, 8),
        refused=r"cannot import Sequential: module '2' \(LazyLinear\) is uninitialised .*"
        r"materialise it first: run one forward pass",
    ),
    "lazy_materialised": Report(lazy_materialised, (3, "H", "W"), HW),
    # recurrent layers
    "lstm_out_h_c": Report(LstmStates, ("L", 4), ({"L": 5}, {"L": 9}), names=("out", "h", "c"), states=("h", "c")),
    "lstm_last_layer": Report(LstmLastLayer, ("L", 10), ({"L": 3}, {"L": 7})),
    "lstm_state_view": Report(LstmStateView, ("L", 10), ({"L": 3}, {"L": 7})),
    "lstm_state_squeezed": Report(LstmStateSqueezed, ("L", 10), ({"L": 3}, {"L": 7})),
    "lstm_state_sum_symbolic": Report(
        LstmStateSum,
        ("L", 10),
        refused=r"node 'add' \(operator\.add\): the input is a recurrent layer's final state 'h', which PyTorch "
        r"holds as \(layers, batch, size\): the batch in dimension 1; take h\[-1\]",
    ),
    "lstm_state_sum_numeric": Report(LstmStateSum, (7, 10), numeric=True),
    "lstm_folded_view": Report(
        LstmFoldedView,
        (7, 10),
        refused=r"node 'view' \(Tensor\.view\(\)\): the new shape \(-1, 20\) folds the batch into dimension 0: "
        r"the sample has shape 7x20, so a batch of N becomes 7\*N rows",
    ),
    "bidirectional_gru": Report(BidirectionalGru, ("L", 5), ({"L": 3}, {"L": 11})),
    "gru_pass_through": Report(
        GruPassThrough, ("L", 3), ({"L": 5}, {"L": 7}), names=("output[0]", "output[1]"), states=("output[1]",)
    ),
    "projected_lstm": Report(ProjectedLstm, ("L", 4), ({"L": 3}, {"L": 5}), names=("out", "h", "c"), states=("h", "c")),
    "state_permuted": Report(StatePermuted, ("L", 4), ({"L": 3}, {"L": 9})),
    "token_lstm": Report(
        TokenLstm, ("L",), ({"L": 5}, {"L": 11}), names=("output[0]", "h"), states=("h",), dtype=torch.long
    ),
    "sequence_first_state": Report(
        SequenceFirstState,
        ("N", 4),
        refused=r"node 'fc' \(module 'fc' of type torch\.nn\.Linear\): uses the final state of 'lstm', "
        r"whose batch_first=False",
    ),
    "lstm_on_data": Report(LstmOnData, (7, 4), names=("out", "h", "c"), states=("h", "c"), numeric=True),
    # outputs
    "dict_outputs": Report(DictOutputs, (3, "H", "W"), HW, names=("masks", "labels")),
    "namedtuple_outputs": Report(NamedOutputs, (6,), names=("logits", "aux_logits1")),
    "list_outputs": Report(ListOutputs, (3, "H", "W"), HW, names=("output[0]", "output[1]", "output[2]")),
    "nested_outputs": Report(NestedOutputs, (4,), names=("output[0][0]", "output[0][1]", "output[1]")),
    "vae_outputs": Report(VaeOutputs, (16,), names=("recon", "mu", "logvar")),
    "dataclass_output": Report(DataclassOutput, (3, 9, 11), names=("boxes", "scores"), numeric=True),
    # TorchScript, functional, in place, views
    "scripted_part": Report(lambda: ScriptedPart().eval(), (3, 9, 7), numeric=True),
    "functional_conv": Report(FunctionalConv, (3, "H", "W"), HW),
    "in_place_residual": Report(lambda: InPlaceResidual().eval(), (4, "H", "W"), HW),
    "lenet_view": Report(LeNetView, (3, "H", "W"), ({"H": 33, "W": 35}, {"H": 35, "W": 32})),
    "size_flatten": Report(SizeFlatten, (2, "H", "W"), HW, names=("output[0]", "output[1]")),
    "conditional_downsample": Report(lambda: ConditionalDownsample(stride=2), (4, "H", "W"), HW),
    "cross_attention": Report(CrossAttention, [("L", 8), ("S", 8)], ({"L": 3, "S": 5}, {"L": 7, "S": 2})),
    "attention_weights_per_head": Report(
        AttentionWithWeights,
        [("L", 8), ("S", 8)],
        ({"L": 3, "S": 5}, {"L": 7, "S": 1}),
        names=("output[0]", "output[1]"),
    ),
    "attention_extra_keys": Report(AttentionExtraKeys, ("L", 8), ({"L": 3}, {"L": 5}), names=("out", "weights")),
    "googlenet_training_outputs": Report(
        googlenet_training,
        (3, "H", "W"),
        ({"H": 225, "W": 227}, {"H": 299, "W": 243}),
        names=("logits", "aux_logits2", "aux_logits1"),
    ),
    "faster_rcnn": Report(
        faster_rcnn,
        (3, 65, 67),
        refused=r"cannot import FasterRCNN: torch\.fx cannot trace FasterRCNN: .*; measured with one forward pass "
        r"instead, its module 'rpn\.anchor_generator' \(AnchorGenerator\) returns a tensor of shape",
    ),
}
