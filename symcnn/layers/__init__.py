"""All layer kinds; importing this package fills the registry ``LAYERS``."""

from __future__ import annotations

from .attention import MultiheadAttention
from .base import LAYERS, Layer, layer_class
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .dense import Embedding, Flatten, Linear
from .elementwise import (
    ELU,
    GELU,
    AlphaDropout,
    Dropout,
    Dropout1d,
    Dropout2d,
    Dropout3d,
    Hardsigmoid,
    Hardswish,
    Identity,
    LeakyReLU,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .layout import Chunk, Permute, Unflatten
from .merge import Add, Concat, Multiply
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm
from .pool import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AdaptiveMaxPool3d,
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
)
from .recurrent import GRU, LSTM, RNN
from .reduce import Mean
from .resize import Upsample, ZeroPad1d, ZeroPad2d, ZeroPad3d
from .scale import Scale

__all__ = [
    "LAYERS", "Layer", "layer_class",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "Linear", "Flatten", "Embedding",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm",
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softplus", "Softmax",
    "LogSoftmax", "Hardswish", "Hardsigmoid", "Mish", "Identity", "PReLU",
    "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "Upsample",
    "RNN", "LSTM", "GRU", "MultiheadAttention",
    "Add", "Concat", "Multiply",
    "Unflatten", "Permute", "Chunk", "Mean", "Scale",
]
