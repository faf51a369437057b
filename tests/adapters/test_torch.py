"""from_torch against PyTorch itself: counts, shapes at many sizes, smallest sizes, MACs.

Every torchvision classification model below is imported with a symbolic
input ``(3, H, W)`` and checked against the real module: parameter and buffer
totals, the output shape of every module-named row against forward hooks at
several sizes (odd ones too), the smallest legal size from symcnn's
conditions (PyTorch must accept it and reject one less), and MACs against
``torch.utils.flop_counter``.  Small hand-written modules cover every mapped
module type, function and method.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import sympy

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from symcnn import Derivation, ShapeError, UnsupportedError  # noqa: E402
from symcnn.adapters.torch import from_torch  # noqa: E402
from symcnn.derivation.conditions import minimum_input_size, violated  # noqa: E402
from symcnn.exact.simplify import collapse_floors  # noqa: E402
from symcnn.exact.symbols import symbol  # noqa: E402

MODELS = [
    "alexnet", "vgg11", "vgg16", "vgg16_bn", "vgg19",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "wide_resnet50_2", "squeezenet1_0", "squeezenet1_1",
    "densenet121", "densenet169", "googlenet", "inception_v3",
    "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "shufflenet_v2_x1_0",
    "mnasnet1_0", "efficientnet_b0", "regnet_y_400mf", "convnext_tiny",
]  # fmt: skip

# Odd and asymmetric sizes for every model, and more for the lighter ones (CPU time);
# the smallest legal size is added per model.
SIZES = [(225, 257), (99, 131)]
MORE_SIZES = [(257, 225), (224, 224)]
HEAVY = {"vgg16", "vgg19", "resnet101", "resnet152", "wide_resnet50_2", "resnext50_32x4d", "densenet121", "densenet169"}


def build(name: str) -> Any:
    options: dict[str, Any] = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        options.update(aux_logits=False, init_weights=False)
    return getattr(torchvision.models, name)(**options).eval()


def as_ints(shape: tuple[sympy.Expr, ...]) -> tuple[int, ...]:
    assert all(isinstance(size, sympy.Integer) for size in shape), shape
    return tuple(int(size) for size in shape)


def forward_shapes(model: Any, x: Any) -> tuple[tuple[int, ...], dict[str, list[tuple[int, ...]]]]:
    """The output shape and every module's output shapes (one per call), without the batch."""
    seen: dict[str, list[tuple[int, ...]]] = {}
    handles = []
    for qualified, module in model.named_modules():
        if not qualified:
            continue

        def hook(module: Any, inputs: Any, output: Any, qualified: str = qualified) -> None:
            if isinstance(output, torch.Tensor):
                seen.setdefault(qualified, []).append(tuple(output.shape[1:]))

        handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            output = model(x)
    finally:
        for handle in handles:
            handle.remove()
    if isinstance(output, tuple):
        output = output[0]
    return tuple(output.shape[1:]), seen


CALL = re.compile(r"(?P<base>.+) \(call (?P<call>\d+) of (?P<calls>\d+)\)")


def compare(derivation: Derivation, model: Any, x: Any, **sizes: int) -> set[str]:
    """Check the output and every row named after a module (``name`` or ``name (call k of n)``) at ``sizes``.

    Returns the names of the rows compared.
    """
    output, seen = forward_shapes(model, x)
    at = derivation.subs(**sizes)
    assert as_ints(at.output_shape) == output, (sizes, at.output_shape, output)
    compared = set()
    for row in at.rows:
        call = CALL.fullmatch(row.name)
        if row.name in seen:
            expected = seen[row.name][0]
        elif call and call["base"] in seen:
            assert len(seen[call["base"]]) == int(call["calls"]), row.name
            expected = seen[call["base"]][int(call["call"]) - 1]
        else:
            continue
        assert as_ints(row.output_shape) == expected, (sizes, row.name, row.output_shape, expected)
        compared.add(row.name)
    return compared


