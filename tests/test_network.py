"""nn_core.network: the article's shapes and initialization, every dLoss_* against finite differences,
stability for saturated logits, and vectorization over samples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from nn_core import (
    GRADIENT_NAMES,
    backward,
    d_relu,
    d_sigmoid,
    forward,
    init_params,
    loss,
    loss_from_logits,
    parameter_gradients,
    predict,
    predict_proba,
    relative_error,
    relu,
    sigmoid,
)

H = 1e-6  # central differences in float64: truncation ~h², round-off ~1e-16/h
# Round-off of a central difference is ~1e-16·|loss| / h ≈ 1e-10 per entry: below this absolute size a
# difference is noise, so a gradient that is itself ~1e-5 is judged by this floor, not by its ratio.
ROUND_OFF_FLOOR = 1e-9


def assert_gradient_matches(numeric: np.ndarray, analytic: np.ndarray, name: str) -> None:
    """Relative error ≤ 1e-6, or a difference no larger than finite differences can resolve."""
    close = np.linalg.norm(numeric - analytic) <= ROUND_OFF_FLOOR * np.sqrt(numeric.size)
    assert close or relative_error(numeric, analytic) <= 1e-6, (name, relative_error(numeric, analytic))


def numeric_derivative(f, x: np.ndarray, h: float = H) -> np.ndarray:
    """Central-difference d f / d x, one entry at a time (shapes in these tests are small)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = f()
        x[index] = original - h
        minus = f()
        x[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def random_problem(n_x: int, n_h: int, m: int, seed: int):
    rng = np.random.default_rng(seed)
    params = init_params(n_x, n_h, seed=seed)
    params["b1"] = rng.normal(0, 0.5, size=(n_h, 1))
    params["b2"] = rng.normal(0, 0.5, size=(1, 1))
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return params, X, Y


def bce_from_probabilities(Yh: np.ndarray, Y: np.ndarray) -> float:
    """The article's nloss, used only where Yh is safely inside (0, 1)."""
    return float(np.mean(-(Y * np.log(Yh) + (1 - Y) * np.log(1 - Yh))))


# ---------------------------------------------------------------- initialization and shapes

def test_init_params_matches_the_article_nInit():
    n_x, n_h = 9, 15
    np.random.seed(1)  # noqa: NPY002 — the article's own global seeding, on purpose
    W1 = np.random.randn(n_h, n_x) / np.sqrt(n_x)  # noqa: NPY002
    W2 = np.random.randn(1, n_h) / np.sqrt(n_h)  # noqa: NPY002
    params = init_params(n_x, n_h, seed=1)
    np.testing.assert_array_equal(params["W1"], W1)
    np.testing.assert_array_equal(params["W2"], W2)
    np.testing.assert_array_equal(params["b1"], np.zeros((n_h, 1)))
    np.testing.assert_array_equal(params["b2"], np.zeros((1, 1)))


def test_forward_and_backward_shapes_follow_the_article():
    n_x, n_h, m = 4, 3, 8
    params, X, Y = random_problem(n_x, n_h, m, seed=0)
    cache = forward(params, X)
    assert {k: v.shape for k, v in cache.items()} == {"Z1": (n_h, m), "A1": (n_h, m), "Z2": (1, m), "Yh": (1, m)}
    grads = backward(params, X, Y, cache)
    expected = {
        "dLoss_Yh": (1, m), "dLoss_Z2": (1, m), "dLoss_A1": (n_h, m), "dLoss_W2": (1, n_h), "dLoss_b2": (1, 1),
        "dLoss_Z1": (n_h, m), "dLoss_W1": (n_h, n_x), "dLoss_b1": (n_h, 1), "dLoss_A0": (n_x, m),
    }
    assert {k: v.shape for k, v in grads.items()} == expected
    assert tuple(grads)[: len(GRADIENT_NAMES)] == GRADIENT_NAMES


def test_forward_is_the_article_forward():
    params, X, _ = random_problem(5, 4, 7, seed=3)
    cache = forward(params, X)
    Z1 = params["W1"].dot(X) + params["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = params["W2"].dot(A1) + params["b2"]
    np.testing.assert_allclose(cache["Z1"], Z1, rtol=1e-14)
    np.testing.assert_allclose(cache["A1"], A1, rtol=1e-14)
    np.testing.assert_allclose(cache["Z2"], Z2, rtol=1e-14)
    np.testing.assert_allclose(cache["Yh"], 1 / (1 + np.exp(-Z2)), rtol=1e-14)


# ---------------------------------------------------------------- finite-difference checks

shapes = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 9), st.integers(0, 10_000))


