"""torchvision's transformer building blocks as symcnn layers (Swin, MaxViT).

``nn.PixelShuffle`` and ``nn.PixelUnshuffle`` map to the layers of the same names.
Swin's attention runs in a function torchvision hides from ``torch.fx``
(``shifted_window_attention``), so its module is a leaf here and maps to
:class:`~symcnn.layers.WindowAttention`; ``_patch_merging_pad`` maps to
:class:`~symcnn.layers.PatchMerge`.  MaxViT's partitions and its
relative-position attention map to :class:`~symcnn.layers.WindowPartition`,
:class:`~symcnn.layers.WindowDepartition` and
:class:`~symcnn.layers.RelativeAttention`.  :func:`more_modules` adds them to
the module table; without torchvision it is empty.
"""

from __future__ import annotations

from typing import Any

from ... import layers as sl
from .arguments import _int
from .modules import _fields, _module_handler, _ModuleHandler
from .values import Handler, Importing, _Unsupported


def _window_attention(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.submodule(node.target)
    if len(args) != 1 or kwargs:
        raise _Unsupported("only a call with a single tensor argument is supported")
    arguments = _window_arguments(module)
    return self.module_layer(node, module, sl.WindowAttention, [self.tensor(args[0])], arguments)


def _window_arguments(module: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "num_heads": module.num_heads,
        "window_size": tuple(module.window_size),
        "shift_size": tuple(module.shift_size),
        "qkv_bias": module.qkv.bias is not None,
        "proj_bias": module.proj.bias is not None,
        "version": 1,
    }
    if hasattr(module, "cpb_mlp"):
        mlp = list(module.cpb_mlp)
        first, last = mlp[0], mlp[-1]
        if len(mlp) != 3 or first.in_features != 2 or first.bias is None or last.bias is not None:
            raise _Unsupported("expects Swin V2's position-bias MLP Linear(2, f), ReLU, Linear(f, heads, bias=False)")
        arguments.update(version=2, cpb_hidden=first.out_features)
    return arguments


def _window_check(module: Any) -> None:
    sl.WindowAttention(**_window_arguments(module))


def _patch_merging_pad(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1 or kwargs:
        raise _Unsupported("expects one tensor")
    return self.layer(self.name(node, "patch_merge"), sl.PatchMerge, [self.tensor(args[0])])


def _partition(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.submodule(node.target)
    if len(args) != 2 or kwargs:
        raise _Unsupported("expects (x, p)")
    arguments = {"partition": _int(args[1], "p")}
    return self.module_layer(node, module, sl.WindowPartition, [self.tensor(args[0])], arguments)


def _departition(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.submodule(node.target)
    if len(args) != 4 or kwargs:
        raise _Unsupported("expects (x, p, h_partitions, w_partitions)")
    names = ("partition", "h_partitions", "w_partitions")
    arguments = {name: _int(value, name) for name, value in zip(names, args[1:], strict=True)}
    return self.module_layer(node, module, sl.WindowDepartition, [self.tensor(args[0])], arguments)


def _relative_attention(self: Importing, node: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    module = self.submodule(node.target)
    if len(args) != 1 or kwargs:
        raise _Unsupported("only a call with a single tensor argument is supported")
    if module.size * module.size != module.max_seq_len:
        raise _Unsupported(f"max_seq_len {module.max_seq_len} is not a square; the bias table would not fit")
    if module.to_qkv.bias is None or module.merge.bias is None:
        raise _Unsupported("expects to_qkv and merge with biases, as torchvision builds them")
    arguments = {"num_heads": module.n_heads, "partition_size": module.size}
    return self.module_layer(node, module, sl.RelativeAttention, [self.tensor(args[0])], arguments)


def more_modules(torch: Any) -> dict[type, Handler]:
    """Pixel shuffles, and torchvision's transformer modules (leaves of the trace) where it is installed."""
    nn = torch.nn
    table: dict[type, Handler] = {
        nn.PixelShuffle: _module_handler(_fields(sl.PixelShuffle)),
        nn.PixelUnshuffle: _module_handler(_fields(sl.PixelUnshuffle)),
    }
    try:
        from torchvision.models import maxvit, swin_transformer
    except ImportError:
        return table
    return table | {
        swin_transformer.ShiftedWindowAttention: _ModuleHandler(_window_attention, _window_check),
        swin_transformer.ShiftedWindowAttentionV2: _ModuleHandler(_window_attention, _window_check),
        maxvit.WindowPartition: _partition,
        maxvit.WindowDepartition: _departition,
        maxvit.RelativePositionalMultiHeadAttention: _relative_attention,
    }


def more_functions(torch: Any) -> dict[Any, Handler]:
    """torchvision functions hidden from ``torch.fx`` (``torch.fx.wrap``), or nothing without torchvision."""
    try:
        from torchvision.models import swin_transformer
    except ImportError:
        return {}
    return {swin_transformer._patch_merging_pad: _patch_merging_pad}