def image(height: int, width: int, channels: int = 3) -> Any:
    return torch.zeros(1, channels, height, width)


def torch_accepts(model: Any, x: Any) -> bool:
    try:
        with torch.no_grad():
            model(x)
    except RuntimeError:
        return False
    return True


# --- the torchvision models -------------------------------------------------------------------


@pytest.fixture(scope="module", params=MODELS)
def imported(request: pytest.FixtureRequest) -> tuple[str, Any, Derivation]:
    """(name, model, derivation); module-scoped, so pytest runs each model's tests together."""
    model = build(request.param)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on a plain torchvision model
        network = from_torch(model, (3, "H", "W"))
    return request.param, model, network.derive()


def test_parameters_and_buffers_match(imported: tuple[str, Any, Derivation]) -> None:
    _, model, d = imported
    assert d.totals.trainable == sum(p.numel() for p in model.parameters())
    assert d.totals.buffers == sum(b.numel() for b in model.buffers())
    assert d.totals.non_trainable == 0
    assert d.input_shape == (3, symbol("H"), symbol("W"))


def test_shapes_match_forward_passes(imported: tuple[str, Any, Derivation]) -> None:
    name, model, d = imported
    smallest = minimum_input_size(d, "H"), minimum_input_size(d, "W")
    weighted = {row.name for row in d.rows if row.kind in ("conv2d", "linear", "batchnorm2d")}
    for height, width in [smallest, *SIZES, *([] if name in HEAVY else MORE_SIZES)]:
        compared = compare(d, model, image(height, width), H=height, W=width)
        assert weighted <= compared  # every layer with weights was compared with its module


def test_smallest_input_is_exactly_what_pytorch_accepts(imported: tuple[str, Any, Derivation]) -> None:
    _, model, d = imported
    height, width = minimum_input_size(d, "H"), minimum_input_size(d, "W")
    assert height == width  # these models treat both dimensions alike
    assert not violated(d, H=height, W=width)
    assert torch_accepts(model, image(height, width))
    if height > 1:  # a size below the minimum exists: symcnn and PyTorch must both refuse it
        assert violated(d, H=height - 1, W=width)
        with pytest.raises(ShapeError):
            d.subs(H=height - 1, W=width)
        assert not torch_accepts(model, image(height - 1, width))
        assert not torch_accepts(model, image(height, width - 1))


@pytest.mark.parametrize("name", ["resnet50", "mobilenet_v2", "densenet121", "convnext_tiny", "shufflenet_v2_x1_0"])
def test_macs_match_flop_counter(name: str) -> None:
    """FlopCounterMode counts 2 FLOPs per multiply-accumulate of convolutions and matrix products."""
    model = build(name)
    macs = from_torch(model, (3, "H", "W")).derive().subs(H=224, W=224).totals.macs
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(image(224, 224))
    assert 2 * macs == counter.get_total_flops()


def test_resnet50_stem_and_last_stage() -> None:
    d = from_torch(build("resnet50"), (3, "H", "W")).derive()
    H, W = symbol("H"), symbol("W")
    stem = d.row("maxpool").output_shape
    last = d.row("avgpool").input_shapes[0]
    for got, divisor in ((stem, 4), (last, 32)):
        for size, name in zip(got[1:], (H, W), strict=True):
            expected = sympy.floor((name - 1) / divisor) + 1
            assert sympy.simplify(size - expected) == 0
            assert collapse_floors(size) == collapse_floors(expected)
    assert stem[0] == 64 and last[0] == 2048
    assert d.row("fc").output_shape == (1000,)


