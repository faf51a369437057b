from __future__ import annotations

import symcnn
import symcnn.model.examples
from symcnn.layers import memo


def test_clear_caches_empties_the_layer_memo_and_results_stay_the_same(mnist):
    symcnn.load_spec(symcnn.model.examples.MNIST).derive()
    assert memo._APPLIED
    symcnn.clear_caches()
    assert not memo._APPLIED
    assert symcnn.load_spec(symcnn.model.examples.MNIST).derive().totals == mnist.totals


def test_equal_layers_on_equal_shapes_share_one_outcome_but_shown_forms_are_kept_apart():
    linear = symcnn.Linear(out_features=3)
    after_flatten = symcnn.Sequential(symcnn.Input(2, 2, 2), symcnn.Flatten(), linear).derive()
    direct = symcnn.Sequential(symcnn.Input(8), linear).derive()
    assert after_flatten.row("output").params.substituted.text() == "(2*2*2 + 1)*3"
    assert direct.row("output").params.substituted.text() == "(8 + 1)*3"


def test_clear_caches_empties_the_printers_memos():
    from symcnn.exact import printing

    symcnn.Sequential(symcnn.Input(3, "H", "W"), symcnn.MaxPool2d(2)).derive().to_latex()
    assert len(printing._LATEX._printed)
    symcnn.clear_caches()
    assert len(printing._LATEX._printed) == 0 and len(printing._STR._printed) == 0
