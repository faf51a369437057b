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
    )
}
