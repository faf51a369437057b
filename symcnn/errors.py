"""Errors raised by symcnn.

Every error is a ``SymcnnError`` and also the built-in exception a Python user
would expect, so ``except ValueError`` keeps working.  Messages state the rule
and the offending value; the place (layer index and name) is added once, at the
public boundary, by :func:`with_context`.
"""

from __future__ import annotations


class SymcnnError(Exception):
    """Base class of every error symcnn raises on purpose."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(self._full())

    def _full(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def __str__(self) -> str:
        return self._full()

    def located(self, where: str) -> SymcnnError:
        """Return a copy of this error placed at ``where``.

        An error already placed keeps its place, unless the new place is a more
        precise version of it (``conv2d`` -> ``layer 3 (conv2d 'c1')``).
        """
        if self.where and f"({self.where}" not in where:
            return self
        return type(self)(self.message, where=where)


class SpecError(SymcnnError, ValueError):
    """A layer argument, spec file or formula is malformed."""


class ShapeError(SymcnnError, ValueError):
    """A shape rule is violated (output size < 1, groups do not divide, ...)."""


class UnknownLayerError(SymcnnError, LookupError):
    """A layer type or argument name is not known."""


class UnsupportedError(SymcnnError, NotImplementedError):
    """A valid request that symcnn does not handle (yet)."""
