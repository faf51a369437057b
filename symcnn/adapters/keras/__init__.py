"""Import a Keras 3 model as a symcnn network: ``from_keras(model)``.

Every call of a layer in the model's functional graph becomes a symcnn layer
with the same hyperparameters, named after the Keras layer (``"conv1_conv"``),
so the derivation reads like ``model.summary()``::

    import keras
    from symcnn.adapters.keras import from_keras

    net = from_keras(keras.applications.ResNet50(weights=None, include_top=False, input_shape=(None, None, 3)))
    net.derive().totals.params  # model.count_params(): trainable + non-trainable

Shapes are symcnn's: without the batch and channels first, ``(C, H, W)``
where Keras shows ``(None, H, W, C)``; unknown (``None``) sizes of the input
become ``H`` and ``W`` (``L`` for 1-D, ``D, H, W`` for 3-D).  Counts are
Keras's: trainable weights as ``model.trainable_weights``, BatchNormalization's
moving mean and variance non-trainable.  Nested models are read as blocks
(rows ``<model>.<layer>``).  Whatever cannot be mapped raises one
:class:`~symcnn.errors.UnsupportedError` listing every such layer.

The package: :mod:`.importer` walks the graph, :mod:`.layers` maps Keras
layers, :mod:`.axes` converts channels-last axes.  Importing this package does
not import ``keras``; :func:`from_keras` reads the model it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...errors import UnsupportedError
from ...model.network import Graph
from .importer import _Importer

__all__ = ["from_keras"]


def from_keras(model: Any, input: Sequence[Any] | None = None) -> Graph:
    """Read a Keras 3 functional or Sequential model as a symcnn network.

    ``input``: the input's shape in symcnn's order, channels first and without
    the batch (``(3, "H", "W")`` for Keras's ``(None, None, None, 3)``), to
    override the model's; a list of shapes for a model with several inputs.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise UnsupportedError(f"from_keras expects a keras.Model, got {type(model).__name__}")
    shapes = None
    if input is not None:
        several = bool(input) and all(isinstance(item, list | tuple) for item in input)
        shapes = [tuple(item) for item in input] if several else [tuple(input)]
    return _Importer(keras, model, shapes).run()
