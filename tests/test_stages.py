"""The stage definitions: complete, in the article's order, and every number they show comes from nn_core."""

import numpy as np
import pytest

from lessons.stage_panels import gradient_check_items, sigmoid_chain_items, stage_items
from lessons.stages import MATRIX_AXES, STAGE_KEYS, STAGES, STAGES_BY_KEY, axis_labels, shapes_text, stage_neighbours
from lessons.step_through import choose_samples, collect_matrices, gradient_check_passes, sigmoid_chain_at_z2
from nn_core.data import load_cancer, split_and_scale
from nn_core.gradcheck import gradient_check
from nn_core.network import GRADIENT_NAMES, PARAM_NAMES, backward, d_sigmoid, forward, init_params, loss
from viz.heatmaps import MatrixPanel

FEATURES = ("mean radius", "mean texture", "worst concave points")


@pytest.fixture(scope="module")
def three_feature_split():
    dataset = load_cancer()
    return split_and_scale(dataset, features=[dataset.feature_names.index(name) for name in FEATURES])


def example(three_feature_split, m: int = 5, n_h: int = 4, seed: int = 1):
    chosen = choose_samples(three_feature_split.Y_train, m, seed)
    X, Y = three_feature_split.X_train[:, chosen], three_feature_split.Y_train[:, chosen]
    return init_params(X.shape[0], n_h, seed=seed), X, Y


def test_stages_follow_the_issue_order():
    assert STAGE_KEYS == (
        "X", "W1_b1", "Z1", "A1", "W2_b2", "Z2", "Yh", "Loss",
        "dLoss_Yh", "dLoss_Z2", "dLoss_A1", "dLoss_W2", "dLoss_b2", "dLoss_Z1", "dLoss_W1", "dLoss_b1",
        "update",
    )
    phases = [stage.phase for stage in STAGES]
    assert phases == sorted(phases, key=["forward", "backward", "update"].index)
    # every gradient the update needs is a backward stage of its own
    assert {f"dLoss_{name}" for name in PARAM_NAMES} <= set(STAGE_KEYS)
    assert set(GRADIENT_NAMES) - {"dLoss_A0"} <= set(STAGE_KEYS)


@pytest.mark.parametrize("stage", STAGES, ids=lambda stage: stage.key)
def test_every_stage_is_complete(stage, three_feature_split):
    params, X, Y = example(three_feature_split)
    matrices = collect_matrices(params, X, Y, lr=0.5)
    assert stage.formula and stage.numpy_line and stage.meaning and stage.title
    assert stage.computed, "every stage highlights something"
    assert not set(stage.inputs) & set(stage.computed)
    for name in stage.inputs + stage.computed:
        assert name in MATRIX_AXES and name in matrices
        assert name in stage.layout, f"{name} is not drawn"
    # the shape line names only matrices that exist, so no "{...}" survives the formatting
    assert "{" not in shapes_text(stage, matrices)
    items = stage_items(stage, matrices, FEATURES)
    panels = [item for item in items if isinstance(item, MatrixPanel)]
    assert [panel.name for panel in panels] == list(stage.shown)
    assert {panel.name for panel in panels if panel.highlight} == set(stage.computed)


