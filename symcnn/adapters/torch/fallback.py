"""When ``torch.fx`` cannot trace a model: measure it with one forward pass (numeric sizes only).

Data-dependent control flow, TorchScript modules and custom output objects
defeat the trace.  For numeric input sizes the model is then run once, on
a copy of it on PyTorch's ``meta`` device (no memory for activations, no
arithmetic), or on the CPU when it cannot run there, with a hook on every module that is a layer symcnn knows,
has no submodules or holds parameters of its own (torchinfo's approach).
Each call becomes a row with its numeric output shape, the parameters and
buffers it holds (counted at its first call, frozen ones non-trainable) and
its MACs: symcnn's own for the ``torch.nn`` layers it knows, else as PyTorch's
``FlopCounterMode`` counts them (2 FLOPs per MAC), the calls of its submodules
left out.  The rows are marked ``(numeric)``.
"""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import sympy

from ...errors import UnsupportedError
from ...exact.conventions import Conventions
from ...exact.steps import Tensor
from ...exact.values import to_expr
from ...layers.registry import LAYERS
from ...layers.usage import Measured
from ...model.network import Graph, Input, Node
from .invariant import Holdings, Placed, check_totals, tensors_of
from .modules import _fields, _lookup
from .outputs import leaves, returned
from .unused import unused_placed, unused_row
from .values import Handler

#: The batch of the measuring pass: 2, so that a model moving the batch out of dimension 0 shows it.
BATCH = 2


@dataclass
class _Call:
    name: str
    module: Any
    output: tuple[int, ...] | None = None
    flops: int = 0
    inner: int = 0  # FLOPs of the hooked calls inside this one
    started: int = 0
    inputs: tuple[tuple[int, ...], ...] = ()  # the tensor arguments' shapes, without the batch


@dataclass
class _Recorder:
    counter: Any
    recurrent: type = object  # torch.nn.RNNBase: its calls return a final state beside the output
    calls: list[_Call] = field(default_factory=list)
    stack: list[_Call] = field(default_factory=list)
    output: tuple[int, ...] | None = None
    outputs: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)  # every output, named
    hooked: set[str] = field(default_factory=set)
    states: set[int] = field(default_factory=set)  # ids of the final states h, c recurrent calls returned

    def before(self, name: str, module: Any, args: Any) -> None:
        shapes = tuple(tuple(int(size) for size in item.shape[1:]) for item in _tensors(args) if item.dim() > 0)
        self.stack.append(_Call(name, module, started=self.counter.get_total_flops(), inputs=shapes))

    def after(self, output: Any) -> None:
        """Calls are listed as they finish: a block after the layers inside it, like its output."""
        call = self.stack.pop()
        self.calls.append(call)
        inclusive = self.counter.get_total_flops() - call.started
        call.flops = inclusive - call.inner
        if self.stack:
            self.stack[-1].inner += inclusive
        call.output = _first_shape(output, f"its module {call.name!r} ({type(call.module).__name__})")
        if isinstance(call.module, self.recurrent) and isinstance(output, tuple) and len(output) == 2:
            self.states.update(id(item) for item in _tensors(output[1]))


def measure(torch: Any, module: Any, shapes: list[tuple[Any, ...]], why: str, table: dict[type, Handler]) -> Graph:
    """The model as numeric rows, from one forward pass; ``why``: the trace's failure, in one line."""
    sizes = [tuple(to_expr(size, "input size") for size in shape) for shape in shapes]
    symbolic = [size for shape in sizes for size in shape if not isinstance(size, sympy.Integer)]
    if symbolic:
        raise UnsupportedError(
            f"{why}; without a trace symcnn can only measure numeric input sizes, and {symbolic[0]} is symbolic"
        )
    numbers = [tuple(int(size) for size in shape) for shape in sizes]
    if any(not shape for shape in numbers):
        raise UnsupportedError(
            f"cannot import {type(module).__name__}: an input has no dimension besides the batch; "
            "symcnn's shapes need at least one per-sample dimension"
        )
    try:
        recorder = _run(torch, module, numbers, table)
        graph = _graph(torch, module, numbers, recorder, table)
    except UnsupportedError as error:
        message = str(error)
        if message.startswith("cannot import"):
            raise
        # One line: why the trace failed, then what the measuring pass could not account for.
        raise UnsupportedError(
            f"cannot import {type(module).__name__}: {why.removeprefix(f'cannot import {type(module).__name__}: ')}; "
            f"measured with one forward pass instead, {message}"
        ) from None
    warnings.warn(
        f"{why}; imported numerically from one forward pass",
        stacklevel=3,
    )
    return graph


