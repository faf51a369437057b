"""The generator: reproducible, distinct, well-posed, every kind by name."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

import symcnn
from symcnn import exam
from symcnn.exam.generate import CHOICES, WRONG


def test_the_same_seed_gives_the_same_bytes_in_every_format():
    one, two = (exam.generate(12, seed=5, difficulty="mixed") for _ in range(2))
    other = exam.generate(12, seed=6, difficulty="mixed")
    for fmt in exam.FORMATS:
        assert exam.export(one, fmt) == exam.export(two, fmt), fmt
        assert exam.export(one, fmt) != exam.export(other, fmt), fmt


def test_a_set_never_holds_a_question_twice():
    quiz = exam.generate(60, seed=1, difficulty="easy", kinds=["keep_padding", "output_size"])
    keys = [question.key() for question in quiz.questions]
    assert len(set(keys)) == len(keys) == 60


def test_every_kind_is_selectable_by_name():
    for name in exam.KINDS:
        quiz = exam.generate(2, seed=3, difficulty="medium", kinds=[name])
        assert {question.kind for question in quiz.questions} == {name}


def test_kinds_take_turns_and_difficulties_mix():
    quiz = exam.generate(6, seed=2, difficulty="mixed", kinds=["total_params", "layer_macs"])
    assert [q.kind for q in quiz.questions] == ["total_params", "layer_macs"] * 3
    assert {q.difficulty for q in quiz.questions} == set(exam.DIFFICULTIES)


def test_too_few_distinct_misconceptions_draw_the_question_again(monkeypatch):
    """A draw with two wrong answers is never shipped: the generator draws new numbers, deterministically."""
    real = exam.KINDS["keep_padding"]
    draws = []

    def poor_first(rng, level):
        question = real.build(rng, level)
        draws.append(question)
        if len(draws) == 1:
            kept = dataclasses.replace(question.blanks[0], distractors=question.distractors[:2])
            return dataclasses.replace(question, blanks=(kept,))
        return question

    monkeypatch.setitem(exam.KINDS, "keep_padding", exam.Kind("keep_padding", "", poor_first, "sizes and shapes"))
    (question,) = exam.generate(1, seed=4, kinds=["keep_padding"]).questions
    assert len(draws) == 2 and question.text == draws[1].text and len(question.distractors) == 3


def test_a_kind_that_never_has_three_wrong_answers_is_one_clear_error(monkeypatch):
    one = exam.generate(1, seed=0, kinds=["output_size"]).questions[0]
    poor = dataclasses.replace(one, blanks=(dataclasses.replace(one.blanks[0], distractors=()),))
    monkeypatch.setitem(exam.KINDS, "poor", exam.Kind("poor", "", lambda rng, level: poor, "sizes and shapes"))
    with pytest.raises(symcnn.SpecError, match="fewer than 3 distinct wrong answers"):
        exam.generate(1, seed=0, kinds=["poor"])


def test_networks_are_well_posed(sets):
    for level, quiz in sets.items():
        for question in quiz.questions:
            if question.kind in ("symbolic", "symbolic_macs", "invalid_layer"):
                continue
            derivation = symcnn.load_spec(question.network).derive()
            sizes = [size for row in derivation.rows for size in row.output_shape]
            assert all(int(size) >= 1 for size in sizes), (level, question.network)


def test_easy_networks_are_one_layer_and_medium_ones_have_no_residuals(sets):
    for question in sets["easy"].questions:
        if question.kind in ("total_params", "layer_params", "layer_macs"):
            assert len(question.network["layers"]) == 1
    for question in sets["medium"].questions:
        if question.kind in ("total_params", "layer_params", "layer_macs", "shape_table"):
            assert all(layer["type"] != "add" for layer in question.network["layers"])
    hard = [q for q in sets["hard"].questions if q.kind == "total_params"]
    assert hard and all(any(layer["type"] == "add" for layer in q.network["layers"]) for q in hard)


def test_worked_solutions_show_rule_general_form_values_and_result(sets):
    question = next(q for q in sets["medium"].questions if q.kind == "total_params")
    lines = question.solution.lines
    conv = next(line for line in lines if "parameters" in line.label)
    assert conv.rule.startswith("convolution") and "k" in conv.general and conv.substituted and conv.value
    total = lines[-1]
    assert total.label == "total parameters" and total.substituted.count("+") >= 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kinds": ["receptive"]}, "unknown question kind 'receptive'"),
        ({"difficulty": "extreme"}, "difficulty must be one of"),
        ({"count": 0}, "count must be a positive integer"),
    ],
)
def test_bad_requests_are_one_clear_error(arguments, message):
    with pytest.raises(symcnn.SpecError, match=message):
        exam.generate(**arguments)


def test_asking_for_more_distinct_questions_than_exist_is_an_error(monkeypatch):
    one = exam.generate(1, seed=0, kinds=["output_size"]).questions[0]
    monkeypatch.setitem(
        exam.KINDS, "always_the_same", exam.Kind("always_the_same", "one question", lambda rng, level: one, "other")
    )
    with pytest.raises(symcnn.SpecError, match="found only 1 distinct questions"):
        exam.generate(3, seed=0, kinds=["always_the_same"])


def test_grading_symbolic_answers_by_equality():
    question = next(q for q in exam.generate(3, seed=4, kinds=["symbolic"]).questions)
    data = {"grading": "symbolic", "answer": str(question.answer)}
    assert exam.grade(data, str(sympy_expand(question.answer)))
    assert not exam.grade(data, str(question.distractors[0].value))


def sympy_expand(value):
    import sympy

    return sympy.expand(value)


def test_every_distractor_differs_from_the_answer_and_there_are_three_distinct(sweep):
    for question in sweep:
        for blank in question.blanks:
            values = [blank.answer, *(d.value for d in blank.distractors)]
            assert len(blank.distractors) >= WRONG, (question.kind, question.band, blank.label)
            distinct = {sympy.expand(value) for value in values}
            assert len(distinct) == len(values), (question.kind, values)
            assert len({d.misconception for d in blank.distractors}) == len(blank.distractors)
            assert all(d.misconception in exam.MISCONCEPTIONS and d.feedback for d in blank.distractors)
        if not question.is_cloze:
            choices = question.choices()
            assert len(choices) == CHOICES and sum(d is None for _, d in choices) == 1


def test_answer_positions_are_uniform_over_a_to_d(sweep):
    """Chi-square over 1,000 multiple-choice questions (fixed seeds): below the 0.1 % critical value for 3 df."""
    multiple = [q for q in sweep if not q.is_cloze][:1000]
    assert len(multiple) == 1000
    counts = [0] * CHOICES
    for question in multiple:
        counts[[d is None for _, d in question.choices()].index(True)] += 1
    expected_count = len(multiple) / CHOICES
    chi_square = sum((count - expected_count) ** 2 / expected_count for count in counts)
    assert chi_square < 16.27, counts
    assert min(counts) > 200, counts
