"""Regenerate the article's fragments, macros and figure data from symcnn itself.

Run by ``bash papers/build``; ``tests/test_papers.py`` checks that regenerating
changes nothing and that the article compiles.  Everything the article cites
comes from here: the derivations (``symcnn.paper``), the zoo's formulas in
their own hyperparameters, and an exact what-if sweep for the figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import symcnn
import symcnn.model.examples
from symcnn import zoo
from symcnn.paper import Options, write
from symcnn.whatif import sweep

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "generated"
AT = {"H": 224, "W": 224, "w": 64, "a": 1}


def networks() -> dict[str, symcnn.Derivation]:
    """The article's networks, named as its macros are (``\\ResNetFiftyParams``)."""
    return {
        "MNIST": symcnn.load_spec(symcnn.model.examples.MNIST).derive(),
        "LeNet-5": zoo.lenet5().derive(),
        "VGG-16": zoo.vgg16().derive(),
        "ResNet-50": zoo.resnet50(width_per_group="w").derive(),
        "MobileNetV2": zoo.mobilenet_v2(width_mult="a").derive(),
    }


def width_sweep(resnet: symcnn.Derivation) -> str:
    """ResNet-50's parameters and MACs at 224x224 for widths w = 8, 16, ..., 128 (exact integers)."""
    fixed = resnet.subs(H=224, W=224)
    return sweep(fixed, {"w": list(range(8, 129, 8))}, quantities=["params", "macs"]).to_csv()


def files() -> dict[str, str]:
    """Every generated file's name and text."""
    import tempfile

    derived = networks()
    with tempfile.TemporaryDirectory() as directory:
        names = write(derived, directory, Options(at=AT, columns=("shape", "params")))
        texts = {name: (Path(directory) / name).read_text(encoding="utf-8") for name in names}
    texts["resnet50-width.csv"] = width_sweep(derived["ResNet-50"])
    return texts


def main() -> None:
    GENERATED.mkdir(exist_ok=True)
    for stale in GENERATED.iterdir():
        stale.unlink()
    for name, text in files().items():
        (GENERATED / name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"{GENERATED.relative_to(HERE.parent)}/{name}\n")


if __name__ == "__main__":
    main()
