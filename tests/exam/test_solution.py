"""Solution lines: each distinct display is rendered once, and reads as rendering each step would."""

from __future__ import annotations

import random

from symcnn.exam import solution
from symcnn.exam.networks import draw_network


def test_remembered_displays_equal_each_steps_own_rendering():
    solution.Rendered.cache_clear()
    rng = random.Random(3)
    steps = []
    for difficulty in ("easy", "medium", "hard") * 12:
        _, derivation = draw_network(rng, difficulty)
        for row in derivation.layers:
            steps += [*row.sizes, row.params, row.macs, row.buffers]
    lines = [solution.step_line("x", step) for step in steps]  # later steps find earlier renderings
    shared = 0
    for step, line in zip(steps, lines, strict=True):
        general = step.general.latex() if step.general is not None else ""
        substituted = step.substituted.latex() if step.substituted is not None else ""
        assert line.general == general, step
        assert line.substituted == ("" if substituted == line.value else substituted), step
        shared += step.general is not None
    assert shared > 100
