"""Receptive fields against PyTorch: the bounding box of the input gradient of one output unit.

Ground truth as issue 8 describes it: float64, convolution weights 1/fan_in and
biases 0, max pools replaced by average pools of the same geometry, BatchNorm as
the identity, a constant positive input.  Every weight is positive, so the
input gradient of an output unit is non-zero exactly where a path reaches it.
The formula's interval [a, b] must then meet the gradient's box [lo, hi] at
every end that lies inside the input (a >= 0 means lo == a, b <= L - 1 means
hi == b), and the box must lie within the clipped interval.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import symcnn
from symcnn.errors import ShapeError

torch = pytest.importorskip("torch")
nn = torch.nn
pytestmark = pytest.mark.torch


def prepare(model):  # type: ignore[no-untyped-def]
    """The ground-truth model: positive averaging weights, average pools, identity norms."""
    for module in list(model.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.MaxPool1d | nn.MaxPool2d):
                cls = nn.AvgPool1d if isinstance(child, nn.MaxPool1d) else nn.AvgPool2d
                setattr(module, child_name, cls(child.kernel_size, child.stride, child.padding, child.ceil_mode))
            elif isinstance(child, nn.BatchNorm2d):
                setattr(module, child_name, nn.Identity())
    for module in model.modules():
        if hasattr(module, "inplace"):  # keep each captured output as the layer made it
            module.inplace = False
        if isinstance(module, nn.Conv1d | nn.Conv2d | nn.Linear):
            fan_in = module.weight[0].numel()
            with torch.no_grad():
                module.weight.fill_(1.0 / fan_in)
                if module.bias is not None:
                    module.bias.zero_()
    return model.double().eval()


def gradient_box(output, x, unit):  # type: ignore[no-untyped-def]
    """Per spatial axis, the first and last input position with a non-zero gradient (None if none)."""
    (grad,) = torch.autograd.grad(output[(0, slice(None), *unit)].sum(), x, retain_graph=True)
    seen = grad[0].abs().sum(0) != 0
    boxes = []
    for axis in range(seen.dim()):
        others = tuple(a for a in range(seen.dim()) if a != axis)
        hit = seen.any(dim=others) if others else seen
        where = torch.nonzero(hit).flatten().tolist()
        boxes.append((where[0], where[-1]) if where else None)
    return boxes


def check_unit(field, box, unit, sizes, *, one_sided: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Interior units exactly; edge units within the clipped interval (issue 8's ground truth).

    ``one_sided`` also demands an exact end wherever that end lies inside the input. That holds
    for chains, but not where paths meet: a path whose unit sees only zeros padded in by an earlier
    layer (a shift at the border) contributes nothing, so an edge unit's region can shrink on the
    other side too.
    """
    for axis, found, t, size in zip(field, box, unit, sizes, strict=True):
        first, last = (int(v) for v in axis.interval(t))
        if found is None:  # the unit sees padding only (or holes): the clipped interval may still be non-empty
            continue
        lo, hi = found
        assert max(first, 0) <= lo and hi <= min(last, size - 1), (axis, t, found)
        interior = first >= 0 and last <= size - 1
        if first >= 0 and (one_sided or interior):
            assert lo == first, (axis, t, found)
        if last <= size - 1 and (one_sided or interior):
            assert hi == last, (axis, t, found)


# -- random chains, 1-d -------------------------------------------------------------------------
layer_strategy = st.one_of(
    st.tuples(
        st.just("conv"),
        st.integers(1, 5),  # kernel (even ones included)
        st.integers(1, 3),  # stride
        st.integers(0, 2),  # padding
        st.integers(1, 3),  # dilation
    ),
    st.tuples(st.just("pool"), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.booleans()),
    st.just(("conv", 1, 3, 0, 1)),  # k=1, s=3: holes between units
)


