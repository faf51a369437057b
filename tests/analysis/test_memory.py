"""Training memory: the conventions, the optimizers, and torchinfo's own figures to the byte."""

from __future__ import annotations

import pytest

import symcnn
from symcnn.errors import SpecError

B = symcnn.symbols("B")


def small() -> symcnn.Derivation:
    return symcnn.Sequential(
        symcnn.Input(3, 8, 8), symcnn.Conv2d(3, 4, 3), symcnn.BatchNorm2d(), symcnn.ReLU(), symcnn.Flatten()
    ).derive()


def test_saved_convention_counts_every_output() -> None:
    m = small().memory()
    params = 4 * 3 * 9 + 4 + 2 * 4  # conv weights and bias, BatchNorm scale and shift
    assert m.params_bytes == 4 * params
    assert m.gradient_bytes == 4 * params
    assert m.buffer_bytes == 4 * 2 * 4 + 8  # running mean and variance, an int64 counter
    assert m.optimizer_bytes == 0
    assert m.input_bytes == 4 * 3 * 8 * 8 * B
    assert m.activation_bytes == 4 * (4 * 6 * 6) * 4 * B  # conv, norm, relu, flatten outputs
    assert m.total_bytes == m.params_bytes * 2 + m.buffer_bytes + m.input_bytes + m.activation_bytes


@pytest.mark.parametrize(
    ("optimizer", "copies"), [("sgd", 0), ("momentum", 1), ("adam", 2), ("adamw", 2), ("amsgrad", 3)]
)
def test_optimizer_state_per_trainable_parameter(optimizer: str, copies: int) -> None:
    d = small()
    assert d.memory(optimizer=optimizer).optimizer_bytes == 4 * copies * d.totals.trainable


def test_sixteen_bits_keep_a_float32_master_copy() -> None:
    d = small()
    m = d.memory(batch=32, dtype="bf16", optimizer="adam")
    assert m.params_bytes == 2 * d.totals.params
    assert m.optimizer_bytes == (2 * 4 + 4) * d.totals.trainable
    assert m.activation_bytes == 2 * 32 * d.totals.activations


def test_bad_choices_are_named() -> None:
    with pytest.raises(SpecError, match="optimizer must be one of"):
        small().memory(optimizer="lion")
    with pytest.raises(SpecError, match="dtype must be one of"):
        small().memory(dtype="int3")
    with pytest.raises(SpecError, match="convention must be one of"):
        small().memory(convention="guess")


def test_json_and_cli_show_memory() -> None:
    from symcnn.cli import main

    text = small().to_json(memory=small().memory(batch=2))
    assert '"memory"' in text and '"total_bytes"' in text
    assert main(["derive", "--memory", "--batch", "32", "--dtype", "bf16", "--optimizer", "adam"]) == 0


@pytest.mark.torch
@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2", "densenet121"])
def test_torchinfo_convention_matches_torchinfo(name: str) -> None:
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    torchinfo = pytest.importorskip("torchinfo")
    model = getattr(torchvision.models, name)(weights=None).eval()
    with torch.no_grad():
        stats = torchinfo.summary(model, input_size=(3, 3, 64, 80), verbose=0)
    derivation = symcnn.from_torch(model, (3, "H", "W")).derive()
    memory = derivation.subs(H=64, W=80).memory(batch=3, convention="torchinfo")
    assert memory.params_bytes == stats.total_param_bytes
    assert memory.activation_bytes == stats.total_output_bytes
    formula = derivation.memory(batch=3, convention="torchinfo").activation_bytes  # in H and W
    assert formula.subs(dict(zip(symcnn.symbols("H W"), (64, 80), strict=True))) == stats.total_output_bytes


@pytest.mark.parametrize("budget", [10**6, 2 * 10**7, 123_456_789])
def test_largest_batch_fits_and_one_more_does_not(budget: int) -> None:
    memory = small().memory(optimizer="adam", dtype="fp16")
    best = memory.largest_batch(budget)
    assert memory.total_bytes.subs(B, best) <= budget < memory.total_bytes.subs(B, best + 1)


def test_largest_batch_in_the_input_size() -> None:
    H = symcnn.symbols("H")
    net = symcnn.Sequential(symcnn.Input(3, H, H), symcnn.Conv2d(3, 8, 3, padding=1), symcnn.ReLU())
    memory = net.derive().memory()
    best = memory.largest_batch("2**20")
    for size in (8, 32, 100):
        n = best.subs(H, size)
        total = memory.total_bytes.subs(H, size)
        assert total.subs(B, n) <= 2**20 < total.subs(B, n + 1)
    with pytest.raises(SpecError, match="symbolic batch"):
        net.derive().memory(batch=4).largest_batch(10**6)
