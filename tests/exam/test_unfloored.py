"""Reading a size rule as written with ``//`` as ``/`` gives SymPy's rule with its floors taken away."""

from __future__ import annotations

import random

import pytest
import sympy

from symcnn.exact import rules
from symcnn.exam.unfloored import NotWritten, has_floor, unfloored_value

SIZE_RULES = (rules.size_valid, rules.size_padded, rules.size_tiled, rules.size_strided, rules.size_dilated)


def _symbols(rule: rules.Rule) -> dict[str, sympy.Symbol]:
    return {name: sympy.Symbol(name, positive=True, integer=True) for name in rule.parameters}


@pytest.mark.parametrize("rule", SIZE_RULES, ids=lambda rule: rule.name)
def test_has_floor_is_whether_the_rule_in_symbols_floors(rule):
    assert has_floor(rule) == rule(**_symbols(rule)).has(sympy.floor)


@pytest.mark.parametrize("rule", [rule for rule in SIZE_RULES if has_floor(rule)], ids=lambda rule: rule.name)
def test_unfloored_value_equals_the_symbolic_rule_without_its_floors(rule):
    symbols = _symbols(rule)
    plain = rule(**symbols).replace(sympy.floor, lambda argument: argument)
    rng = random.Random(rule.name)
    for _ in range(200):
        values = {name: sympy.Integer(rng.randrange(1, 40)) for name in rule.parameters}
        expected = plain.xreplace({symbols[name]: value for name, value in values.items()})
        assert unfloored_value(rule, values) == expected, values


def test_a_formula_is_left_to_sympy():
    with pytest.raises(NotWritten):
        unfloored_value(rules.size_strided, {"i": sympy.Symbol("H"), "n": 3, "p": 1, "s": 2})