def chain(layers, length):  # type: ignore[no-untyped-def]
    torch_layers, ours = [], [symcnn.Input(1, length)]
    for item in layers:
        if item[0] == "shift":  # unit t is input t - a (zeros shifted in)
            torch_layers.append(nn.ZeroPad1d((item[1], -item[1])))
            ours.append(symcnn.ZeroPad1d((item[1], -item[1])))
        elif item[0] == "conv":
            _, k, s, p, d = item
            torch_layers.append(nn.Conv1d(1, 1, k, s, p, d))
            ours.append(symcnn.Conv1d(1, 1, k, s, p, d))
        else:
            _, k, s, p, ceil = item
            p = min(p, k // 2)
            torch_layers.append(nn.AvgPool1d(k, s, p, ceil_mode=ceil))
            ours.append(symcnn.AvgPool1d(k, s, p, ceil_mode=ceil))
    return nn.Sequential(*torch_layers), symcnn.Sequential(*ours)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(layer_strategy, min_size=1, max_size=4), st.integers(8, 40))
def test_random_chains_match_the_gradient(layers, length) -> None:  # type: ignore[no-untyped-def]
    model, net = chain(layers, length)
    try:
        derivation = net.derive()
    except ShapeError:
        return  # too small an input for this chain: nothing to compare
    model = prepare(model)
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = model(x)
    assert tuple(y.shape[1:]) == derivation.output_shape
    field = derivation.rows[-1].receptive_field
    for t in range(y.shape[-1]):
        check_unit(field, gradient_box(y, x, (t,)), (t,), (length,))


def test_a_chain_with_symbols_agrees_with_its_numbers() -> None:
    net = symcnn.Sequential(
        symcnn.Input(1, "L"),
        symcnn.Conv1d(1, 1, "n", stride="s", padding="p", dilation="d"),
        symcnn.AvgPool1d(3, 2, 1, ceil_mode=True),
    )
    derivation = net.derive()
    (axis,) = derivation.rows[-1].receptive_field
    (number,) = derivation.subs(L=30, n=4, s=2, p=1, d=2).rows[-1].receptive_field
    values = dict(zip(symcnn.symbols("n s p d"), (4, 2, 1, 2), strict=True))
    assert axis.size.subs(values) == number.size
    assert (axis.jump.subs(values), axis.start.subs(values)) == (number.jump, number.start)
    model, _ = chain([("conv", 4, 2, 1, 2), ("pool", 3, 2, 1, True)], 30)
    model = prepare(model)
    x = torch.ones(1, 1, 30, dtype=torch.float64, requires_grad=True)
    y = model(x)
    for t in range(y.shape[-1]):
        check_unit((number,), gradient_box(y, x, (t,)), (t,), (30,))


# -- graphs: aligned and misaligned merges ------------------------------------------------------
class Shifted(nn.Module):
    """Two paths that see different sides: [t - 1, t] and [t, t + 1] (misaligned), then added."""

    def __init__(self, merge: str) -> None:
        super().__init__()
        self.left = nn.Sequential(nn.ZeroPad1d((1, 0)), nn.Conv1d(1, 1, 2))
        self.right = nn.Sequential(nn.ZeroPad1d((0, 1)), nn.Conv1d(1, 1, 2))
        self.merge = merge

    def forward(self, x):  # type: ignore[no-untyped-def]
        a, b = self.left(x), self.right(x)
        return a + b if self.merge == "add" else torch.cat([a, b], 1)


def shifted_net(merge: str, length: object) -> symcnn.Graph:
    x = symcnn.Input(1, length)
    a = symcnn.Conv1d(1, 1, 2)(symcnn.ZeroPad1d((1, 0))(x))
    b = symcnn.Conv1d(1, 1, 2)(symcnn.ZeroPad1d((0, 1))(x))
    joined = symcnn.Add()(a, b) if merge == "add" else symcnn.Concat()(a, b)
    return symcnn.Graph(x, joined)


@pytest.mark.parametrize("merge", ["add", "concat"])
def test_a_misaligned_merge_is_the_union_of_its_paths(merge: str) -> None:
    derivation = shifted_net(merge, 12).derive()
    (axis,) = derivation.rows[-1].receptive_field
    # The largest-path rule would give size 2; the union of [t - 1, t] and [t, t + 1] is 3 wide.
    assert (axis.size, axis.jump, axis.start, axis.aligned) == (3, 1, -1, False)
    model = prepare(Shifted(merge))
    x = torch.ones(1, 1, 12, dtype=torch.float64, requires_grad=True)
    y = model(x)
    for t in range(12):
        check_unit((axis,), gradient_box(y, x, (t,)), (t,), (12,))


