"""Check-yourself questions: the marked answer is the truth of the numbers, for random shapes."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.quiz import STAGE_KIND, STAGE_MATRIX, question_for_stage
from lessons.stages import STAGE_KEYS
from nn_core.network import backward, forward, init_params


def make_pass(n_x, n_h, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    params = init_params(n_x, n_h, seed=seed % 1000)
    params["b1"] = rng.normal(scale=0.3, size=(n_h, 1))
    cache = forward(params, X)
    return cache, backward(params, X, Y, cache), params, X, Y


# the page's ranges: 2 to 6 features, 2 to 8 hidden units, 2 to 16 samples
passes = st.builds(make_pass, n_x=st.integers(2, 6), n_h=st.integers(2, 8), m=st.integers(2, 16),
                   seed=st.integers(0, 10_000))


def expected_answer(question, cache, grads, params, X, Y):
    """The answer recomputed from nn_core's matrices, independently of the quiz module."""
    values = {"X": X, "Y": Y, **params, **cache, **grads}
    matrix, cell = question.cell
    if question.kind == "shape":
        return "(1, 1)" if matrix == "Loss" else "({}, {})".format(*np.shape(values[matrix.removeprefix("new ")]))
    if question.kind == "sign":
        value = values[matrix][cell]
        return "zero" if value == 0 else "positive" if value > 0 else "negative"
    if question.kind == "dead_unit":
        h, s = cell
        assert cache["Z1"][h, s] <= 0
        for option in question.options:  # every other option is a unit whose ReLU is on for the sample
            unit = int(option[1:]) - 1
            assert (cache["Z1"][unit, s] <= 0) == (unit == h), option
        return f"h{h + 1}"
    if question.kind == "prediction":
        yh = cache["Yh"][cell]
        return "exactly 0.5" if yh == 0.5 else "above 0.5" if yh > 0.5 else "below 0.5"
    if question.kind == "worst_sample":
        per_sample = np.logaddexp(0, cache["Z2"][0]) - Y[0] * cache["Z2"][0]
        offered = [int(o[1:]) - 1 for o in question.options]
        return f"s{offered[int(np.argmax(per_sample[offered]))] + 1}"
    if question.kind == "update_direction":
        g = grads["dLoss_W1"][cell]
        return "stays the same" if g == 0 else "goes down" if g > 0 else "goes up"
    raise AssertionError(question.kind)


@settings(max_examples=30, deadline=None)
@given(example=passes, seed=st.integers(0, 1000))
def test_every_stage_asks_a_question_whose_answer_is_right(example, seed):
    cache, grads, params, X, Y = example
    for stage in STAGE_KEYS:
        question = question_for_stage(stage, cache, grads, params, X, Y, seed)
        assert question.answer in question.options
        assert len(set(question.options)) == len(question.options) >= 2
        assert question.answer == expected_answer(question, cache, grads, params, X, Y), (stage, question)
        assert question.reason and question.prompt.endswith("?")


def test_the_dead_unit_question_names_the_cut_unit_and_its_reason():
    cache, grads, params, X, Y = make_pass(3, 5, 8, seed=4)
    question = question_for_stage("dLoss_Z1", cache, grads, params, X, Y, 3)
    assert question.kind == "dead_unit"
    h, s = question.cell[1]
    assert grads["dLoss_Z1"][h, s] == 0 and "ReLU′ = 0" in question.reason
    assert re.search(rf"Z1\[h{h + 1},s{s + 1}\] = −[\d.]+ ≤ 0", question.reason)


def test_tied_losses_fall_back_to_the_shape_of_the_loss():
    """Found by hypothesis: every unit dead and b2 = 0 give every sample the loss log 2, no worst sample."""
    cache, grads, params, X, Y = make_pass(2, 2, 3, seed=5)
    params["b1"] = np.full((2, 1), -50.0)
    cache = forward(params, X)
    question = question_for_stage("Loss", cache, backward(params, X, Y, cache), params, X, Y, 0)
    assert question.kind == "shape" and question.answer == "(1, 1)"


def test_without_a_cut_unit_the_question_falls_back_to_the_shape():
    cache, grads, params, X, Y = make_pass(2, 3, 4, seed=1)
    params["b1"] = np.full((3, 1), 50.0)  # every unit on for every sample
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    question = question_for_stage("dLoss_Z1", cache, grads, params, X, Y, 0)
    assert question.kind == "shape" and question.answer == "(3, 4)"


def test_same_seed_same_question_and_answers_move_between_stages():
    cache, grads, params, X, Y = make_pass(3, 4, 6, seed=2)
    first = question_for_stage("Z1", cache, grads, params, X, Y, 11)
    assert first == question_for_stage("Z1", cache, grads, params, X, Y, 11)
    questions = [question_for_stage(stage, cache, grads, params, X, Y, seed)
                 for stage in ("X", "W1_b1", "Z1", "Z2", "dLoss_A1", "dLoss_W1") for seed in range(3)]
    positions = {question.options.index(question.answer) for question in questions}
    assert len(positions) > 1


def test_stage_tables_cover_the_walk():
    assert list(STAGE_KIND) == list(STAGE_KEYS) == list(STAGE_MATRIX)
    with pytest.raises(KeyError):
        question_for_stage("nope", {}, {}, {}, np.zeros((1, 1)), np.zeros((1, 1)), 0)
