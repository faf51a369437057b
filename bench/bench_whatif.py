"""A 10^6-configuration sweep of ResNet-50's parameters and MACs over width and input size.

The network is torchvision's ``resnet50(width_per_group=64*w)`` (w = 2 is
``wide_resnet50_2``), built from symcnn layers with a symbolic width ``w`` and
input ``3 x H x W`` (bench/_resnet.py); symcnn derives its closed forms once.
The grid: w = 1..25, H = 32..231, W = 32..231 (25 x 200 x 200 = 10^6).

Compared:

* **symcnn** — ``symcnn.whatif.sweep(d, axes, quantities=["params", "macs"])``:
  compiled formulas, exact integers (int64 where provably safe), validity
  conditions evaluated.  The derivation is timed separately (once per network).
* **hand-written NumPy** — the same closed forms typed by hand as int64 NumPy
  expressions over a meshgrid (the practical limit: what an engineer who already
  knew the formulas would write).  Target: symcnn within 2x of it.
* **torch** — what users do without symcnn: build the model for each configuration
  (``torchvision.models.resnet50(width_per_group=64*w)`` on the **meta** device, so no
  memory is allocated), count ``p.numel()`` and run a forward pass under
  ``torch.utils.flop_counter.FlopCounterMode`` (FLOPs / 2 = MACs), for a sample of
  ``--torch-sample`` configurations; extrapolated to 10^6.

Every method's numbers are checked against symcnn's (all 10^6 for NumPy, the sample
for torch).  Prints best and median times and ratios; asserts nothing.

Beyond int64: the same network at widths w = 2^40 .. 2^40 + 24 (H, W = 32..131:
250,000 configurations, MACs near 2^110) against the plain Python loop a user
would write over exact integers: ``handwritten(w, H, W)`` with Python ints for
each configuration, collected in lists.  CPU time (``time.process_time``), the
two runs interleaved, best of ``--overflow-repeat``; the results compared.
A random sample of the same axes (``random=250_000``, seed 0) has no grid to
broadcast over: it is timed the same way against the loop over the sampled
configurations (given to the loop as Python ints, the sampling not counted).

Usage::

    python bench/bench_whatif.py
    python bench/bench_whatif.py --repeat 7 --torch-sample 20
    python bench/bench_whatif.py --no-torch
    python bench/bench_whatif.py --overflow-only --overflow-repeat 7
    python bench/bench_whatif.py --random-only --overflow-repeat 7
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's symcnn, not an installed one

from _common import fmt_s, repeat, table, versions
from _resnet import wide_resnet50

AXES = {"w": range(1, 26), "H": range(32, 232), "W": range(32, 232)}
OVERFLOW_AXES = {"w": range(2**40, 2**40 + 25), "H": range(32, 132), "W": range(32, 132)}
RANDOM_SAMPLE = 250_000


def handwritten(w: np.ndarray, H: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ResNet-50 (inner width 64*w per stage base), parameters and MACs, by hand in int64."""
    h2, v2 = (H - 1) // 2 + 1, (W - 1) // 2 + 1  # stem: 7x7 conv, stride 2, padding 3
    h4, v4 = (H - 1) // 4 + 1, (W - 1) // 4 + 1  # + 3x3 max-pool, stride 2, padding 1
    h8, v8 = (H - 1) // 8 + 1, (W - 1) // 8 + 1
    h16, v16 = (H - 1) // 16 + 1, (W - 1) // 16 + 1
    h32, v32 = (H - 1) // 32 + 1, (W - 1) // 32 + 1
    params = (11317248 * w + 9374464) * w + 4865320
    macs = (
        9408 * (h2 * v2)
        + ((110592 * w + 118784) * w + 16384) * (h4 * v4)
        + ((589824 * w + 589824) * w + 131072) * (h8 * v8)
        + ((3538944 * w + 3407872) * w + 524288) * (h16 * v16)
        + ((7077888 * w + 5242880) * w + 2097152) * (h32 * v32)
        + 2048000
    )
    return params, macs