def test_a_shift_added_to_a_convolution() -> None:
    """Issue 8's case: a 5-tap convolution plus a 3-pixel shift; the union is wider than either path."""
    x = symcnn.Input(1, 24)
    conv = symcnn.Conv1d(1, 1, 5, padding=2)(x)  # [t - 2, t + 2]
    shift = symcnn.ZeroPad1d((-3, 3))(x)  # unit t is input t + 3
    derivation = symcnn.Graph(x, symcnn.Add()(conv, shift)).derive()
    (axis,) = derivation.rows[-1].receptive_field
    assert axis.interval(10) == (8, 13)
    assert not axis.aligned

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv, self.shift = nn.Conv1d(1, 1, 5, padding=2), nn.ZeroPad1d((-3, 3))

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.conv(x) + self.shift(x)

    model = prepare(Model())
    inputs = torch.ones(1, 1, 24, dtype=torch.float64, requires_grad=True)
    y = model(inputs)
    for t in range(24):
        check_unit((axis,), gradient_box(y, inputs, (t,)), (t,), (24,))


def test_a_residual_block_in_two_dimensions_is_aligned() -> None:
    x = symcnn.Input(4, 20, 20)
    y = symcnn.Conv2d(4, 4, 3, stride=2, padding=1)(x)
    y = symcnn.Conv2d(4, 4, 3, padding=1)(y)
    short = symcnn.Conv2d(4, 4, 1, stride=2)(x)
    derivation = symcnn.Graph(x, symcnn.Add()(y, short)).derive()
    field = derivation.rows[-1].receptive_field
    assert [(a.size, a.jump, a.start, a.aligned) for a in field] == [(7, 2, -3, True)] * 2

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = nn.Conv2d(4, 4, 3, 2, 1), nn.Conv2d(4, 4, 3, 1, 1)
            self.short = nn.Conv2d(4, 4, 1, 2)

        def forward(self, x):  # type: ignore[no-untyped-def]
            return self.b(self.a(x)) + self.short(x)

    model = prepare(Block())
    inputs = torch.ones(1, 4, 20, 20, dtype=torch.float64, requires_grad=True)
    out = model(inputs)
    for unit in [(0, 0), (4, 5), (9, 9), (0, 9)]:
        check_unit(field, gradient_box(out, inputs, unit), unit, (20, 20))


