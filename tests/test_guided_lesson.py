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
    # the verdict says "within ±tolerance counts as right": the edge itself is right (numbers exact in binary)
    edge = Prediction("?", NUMBER, answer=0.5, why="", tolerance=0.25)
    assert check(edge, 0.75).correct and check(edge, 0.25).correct and not check(edge, 0.75 + 2**-20).correct


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
        assert f"{label}: height {_fmt(run.values[-1])}, " in prediction.why  # where the ball ends, not starts
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
    for step in STEPS:  # the stage the question's picture shows (the first it draws) is the one the link opens
        if step.figure.kind == "stages":
            assert lesson.explore_link(step)[2] == {"fb_stage": step.figure.stages[0]}, step.key
    assert lesson.explore_link(_step("z1"))[2] == {"fb_stage": "Z1"}
    assert lesson.explore_link(_step("many_updates"))[2] == {"fb_stage": "update"}


def test_every_stage_of_the_lesson_fits_a_projector_line_compact(example):
    """On a slide (853 CSS px wide, 829 inside the padding) each stage's equation — the widest is dLoss_Z1, three
    4 × 5 panels — fits on one line drawn COMPACT, so it is never zoomed below 1 (its 12 px text would shrink); the
    update's lines (one per parameter) each fit too."""
    from lessons.stage_panels import stage_items
    from lessons.stages import STAGES_BY_KEY
    from viz.heatmaps import COMPACT, LINE_BREAK, equation_figure

    matrices = example[3]
    stages = {stage for step in STEPS if step.figure.kind == "stages" for stage in step.figure.stages}
    assert {"Z1", "dLoss_Z1", "dLoss_W1", "update"} <= stages
    for stage in stages:
        items = stage_items(STAGES_BY_KEY[stage], matrices, lesson.EXAMPLE_FEATURES)
        lines = [[]]
        for item in items:
            lines.append([]) if isinstance(item, str) and item == LINE_BREAK else lines[-1].append(item)
        for line in lines:
            assert equation_figure(line, max_width=10_000, geometry=COMPACT).layout.width <= 829, stage


# ---------------------------------------------------------------------------------------- the words, computed
def _fmt(value: float, digits: int = 3) -> str:
    from viz.style import format_number

    return format_number(float(value), digits)


def test_the_loss_after_k_updates_is_quoted_for_k(example):
    """"after 10 updates X": X is the loss after exactly 10 of nn_core's updates (not 9, not 11)."""
    params, X, Y, _ = example
    prediction = _step("many_updates").predict(lesson.many_updates(params, X, Y))
    for k in (10, 50):
        trained, _ = train(params, X, Y, lr=lesson.EXAMPLE_LR, iterations=k)
        assert f"after {k} updates {_fmt(loss(forward(trained, X), Y), 4)}" in prediction.why
    trained, _ = train(params, X, Y, lr=lesson.EXAMPLE_LR, iterations=lesson.MANY_UPDATES)
    assert f"to {_fmt(loss(forward(trained, X), Y), 4)} after {lesson.MANY_UPDATES} updates" in prediction.why


def test_the_updated_weight_in_the_reveal_is_nn_cores(example):
    params, X, Y, matrices = example
    prediction = _step("dloss_w1").predict(matrices)
    grads = backward(params, X, Y, forward(params, X))
    unit, feature = np.unravel_index(np.argmax(np.abs(grads["dLoss_W1"])), grads["dLoss_W1"].shape)
    updated, _ = train(params, X, Y, lr=lesson.EXAMPLE_LR, iterations=1)
    before, after = params["W1"][unit, feature], updated["W1"][unit, feature]
    assert f"= {_fmt(after, 4)}, so it goes {'down' if after < before else 'up'}" in prediction.why
    assert f"{_fmt(before, 4)} − {_fmt(lesson.EXAMPLE_LR)} × {_fmt(grads['dLoss_W1'][unit, feature], 4)}" \
        in prediction.why


def test_the_update_step_says_by_how_much_without_a_sign(example):
    params, X, Y, matrices = example
    updated, _ = train(params, X, Y, lr=lesson.EXAMPLE_LR, iterations=1)
    drop = loss(forward(params, X), Y) - loss(forward(updated, X), Y)
    prediction = _step("update").predict(matrices)
    assert drop > 0 and f": down by {_fmt(drop)}." in prediction.why
    assert "by -" not in prediction.why and "by −" not in prediction.why


