"""Import a PyTorch module as a symcnn network: ``from_torch(model, (3, "H", "W"))``.

The module is traced with ``torch.fx`` and every node of the graph becomes a
symcnn layer with the same hyperparameters, named after the module it comes
from (``"layer1.0.conv1"``), so the derivation reads like the PyTorch model::

    import torchvision
    from symcnn.adapters.torch import from_torch

    net = from_torch(torchvision.models.resnet18(weights=None).eval(), (3, "H", "W"))
    net.derive().totals.trainable  # 11689512, as sum(p.numel() for p in model.parameters())

Modules whose type symcnn knows (``nn.Conv2d``, ``nn.BatchNorm2d``, ...) are
leaves of the trace; every other module (torchvision's ``BasicBlock``, a
``Sequential``) is traced through.  Functions and tensor methods that shape the
graph map to layers too: ``+`` to ``Add``, ``*`` to ``Multiply``, ``torch.cat``
to ``Concat``, ``x.mean((2, 3))`` to ``Mean``, ``view``/``reshape`` to
``Flatten``/``Unflatten``, ``transpose``/``permute`` to ``Permute``,
``x.chunk(n)[i]`` to ``Chunk``, ``parameter * x`` to ``Scale``.  Size
arithmetic (``x.size()``, ``c // groups``) is followed symbolically.

Shapes are symcnn's: without the batch, which PyTorch puts in dimension 0 and
which the model must keep there.  Whatever cannot be mapped raises one
:class:`~symcnn.errors.UnsupportedError` listing every such node.

The package: :mod:`.tracing` traces the module, :mod:`.importer` walks the
graph, :mod:`.modules` maps module calls, :mod:`.functions` function and
method calls, :mod:`.shapes` size arithmetic and reshapes; :mod:`.values` holds
what a node stands for, :mod:`.arguments` the argument helpers.

Importing this package does not import ``torch``; :func:`from_torch` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ...errors import UnsupportedError
from ...layers.registry import LAYERS
from ...model.network import Graph
from .fallback import measure
from .importer import _Importer, _input_shapes
from .modules import _lookup, _module_table
from .tracecache import clear_trace_cache, traced
from .tracing import _Untraceable
from .transformer import more_modules
from .tree import first_paths
from .values import Handler

__all__ = ["clear_trace_cache", "from_torch"]


def from_torch(module: Any, input_shape: Sequence[Any] = (3, "H", "W")) -> Graph:
    """Trace ``module`` with ``torch.fx`` and build the same network in symcnn.

    ``input_shape`` is the input without the batch; sizes may be symbols or
    formulas (``(3, "H", "W")``).  A forward with several tensor inputs takes a
    list of shapes.  The trace follows the module's current mode: call
    ``.eval()`` first for the inference graph.

    Raises :class:`~symcnn.errors.UnsupportedError` listing every node that has
    no symcnn equivalent, and :class:`~symcnn.errors.ShapeError` when the
    input shape is impossible for the model.
    """
    import torch
    import torch.fx

    modules = _module_handlers(torch, len(LAYERS))
    if not isinstance(module, torch.nn.Module):
        raise UnsupportedError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}")
    paths = first_paths(module)  # one walk of the module tree, read by every step below
    lazy = _lazy_modules(torch, paths)
    if lazy:
        raise UnsupportedError(
            f"cannot import {type(module).__name__}: {', '.join(lazy)} "
            f"{'is' if len(lazy) == 1 else 'are'} uninitialised (lazy parameters have no size yet); "
            "materialise it first: run one forward pass with an example input, then import"
        )
    if _lookup(modules, module) is not None:
        module = _single_layer(torch, module)
        paths = first_paths(module)
    shapes = _input_shapes(input_shape)
    try:
        graph = traced(torch, module, modules, paths)
    except _Untraceable as error:
        return measure(torch, module, shapes, str(error), modules)
    try:
        return _Importer(torch, module, shapes, modules, paths).run(graph)
    except UnsupportedError as error:
        if not _numeric(shapes):
            raise
        lines = str(error).splitlines()
        first = lines[1].strip().removeprefix("- ") if len(lines) > 1 else lines[0]
        why = f"symcnn cannot follow {type(module).__name__} symbolically: {first}"
        try:
            return measure(torch, module, shapes, why, modules)
        except UnsupportedError:
            raise error from None  # the trace's reasons say more than the measurement's


@lru_cache(maxsize=2)
def _module_handlers(torch: Any, registered: int) -> dict[type, Handler]:
    """The module handlers, built once per ``torch`` and number of registered layer kinds (a new kind: again)."""
    return {**_module_table(torch), **more_modules(torch)}


def _lazy_modules(torch: Any, paths: dict[Any, str]) -> list[str]:
    """``module 'fc' (LazyLinear)`` for each module (of :func:`~.tree.first_paths`) holding uninitialised
    lazy parameters or buffers."""
    found = []
    lazy = torch.nn.parameter.UninitializedTensorMixin  # what is_lazy() asks, without a call per tensor
    for sub, name in paths.items():
        own = [*sub._parameters.values(), *sub._buffers.values()]  # its own, as parameters(recurse=False)
        if any(isinstance(item, lazy) for item in own):
            found.append(f"module {name!r} ({type(sub).__name__})" if name else f"the model ({type(sub).__name__})")
    return found


def _numeric(shapes: Sequence[Sequence[Any]]) -> bool:
    return all(isinstance(size, int) and not isinstance(size, bool) for shape in shapes for size in shape)


def _single_layer(torch: Any, layer: Any) -> Any:
    """A model that is one layer (``nn.Linear(10, 5)``), inside a module so that it is traced as a call.

    Traced directly, its forward would be ``F.linear(x, self.weight, self.bias)``;
    as a call of the module its row is built from the module, like any other.
    """

    class Model(torch.nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.add_module(type(layer).__name__.lower(), layer)

        def forward(self, x: Any) -> Any:  # a single layer takes one tensor (torch.fx traces no *args)
            return getattr(self, type(layer).__name__.lower())(x)

    Model.__name__ = Model.__qualname__ = type(layer).__name__
    return Model()
