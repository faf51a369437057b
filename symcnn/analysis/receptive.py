"""Receptive fields as closed forms, read from a derivation.

For every row and spatial axis: the ``size`` r, the ``jump`` J (effective
stride) and the ``start`` A (minus the effective padding) such that output unit
``t`` of the row covers input positions ``[A + t*J, A + t*J + r - 1]`` before
clipping to the input.  The recurrences are those of Araujo, Norris & Sim,
"Computing Receptive Fields of Convolutional Neural Networks" (Distill, 2019)::

    r = R + d*(n - 1)*J        J' = J*s        A' = A - p*J

where ``R, J, A`` belong to the layer's input.  Where paths meet (add,
multiply, concat) the region is the union: start = min of the starts, end = max
of the ends, which needs the same jump on every path (a condition when it
depends on the symbols, an error when it provably differs).  A row is
*aligned* when every merge up to it joins paths with equal jumps and equal
centres ``A + (r - 1)/2`` (Distill's centring property).

Each row's layer declares its behaviour (``receptive``, a
:class:`symcnn.layers.field.Field`); a sliding window's
geometry is on its size step (:class:`symcnn.exact.steps.Window`), a merge is a row
with several sources, ``Row.repeats`` names the ``Repeat`` blocks around a row.
What cannot be described by one (size, jump, start) per axis is refused with
the layer named, never approximated: transposed convolutions and upsampling
(fractional jumps, sizes that alternate between units), adaptive pooling to
windows of unequal size, ``padding='same'``, reshapes.

>>> import symcnn
>>> net = symcnn.Sequential(
...     symcnn.Input(1, "H", "W"),
...     symcnn.Conv2d(out_channels=8, kernel_size=3, padding=1),
...     symcnn.MaxPool2d(2),
...     symcnn.Conv2d(out_channels=8, kernel_size=3, dilation=2),
... )
>>> [(axis.size, axis.jump, axis.start) for axis in net.derive().row("conv2d2").receptive_field]
[(12, 2, -1), (12, 2, -1)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sympy

from ..errors import UnsupportedError
from ..exact import rules
from ..exact.display import Shown, leaf
from ..exact.simplify import decide
from ..exact.steps import Bind, Step, Window, derive_step, spatial_names
from ..layers.field import Field

if TYPE_CHECKING:  # read by its attributes only: the derivation imports this module
    from ..derivation.derivation import Derivation, Row

__all__ = ["Axis", "ReceptiveFields", "receptive_fields"]

ONE, ZERO = sympy.Integer(1), sympy.Integer(0)

MAX_SHOWN_PATHS = 4


@dataclass(frozen=True)
class Axis:
    """The receptive field of a row along one spatial axis.

    Unit ``t`` covers input positions ``[start + t*jump, start + t*jump + size - 1]``
    (before clipping).  ``aligned`` is ``True`` when every merge up to this row
    joins centred paths; ``conditions`` are what the formulas assume (equal
    jumps on merging paths) where the symbols leave it open; ``steps`` derive
    size, jump and start for this layer.
    """

    name: str
    size: sympy.Expr
    jump: sympy.Expr
    start: sympy.Expr
    aligned: bool = True
    conditions: tuple[sympy.Basic, ...] = ()
    steps: tuple[Step, ...] = field(default=(), compare=False)
    # Whether a path to this row cropped the (first, last) side: padding there afterwards would
    # make units whose formula maps them onto cropped, unseen input, so it is refused.
    cropped: tuple[bool, bool] = field(default=(False, False), compare=False, repr=False)

    def interval(self, unit: object = 0) -> tuple[sympy.Expr, sympy.Expr]:
        """First and last input position seen by output unit ``unit`` (before clipping)."""
        first = self.start + sympy.sympify(unit) * self.jump
        return first, first + self.size - 1

    @property
    def centre(self) -> sympy.Expr:
        return self.start + (self.size - 1) / sympy.Integer(2)


@dataclass(frozen=True)
class _State:
    """What the units of one row see: the axes, and how many units lie along each.

    ``flat`` marks a flattened tensor: its units see position-dependent regions,
    so only a layer that reads all of them (a dense layer) has a receptive field.
    """

    axes: tuple[Axis, ...]
    extents: tuple[sympy.Expr, ...]
    spatial: bool = True  # False once the spatial axes are gone (after a global mean, flatten, dense)
    flat: bool = False


@dataclass(frozen=True)
class _Refused:
    message: str


class ReceptiveFields:
    """Every row's receptive field, by row name; refusals are kept and raised on reading."""

    def __init__(self, fields: dict[str, tuple[Axis, ...] | str]) -> None:
        self._fields = fields

    def of(self, name: str) -> tuple[Axis, ...]:
        found = self._fields[name]
        if isinstance(found, str):
            raise UnsupportedError(found)
        return found

    def refusal(self, name: str) -> str | None:
        """Why the row ``name`` has no receptive field, or ``None`` if it has one."""
        found = self._fields[name]
        return found if isinstance(found, str) else None

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)


