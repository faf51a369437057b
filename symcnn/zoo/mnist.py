"""The worked example of ``symcnn derive``, with its sizes as hyperparameters.

input 1x28x28 -> conv ``l``@``n1``x``n1`` -> max-pool 2 -> conv ``k``@``n2``x``n2`` ->
max-pool 2 -> dense ``units`` -> dense ``num_classes``.  ``l`` and ``k`` are the
textbook's input and output maps of the second convolution, whose parameters
are ``(n*m*l + 1)*k``.
"""

from __future__ import annotations

from typing import Any

from ..layers import Conv2d, Flatten, Linear, MaxPool2d
from ..model.network import Network, Sequential
from .parts import count, source
from .registry import builder

__all__ = ["mnist_cnn"]


@builder("mnist")
def mnist_cnn(
    *,
    l: Any = 32,
    k: Any = 32,
    n1: Any = 5,
    n2: Any = 3,
    units: Any = 256,
    num_classes: Any = 10,
    input_shape: Any = (1, 28, 28),
) -> Network:
    """The classic MNIST network: 832 + 9,248 + 205,056 + 2,570 = 217,706 parameters.

    >>> mnist_cnn().derive().totals.trainable
    217706
    >>> mnist_cnn(k="k").derive().totals.trainable
    6689*k + 3658
    """
    return Sequential(
        source(input_shape),
        Conv2d(out_channels=count(l, "l"), kernel_size=count(n1, "n1")),
        MaxPool2d(kernel_size=2),
        Conv2d(out_channels=count(k, "k"), kernel_size=count(n2, "n2")),
        MaxPool2d(kernel_size=2),
        Flatten(),
        Linear(out_features=count(units, "units")),
        Linear(out_features=count(num_classes, "num_classes")),
        name="mnist_cnn",
    )