# -- torchvision models through from_torch --------------------------------------------------------
MODELS = {
    "resnet18": ("layer1.0.conv2", "layer2.1.conv2", "layer4.1.conv2", "fc"),
    "resnet50": ("layer1.0.conv3", "layer3.0.conv2", "layer4.2.conv3"),
    "vgg16": ("features.4", "features.16", "features.30"),
    "mobilenet_v2": ("features.2.conv.1.0", "features.7.conv.0.0", "features.17.conv.2"),
    "densenet121": ("features.pool0", "features.transition1.pool", "features.denseblock3.denselayer1.conv2"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_torchvision_models(name: str) -> None:
    torchvision = pytest.importorskip("torchvision")
    size = 96
    model = getattr(torchvision.models, name)(weights=None).eval()
    derivation = symcnn.from_torch(model, (3, size, size)).derive()
    model = prepare(model)
    outputs = {}
    modules = dict(model.named_modules())
    for row_name in MODELS[name]:
        modules[row_name].register_forward_hook(lambda m, i, o, key=row_name: outputs.setdefault(key, o))
    x = torch.ones(1, 3, size, size, dtype=torch.float64, requires_grad=True)
    model(x)
    for row_name in MODELS[name]:
        field = derivation.row(row_name).receptive_field
        out = outputs[row_name]
        if out.dim() == 2:  # the classifier: one unit sees the whole input
            box = gradient_box(out[:, :, None, None], x, (0, 0))
            assert box == [(0, size - 1), (0, size - 1)]
            assert all(axis.start <= 0 and axis.start + axis.size - 1 >= size - 1 for axis in field)
            continue
        h, w = out.shape[-2:]
        for unit in {(0, 0), (h // 2, w // 2), (h - 1, w - 1), (h // 3, w - 1)}:
            check_unit(field, gradient_box(out, x, unit), unit, (size, size))


def test_resnet18_last_layer_unit_inside_the_input() -> None:
    """An interior unit of layer4: the whole 435-pixel region, exactly (input 480, unit 7 of 15)."""
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.resnet18(weights=None).eval()
    derivation = symcnn.from_torch(model, (3, "H", "W")).derive()
    field = derivation.row("layer4.1.conv2").receptive_field
    model = prepare(model)
    captured = {}
    model.layer4.register_forward_hook(lambda m, i, o: captured.setdefault("out", o))
    x = torch.ones(1, 3, 480, 64, dtype=torch.float64, requires_grad=True)
    model(x)
    out = captured["out"]
    first, last = (int(v) for v in field[0].interval(7))
    assert first >= 0 and last <= 479  # an interior unit along the height
    check_unit(field, gradient_box(out, x, (7, 1)), (7, 1), (480, 64))


@pytest.mark.parametrize(
    ("name", "row", "size"),
    [("resnet18", "layer4.1.conv2", 435), ("vgg16", "features.30", 212)],  # published values
)
def test_published_receptive_fields(name: str, row: str, size: int) -> None:
    torchvision = pytest.importorskip("torchvision")
    derivation = symcnn.from_torch(getattr(torchvision.models, name)(weights=None), (3, "H", "W")).derive()
    assert {axis.size for axis in derivation.row(row).receptive_field} == {size}


class TwoPaths(nn.Module):
    def __init__(self, left, right, merge: str) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.left, self.right, self.merge = left, right, merge

    def forward(self, x):  # type: ignore[no-untyped-def]
        a, b = self.left(x), self.right(x)
        return a + b if self.merge == "add" else torch.cat([a, b], 1)


def equalised(layers, other, length):  # type: ignore[no-untyped-def]
    """``layers`` with a last convolution that brings its output to the length of ``other``'s."""
    lengths = [chain(items, length)[1].derive().output_shape[-1] for items in (layers, other)]
    if lengths[0] > lengths[1]:
        return [*layers, ("conv", lengths[0] - lengths[1] + 1, 1, 0, 1)]
    return layers


path_strategy = st.one_of(layer_strategy, st.tuples(st.just("shift"), st.integers(-3, 3)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(path_strategy, min_size=1, max_size=3),
    st.lists(path_strategy, min_size=1, max_size=3),
    st.sampled_from(["add", "concat"]),
    st.integers(12, 40),
)
def test_random_two_path_graphs_match_the_gradient(left, right, merge, length) -> None:  # type: ignore[no-untyped-def]
    try:
        left, right = equalised(left, right, length), equalised(right, left, length)
        (torch_left, ours_left), (torch_right, ours_right) = chain(left, length), chain(right, length)
        x = symcnn.Input(1, length)
        a, b = ours_left.items, ours_right.items
        node_a, node_b = x.node, x.node
        for layer in a:
            node_a = layer(node_a)
        for layer in b:
            node_b = layer(node_b)
        joined = (symcnn.Add() if merge == "add" else symcnn.Concat())(node_a, node_b)
        derivation = symcnn.Graph(x, joined).derive()
    except ShapeError:
        event("too small an input")
        return  # too small an input for one of the paths
    try:
        (axis,) = derivation.rows[-1].receptive_field
    except symcnn.UnsupportedError as refusal:
        if "cropped" in str(refusal):  # a shift crops one side; padding that side again is refused
            event("padding after cropping: refused")
            return
        paths = [d.rows[-1].receptive_field[0].jump for d in (ours_left.derive(), ours_right.derive())]
        assert "different jumps" in str(refusal) and paths[0] != paths[1]
        event("different jumps: refused")
        return
    event("aligned" if axis.aligned else "misaligned")
    model = prepare(TwoPaths(torch_left, torch_right, merge))
    inputs = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = model(inputs)
    assert tuple(y.shape[1:]) == derivation.output_shape
    for t in range(y.shape[-1]):
        check_unit((axis,), gradient_box(y, inputs, (t,)), (t,), (length,), one_sided=False)