def receptive_fields(derivation: Derivation) -> ReceptiveFields:
    """The receptive field of every row of ``derivation`` (see the module docstring)."""
    states: dict[str, _State | _Refused] = {}
    for row in derivation.rows:
        if row.kind == "input":
            states[row.name] = _input_state(row)
    _walk(list(derivation.layers), states, depth=0)
    fields: dict[str, tuple[Axis, ...] | str] = {}
    for row in derivation.rows:
        state = states[row.name]
        if isinstance(state, _Refused):
            fields[row.name] = state.message
        elif state.flat:
            fields[row.name] = (
                f"{row.where}: receptive field: a flattened unit's region depends on its position; "
                "the dense layer after it sees the whole input"
            )
        else:
            fields[row.name] = state.axes
    return ReceptiveFields(fields)


def _input_state(row: Row) -> _State:
    spatial = row.output_shape[1:]
    names = spatial_names(len(spatial))
    axes = tuple(Axis(name, ONE, ONE, ZERO) for name in names)
    return _State(axes, tuple(spatial))


# -- the walk: rows in order, a Repeat block as a whole ----------------------------------------
def _walk(rows: list[Row], states: dict[str, _State | _Refused], depth: int) -> None:
    position = 0
    while position < len(rows):
        row = rows[position]
        if len(row.repeats) > depth:
            name, times = row.repeats[depth]
            end = position
            while end < len(rows) and len(rows[end].repeats) > depth and rows[end].repeats[depth][0] == name:
                end += 1
            _repeat(rows[position:end], times, states, depth + 1)
            position = end
            continue
        states[row.name] = _row_state(row, [states[source] for source in row.sources])
        position += 1


def _repeat(block: list[Row], times: sympy.Expr, states: dict[str, _State | _Refused], depth: int) -> None:
    """A block applied ``times`` times: its rows show the last copy, in closed form in ``times``.

    The block maps an input field (R, J, A) to (R + (r_b - 1)*J, J*j_b, A + a_b*J), where
    (r_b, j_b, a_b) is the block's own field (from a unit input); k copies add
    (r_b - 1)*J*G and a_b*J*G with G = 1 + j_b + ... + j_b**(k-1).
    """
    inside = {row.name for row in block}
    outside = sorted({source for row in block for source in row.sources if source not in inside})
    where = block[0].where
    if len(outside) != 1:
        _refuse_all(block, states, f"{where}: receptive field: a repeated block must have one input")
        return
    entry = states[outside[0]]
    if isinstance(entry, _Refused) or entry.flat or not entry.spatial:
        _refuse_all(block, states, entry.message if isinstance(entry, _Refused) else _no_axes(block[0]))
        return
    unit = _State(tuple(Axis(axis.name, ONE, ONE, ZERO) for axis in entry.axes), entry.extents)
    trial: dict[str, _State | _Refused] = {**states, outside[0]: unit}
    _walk(block, trial, depth)
    own = trial[block[-1].name]
    if isinstance(own, _Refused) or own.flat or not own.spatial:
        _refuse_all(block, states, own.message if isinstance(own, _Refused) else _no_axes(block[-1]))
        return
    before_last = []
    for axis, block_axis in zip(entry.axes, own.axes, strict=True):
        copies = times - 1
        ratio = block_axis.jump
        if decide(sympy.Eq(ratio, 1)) is sympy.true:
            series = copies
        elif decide(sympy.Eq(ratio, 1)) is sympy.false:
            series = (ratio**copies - 1) / (ratio - 1)
        else:
            _refuse_all(block, states, f"{where}: receptive field: the jump {ratio} of a repeated block may be 1")
            return
        before_last.append(
            Axis(
                axis.name,
                sympy.expand(axis.size + (block_axis.size - 1) * axis.jump * series),
                axis.jump * ratio**copies,
                sympy.expand(axis.start + block_axis.start * axis.jump * series),
                axis.aligned and block_axis.aligned,
                axis.conditions + block_axis.conditions,
                cropped=_either(axis.cropped, block_axis.cropped),
            )
        )
    states[outside[0] + "\0last"] = replace(entry, axes=tuple(before_last))
    renamed = [_rename_source(row, outside[0], outside[0] + "\0last") for row in block]
    _walk(renamed, states, depth)
    del states[outside[0] + "\0last"]


