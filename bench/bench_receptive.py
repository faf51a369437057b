"""Receptive fields of resnet152 and densenet201: symcnn in closed form against torchscan's crawl.

For each model (``weights=None``):

* symcnn, symbolic: ``from_torch(model, (3, "H", "W")).derive()`` then every row's
  receptive field (``d.receptive_fields``), timed as "import + derive" and "receptive
  fields" separately.  One run answers every input size.
* torchscan (optional, ``pip install torchscan``): ``crawl_module(model, (3, 224, 224))``,
  a forward pass with hooks that reports each module's receptive field for that one size.

Prints the best and median of --repeat runs (SymPy's cache cleared before each symcnn
run), the ratio of the best times, and both tools' figure for the last spatial layer.
torchscan 0.2 reports each module's own window only; chaining those in hook order (what
torchscan 0.1 printed) counts shortcut convolutions and the layers of a dense block in
series; symcnn takes the union where paths meet.  Asserts nothing.

Usage::

    python bench/bench_receptive.py
    python bench/bench_receptive.py --models resnet50 --repeat 5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clear_sympy_cache, fmt_s, repeat, table, versions

LAST_SPATIAL = {"resnet152": "layer4.2.conv3", "densenet201": "features.norm5", "resnet50": "layer4.2.conv3"}


def symcnn_run(model: Any) -> Any:
    from symcnn.adapters.torch import from_torch

    return from_torch(model, (3, "H", "W")).derive()


def torchscan_run(model: Any) -> Any:
    from torchscan import crawl_module

    return crawl_module(model, (3, 224, 224))


def torchscan_field(report: Any, path: str) -> str:
    """torchscan 0.2 reports each module's own window; chained in hook order as torchscan 0.1 did."""
    size, jump = 1.0, 1.0
    for layer in report["layers"]:
        metrics = layer["metrics"]
        if metrics.get("receptive_field", {}).get("status") == "complete":
            kernel, stride = metrics["receptive_field"]["value"], metrics["effective_stride"]["value"]
            size, jump = size + (kernel - 1) * jump, jump * stride
        if layer["path"] == path:
            return f"{size:.0f} (jump {jump:.0f})"
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="resnet152,densenet201")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(versions())
    import torchvision

    try:
        import torchscan  # noqa: F401

        have_torchscan = True
    except ImportError:
        have_torchscan = False
        print("torchscan not installed (pip install torchscan): symcnn figures only")
    rows = []
    for name in args.models.split(","):
        model = getattr(torchvision.models, name)(weights=None).eval()
        derived, derivation = repeat(lambda m=model: symcnn_run(m), times=args.repeat, setup=clear_sympy_cache)

        def fields(d: Any = derivation) -> Any:
            d.__dict__.pop("receptive_fields", None)  # computed afresh each run
            return d.receptive_fields

        receptive, _ = repeat(fields, times=args.repeat)
        ours = derivation.row(LAST_SPATIAL[name]).receptive_field[0]
        symbolic = f"{ours.size} (jump {ours.jump}, start {ours.start})"
        theirs, ratio, their_value = "-", "-", "-"
        if have_torchscan:
            crawled, report = repeat(lambda m=model: torchscan_run(m), times=args.repeat)
            theirs = fmt_s(crawled.best)
            ratio = f"{crawled.best / (derived.best + receptive.best):.2f}x"
            their_value = torchscan_field(report, LAST_SPATIAL[name])
        rows.append([name, fmt_s(derived.best), fmt_s(receptive.best), theirs, ratio, symbolic, their_value])
    print()
    print(
        table(
            [
                "model",
                "symcnn import+derive",
                "symcnn receptive fields",
                "torchscan crawl (224)",
                "torchscan / symcnn",
                "symcnn: last spatial layer, every H",
                "torchscan chained, 224",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
