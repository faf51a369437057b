"""How a layer kind moves the receptive field: a declaration each layer class makes.

:mod:`symcnn.analysis.receptive` reads ``type(layer).receptive`` and applies the
recurrence that behaviour names; it keeps no table of kind names.  A class that
declares nothing (``None``) gets no receptive field through it: the analysis
refuses, naming the layer — never a silent skip.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Field"]


class Field(Enum):
    """The receptive-field behaviours symcnn derives exactly (see docs/receptive.md)."""

    #: Each position on its own: activations, dropout, normalisations (statistics as constants, eval mode).
    POINTWISE = "pointwise"
    #: A sliding window per spatial axis; the layer's size steps record kernel, stride, dilation, padding.
    WINDOW = "window"
    #: Several inputs meet position by position (add, multiply): the union of their regions.
    MERGE = "merge"
    #: Several inputs joined along an axis: a union along channels, refused along a spatial axis.
    CONCAT = "concat"
    #: All positions into one vector: its units see position-dependent regions.
    FLATTEN = "flatten"
    #: Mixes the last axis (on a flat vector: the whole input).
    DENSE = "dense"
    #: Adaptive pooling: a window when the sizes divide, refused otherwise.
    ADAPTIVE = "adaptive"
    #: A mean over axes: those axes see everything.
    MEAN = "mean"
    #: Zero padding or cropping on each side: the start moves.
    PAD = "pad"
    #: Upsampling (transposed convolution, Upsample): fractional jumps, refused with the reason.
    UPSAMPLE = "upsample"