def _rename_source(row: Row, old: str, new: str) -> Row:
    return replace(row, sources=tuple(new if source == old else source for source in row.sources))


def _refuse_all(block: list[Row], states: dict[str, _State | _Refused], message: str) -> None:
    for row in block:
        states[row.name] = _Refused(message)


def _no_axes(row: Row) -> str:
    return f"{row.where}: receptive field: a repeated block must keep its spatial axes"


# -- one row ------------------------------------------------------------------------------------
def _row_state(row: Row, inputs: Sequence[_State | _Refused]) -> _State | _Refused:
    refused = [state for state in inputs if isinstance(state, _Refused)]
    if refused:
        return refused[0]
    states = [state for state in inputs if isinstance(state, _State)]
    behaviour = row.layer.receptive if row.layer is not None else None
    if behaviour in (Field.MERGE, Field.CONCAT):
        return _merge(row, states)
    if len(states) != 1:
        return _refuse(
            row, f"it takes {len(states)} inputs and does not declare how their receptive fields combine"
        )
    (x,) = states
    if not x.spatial:  # every unit already sees the same region; any layer after it does too
        return x
    if x.flat:
        if behaviour is Field.DENSE:
            return _State(x.axes, tuple(ONE for _ in x.axes), spatial=False)
        if behaviour is Field.POINTWISE:
            return x
        return _refuse(row, "it follows a flatten")
    if behaviour is None:
        return _refuse(row, f"{row.kind} layers do not declare how they move it")
    return _THROUGH[behaviour](row, x)


def _pointwise(row: Row, x: _State) -> _State:
    return x


def _dense(row: Row, x: _State) -> _State:
    """On a (C, H, W) tensor a dense layer mixes the last axis."""
    axes = list(x.axes)
    axes[-1] = _global(axes[-1], x.extents[-1])
    return _State(tuple(axes), (*x.extents[:-1], row.output_shape[-1]))


def _upsample(row: Row, x: _State) -> _Refused:
    return _refuse(row, "upsampling gives a fractional jump and sizes that differ from unit to unit")


def _refuse(row: Row, why: str) -> _Refused:
    return _Refused(f"{row.where}: receptive field not derived: {why}")


def _windows(row: Row, x: _State) -> _State | _Refused:
    if any(step.window is None for step in row.sizes) or len(row.sizes) != len(x.axes):
        return _refuse(row, "padding='same' does not record its window")
    axes = []
    for axis, step in zip(x.axes, row.sizes, strict=True):
        assert step.window is not None
        padded = (_maybe_positive(step.window.padding),) * 2
        if step.window.ceil_mode:  # a last window clipped on the right reaches past the end
            padded = (padded[0], True)
        if (padded[0] and axis.cropped[0]) or (padded[1] and axis.cropped[1]):
            return _refuse(row, "it pads a side of the input that an earlier layer cropped")
        axes.append(_through_window(axis, step.window))
    return _State(tuple(axes), tuple(step.value for step in row.sizes))


def _through_window(axis: Axis, window: Window) -> Axis:
    """One window along one axis.  A ceil_mode pool's last window is clipped, not different."""
    size, jump, start = (
        Bind(axis.size, "R"),
        Bind(axis.jump, "J"),
        Bind(axis.start, "A"),
    )
    quantity = axis.name
    steps = (
        derive_step(
            f"receptive size ({quantity})",
            rules.receptive_size,
            R=size,
            n=Bind(window.kernel, "n"),
            d=Bind(window.dilation, "d", omit=window.dilation == 1),
            J=jump,
        ),
        derive_step(f"jump ({quantity})", rules.receptive_jump, J=jump, s=Bind(window.stride, "s")),
        derive_step(
            f"start ({quantity})", rules.receptive_start, A=start, p=Bind(window.padding, "p"), J=Bind(axis.jump, "J")
        ),
    )
    return replace(axis, size=steps[0].value, jump=steps[1].value, start=steps[2].value, steps=steps)


def _global(axis: Axis, extent: sympy.Expr) -> Axis:
    """A window over all ``extent`` units: the region of the one unit that reads them all."""
    return _through_window(axis, Window(extent, extent, ZERO))