def test_a_silent_unit_is_not_told_to_speak_up_or_quieten_down(example):
    """Step 8: the largest dLoss_A1 of the example belongs to a unit that was silent (A1 = 0) for that tumour."""
    _, _, _, matrices = example
    prediction = _step("dloss_a1").predict(matrices)
    unit, sample = np.unravel_index(np.argmax(np.abs(matrices["dLoss_A1"])), matrices["dLoss_A1"].shape)
    assert matrices["A1"][unit, sample] == 0
    assert f"h{unit + 1} was silent for s{sample + 1}" in prediction.why
    assert "speak up" not in prediction.why and "quieten down" not in prediction.why


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_an_active_unit_is_told_the_way_that_lowers_the_loss(example, sign):
    _, _, _, matrices = example
    active = dict(matrices, A1=np.full_like(matrices["A1"], 0.5), Z1=np.full_like(matrices["Z1"], 0.5),
                  dLoss_A1=sign * np.abs(matrices["dLoss_A1"]))
    why = _step("dloss_a1").predict(active).why
    # dLoss_A1 > 0: more activity raises the loss, so less of it lowers the loss
    assert ("quieten down" in why) == (sign > 0) and ("speak up" in why) == (sign < 0)
    assert "silent" not in why


def test_the_sigmoid_question_gives_what_a_student_needs_without_a_calculator(example):
    _, _, _, matrices = example
    prediction = _step("yh").predict(matrices)
    sample = int(np.argmax(np.abs(matrices["Z2"][0])))
    shown = float(_fmt(-matrices["Z2"][0, sample], 4))
    assert f"e^({_fmt(shown, 4)}) = {_fmt(np.exp(shown), 4)}" in prediction.prompt
    assert check(prediction, 1 / (1 + float(_fmt(np.exp(shown), 4)))).correct  # what the student can compute


def test_the_training_step_quotes_the_test_rows_loss(full_split):
    run = lesson.training_run(full_split)
    prediction = _step("training").predict((run, lesson.test_accuracy(run, full_split), full_split))
    test_loss = loss(forward(run.params, full_split.X_test), full_split.Y_test)
    assert f"the loss on the test tumours to {_fmt(test_loss, 4)}" in prediction.why
    assert f"on {full_split.X_train.shape[0]} measurements per tumour" in prediction.why


def test_the_training_step_quotes_the_training_loss_from_its_start_to_its_end(full_split):
    """Step 13's 'the training loss fell from … to …': the untrained network's loss on the training rows and the
    trained one's, recomputed with plain nn_core at the training page's defaults."""
    defaults = lesson.TRAINING_DEFAULTS
    X, Y = full_split.X_train, full_split.Y_train
    before = loss(forward(init_params(X.shape[0], defaults.hidden, seed=defaults.init_seed), X), Y)
    trained, _ = train(init_params(X.shape[0], defaults.hidden, seed=defaults.init_seed), X, Y, lr=defaults.lr,
                       iterations=defaults.iterations)
    run = lesson.training_run(full_split)
    why = _step("training").predict((run, lesson.test_accuracy(run, full_split), full_split)).why
    assert f"the training loss fell from {_fmt(before, 4)} to {_fmt(loss(forward(trained, X), Y), 4)}, " in why


def _test_row_curve(optimizer: str, l2: float, X, Y, X_test, Y_test, iterations: int) -> list[float]:
    """Plain nn_core training (no lessons code), the test rows' loss after every update."""
    params = init_params(X.shape[0], 15, seed=1)
    curve = [loss(forward(params, X_test), Y_test)]
    train(params, X, Y, lr=0.1, iterations=iterations, optimizer=optimizer, l2=l2,
          callback=lambda step, p, _: curve.append(loss(forward(p, X_test), Y_test)) and False)
    return curve


