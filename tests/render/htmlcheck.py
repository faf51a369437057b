"""Helpers for the HTML tests: a strict well-formedness check and the numbers a reader sees."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"br", "wbr", "col", "meta", "img", "hr", "input", "link"}


class _Checker(HTMLParser):
    """Tags balanced and properly nested (html.parser itself forgives everything); text collected."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("style", "title"):
            return
        self.text.append(data)


def parse(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert not checker.problems, checker.problems[:5]
    assert not checker.stack, f"unclosed: {checker.stack[-5:]}"
    return checker


def numbers(text: str) -> set[int]:
    """Every integer a reader sees: digit groups joined whether by ' , or a thin space."""
    joined = re.sub(r"(?<=\d)['\u2009\u202f,](?=\d{3})", "", text)
    return {int(match) for match in re.findall(r"\d+", joined)}


def text_of(markup: str) -> str:
    return " ".join(parse(markup).text)
