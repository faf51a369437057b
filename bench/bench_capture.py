"""The graph capture of ``from_torch``: torch.fx's symbolic trace against symcnn's capture.

For each torchvision model (``weights=None``, ``eval()``, built on the meta
device), times ``symcnn.adapters.torch.tracing._trace`` (``torch.fx.Tracer``
with symcnn's leaves) and ``symcnn.adapters.torch.capture.capture`` (the same
tracer with cheaper hot paths) alternately, CPU time (``time.process_time``),
one thread, after a warm-up of both on resnet18.  Prints the best and median
of ``--repeat`` runs, the ratio of the best times, the node count, and whether
the two graphs are the same node for node (op, target, args, kwargs, name,
``nn_module_stack``).  Asserts nothing.

Usage::

    python bench/bench_capture.py
    python bench/bench_capture.py --models resnet18,vit_b_16 --repeat 9
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # the checkout's symcnn, not an installed one

from _common import table, versions

DEFAULT_MODELS = "resnet50,densenet121,mobilenet_v3_large,efficientnet_b0,convnext_tiny"


def same(torch: Any, first: Any, second: Any) -> bool:
    """Whether two graphs have the same nodes: op, target, args, kwargs, name and module stack."""

    def nodes(graph: Any) -> list[tuple[Any, ...]]:
        position = {node: index for index, node in enumerate(graph.nodes)}

        def plain(value: Any) -> Any:
            return torch.fx.node.map_aggregate(
                value, lambda item: position[item] if isinstance(item, torch.fx.Node) else item
            )

        return [
            (node.op, node.target, plain(node.args), plain(node.kwargs), node.name, node.meta.get("nn_module_stack"))
            for node in graph.nodes
        ]

    return nodes(first) == nodes(second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=DEFAULT_MODELS)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    import torch
    import torchvision

    from symcnn.adapters.torch.capture import capture
    from symcnn.adapters.torch.modules import _module_table
    from symcnn.adapters.torch.tracing import _trace
    from symcnn.adapters.torch.transformer import more_modules

    print(versions())
    torch.set_num_threads(1)
    modules = {**_module_table(torch), **more_modules(torch)}
    with torch.device("meta"):
        warm = torchvision.models.resnet18().eval()
    _trace(torch, warm, modules)
    capture(torch, warm, modules)

    rows = []
    for name in options.models.split(","):
        with torch.device("meta"):
            model = torchvision.models.get_model(name).eval()
        times: dict[str, list[float]] = {"fx": [], "capture": []}
        for _ in range(options.repeat):
            for label, tracer in (("fx", _trace), ("capture", capture)):
                start = time.process_time()
                graph = tracer(torch, model, modules)
                times[label].append(time.process_time() - start)
        fx, fast = min(times["fx"]), min(times["capture"])
        identical = same(torch, _trace(torch, model, modules), capture(torch, model, modules))
        rows.append(
            [
                name,
                len(graph.nodes),
                f"{fx * 1e3:.1f} / {statistics.median(times['fx']) * 1e3:.1f}",
                f"{fast * 1e3:.1f} / {statistics.median(times['capture']) * 1e3:.1f}",
                f"{fx / fast:.2f}x",
                "yes" if identical else "NO",
            ]
        )
        print(f"  {name} done", flush=True)
    print()
    print(f"CPU time in ms, best / median of {options.repeat}, 1 thread")
    print(table(["model", "nodes", "torch.fx trace", "capture", "fx / capture", "same graph"], rows))


if __name__ == "__main__":
    main()
