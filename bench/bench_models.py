"""symcnn on real torchvision models against torch.export and torchinfo.

For each model (default: resnet50, resnet152, densenet121, vit_b_16; ``weights=None``):

symbolic (H, W free)
    * symcnn : ``from_torch(model, (3, "H", "W"))`` (timed separately as "import"),
      then ``.derive()`` and the first ``.totals`` access (the simplified sums);
    * torch  : ``torch.export.export(model, (torch.randn(1, 3, 224, 224),),
      dynamic_shapes={"x": {2: Dim("H", min=64, max=4096), 3: Dim("W", ...)}})``.

numeric (224 x 224)
    * symcnn : ``from_torch(model, (3, 224, 224)).derive()`` then ``.totals``;
    * torch  : ``torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0)``.

``--cold`` measures what issue 21 asks, each in fresh processes (:mod:`_cold`):
the first summary of resnet50, densenet121, mobilenet_v3_large, efficientnet_b0 and
convnext_tiny (torchinfo ÷ symcnn, both in one process, both warmed up on resnet18),
``Derivation.subs(H=224, W=224).totals`` against a fresh numeric derivation, and
``import symcnn`` against ``import sympy`` (also with the MNIST example derived and
printed, the cost to a first result; ``--import`` prints these figures only, ``--subs``
the substitution's).

Targets from the issues: symbolic >= 10x faster than torch.export, numeric >= 3x
faster than torchinfo, substitution >= 10x faster than deriving afresh, import
<= 1.3x sympy's.  Prints times (best and median of --repeat runs, SymPy's
cache and symcnn's caches, from_torch's remembered traces included, cleared before
each symcnn run) and ratios of the best times; asserts nothing.  ``--keep-traces``
keeps the traces for the numeric runs: the cost of summarising a model imported
before (at another size, or symbolically).

``symcnn.adapters.torch.from_torch`` may not exist yet; then the symcnn columns
read "from_torch not available" and only torch's figures are printed.

Usage::

    python bench/bench_models.py
    python bench/bench_models.py --models resnet18,resnet50 --repeat 5
    python bench/bench_models.py --skip-export        # torch.export is the slow part
    python bench/bench_models.py --skip-export --keep-traces
    python bench/bench_models.py --cold --runs 3      # issue 21's figures, cold processes
    python bench/bench_models.py --import --runs 9    # issue 21's import figures only
    python bench/bench_models.py --subs --runs 9      # issue 21's substitution figure only
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Timing, clear_sympy_cache, fmt_s, repeat, table, versions

UNAVAILABLE = "from_torch not available"


def load_from_torch() -> tuple[Any, str]:
    try:
        from symcnn.adapters.torch import from_torch
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"
    return from_torch, ""


def short_error(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip().splitlines()
    return text[0][:160] if text else type(error).__name__


def symcnn_symbolic(from_torch: Any, model: Any, repeat_times: int, budget: float) -> dict[str, Any]:
    """from_torch import, derive, totals: each timed, cold SymPy cache."""
    phases: dict[str, list[float]] = {"import": [], "derive": [], "totals": []}
    facts: dict[str, Any] = {}
    started = time.perf_counter()
    for run in range(max(1, repeat_times)):
        clear_sympy_cache()
        t0 = time.perf_counter()
        net = from_torch(model, (3, "H", "W"))
        t1 = time.perf_counter()
        d = net.derive()
        t2 = time.perf_counter()
        totals = d.totals
        t3 = time.perf_counter()
        phases["import"].append(t1 - t0)
        phases["derive"].append(t2 - t1)
        phases["totals"].append(t3 - t2)
        if run == 0:
            facts = {
                "rows": len(d.rows),
                "conditions": len(d.conditions),
                "output": d.output_shape,
                "params": totals.params,
                "macs": totals.macs,
            }
        if time.perf_counter() - started > budget:
            break
    return {"phases": {name: Timing(runs) for name, runs in phases.items()}, **facts}


def symcnn_numeric(
    from_torch: Any, model: Any, size: int, repeat_times: int, budget: float, keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    phases: dict[str, list[float]] = {"import": [], "derive": [], "totals": []}
    facts: dict[str, Any] = {}
    started = time.perf_counter()
    for run in range(max(1, repeat_times)):
        clear_sympy_cache(keep)
        t0 = time.perf_counter()
        net = from_torch(model, (3, size, size))
        t1 = time.perf_counter()
        d = net.derive()
        t2 = time.perf_counter()
        totals = d.totals
        t3 = time.perf_counter()
        phases["import"].append(t1 - t0)
        phases["derive"].append(t2 - t1)
        phases["totals"].append(t3 - t2)
        if run == 0:
            facts = {"params": totals.params, "macs": totals.macs, "output": d.output_shape}
        if time.perf_counter() - started > budget:
            break
    return {"phases": {name: Timing(runs) for name, runs in phases.items()}, **facts}


def total_of(result: dict[str, Any]) -> Timing:
    """Per-run totals of all phases (import + derive + totals)."""
    phases = result["phases"]
    runs = len(phases["import"].runs)
    return Timing([sum(phases[name].runs[i] for name in phases) for i in range(runs)])


def torch_export(model: Any, size: int, low: int, high: int, repeat_times: int, budget: float) -> tuple[Timing, str]:
    import torch
    from torch.export import Dim, export

    example = (torch.randn(1, 3, size, size),)
    dynamic = {"x": {2: Dim("H", min=low, max=high), 3: Dim("W", min=low, max=high)}}
    holder: dict[str, Any] = {}

    def run() -> None:
        holder["ep"] = export(model, example, dynamic_shapes=dynamic)

    timing, _ = repeat(run, times=repeat_times, budget=budget)
    ep = holder["ep"]
    (out,) = [node for node in ep.graph.nodes if node.op == "output"]
    shapes = [getattr(arg.meta.get("val"), "shape", None) for arg in out.args[0]]
    shown = tuple(shapes[0]) if shapes and shapes[0] is not None else "?"
    return timing, f"output {shown}; ranges {ep.range_constraints}"


def torchinfo_summary(model: Any, size: int, repeat_times: int, budget: float) -> tuple[Timing, Any]:
    import torchinfo

    return repeat(
        lambda: torchinfo.summary(model, input_size=(1, 3, size, size), verbose=0), times=repeat_times, budget=budget
    )


COLD_MODELS = ("resnet50", "densenet121", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny")


def cold(args: argparse.Namespace) -> None:
    import _cold

    print(versions())
    threads = f"torch on {args.threads} thread(s)" if args.threads else "torch's default threads"
    print(f"\nfirst summary at 3x{args.size}x{args.size}, median of {args.runs} cold processes each, {threads}")
    rows = []
    for name in COLD_MODELS:
        found = _cold.first_summary(name, args.size, args.runs, args.threads)
        rows.append(
            [
                name,
                fmt_s(found["torchinfo"]),
                fmt_s(found["symcnn"]),
                f"{found['ratio']:.1f}x",
                fmt_s(found["torchinfo_cpu"]),
                fmt_s(found["symcnn_cpu"]),
                f"{found['ratio_cpu']:.1f}x",
            ]
        )
        print(f"  {name}: {rows[-1][1:]}", flush=True)
    headers = ["model", "torchinfo", "symcnn", "ratio (wall)", "torchinfo CPU", "symcnn CPU", "ratio (CPU)"]
    print(table(headers, rows))
    substitution(args)
    import_cost(args)


def substitution(args: argparse.Namespace) -> None:
    import _cold

    found = _cold.substitution("resnet50", args.size, args.runs)
    print(
        f"\nresnet50 (median of {args.runs} cold processes): fresh numeric derive {fmt_s(found['fresh_derive'])}; "
        f"subs(H={args.size}, W={args.size}).totals first {fmt_s(found['subs_first'])} "
        f"({found['ratio_first']:.1f}x faster), next size {fmt_s(found['subs_again'])} ({found['ratio_again']:.1f}x)"
    )


def import_cost(args: argparse.Namespace) -> None:
    import _cold

    runs = max(args.runs, 7)
    print(f"\nimport, CPU time, median of {runs} cold processes each (run in turn)")
    for bytecode in (True, False):
        found = _cold.import_cost(runs, bytecode=bytecode)
        flag = "PYTHONDONTWRITEBYTECODE set" if sys.flags.dont_write_bytecode else "bytecode as found"
        how = "bytecode cached" if bytecode else f"as run here ({flag})"
        print(
            f"  {how}: sympy {fmt_s(found['sympy'])}, symcnn {fmt_s(found['symcnn'])} "
            f"({found['ratio']:.2f}x sympy's); import symcnn + the MNIST example derived and printed "
            f"{fmt_s(found['first result'])} ({found['ratio_first']:.2f}x)",
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="resnet50,resnet152,densenet121,vit_b_16")
    parser.add_argument(
        "--keep-traces",
        action="store_true",
        help="numeric runs keep from_torch's remembered trace of the model (a summary of a model imported before)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best and median)")
    parser.add_argument("--budget", type=float, default=120.0, help="stop repeating a measurement after this many s")
    parser.add_argument("--size", type=int, default=224, help="example / numeric input size")
    parser.add_argument("--min", dest="low", type=int, default=64, help="torch.export Dim min (H, W)")
    parser.add_argument("--max", dest="high", type=int, default=4096, help="torch.export Dim max (H, W)")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-torchinfo", action="store_true")
    parser.add_argument("--cold", action="store_true", help="issue 21's cold-process figures only (see above)")
    parser.add_argument("--import", dest="imports", action="store_true", help="issue 21's import figures only")
    parser.add_argument("--subs", action="store_true", help="issue 21's substitution figure only")
    parser.add_argument("--runs", type=int, default=3, help="cold processes per figure (median)")
    parser.add_argument("--threads", type=int, default=0, help="--cold: torch threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.cold:
        cold(args)
        return
    if args.imports:
        import_cost(args)
        return
    if args.subs:
        substitution(args)
        return

    print(versions())
    import torch
    import torchvision

    torch.manual_seed(0)
    from_torch, why = load_from_torch()
    if from_torch is None:
        print(f"\n{UNAVAILABLE} ({why}): printing torch's figures only")
    else:
        # one-time costs (torch.fx, symcnn's printers) are paid here, on another model, not by the first measured one
        start = time.perf_counter()
        try:
            small = torchvision.models.resnet18(weights=None).eval()
            for shape in ((3, "H", "W"), (3, args.size, args.size)):
                from_torch(small, shape).derive().totals  # noqa: B018
            print(f"\nsymcnn warm-up on resnet18 (not counted): {fmt_s(time.perf_counter() - start)}")
        except Exception as error:
            print(f"\nsymcnn warm-up on resnet18 failed: {short_error(error)}")

    symbolic_rows: list[list[object]] = []
    numeric_rows: list[list[object]] = []
    notes: list[str] = []
    for name in [item.strip() for item in args.models.split(",") if item.strip()]:
        start = time.perf_counter()
        model = getattr(torchvision.models, name)(weights=None).eval()
        built = time.perf_counter() - start
        parameters = sum(p.numel() for p in model.parameters())
        print(f"\n== {name}: {parameters:,} parameters (torchvision build {fmt_s(built)}, not counted) ==", flush=True)

        # -- symbolic --------------------------------------------------------------------
        sym: dict[str, Any] | None = None
        sym_error = UNAVAILABLE if from_torch is None else ""
        if from_torch is not None:
            try:
                sym = symcnn_symbolic(from_torch, model, args.repeat, args.budget)
                print(
                    f"symcnn symbolic: import {sym['phases']['import']}; derive {sym['phases']['derive']}; "
                    f"totals {sym['phases']['totals']}"
                )
                print(f"  {sym['rows']} rows, {sym['conditions']} conditions, output {sym['output']}")
                print(f"  params = {sym['params']}")
                print(f"  MACs   = {str(sym['macs'])[:300]}")
            except Exception as error:
                sym_error = f"symcnn failed: {short_error(error)}"
                print(sym_error)
                traceback.print_exc(limit=3)
        export_timing: Timing | None = None
        export_error = "skipped" if args.skip_export else ""
        if not args.skip_export:
            try:
                export_timing, about = torch_export(model, args.size, args.low, args.high, args.repeat, args.budget)
                print(f"torch.export (dynamic H, W in [{args.low}, {args.high}]): {export_timing}")
                print(f"  {about}")
            except Exception as error:
                export_error = f"failed: {short_error(error)}"
                print(f"torch.export {export_error}")
        sym_total = total_of(sym) if sym is not None else None
        ratio = (
            f"{export_timing.best / sym_total.best:,.1f}x"
            if sym_total is not None and export_timing is not None
            else "-"
        )
        symbolic_rows.append(
            [
                name,
                fmt_s(sym["phases"]["import"].best) if sym else sym_error,
                fmt_s(sym["phases"]["derive"].best) if sym else "-",
                fmt_s(sym["phases"]["totals"].best) if sym else "-",
                fmt_s(sym_total.best) if sym_total else "-",
                fmt_s(export_timing.best) if export_timing else export_error,
                ratio,
            ]
        )

        # -- numeric -----------------------------------------------------------------------
        num: dict[str, Any] | None = None
        num_error = UNAVAILABLE if from_torch is None else ""
        if from_torch is not None:
            try:
                keep = ("traced",) if args.keep_traces else ()
                num = symcnn_numeric(from_torch, model, args.size, args.repeat, args.budget, keep)
                print(
                    f"symcnn numeric {args.size}x{args.size}: import {num['phases']['import']}; "
                    f"derive {num['phases']['derive']}; totals {num['phases']['totals']}"
                )
                print(f"  params {num['params']}, MACs {num['macs']}, output {num['output']}")
            except Exception as error:
                num_error = f"symcnn failed: {short_error(error)}"
                print(num_error)
                traceback.print_exc(limit=3)
        info_timing: Timing | None = None
        info_error = "skipped" if args.skip_torchinfo else ""
        if not args.skip_torchinfo:
            try:
                info_timing, stats = torchinfo_summary(model, args.size, args.repeat, args.budget)
                print(f"torchinfo.summary {args.size}x{args.size}: {info_timing}")
                print(f"  params {stats.total_params:,}, mult-adds {stats.total_mult_adds:,}")
                if num is not None:
                    same = int(num["params"]) == stats.total_params
                    notes.append(
                        f"{name}: symcnn params {num['params']} vs torchinfo {stats.total_params:,} "
                        f"({'agree' if same else 'DIFFER'}); symcnn MACs {num['macs']} vs torchinfo mult-adds "
                        f"{stats.total_mult_adds:,}"
                    )
            except Exception as error:
                info_error = f"failed: {short_error(error)}"
                print(f"torchinfo {info_error}")
        num_total = total_of(num) if num is not None else None
        numeric_rows.append(
            [
                name,
                fmt_s(num["phases"]["import"].best) if num else num_error,
                fmt_s(num["phases"]["derive"].best + num["phases"]["totals"].best) if num else "-",
                fmt_s(num_total.best) if num_total else "-",
                fmt_s(info_timing.best) if info_timing else info_error,
                f"{info_timing.best / num_total.best:,.1f}x" if num_total and info_timing else "-",
            ]
        )

    print("\n== symbolic: symcnn (symbolic H, W) vs torch.export (dynamic H, W); best of runs ==")
    print(
        table(
            ["model", "from_torch", "derive", "totals", "symcnn total", "torch.export", "export/symcnn"], symbolic_rows
        )
    )
    print("target: export/symcnn >= 10x  (symcnn total = fastest run of from_torch + derive + totals together)")
    print(f"\n== numeric {args.size}x{args.size}: symcnn vs torchinfo.summary; best of runs ==")
    print(
        table(["model", "from_torch", "derive+totals", "symcnn total", "torchinfo", "torchinfo/symcnn"], numeric_rows)
    )
    print("target: torchinfo/symcnn >= 3x  (symcnn total = fastest run of from_torch + derive + totals together)")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
