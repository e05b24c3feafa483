"""The guided lesson's steps: each prediction's answer is what nn_core computes (rebuilt here independently),
``check`` judges right and wrong answers, and the steps follow the article's order."""

from __future__ import annotations

import numpy as np
import pytest

from lessons import guided_lesson as lesson
from lessons.guided_lesson import CHOICE, NUMBER, STEPS, UNITS, Prediction, check
from lessons.step_through import choose_samples, collect_matrices
from nn_core.data import load_cancer, split_and_scale
from nn_core.descent import classify_outcome, run_descent
from nn_core.network import backward, d_relu, forward, init_params, loss, predict, sigmoid
from nn_core.surfaces import get_surface
from nn_core.training import train


@pytest.fixture(scope="module")
def example():
    """The forward & backward page's default example, rebuilt from nn_core."""
    dataset = load_cancer()
    split = split_and_scale(dataset, features=[dataset.feature_names.index(n) for n in lesson.EXAMPLE_FEATURES])
    chosen = choose_samples(split.Y_train, lesson.EXAMPLE_M, lesson.EXAMPLE_SEED)
    X, Y = split.X_train[:, chosen], split.Y_train[:, chosen]
    params = init_params(X.shape[0], lesson.EXAMPLE_HIDDEN, seed=lesson.EXAMPLE_SEED)
    return params, X, Y, collect_matrices(params, X, Y, lesson.EXAMPLE_LR)


@pytest.fixture(scope="module")
def full_split():
    return split_and_scale(load_cancer())


def _step(key: str):
    return next(step for step in STEPS if step.key == key)


def _wrong_choice(prediction: Prediction) -> str:
    return next(option for option in prediction.options if option != prediction.answer)


def test_the_steps_follow_the_article():
    keys = [step.key for step in STEPS]
    assert keys == ["warm_up", "z1", "yh", "loss", "dloss_yh", "dloss_z2", "dloss_w2", "dloss_a1", "dloss_z1",
                    "dloss_w1", "update", "many_updates", "training", "overfitting", "landscape"]
    assert lesson.STEP_COUNT == len(STEPS) >= 12


def test_check_a_number_within_and_outside_the_tolerance():
    prediction = Prediction("?", NUMBER, answer=0.25, why="", tolerance=0.01)
    assert check(prediction, 0.259).correct
    assert check(prediction, 0.241).correct
    assert not check(prediction, 0.261).correct
    assert not check(prediction, float("nan")).correct
    assert "0.25" in check(prediction, 1.0).headline


def test_check_choices_and_units():
    choice = Prediction("?", CHOICE, answer="down", why="", options=("up", "down"))
    assert check(choice, "down").correct and not check(choice, "up").correct
    units = Prediction("?", UNITS, answer=frozenset({"h1", "h3"}), why="", options=("h1", "h2", "h3"))
    assert check(units, ["h3", "h1"]).correct
    assert not check(units, ["h1"]).correct and not check(units, []).correct
    nothing = Prediction("?", UNITS, answer=frozenset(), why="", options=("h1",))
    assert check(nothing, []).correct
    assert check(nothing, ["h1"]).headline == "Not quite — it is none."


def test_warm_up_is_the_secant_slope():
    prediction = _step("warm_up").predict(None)
    x, h = lesson.WARM_UP_X, lesson.WARM_UP_H
    assert prediction.answer == pytest.approx(((x + h) ** 2 - x**2) / h)
    assert check(prediction, 7.0).correct and not check(prediction, 6.0).correct  # the tangent's slope is 6
    assert "16" in prediction.why and "9" in prediction.why


