from __future__ import annotations

import pytest
import sympy
from sympy.core.cache import clear_cache

from symcnn.exact.memo import ExprMemo
from symcnn.exact.symbols import symbols


def test_an_equal_but_distinct_expression_finds_the_value() -> None:
    H = symbols("H")
    memo: ExprMemo[str] = ExprMemo(8)
    first = sympy.floor(H / 2**70)
    memo.put(first, (), "deep")
    again = sympy.floor(sympy.Mul(H, sympy.Rational(1, 2**70), evaluate=True))
    assert memo.get(again) == "deep"
    assert memo.get(first, ("other",)) is None  # the extra key items count


def test_colliding_hashes_stay_apart() -> None:
    # 2**k and 2**(k + 61) hash alike in Python: the memo must still tell them apart
    H = symbols("H")
    low, high = sympy.floor(H / 2**5), sympy.floor(H / 2**66)
    assert hash(low) == hash(high)
    memo: ExprMemo[int] = ExprMemo(8)
    memo.put(low, (), 5)
    memo.put(high, (), 66)
    assert (memo.get(low), memo.get(high)) == (5, 66)


def test_an_id_is_trusted_only_for_its_own_object() -> None:
    memo: ExprMemo[str] = ExprMemo(8)
    memo.put(sympy.Integer(7), (), "seven")
    memo._by_id[(id(sympy.Integer(9)), *())] = (sympy.Integer(8), "wrong")  # a stale id now reused
    assert memo.get(sympy.Integer(9)) is None


def test_a_full_memo_starts_afresh() -> None:
    memo: ExprMemo[int] = ExprMemo(3)
    for value in range(5):
        memo.put(sympy.Integer(value), (), value)
    assert len(memo) <= 3
    assert memo.get(sympy.Integer(4)) == 4
    memo.clear()
    assert len(memo) == 0 and memo.get(sympy.Integer(4)) is None


def test_colliding_compound_expressions_are_not_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    # A chain's floor(H/2**k) collide by the dozen; a look-up must not compare their trees
    H = symbols("H")
    floors = [sympy.floor(H / 2 ** (5 + 61 * j)) for j in range(12)]
    assert len({hash(item) for item in floors}) == 1
    memo: ExprMemo[int] = ExprMemo(64)
    for j, item in enumerate(floors):
        memo.put(item, (type(item),), j)
    compared = []
    original = sympy.floor.__eq__

    def counting(self: sympy.Basic, other: object) -> bool:
        compared.append(self)
        return bool(original(self, other))

    monkeypatch.setattr(sympy.floor, "__eq__", counting)
    clear_cache()  # so that rebuilding makes new objects, from the same arguments
    rebuilt = [item.func(*item.args) for item in floors]
    assert all(new is not old and new == old for new, old in zip(rebuilt, floors, strict=True))
    compared.clear()
    assert [memo.get(item, (type(item),)) for item in rebuilt] == list(range(12))
    assert [memo.get(item, (type(item),)) for item in floors] == list(range(12))
    assert compared == []
