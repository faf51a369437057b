"""Each misconception pinned by a worked example, the numbers computed by hand."""

from __future__ import annotations

import sympy

import symcnn
from symcnn.exam import MISCONCEPTIONS
from symcnn.exam import distractors as wrong
from symcnn.exam.kinds import size_distractors


def _derive(spec):
    return symcnn.load_spec(spec).derive()


def _by_name(found):
    return {d.misconception: d.value for d in found}


def test_forgot_the_bias_and_the_input_maps():
    # conv 16@3x3 on 3 maps: (3*3*3 + 1)*16 = 448; without bias 27*16 = 432; with a 3x3 filter (3*3 + 1)*16 = 160.
    spec = {"input": [3, 10, 10], "layers": [{"type": "conv2d", "out_channels": 16, "kernel_size": 3}]}
    (row,) = _derive(spec).layers
    assert row.params.value == 448
    assert _derive(wrong.without_bias(spec)).totals.params == 432
    assert wrong.reevaluate(row.params, l=1) == 160
    assert wrong.forgot_input_maps(_derive(spec).layers) == 160


def test_forgot_input_maps_leaves_dense_layers_alone():
    spec = {"input": [8], "layers": [{"type": "linear", "out_features": 4}]}
    assert wrong.forgot_input_maps(_derive(spec).layers) is None


def test_missing_plus_one_padded_one_side_ignored_stride_and_floor():
    # i=28, n=3, p=1, s=2: floor((28 + 2 - 3)/2) + 1 = 14.  No padding: floor(25/2) + 1 = 13.
    # One side padded: floor((28 + 1 - 3)/2) + 1 = 14 (equal: dropped).  Stride 1: 28 + 2 - 3 + 1 = 28.
    # No floor: 27/2 + 1 = 29/2 = 14.5; rounded up: 15.  Without the + 1 (13), the stride first
    # (30 subsampled to 15, then 15 - 2 = 13) and "the size is kept" (28) repeat earlier values: dropped.
    layer = {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "stride": 2}
    (row,) = _derive(wrong.one_layer([1, 28, 28], layer)).layers
    found = _by_name(size_distractors((1, 28, 28), layer, row))
    assert row.output_shape[1] == 14
    assert found == {
        "ignored_padding": 13,
        "ignored_stride": 28,
        "ignored_floor": sympy.Rational(29, 2),
        "rounded_up": 15,
    }


def test_stride_before_kernel_and_stride_as_kernel():
    # i=28, n=5, s=2: floor(23/2) + 1 = 12.  Stride first: 28 subsampled by 2 is 14, then 14 - 4 = 10.
    layer = {"type": "conv2d", "out_channels": 4, "kernel_size": 5, "stride": 2}
    (row,) = _derive(wrong.one_layer([1, 28, 28], layer)).layers
    found = _by_name(size_distractors((1, 28, 28), layer, row))
    assert found["stride_before_kernel"] == 10 and found["missing_plus_one"] == 11 and found["same_size"] == 28
    # A convolution without a stride: taking the stride to be the kernel (3) gives floor(25/3) + 1 = 9.
    plain = {"type": "conv2d", "out_channels": 4, "kernel_size": 3}
    (row,) = _derive(wrong.one_layer([1, 28, 28], plain)).layers
    assert _by_name(size_distractors((1, 28, 28), plain, row))["stride_as_kernel"] == 9


def test_flatten_misconceptions():
    # flatten of 16x5x5 = 400: one map 25, one side 16*5 = 80, one per map 16, added 16 + 5 + 5 = 26.
    spec = {"input": [16, 5, 5], "layers": [{"type": "flatten"}]}
    (row,) = _derive(spec).layers
    found = _by_name(size_distractors((16, 5, 5), {"type": "flatten"}, row))
    assert found == {
        "flatten_forgot_channels": 25,
        "flatten_one_side": 80,
        "global_pool_not_flatten": 16,
        "flatten_added": 26,
    }


def test_kernel_side_bias_per_input_and_weights_per_position():
    # conv 16@3x3 on 3 maps, 10x10 input -> 8x8: 448 parameters.  Kernel side only: (3*3 + 1)*16 = 160;
    # a bias per input map: 27*16 + 3 = 435; own weights per position: MACs 27*16*64 = 27648, plus 16 biases.
    spec = {"input": [3, 10, 10], "layers": [{"type": "conv2d", "out_channels": 16, "kernel_size": 3}]}
    rows = _derive(spec).layers
    assert wrong.kernel_one_side(rows) == 160
    assert wrong.bias_per_input(rows) == 435
    assert wrong.weights_per_position(rows) == 27648 + 16
    dense = _derive({"input": [8], "layers": [{"type": "linear", "out_features": 4}]}).layers
    assert wrong.forgot_inputs(dense) == (1 + 1) * 4


