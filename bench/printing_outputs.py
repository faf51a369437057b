"""Digests of ``to_text()`` and ``to_latex()`` for the depth chains and a few zoo models.

Run it on two checkouts and compare: printing changes that claim "same output" must print
the same digests.  ``--symcnn PATH`` imports the symcnn of another checkout::

    python bench/printing_outputs.py > after.txt
    python bench/printing_outputs.py --symcnn /tmp/before > before.txt && diff before.txt after.txt

Only prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from functools import partial
from pathlib import Path
from typing import Any

MODELS = (
    ("resnet50", {}),
    ("densenet121", {}),
    ("mobilenet_v3_large", {}),
    ("efficientnet_b0", {}),
    ("convnext_tiny", {}),
    ("resnet50", {"width_per_group": "w", "layers": "A,B,C,D"}),
    ("mobilenet_v2", {"width_mult": "a"}),
    ("vgg16", {"num_classes": "K"}),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--symcnn", default=str(Path(__file__).resolve().parent.parent), help="checkout to import")
    parser.add_argument("--depths", default="100,1000", help="chain depths (bench_depth's chain)")
    parser.add_argument("--save", default=None, help="also write every output into this folder")
    args = parser.parse_args(argv)
    sys.path.insert(0, args.symcnn)
    # An editable install's finder sits before sys.path and would import this checkout's symcnn.
    editable = [item for item in sys.meta_path if str(getattr(item, "__module__", "")).startswith("__editable")]
    sys.meta_path[:] = [item for item in sys.meta_path if item not in editable]
    sys.path.insert(1, str(Path(__file__).resolve().parent))
    from bench_depth import build_chain

    import symcnn
    import symcnn.zoo

    def chain(depth: int) -> Any:
        return build_chain(depth, widths="distinct", pool_every=10, max_pools=None)

    cases = [(f"chain{depth}", partial(chain, int(depth))) for depth in args.depths.split(",") if depth]
    for name, options in MODELS:
        label = name + "".join(f" {key}={value}" for key, value in options.items())
        cases.append((label, partial(getattr(symcnn.zoo, name), **options)))
    print(f"symcnn from {Path(symcnn.__file__).parent}", file=sys.stderr)
    for label, make in cases:
        d = make().derive()
        for kind, text in (("text", d.to_text()), ("latex", d.to_latex())):
            print(f"{label:<50} {kind:<5} {len(text):>10} {hashlib.sha256(text.encode()).hexdigest()[:16]}")
            if args.save:
                Path(args.save, f"{label.replace(' ', '_')}.{kind}").write_text(text)


if __name__ == "__main__":
    main()