def _run(torch: Any, module: Any, shapes: list[tuple[int, ...]], table: dict[type, Handler]) -> _Recorder:
    from torch.utils.flop_counter import FlopCounterMode

    errors = []
    for device in ("meta", "cpu"):
        try:
            # A copy: a forward in training mode would update the model's own BatchNorm statistics.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # moving TorchScript modules warns about .grad
                model = _copy(torch, module).to(device)
        except Exception as error:  # some modules cannot be copied or moved
            errors.append(f"{device}: {error}")
            continue
        for dtype in (torch.float32, torch.long):  # token models take integers
            counter = FlopCounterMode(display=False)
            recorder = _Recorder(counter, torch.nn.RNNBase)
            handles = _hooks(model, recorder, table)
            inputs = [torch.zeros((BATCH, *shape), dtype=dtype, device=device) for shape in shapes]
            try:
                with torch.no_grad(), counter:
                    output = model(*inputs)
            except UnsupportedError:
                raise
            except Exception as error:  # the model refuses this input, dtype or device
                errors.append(
                    f"{device}, {dtype}: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
                )
                continue
            finally:
                for handle in handles:
                    handle.remove()
            recorder.outputs = _outputs(output, recorder.states, returned(module))
            recorder.output = recorder.outputs[0][1] if recorder.outputs else None
            if "" not in recorder.hooked:  # the root takes no hook (TorchScript): a row for what is left
                inner = sum(call.flops for call in recorder.calls)
                flops = counter.get_total_flops() - inner
                recorder.calls.append(_Call(type(module).__name__, module, recorder.output, flops))
                recorder.hooked.add("")
            return recorder
    raise UnsupportedError(
        f"cannot import {type(module).__name__}: torch.fx cannot trace it and one forward pass with zeros fails "
        f"({errors[-1] if errors else 'no attempt'})"
    )


def _copy(torch: Any, module: Any) -> Any:
    """A deep copy of ``module``.

    A pruned or weight-normalised layer keeps its effective weight as a plain
    attribute computed from others (``weight = weight_orig * weight_mask``),
    which ``deepcopy`` refuses; the copy is made without it, and its hook
    computes it again before every forward.
    """
    from torch.nn.utils import prune
    from torch.nn.utils.weight_norm import WeightNorm

    removed = []
    for sub in module.modules():
        for hook in sub._forward_pre_hooks.values():
            name = hook._tensor_name if isinstance(hook, prune.BasePruningMethod) else None
            name = hook.name if isinstance(hook, WeightNorm) else name
            if name is not None and name in vars(sub):
                removed.append((sub, name, vars(sub).pop(name)))
    try:
        return copy.deepcopy(module)
    finally:
        for sub, name, value in removed:
            vars(sub)[name] = value


def _hooks(model: Any, recorder: _Recorder, table: dict[type, Handler]) -> list[Any]:
    """Hook the modules that get rows; ``recorder.hooked`` lists their names."""
    handles: list[Any] = []
    inside_layer: list[str] = []
    for name, module in model.named_modules():
        if any(name.startswith(prefix + ".") for prefix in inside_layer):
            continue  # part of a layer symcnn knows: counted with it
        known = _lookup(table, module) is not None
        if known:
            inside_layer.append(name)
        own = any(True for _ in module.parameters(recurse=False)) or any(True for _ in module.buffers(recurse=False))
        if not (known or own or not name or not any(True for _ in module.children())):
            continue
        shown = name or type(model).__name__

        def before(_module: Any, args: Any, shown: str = shown, module: Any = module) -> None:
            recorder.before(shown, module, args)

        def after(_module: Any, _args: Any, output: Any) -> None:
            recorder.after(output)

        try:
            handles.append(module.register_forward_pre_hook(before))
            handles.append(module.register_forward_hook(after))
        except Exception:  # TorchScript modules take no hooks
            continue
        recorder.hooked.add(name)
    return handles


def _graph(
    torch: Any, module: Any, shapes: list[tuple[int, ...]], recorder: _Recorder, table: dict[type, Handler]
) -> Graph:
    names = {name or type(module).__name__: name for name in recorder.hooked}
    owned = _owners(module, recorder.hooked)
    counted: set[int] = set()
    placed: list[Placed] = []
    holdings = Holdings.of(module)
    calls = Counter(call.name for call in recorder.calls)
    seen: Counter[str] = Counter()
    inputs = [Input(*shape, name="x" if index == 0 else f"x_{index}") for index, shape in enumerate(shapes)]
    flow: Node = inputs[0].node
    shape = shapes[0]
    for call in recorder.calls:
        seen[call.name] += 1
        key = names.get(call.name, "")
        fresh = [item for item in owned.get(key, []) if id(item) not in counted]
        counted.update(id(item) for item in fresh)
        if key == "" and not fresh and call.flops == 0:
            continue  # the model itself, adding nothing to its layers
        shape = call.output if call.output is not None else shape
        name = call.name if calls[call.name] == 1 else f"{call.name} (call {seen[call.name]} of {calls[call.name]})"
        weights = [item for item in fresh if isinstance(item, torch.nn.Parameter)]
        row = Measured(
            label=f"{type(call.module).__name__} (numeric)",
            shape=shape,
            parameters=sum(item.numel() for item in weights if item.requires_grad),
            frozen=sum(item.numel() for item in weights if not item.requires_grad),
            buffer_elements=sum(item.numel() for item in fresh if not isinstance(item, torch.nn.Parameter)),
            macs_counted=_macs(torch, call),
            name=name,
        )
        flow = row(flow)
        placed.append(
            Placed(
                name,
                sympy.Integer(row.parameters + row.frozen),
                sympy.Integer(row.buffer_elements),
                tensors_of(torch, holdings.names, fresh),
            )
        )
    output = recorder.output
    named = recorder.outputs
    if output is not None and output != shape:
        label = "output" if len(named) < 2 else f"output {named[0][0]}"
        flow = Measured(label="output (numeric)", shape=output, name=label)(flow)
    # Further outputs: a row each, after the last call (their shapes as the forward returned them).
    others = [Measured(label="output (numeric)", shape=size, name=f"output {name}")(flow) for name, size in named[1:]]
    last = unused_row(torch, module, counted, flow)
    if last is not flow:
        placed.append(unused_placed(torch, module, counted, last))
    check_totals(module, placed, holdings)
    labels = [name for name, _ in named] if len(named) > 1 else []
    return Graph(inputs, [last, *others], name=f"{type(module).__name__} (numeric)", output_names=labels)


