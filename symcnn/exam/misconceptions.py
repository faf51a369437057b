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
            "rf_ignored_jump",
            "ignored the jump",
            "After a stride s the units are s input pixels apart: each later layer adds d(n − 1)·J, not d(n − 1).",
        ),
        Misconception(
            "rf_jump_after",
            "used the jump after the layer",
            "A layer's window steps over its input's units: multiply by the jump J before its own stride, not after.",
        ),
        Misconception(
            "rf_off_by_one",
            "added n instead of n − 1",
            "A window of n units reaches n − 1 units beyond the first: r = R + d(n − 1)·J.",
        ),
        Misconception(
            "rf_last_layer_only",
            "counted the last layer only",
            "The field grows through every layer below: start from the input's 1 and add each layer's span.",
        ),
        Misconception(
            "rf_multiplied",
            "multiplied the kernel sizes",
            "Fields add up, they do not multiply: each layer adds d(n − 1) jumps to its input's field.",
        ),
        Misconception(
            "jump_excludes_layer",
            "left out the layer's own stride",
            "The jump of a layer's output is its input's jump times its own stride.",
        ),
        Misconception(
            "jump_added",
            "added the strides",
            "Strides multiply: two stride-2 layers make units 4 input pixels apart, not 3.",
        ),
        Misconception(
            "jump_is_size",
            "gave the field's size",
            "The jump is the distance between neighbouring fields, not the size of one.",
        ),
        Misconception(
            "jump_is_stride",
            "gave the layer's own stride",
            "The jump counts input pixels: multiply the strides of every layer up to this one.",
        ),
        Misconception(
            "dilation_times_kernel",
            "took the dilated kernel as d·n",
            "A kernel of n taps with gaps d spans d(n − 1) + 1 pixels (the last tap adds 1, not d).",
        ),
        Misconception(
            "dilation_gaps_only",
            "added the gaps once",
            "Dilation d leaves d − 1 gaps between each of the n − 1 pairs of taps: d(n − 1) + 1.",
        ),
        Misconception(
            "groups_squared",
            "divided by the groups twice",
            "Each of the k filters sees l/g input maps: the weights are n·m·(l/g)·k, divided by g once.",
        ),
        Misconception(
            "forgot_num_batches_tracked",
            "forgot num_batches_tracked",
            "PyTorch's BatchNorm also keeps num_batches_tracked, one counter, beside the running mean and variance.",
        ),
        Misconception(
            "buffers_include_params",
            "counted γ and β as buffers",
            "γ and β are learnable parameters; the buffers are the running mean, the running variance and the counter.",
        ),
        Misconception(
            "buffers_per_position",
            "kept statistics per activation",
            "The running mean and variance are per channel, averaged over the batch and all positions.",
        ),
        Misconception(
            "running_mean_only",
            "counted the running mean only",
            "BatchNorm keeps a running mean and a running variance per channel (and one counter).",
        ),
        Misconception(
            "forgot_output_padding",
            "forgot the output padding",
            "output_padding adds that many rows (and columns) on one side of a transposed convolution's output.",
        ),
        Misconception(
            "transposed_padding_added",
            "added the padding",
            "A transposed convolution's padding removes p rows on each side: (i − 1)s − 2p + d(n − 1) + 1.",
        ),
        Misconception(
            "conv_formula_for_transposed",
            "used the convolution's formula",
            "A transposed convolution runs the convolution backwards: (i − 1)s − 2p + d(n − 1) + output_padding + 1.",
        ),
        Misconception(
            "upsample_by_stride",
            "multiplied the size by the stride",
            "Only with kernel = stride and no padding is the output i·s: "
            "the kernel adds n − s, the padding removes 2p.",
        ),
        Misconception(
            "transposed_i_not_i_minus_one",
            "used i·s instead of (i − 1)·s",
            "i input positions have i − 1 gaps of s between their windows: (i − 1)s, then the kernel's span.",
        ),
        Misconception(
            "forgot_batch",
            "forgot the batch",
            "Every example of the batch has its own activations: multiply by the batch size.",
        ),
        Misconception(
            "bits_not_bytes",
            "counted bits",
            "A float32 takes 4 bytes (32 bits); the question asks for bytes.",
        ),
        Misconception(
            "wrong_dtype_size",
            "used the wrong size per value",
            "float32 takes 4 bytes per value, float16 2.",
        ),
        Misconception(
            "forgot_channels",
            "counted one map",
            "An output has a value for every channel at every position: channels × height × width per example.",
        ),
        Misconception(
            "counted_inputs",
            "counted the layer's input",
            "The memory asked for is the layer's output, whose shape the layer computes from its input.",
        ),
        Misconception(
            "flops_counted_twice",
            "doubled twice",
            "FLOPs are 2 × MACs once: a multiply and an add per multiply-accumulate.",
        ),
        Misconception(
            "projection_kernel",
            "used a 3×3 projection",
            "A projection shortcut is a 1×1 convolution: it only changes the maps (and, with a stride, the size).",
        ),
        Misconception(
            "projection_wrong_maps",
            "gave the projection the output's maps as input",
            "The projection reads the block's input: its filters have as many maps as the input, not the output.",
        ),
        Misconception(
            "projection_bias",
            "gave the projection a bias",
            "This projection has no bias (bias=False, as when a BatchNorm follows).",
        ),
        Misconception(
            "concat_dropped_pool_branch",
            "left out the pooling branch",
            "The pooling branch (with its 1×1 convolution) is concatenated too.",
        ),
        Misconception(
            "concat_counted_input",
            "added the block's input",
            "An Inception module concatenates its branches only; its input is not passed on.",
        ),
        Misconception(
            "concat_as_add",
            "treated the concatenation as a sum",
            "Concatenation stacks the maps of its inputs: the channels add up (a sum would keep them).",
        ),
        Misconception(
            "concat_counted_pool",
            "counted the pool's maps instead of its projection",
            "The pooling branch ends in its own 1×1 convolution: its filters are what is concatenated.",
        ),
        Misconception(
            "concat_forgot_input",
            "forgot the block's input",
            "A DenseNet block concatenates its input with every layer's new maps.",
        ),
        Misconception(
            "concat_last_only",
            "counted the last layer only",
            "Each concatenation keeps everything before it: input maps plus the growth of every layer so far.",
        ),
        Misconception(
            "concat_one_layer_short",
            "missed one layer",
            "Count the layers: each adds the growth rate once, including the one asked about.",
        ),
        Misconception(
            "ignored_padding_fit",
            "ignored the padding when checking the fit",
            "The window must fit the padded input: i + 2p ≥ d(n − 1) + 1, not i ≥ n.",
        ),
        Misconception(
            "odd_size_pool",
            "thought an odd size cannot be pooled",
            "Pooling an odd size is fine: the division by the stride rounds down and drops the last row.",
        ),
        Misconception(
            "stride_exceeds_kernel",
            "thought a stride above the kernel is an error",
            "A stride larger than the kernel only skips input pixels; the layer still applies.",
        ),
        Misconception(
            "blamed_the_head",
            "blamed the dense head",
            "A dense layer reads whatever flatten gives it (PyTorch checks in_features, here matching); "
            "the first error is earlier.",
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
