"""Exact arithmetic: the floor of the engine.

Symbols and their domains (:mod:`.symbols`), user values and formulas
(:mod:`.values`, :mod:`.formula` — the whitelisting parser every user string
goes through), floor algebra (:mod:`.simplify`), the rules written once as
Python functions (:mod:`.rules`, shown through :mod:`.display`), printing of
expressions (:mod:`.printing`), the data a layer derives (:mod:`.steps`) and the
counting conventions (:mod:`.conventions`).

May import: :mod:`symcnn.errors` only.  Everything else in symcnn builds on this.
"""
