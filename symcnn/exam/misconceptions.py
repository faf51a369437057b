"""Named misconceptions: the wrong answers students really give, and what to tell them.

Each misconception has a name (used in the JSON export and the tests), a
title and the feedback a student sees when their answer matches it.  The
values are computed in :mod:`symcnn.exam.distractors` by deriving a modified
network or re-evaluating an engine rule with a modified argument, never by a
second copy of the formulas.  Sources: CS231n's notes on convolutional
networks (the output-size formula and its +1), the fvcore and Keras threads on
counting BatchNorm statistics, and the MACs/FLOPs confusion documented in
fvcore's and ptflops' issue trackers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MISCONCEPTIONS", "Misconception"]


@dataclass(frozen=True)
class Misconception:
    name: str
    title: str
    feedback: str


MISCONCEPTIONS: dict[str, Misconception] = {
    m.name: m
    for m in (
        Misconception(
            "forgot_bias",
            "forgot the bias",
            "This leaves out the bias: each output map (or unit) also has one bias parameter.",
        ),
        Misconception(
            "forgot_input_maps",
            "forgot the input maps",
            "Each filter spans all input maps: its weights are n×m×l, not n×m.",
        ),
        Misconception(
            "missing_plus_one",
            "used i − f instead of i − f + 1",
            "Count the window positions: a window of size f fits i − f + 1 times into i values, not i − f.",
        ),
        Misconception(
            "padded_one_side",
            "padded one side only",
            "Padding p is added on both sides of the input: the padded size is i + 2p.",
        ),
        Misconception(
            "ignored_stride",
            "ignored the stride",
            "With stride s the window moves s positions at a time: divide the span by s.",
        ),
        Misconception(
            "ignored_floor",
            "ignored the floor (rounded up or kept the fraction)",
            "A window that does not fit completely is dropped: the division by the stride rounds down.",
        ),
        Misconception(
            "pooling_params",
            "counted parameters in pooling layers",
            "Pooling layers have no learnable parameters: max or mean of a window needs no weights.",
        ),
        Misconception(
            "batchnorm_statistics",
            "counted BatchNorm running statistics as learnable",
            "BatchNorm's running mean and variance are buffers, not learnable parameters "
            "(PyTorch's convention; Keras lists them as non-trainable): only γ and β are learned.",
        ),
        Misconception(
            "flops_not_macs",
            "confused MACs with FLOPs",
            "A multiply-accumulate counts once as a MAC; FLOPs count the multiply and the add, twice as many.",
        ),
        Misconception(
            "ignored_groups",
            "ignored the groups",
            "A grouped (or depthwise) convolution's filters see only l/g input maps each.",
        ),
        Misconception(
            "ignored_dilation",
            "ignored the dilation",
            "A dilated kernel of size n spans d(n − 1) + 1 input values, not n.",
        ),
        Misconception(
            "ignored_ceil_mode",
            "ignored ceil_mode",
            "With ceil_mode=True a last partial window counts (the division rounds up), "
            "unless that window would start in the right padding.",
        ),
        Misconception(
            "ignored_padding",
            "ignored the padding",
            "Padding p adds p rows and columns on each side before the window slides: use i + 2p.",
        ),
        Misconception(
            "stride_before_kernel",
            "applied the stride before the kernel",
            "The window first fits into the padded input, then moves s at a time: "
            "(i + 2p − d(n − 1) − 1)/s, rounded down, plus 1 — not the input divided by s first.",
        ),
        Misconception(
            "same_size",
            "assumed the size is kept",
            "Only padding chosen for it keeps the size ('same'): here the window and the stride change it.",
        ),
        Misconception(
            "rounded_up",
            "rounded the division up",
            "Without ceil_mode the division by the stride rounds down: a window that does not fit is dropped.",
        ),
        Misconception(
            "flatten_forgot_channels",
            "flattened one map only",
            "Flatten keeps every value of every map: channels × height × width features.",
        ),
        Misconception(
            "forgot_inputs",
            "forgot the inputs of a dense layer",
            "Each unit of a dense layer has one weight per input feature, plus its bias.",
        ),
        Misconception(
            "full_padding",
            "chose 'full' padding",
            "Padding d(n − 1) on each side grows the map by d(n − 1) ('full'); "
            "keeping the size needs half of it per side.",
        ),
        Misconception(
            "padding_as_kernel",
            "padded by the kernel size",
            "The window removes d(n − 1) positions; padding p on both sides adds 2p: p = d(n − 1)/2, not n.",
        ),
        Misconception(
            "no_padding_needed",
            "thought stride 1 keeps the size",
            "At stride 1 a window of size n > 1 still shrinks the map by d(n − 1) unless it is padded.",
        ),
        Misconception(
            "forgot_pointwise",
            "forgot the pointwise convolution",
            "A depthwise convolution alone does not mix the maps: the separable block is depthwise plus a 1×1 "
            "pointwise convolution, and both count.",
        ),
        Misconception(
            "size_ratio",
            "took the stride as input size over output size",
            "i/o only approximates the stride: solve (i + 2p − n)/s + 1 = o, rounding down as the layer does.",
        ),
        Misconception(
            "stride_as_kernel",
            "took the stride to be the kernel size",
            "A convolution's stride defaults to 1; only pooling layers default their stride to the window size.",
        ),
        Misconception(
            "flatten_added",
            "added the sizes instead of multiplying",
            "Flatten lays out channels × height × width values: multiply the three sizes.",
        ),
        Misconception(
            "flatten_one_side",
            "flattened one spatial side only",
            "A map has height × width positions, both counted by flatten.",
        ),
        Misconception(
            "global_pool_not_flatten",
            "confused flatten with global pooling",
            "Global pooling keeps one value per map; flatten keeps every position of every map.",
        ),
        Misconception(
            "kernel_one_side",
            "counted the kernel's side, not its area",
            "An n×m kernel has n·m weights per input map (9 for 3×3, not 3).",
        ),
        Misconception(
            "forgot_output_maps",
            "forgot the output maps",
            "Each of the k filters (output maps or units) does its own multiply-accumulates.",
        ),
        Misconception(
            "bias_per_input",
            "gave a bias to each input",
            "There is one bias per output map (or unit), not one per input.",
        ),
        Misconception(
            "weights_per_position",
            "gave each output position its own weights",
            "A convolution shares its weights across positions: the count does not depend on the map size.",
        ),
        Misconception(
            "norm_per_position",
            "gave BatchNorm a γ and β per activation",
            "BatchNorm2d learns one γ and one β per channel, shared by all positions of the map.",
        ),
        Misconception(
            "norm_scale_only",
            "counted BatchNorm's scale only",
            "BatchNorm learns a scale γ and a shift β per channel: 2 parameters per channel.",
        ),
        Misconception(
            "macs_as_params",
            "answered the weight count",
            "Each weight is used once per output position: MACs are the weights times the output positions.",
        ),
        Misconception(
            "macs_not_flops",
            "answered MACs where FLOPs were asked",
            "A multiply-accumulate is two floating-point operations (a multiply and an add): FLOPs = 2 × MACs.",
        ),
    )
}
