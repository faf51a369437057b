"""YAML specs: the safe loader, imported only when a YAML spec is read (PyYAML takes tens of ms to import).

PyYAML's SafeLoader with YAML 1.2 core numbers, refusing aliases, merge keys,
repeated keys and keys that are not plain scalars; errors become ``SpecError``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import SpecError
from ..exact.formula import exact_decimal
from ..exact.values import MAX_DIGITS

__all__ = ["parse_yaml"]

# YAML 1.2 core schema: 010 is ten (not octal eight), 1:30 is text (not sexagesimal ninety), yes/no/on/off
# are text; a spec means numbers as a person reads them.  https://yaml.org/spec/1.2.2/#1032-tag-resolution
_CORE_RESOLVERS = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
)  # fmt: skip
_REPLACED = {tag for tag, _, _ in _CORE_RESOLVERS} | {"tag:yaml.org,2002:merge"}
MAX_INTEGER_DIGITS = MAX_DIGITS


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core numbers, without aliases (a tiny file could expand enormously),
    merge keys, repeated keys or keys that are not plain scalars."""

    yaml_implicit_resolvers = {  # noqa: RUF012  (PyYAML reads this class attribute)
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise SpecError(f"YAML aliases are not allowed in spec files (line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: Any) -> int:
        text = self.construct_scalar(node)
        digits = text.lstrip("+-")
        if len(digits) > MAX_INTEGER_DIGITS:
            line = node.start_mark.line + 1
            raise SpecError(f"integers of more than {MAX_INTEGER_DIGITS} digits are not supported (line {line})")
        if digits[:2] in ("0o", "0x"):
            return int(digits[2:], 8 if digits[1] == "o" else 16)
        return int(text)

    def construct_yaml_float(self, node: Any) -> Any:
        # 0.35 is read as the exact decimal 7/20, never as a binary float.
        return exact_decimal(self.construct_scalar(node))

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen = set()
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError(f"a key must be a name, not a list or a mapping (line {line})")
            if key_node.value == "<<" and key_node.style is None:  # plain <<, not the quoted text "<<"
                message = "YAML merge keys (<<) are not supported in spec files: write the keys out"
                raise SpecError(f"{message} (line {line})")
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise SpecError(f"the key {key!r} is given twice (line {line})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


for _tag, _pattern, _first in _CORE_RESOLVERS:
    _SafeLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))
_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_yaml_int)
_SafeLoader.add_constructor("tag:yaml.org,2002:float", _SafeLoader.construct_yaml_float)


def parse_yaml(text: str) -> Any:
    """The data of a YAML document; ``SpecError`` (without the file's name) if it is malformed or unsafe."""
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.constructor.ConstructorError as error:
        line = error.problem_mark.line + 1 if error.problem_mark is not None else "?"
        raise SpecError(f"YAML tags that build objects are not allowed (line {line})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SpecError(f"malformed YAML{where}: {problem}") from None
