"""How symcnn's cost grows with depth, and a sweep against "what users would otherwise do".

Part 1 (depth): chains of conv/pool layers with symbolic H, W and symbolic widths::

    Input(3, H, W) -> Conv2d(k_1, 3, padding=1) -> ... -> MaxPool2d(2) every --pool-every layers -> ...

For each depth it times, from a cold SymPy cache:

* build   : constructing the layers and the Sequential,
* derive  : ``net.derive()``,
* totals  : first access of ``d.totals`` (the expanded, simplified sums),
* latex   : ``d.to_latex()``,
* text    : ``d.to_text()``,

and prints µs per layer, so linearity is visible, the ratio of the per-layer
cost at the deepest chain against 100 layers (1.0 = perfectly linear), and the
peak memory each run adds (build + derive, and up to the text).

Part 2 (sweep): output shape + parameter count (+ MACs) of one small CNN for
--configs numeric configurations (H, W and three widths), computed

* with torch: build ``nn.Sequential`` on the meta device and run a forward pass
  (and, on a subset, on CPU with real weights, and with ``torchinfo.summary``);
* with symcnn: derive once symbolically, then evaluate with ``sympy.lambdify``
  (and, on a subset, with ``Derivation.subs`` and by re-deriving with numbers).

Usage::

    python bench/bench_depth.py                 # depths 10, 100, 1000 + sweep
    python bench/bench_depth.py --with-10k      # also 10,000 layers (minutes; see README)
    python bench/bench_depth.py --with-10k --cpu-time --no-sweep  # CPU time per phase (shared machines)
    python bench/bench_depth.py --widths shared --no-sweep
    python -m cProfile -s cumtime bench/bench_depth.py --depths 1000 --repeat 1 --no-sweep

Only prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the symcnn of this checkout (a worktree's bench measures its own code, not the installed one)
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import sympy
from _common import clear_sympy_cache, fmt_s, repeat, table, versions

import symcnn

# --------------------------------------------------------------------------------------------
# Part 1: depth
# --------------------------------------------------------------------------------------------


def width_symbol(index: int, widths: str) -> sympy.Symbol:
    if widths == "shared":
        return symcnn.symbols("k")
    if widths == "cycle":
        return symcnn.symbols(f"k{index % 8}")
    return symcnn.symbols(f"k{index}")


def chain_layers(depth: int, *, widths: str, pool_every: int, max_pools: int | None) -> list[symcnn.Layer]:
    """``depth`` layers: a MaxPool2d(2) at every ``pool_every``-th position, Conv2d(k_i, 3, padding=1) elsewhere."""
    layers: list[symcnn.Layer] = []
    pools = 0
    for index in range(1, depth + 1):
        is_pool = pool_every > 0 and index % pool_every == 0 and (max_pools is None or pools < max_pools)
        if is_pool:
            pools += 1
            layers.append(symcnn.MaxPool2d(2))
        else:
            layers.append(symcnn.Conv2d(out_channels=width_symbol(index, widths), kernel_size=3, padding=1))
    return layers


def build_chain(depth: int, **options: object) -> symcnn.Sequential:
    H, W = symcnn.symbols("H W")
    return symcnn.Sequential(symcnn.Input(3, H, W), *chain_layers(depth, **options))  # type: ignore[arg-type]


PHASES = ("build", "derive", "totals", "latex", "text")


def warm_up() -> float:
    """Pay one-time costs (imports, printers, latexify's rule definitions) on a small other network."""
    started = time.perf_counter()
    for shape in ((3, 32, 32), (3, "A", "B")):
        d = symcnn.Sequential(
            symcnn.Input(*shape), symcnn.Conv2d(out_channels=8, kernel_size=3, padding=1), symcnn.MaxPool2d(2)
        ).derive()
        d.totals  # noqa: B018
        d.to_latex()
        d.to_text()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(depth: int, args: argparse.Namespace) -> dict[str, object]:
    """One timed pipeline in this process: build, derive, totals, latex, text."""
    options = {"widths": args.widths, "pool_every": args.pool_every, "max_pools": args.max_pools}
    if not args.warm:
        clear_sympy_cache()
    gc.collect()
    rss_before = peak_rss_mb()
    clock = time.process_time if args.cpu_time else time.perf_counter  # CPU time: steadier under load
    if args.gc_off:
        gc.disable()
    try:
        t0 = clock()
        net = build_chain(depth, **options)
        t1 = clock()
        d = net.derive()
        t2 = clock()
        rss_derived = peak_rss_mb()
        totals = d.totals
        t3 = clock()
        latex = d.to_latex() if not args.no_render else ""
        t4 = clock()
        text = d.to_text() if not args.no_render else ""
        t5 = clock()
    finally:
        gc.enable()
    return {
        "times": [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4],
        "conditions": len(d.conditions),
        "latex_chars": len(latex),
        "text_chars": len(text),
        "output": str(d.output_shape)[:200],
        "params_terms": len(sympy.Add.make_args(totals.params)),
        # peak memory added by build + derive, and by everything up to the text (fresh process only)
        "rss_derive": rss_derived - rss_before,
        "rss_all": peak_rss_mb() - rss_before,
    }


def worker(depth: int, args: argparse.Namespace) -> None:
    """Subprocess entry: warm up, run once, print one JSON line."""
    warm = warm_up()
    result = run_once(depth, args)
    result["warm_up"] = warm
    print("RESULT " + json.dumps(result))


def measure_depth(depth: int, args: argparse.Namespace) -> dict[str, object]:
    """Each phase's times over the repetitions; each repetition in a fresh process unless --in-process."""
    phases: dict[str, list[float]] = {name: [] for name in PHASES}
    facts: dict[str, object] = {}
    warm_ups: list[float] = []
    times = args.repeat if depth < 1000 else min(args.repeat, args.repeat_large)
    started = time.perf_counter()
    if args.in_process:
        warm_ups.append(warm_up())
    for _ in range(max(1, times)):
        if args.in_process:
            result = run_once(depth, args)
        else:
            command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(depth), *forwarded(args)]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
            if done.returncode != 0 or not lines:
                print(f"  worker for {depth} layers failed:\n{done.stderr[-2000:]}")
                break
            result = json.loads(lines[-1][len("RESULT ") :])
            warm_ups.append(float(result["warm_up"]))
        for name, value in zip(PHASES, result["times"], strict=True):  # type: ignore[arg-type]
            phases[name].append(value)
        facts = {key: value for key, value in result.items() if key not in ("times", "warm_up")}
        if time.perf_counter() - started > args.budget:
            break
    return {"depth": depth, "phases": phases, "warm_up": min(warm_ups) if warm_ups else 0.0, **facts}