@settings(max_examples=40, deadline=None)
@given(shapes)
@example((1, 3, 1, 63))  # found by hypothesis: a dLoss_b1 of ~1e-5, where round-off dominates the ratio
def test_parameter_gradients_match_finite_differences(shape):
    n_x, n_h, m, seed = shape
    params, X, Y = random_problem(n_x, n_h, m, seed)
    cache = forward(params, X)
    assume(np.abs(cache["Z1"]).min() > 1e-3)  # a ReLU kink inside ±h would make any numeric derivative wrong
    grads = backward(params, X, Y, cache)
    for name in ("W1", "b1", "W2", "b2"):
        numeric = numeric_derivative(lambda: loss(forward(params, X), Y), params[name])
        assert_gradient_matches(numeric, grads["dLoss_" + name], name)


@settings(max_examples=40, deadline=None)
@given(shapes)
@example((3, 1, 9, 3))  # found by hypothesis: Z2 = 9.996, 1 - Yh = 4.6e-5, where a plain step of 1e-6 is too coarse
def test_per_sample_gradients_match_finite_differences(shape):
    """dLoss_Yh, dLoss_Z2, dLoss_A1, dLoss_Z1 (and dLoss_A0) are per sample in the article: m · ∂(mean loss)."""
    n_x, n_h, m, seed = shape
    params, X, Y = random_problem(n_x, n_h, m, seed)
    cache = forward(params, X)
    assume(np.abs(cache["Z1"]).min() > 1e-3)
    assume(np.abs(cache["Z2"]).max() < 10)  # keep Yh inside (0, 1) for the probability-space loss
    grads = backward(params, X, Y, cache)
    W2, b2 = params["W2"], params["b2"]
    Yh, Z2, A1, Z1 = (cache[k].copy() for k in ("Yh", "Z2", "A1", "Z1"))
    # -log(1 - Yh) curves hard as Yh nears 1: a central difference's error, h²/(3(1 - Yh)²) relative, stays under
    # 1e-6 only with a step that shrinks with the distance to 0 or 1 (Z2 = 9.996: 8e-5 with the plain H).
    yh_step = min(H, 1e-3 * min(Yh.min(), 1 - Yh.max()))
    checks = {
        "dLoss_Yh": (Yh, lambda: bce_from_probabilities(Yh, Y), yh_step),
        "dLoss_Z2": (Z2, lambda: loss_from_logits(Z2, Y), H),
        "dLoss_A1": (A1, lambda: loss_from_logits(W2 @ A1 + b2, Y), H),
        "dLoss_Z1": (Z1, lambda: loss_from_logits(W2 @ relu(Z1) + b2, Y), H),
        "dLoss_A0": (X, lambda: loss(forward(params, X), Y), H),
    }
    for name, (variable, f, step) in checks.items():
        numeric = m * numeric_derivative(f, variable, h=step)
        assert_gradient_matches(numeric, grads[name], name)


def test_stable_dLoss_Z2_equals_the_article_chain():
    """dLoss_Z2 = Yh − Y is the article's dLoss_Yh · dSigmoid(Z2), element by element."""
    params, X, Y = random_problem(6, 5, 16, seed=11)
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    chain = grads["dLoss_Yh"] * d_sigmoid(cache["Z2"])
    np.testing.assert_allclose(grads["dLoss_Z2"], chain, rtol=1e-12, atol=1e-12)


def test_dLoss_Yh_equals_the_article_formula_where_it_is_finite():
    params, X, Y = random_problem(4, 4, 12, seed=5)
    cache = forward(params, X)
    Yh = cache["Yh"]
    article = -(np.divide(Y, Yh) - np.divide(1 - Y, 1 - Yh))
    np.testing.assert_allclose(backward(params, X, Y, cache)["dLoss_Yh"], article, rtol=1e-10)


# ---------------------------------------------------------------- stability

@pytest.mark.parametrize("logit", [-1e4, -750.0, -40.0, 0.0, 40.0, 750.0, 1e4])
def test_loss_and_gradients_stay_finite_for_saturated_logits(logit):
    params, X, _ = random_problem(3, 2, 4, seed=1)
    params["W2"] = np.zeros_like(params["W2"])
    params["b2"] = np.array([[logit]])
    for label in (0.0, 1.0):
        Y = np.full((1, 4), label)
        cache = forward(params, X)
        assert cache["Z2"].min() == logit
        value = loss(cache, Y)
        assert np.isfinite(value)
        expected = np.logaddexp(0, logit) - label * logit  # exact mean BCE when every logit is equal
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-300)
        for name, grad in backward(params, X, Y, cache).items():
            assert np.isfinite(grad).all(), name


