"""The symcnn layer of a family at a number of spatial dimensions, for the ONNX and Keras importers.

Both frameworks name an operation once for every rank (ONNX ``Conv`` on any input,
Keras ``Conv1D``/``2D``/``3D`` sharing one handler); symcnn has a class per rank.
"""

from __future__ import annotations

from .. import layers as sl
from ..layers.base import Layer
from .torch.values import _Unsupported

__all__ = ["by_dims"]

_BY_DIMS: dict[str, tuple[type[Layer], ...]] = {
    "conv": (sl.Conv1d, sl.Conv2d, sl.Conv3d),
    "convtranspose": (sl.ConvTranspose1d, sl.ConvTranspose2d, sl.ConvTranspose3d),
    "maxpool": (sl.MaxPool1d, sl.MaxPool2d, sl.MaxPool3d),
    "avgpool": (sl.AvgPool1d, sl.AvgPool2d, sl.AvgPool3d),
    "globalavg": (sl.AdaptiveAvgPool1d, sl.AdaptiveAvgPool2d, sl.AdaptiveAvgPool3d),
    "globalmax": (sl.AdaptiveMaxPool1d, sl.AdaptiveMaxPool2d, sl.AdaptiveMaxPool3d),
    "batchnorm": (sl.BatchNorm1d, sl.BatchNorm2d, sl.BatchNorm3d),
    "zeropad": (sl.ZeroPad1d, sl.ZeroPad2d, sl.ZeroPad3d),
    "reflect": (sl.ReflectionPad1d, sl.ReflectionPad2d, sl.ReflectionPad3d),
    "edge": (sl.ReplicationPad1d, sl.ReplicationPad2d, sl.ReplicationPad3d),
    "wrap": (sl.CircularPad1d, sl.CircularPad2d, sl.CircularPad3d),
}


def by_dims(family: str, dims: int) -> type[Layer]:
    """``by_dims("conv", 2)`` is Conv2d; a rank symcnn has no class for is refused."""
    if not 1 <= dims <= 3:
        raise _Unsupported(f"symcnn's {family} layers have 1 to 3 spatial dimensions, this one has {dims}")
    return _BY_DIMS[family][dims - 1]
