"""The zoo's registry: every builder by torchvision's name, with its hyperparameters and defaults.

``@builder("resnet")`` enters a function under its own name; its keyword
arguments (read with :mod:`inspect`) are the hyperparameters, and their
defaults are torchvision's.  ``symcnn zoo`` prints this table.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SpecError
from ..model.network import Network

__all__ = ["BUILDERS", "Builder", "builder", "get"]


@dataclass(frozen=True)
class Builder:
    """One zoo entry: the function, its family and its hyperparameters with their defaults."""

    name: str
    family: str
    function: Callable[..., Network]

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.function) or "").split("\n", 1)[0]

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """Keyword arguments and their defaults, in the order of the signature."""
        return {
            name: parameter.default
            for name, parameter in inspect.signature(self.function).parameters.items()
            if parameter.default is not inspect.Parameter.empty
        }

    def from_text(self, settings: Mapping[str, str]) -> Network:
        """Build from text values (``--set layers=3,4,N,3 aux_logits=false``), read by each default's type.

        Lists and tuples are split at commas, flags read ``true``/``false``;
        everything else stays text for the builder to parse exactly
        (``"0.35"`` is 7/20, ``"w"`` a symbol).
        """
        values: dict[str, Any] = {}
        defaults = self.hyperparameters
        for name, text in settings.items():
            default = defaults.get(name)
            if isinstance(default, bool):
                if text.lower() not in ("true", "false"):
                    raise SpecError(f"zoo {self.name}: {name} must be true or false, got {text!r}")
                values[name] = text.lower() == "true"
            elif isinstance(default, list | tuple):
                parts = [part.strip() for part in text.split(",")]
                values[name] = tuple(int(part) if part.isdigit() else part for part in parts)
            else:
                values[name] = text
        return self(**values)

    def __call__(self, **hyperparameters: Any) -> Network:
        unknown = sorted(set(hyperparameters) - set(self.hyperparameters))
        if unknown:
            known = ", ".join(self.hyperparameters)
            raise SpecError(f"zoo {self.name}: unknown hyperparameter {unknown[0]!r} (known: {known})")
        return self.function(**hyperparameters)


BUILDERS: dict[str, Builder] = {}


def builder(family: str) -> Callable[[Callable[..., Network]], Callable[..., Network]]:
    """Register a builder function under its own name (torchvision's)."""

    def enter(function: Callable[..., Network]) -> Callable[..., Network]:
        name = function.__name__
        if name in BUILDERS:
            raise ValueError(f"zoo builder {name!r} is defined twice")
        BUILDERS[name] = Builder(name, family, function)
        return function

    return enter


def get(name: str) -> Builder:
    """The builder called ``name``, or a ``SpecError`` that names the close ones."""
    try:
        return BUILDERS[name]
    except KeyError:
        close = sorted(known for known in BUILDERS if known.startswith(name[:4]))
        hint = f" (did you mean {', '.join(close)}?)" if close else " (symcnn zoo lists them)"
        raise SpecError(f"unknown zoo model {name!r}{hint}") from None
