"""LaTeX for papers: fragments to ``\\input`` and macros to cite, regenerated with the model.

>>> import symcnn, symcnn.model.examples, tempfile
>>> from symcnn.paper import Options, macros, write
>>> mnist = symcnn.load_spec(symcnn.model.examples.MNIST).derive()
>>> with tempfile.TemporaryDirectory() as directory:
...     write({"mnist": mnist}, directory, Options(numbers="comma"))
['Mnist-derivation.tex', 'Mnist-diagram.tex', 'Mnist-table.tex', 'Mnist-totals.tex', 'macros.tex']
>>> [line for line in macros({"mnist": mnist}, Options()).splitlines() if "Params}" in line][0]
'\\\\newcommand{\\\\MnistParams}{\\\\ensuremath{217{,}706}}'
"""

from __future__ import annotations

from .fragments import COLUMNS, TABLES, Options, TableTooWide, files, fragments, macros, write, write_files
from .names import macro_base
from .numbers import STYLES, number_latex

__all__ = [
    "COLUMNS",
    "STYLES",
    "TABLES",
    "Options",
    "TableTooWide",
    "files",
    "fragments",
    "macro_base",
    "macros",
    "number_latex",
    "write",
    "write_files",
]
