"""The classic CNNs written in their own hyperparameters, exact at every torchvision default.

Each builder is named as in ``torchvision.models`` and takes its keyword
arguments with torchvision's defaults, plus ``input_shape`` (default
``(3, "H", "W")``).  Any numeric hyperparameter may be a number, a symbol or a
formula; multipliers are exact rationals or positive symbols.

>>> from symcnn import zoo
>>> zoo.lenet5().derive().totals.trainable
60000
>>> zoo.get("mnist_cnn").hyperparameters["k"]
32
"""

from __future__ import annotations

from . import lenet, mnist  # noqa: F401  (each family registers its builders)
from .lenet import lenet5
from .mnist import mnist_cnn
from .registry import BUILDERS, Builder, get

__all__ = ["BUILDERS", "Builder", "get", "lenet5", "mnist_cnn"]
