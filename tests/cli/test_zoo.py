"""``symcnn zoo`` and ``symcnn derive --zoo ... --set ...``."""

from __future__ import annotations

import json

import pytest

from symcnn import zoo
from symcnn.cli import main


def test_zoo_lists_every_builder_with_its_defaults(capsys) -> None:
    assert main(["zoo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {line.split()[0] for line in lines} == set(zoo.BUILDERS)
    resnet = next(line for line in lines if line.startswith("resnet50 "))
    assert "layers=3,4,6,3" in resnet and "width_per_group=64" in resnet and "input_shape=3,H,W" in resnet


def test_zoo_shows_one_model(capsys) -> None:
    assert main(["zoo", "mobilenet_v2"]) == 0
    out = capsys.readouterr().out
    assert "width_mult = 1" in out and "symcnn derive --zoo mobilenet_v2" in out


def test_derive_zoo_with_symbols_in_every_format(capsys) -> None:
    assert main(["derive", "--zoo", "resnet50", "--set", "width_per_group=w", "layers=3,4,N,3", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "w" in json.dumps(data) and "N" in json.dumps(data)
    for fmt in ("text", "md", "latex"):
        assert main(["derive", "--zoo", "resnet18", "--set", "layers=2,2,N,2", "-f", fmt]) == 0
        assert "N" in capsys.readouterr().out


def test_derive_zoo_decimal_width_is_exact(capsys) -> None:
    """width_mult=0.35 typed on the command line is 7/20: torchvision's 1,677,128 parameters."""
    assert main(["derive", "--zoo", "mobilenet_v2", "--set", "width_mult=0.35"]) == 0
    assert "trainable params:     1'677'128" in capsys.readouterr().out
    assert main(["derive", "--zoo", "mobilenet_v2", "--set", "width_mult=a", "--subs", "a=0.35"]) == 0
    assert "trainable params:     1'677'128" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["derive", "--zoo", "resnet51"], "unknown zoo model 'resnet51'"),
        (["derive", "--zoo", "resnet50", "--set", "depth=3"], "unknown hyperparameter 'depth'"),
        (["derive", "--zoo", "resnet50", "--set", "layers=3,4"], "layers must have 4 entries"),
        (["derive", "--zoo", "googlenet", "--set", "aux_logits=maybe"], "true or false"),
        (["derive", "--zoo", "mobilenet_v2", "--set", "width_mult=-1"], "positive"),
        (["derive", "--zoo", "resnet50", "--set", "groups"], "--set expects NAME=VALUE"),
        (["derive", "--set", "groups=2"], "--set is only used with --zoo"),
        (["derive", "--zoo", "resnet50", "--torch", "x:y"], "one of a spec file, --torch, --onnx or --zoo"),
        (["zoo", "lenet"], "unknown zoo model"),
    ],
)
def test_bad_zoo_input_is_one_line(capsys, argv: list[str], message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
