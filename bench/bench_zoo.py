"""The zoo against what users would otherwise do: import torchvision models and count.

Part 1, per model: building and deriving the zoo model **symbolically** (its
widths and depths symbols, H and W free) and reading its totals, against
``from_torch(torchvision.models.<name>(), (3, "H", "W")).derive().totals`` at the
model's defaults (torch model built on the CPU as a user would, plus the import
and the derivation).  SymPy's and symcnn's caches are cleared before each run.

Part 2, "parameters at 1,000 widths":

* ResNet-50, ``width_per_group`` = 1 ... 1000: the zoo derives once with ``w``
  symbolic and evaluates the polynomial (``sympy.lambdify`` on Python integers,
  exact) at all 1,000 widths; torch builds ``ResNet(Bottleneck, [3, 4, 6, 3],
  width_per_group=w)`` and sums ``numel`` — on the meta device (no weights) for
  a sample and on the CPU (real weights, what users do) for a smaller sample,
  both extrapolated to 1,000;
* MobileNetV2, ``width_mult`` = 1/100 ... 1000/100: the zoo evaluates its formula
  (a polynomial in ``make_divisible`` terms) exactly at each rational width; torch
  builds ``mobilenet_v2(width_mult=w)`` (meta and CPU samples, extrapolated).

Every answer is checked against torch on the sampled widths.  Prints times and
ratios; asserts nothing.

Usage::

    python bench/bench_zoo.py                        # a representative set of models
    python bench/bench_zoo.py --models all --repeat 1
    python bench/bench_zoo.py --no-models            # part 2 only
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clear_sympy_cache, fmt_s, repeat, table, versions

DEFAULT_MODELS = "resnet50,resnet152,vgg16,mobilenet_v2,mobilenet_v3_large,densenet121,efficientnet_b3,convnext_tiny"


def symbolic_options(name: str) -> dict[str, Any]:
    """Fully symbolic widths and depths where the architecture has them, the class count otherwise."""
    if name.startswith(("resnet", "resnext", "wide_resnet")):
        options: dict[str, Any] = {"layers": "A,B,C,D"}
        return options if name in ("resnet18", "resnet34") else {**options, "width_per_group": "w"}
    if name.startswith("mobilenet"):
        return {"width_mult": "a"}
    if name.startswith("efficientnet"):
        return {"width_mult": "w", "depth_mult": "d"}
    if name.startswith("densenet"):
        return {"growth_rate": "k", "num_init_features": "f"}
    if name.startswith("convnext"):
        return {"dims": "c,2*c,4*c,8*c", "depths": "A,B,C,D"}
    if name == "lenet5":
        return {"f6": "F"}
    if name == "mnist_cnn":
        return {"l": "l", "k": "k"}
    return {"num_classes": "K"}


def zoo_symbolic(name: str) -> Any:
    from symcnn import zoo

    return zoo.get(name)(**symbolic_options(name)).derive().totals


def torch_import(name: str) -> Any:
    import torchvision

    import symcnn

    options: dict[str, Any] = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        options.update(aux_logits=False, init_weights=False)
    model = getattr(torchvision.models, name)(**options).eval()
    return symcnn.from_torch(model, (3, "H", "W")).derive().totals


def part_models(names: list[str], times: int) -> None:
    print("\n## Part 1: zoo, symbolic widths and depths, against from_torch at the defaults\n")
    torch_import("alexnet")  # one-time costs (importing torch, torchvision, the adapter) are not timed
    zoo_symbolic("alexnet")
    rows = []
    for name in names:
        zoo_time, _ = repeat(lambda name=name: zoo_symbolic(name), times=times, setup=clear_sympy_cache)
        if name in ("lenet5", "mnist_cnn"):
            rows.append([name, ", ".join(symbolic_options(name)), fmt_s(zoo_time.best), "-", "-"])
            continue
        torch_time, _ = repeat(lambda name=name: torch_import(name), times=times, setup=clear_sympy_cache)
        ratio = torch_time.best / zoo_time.best
        rows.append(
            [name, ", ".join(symbolic_options(name)), fmt_s(zoo_time.best), fmt_s(torch_time.best), f"{ratio:.1f}x"]
        )
        print(f"  {name}: zoo {zoo_time}; from_torch {torch_time}", flush=True)
    print()
    print(table(["model", "symbolic", "zoo build+derive", "torch build+from_torch+derive", "ratio"], rows))


def count_parameters(model: Any) -> int:
    return sum(p.numel() for p in model.parameters())


def timed_builds(build: Any, values: list[Any], device: str) -> tuple[float, dict[Any, int]]:
    import torch

    counts = {}
    start = time.perf_counter()
    for value in values:
        with torch.device(device):
            counts[value] = count_parameters(build(value))
    return time.perf_counter() - start, counts


def part_widths(count: int, meta_sample: int, cpu_sample: int) -> None:
    import sympy
    import torchvision
    from torchvision.models.resnet import Bottleneck, ResNet

    from symcnn import zoo

    print(f"\n## Part 2: parameters at {count:,} widths\n")
    rows = []
    rng = random.Random(0)

    # ResNet-50, width_per_group 1..count
    widths = list(range(1, count + 1))
    clear_sympy_cache()
    start = time.perf_counter()
    total = zoo.resnet50(width_per_group="w").derive().totals.trainable
    (w,) = total.free_symbols
    function = sympy.lambdify(w, total, modules=[{}, "math"])
    answers = {width: int(function(width)) for width in widths}
    zoo_seconds = time.perf_counter() - start

    def resnet(width: int) -> Any:
        return ResNet(Bottleneck, [3, 4, 6, 3], width_per_group=width)

    meta_values = rng.sample(widths, meta_sample)
    meta_seconds, meta_counts = timed_builds(resnet, meta_values, "meta")
    cpu_values = rng.sample(widths[:256], cpu_sample)
    cpu_seconds, cpu_counts = timed_builds(resnet, cpu_values, "cpu")
    agree = all(answers[v] == c for v, c in {**meta_counts, **cpu_counts}.items())
    rows.append(
        _width_row(
            "resnet50 width_per_group", count, zoo_seconds, meta_seconds, meta_sample, cpu_seconds, cpu_sample, agree
        )
    )

    # MobileNetV2, width_mult k/100
    mults = [sympy.Rational(index, 100) for index in range(1, count + 1)]
    clear_sympy_cache()
    start = time.perf_counter()
    formula = zoo.mobilenet_v2(width_mult="a").derive().totals.trainable
    evaluate = exact_evaluator(formula)
    exact = {mult: evaluate(Fraction(mult.p, mult.q)) for mult in mults}
    zoo_seconds = time.perf_counter() - start

    def mobilenet(mult: sympy.Rational) -> Any:
        return torchvision.models.mobilenet_v2(width_mult=float(mult))

    meta_values = rng.sample(mults, meta_sample)
    meta_seconds, meta_counts = timed_builds(mobilenet, meta_values, "meta")
    cpu_values = rng.sample(mults[:200], cpu_sample)
    cpu_seconds, cpu_counts = timed_builds(mobilenet, cpu_values, "cpu")
    agree = all(exact[v] == c for v, c in {**meta_counts, **cpu_counts}.items())
    rows.append(
        _width_row(
            "mobilenet_v2 width_mult", count, zoo_seconds, meta_seconds, meta_sample, cpu_seconds, cpu_sample, agree
        )
    )
    print(
        table(
            [
                "question",
                "zoo (derive once + evaluate all)",
                f"torch meta (x{count}, extrapolated)",
                "ratio",
                f"torch CPU (x{count}, extrapolated)",
                "ratio",
                "agree",
            ],
            rows,
        )
    )


def exact_evaluator(formula: Any) -> Any:
    """The formula as a Python function of an exact Fraction: an integer polynomial in make_divisible terms.

    Each ``make_divisible(c*a, 8)`` is computed in Fractions, the polynomial on
    Python integers (``sympy.lambdify``): exact, and much faster than ``subs``.
    """
    import sympy

    from symcnn.zoo.parts import make_divisible

    (a,) = formula.free_symbols
    terms = sorted(formula.atoms(make_divisible), key=str)
    holders = [sympy.Dummy() for _ in terms]
    polynomial = sympy.lambdify(holders, formula.xreplace(dict(zip(terms, holders, strict=True))), modules=[{}, "math"])
    arguments = [sympy.lambdify(a, term.args[0], modules=[{"Max": max}, "math"]) for term in terms]
    divisors = [int(term.args[1]) for term in terms]

    def rounded(value: Fraction, divisor: int) -> int:
        new = max(divisor, math.floor(value + Fraction(divisor, 2)) // divisor * divisor)
        return new + divisor if new < Fraction(9, 10) * value else new

    def evaluate(width: Fraction) -> int:
        return int(polynomial(*(rounded(f(width), d) for f, d in zip(arguments, divisors, strict=True))))

    return evaluate


def _width_row(
    label: str, count: int, zoo_s: float, meta_s: float, meta_n: int, cpu_s: float, cpu_n: int, agree: bool
) -> list[str]:
    meta_total = meta_s / meta_n * count
    cpu_total = cpu_s / cpu_n * count
    return [
        label,
        fmt_s(zoo_s),
        fmt_s(meta_total),
        f"{meta_total / zoo_s:.0f}x",
        fmt_s(cpu_total),
        f"{cpu_total / zoo_s:.0f}x",
        "yes" if agree else "NO",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=DEFAULT_MODELS, help="comma-separated zoo names, or 'all'")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement (best is reported)")
    parser.add_argument("--no-models", action="store_true", help="skip part 1")
    parser.add_argument("--widths", type=int, default=1000, help="how many widths in part 2")
    parser.add_argument("--meta-sample", type=int, default=40, help="torch builds on the meta device, per question")
    parser.add_argument("--cpu-sample", type=int, default=5, help="torch builds on the CPU, per question")
    args = parser.parse_args()
    print(versions())
    if not args.no_models:
        from symcnn import zoo

        names = sorted(zoo.BUILDERS) if args.models == "all" else args.models.split(",")
        part_models(names, args.repeat)
    part_widths(args.widths, args.meta_sample, args.cpu_sample)


if __name__ == "__main__":
    main()