def test_overfitting_compares_both_runs_on_the_same_test_rows(full_split):
    """Step 14: every number on the same 114 test rows — the overfit run's curve at every update, and each kept
    model's loss and accuracy — recomputed here with plain nn_core; the cure's held-out rows are only named."""
    from lessons.presets import CURE_IT, SEE_OVERFITTING
    from nn_core.training import validation_columns

    see, cure = lesson.overfitting_runs(full_split)
    X, Y, X_test, Y_test = full_split.X_train, full_split.Y_train, full_split.X_test, full_split.Y_test
    curve = _test_row_curve(SEE_OVERFITTING.optimizer, 0.0, X, Y, X_test, Y_test, SEE_OVERFITTING.iterations)
    assert np.allclose(see.test_curve, curve)
    lowest = int(np.argmin(curve))
    why = _step("overfitting").predict((see, cure)).why
    assert f"the loss is lowest, {_fmt(curve[lowest], 4)}, after {lowest} updates and {_fmt(curve[-1], 4)} " \
           f"after {SEE_OVERFITTING.iterations}" in why
    fit, held_out = validation_columns(Y)
    assert cure.test_loss == pytest.approx(loss(forward(cure.params, X_test), Y_test))
    cure_curve = _test_row_curve(CURE_IT.optimizer, CURE_IT.l2, X[:, fit], Y[:, fit], X_test, Y_test,
                                 cure.early_stop)
    assert cure.test_loss == pytest.approx(cure_curve[cure.best_iteration])  # the kept weights, on the test rows
    see_accuracy = float(np.mean(predict(see.params, X_test) == Y_test))
    cure_accuracy = float(np.mean(predict(cure.params, X_test) == Y_test))
    assert (f"On the same {Y_test.shape[1]} test tumours that model's loss is {_fmt(cure.test_loss, 4)}, "
            f"{_fmt(curve[-1] / cure.test_loss, 2)}× lower than the overfit model's {_fmt(curve[-1], 4)}") in why
    assert f"{cure_accuracy:.1%} of them correctly against the overfit model's {see_accuracy:.1%}" in why
    mistakes = round((1 - cure_accuracy) * Y_test.shape[1]) - round((1 - see_accuracy) * Y_test.shape[1])
    assert mistakes == 5 and f"{mistakes} more mistakes" in why  # what the cure costs on this split
    assert f"learns from {fit.size} training tumours and watches {held_out.size} others" in why
    # each number followed by the words after it: "λ = 3" is also the start of "λ = 30"
    assert f"weight decay λ = {_fmt(CURE_IT.l2)} and early stopping)" in why
    assert f"keeps the weights of update {cure.best_iteration}. On" in why and f"after {cure.early_stop} updates" in why
    assert "0.047" not in why  # the held-out training rows' loss is never compared with the test rows'
    caption = lesson.overfitting_caption(see, cure)
    assert f"weight decay λ = {_fmt(CURE_IT.l2)} and early stopping;" in caption
    assert f"same {Y_test.shape[1]} test tumours" in caption and f"(update {cure.best_iteration})." in caption
    assert f"({see.rows.fit} for" in caption and f"holds {held_out.size} out" in caption


def test_the_overfitting_question_is_the_presets(full_split):
    from lessons.presets import SEE_OVERFITTING
    from nn_core.optimizers import OPTIMIZER_LABELS

    prompt = _step("overfitting").predict(lesson.overfitting_runs(full_split)).prompt
    assert prompt.startswith(f"Switch to {OPTIMIZER_LABELS[SEE_OVERFITTING.optimizer]}, "
                             f"η = {_fmt(SEE_OVERFITTING.lr)}, {SEE_OVERFITTING.iterations} updates")
    assert f"the {full_split.Y_test.shape[1]} held-out test tumours" in prompt


def test_a_curve_climbs_by_the_training_pages_own_threshold():
    """One "climbs" threshold: the lesson's shape of a curve and the training page's overfitting reading agree."""
    from nn_core.overfitting import RISE_RATIO, overfitting_reading

    for rise in (1.1, RISE_RATIO * 0.99, RISE_RATIO * 1.01, 2.0):
        val = [0.5, 0.2, 0.2 * rise]
        reading = overfitting_reading([0, 1, 2], [0.5, 0.1, 0.01], val)
        assert (lesson.validation_shape(val) == "falls, then climbs") == reading.overfits, rise


# ---------------------------------------------------------------------------------------- copied defaults
def test_the_landscape_page_opens_at_its_surfaces_suggested_start():
    from lessons.settings import LANDSCAPE

    surface = get_surface(LANDSCAPE["land_surface"].default)
    assert (LANDSCAPE["land_x0"].default, LANDSCAPE["land_y0"].default) == surface.suggested_start


def test_new_example_wraps_the_seed_inside_its_range():
    from lessons.settings import SEED_RANGE, STEP_THROUGH, next_seed

    low, high = SEED_RANGE
    assert STEP_THROUGH["fb_seed"].range == SEED_RANGE
    assert next_seed(low) == low + 1 and next_seed(high - 1) == high and next_seed(high) == low


# ---------------------------------------------------------------------------------------- one way to ask
def test_every_prediction_is_made_by_ask_and_fits_its_own_answer():
    import ast
    import inspect

    source = inspect.getsource(lesson)
    calls = [node.func.id for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Prediction"]
    assert len(calls) == 1  # in ask() only
    with pytest.raises(ValueError):
        lesson.ask("?", "sideways", "", options=("up", "down"))
    with pytest.raises(ValueError):
        lesson.ask("?", frozenset({"h9"}), "", options=("h1",))
    with pytest.raises(ValueError):
        lesson.ask("?", float("nan"), "", tolerance=0.1)
    with pytest.raises(ValueError):
        lesson.ask("?", 0.5, "")  # a number needs a tolerance
    assert lesson.ask("?", 0.5, "", tolerance=0.1).kind == NUMBER
