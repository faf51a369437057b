"""from_onnx against onnxruntime: torchvision classifiers exported here, and hand-built graphs.

Every torchvision model is exported with the legacy (TorchScript) exporter and
dynamic ``H, W``, read back with :func:`symcnn.from_onnx`, and checked against
the graph itself and onnxruntime: the parameter and buffer totals against the
graph's floating-point initializers (BatchNormalization's mean and variance
are the buffers), and the output shape of *every* row named after a node
against the shape onnxruntime computes for that node's output, at two odd
sizes.  ``symcnn derive --onnx`` must print the Python API's JSON.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.onnx

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import symcnn  # noqa: E402
from symcnn import Derivation, SpecError, UnsupportedError  # noqa: E402
from symcnn.cli import main  # noqa: E402
from symcnn.exact.symbols import symbol  # noqa: E402

MODELS = [
    "resnet18",
    "resnet50",
    "mobilenet_v2",
    "densenet121",
    "efficientnet_b0",
    "squeezenet1_0",
    "googlenet",
    "vgg11_bn",
    "shufflenet_v2_x1_0",
    "regnet_y_400mf",
]
ODD_SIZES = [(97, 131), (225, 199)]
# VGG's AdaptiveAvgPool2d((7, 7)) exports only at a fixed size (224): it is read with input=(3, "H", "W")
# and checked at sizes whose feature map is 7x7 too, as the graph's AveragePool(kernel 1) needs.
FIXED = {"vgg11_bn": [(225, 255), (231, 249)]}


def export(name: str, directory: Path, *, trained: bool = True) -> Path:
    """``name`` exported to ``directory/name.onnx`` with dynamic H, W (VGG: at 224x224).

    ``trained``: BatchNorm statistics and affine parameters drawn at random, as in a
    trained model, so the exporter keeps one initializer per tensor (a fresh model's
    equal zeros and ones are stored once and shared).
    """
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    options = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
    torch.manual_seed(0)
    model = torchvision.models.get_model(name, weights=None, **options).eval()
    if trained:
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                    module.running_mean.uniform_(-1, 1)
                    module.running_var.uniform_(0.5, 2)
                    module.weight.uniform_(0.5, 2)
                    module.bias.uniform_(-1, 1)
    path = directory / f"{name}.onnx"
    fixed = name in FIXED
    size = 224 if fixed else 64
    dynamic = None if fixed else {"input": {0: "N", 2: "H", 3: "W"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            torch.zeros(1, 3, size, size),
            str(path),
            dynamo=False,
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes=dynamic,
        )
    return path


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module", params=MODELS)
def exported(request: pytest.FixtureRequest, directory: Path) -> tuple[str, Path]:
    return request.param, export(request.param, directory)


def read(name: str, path: Path) -> symcnn.Graph:
    return symcnn.from_onnx(path, input=(3, "H", "W") if name in FIXED else None)


def float_initializers(model: Any) -> tuple[int, int]:
    """Elements of the graph's float initializers: (parameters, BatchNormalization mean and variance)."""
    statistics = {name for node in model.graph.node if node.op_type == "BatchNormalization" for name in node.input[3:5]}
    params = buffers = 0
    for tensor in model.graph.initializer:
        if tensor.data_type in (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16):
            size = int(np.prod(tensor.dims, dtype=np.int64))
            if tensor.name in statistics:
                buffers += size
            else:
                params += size
    return params, buffers


def every_output(model: Any) -> Any:
    """The model with every node's float outputs as graph outputs, so onnxruntime returns them all."""
    inferred = onnx.shape_inference.infer_shapes(model)
    known = {item.name for item in inferred.graph.output}
    for info in inferred.graph.value_info:
        if info.name not in known and info.type.tensor_type.elem_type == TensorProto.FLOAT:
            inferred.graph.output.append(info)
    return inferred


def with_symbolic_input(model: Any) -> Any:
    """A copy whose input is declared (N, C, H, W) by name, for onnxruntime to run at other sizes."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    for position, name in enumerate(("N", None, "H", "W")):
        if name is not None:
            dim = copy.graph.input[0].type.tensor_type.shape.dim[position]
            dim.Clear()
            dim.dim_param = name
    return copy


def runtime_shapes(model: Any, inputs: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Every graph output's shape without the batch, as onnxruntime computes it."""
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {name: np.zeros(shape, np.float32) for name, shape in inputs.items()}
    names = [item.name for item in session.get_outputs()]
    return {name: tuple(result.shape[1:]) for name, result in zip(names, session.run(names, feeds), strict=True)}


