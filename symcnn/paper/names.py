"""LaTeX macro names from network names: letters only, digits spelled out.

``resnet50`` gives ``ResnetFifty``, ``ResNet-50`` gives ``ResNetFifty``,
``densenet121`` gives ``DensenetOneHundredTwentyOne``: TeX control words are
letters only, so every digit run is spelled and every other character dropped.
"""

from __future__ import annotations

import re

from ..errors import SpecError

__all__ = ["macro_base", "spelled"]

_ONES = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
]
_TENS = ["_", "_", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]


def spelled(number: int) -> str:
    """``50`` -> ``Fifty``, ``121`` -> ``OneHundredTwentyOne``, ``1000`` -> ``OneThousand``.

    >>> spelled(0), spelled(19), spelled(50), spelled(121), spelled(1_000_000)
    ('Zero', 'Nineteen', 'Fifty', 'OneHundredTwentyOne', 'OneMillion')
    """
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (_ONES[ones] if ones else "")
    for size, word in ((10**9, "Billion"), (10**6, "Million"), (1000, "Thousand"), (100, "Hundred")):
        if number >= size:
            high, rest = divmod(number, size)
            return spelled(high) + word + (spelled(rest) if rest else "")
    raise AssertionError("unreachable")


def macro_base(name: str) -> str:
    """The macro prefix for a network called ``name``.

    >>> macro_base("resnet50"), macro_base("ResNet-50"), macro_base("mobilenet_v2"), macro_base("vgg16_bn")
    ('ResnetFifty', 'ResNetFifty', 'MobilenetVTwo', 'VggSixteenBn')
    """
    parts = re.findall(r"[A-Za-z]+|\d+", name)
    words = []
    for part in parts:
        if part.isdigit():
            # A long digit run (a hash, a date) is spelled digit by digit.
            words.append(spelled(int(part)) if len(part) <= 12 else "".join(_ONES[int(d)] for d in part))
        else:
            words.append(part[0].upper() + part[1:])
    base = "".join(words)
    if not base:
        raise SpecError(f"cannot make a LaTeX macro name from the network name {name!r}: it has no letters or digits")
    return base
