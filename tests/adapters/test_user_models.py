"""Issue 11's corpus: user-style modules imported and compared with PyTorch itself.

For every module of :mod:`corpus`: the parameters (total and trainable) and
buffers equal PyTorch's sums, the output shape equals a forward pass's, and the
MACs equal half of ``FlopCounterMode``'s FLOPs wherever PyTorch counts them.
Then the patterns one by one: what each row says, the conventions, and the
clear errors for what cannot be imported.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sympy

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

from torch import nn  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from symcnn import KERAS, ShapeError, UnsupportedError  # noqa: E402
from symcnn.adapters.torch import from_torch  # noqa: E402

from .corpus import CORPUS, AuxiliaryHeads, Loop, MnistNet, TiedLanguageModel, frozen_backbone  # noqa: E402


def imported(case: Any, model: Any) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network = from_torch(model, case.shape)
    measured = [item for item in caught if "imported numerically" in str(item.message)]
    assert bool(measured) == case.numeric, [str(item.message) for item in caught]
    return network.derive()


def first_tensor(output: Any) -> Any:
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, tuple | list):
        return first_tensor(output[0])
    return first_tensor(next(iter(vars(output).values())))


@pytest.mark.parametrize("name", list(CORPUS))
def test_counts_shapes_and_macs_match_pytorch(name: str) -> None:
    case = CORPUS[name]
    torch.manual_seed(0)
    model = case.make()
    d = imported(case, model).subs(**case.sizes)
    assert d.totals.params == sum(p.numel() for p in model.parameters())
    assert d.totals.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert d.totals.non_trainable == sum(p.numel() for p in model.parameters() if not p.requires_grad)
    assert d.totals.buffers == sum(b.numel() for b in model.buffers())
    x = case.example()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            output = first_tensor(model(x))
    assert d.output_shape == tuple(output.shape[1:])
    if case.flops:
        assert 2 * d.totals.macs == counter.get_total_flops()


def test_the_corpus_covers_every_pattern() -> None:
    assert len(CORPUS) >= 40
    assert sum(case.numeric for case in CORPUS.values()) >= 4


# -- frozen parameters -----------------------------------------------------------------------------


def test_frozen_parameters_are_non_trainable_per_row() -> None:
    model = frozen_backbone()
    d = from_torch(model, (3, "H", "W")).derive()
    conv, bn = d.row("0"), d.row("1")
    assert (conv.params.value, conv.non_trainable.value) == (0, 3 * 3 * 3 * 8 + 8)
    assert (bn.params.value, bn.non_trainable.value) == (0, 16)
    assert d.row("3").params.value == 8 * 9 * 16 + 16 and d.row("3").non_trainable.value == 0
    assert "non-trainable params: 240" in d.to_text()
    assert r"\left(3 \cdot 3 \cdot 3 + 1\right) \cdot 8 = 224$ non-trainable" in d.to_markdown()


def test_frozen_parameters_under_keras_conventions() -> None:
    model = frozen_backbone()
    d = from_torch(model, (3, "H", "W")).derive(conventions=KERAS)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    statistics = 2 * (8 + 16)  # Keras: BatchNorm's moving mean and variance
    assert d.totals.non_trainable == frozen + statistics
    assert d.totals.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert d.totals.buffers == 0


def test_a_partly_frozen_layer_shows_what_is_left() -> None:
    model = nn.Sequential(nn.Linear(12, 6))
    model[0].weight.requires_grad = False
    row = from_torch(model, (12,)).derive().row("0")
    assert (row.params.value, row.non_trainable.value) == (6, 72)
    assert row.params.substituted.text() == "(12 + 1)*6 - 72"


# -- unused parameters -----------------------------------------------------------------------------


def test_unused_parameters_are_named_in_a_row_of_their_own() -> None:
    model = AuxiliaryHeads().eval()
    d = from_torch(model, (3, "H", "W")).derive()
    last = d.rows[-1]
    unused = sum(p.numel() for name, p in model.named_parameters() if name.startswith(("aux1", "aux2")))
    assert last.name == "not used by forward: aux1.*, aux2.*"
    assert last.kind == "unused" and last.params.value == unused == 180
    assert d.totals.params == sum(p.numel() for p in model.parameters())


def test_a_parameter_only_read_is_not_counted_as_used() -> None:
    d = from_torch(CORPUS["read_only_parameter"].make(), (8,)).derive()
    assert d.rows[-1].name == "not used by forward: w" and d.rows[-1].params.value == 25


def test_pruning_counts_the_original_weight_and_the_mask() -> None:
    model = CORPUS["pruned_conv"].make()
    d = from_torch(model, (3, "H", "W")).derive()
    conv = d.row("0")
    assert conv.params.value == 3 * 3 * 3 * 8 + 8  # weight_orig and bias
    assert conv.buffers.value == 3 * 3 * 3 * 8  # weight_mask
    assert d.row("8").buffers.value == 10  # bias_mask


def test_uninitialised_lazy_parameters_are_refused() -> None:
    with pytest.raises(
        UnsupportedError,
        match=r"module .0. \(LazyLinear\) is uninitialised .*materialise it first: run one forward pass",
    ):
        from_torch(nn.Sequential(nn.LazyLinear(4)), (8,))


# -- shared modules and tied weights ---------------------------------------------------------------


def test_a_module_called_six_times_shows_each_call() -> None:
    d = from_torch(Loop(), (4, "H", "W")).derive()
    names = [row.name for row in d.layers]
    assert names == [f"conv1 (call {k} of 6)" for k in range(1, 7)]
    assert [row.params.value for row in d.layers] == [148, 0, 0, 0, 0, 0]
    H, W = sympy.symbols("H W", integer=True, positive=True)
    assert all(sympy.simplify(row.macs.value - 144 * H * W) == 0 for row in d.layers)


def test_tied_weights_are_counted_once() -> None:
    model = TiedLanguageModel()
    d = from_torch(model, ("L",)).derive()
    assert d.row("decoder").params.value == 50  # its bias: the weight is the embedding's
    assert d.totals.params == sum(p.numel() for p in model.parameters())


# -- view(-1, n) -----------------------------------------------------------------------------------


def test_view_minus_one_holds_under_the_condition_that_makes_it_true() -> None:
    d = from_torch(MnistNet().eval(), (1, "H", "W")).derive()
    relations = [condition.relation for condition in d.conditions]
    assert any("320" in str(relation) for relation in relations)
    assert d.subs(H=28, W=28).output_shape == (10,)
    with pytest.raises(ShapeError, match="320 elements"):
        d.subs(H=32, W=32)


# -- inputs and errors -----------------------------------------------------------------------------


def test_an_input_without_per_sample_dimensions_is_refused_clearly() -> None:
    class Scalar(nn.Module):
        def forward(self, x: Any) -> Any:
            return x * 2

    with pytest.raises(UnsupportedError, match="no dimension besides the batch"):
        from_torch(Scalar(), ())


def test_untraceable_models_with_symbolic_sizes_name_the_reason() -> None:
    with pytest.raises(UnsupportedError, match=r"torch\.fx cannot trace DataDependent: .*control flow.*H is symbolic"):
        from_torch(CORPUS["data_dependent"].make(), (3, "H", "W"))


def test_what_symcnn_cannot_follow_is_measured_with_the_reason() -> None:
    class Cumulative(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(6, 6)

        def forward(self, x: Any) -> Any:
            return self.fc(torch.cumsum(x, 1))

    with pytest.warns(UserWarning, match=r"symcnn cannot follow Cumulative symbolically: node 'cumsum' .*; imported"):
        d = from_torch(Cumulative(), (6,)).derive()
    assert d.output_shape == (6,) and d.totals.params == 42 and d.totals.macs == 36
    with pytest.raises(UnsupportedError, match=r"node 'cumsum' .* symcnn has no layer for this function"):
        from_torch(Cumulative(), ("n",))


def test_measured_rows_are_marked_numeric() -> None:
    with pytest.warns(UserWarning, match=r"torch\.fx cannot trace DataDependent: .*control flow; imported numerically"):
        d = from_torch(CORPUS["data_dependent"].make(), (3, 10, 9)).derive()
    assert [row.kind for row in d.layers] == ["Conv2d (numeric)", "Linear (numeric)", "unused"]
    assert d.row("conv").output_shape == (8, 8, 7)
    assert d.rows[-1].name == "not used by forward: spare.*"


# -- the issue's own examples -------------------------------------------------------------------------


def test_resnet18_with_its_first_30_parameter_tensors_frozen() -> None:
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.resnet18(weights=None)
    for parameter in list(model.parameters())[:30]:
        parameter.requires_grad = False
    totals = from_torch(model, (3, "H", "W")).derive().totals
    assert (totals.params, totals.trainable) == (11_689_512, 11_006_440)
    assert totals.trainable == sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_googlenet_auxiliary_heads_are_named_in_eval_mode() -> None:
    torchvision = pytest.importorskip("torchvision")
    model = torchvision.models.googlenet(weights=None, aux_logits=True, init_weights=False).eval()
    d = from_torch(model, (3, "H", "W")).derive()
    assert d.rows[-1].name == "not used by forward: aux1.*, aux2.*"
    assert d.rows[-1].params.value == 6_379_984
    assert d.totals.params == sum(p.numel() for p in model.parameters())


def test_measured_recurrent_layers_count_the_macs_symcnn_derives() -> None:
    class Traced(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm, self.fc = nn.LSTM(4, 8, batch_first=True), nn.Linear(8, 2)

        def forward(self, x: Any) -> Any:
            return self.fc(self.lstm(x)[0])

    class Untraceable(Traced):
        def forward(self, x: Any) -> Any:
            y = self.lstm(x)[0]
            if y.sum() > 0:
                y = torch.relu(y)
            return self.fc(y)

    derived = from_torch(Traced(), (5, 4)).derive()
    with pytest.warns(UserWarning, match="imported numerically"):
        measured = from_torch(Untraceable(), (5, 4)).derive()
    assert measured.row("lstm").macs.value == derived.row("lstm").macs.value > 0
    assert measured.totals.macs == derived.totals.macs


def test_measuring_leaves_the_model_untouched() -> None:
    class Training(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bn = nn.BatchNorm1d(4)

        def forward(self, x: Any) -> Any:
            y = self.bn(x)
            return y + torch.ones(x.size(0), 4)  # a CPU tensor: the meta device cannot run this model

    model = Training()  # training mode: a forward would update the running statistics
    with pytest.warns(UserWarning, match="imported numerically"):
        d = from_torch(model, (4,)).derive()
    assert d.totals.buffers == 9
    assert int(model.bn.num_batches_tracked) == 0 and bool((model.bn.running_mean == 0).all())