def at(shape: Sequence[Any], values: dict[str, int]) -> tuple[int, ...]:
    return tuple(int(symcnn_size.subs({symbol(k): v for k, v in values.items()})) for symcnn_size in shape)


def assert_rows_match(model: Any, derivation: Derivation, inputs: dict[str, tuple[int, ...]], values: dict[str, int]):
    """Each row named after a node has the shape onnxruntime gives that node's first output."""
    shapes = runtime_shapes(every_output(model), inputs)
    rows = {row.name: row for row in derivation.rows}
    compared = 0
    for node in model.graph.node:
        row = rows.get(node.name)
        if row is None or node.output[0] not in shapes:
            continue
        assert at(row.output_shape, values) == shapes[node.output[0]], f"{node.name} ({node.op_type}) at {values}"
        compared += 1
    for output in model.graph.output:
        assert at(derivation.output_shape, values) == shapes[output.name]
        break
    return compared


def test_totals_equal_the_graphs_float_initializers(exported: tuple[str, Path]) -> None:
    name, path = exported
    derivation = read(name, path).derive()
    params, buffers = float_initializers(onnx.load(str(path)))
    totals = derivation.totals
    if name in FIXED:  # VGG's classifier reads 512*floor(H/32)*floor(W/32) features, 25088 where it runs
        (height, width), _ = FIXED[name]
        assert derivation.subs(H=height, W=width).totals.params == params
        return
    assert totals.params == params
    assert totals.non_trainable == 0
    assert totals.buffers == buffers
    assert buffers > 0 or name != "densenet121"  # DenseNet's pre-activation BatchNorms are not folded


def test_every_row_shape_equals_onnxruntime_at_odd_sizes(exported: tuple[str, Path]) -> None:
    name, path = exported
    model = onnx.load(str(path))
    derivation = read(name, path).derive()
    if name in FIXED:
        model = with_symbolic_input(model)
    for height, width in FIXED.get(name, ODD_SIZES):
        compared = assert_rows_match(model, derivation, {"input": (1, 3, height, width)}, {"H": height, "W": width})
        assert compared >= len([node for node in model.graph.node if node.op_type == "Conv"])


