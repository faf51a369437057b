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

from .alexnet import *  # noqa: F403  (each family registers its builders on import)
from .convnext import *  # noqa: F403
from .densenet import *  # noqa: F403
from .efficientnet import *  # noqa: F403
from .forms import closed_form
from .googlenet import *  # noqa: F403
from .inception import *  # noqa: F403
from .lenet import *  # noqa: F403
from .mnist import *  # noqa: F403
from .mobilenet import *  # noqa: F403
from .registry import BUILDERS, Builder, get
from .resnet import *  # noqa: F403
from .squeezenet import *  # noqa: F403
from .vgg import *  # noqa: F403

__all__ = ["BUILDERS", "Builder", "closed_form", "get", *sorted(BUILDERS)]