def test_batchnorm_per_position_and_scale_only():
    # BatchNorm2d on 6x4x4: 12 parameters; per position 2*96 = 192; scale only 6.
    rows = _derive({"input": [6, 4, 4], "layers": [{"type": "batchnorm2d"}]}).layers
    assert rows[0].params.value == 12
    assert wrong.norm_per_position(rows) == 192 and wrong.norm_scale_only(rows) == 6


def test_padded_one_side():
    # i=10, n=5, p=2, stride 1: 10 + 4 - 4 = 10; padded on one side: 10 + 2 - 4 = 8.
    layer = {"type": "conv2d", "out_channels": 4, "kernel_size": 5, "padding": 2}
    (row,) = _derive(wrong.one_layer([1, 10, 10], layer)).layers
    assert _by_name(size_distractors((1, 10, 10), layer, row))["padded_one_side"] == 8


def test_ignored_dilation_and_ceil_mode():
    # i=16, n=3, d=2: 16 - 2*(3 - 1) = 12; undilated 16 - 2 = 14.
    dilated = {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "dilation": 2}
    (row,) = _derive(wrong.one_layer([1, 16, 16], dilated)).layers
    assert _by_name(size_distractors((1, 16, 16), dilated, row))["ignored_dilation"] == 14
    # max-pool 3, stride 2, ceil_mode on 8: ceil((8 - 3)/2) + 1 = 4 (the last window starts at 6 < 8); floor: 3.
    pool = {"type": "maxpool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True}
    (row,) = _derive(wrong.one_layer([1, 8, 8], pool)).layers
    assert row.output_shape[1] == 4
    assert _by_name(size_distractors((1, 8, 8), pool, row))["ignored_ceil_mode"] == 3


def test_pooling_params():
    # conv 32@5x5 on 1x28x28 (832), max-pool 2 on 32 maps: counted as a conv (2*2*32 + 1)*32 = 4128.
    spec = {
        "input": [1, 28, 28],
        "layers": [{"type": "conv2d", "out_channels": 32, "kernel_size": 5}, {"type": "maxpool2d", "kernel_size": 2}],
    }
    assert wrong.pooling_params(_derive(spec), spec["layers"]) == 832 + 4128


def test_batchnorm_statistics():
    # BatchNorm on 16 maps: 32 learnable (γ, β); counting the running mean and variance too: 64.
    spec = {"input": [16, 4, 4], "layers": [{"type": "batchnorm2d"}]}
    assert _derive(spec).totals.params == 32
    assert wrong.keras_counting(spec) == 64


def test_flops_not_macs():
    # conv 8@3x3 on 2x5x5: 3x3 outputs, each 8 maps of 3*3*2 products: 9*8*18 = 1296 MACs, 2592 FLOPs.
    spec = {"input": [2, 5, 5], "layers": [{"type": "conv2d", "out_channels": 8, "kernel_size": 3}]}
    totals = _derive(spec).totals
    assert (totals.macs, totals.flops) == (1296, 2592)


def test_ignored_groups():
    # conv 8@3x3, groups 4, on 8 maps: (3*3*8/4 + 1)*8 = 152; as if ungrouped (3*3*8 + 1)*8 = 584.
    spec = {"input": [8, 6, 6], "layers": [{"type": "conv2d", "out_channels": 8, "kernel_size": 3, "groups": 4}]}
    (row,) = _derive(spec).layers
    assert row.params.value == 152
    assert wrong.reevaluate(row.params, g=1) == 584
    assert wrong.ignored_groups(_derive(spec).layers) == 584


def test_distractors_equal_to_the_answer_or_each_other_are_dropped():
    make = wrong.make
    kept = wrong.distinct(
        sympy.Integer(10),
        [
            make("forgot_bias", 10),
            make("forgot_input_maps", 7),
            make("ignored_groups", 7),
            None,
            make("ignored_stride", 8),
        ],
    )
    assert [(d.misconception, d.value) for d in kept] == [("forgot_input_maps", 7), ("ignored_stride", 8)]


def test_untypeable_values_are_not_offered():
    assert wrong.make("ignored_floor", sympy.Rational(1, 3)) is None  # 0.333...: no exact typed answer
    assert wrong.make("ignored_floor", sympy.Rational(3, 2)).value == sympy.Rational(3, 2)


def test_every_misconception_has_title_and_feedback():
    for name, misconception in MISCONCEPTIONS.items():
        assert misconception.name == name
        assert misconception.title and misconception.feedback.endswith(".")
