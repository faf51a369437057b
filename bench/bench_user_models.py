"""User-style models (issue 11's corpus): symcnn's from_torch against torchinfo, on counts and time.

For each module of ``tests/adapters/corpus.py`` at its numeric test sizes this prints
PyTorch's own totals (parameters, trainable, buffers), whether symcnn's equal them,
whether torchinfo's do, and the time of ``from_torch(...).derive()`` against
``torchinfo.summary`` (best of a few runs).  The untraceable models go through
symcnn's measured fallback; the others are derived symbolically and substituted.

    python bench/bench_user_models.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "adapters"))

from _common import repeat, versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(versions())
    import torchinfo
    from corpus import CORPUS

    from symcnn.adapters.torch import from_torch

    warnings.simplefilter("ignore")
    print(
        f"\n{'model':<26} {'params':>8} {'trainable':>9} {'buffers':>7}  symcnn  torchinfo  "
        f"{'symcnn ms':>9} {'torchinfo ms':>12} {'ratio':>6}"
    )
    agree = {"symcnn": 0, "torchinfo": 0}
    for name, case in CORPUS.items():
        model = case.make()
        expected = (
            sum(p.numel() for p in model.parameters()),
            sum(p.numel() for p in model.parameters() if p.requires_grad),
            sum(b.numel() for b in model.buffers()),
        )

        def symcnn_totals(model: Any = model, case: Any = case) -> tuple[int, int, int]:
            totals = from_torch(model, case.shape).derive().subs(**case.sizes).totals
            return int(totals.params), int(totals.trainable), int(totals.buffers)

        def torchinfo_totals(model: Any = model, case: Any = case) -> tuple[int, int, int]:
            example = case.example()
            stats = torchinfo.summary(model, input_data=[example], verbose=0, device="cpu")
            return int(stats.total_params), int(stats.trainable_params), -1  # torchinfo reports no buffers

        ours = symcnn_totals()
        try:
            theirs: tuple[int, int, int] | None = torchinfo_totals()
        except Exception:  # torchinfo cannot run this model
            theirs = None
        ours_ok = ours == expected
        theirs_ok = theirs is not None and theirs[:2] == expected[:2]
        agree["symcnn"] += ours_ok
        agree["torchinfo"] += theirs_ok
        ours_time, _ = repeat(symcnn_totals, times=options.repeat)
        theirs_time = repeat(torchinfo_totals, times=options.repeat)[0] if theirs is not None else None
        ratio = f"{theirs_time.best / ours_time.best:6.2f}" if theirs_time else "     -"
        print(
            f"{name:<26} {expected[0]:>8} {expected[1]:>9} {expected[2]:>7}  {'yes' if ours_ok else 'NO':>6}  "
            f"{('yes' if theirs_ok else 'no') if theirs else 'fails':>9}  {ours_time.best * 1e3:>9.1f} "
            f"{(theirs_time.best * 1e3 if theirs_time else float('nan')):>12.1f} {ratio}"
        )
    print(
        f"\nequal to PyTorch's parameters and trainable parameters: symcnn {agree['symcnn']}/{len(CORPUS)}, "
        f"torchinfo {agree['torchinfo']}/{len(CORPUS)}; ratio = torchinfo time / symcnn time"
    )


if __name__ == "__main__":
    main()
