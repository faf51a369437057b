"""The embedded worked example: the classic MNIST network of the textbook answer.

input 1x28x28 -> conv 32 maps 5x5 -> max-pool 2x2 -> conv 32 maps 3x3 ->
max-pool 2x2 -> dense 256 -> output dense 10: 217,706 parameters.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MNIST"]

MNIST: dict[str, Any] = {
    "name": "MNIST classic",
    "input": [1, 28, 28],
    "layers": [
        {"type": "conv2d", "out_channels": 32, "kernel_size": 5},
        {"type": "maxpool2d", "kernel_size": 2},
        {"type": "conv2d", "out_channels": 32, "kernel_size": 3},
        {"type": "maxpool2d", "kernel_size": 2},
        {"type": "flatten"},
        {"type": "linear", "out_features": 256},
        {"type": "linear", "out_features": 10},
    ],
}
