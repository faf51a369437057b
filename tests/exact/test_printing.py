from __future__ import annotations

import sympy

from symcnn.exact.printing import to_latex, to_str
from symcnn.exact.symbols import symbols


def test_floors_print_over_a_common_denominator():
    H, s = symbols("H s")
    assert to_str(sympy.floor((H - 1) / 4) + 1) == "floor((H - 1)/4) + 1"
    assert to_str(sympy.floor((H - 3) / s)) == "floor((H - 3)/s)"
    assert to_latex(sympy.floor((H - 1) / 4)) == r"\left\lfloor \frac{H - 1}{4} \right\rfloor"


def test_text_form_reads_back_as_the_same_expression():
    H = symbols("H")
    expr = 3 * sympy.floor((H - 1) / 32) + 1
    assert sympy.sympify(to_str(expr), locals={"H": H}) == expr