def _adaptive(row: Row, x: _State) -> _State | _Refused:
    axes = []
    for axis, extent, wanted in zip(x.axes, x.extents, row.output_shape[1:], strict=True):
        if wanted == 1:
            axes.append(_global(axis, extent))
        elif decide(sympy.Eq(wanted, extent)) is sympy.true:
            axes.append(replace(axis, steps=()))
        elif decide(sympy.Eq(sympy.Mod(extent, wanted), 0)) is sympy.true:
            tile = extent / wanted
            axes.append(_through_window(axis, Window(tile, tile, ZERO)))
        else:
            return _refuse(
                row, f"adaptive pooling from {extent} to {wanted} units has windows of unequal size and spacing"
            )
    return _State(tuple(axes), tuple(row.output_shape[1:]))


def _mean(row: Row, x: _State) -> _State | _Refused:
    spatial_out = row.output_shape[1:]
    if len(row.output_shape) == 1:  # x.mean([2, 3]): one value per channel, over every position
        return _State(tuple(_global(axis, e) for axis, e in zip(x.axes, x.extents, strict=True)), (), spatial=False)
    if len(row.output_shape) == len(row.input_shapes[0]):  # keepdim: the reduced axes have size 1
        axes = tuple(
            _global(axis, extent) if size == 1 else axis
            for axis, extent, size in zip(x.axes, x.extents, spatial_out, strict=True)
        )
        return _State(axes, tuple(spatial_out))
    return _refuse(row, "a mean that drops some spatial axes only")


def _zero_pad(row: Row, x: _State) -> _State | _Refused:
    lead = len(x.axes) - len(row.sizes)  # ZeroPad1d on an image pads the last axis only
    if lead < 0:
        return _refuse(row, "it pads more axes than the input has spatial axes")
    axes = list(x.axes[:lead])
    for axis, step in zip(x.axes[lead:], row.sizes, strict=True):
        before = dict(step.arguments).get("p_before")
        if before is None:
            return _refuse(row, "the padding is not recorded")
        value, after = before.value, dict(step.arguments)["p_after"].value
        for mapping in step.replaced:
            value, after = value.xreplace(mapping), after.xreplace(mapping)
        if (_maybe_positive(value) and axis.cropped[0]) or (_maybe_positive(after) and axis.cropped[1]):
            return _refuse(row, "it pads a side of the input that an earlier layer cropped")
        cropped = (axis.cropped[0] or _maybe_negative(value), axis.cropped[1] or _maybe_negative(after))
        start = derive_step(
            f"start ({axis.name})",
            rules.receptive_start,
            A=Bind(axis.start, "A"),
            p=Bind(value, "p"),
            J=Bind(axis.jump, "J"),
        )
        axes.append(replace(axis, start=start.value, steps=(start,), cropped=cropped))
    return _State(tuple(axes), (*x.extents[:lead], *(step.value for step in row.sizes)))


def _flatten(row: Row, x: _State) -> _State | _Refused:
    if len(row.output_shape) != 1:
        return _refuse(row, "a flatten that keeps some spatial axes")
    return _State(tuple(_global(axis, e) for axis, e in zip(x.axes, x.extents, strict=True)), (), flat=True)


# -- where paths meet -----------------------------------------------------------------------------
def _merge(row: Row, states: Sequence[_State]) -> _State | _Refused:
    if any(state.flat for state in states) or len({state.spatial for state in states}) > 1:
        return _refuse(row, "it joins flattened or pooled tensors with spatial ones")
    if not states[0].spatial:
        return states[0]
    out = row.output_shape[1:]
    if len(out) != len(states[0].axes):
        return _refuse(row, "the output has a different number of spatial axes")
    if row.layer is not None and row.layer.receptive is Field.CONCAT and any(
        size != extent and decide(sympy.Eq(size, extent)) is not sympy.true
        for state in states
        for size, extent in zip(out, state.extents, strict=True)
    ):
        return _refuse(row, "a concatenation along a spatial axis shifts positions")
    axes = []
    for position, extent in enumerate(out):
        merged = _union(row, [state.axes[position] for state in states], [s.extents[position] for s in states], extent)
        if isinstance(merged, _Refused):
            return merged
        axes.append(merged)
    return _State(tuple(axes), tuple(out))