def test_cli_json_equals_the_python_api(exported: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    name, path = exported
    extra = ["--input", "3,H,W"] if name in FIXED else []
    assert main(["derive", "--onnx", str(path), "--format", "json", *extra]) in (0, None)
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(read(name, path).derive().to_json())


def test_shared_initializers_count_once(tmp_path: Path) -> None:
    """A fresh model's equal tensors are stored once by the exporter and read by many nodes: counted once."""
    path = export("resnet18", tmp_path, trained=False)
    model = onnx.load(str(path))
    params, buffers = float_initializers(model)
    totals = symcnn.from_onnx(path).derive().totals
    assert totals.params + totals.buffers == params + buffers
    readers: dict[str, int] = {}
    for node in model.graph.node:
        for item in node.input:
            readers[item] = readers.get(item, 0) + 1
    assert any(count > 1 for count in readers.values())  # the case this test is about


# -- hand-built graphs ------------------------------------------------------------------------------------


def graph(nodes: list[Any], initializers: dict[str, np.ndarray], shape: Sequence[Any], outputs: Sequence[str] = ("y",)):
    """A model from nodes; the input ``x`` of ``shape`` (batch first), float initializers from arrays."""
    tensors = [numpy_helper.from_array(np.asarray(value), name) for name, value in initializers.items()]
    made = helper.make_graph(
        nodes,
        "test",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        tensors,
    )
    return helper.make_model(made, opset_imports=[helper.make_opsetid("", 17)])


def random(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def check(model: Any, sizes: Sequence[tuple[int, int]] = ((17, 23), (32, 9))) -> Derivation:
    derivation = symcnn.from_onnx(model).derive()
    for height, width in sizes:
        assert_rows_match(model, derivation, {"x": (2, 3, height, width)}, {"H": height, "W": width})
    return derivation


@pytest.mark.parametrize(
    "attributes",
    [
        {"pads": [1, 0, 2, 1], "strides": [2, 1]},  # unequal ends: a zero-padding row first
        {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
        {"auto_pad": "SAME_LOWER", "strides": [3, 1]},
        {"auto_pad": "SAME_UPPER"},
        {"auto_pad": "VALID", "dilations": [2, 1]},
        {"pads": [1, 1, 1, 1], "group": 3},
    ],
    ids=["asymmetric", "same-upper-strided", "same-lower-strided", "same", "valid-dilated", "grouped"],
)
def test_conv_padding_variants(attributes: dict[str, Any]) -> None:
    groups = attributes.get("group", 1)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", kernel_shape=[3, 3], **attributes)
    model = graph([node], {"w": random(6, 3 // groups, 3, 3), "b": random(6)}, ["N", 3, "H", "W"])
    derivation = check(model)
    assert derivation.totals.params == 6 * (3 // groups) * 9 + 6


def test_pools_batchnorm_and_dense_layers() -> None:
    nodes = [
        helper.make_node("BatchNormalization", ["x", "s", "t", "m", "v"], ["bn"], name="bn"),
        helper.make_node("MaxPool", ["bn"], ["mp"], name="maxpool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        helper.make_node("AveragePool", ["mp"], ["ap"], name="avgpool", kernel_shape=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("ConvTranspose", ["ap", "wt"], ["ct"], name="up", strides=[2, 2], output_padding=[1, 0]),
        helper.make_node("Resize", ["ct", "", "scales"], ["rs"], name="resize", mode="nearest"),
        helper.make_node("Pad", ["rs", "pads"], ["pd"], name="pad", mode="reflect"),
        helper.make_node("GlobalAveragePool", ["pd"], ["gp"], name="gap"),
        helper.make_node("Flatten", ["gp"], ["fl"], name="flatten"),
        helper.make_node("MatMul", ["fl", "mw"], ["mm"], name="matmul"),
        helper.make_node("Add", ["mm", "mb"], ["ad"], name="bias"),
        helper.make_node("Softmax", ["ad"], ["y"], name="softmax", axis=1),
    ]
    initializers = {
        "s": random(3), "t": random(3), "m": random(3), "v": np.ones(3, np.float32),
        "wt": random(3, 4, 3, 3),
        "scales": np.array([1, 1, 2, 2], np.float32),
        "pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64),
        "mw": random(4, 5), "mb": random(5),
    }  # fmt: skip
    model = graph(nodes, initializers, ["N", 3, "H", "W"])
    derivation = check(model)
    assert derivation.totals.params == 3 + 3 + 3 * 4 * 9 + 4 * 5 + 5
    assert derivation.totals.buffers == 6  # mean and variance; ONNX holds no batch counter
    assert symcnn.from_onnx(model).derive(conventions=symcnn.KERAS).totals.buffers == 6  # whatever the conventions
    assert [row.name for row in derivation.rows][1:4] == ["bn", "maxpool", "avgpool"]


def test_size_arithmetic_reshape_transpose_split() -> None:
    """A channel shuffle as the torch exporter writes it: Shape/Gather/Div/Unsqueeze/Concat, Reshape, Transpose."""

    def ints(name: str, values: Sequence[int]) -> Any:
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(values, np.int64)))

    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        ints("zero", 0),
        ints("one", 1),
        ints("two", 2),
        ints("three", 3),
        ints("axes", [0]),
        ints("groups", [3]),
        helper.make_node("Gather", ["shape", "zero"], ["n"], axis=0),
        helper.make_node("Gather", ["shape", "one"], ["c"], axis=0),
        helper.make_node("Gather", ["shape", "two"], ["h"], axis=0),
        helper.make_node("Gather", ["shape", "three"], ["w"], axis=0),
        helper.make_node("Div", ["c", "three"], ["cg"]),
        *[helper.make_node("Unsqueeze", [item, "axes"], [f"{item}1"]) for item in ("n", "cg", "h", "w", "c")],
        helper.make_node("Concat", ["n1", "groups", "cg1", "h1", "w1"], ["grouped"], axis=0),
        helper.make_node("Concat", ["n1", "c1", "h1", "w1"], ["back"], axis=0),
        helper.make_node("Reshape", ["x", "grouped"], ["r"], name="reshape"),
        helper.make_node("Transpose", ["r"], ["t"], name="transpose", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["t", "back"], ["s"], name="shuffled"),
        helper.make_node("Split", ["s", "split"], ["a", "b"], name="split", axis=1),
        helper.make_node("Mul", ["a", "b"], ["y"], name="gate"),
    ]
    model = graph(nodes, {}, ["N", 6, "H", "W"])
    model.graph.initializer.append(numpy_helper.from_array(np.array([3, 3], np.int64), "split"))
    derivation = symcnn.from_onnx(model).derive()
    for height, width in ((5, 7), (11, 2)):
        assert_rows_match(model, derivation, {"x": (2, 6, height, width)}, {"H": height, "W": width})
    assert derivation.totals.params == 0  # integer initializers are sizes, not parameters
    assert [row.kind for row in derivation.rows if row.name in ("reshape", "transpose", "shuffled")] == [
        "unflatten",
        "permute",
        "flatten",
    ]


def test_unsupported_operators_are_listed_in_one_error() -> None:
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Erf", ["r"], ["e"], name="mystery"),
        helper.make_node("TopK", ["e", "k"], ["y", "i"], name="topk", axis=1),
    ]
    model = graph(nodes, {}, ["N", 3, "H", "W"])
    model.graph.initializer.append(numpy_helper.from_array(np.array([2], np.int64), "k"))
    with pytest.raises(UnsupportedError) as caught:
        symcnn.from_onnx(model)
    message = str(caught.value)
    assert message.startswith("cannot import test: 2 nodes have no symcnn equivalent")
    assert "node 'mystery' (Erf)" in message and "node 'topk' (TopK)" in message and "relu" not in message


def test_dim_params_become_symbols_and_input_overrides() -> None:
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[3, 3], strides=[2, 2])
    model = graph([node], {"w": random(4, 3, 3, 3)}, ["batch", 3, "height", 32])
    derivation = symcnn.from_onnx(model).derive()
    height = symbol("height")
    assert derivation.input_shape == (3, height, 32)
    assert derivation.output_shape[1:] == ((height - 3) // 2 + 1, 15)
    assert symcnn.from_onnx(model, input=(3, "H", "W")).derive().input_shape == (3, symbol("H"), symbol("W"))


def test_bad_dim_param_and_bad_files_are_one_line_errors(tmp_path: Path) -> None:
    node = helper.make_node("Relu", ["x"], ["y"], name="relu")
    with pytest.raises(SpecError, match=r"dim_param 'image height' cannot be a symcnn symbol"):
        symcnn.from_onnx(graph([node], {}, ["N", 3, "image height", 8]))
    (tmp_path / "bad.onnx").write_bytes(b"not a model")
    with pytest.raises(SpecError, match="cannot read the ONNX file"):
        symcnn.from_onnx(tmp_path / "bad.onnx")


def test_a_wrong_weight_count_is_refused() -> None:
    """Gemm's bias broadcast from one value: symcnn's Linear counts out_features biases, so it refuses."""
    node = helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc", transB=1)
    model = graph([node], {"w": random(5, 8), "b": random(1)}, ["N", 8])
    with pytest.raises(UnsupportedError, match=r"node 'fc' \(Gemm\): symcnn's linear counts 45 parameters"):
        symcnn.from_onnx(model)


def test_paper_and_whatif_read_onnx_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["y"], name="relu"),
    ]
    path = tmp_path / "tiny.onnx"
    onnx.save(graph(nodes, {"w": random(8, 3, 3, 3), "b": random(8)}, ["N", 3, "H", "W"]), str(path))
    assert main(["paper", "--onnx", str(path), "-o", str(tmp_path / "paper")]) in (0, None)
    written = "".join(item.read_text(encoding="utf-8") for item in (tmp_path / "paper").glob("*.tex"))
    assert "conv" in written and "relu" in written  # the rows, named after the nodes
    capsys.readouterr()
    bound = ["--largest", "H", "--subject-to", "macs <= 648000", "--subs", "W=10"]
    assert main(["whatif", "solve", "--onnx", str(path), *bound]) in (0, None)
    assert "H = 300" in capsys.readouterr().out  # 8*3*9 MACs per position: 216*H*10 <= 648000