def _macs(torch: Any, call: _Call) -> int:
    """symcnn's MACs for a ``torch.nn`` layer it knows; else FlopCounterMode's (2 FLOPs per MAC).

    They agree where both count (convolutions, dense layers); symcnn also counts
    recurrent layers, which FlopCounterMode does not on the CPU.
    """
    kind = LAYERS.get(type(call.module).__name__.lower())
    exact = kind is not None and getattr(torch.nn, kind.__name__, None) is type(call.module)
    if exact and kind is not None and kind.arity == 1 and call.inputs:  # the first argument is the input (x, hx)
        try:
            made, arguments = _fields(kind)(call.module)
            outcome = made(**arguments).apply((Tensor.of(call.inputs[0]),), Conventions())
            if outcome.macs.value.is_Integer:
                return int(outcome.macs.value)
        except Exception:  # symcnn refuses what PyTorch ran: keep PyTorch's own count
            pass
    return call.flops // (2 * BATCH)


def _owners(module: Any, hooked: set[str]) -> dict[str, list[Any]]:
    """Each parameter and buffer under the nearest hooked module that holds it (the model: "")."""
    owned: dict[str, list[Any]] = {}
    for name, item in [*module.named_parameters(), *module.named_buffers()]:
        parts = name.split(".")[:-1]
        owner = next(
            (".".join(parts[:length]) for length in range(len(parts), 0, -1) if ".".join(parts[:length]) in hooked),
            "",
        )
        owned.setdefault(owner, []).append(item)
    return owned


def _first_shape(output: Any, where: str) -> tuple[int, ...] | None:
    """The shape (without batch) of the first tensor in ``output``: a tensor, tuple, dict or dataclass."""
    for item in _tensors(output):
        if item.dim() == 0 or int(item.shape[0]) != BATCH:
            raise UnsupportedError(
                f"{where} returns a tensor of shape {tuple(item.shape)} for a batch of {BATCH}: "
                "the batch is not in dimension 0, where symcnn's shapes need it"
            )
        return tuple(int(size) for size in item.shape[1:])
    return None


def _outputs(value: Any, states: set[int], expression: Any) -> list[tuple[str, tuple[int, ...]]]:
    """Each tensor the forward returns, named (a dict's keys, fields, return variables, positions), with its shape.

    A recurrent layer's final state returned as it is (``h``, ``c``) holds the
    batch in dimension 1: its shape is one sample's ``(layers, size)``.
    """
    found: list[tuple[str, tuple[int, ...]]] = []
    for name, item in _named(value, expression, "output"):
        if id(item) in states and item.dim() == 3 and int(item.shape[1]) == BATCH:
            found.append((name, (int(item.shape[0]), int(item.shape[2]))))
        else:
            found.append((name, _first_shape(item, f"the forward's output {name!r}") or ()))
    return found


def _named(value: Any, expression: Any, name: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """``(name, tensor)`` in ``value``; containers as :func:`.outputs.leaves` names them, plus output objects."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        yield name, value
        return
    if depth > 4:
        return
    if isinstance(value, dict | list | tuple):
        for part, item in leaves(value, expression, name):
            if item is not value:
                yield from _named(item, None, part, depth + 1)
        return
    if is_dataclass(value) and not isinstance(value, type):
        items = [(item.name, getattr(value, item.name)) for item in fields(value)]
    elif hasattr(value, "__dict__") and not callable(value):
        items = list(vars(value).items())
    else:
        return
    for key, item in items:
        yield from _named(item, None, key if name == "output" else f"{name}.{key}", depth + 1)


def _tensors(value: Any, depth: int = 0) -> Iterator[Any]:
    """The tensors in ``value``, in order, looking a few levels into containers and output objects."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        yield value
        return
    if depth > 4:  # an object graph, not an output structure
        return
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list | tuple):
        items = list(value)
    elif is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, item.name) for item in fields(value)]
    elif hasattr(value, "__dict__") and not callable(value):
        items = list(vars(value).values())
    else:
        return
    for item in items:
        yield from _tensors(item, depth + 1)
