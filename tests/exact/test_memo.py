from __future__ import annotations

import sympy

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