def test_rows_are_named_like_the_pytorch_model() -> None:
    resnet = from_torch(build("resnet18"), (3, "H", "W")).derive()
    names = [row.name for row in resnet.rows]
    assert names[:5] == ["x", "conv1", "bn1", "relu", "maxpool"]
    for name in (
        "layer1.0.conv1",
        "layer1.0.add",
        "layer1.0.relu (call 2 of 2)",
        "layer2.0.downsample.0",
        "avgpool",
        "fc",
    ):
        assert name in names
    assert resnet.row("layer1.0.add").kind == "add"
    assert resnet.row("layer2.0.downsample.0").kind == "conv2d"
    convnext = from_torch(build("convnext_tiny"), (3, "H", "W")).derive()
    assert convnext.row("features.1.0.layer_scale").kind == "scale"
    assert convnext.row("features.1.0.layer_scale").params.value == 96
    assert convnext.row("features.1.0.stochastic_depth").kind == "dropout"
    assert [convnext.row(f"features.0.1{part}").kind for part in (".permute", ".layer_norm", "")] == [
        "permute", "layernorm", "permute",
    ]  # fmt: skip
    shufflenet = from_torch(build("shufflenet_v2_x1_0"), (3, "H", "W")).derive()
    kinds = [shufflenet.row(name).kind for name in ("stage2.0.unflatten", "stage2.0.permute", "stage2.0.flatten")]
    assert kinds == ["unflatten", "permute", "flatten"]
    assert shufflenet.row("stage2.1.chunk").kind == "chunk"
    assert shufflenet.row("mean").output_shape == (1024,)


# --- small modules: every mapping ---------------------------------------------------------------


