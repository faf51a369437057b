"""First-use imports for packages (PEP 562): a name's module is imported when the name is first read.

``symcnn``, ``symcnn.layers`` and ``symcnn.render`` export more than an ordinary
run needs; each gives :func:`first_use` its table of names and takes back the
module-level ``__getattr__`` and ``__dir__``.  On the bottom tier: it imports no
other part of symcnn.

>>> import types
>>> package = types.ModuleType("symcnn")
>>> package.__getattr__, package.__dir__ = first_use("symcnn", {"SpecError": "errors"}, vars(package))
>>> package.SpecError.__module__, "SpecError" in vars(package)
('symcnn.errors', True)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, MutableMapping
from types import ModuleType
from typing import Any

__all__ = ["first_use", "submodule"]


def submodule(package: str, name: str) -> ModuleType:
    """``package.name``, imported if it is not yet."""
    # The import statement's own path (not importlib's), so ``python -X importtime`` lists the module.
    __import__(f"{package}.{name}")
    return sys.modules[f"{package}.{name}"]


def first_use(
    package: str, table: Mapping[str, str | None], namespace: MutableMapping[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose globals are ``namespace``.

    ``table``: each name read on first use -> the submodule defining it (relative to
    the package), or None for a name that is itself a submodule.  A name found is
    stored in ``namespace``, so later reads do not reach ``__getattr__`` again.
    ``__dir__`` lists the namespace and the package's ``__all__``.
    """

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = table[name]
        value = submodule(package, name) if module is None else getattr(submodule(package, module), name)
        namespace[name] = value  # found once: later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    return __getattr__, __dir__
