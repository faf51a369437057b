"""Measurements taken in fresh processes: first summary, substitution, import cost (issue 21).

Each figure is the median of ``runs`` cold processes, both tools measured side by
side in the same process (alternating which goes first), so machine load affects
both alike.  Nothing is asserted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

FIRST_SUMMARY = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import torch, torchvision, torchinfo, symcnn
from symcnn.adapters.torch import from_torch
name, size, symcnn_first, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
if threads:
    torch.set_num_threads(threads)
warm = torchvision.models.resnet18(weights=None).eval()
torchinfo.summary(warm, input_size=(1, 3, size, size), verbose=0)
from_torch(warm, (3, size, size)).derive().totals
symcnn.clear_caches()
model = getattr(torchvision.models, name)(weights=None).eval()

def timed(job):
    wall, cpu = time.perf_counter(), time.process_time()
    job()
    return time.perf_counter() - wall, time.process_time() - cpu

def ours():
    d = from_torch(model, (3, size, size)).derive()
    d.totals, d.output_shape

def theirs():
    torchinfo.summary(model, input_size=(1, 3, size, size), verbose=0)

if symcnn_first:
    mine = timed(ours); other = timed(theirs)
else:
    other = timed(theirs); mine = timed(ours)
print(json.dumps({"symcnn": mine[0], "torchinfo": other[0], "symcnn_cpu": mine[1], "torchinfo_cpu": other[1]}))
"""

SUBS = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import torchvision, symcnn
from symcnn.adapters.torch import from_torch
name, size = sys.argv[1], int(sys.argv[2])
model = getattr(torchvision.models, name)(weights=None).eval()
from_torch(torchvision.models.resnet18(weights=None).eval(), (3, size, size)).derive().totals
symbolic = from_torch(model, (3, "H", "W")).derive()
symbolic.totals
t = time.perf_counter(); first = symbolic.subs(H=size, W=size).totals; subs_first = time.perf_counter() - t
t = time.perf_counter(); again = symbolic.subs(H=size + 2, W=size + 2).totals; subs_again = time.perf_counter() - t
symcnn.clear_caches()
t = time.perf_counter(); fresh = from_torch(model, (3, size, size)).derive().totals; derive = time.perf_counter() - t
assert first == fresh, (first, fresh)
print(json.dumps({"subs_first": subs_first, "subs_again": subs_again, "fresh_derive": derive}))
"""

# CPU seconds (machine load inflates wall-clock time) of one of IMPORTED, in a fresh process.
IMPORT = r"""
import json, sys, time
start = time.process_time()
if sys.argv[1] == "sympy":
    import sympy
else:
    import symcnn
    if sys.argv[1] == "first result":  # what `symcnn derive` prints without a file: the MNIST example as text
        from symcnn.model.examples import MNIST
        symcnn.load_spec(MNIST).derive().to_text()
print(json.dumps({"seconds": time.process_time() - start}))
"""
IMPORTED = ("sympy", "symcnn", "first result")


def _run(code: str, *args: object, env: dict[str, str] | None = None) -> dict[str, float]:
    command = [sys.executable, "-c", code, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def first_summary(name: str, size: int, runs: int, threads: int = 0) -> dict[str, float]:
    """Median seconds (wall and CPU) of each tool's first summary of ``name``, and the ratios of the medians.

    ``threads``: torch's thread count (0: its default).  One thread makes the CPU times
    comparable on a loaded machine: an idle second torch thread spins and is counted.
    """
    samples = [_run(FIRST_SUMMARY, name, size, run % 2, threads) for run in range(runs)]
    found = {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}
    found["ratio"] = found["torchinfo"] / found["symcnn"]
    found["ratio_cpu"] = found["torchinfo_cpu"] / found["symcnn_cpu"]
    return found


def substitution(name: str, size: int, runs: int) -> dict[str, float]:
    samples = [_run(SUBS, name, size) for _ in range(runs)]
    medians = {key: statistics.median(sample[key] for sample in samples) for key in samples[0]}
    medians["ratio_first"] = medians["fresh_derive"] / medians["subs_first"]
    medians["ratio_again"] = medians["fresh_derive"] / medians["subs_again"]
    return medians


def import_cost(runs: int, *, bytecode: bool) -> dict[str, float]:
    """``import sympy``, ``import symcnn`` and ``import symcnn`` + the MNIST example derived and printed as text.

    CPU seconds, the median of ``runs`` cold processes each, run in turn (alternating the order).
    ``bytecode``: the processes read compiled modules from a fresh cache filled first (as an
    installed package's are); otherwise they run as this environment does (with
    ``PYTHONDONTWRITEBYTECODE`` set and no ``__pycache__``, symcnn's sources are compiled in
    every process while SymPy's installed bytecode is read).
    """
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            for what in IMPORTED:
                _run(IMPORT, what, env=env)  # compiles into the cache
        samples: dict[str, list[float]] = {what: [] for what in IMPORTED}
        for run in range(runs):
            for what in IMPORTED if run % 2 == 0 else IMPORTED[::-1]:
                samples[what].append(_run(IMPORT, what, env=env)["seconds"])
    found = {what: statistics.median(times) for what, times in samples.items()}
    found["ratio"] = found["symcnn"] / found["sympy"]
    found["ratio_first"] = found["first result"] / found["sympy"]
    return found