def test_shapes_read_like_the_issue(three_feature_split):
    params, X, Y = example(three_feature_split, m=8, n_h=4)
    matrices = collect_matrices(params, X, Y, lr=0.5)
    assert shapes_text(STAGES_BY_KEY["Z1"], matrices) == "(4, 3) · (3, 8) + (4, 1) → (4, 8)"
    assert shapes_text(STAGES_BY_KEY["dLoss_W1"], matrices) == "(4, 8) · (3, 8)ᵀ / m → (4, 3)"


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 42])
def test_collected_matrices_are_nn_cores(three_feature_split, seed):
    params, X, Y = example(three_feature_split, m=6, n_h=5, seed=seed)
    lr = 0.3
    matrices = collect_matrices(params, X, Y, lr)
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    for name, value in {**params, **cache, **grads}.items():
        np.testing.assert_array_equal(matrices[name], value)
    assert matrices["Loss"].item() == loss(cache, Y)
    # the update is the article's: W ← W − lr·dLoss_W (checked here with explicit arithmetic)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(matrices[f"new {name}"], params[name] - lr * grads[f"dLoss_{name}"], rtol=0,
                                   atol=1e-15)
    assert matrices["new Loss"].item() < matrices["Loss"].item()


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 11, 99])
def test_dloss_z2_identity_holds_to_1e_12(three_feature_split, seed):
    params, X, Y = example(three_feature_split, m=16, n_h=8, seed=seed)
    matrices = collect_matrices(params, X, Y, lr=0.5)
    chain = sigmoid_chain_at_z2(matrices)
    np.testing.assert_allclose(chain["dLoss_Yh ⊙ dSigmoid(Z2)"], chain["Yh − Y"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(chain["Yh − Y"], matrices["dLoss_Z2"], rtol=0, atol=0)
    np.testing.assert_array_equal(chain["dSigmoid(Z2)"], d_sigmoid(matrices["Z2"]))
    items = sigmoid_chain_items(matrices, FEATURES)
    assert [item.name for item in items if isinstance(item, MatrixPanel) and item.highlight] == [
        "dLoss_Yh ⊙ dSigmoid(Z2)", "Yh − Y"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_gradient_check_passes_for_several_seeds(three_feature_split, seed):
    params, X, Y = example(three_feature_split, m=5, n_h=4, seed=seed)
    for method in ("forward", "central"):
        checks = gradient_check(params, X, Y, h=1e-3, method=method)
        assert all(gradient_check_passes(checks[name], method) for name in PARAM_NAMES), {
            name: checks[name].relative_error for name in PARAM_NAMES}


def test_gradient_check_fails_on_a_wrong_gradient(three_feature_split):
    """The verdict can fail: a gradient that forgot the 1/m of the article is caught."""
    params, X, Y = example(three_feature_split, m=5)
    checks = gradient_check(params, X, Y, h=1e-3, method="central")
    wrong = type(checks["W1"])("W1", checks["W1"].numeric, checks["W1"].analytic * X.shape[1])
    assert not gradient_check_passes(wrong, "central")
    assert not gradient_check_passes(wrong, "forward")


def test_gradient_check_items_draw_difference_on_the_gradient_scale(three_feature_split):
    params, X, Y = example(three_feature_split)
    checks = gradient_check(params, X, Y, h=1e-3, method="forward")
    panels = [item for item in gradient_check_items(checks, "forward", FEATURES) if isinstance(item, MatrixPanel)]
    assert len(panels) == 3 * len(PARAM_NAMES)
    difference = next(panel for panel in panels if panel.name == "difference W1")
    np.testing.assert_array_equal(difference.values, checks["W1"].difference)
    assert difference.color_limit == pytest.approx(np.abs(checks["W1"].analytic).max())


def test_choose_samples_is_reproducible_and_has_both_classes(three_feature_split):
    for m in (2, 5, 16):
        chosen = choose_samples(three_feature_split.Y_train, m, seed=3)
        assert len(set(chosen.tolist())) == m
        assert set(three_feature_split.Y_train[0, chosen].tolist()) == {0.0, 1.0}
        np.testing.assert_array_equal(chosen, choose_samples(three_feature_split.Y_train, m, seed=3))
    labels = three_feature_split.Y_train
    assert not np.array_equal(choose_samples(labels, 8, 3), choose_samples(labels, 8, 4))


def test_axis_labels_and_neighbours():
    assert axis_labels("samples", 3) == ["s1", "s2", "s3"]
    assert axis_labels("hidden units", 2) == ["h1", "h2"]
    assert axis_labels("features", 2) == ["f1", "f2"]
    assert stage_neighbours("X") == (None, "W1_b1")
    assert stage_neighbours("update") == ("dLoss_b1", None)
    assert stage_neighbours("dLoss_Z1") == ("dLoss_b2", "dLoss_W1")