def numpy_grid() -> tuple[np.ndarray, np.ndarray]:
    w, H, W = np.meshgrid(*(np.arange(r.start, r.stop, dtype=np.int64) for r in AXES.values()), indexing="ij")
    return handwritten(w.ravel(), H.ravel(), W.ravel())


def python_loop(configurations: Any = None) -> tuple[list[int], list[int]]:
    """The loop a user writes over exact integers: the closed forms on Python ints, per configuration.

    ``configurations``: ``(w, H, W)`` triples (default: every one of the beyond-int64 grid).
    """
    params, macs = [], []
    for w, H, W in configurations if configurations is not None else itertools.product(*OVERFLOW_AXES.values()):
        p, m = handwritten(w, H, W)  # type: ignore[arg-type]  # the same arithmetic on Python ints
        params.append(p)
        macs.append(m)
    return params, macs


def overflow_comparison(d: Any, times: int) -> None:
    """symcnn's sweep past int64 against the Python loop: CPU time, interleaved runs, best of ``times``."""
    from symcnn.whatif import sweep

    sweep_runs, loop_runs = [], []
    for _ in range(max(1, times)):
        start = time.process_time()
        result = sweep(d, OVERFLOW_AXES, quantities=["params", "macs"])
        sweep_runs.append(time.process_time() - start)
        start = time.process_time()
        params, macs = python_loop()
        loop_runs.append(time.process_time() - start)
    same = result.columns["params"].tolist() == params and result.columns["macs"].tolist() == macs
    size = len(params)
    print(f"beyond int64: {size:,} configurations, w = 2^40 .. 2^40 + 24 (largest MACs {max(macs):.3e}, "
          f"2^63 = {2**63:.3e})")  # fmt: skip
    print(f"  symcnn sweep              best {fmt_s(min(sweep_runs))} CPU  (dtype {result.columns['macs'].dtype})")
    print(f"  Python loop, exact ints   best {fmt_s(min(loop_runs))} CPU")
    print(f"  identical results on all {size:,}: {same}")
    print(f"ratio symcnn / Python loop past int64: {min(sweep_runs) / min(loop_runs):.2f} (target: <= 1)")


def random_comparison(d: Any, times: int, size: int = RANDOM_SAMPLE) -> None:
    """A random sample of the beyond-int64 axes against the loop over the same configurations."""
    from symcnn.whatif import sweep

    sample = sweep(d, OVERFLOW_AXES, random=size, seed=0, quantities=["params"])
    configurations = list(zip(*(sample.columns[name].tolist() for name in OVERFLOW_AXES), strict=True))
    sweep_runs, loop_runs = [], []
    for _ in range(max(1, times)):
        start = time.process_time()
        result = sweep(d, OVERFLOW_AXES, random=size, seed=0, quantities=["params", "macs"])
        sweep_runs.append(time.process_time() - start)
        start = time.process_time()
        params, macs = python_loop(configurations)
        loop_runs.append(time.process_time() - start)
    same = result.columns["params"].tolist() == params and result.columns["macs"].tolist() == macs
    print(f"random sample past int64: {size:,} configurations of the same axes (seed 0)")
    print(f"  symcnn sweep(random=)     best {fmt_s(min(sweep_runs))} CPU  (dtype {result.columns['macs'].dtype})")
    print(f"  Python loop, exact ints   best {fmt_s(min(loop_runs))} CPU")
    print(f"  identical results on all {size:,}: {same}")
    print(f"ratio symcnn random / Python loop past int64: {min(sweep_runs) / min(loop_runs):.2f} (target: <= 1)")


