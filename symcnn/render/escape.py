"""Names are data, never markup: one escaper per output format, used wherever a name is printed.

Layer names and torch module names come from files symcnn did not write (a
student's spec, a colleague's model), so each format gets the one function that
makes any text inert there:

- :func:`text` (terminals, plain text): control characters (newline, ESC, BEL,
  the bidirectional overrides) are shown as escapes like ``\\x1b``, so a name can
  neither add a line nor drive the terminal.
- :func:`markdown` (prose) and :func:`markdown_code` (a code span in a table
  cell): no name adds a cell (``|``), a row (newline), closes a code span
  (backticks) or reaches the page as HTML (``<img onerror=...>``).
- :func:`latex`: the special characters as commands, control characters and
  blank lines as visible escapes, accented letters as accent commands, and any
  other character pdflatex's standard fonts lack as its code point
  (``[U+4E2D]``), so that every name compiles.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LATEX_ESCAPES", "latex", "markdown", "markdown_code", "text"]

# Cc (C0, DEL, C1) and the invisible characters that reorder or hide text on screen.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def text(value: str) -> str:
    r"""``value`` with every control character shown as an escape.

    >>> text("conv\x1b]0;owned\x07\nrow")
    'conv\\x1b]0;owned\\x07\\nrow'
    """
    return _CONTROL.sub(_shown, value)


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|$~&])")


def markdown(value: str) -> str:
    r"""Markdown prose: control characters escaped, then every character Markdown or HTML would read.

    >>> markdown("a|b <img src=x> `c`")
    'a\\|b \\<img src=x\\> \\`c\\`'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text(value))


def markdown_code(value: str) -> str:
    r"""A code span for a table cell: a longer backtick fence than any run inside, ``|`` as ``\|``.

    Inside a code span HTML is shown as written; GitHub-flavoured tables read
    ``\|`` as a pipe of the cell, not a new column.

    >>> markdown_code("conv1")
    '`conv1`'
    >>> markdown_code("a`b|c")
    '``a`b\\|c``'
    """
    shown = text(value).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "_": r"\_",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"$<$",  # the standard (OT1) text fonts have no < > |: ¡ ¿ — would show instead
    ">": r"$>$",
    "|": r"$|$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
    "×": r"$\times$",
    "−": r"$-$",
    "γ": r"$\gamma$",
    "β": r"$\beta$",
    "→": r"$\to$",
    "⇒": r"$\Rightarrow$",
    "·": r"$\cdot$",
    "…": r"\ldots{}",
    "ß": r"\ss{}",
    "æ": r"\ae{}",
    "Æ": r"\AE{}",
    "ø": r"\o{}",
    "Ø": r"\O{}",
    "å": r"\aa{}",
    "Å": r"\AA{}",
    "œ": r"\oe{}",
    "Œ": r"\OE{}",
    "ł": r"\l{}",
    "Ł": r"\L{}",
}
# Punctuation LaTeX's UTF-8 input reads itself (kept, so that callers may still find an en dash).
_KEPT = frozenset("–—‘’“”")
# Combining accents (after Unicode decomposition) -> the LaTeX accent command.
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0308": '"', "\u0327": "c",
    "\u030c": "v", "\u030a": "r", "\u0304": "=", "\u0306": "u", "\u030b": "H", "\u0328": "k",
}  # fmt: skip


def latex(value: str) -> str:
    r"""Text mode LaTeX that compiles with pdflatex's standard fonts, whatever ``value`` holds.

    >>> latex("conv_1 {x} #2 ≥ 1")
    'conv\\_1 \\{x\\} \\#2 $\\geq$ 1'
    >>> latex("Café 中\n\nx")
    "Caf\\'{e} [U+4E2D]\\textbackslash{}n\\textbackslash{}nx"
    """
    return "".join(_latex_char(char) for char in text(value))


def _latex_char(char: str) -> str:
    if char in LATEX_ESCAPES:
        return LATEX_ESCAPES[char]
    if " " <= char <= "~" or char in _KEPT:
        return char
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if marks and " " <= base <= "~" and all(mark in _ACCENTS for mark in marks):
        shown = _latex_char(base) if base != "i" else r"\i{}"
        for mark in marks:
            shown = rf"\{_ACCENTS[mark]}{{{shown}}}"
        return shown
    return f"[U+{ord(char):04X}]"  # no standard font has it: shown as its code point, never an error
