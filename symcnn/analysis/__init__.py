"""Questions asked of a derivation's rows: receptive fields and training memory.

Each analysis reads the rows (and the layer each row was derived from) and asks
the layer for what it declares — its receptive-field behaviour, its buffers —
never a table of kind names.

May import: :mod:`symcnn.exact`, :mod:`symcnn.layers`, :mod:`symcnn.errors`.
A :class:`~symcnn.derivation.Derivation` is what it reads, but only by its
attributes (the import is for type checking), so the derivation can offer
``d.receptive_fields`` and ``d.memory()`` by importing this package.
"""
