"""Spec loading (stub until written)."""
def load_spec(source):  # pragma: no cover
    raise NotImplementedError
