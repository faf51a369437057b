"""Every torchvision classification model through from_torch, against PyTorch.

All models of ``torchvision.models.list_models(module=torchvision.models)`` are
built on the ``meta`` device (no weights are allocated, forward passes only
propagate shapes) and imported with a symbolic input ``(3, H, W)``.  Checked
against the real modules: parameter and buffer totals, the output shape of
every module-named row against forward hooks at two odd sizes (the one size the
model accepts for ViT and MaxViT, and symcnn must refuse the others as PyTorch
does), and MACs against ``torch.utils.flop_counter.FlopCounterMode`` (on the
meta device PyTorch's attention takes its matrix-product path, so every product
is counted; on CPU it is not, see ``test_vit_attention_products_on_cpu``).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sympy

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")
pytestmark = pytest.mark.torch

from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from symcnn import Derivation, ShapeError  # noqa: E402
from symcnn.adapters.torch import from_torch  # noqa: E402
from symcnn.exact.symbols import symbol  # noqa: E402

from .torchvision_models import build, regnet_widths_on_cpu  # noqa: E402, F401  (the fixture is autouse)

MODELS = torchvision.models.list_models(module=torchvision.models)
ODD_SIZES = [(225, 257), (99, 131)]


def fixed_size(model: Any) -> int | None:
    """The one image size the model accepts (ViT asserts it, MaxViT's grid is built for it), or None."""
    if isinstance(model, torchvision.models.VisionTransformer):
        return int(model.image_size)
    if isinstance(model, torchvision.models.MaxVit):
        return 224
    return None


def image(height: int, width: int) -> Any:
    return torch.zeros(1, 3, height, width, device="meta")


def forward_shapes(model: Any, x: Any) -> tuple[tuple[int, ...], dict[str, list[tuple[int, ...]]]]:
    """The output shape and every module's output shapes (one per call), without the batch."""
    seen: dict[str, list[tuple[int, ...]]] = {}
    handles = []
    for qualified, module in model.named_modules():
        if qualified:

            def hook(module: Any, inputs: Any, output: Any, qualified: str = qualified) -> None:
                if isinstance(output, tuple) and output:  # (attention output, weights)
                    output = output[0]
                if isinstance(output, torch.Tensor):
                    seen.setdefault(qualified, []).append(tuple(output.shape[1:]))

            handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            output = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return tuple(output.shape[1:]), seen


def as_ints(shape: tuple[sympy.Expr, ...]) -> tuple[int, ...]:
    assert all(isinstance(size, sympy.Integer) for size in shape), shape
    return tuple(int(size) for size in shape)


@pytest.fixture(scope="module", params=MODELS)
def imported(request: pytest.FixtureRequest) -> tuple[str, Any, Derivation]:
    """(name, model, derivation); module-scoped, so each model's tests run together."""
    model = build(request.param)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every parameter must be used by the traced forward
        network = from_torch(model, (3, "H", "W"))
    return request.param, model, network.derive()


def test_all_80_classification_models_are_listed() -> None:
    assert len(MODELS) == 80
    for family in ("vit_b_16", "vit_h_14", "swin_t", "swin_v2_b", "maxvit_t"):
        assert family in MODELS


def test_parameters_and_buffers_are_exact(imported: tuple[str, Any, Derivation]) -> None:
    _, model, d = imported
    assert d.totals.trainable == sum(p.numel() for p in model.parameters())
    assert d.totals.buffers == sum(b.numel() for b in model.buffers())
    assert d.totals.non_trainable == 0
    assert d.input_shape == (3, symbol("H"), symbol("W"))


def test_shapes_match_forward_hooks(imported: tuple[str, Any, Derivation]) -> None:
    name, model, d = imported
    size = fixed_size(model)
    sizes = [(size, size)] if size else ODD_SIZES
    modules = dict(model.named_modules())
    weighted = {row.name for row in d.rows if row.name in modules and row.params.value != 0}
    for height, width in sizes:
        output, seen = forward_shapes(model, image(height, width))
        at = d.subs(H=height, W=width)
        assert as_ints(at.output_shape) == output
        compared = set()
        for row in at.rows:
            base, _, count = row.name.rpartition("_")
            if row.name in seen:
                expected = seen[row.name][0]
            elif count.isdigit() and base in seen and int(count) < len(seen[base]):
                expected = seen[base][int(count)]
            else:
                continue
            assert as_ints(row.output_shape) == expected, (name, height, width, row.name)
            compared.add(row.name)
        assert weighted <= compared, sorted(weighted - compared)[:5]  # every layer with weights was compared


def test_numeric_import_equals_symbolic_substituted(imported: tuple[str, Any, Derivation]) -> None:
    """Imported at numbers (the numeric path: Python ints where it can) every row is the symbolic one substituted."""
    name, model, d = imported
    size = fixed_size(model)
    for height, width in [(size, size)] if size else ODD_SIZES:
        numeric = from_torch(model, (3, height, width)).derive()
        at = d.subs(H=height, W=width)
        # ViT's torch._assert(h == image_size): a row stating the condition in H, settled at import with numbers.
        required = [row for row in at.rows if row.kind == "require"]
        assert all(row.params.value == row.macs.value == 0 for row in required)
        rows = [row for row in at.rows if row.kind != "require"]
        assert [row.name for row in numeric.rows] == [row.name for row in rows], name
        for mine, theirs in zip(numeric.rows, rows, strict=True):
            where = (name, height, width, mine.name)
            assert mine.output_shape == theirs.output_shape, where
            for quantity in ("params", "non_trainable", "buffers", "macs"):
                assert getattr(mine, quantity).value == getattr(theirs, quantity).value, (*where, quantity)
            assert mine.multiplicity == theirs.multiplicity, where
            assert [step.value for step in mine.sizes] == [step.value for step in theirs.sizes], where
        assert numeric.totals == at.totals
        assert numeric.memory(batch=2).total_bytes == at.memory(batch=2).total_bytes
        fields, substituted = numeric.receptive_fields, at.receptive_fields
        for row in numeric.rows:
            refused, also = fields.refusal(row.name), substituted.refusal(row.name)
            assert (refused is None) == (also is None), (name, row.name, refused, also)
            if refused is not None and also is not None:  # the same reason; row numbers differ by the require rows
                assert refused.partition("): ")[2] == also.partition("): ")[2], (name, row.name)
            else:
                mine_axes = [(axis.size, axis.jump, axis.start) for axis in fields.of(row.name)]
                assert mine_axes == [(axis.size, axis.jump, axis.start) for axis in substituted.of(row.name)]


def test_fixed_size_models_refuse_other_sizes_like_pytorch(imported: tuple[str, Any, Derivation]) -> None:
    _, model, d = imported
    size = fixed_size(model)
    if size is None:  # no condition pins a size to one value
        pinned = [c for c in d.conditions if isinstance(c.relation, sympy.Eq) and len(c.relation.free_symbols) == 1]
        assert not pinned, pinned
        return
    for height, width in ((size + 1, size), (size, size - 32)):
        with pytest.raises(ShapeError):
            d.subs(H=height, W=width)
        with pytest.raises((RuntimeError, AssertionError)):
            forward_shapes(model, image(height, width))


def test_macs_match_flop_counter_on_meta(imported: tuple[str, Any, Derivation]) -> None:
    """FlopCounterMode: 2 FLOPs per multiply-accumulate of convolutions and matrix products."""
    _, model, d = imported
    size = fixed_size(model) or 224
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(image(size, size))
    assert 2 * d.subs(H=size, W=size).totals.macs == counter.get_total_flops()


def test_vit_attention_products_on_cpu() -> None:
    """On CPU, FlopCounterMode counts nothing for scaled_dot_product_attention; symcnn counts both products.

    With gradients enabled nn.MultiheadAttention computes its projections with
    ``addmm`` (counted) and the scores and weighted sum with
    ``scaled_dot_product_attention``, whose CPU kernel has no FLOP formula: the
    difference is exactly ``2*t*t*e`` per encoder layer (t tokens of size e).
    """
    model = build("vit_b_32").to_empty(device="cpu")  # values do not matter, only which kernels run
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 3, 224, 224))
    d = from_torch(model, (3, 224, 224)).derive()
    tokens, embed = (224 // 32) ** 2 + 1, 768
    attention_products = len(model.encoder.layers) * 2 * tokens * tokens * embed
    assert 2 * (d.totals.macs - attention_products) == counter.get_total_flops()
    with torch.no_grad(), FlopCounterMode(display=False) as silent:
        torch.nn.functional.scaled_dot_product_attention(*(torch.zeros(1, 12, tokens, 64),) * 3)
    assert silent.get_total_flops() == 0


def test_vit_states_its_image_size_as_a_condition() -> None:
    d = from_torch(build("vit_b_16"), (3, "H", "W")).derive()
    H, W = symbol("H"), symbol("W")
    relations = [condition.relation for condition in d.conditions]
    assert sympy.Eq(H, 224) in relations and sympy.Eq(W, 224) in relations
    assert d.row("class_token").kind == "learnedconcat"
    assert d.row("encoder.pos_embedding").kind == "shift"
    assert d.subs(H=224, W=224).row("encoder.ln").output_shape == (197, 768)
    with pytest.raises(ShapeError, match="Expected 224 but got 225"):
        from_torch(build("vit_b_16"), (3, 225, 224))


def test_swin_pads_windows_with_exact_sizes() -> None:
    d = from_torch(build("swin_t"), (3, "H", "W")).derive()
    row = d.row("features.1.0.attn")
    assert row.kind == "windowattention"
    H = symbol("H")
    padded = next(step.value for step in row.sizes if step.quantity == "padded height")
    for height in (224, 225, 230, 99):
        patches = (height - 4) // 4 + 1
        assert padded.subs({H: height, symbol("W"): height}) == -(-patches // 7) * 7