def torch_counts(configurations: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    import torch
    import torchvision
    from torch.utils.flop_counter import FlopCounterMode

    counts = []
    for w, H, W in configurations:
        with torch.device("meta"):
            model = torchvision.models.resnet50(width_per_group=64 * w).eval()
            x = torch.empty(1, 3, H, W)
        params = sum(p.numel() for p in model.parameters())
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model(x)
        counts.append((params, counter.get_total_flops() // 2))
    return counts


def _relative(seconds: float, reference: float) -> str:
    return f"{reference / seconds:.2f}x faster" if seconds < reference else f"{seconds / reference:.2f}x slower"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each sweep (default: 5)")
    parser.add_argument("--torch-sample", type=int, default=10, help="configurations built with torch (default: 10)")
    parser.add_argument("--no-torch", action="store_true", help="skip the torch comparison")
    parser.add_argument("--overflow-repeat", type=int, default=5, help="runs of the beyond-int64 case (default: 5)")
    parser.add_argument("--overflow-only", action="store_true", help="only the beyond-int64 cases (grid, random)")
    parser.add_argument("--random-only", action="store_true", help="only the beyond-int64 random sample")
    args = parser.parse_args()
    print(versions())
    print()

    from symcnn.whatif import sweep

    start = time.perf_counter()
    d = wide_resnet50().derive()
    _ = d.totals
    derive_time = time.perf_counter() - start
    print(f"derive symbolic ResNet-50 (w, H, W): {fmt_s(derive_time)}")
    print(f"  params = {d.totals.params}")
    print()
    if args.random_only:
        random_comparison(d, args.overflow_repeat)
        return
    if args.overflow_only:
        overflow_comparison(d, args.overflow_repeat)
        print()
        random_comparison(d, args.overflow_repeat)
        return

    size = len(AXES["w"]) * len(AXES["H"]) * len(AXES["W"])
    symcnn_timing, result = repeat(lambda: sweep(d, AXES, quantities=["params", "macs"]), times=args.repeat)
    numpy_timing, (params, macs) = repeat(numpy_grid, times=args.repeat)
    same = np.array_equal(result.columns["params"], params) and np.array_equal(result.columns["macs"], macs)
    print(f"sweep of {size:,} configurations (params and MACs), all valid: {bool(result.valid.all())}")
    print(f"  symcnn sweep        {symcnn_timing}  (dtype {result.columns['macs'].dtype})")
    print(f"  hand-written NumPy  {numpy_timing}")
    print(f"  identical results on all {size:,}: {same}")
    rows: list[list[Any]] = [
        ["symcnn sweep", fmt_s(symcnn_timing.best), "1.00x"],
        ["hand-written NumPy", fmt_s(numpy_timing.best), _relative(numpy_timing.best, symcnn_timing.best)],
    ]
    if not args.no_torch:
        rng = np.random.default_rng(0)
        picks = rng.integers(0, size, size=args.torch_sample)
        configurations = [
            (int(result.columns["w"][i]), int(result.columns["H"][i]), int(result.columns["W"][i])) for i in picks
        ]
        start = time.perf_counter()
        counts = torch_counts(configurations)
        per_configuration = (time.perf_counter() - start) / len(configurations)
        agree = all(
            counts[j] == (int(result.columns["params"][i]), int(result.columns["macs"][i])) for j, i in enumerate(picks)
        )
        extrapolated = per_configuration * size
        print(f"  torch (meta device, FlopCounterMode), {len(configurations)} configurations: "
              f"{fmt_s(per_configuration)} each -> {fmt_s(extrapolated)} for {size:,} (extrapolated)")  # fmt: skip
        print(f"  torch agrees with symcnn on the sample: {agree}")
        slower = f"{extrapolated / symcnn_timing.best:,.0f}x slower"
        rows.append(["torch per configuration", fmt_s(extrapolated), slower])
    print()
    print(f"symcnn: the derivation once ({fmt_s(derive_time)}) + the sweep ({fmt_s(symcnn_timing.best)})")
    print(table(["method (10^6 configurations)", "best time", "vs symcnn sweep"], rows))
    print(f"ratio symcnn / hand-written NumPy: {symcnn_timing.best / numpy_timing.best:.2f} (target: <= 2)")
    print()
    overflow_comparison(d, args.overflow_repeat)
    print()
    random_comparison(d, args.overflow_repeat)


if __name__ == "__main__":
    main()
