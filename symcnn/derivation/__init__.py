"""Deriving a network and what comes out of it.

:mod:`.walker` walks the structures layer by layer and collects a
:class:`Derivation` (:mod:`.derivation`: rows, steps, totals, conditions,
substitution, and the conveniences ``to_text()``, ``receptive_fields``,
``memory()`` that call :mod:`symcnn.render` and :mod:`symcnn.analysis`);
:mod:`.naming` gives rows their default names; :mod:`.conditions` answers
questions about the validity conditions (the smallest valid input).

May import: :mod:`symcnn.render`, :mod:`symcnn.analysis`, :mod:`symcnn.layers`,
:mod:`symcnn.exact`.  The structures it walks (:mod:`symcnn.model`) sit above
it: each structure walks itself through the walker's methods.
"""

from .derivation import Condition, Derivation, Row, Totals

__all__ = ["Condition", "Derivation", "Row", "Totals"]