def test_forward_steps_answer_with_nn_core(example):
    params, X, Y, matrices = example
    cache = forward(params, X)
    z1 = _step("z1").predict(matrices)
    assert z1.answer == f"({params['W1'].shape[0]}, {X.shape[1]})" and z1.answer in z1.options
    assert len(set(z1.options)) == len(z1.options)
    assert not check(z1, _wrong_choice(z1)).correct
    assert str(int(np.sum(cache["A1"] == 0))) in z1.why

    yh = _step("yh").predict(matrices)
    sample = int(np.argmax(np.abs(cache["Z2"][0])))
    assert yh.answer == pytest.approx(float(sigmoid(cache["Z2"][0, sample])))
    assert check(yh, yh.answer + 0.029).correct and not check(yh, yh.answer + 0.05).correct
    assert f"s{sample + 1}" in yh.prompt

    costs = -(Y * np.log(cache["Yh"]) + (1 - Y) * np.log(1 - cache["Yh"]))[0]
    worst = _step("loss").predict(matrices)
    assert worst.answer == f"s{int(np.argmax(costs)) + 1}"
    assert f"{loss(cache, Y):.4g}" in worst.why


def test_backward_steps_answer_with_nn_core(example):
    params, X, Y, matrices = example
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)

    sign = _step("dloss_yh").predict(matrices)
    malignant = int(np.flatnonzero(Y[0] == 1)[0])
    assert sign.answer == ("negative" if grads["dLoss_Yh"][0, malignant] < 0 else "positive")

    dz2 = _step("dloss_z2").predict(matrices)
    sample = int(np.argmax(np.abs(cache["Yh"] - Y)))
    assert dz2.answer == pytest.approx(float(cache["Yh"][0, sample] - Y[0, sample]))

    db2 = _step("dloss_w2").predict(matrices)
    assert db2.answer == pytest.approx(float(np.mean(cache["Yh"] - Y)))
    assert check(db2, db2.answer + 0.004).correct and not check(db2, db2.answer + 0.006).correct

    da1 = _step("dloss_a1").predict(matrices)
    expected = params["W2"].T @ (cache["Yh"] - Y)
    unit, col = np.unravel_index(np.argmax(np.abs(expected)), expected.shape)
    assert da1.answer == ("negative" if expected[unit, col] < 0 else "positive")
    assert f"dLoss_A1[h{unit + 1}, s{col + 1}]" in da1.prompt

    gate = _step("dloss_z1").predict(matrices)
    gated = d_relu(cache["Z1"])[:, gate.sample] == 0
    assert gate.answer == frozenset(f"h{j + 1}" for j in np.flatnonzero(gated))
    assert np.all(grads["dLoss_Z1"][gated, gate.sample] == 0)

    w1 = _step("dloss_w1").predict(matrices)
    unit, feature = np.unravel_index(np.argmax(np.abs(grads["dLoss_W1"])), grads["dLoss_W1"].shape)
    assert w1.answer == ("down" if grads["dLoss_W1"][unit, feature] > 0 else "up")


def test_the_update_step_compares_the_losses(example):
    params, X, Y, matrices = example
    updated, _ = train(params, X, Y, lr=lesson.EXAMPLE_LR, iterations=1)
    went_down = loss(forward(updated, X), Y) < loss(forward(params, X), Y)
    assert _step("update").predict(matrices).answer == ("down" if went_down else "up")


def test_many_updates_end_in_the_right_bucket(example):
    params, X, Y, _ = example
    losses = lesson.many_updates(params, X, Y)
    trained, _ = train(params, X, Y, lr=lesson.EXAMPLE_LR, iterations=lesson.MANY_UPDATES)
    final = loss(forward(trained, X), Y)
    assert losses[-1] == pytest.approx(final) and len(losses) == lesson.MANY_UPDATES + 1
    prediction = _step("many_updates").predict(losses)
    assert prediction.answer == lesson.loss_bucket(final)
    assert lesson.loss_bucket(0.31) == "above 0.3" and lesson.loss_bucket(0.3) == "between 0.1 and 0.3"
    assert lesson.loss_bucket(0.01) == "below 0.01"


def test_training_step_reports_the_test_accuracy(full_split):
    run = lesson.training_run(full_split)
    accuracy = float(np.mean(predict(run.params, full_split.X_test) == full_split.Y_test))
    assert lesson.test_accuracy(run, full_split) == accuracy
    prediction = _step("training").predict((run, accuracy, full_split))
    assert prediction.answer == lesson.accuracy_bucket(accuracy)
    assert f"{accuracy:.1%}" in prediction.why
    assert lesson.accuracy_bucket(0.95) == "above 95 %" and lesson.accuracy_bucket(0.9499) == "90 % to 95 %"


