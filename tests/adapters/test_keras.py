"""from_keras against Keras 3 (torch backend): keras.applications and small models, every row against a real call.

For each application (``weights=None``): the totals equal ``model.count_params()``
and its trainable/non-trainable split (``model.trainable_weights``), which are
the counts Keras publishes; with ``include_top=False`` and ``None`` sizes, the
output shape of every row named after a Keras layer equals that layer's output
in a real call at two odd sizes (Keras's ``(H, W, C)``, symcnn's ``(C, H, W)``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is imported: the backend the tests use
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.keras

import symcnn  # noqa: E402
from symcnn import Derivation, UnsupportedError  # noqa: E402
from symcnn.exact.symbols import symbol  # noqa: E402

# Keras's published parameter counts (keras.io/api/applications): total, trainable.
APPLICATIONS = {
    "Xception": (22910480, 22855952),
    "VGG16": (138357544, 138357544),
    "ResNet50": (25636712, 25583592),
    "InceptionV3": (23851784, 23817352),
    "MobileNet": (4253864, 4231976),
    "MobileNetV2": (3538984, 3504872),
    "DenseNet121": (8062504, 7978856),
    "EfficientNetB0": (5330571, 5288548),
}
ODD_SIZES = [(97, 131), (225, 199)]


def at(shape: Any, values: dict[str, int]) -> tuple[int, ...]:
    return tuple(int(size.subs({symbol(k): v for k, v in values.items()})) for size in shape)


def keras_order(shape: tuple[int, ...]) -> tuple[int, ...]:
    """symcnn's (C, H, W) as Keras's (H, W, C)."""
    return shape if len(shape) < 2 else (*shape[1:], shape[0])


def every_layer(model: Any) -> tuple[list[str], Any]:
    """The names of the model's layers (not its inputs) and a model returning all their outputs."""
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return [layer.name for layer in layers], keras.Model(model.inputs, [layer.output for layer in layers])


def assert_rows_match(model: Any, derivation: Derivation, sizes: list[tuple[int, ...]], names: dict[str, int]) -> int:
    """Each row named after a Keras layer has the shape of that layer's output in a real call."""
    layers, probe = every_layer(model)
    rows = {row.name: row for row in derivation.rows}
    compared = 0
    for size in sizes:
        outputs = probe([np.zeros((1, *size), np.float32)])
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
        values = dict(zip(names, (size[index] for index in names.values()), strict=True))
        for name, output in zip(layers, outputs, strict=True):
            if name in rows:
                assert keras_order(at(rows[name].output_shape, values)) == tuple(output.shape[1:]), (name, size)
                compared += 1
    return compared


@pytest.fixture(scope="module", params=sorted(APPLICATIONS))
def application(request: pytest.FixtureRequest) -> tuple[str, Callable[..., Any]]:
    return request.param, getattr(keras.applications, request.param)


def test_totals_equal_count_params_and_the_published_counts(application: tuple[str, Callable[..., Any]]) -> None:
    name, build = application
    model = build(weights=None)
    totals = symcnn.from_keras(model).derive().totals
    total, trainable = APPLICATIONS[name]
    assert totals.params == model.count_params() == total
    assert totals.trainable == sum(int(np.prod(w.shape)) for w in model.trainable_weights) == trainable
    assert totals.non_trainable == total - trainable
    assert totals.buffers == 0


def test_every_row_shape_equals_a_real_call_at_odd_sizes(application: tuple[str, Callable[..., Any]]) -> None:
    _, build = application
    model = build(weights=None, include_top=False, input_shape=(None, None, 3))
    derivation = symcnn.from_keras(model).derive()
    assert derivation.input_shape == (3, symbol("H"), symbol("W"))
    sizes = [(height, width, 3) for height, width in ODD_SIZES]
    compared = assert_rows_match(model, derivation, sizes, {"H": 0, "W": 1})
    assert compared == len(sizes) * (len(model.layers) - 1)  # every layer but the input has a row of its name


def test_same_padding_with_strides_is_tensorflows_ceil() -> None:
    """Conv1D/2D/3D, pooling and transposed convolutions with 'same' and strides, against real calls."""
    x = keras.Input((None, None, 4))
    y = keras.layers.Conv2D(6, 3, strides=2, padding="same", activation="relu", name="conv")(x)
    y = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool")(y)
    y = keras.layers.SeparableConv2D(8, 5, strides=3, padding="same", depth_multiplier=2, name="separable")(y)
    y = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", name="depthwise")(y)
    y = keras.layers.Conv2DTranspose(5, 3, strides=2, padding="same", name="up")(y)
    y = keras.layers.Conv2DTranspose(5, 4, strides=3, padding="valid", name="up_valid")(y)
    y = keras.layers.AveragePooling2D(2, padding="same", name="average")(y)
    y = keras.layers.ZeroPadding2D(((1, 2), (0, 3)), name="pad")(y)
    y = keras.layers.Cropping2D(((2, 0), (1, 1)), name="crop")(y)
    model = keras.Model(x, y)
    derivation = symcnn.from_keras(model).derive()
    assert derivation.totals.params == model.count_params()
    sizes = [(h, w, 4) for h, w in ((37, 41), (64, 29), (100, 19))]
    assert assert_rows_match(model, derivation, sizes, {"H": 0, "W": 1}) == 27
    names = [row.name for row in derivation.rows][1:6]
    assert names == ["conv", "conv.relu", "pool", "separable.depthwise", "separable"]