def forwarded(args: argparse.Namespace) -> list[str]:
    """The options a worker needs to build and time the same chain."""
    out = ["--widths", args.widths, "--pool-every", str(args.pool_every)]
    if args.max_pools is not None:
        out += ["--max-pools", str(args.max_pools)]
    for flag in ("warm", "no_render", "gc_off", "cpu_time"):
        if getattr(args, flag):
            out.append("--" + flag.replace("_", "-"))
    return out


def summarise_depth(results: list[dict[str, object]]) -> None:
    def best(result: dict[str, object], *names: str) -> float:
        phases = result["phases"]
        assert isinstance(phases, dict)
        # best per phase, summed: each phase's least-disturbed run
        return sum(min(phases[name]) for name in names)

    def median(result: dict[str, object], *names: str) -> float:
        phases = result["phases"]
        assert isinstance(phases, dict)
        runs = len(phases["build"])
        sums = sorted(sum(phases[name][i] for name in names) for i in range(runs))
        return sums[len(sums) // 2] if runs % 2 else (sums[runs // 2 - 1] + sums[runs // 2]) / 2

    core = ("build", "derive", "totals")
    rows = []
    for result in results:
        depth = int(result["depth"])  # type: ignore[call-overload]

        def per(seconds: float, depth: int = depth) -> str:
            return f"{seconds / depth * 1e6:,.0f}"

        rows.append(
            [
                f"{depth:,}",
                len(result["phases"]["build"]),  # type: ignore[index]
                fmt_s(best(result, "build")),
                fmt_s(best(result, "derive")),
                fmt_s(best(result, "totals")),
                fmt_s(best(result, *core)),
                fmt_s(median(result, *core)),
                per(best(result, *core)),
                *(
                    [
                        fmt_s(best(result, "latex")),
                        per(best(result, "latex")),
                        fmt_s(best(result, "text")),
                        per(best(result, "text")),
                    ]
                    if result.get("latex_chars")
                    else ["-", "-", "-", "-"]
                ),
                result["conditions"],
            ]
        )
    print(
        table(
            [
                "layers",
                "runs",
                "build",
                "derive",
                "totals",
                "b+d+t best",
                "b+d+t median",
                "µs/layer",
                "latex",
                "µs/layer",
                "text",
                "µs/layer",
                "conds",
            ],
            rows,
        )
    )
    print("(best = fastest run of each phase; b+d+t = build + derive + first .totals access; conds = conditions kept)")
    warm = [float(result["warm_up"]) for result in results if result.get("warm_up")]  # type: ignore[arg-type]
    if warm:
        print(
            f"one-time cost per process, paid by a warm-up before timing (imports, printers, rule definitions): "
            f"{fmt_s(min(warm))}"
        )
    by_depth = {int(result["depth"]): result for result in results}  # type: ignore[call-overload]
    if 100 in by_depth:
        base = by_depth[100]
        for depth in sorted(by_depth):
            if depth <= 100:
                continue
            top = by_depth[depth]
            ratios = []
            for label, names in (("build+derive+totals", core), ("latex", ("latex",)), ("text", ("text",))):
                if best(base, *names) > 0 and (names == core or base.get("latex_chars")):
                    ratio = (best(top, *names) / depth) / (best(base, *names) / 100)
                    ratios.append(f"{label} {ratio:.2f}x")
            print(f"per-layer cost at {depth:,} layers vs 100 layers: " + ", ".join(ratios) + "  (1.00x = linear)")
    if 1000 in by_depth:
        total = best(by_depth[1000], *core)
        verdict = "meets" if total < 1.0 else "misses"
        print(f"1,000-layer symbolic derivation (build+derive+totals): {fmt_s(total)} -> {verdict} the < 1 s target")
    if 10_000 not in by_depth:
        print("10,000 layers not run (pass --with-10k; it takes minutes at the current per-layer cost)")
    for result in results:
        print(
            f"  {int(result['depth']):>6,} layers: output {result['output']}, "  # type: ignore[call-overload]
            f"{result['params_terms']} terms in totals.params, "
            f"LaTeX {result['latex_chars']:,} chars, text {result['text_chars']:,} chars; "
            f"peak memory added: build+derive {float(result['rss_derive']):.0f} MB, "  # type: ignore[arg-type]
            f"up to the text {float(result['rss_all']):.0f} MB"  # type: ignore[arg-type]
        )


# --------------------------------------------------------------------------------------------
# Part 2: sweep of numeric configurations
# --------------------------------------------------------------------------------------------

SWEEP_BLOCKS = 3  # three (conv, conv, pool) blocks, then Flatten -> Linear(10)


def symbolic_sweep_net() -> tuple[symcnn.Sequential, tuple[sympy.Symbol, ...]]:
    H, W, k1, k2, k3 = symcnn.symbols("H W k1 k2 k3")
    layers: list[symcnn.Layer] = []
    for width in (k1, k2, k3):
        layers += [
            symcnn.Conv2d(out_channels=width, kernel_size=3, padding=1),
            symcnn.ReLU(),
            symcnn.Conv2d(out_channels=width, kernel_size=3, padding=1),
            symcnn.ReLU(),
            symcnn.MaxPool2d(2),
        ]
    layers += [symcnn.Flatten(), symcnn.Linear(out_features=10)]
    return symcnn.Sequential(symcnn.Input(3, H, W), *layers), (H, W, k1, k2, k3)


def numeric_sweep_net(config: tuple[int, ...]) -> symcnn.Sequential:
    h, w, *widths = config
    layers: list[symcnn.Layer] = []
    for width in widths:
        layers += [
            symcnn.Conv2d(out_channels=width, kernel_size=3, padding=1),
            symcnn.ReLU(),
            symcnn.Conv2d(out_channels=width, kernel_size=3, padding=1),
            symcnn.ReLU(),
            symcnn.MaxPool2d(2),
        ]
    layers += [symcnn.Flatten(), symcnn.Linear(out_features=10)]
    return symcnn.Sequential(symcnn.Input(3, h, w), *layers)


def torch_sweep_net(config: tuple[int, ...]):  # type: ignore[no-untyped-def]
    import torch.nn as nn

    _, _, *widths = config
    layers: list[nn.Module] = []
    channels = 3
    for width in widths:
        layers += [
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        ]
        channels = width
    # what a user writes without symcnn: let torch infer in_features
    layers += [nn.Flatten(), nn.LazyLinear(10)]
    return nn.Sequential(*layers)


def sweep_configs(count: int, seed: int) -> list[tuple[int, ...]]:
    rng = random.Random(seed)
    sizes = list(range(32, 257, 8))
    widths = [8, 16, 24, 32, 48, 64]
    return [
        (rng.choice(sizes), rng.choice(sizes), rng.choice(widths), rng.choice(widths), rng.choice(widths))
        for _ in range(count)
    ]


Result = tuple[tuple[int, ...], int]  # output shape (without batch), parameter count


def torch_meta(configs: list[tuple[int, ...]]) -> list[Result]:
    import torch

    out = []
    with torch.device("meta"):
        for config in configs:
            model = torch_sweep_net(config)
            y = model(torch.empty(1, 3, config[0], config[1]))
            out.append((tuple(y.shape[1:]), sum(p.numel() for p in model.parameters())))
    return out


def torch_cpu(configs: list[tuple[int, ...]]) -> list[Result]:
    import torch

    out = []
    with torch.no_grad():
        for config in configs:
            model = torch_sweep_net(config)
            y = model(torch.zeros(1, 3, config[0], config[1]))
            out.append((tuple(y.shape[1:]), sum(p.numel() for p in model.parameters())))
    return out


def torch_torchinfo(configs: list[tuple[int, ...]]) -> list[Result]:
    import torch
    import torchinfo

    out = []
    for config in configs:
        model = torch_sweep_net(config)
        with torch.no_grad():
            model(torch.zeros(1, 3, config[0], config[1]))  # materialise LazyLinear first
        stats = torchinfo.summary(model, input_size=(1, 3, config[0], config[1]), verbose=0)
        out.append((tuple(stats.summary_list[-1].output_size[1:]), stats.total_params))
    return out


def _compile_sweep() -> Callable[..., list[object]]:
    net, names = symbolic_sweep_net()
    d = net.derive()
    return sympy.lambdify(names, [*d.output_shape, d.totals.params, d.totals.macs], modules="math")


def symcnn_lambdify(configs: list[tuple[int, ...]]) -> list[Result]:
    """Derive once, compile output shape + params + MACs with lambdify, evaluate per configuration."""
    net, names = symbolic_sweep_net()
    d = net.derive()
    exprs = [*d.output_shape, d.totals.params, d.totals.macs]
    evaluate = sympy.lambdify(names, exprs, modules="math")
    out = []
    for config in configs:
        *shape, params, _macs = evaluate(*config)
        out.append((tuple(int(size) for size in shape), int(params)))
    return out


def symcnn_subs(configs: list[tuple[int, ...]]) -> list[Result]:
    """Derive once, then ``Derivation.subs`` per configuration (substitutes into every row and step)."""
    net, names = symbolic_sweep_net()
    d = net.derive()
    out = []
    for config in configs:
        e = d.subs(dict(zip((str(name) for name in names), config, strict=True)))
        out.append((tuple(int(size) for size in e.output_shape), int(e.totals.params)))
    return out


def symcnn_rederive(configs: list[tuple[int, ...]]) -> list[Result]:
    """No symbols at all: build and derive the numeric network per configuration."""
    out = []
    for config in configs:
        d = numeric_sweep_net(config).derive()
        out.append((tuple(int(size) for size in d.output_shape), int(d.totals.params)))
    return out


def run_sweep(args: argparse.Namespace) -> list[list[object]]:
    configs = sweep_configs(args.configs, args.seed)
    subset = configs[: max(1, min(args.subset, len(configs)))]
    print(
        f"\n== sweep: output shape + params of a 3x(conv,relu,conv,relu,pool) + flatten + linear CNN "
        f"for {len(configs):,} numeric configurations (H, W in 32..256, widths in 8..64) =="
    )
    try:
        import torch

        print(f"torch intra-op threads: {torch.get_num_threads()}")
        have_torch = True
    except ImportError:
        have_torch = False
        print("torch not available: only symcnn figures")

    reference = torch_meta(configs[:50]) if have_torch else None  # warm-up + reference answers

    methods: list[tuple[str, Callable[[list[tuple[int, ...]]], list[Result]], bool, bool]] = [
        # label, function, on the full set?, needs torch?
        ("torch: build on meta + forward (shape, params)", torch_meta, True, True),
        ("torch: build on CPU (init weights) + forward", torch_cpu, False, True),
        ("torchinfo.summary per config", torch_torchinfo, False, True),
        ("symcnn: derive once + lambdify, evaluate each", symcnn_lambdify, True, False),
        ("symcnn: derive once + Derivation.subs each", symcnn_subs, False, False),
        ("symcnn: numeric derive per config", symcnn_rederive, False, False),
    ]
    measured: dict[str, float] = {}
    rows: list[list[object]] = []
    for label, method, full, needs_torch in methods:
        if needs_torch and not have_torch:
            continue
        chosen = configs if full else subset
        timing, results = repeat(
            lambda method=method, chosen=chosen: method(chosen),
            times=args.sweep_repeat,
            budget=args.budget,
            setup=None if args.warm else clear_sympy_cache,
        )
        per_config = timing.best / len(chosen)
        measured[label] = per_config * len(configs)
        agree = "-"
        if reference is not None:
            wrong = sum(1 for got, want in zip(results[:50], reference, strict=False) if got != want)
            agree = "yes" if wrong == 0 else f"NO ({wrong} of {min(50, len(results))} differ)"
        rows.append(
            [
                label,
                f"{len(chosen):,}",
                fmt_s(timing.best),
                fmt_s(timing.median),
                f"{per_config * 1e6:,.0f}",
                fmt_s(per_config * len(configs)) + ("" if full else " (extrapolated)"),
                agree,
            ]
        )
    print(
        table(
            [
                "method",
                "configs run",
                "best",
                "median",
                "µs/config",
                f"for {len(configs):,} configs",
                "agrees w/ torch",
            ],
            rows,
        )
    )
    once, _ = repeat(lambda: _compile_sweep(), times=args.sweep_repeat, setup=None if args.warm else clear_sympy_cache)
    evaluate = _compile_sweep()
    each, _ = repeat(lambda: [evaluate(*config) for config in configs], times=args.sweep_repeat)
    print(
        f"symcnn lambdify sweep split: derive + totals + lambdify once {fmt_s(once.best)}, "
        f"then {each.best / len(configs) * 1e6:,.1f} µs per configuration ({fmt_s(each.best)} for {len(configs):,})"
    )
    fast = measured.get("symcnn: derive once + lambdify, evaluate each")
    if fast:
        for label, seconds in measured.items():
            if label.startswith("torch"):
                print(f"ratio  {label}  /  symcnn lambdify sweep: {seconds / fast:,.1f}x")
        subs = measured.get("symcnn: derive once + Derivation.subs each")
        meta = measured.get("torch: build on meta + forward (shape, params)")
        if subs and meta:
            print(f"ratio  torch meta  /  symcnn subs sweep: {meta / subs:,.2f}x")
    return rows


# --------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", default="10,100,1000", help="comma-separated depths (default 10,100,1000)")
    parser.add_argument("--with-10k", action="store_true", help="also run 10,000 layers (takes minutes)")
    parser.add_argument(
        "--widths",
        choices=("distinct", "cycle", "shared"),
        default="distinct",
        help="conv widths: a symbol k_i per layer (default), 8 symbols in turn, or one k",
    )
    parser.add_argument("--pool-every", type=int, default=10, help="a MaxPool2d(2) every N layers (0: none)")
    parser.add_argument("--max-pools", type=int, default=None, help="at most this many pools (default: no limit)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per depth below 1,000 layers (best/median)")
    parser.add_argument("--repeat-large", type=int, default=3, help="runs per depth from 1,000 layers on")
    parser.add_argument("--budget", type=float, default=60.0, help="stop repeating a measurement after this many s")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep SymPy's and symcnn's caches between runs (default: cleared before each run)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="time every run in this process (needed under cProfile); default: a fresh process per run",
    )
    parser.add_argument(
        "--gc-off", action="store_true", help="experiment: disable Python's cyclic GC during the timed phases"
    )
    parser.add_argument(
        "--cpu-time", action="store_true", help="time the phases in CPU time of the process (shared machines)"
    )
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--no-render", action="store_true", help="skip to_latex/to_text")
    parser.add_argument("--no-sweep", action="store_true", help="skip the numeric sweep comparison")
    parser.add_argument("--configs", type=int, default=1000, help="configurations in the sweep")
    parser.add_argument("--subset", type=int, default=100, help="configurations for the slow sweep methods")
    parser.add_argument("--sweep-repeat", type=int, default=3, help="runs per sweep method")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.worker is not None:
        worker(args.worker, args)
        return
    depths = [int(item.replace("_", "").replace(",", "")) for item in args.depths.split(",") if item]
    if args.with_10k and 10_000 not in depths:
        depths.append(10_000)
    print(versions())
    print(
        f"\n== depth: Input(3,H,W) -> chain of Conv2d(k, 3, padding=1) with a MaxPool2d(2) every "
        f"{args.pool_every or 'never'} layers{'' if args.max_pools is None else f' (at most {args.max_pools})'}; "
        f"widths: {args.widths}; caches {'warm' if args.warm else 'cleared before each run'}; "
        f"{'in this process' if args.in_process else 'a fresh process per run'}"
        f"{'; cyclic GC off while timing' if args.gc_off else ''} =="
    )
    results = []
    for depth in depths:
        start = time.perf_counter()
        results.append(measure_depth(depth, args))
        print(f"  measured {depth:,} layers in {fmt_s(time.perf_counter() - start)}", flush=True)
    summarise_depth(results)
    if not args.no_sweep:
        run_sweep(args)


if __name__ == "__main__":
    main()