def test_overfitting_step_reads_the_validation_curve(full_split):
    see, cure = lesson.overfitting_runs(full_split)
    prediction = _step("overfitting").predict((see, cure))
    val = np.asarray(see.monitor.val_loss)
    assert 0 < int(np.argmin(val)) < val.size - 1 and val[-1] > 1.02 * val.min()
    assert prediction.answer == "falls, then climbs"
    assert lesson.validation_shape([3, 2, 1]) == "keeps falling"
    assert lesson.validation_shape([1, 2, 3]) == "climbs from the start"
    assert lesson.validation_shape([3, 1, 2]) == "falls, then climbs"


def test_landscape_step_names_the_balls_that_reach_the_global_minimum():
    surface = get_surface(lesson.LANDSCAPE_SURFACE)
    race = lesson.landscape_race()
    prediction = _step("landscape").predict(race)
    expected = set()
    for (name, lr), label in zip(lesson.LANDSCAPE_BALLS, prediction.options, strict=True):
        run = run_descent(surface, surface.suggested_start, optimizer=name, lr=lr, steps=lesson.LANDSCAPE_STEPS)
        if classify_outcome(run, surface).kind == "global":
            expected.add(label)
    assert prediction.answer == frozenset(expected) and 0 < len(expected) < len(prediction.options)


def test_every_explanation_is_written_from_numbers(example, full_split):
    """No step's reveal is a canned text: every one quotes at least one computed number."""
    params, X, Y, matrices = example
    run = lesson.training_run(full_split)
    inputs = {"warm_up": None, "example": matrices, "updates": lesson.many_updates(params, X, Y),
              "training": (run, lesson.test_accuracy(run, full_split), full_split),
              "overfitting": lesson.overfitting_runs(full_split), "landscape": lesson.landscape_race()}
    for step in STEPS:
        prediction = step.predict(inputs[step.needs])
        assert any(ch.isdigit() for ch in prediction.why), step.key
        assert prediction.kind in (NUMBER, CHOICE, UNITS)
        if prediction.kind == CHOICE:
            assert prediction.answer in prediction.options, step.key


def test_every_step_links_to_the_page_that_shows_it_in_full():
    from lessons.stages import STAGE_KEYS
    from site_map import LESSONS

    pages = {page.path for page in LESSONS}
    for step in STEPS:
        page, label, query = lesson.explore_link(step)
        assert page in pages and label, step.key
        assert set(query) <= {"fb_stage"} and query.get("fb_stage", "X") in STAGE_KEYS, step.key
    assert lesson.explore_link(_step("dloss_z1"))[2] == {"fb_stage": "dLoss_Z1"}


def test_every_stage_of_the_lesson_fits_a_projector_line_compact(example):
    """On a slide (853 CSS px wide, 829 inside the padding) each stage's equation — the widest is dLoss_Z1, three
    4 × 5 panels — fits on one line drawn COMPACT, so it is never zoomed below 1 (its 12 px text would shrink); the
    update's lines (one per parameter) each fit too."""
    from lessons.stage_panels import stage_items
    from lessons.stages import STAGES_BY_KEY
    from viz.heatmaps import COMPACT, LINE_BREAK, equation_figure

    matrices = example[3]
    stages = {stage for step in STEPS if step.figure.startswith("stages:")
              for stage in step.figure.partition(":")[2].split(",")}
    assert {"Z1", "dLoss_Z1", "dLoss_W1", "update"} <= stages
    for stage in stages:
        items = stage_items(STAGES_BY_KEY[stage], matrices, lesson.EXAMPLE_FEATURES)
        lines = [[]]
        for item in items:
            lines.append([]) if isinstance(item, str) and item == LINE_BREAK else lines[-1].append(item)
        for line in lines:
            assert equation_figure(line, max_width=10_000, geometry=COMPACT).layout.width <= 829, stage