class Functional(nn.Module):
    """Functions and methods instead of modules."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.other = nn.Conv2d(3, 8, 1)
        self.fc = nn.Linear(24 * 2 * 2, 10)

    def forward(self, x: Any) -> Any:
        a, b = F.relu(self.conv(x), inplace=True), torch.relu(self.other(x))
        y = torch.add(a, b)
        y += a.relu()
        y = y.add(F.relu6(b))
        y = torch.mul(y, F.hardsigmoid(y)) * F.hardswish(b)
        y = torch.cat((F.silu(y), F.gelu(y), F.mish(b)), dim=1)
        y = F.leaky_relu(y, 0.1) + F.elu(y)
        y = F.max_pool2d(y, 3, 2, 1)
        y = F.avg_pool2d(y, kernel_size=2, ceil_mode=True)
        y = F.pad(y, (1, 0, 2, 1))
        y = F.interpolate(y, scale_factor=2, mode="nearest")
        y = torch.tanh(torch.sigmoid(F.dropout(y, 0.2, self.training))) * y.sigmoid()
        y = F.log_softmax(F.softmax(y, dim=1), dim=1)
        y = F.adaptive_avg_pool2d(y, (2, 2)) + F.adaptive_max_pool2d(y, 2)
        y = y.mean((2, 3), keepdim=True) * y
        return self.fc(torch.flatten(y, 1))


class Layout(nn.Module):
    """Channel shuffle, chunks, layer scale, tokens, permutes, reshapes from sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(6, 8, 3, padding=1)
        self.gamma = nn.Parameter(torch.ones(1, 8, 1, 1))
        self.fc = nn.Linear(8, 16)
        self.unflatten = nn.Unflatten(1, (4, 4))

    def forward(self, x: Any) -> Any:
        x = self.conv(x)
        b, c, h, w = x.size()
        x = x.view(b, 2, c // 2, h, w)
        x = torch.transpose(x, 1, 2).contiguous()
        x = x.view(b, -1, h, w)
        first, second, third = x.chunk(3, dim=1)
        x = torch.cat([first, second, third], 1)
        x = self.gamma * x
        x = x * torch.sigmoid(x.mean((2, 3), keepdim=True)) + torch.mean(x, dim=[-1, -2], keepdim=True)
        tokens = x.flatten(2).transpose(1, 2)  # (H*W, C)
        tokens = self.fc(tokens).permute(0, 2, 1)  # (16, H*W)
        y = torch.reshape(tokens, (tokens.shape[0], tokens.size(1), x.size(2), x.shape[3]))
        y = self.unflatten(torch.permute(y, (0, 1, 3, 2)).swapaxes(2, 3))
        return y.reshape(y.size(0), -1)


class Sequence(nn.Module):
    """Tokens, recurrent layers and attention (batch_first: the batch is dimension 0)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(100, 32, padding_idx=0)
        self.lstm = nn.LSTM(32, 24, num_layers=2, batch_first=True, bidirectional=True, proj_size=8)
        self.gru = nn.GRU(16, 12, batch_first=True, bias=False)
        self.rnn = nn.RNN(12, 12, nonlinearity="relu", batch_first=True)
        self.attention = nn.MultiheadAttention(12, 3, batch_first=True, add_bias_kv=True)
        self.cross = nn.MultiheadAttention(12, 2, batch_first=True, kdim=16, vdim=6)
        self.keys = nn.Linear(12, 16)
        self.values = nn.Linear(12, 6)
        self.norm = nn.LayerNorm(12)
        self.head = nn.Linear(12, 5)

    def forward(self, tokens: Any) -> Any:
        x = self.embedding(tokens)
        x, (_, _) = self.lstm(x)
        x = self.gru(x)[0]
        x, _ = self.rnn(x)
        x = x + self.attention(x, x, x, need_weights=False)[0]
        x = self.cross(x, self.keys(x), self.values(x))[0]
        return F.log_softmax(self.head(self.norm(x)), dim=-1)


def conv1d_family() -> Any:
    return nn.Sequential(
        nn.Conv1d(4, 6, 5, stride=2, padding=1, dilation=2),
        nn.BatchNorm1d(6, bias=False),
        nn.PReLU(6),
        nn.MaxPool1d(3, 2, ceil_mode=True),
        nn.ConvTranspose1d(6, 3, 4, stride=3, output_padding=2),
        nn.AvgPool1d(2, ceil_mode=True, padding=1),
        nn.Dropout1d(0.1),
        nn.AdaptiveMaxPool1d(5),
        nn.ZeroPad1d((1, 2)),
        nn.Flatten(),
        nn.Linear(3 * 8, 7),
    )


def conv2d_family() -> Any:
    return nn.Sequential(
        nn.Conv2d(3, 8, (3, 5), stride=(2, 1), padding="valid", bias=False),
        nn.GroupNorm(2, 8, bias=False),
        nn.LeakyReLU(0.2),
        nn.Conv2d(8, 8, 3, padding="same", groups=4, padding_mode="reflect"),
        nn.ELU(),
        nn.GELU(approximate="tanh"),
        nn.Mish(),
        nn.Softplus(),
        nn.Hardswish(),
        nn.Hardsigmoid(),
        nn.SiLU(),
        nn.Tanh(),
        nn.Sigmoid(),
        nn.ReLU6(),
        nn.Identity(),
        nn.ZeroPad2d((1, 0, 2, 3)),
        nn.Upsample(scale_factor=1.5),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1, dilation=1),
        nn.BatchNorm2d(4, affine=False),
        nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False, divisor_override=2),
        nn.MaxPool2d(2, 2, padding=1, ceil_mode=True),  # the last window may start in the padding
        nn.AvgPool2d(2, ceil_mode=True, padding=1),
        nn.PReLU(),
        nn.Upsample(size=(5, 6)),
        nn.AdaptiveMaxPool2d((3, None)),
        nn.Softmax(dim=1),
        nn.Dropout2d(0.1),
        nn.AlphaDropout(0.1),
        nn.Flatten(),
        nn.LayerNorm(4 * 3 * 6),
        nn.Dropout(),
        nn.Linear(72, 10),
        nn.LogSoftmax(dim=-1),
    )


def conv3d_family() -> Any:
    return nn.Sequential(
        nn.Conv3d(2, 4, 3, padding=(1, 0, 2), stride=(1, 2, 2)),
        nn.BatchNorm3d(4, track_running_stats=False),
        nn.ReLU(),
        nn.MaxPool3d(2, ceil_mode=True),
        nn.ConvTranspose3d(4, 2, 2, stride=2, groups=2),
        nn.AvgPool3d(3, stride=1, padding=1, count_include_pad=False),
        nn.Dropout3d(),
        nn.ZeroPad3d(1),
        nn.AdaptiveAvgPool3d((2, None, 3)),
    )


# name: (make the module, input shape for symcnn, make an input from sizes, sizes to try besides the smallest)
SMALL: dict[str, tuple[Callable[[], Any], tuple[Any, ...], Callable[..., Any], list[dict[str, int]]]] = {
    "conv1d": (conv1d_family, (4, "L"), lambda L: torch.randn(1, 4, L), [{"L": 31}, {"L": 40}, {"L": 47}]),
    "conv2d": (
        conv2d_family,
        (3, "H", "W"),
        lambda H, W: torch.randn(1, 3, H, W),
        [{"H": 21, "W": 17}, {"H": 32, "W": 33}],
    ),
    "conv3d": (
        conv3d_family,
        (2, "D", "H", "W"),
        lambda D, H, W: torch.randn(1, 2, D, H, W),
        [{"D": 5, "H": 9, "W": 8}, {"D": 4, "H": 11, "W": 3}],
    ),
    "layout": (Layout, (6, "H", "W"), lambda H, W: torch.randn(1, 6, H, W), [{"H": 5, "W": 7}]),
    "sequence": (Sequence, ("L",), lambda L: torch.randint(0, 100, (1, L)), [{"L": 9}]),
}


@pytest.mark.parametrize("case", list(SMALL))
def test_small_modules(case: str) -> None:
    make, shape, example, sizes = SMALL[case]
    model = make().eval()
    d = from_torch(model, shape).derive()
    assert d.totals.trainable == sum(p.numel() for p in model.parameters())
    assert d.totals.buffers == sum(b.numel() for b in model.buffers())
    smallest = {name: minimum_input_size(d, name) for name in sizes[0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "LSTM with projections is not supported with oneDNN"
        for values in [smallest, *sizes]:
            compare(d, model, example(**values), **values)
        for name, value in smallest.items():
            if value > 1:  # one less in any dimension: both symcnn and PyTorch refuse
                below = {**smallest, name: value - 1}
                assert violated(d, below)
                with pytest.raises(RuntimeError):
                    model(example(**below))


def test_functions_and_methods() -> None:
    model = Functional().eval()
    d = from_torch(model, (3, "H", "W")).derive()
    for values in ({"H": 5, "W": 8}, {"H": 16, "W": 11}):
        compare(d, model, image(values["H"], values["W"]), **values)
    kinds = {row.kind for row in d.rows}
    assert {"add", "multiply", "concat", "maxpool2d", "avgpool2d", "zeropad2d", "upsample", "mean"} <= kinds
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(image(16, 11))
    assert 2 * d.subs(H=16, W=11).totals.macs == counter.get_total_flops()


# --- what cannot be mapped ----------------------------------------------------------------------


class Unmappable(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.shuffle = nn.ChannelShuffle(2)
        self.attention = nn.MultiheadAttention(4, 2)  # batch_first=False: the batch is dimension 1

    def forward(self, x: Any) -> Any:
        y = self.shuffle(self.conv(x)).flatten(2)
        z = torch.cumsum(x, dim=1)
        return z, x - x, self.attention(y, y, y)[0], x[0]  # attention is vetted though its input is not mapped


def test_unsupported_operations_are_all_reported_at_once() -> None:
    with pytest.raises(UnsupportedError) as caught:
        from_torch(Unmappable(), (3, "H", "W"))
    message = str(caught.value)
    assert message.startswith("cannot import Unmappable: 5 operations have no symcnn equivalent:")
    for expected in (
        "node 'shuffle' (module 'shuffle' of type torch.nn.ChannelShuffle): symcnn has no layer for this module type",
        "node 'sub' (operator.sub): 'sub' on tensors has no symcnn layer",
        "node 'cumsum' (torch.cumsum): symcnn has no layer for this function",
        "node 'attention' (module 'attention' of type torch.nn.MultiheadAttention): batch_first=False puts the batch",
        "node 'getitem_1' (operator.getitem): indexing the batch dimension (0) has no symcnn layer",
    ):
        assert expected in message
    assert message.count("\n  - ") == 5


def test_a_module_called_twice_counts_its_parameters_once() -> None:
    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(8, 8)

        def forward(self, x: Any) -> Any:
            return self.fc(self.fc(x))

    d = from_torch(Twice(), (8,)).derive()
    assert [row.name for row in d.layers] == ["fc (call 1 of 2)", "fc (call 2 of 2)"]
    assert [row.params.value for row in d.layers] == [72, 0]
    assert [row.macs.value for row in d.layers] == [64, 64]


def test_reshapes_that_move_the_batch_are_refused() -> None:
    class Batchy(nn.Module):
        def forward(self, x: Any) -> Any:
            return x.view(-1, 4) + x.view(x.size(0), 5, -1).permute(1, 0, 2).reshape(x.size(0), -1)

    with pytest.raises(UnsupportedError) as caught:
        from_torch(Batchy(), (20,))
    assert "node 'view' (Tensor.view()): the new shape" in str(caught.value)
    assert "node 'permute' (Tensor.permute()): the permutation (1, 0, 2) moves the batch dimension" in str(caught.value)


def test_untraceable_modules_and_impossible_sizes() -> None:
    class DataDependent(nn.Module):
        def forward(self, x: Any) -> Any:
            return x if x.sum() > 0 else -x

    with pytest.raises(UnsupportedError, match=r"torch\.fx cannot trace DataDependent: .*n is symbolic"):
        from_torch(DataDependent(), ("n",))  # numeric sizes are measured instead: tests/adapters/test_user_models.py
    with pytest.raises(ShapeError, match=r"layer 13 \(maxpool2d 'features.12'\): output height must be ≥ 1"):
        from_torch(build("alexnet"), (3, 32, 32)).derive()


def test_unused_parameters_have_a_row_of_their_own() -> None:
    class Spare(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used, self.spare = nn.Linear(4, 4), nn.Linear(4, 4)

        def forward(self, x: Any) -> Any:
            return self.used(x)

    d = from_torch(Spare(), (4,)).derive()
    assert d.totals.trainable == 40
    last = d.rows[-1]
    assert (last.name, last.kind, last.params.value) == ("not used by forward: spare.*", "unused", 20)
    assert d.output_shape == (4,)


def test_importing_symcnn_does_not_import_torch() -> None:
    modules = "symcnn, symcnn.adapters, symcnn.adapters.torch, symcnn.derivation.conditions"
    code = f"import sys, {modules}; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_cli_torch_bad_input_sizes_are_reported_as_such(capsys):
    from symcnn.cli import main

    assert main(["derive", "--torch", "torchvision.models:resnet18", "--input", "3,0,0"]) == 2
    assert capsys.readouterr().err == "symcnn: error: layer 0 (input): size 2 must be a positive integer, got 0\n"
    assert main(["derive", "--torch", "torchvision.models:resnet18", "--input", "3,,H"]) == 2
    assert "--input expects sizes separated by commas" in capsys.readouterr().err


def test_cli_torch_derives_a_torchvision_model(capsys):
    import json

    from symcnn.cli import main

    assert main(["derive", "--torch", "torchvision.models:resnet18", "--input", "3,H,W", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    model = torchvision.models.resnet18(weights=None)
    assert data["trainable_params"] == sum(p.numel() for p in model.parameters())
    assert data["output_shape"] == [1000]


def test_a_string_in_a_view_is_refused_not_evaluated(tmp_path):
    class Sneaky(torch.nn.Module):
        def forward(self, x):
            return x.view(x.size(0), f"__import__('pathlib').Path('{tmp_path}/pwned').touch() or 12")

    with pytest.raises(UnsupportedError, match="a size must be an integer or a size of the input"):
        from_torch(Sneaky(), (3, 2, 2))
    assert not (tmp_path / "pwned").exists()