def test_huge_weights_give_finite_loss_and_gradients():
    params, X, Y = random_problem(5, 4, 10, seed=2)
    params["W2"] *= 1e4
    params["W1"] *= 1e3
    cache = forward(params, X)
    assert np.abs(cache["Z2"]).max() > 1e4
    assert np.isfinite(loss(cache, Y))
    assert all(np.isfinite(g).all() for g in backward(params, X, Y, cache).values())


def test_sigmoid_is_exact_and_never_overflows():
    z = np.array([-1e308, -1e4, -30.0, -1.0, 0.0, 1.0, 30.0, 1e4, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        s = sigmoid(z)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(sigmoid(z[2:-2]), 1 / (1 + np.exp(-z[2:-2])), rtol=1e-14)


# ---------------------------------------------------------------- small cases and prediction

@pytest.mark.parametrize(("n_x", "n_h", "m"), [(3, 4, 1), (3, 1, 5), (1, 1, 1)])
def test_single_sample_and_single_hidden_unit_work(n_x, n_h, m):
    params, X, Y = random_problem(n_x, n_h, m, seed=4)
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    assert np.isfinite(loss(cache, Y))
    assert grads["dLoss_W1"].shape == (n_h, n_x)
    assert grads["dLoss_b2"].shape == (1, 1)


def test_predict_uses_the_threshold_like_the_article():
    params, X, _ = random_problem(4, 3, 50, seed=8)
    Yh = predict_proba(params, X)
    for threshold in (0.3, 0.5, 0.7, 0.9):
        np.testing.assert_array_equal(predict(params, X, threshold), (Yh > threshold).astype(int))


# ---------------------------------------------------------------- vectorization

class IndexCountingArray(np.ndarray):
    """An ndarray that counts how often it is indexed or iterated — a loop over samples would show."""

    count = 0

    def __getitem__(self, item):
        IndexCountingArray.count += 1
        return super().__getitem__(item)

    def __iter__(self):
        IndexCountingArray.count += 1
        return super().__iter__()


@pytest.mark.parametrize("function", ["forward", "backward", "parameter_gradients"])
def test_no_python_loop_over_samples(function):
    counts = []
    for m in (3, 300):
        params, X, Y = random_problem(4, 3, m, seed=0)
        X = X.view(IndexCountingArray)
        Y = Y.view(IndexCountingArray)
        IndexCountingArray.count = 0
        cache = forward(params, X)
        if function == "backward":
            backward(params, X, Y, cache)
        elif function == "parameter_gradients":
            parameter_gradients(params, X, Y, cache)
        counts.append(IndexCountingArray.count)
    assert counts[0] == counts[1] <= 2


def test_loss_is_never_negative_when_every_sample_is_fitted_with_huge_logits():
    rng = np.random.default_rng(0)
    Z2 = rng.normal(size=(1, 500)) * 1e4
    Y = (Z2 > 0).astype(float)
    assert 0.0 <= loss_from_logits(Z2, Y) < 1e-9


def test_d_relu_is_zero_at_zero_like_the_article():
    """The article's dRelu: 1 where z > 0, else 0 — including z exactly 0."""
    Z = np.array([[-1.0, 0.0, 1e-300, 2.0]])
    np.testing.assert_array_equal(d_relu(Z), [[0.0, 0.0, 1.0, 1.0]])


def test_backward_blocks_the_gradient_where_Z1_is_exactly_zero():
    """Min-max scaled data makes Z1 exactly 0 often (a zero row of W1 against zero inputs). At Z1 = 0 the
    ReLU is off, so dLoss_Z1 must be 0 there and that sample adds nothing to dLoss_W1 and dLoss_b1."""
    rng = np.random.default_rng(3)
    X = rng.random((3, 6))
    X[:, :3] = 0.0  # three samples of all-zero inputs: with b1 = 0, every Z1 of theirs is exactly 0
    params = init_params(3, 4, seed=2)
    params["b1"] = np.zeros((4, 1))
    Y = np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 1.0]])
    cache = forward(params, X)
    assert (cache["Z1"][:, :3] == 0).all()
    grads = backward(params, X, Y, cache)
    np.testing.assert_array_equal(grads["dLoss_Z1"][:, :3], 0.0)
    live = cache["Z1"][:, 3:] > 0
    expected_b1 = (grads["dLoss_A1"][:, 3:] * live).sum(axis=1, keepdims=True) / X.shape[1]
    np.testing.assert_allclose(grads["dLoss_b1"], expected_b1, rtol=0, atol=1e-15)
