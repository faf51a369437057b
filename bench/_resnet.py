"""ResNet-50 with a symbolic width, built from symcnn layers (the benchmark's network).

``wide_resnet50(w)`` is torchvision's ``resnet50(width_per_group=64*w)``: each
bottleneck's inner width is ``planes*w`` (w = 2 is ``wide_resnet50_2``), the
block outputs stay ``4*planes``.  The input is ``3 x H x W``.
"""

from __future__ import annotations

import symcnn
from symcnn import (
    AdaptiveAvgPool2d,
    Add,
    BatchNorm2d,
    Conv2d,
    Flatten,
    Graph,
    Input,
    Linear,
    MaxPool2d,
    ReLU,
)


def _bottleneck(x: object, planes: int, width: object, stride: int, downsample: bool) -> object:
    y = Conv2d(out_channels=width, kernel_size=1, bias=False)(x)
    y = ReLU()(BatchNorm2d()(y))
    y = Conv2d(out_channels=width, kernel_size=3, stride=stride, padding=1, bias=False)(y)
    y = ReLU()(BatchNorm2d()(y))
    y = BatchNorm2d()(Conv2d(out_channels=4 * planes, kernel_size=1, bias=False)(y))
    if downsample:
        x = BatchNorm2d()(Conv2d(out_channels=4 * planes, kernel_size=1, stride=stride, bias=False)(x))
    return ReLU()(Add()(x, y))


def wide_resnet50(width: object = "w") -> symcnn.Graph:
    w = symcnn.symbols(width) if isinstance(width, str) else width
    x = Input(3, "H", "W")
    y = Conv2d(out_channels=64, kernel_size=7, stride=2, padding=3, bias=False)(x)
    y = MaxPool2d(3, stride=2, padding=1)(ReLU()(BatchNorm2d()(y)))
    for stage, (planes, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            y = _bottleneck(y, planes, planes * w, stride, downsample=block == 0)
    y = Linear(out_features=1000)(Flatten()(AdaptiveAvgPool2d(1)(y)))
    return Graph(x, y)
