"""Exam generator: 1,000 questions with worked solutions and distractors, exported to Moodle XML.

Prints the time to generate the set (every question derived by the engine, its
worked solution and its misconception distractors each from a derivation), the
time of every export, and -- for scale -- what merely *checking* the answers
costs in PyTorch: building each question's network as ``torch.nn`` modules,
running a forward pass and counting parameters (no solution, no distractors).

    python bench/bench_exam.py                 # 1,000 questions, all kinds, mixed difficulty
    python bench/bench_exam.py --count 200 --repeat 3 --rounds 5

The comparison is in CPU time (``time.process_time``), best of ``--repeat`` runs,
so other processes on a shared machine inflate neither side; PyTorch runs on one thread.
``--rounds`` then pairs a cold generation with a PyTorch check right after it, each
round's ratio taken under the same load, and prints their median.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import clear_sympy_cache, fmt_s, table, versions

from symcnn import exam


def torch_check(questions: list[exam.Question]) -> int:
    """Build every numeric network in PyTorch, run it once and count its parameters."""
    import torch
    from torch import nn

    checked = 0
    for question in questions:
        spec = question.network
        if not all(isinstance(size, int) for size in spec["input"]) or question.kind == "invalid_layer":
            continue  # a symbolic question, or a network PyTorch refuses by design
        x = torch.zeros(1, *spec["input"])
        outputs: dict[str, Any] = {"input": x}
        count = 0
        for index, item in enumerate(spec["layers"]):
            a = {k: v for k, v in item.items() if k not in ("type", "name", "inputs")}
            if "inputs" in item and item["type"] not in ("add", "concat"):
                x = outputs[item["inputs"][0]]
            kind, channels = item["type"], x.shape[1]
            if kind == "add":
                y = outputs[item["inputs"][0]] + outputs[item["inputs"][1]]
            elif kind == "concat":
                y = torch.cat([outputs[name] for name in item["inputs"]], dim=1)
            else:
                module = _module(nn, kind, channels, a)
                with torch.no_grad():
                    y = module(x)
                count += sum(p.numel() for p in module.parameters())
            outputs[item.get("name", f"#{index}")] = y
            x = y
        checked += count >= 0
    return checked


def _module(nn: Any, kind: str, channels: int, a: dict[str, Any]) -> Any:
    if kind == "conv2d":
        return nn.Conv2d(channels, a.pop("out_channels"), a.pop("kernel_size"), **a)
    if kind == "convtranspose2d":
        return nn.ConvTranspose2d(channels, a.pop("out_channels"), a.pop("kernel_size"), **a)
    if kind == "linear":
        return nn.Linear(channels, a.pop("out_features"), **a)
    if kind == "batchnorm2d":
        return nn.BatchNorm2d(channels)
    if kind == "zeropad2d":
        return nn.ZeroPad2d(tuple(a["padding"]))
    classes = {"maxpool2d": nn.MaxPool2d, "avgpool2d": nn.AvgPool2d, "relu": nn.ReLU, "flatten": nn.Flatten}
    return classes[kind](**a).eval()


def cpu_timed(run: Any, *, times: int, setup: Any = None) -> tuple[list[float], list[float], Any]:
    """Wall and CPU (``time.process_time``) seconds of each of ``times`` runs, and the last result.

    CPU time is what the comparison uses: on a shared machine the wall clock also
    counts the time other processes held the CPUs.
    """
    walls, cpus, result = [], [], None
    for _ in range(max(1, times)):
        if setup is not None:
            setup()
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return walls, cpus, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--difficulty", default="mixed")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="side-by-side rounds: cold generation, then PyTorch")
    args = parser.parse_args()
    print(versions())
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.1f}")
    print()

    exam.export(exam.generate(9, seed=99, difficulty="mixed"), "moodle")  # one-time costs: imports, printers

    def generate() -> exam.Exam:
        return exam.generate(args.count, seed=args.seed, difficulty=args.difficulty)

    cold_wall, cold_cpu, quiz = cpu_timed(generate, times=args.repeat, setup=clear_sympy_cache)
    warm_wall, warm_cpu, _ = cpu_timed(generate, times=args.repeat)

    def row(label: str, walls: list[float], cpus: list[float]) -> list[str]:
        return [label, fmt_s(min(walls)), fmt_s(min(cpus)), fmt_s(statistics.median(cpus))]

    rows = [row("generate (cold caches)", cold_wall, cold_cpu), row("generate (warm caches)", warm_wall, warm_cpu)]
    exports = {}
    for fmt in exam.FORMATS:
        walls, cpus, result = cpu_timed(lambda fmt=fmt: exam.export(quiz, fmt), times=3)
        exports[fmt] = min(cpus)
        rows.append(row(f"export {fmt} ({len(result):,} bytes)", walls, cpus))
    moodle = min(cold_cpu) + exports["moodle"]
    rows.append([f"{args.count:,} questions -> Moodle XML", "", fmt_s(moodle), ""])
    print(f"{args.count:,} questions, seed {args.seed}, difficulty {args.difficulty}, kinds: all")
    print(table(["step", "best wall", "best CPU", "median CPU"], rows))
    per_question = moodle / args.count
    print(f"\nper question (derivation, solution, distractors, Moodle XML), CPU: {fmt_s(per_question)}")

    try:
        import torch
    except ImportError:
        print("torch is not installed: no PyTorch reference")
        return
    # One thread: the networks are tiny, and a second thread's pool spins (CPU time that checks nothing)
    # whenever the machine is shared; one thread is also the faster wall clock here.
    torch.set_num_threads(1)
    torch_check(list(quiz.questions)[:20])  # one-time costs: the first modules and kernels
    walls, cpus, checked = cpu_timed(lambda: torch_check(list(quiz.questions)), times=args.repeat)
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"PyTorch, answers only (build, forward, count) for the {checked:,} numeric networks: "
        f"{fmt_s(min(cpus))} CPU (wall {fmt_s(min(walls))}, {torch.get_num_threads()} threads)"
    )
    print(
        f"generation / PyTorch checking, CPU: {min(cold_cpu) / min(cpus):.2f}x (cold caches), "
        f"{min(warm_cpu) / min(cpus):.2f}x (warm); with the Moodle export: {moodle / min(cpus):.2f}x"
    )

    # The load of a shared machine changes within a minute: a ratio of figures taken minutes apart
    # moves with it.  Each round times a cold generation and the PyTorch check back to back.
    ratios = []
    for _ in range(max(1, args.rounds)):
        _, generated, _ = cpu_timed(generate, times=1, setup=clear_sympy_cache)
        _, checking, _ = cpu_timed(lambda: torch_check(list(quiz.questions)), times=1)
        ratios.append(generated[0] / checking[0])
    print(
        f"side by side, {len(ratios)} rounds of a cold generation then the PyTorch check: "
        f"{' '.join(f'{ratio:.2f}x' for ratio in ratios)}; median {statistics.median(ratios):.2f}x"
    )


if __name__ == "__main__":
    main()
