"""The lesson's handouts: the questions page asks every step's question (with its options and room to answer) and
gives nothing away; the answers page has every answer, with the numbers and the why, each under its own
question; every text is escaped."""

from __future__ import annotations

import re
from html import escape

import pytest

from lessons import guided_lesson as lesson
from lessons.guided_lesson import CHOICE, NUMBER, STEPS, UNITS, LessonStep, Prediction
from lessons.handout import ANSWERS_TITLE, QUESTIONS_TITLE, handout_html, right_answer
from lessons.step_through import choose_samples, collect_matrices
from nn_core.data import load_cancer, split_and_scale
from nn_core.network import init_params


@pytest.fixture(scope="module")
def predictions() -> list[tuple[LessonStep, Prediction]]:
    """Every step's prediction from the inputs the lesson computes (as the glue's step_inputs does)."""
    dataset = load_cancer()
    features = [dataset.feature_names.index(name) for name in lesson.EXAMPLE_FEATURES]
    small = split_and_scale(dataset, features=features)
    chosen = choose_samples(small.Y_train, lesson.EXAMPLE_M, lesson.EXAMPLE_SEED)
    X, Y = small.X_train[:, chosen], small.Y_train[:, chosen]
    params = init_params(X.shape[0], lesson.EXAMPLE_HIDDEN, seed=lesson.EXAMPLE_SEED)
    split = split_and_scale(dataset)
    run = lesson.training_run(split)
    inputs = {"warm_up": None, "example": collect_matrices(params, X, Y, lesson.EXAMPLE_LR),
              "updates": lesson.many_updates(params, X, Y), "training": (run, lesson.test_accuracy(run, split), split),
              "overfitting": lesson.overfitting_runs(split), "landscape": lesson.landscape_race()}
    return [(step, step.predict(inputs[step.needs])) for step in STEPS]


def sections(page: str) -> list[str]:
    return re.findall(r"<section>(.*?)</section>", page, flags=re.S)


def test_the_questions_page_asks_every_question_in_order_with_room_to_answer(predictions):
    page = handout_html(predictions, with_answers=False)
    assert page.startswith("<!DOCTYPE html>") and escape(QUESTIONS_TITLE) in page
    assert "<script" not in page and "http" not in page  # prints offline, fetches nothing
    parts = sections(page)
    assert len(parts) == len(STEPS)
    for number, ((step, prediction), part) in enumerate(zip(predictions, parts, strict=True), start=1):
        assert f"<h2>{number}. {escape(step.title)}</h2>" in part
        assert escape(step.text) in part and escape(prediction.prompt) in part
        for option in prediction.options:
            assert f"<li>{escape(option)}</li>" in part, (step.key, option)
        assert ("Your answer:" in part) == (prediction.kind == NUMBER)
        assert ("none of them" in part) == (prediction.kind == UNITS)
        assert escape(prediction.why) not in part and "Answer:" not in part  # nothing given away
        assert "why-box" in part


def test_the_answers_page_has_each_answer_and_why_under_its_own_question(predictions):
    page = handout_html(predictions, with_answers=True)
    assert escape(ANSWERS_TITLE) in page
    parts = sections(page)
    for (step, prediction), part in zip(predictions, parts, strict=True):
        assert escape(prediction.prompt) in part
        assert f'Answer: <span class="answer">{escape(right_answer(prediction))}</span>' in part, step.key
        assert escape(prediction.why) in part, step.key
        others = [p for s, p in predictions if s.key != step.key]
        assert not any(escape(other.why) in part for other in others), step.key


def test_the_answers_are_the_lessons_own_numbers(predictions):
    """The handout states what the lesson's reveal judges by: the computed answer, to four digits for a number."""
    by_key = {step.key: prediction for step, prediction in predictions}
    assert right_answer(by_key["warm_up"]) == "7 (within ±0.05 counts as right)"  # (4² − 3²) / 1
    assert right_answer(by_key["z1"]) == "(4, 5)"
    assert right_answer(by_key["dloss_z1"]) == (", ".join(sorted(by_key["dloss_z1"].answer)) or "none")
    for step, prediction in predictions:
        if prediction.kind == CHOICE:
            assert right_answer(prediction) in prediction.options, step.key
        elif prediction.kind == NUMBER:  # the number the reveal says ("Not quite — it is 0.5456 …"), to its digits
            said = re.search(r"it is (\S+) ", lesson.check(prediction, 1e6).headline).group(1)
            assert right_answer(prediction).split(" ")[0] == said, step.key


def test_every_text_is_escaped():
    step = LessonStep("x", "A <b>title</b> & more", "Text with <script>alert(1)</script>", "warm_up", "derivative",
                      lambda _: None)
    prediction = Prediction("Is 1 < 2 & 3 > 2?", CHOICE, answer="<yes>", why="Because \"<\" & '>'",
                            options=("<yes>", "no"))
    for with_answers in (False, True):
        page = handout_html([(step, prediction)], with_answers=with_answers)
        assert "<script>" not in page and "<b>title</b>" not in page and "<yes>" not in page
        assert "A &lt;b&gt;title&lt;/b&gt; &amp; more" in page and "&lt;yes&gt;" in page
