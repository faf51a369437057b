"""LeNet-5 as published (LeCun, Bottou, Bengio & Haffner, 1998): 60,000 trainable parameters.

C1 convolution 6@5x5 (156), S2 trainable subsampling (12), C3 convolution
16@5x5 reading the S2 maps of the paper's Table I (1,516), S4 subsampling (32),
C5 convolution 120@5x5 (48,120), F6 dense 84 (10,164).  The squashing function
is the scaled tanh; the Euclidean RBF output layer (10 x 84 fixed, hand-set
prototypes, not trained) is left out, as is usual when counting the 60,000.
"""

from __future__ import annotations

from typing import Any

from ..layers import Conv2d, ConvolutionMap2d, Flatten, Linear, SubSampling2d, Tanh
from ..model.network import Network, Sequential
from .parts import count, source
from .registry import builder

__all__ = ["C3_TABLE", "lenet5"]

#: Table I of the paper: the S2 maps each C3 map reads (6 read 3, 9 read 4, 1 reads all 6).
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)  # fmt: skip


@builder("lenet")
def lenet5(*, f6: Any = 84, input_shape: Any = (1, 32, 32)) -> Network:
    """LeNet-5 (LeCun et al. 1998) up to F6: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164.

    >>> d = lenet5().derive()
    >>> [row.params.value for row in d.rows if row.params.value]
    [156, 12, 1516, 32, 48120, 10164]
    >>> d.totals.trainable
    60000
    """
    return Sequential(
        source(input_shape),
        Conv2d(out_channels=6, kernel_size=5, name="C1"),
        Tanh(name="C1.tanh"),
        SubSampling2d(kernel_size=2, name="S2"),
        Tanh(name="S2.tanh"),
        ConvolutionMap2d(table=C3_TABLE, kernel_size=5, name="C3"),
        Tanh(name="C3.tanh"),
        SubSampling2d(kernel_size=2, name="S4"),
        Tanh(name="S4.tanh"),
        Conv2d(out_channels=120, kernel_size=5, name="C5"),
        Tanh(name="C5.tanh"),
        Flatten(name="flatten"),
        Linear(out_features=count(f6, "f6"), name="F6"),
        Tanh(name="F6.tanh"),
        name="LeNet5",
    )