def test_one_and_three_dimensional_layers() -> None:
    x = keras.Input((None, 3))
    y = keras.layers.Conv1D(4, 5, strides=2, padding="same", dilation_rate=1, name="c1")(x)
    y = keras.layers.MaxPooling1D(2, name="p1")(y)
    y = keras.layers.GlobalMaxPooling1D(name="g1")(y)
    model = keras.Model(x, y)
    derivation = symcnn.from_keras(model).derive()
    assert derivation.input_shape == (3, symbol("L"))
    assert assert_rows_match(model, derivation, [(17, 3), (40, 3)], {"L": 0}) == 6
    x = keras.Input((None, None, None, 2))
    y = keras.layers.Conv3D(3, 3, strides=(1, 2, 2), padding="same", name="c3")(x)
    y = keras.layers.AveragePooling3D(2, name="p3")(y)
    model = keras.Model(x, y)
    derivation = symcnn.from_keras(model).derive()
    assert derivation.input_shape == (2, symbol("D"), symbol("H"), symbol("W"))
    assert derivation.totals.params == model.count_params()
    assert assert_rows_match(model, derivation, [(5, 9, 11, 2)], {"D": 0, "H": 1, "W": 2}) == 2


def test_nested_models_are_blocks_and_shared_layers_count_once() -> None:
    inner_input = keras.Input((None, None, 8))
    inner = keras.Model(
        inner_input,
        keras.layers.BatchNormalization(name="bn")(keras.layers.Conv2D(8, 3, padding="same", name="conv")(inner_input)),
        name="block",
    )
    shared = keras.layers.Conv2D(8, 1, name="shared")
    x = keras.Input((None, None, 8))
    y = keras.layers.Add(name="add")([inner(x), shared(x)])
    y = shared(y)
    y = keras.layers.Concatenate(name="cat")([y, x])
    y = keras.layers.GlobalAveragePooling2D(name="gap")(y)
    y = keras.layers.Reshape((1, 1, 16), name="reshape")(y)
    y = keras.layers.Flatten(name="flat")(y)
    y = keras.layers.Dense(10, activation="softmax", name="fc")(y)
    model = keras.Model(x, y)
    derivation = symcnn.from_keras(model).derive()
    assert derivation.totals.params == model.count_params()
    assert derivation.totals.non_trainable == 16  # the block's BatchNorm moving mean and variance
    names = [row.name for row in derivation.rows]
    assert "block.conv" in names and "block.bn" in names and "shared_1" in names
    assert derivation.output_shape == (10,)


def test_frozen_layers_are_non_trainable() -> None:
    x = keras.Input((None, None, 3))
    frozen = keras.layers.Conv2D(4, 3, name="frozen")
    frozen.trainable = False
    model = keras.Model(x, keras.layers.Conv2D(2, 1, name="head")(frozen(x)))
    totals = symcnn.from_keras(model).derive().totals
    assert (totals.trainable, totals.non_trainable) == (4 * 2 + 2, 3 * 3 * 3 * 4 + 4)


def test_unsupported_layers_are_listed_in_one_error() -> None:
    x = keras.Input((None, None, 3))
    y = keras.layers.Lambda(lambda t: t * 2, name="double")(x)
    y = keras.layers.UpSampling2D(name="up")(y)
    with pytest.raises(UnsupportedError) as caught:
        symcnn.from_keras(keras.Model(x, y))
    message = str(caught.value)
    assert "2 layers have no symcnn equivalent" in message
    assert "layer 'double' (Lambda)" in message and "layer 'up' (UpSampling2D)" in message


def test_sequential_and_input_override() -> None:
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(8, 3), keras.layers.Flatten()])
    assert symcnn.from_keras(model).derive().output_shape == (8 * 30 * 30,)
    derivation = symcnn.from_keras(model, input=(3, "H", "W")).derive()
    (size,) = derivation.output_shape
    assert (size - 8 * (symbol("H") - 2) * (symbol("W") - 2)).expand() == 0