def _union(row: Row, paths: Sequence[Axis], extents: Sequence[sympy.Expr], extent: sympy.Expr) -> Axis | _Refused:
    """The union of the paths' regions, unit by unit: min of the starts, max of the ends.

    A path broadcast along this axis (one unit for many) sees the same region for
    every unit: the union is then a region with jump 0 if it contains every other
    path's regions, and refused otherwise (the union would not move with ``t``).
    """
    broadcast = [size == 1 and extent != 1 for size in extents]
    # A dense block concatenates many paths that see alike: compare each distinct one once.
    moving = _distinct([axis for axis, fixed in zip(paths, broadcast, strict=True) if not fixed])
    fixed = _distinct([axis for axis, fixed in zip(paths, broadcast, strict=True) if fixed])
    name = paths[0].name
    conditions = tuple(dict.fromkeys(condition for axis in paths for condition in axis.conditions))
    aligned = all(axis.aligned for axis in paths)
    jump = moving[0].jump
    for axis in moving[1:]:
        same = sympy.true if axis.jump == jump else decide(sympy.Eq(axis.jump, jump))
        if same is sympy.false:
            return _refuse(row, f"the paths meeting here have different jumps along the {name}: {jump} and {axis.jump}")
        if same is not sympy.true and same not in conditions:
            conditions += (same,)
        centred = decide(sympy.Eq(axis.centre, moving[0].centre))
        aligned = aligned and same is sympy.true and centred is sympy.true
    start, end = _lowest(axis.start for axis in moving), _highest(axis.start + axis.size - 1 for axis in moving)
    if fixed:
        last = extent - 1
        lo, hi = _lowest(axis.start for axis in fixed), _highest(axis.start + axis.size - 1 for axis in fixed)
        covers = decide(sympy.And(sympy.Le(lo, start), sympy.Ge(hi, end + last * jump)))
        if covers is not sympy.true:
            return _refuse(row, f"a broadcast path along the {name} does not contain the others")
        start, end, jump, aligned = lo, hi, ZERO, False
    size = end - start + 1
    shown = Step(f"receptive size ({name})", size, shown=_union_display(fixed or moving))
    cropped = (any(axis.cropped[0] for axis in paths), any(axis.cropped[1] for axis in paths))
    return Axis(name, size, jump, start, aligned, conditions, (shown,), cropped)


def _maybe_positive(value: sympy.Expr) -> bool:
    return decide(sympy.Gt(value, 0)) is not sympy.false


def _maybe_negative(value: sympy.Expr) -> bool:
    return decide(sympy.Lt(value, 0)) is not sympy.false


def _either(first: tuple[bool, bool], second: tuple[bool, bool]) -> tuple[bool, bool]:
    return (first[0] or second[0], first[1] or second[1])


def _lowest(values: Iterable[sympy.Expr]) -> sympy.Expr:
    items = list(values)
    return min(items) if all(item.is_Integer for item in items) else sympy.Min(*items)  # type: ignore[type-var]


def _highest(values: Iterable[sympy.Expr]) -> sympy.Expr:
    items = list(values)
    return max(items) if all(item.is_Integer for item in items) else sympy.Max(*items)  # type: ignore[type-var]


def _distinct(paths: Sequence[Axis]) -> list[Axis]:
    seen: dict[tuple[sympy.Expr, ...], Axis] = {}
    for axis in paths:
        key = (axis.size, axis.jump, axis.start)
        if key not in seen or (seen[key].aligned and not axis.aligned):
            seen[key] = axis
    return list(seen.values())


def _union_display(paths: Sequence[Axis]) -> Shown:
    """``Max(ends) - Min(starts) + 1`` with the paths' values, for the derivation."""
    if len(paths) > MAX_SHOWN_PATHS:  # a dense block's concat: the values alone
        return leaf(_highest(a.start + a.size - 1 for a in paths)) - leaf(_lowest(a.start for a in paths)) + 1
    ends = sympy.Max(*(axis.start + axis.size - 1 for axis in paths), evaluate=False)
    starts = sympy.Min(*(axis.start for axis in paths), evaluate=False)
    return leaf(ends) - leaf(starts) + 1


# One recurrence per declared behaviour (merges take several inputs and are walked apart).
_THROUGH: dict[Field, Callable[[Row, _State], _State | _Refused]] = {
    Field.POINTWISE: _pointwise,
    Field.WINDOW: _windows,
    Field.FLATTEN: _flatten,
    Field.DENSE: _dense,
    Field.ADAPTIVE: _adaptive,
    Field.MEAN: _mean,
    Field.PAD: _zero_pad,
    Field.UPSAMPLE: _upsample,
}
