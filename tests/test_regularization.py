"""L2 weight decay: the penalty's formula, its gradient against finite differences, biases left alone,
training with λ = 0 bit-for-bit the undecayed arithmetic, and λ > 0 shrinking the weights."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nn_core import init_params
from nn_core.diagnostics import TrainingMonitor
from nn_core.network import (
    backward,
    forward,
    l2_penalty,
    loss,
    parameter_gradients,
)
from nn_core.training import train
from tests.test_network import assert_gradient_matches, numeric_derivative, random_problem


def test_penalty_is_lambda_over_2m_times_the_squared_weights_without_biases():
    params, X, Y = random_problem(4, 3, 10, seed=1)
    expected = 0.7 / (2 * 10) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert l2_penalty(params, 10, 0.7) == pytest.approx(expected, rel=1e-14)
    assert l2_penalty(params, 10, 0.0) == 0.0
    params["b1"] += 100.0  # biases are not decayed
    assert l2_penalty(params, 10, 0.7) == pytest.approx(expected, rel=1e-14)


@settings(max_examples=30, deadline=None)
@given(st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 8), st.integers(0, 10_000)),
       st.sampled_from([0.01, 0.5, 3.0]))
def test_decayed_gradients_match_finite_differences(shape, l2):
    n_x, n_h, m, seed = shape
    params, X, Y = random_problem(n_x, n_h, m, seed)
    cache = forward(params, X)
    assume(np.abs(cache["Z1"]).min() > 1e-3)  # a ReLU kink inside ±h would make any numeric derivative wrong
    grads = backward(params, X, Y, cache, l2=l2)
    for name in ("W1", "b1", "W2", "b2"):
        numeric = numeric_derivative(lambda: loss(forward(params, X), Y) + l2_penalty(params, m, l2), params[name])
        assert_gradient_matches(numeric, grads["dLoss_" + name], name)


def test_decay_adds_lambda_over_m_times_w_to_the_weights_only():
    params, X, Y = random_problem(5, 4, 12, seed=7)
    cache = forward(params, X)
    plain = parameter_gradients(params, X, Y, cache)
    decayed = parameter_gradients(params, X, Y, cache, l2=2.0)
    for name in ("W1", "W2"):
        np.testing.assert_allclose(decayed["dLoss_" + name] - plain["dLoss_" + name], 2.0 / 12 * params[name],
                                   rtol=1e-12, atol=1e-15)
    for name in ("dLoss_b1", "dLoss_b2", "dLoss_Z1", "dLoss_Z2", "dLoss_A1"):
        np.testing.assert_array_equal(decayed[name], plain[name])


@pytest.mark.parametrize(("optimizer", "batch_size"), [("gd", None), ("adam", None), ("momentum", 32)])
def test_lambda_zero_is_bit_for_bit_the_undecayed_loop(split, optimizer, batch_size):
    """``train(l2=0)`` against the loop written out with the undecayed core functions: identical bits."""
    from nn_core.optimizers import get_step_function
    from nn_core.training import _batches

    params0 = init_params(30, 15, seed=1)
    trained, losses = train(params0, split.X_train, split.Y_train, lr=0.05, iterations=40, optimizer=optimizer,
                            batch_size=batch_size, seed=3, l2=0.0)
    step = get_step_function(optimizer)
    params = {name: value.copy() for name, value in params0.items()}
    states = {name: {} for name in params}
    batches = _batches(split.X_train, split.Y_train, batch_size, 3)
    expected = []
    for t in range(1, 41):
        X, Y = next(batches)
        inv_m = 1.0 / X.shape[1]
        Z1 = params["W1"] @ X + params["b1"]
        A1 = np.maximum(Z1, 0.0)
        Z2 = params["W2"] @ A1 + params["b2"]
        Yh = 1.0 / (1.0 + np.exp(-Z2))
        expected.append(float((np.logaddexp(0.0, Z2) - Y * Z2).sum() / Z2.size))
        dZ2 = forward(params, X)["Yh"] - Y  # expit, as the core uses (1/(1+e^-z) may differ in the last bit)
        assert np.allclose(dZ2, Yh - Y, rtol=0, atol=1e-15)
        dZ1 = (params["W2"].T @ dZ2) * (Z1 > 0)
        grads = {"W2": (dZ2 @ A1.T) * inv_m, "b2": dZ2.sum(axis=1, keepdims=True) * inv_m,
                 "W1": (dZ1 @ X.T) * inv_m, "b1": dZ1.sum(axis=1, keepdims=True) * inv_m}
        for name in ("W1", "b1", "W2", "b2"):
            params[name] -= step(grads[name], states[name], 0.05, t)
    np.testing.assert_array_equal(losses, np.array(expected))
    for name in params:
        np.testing.assert_array_equal(trained[name], params[name])


def test_decay_shrinks_the_weights_and_records_the_penalised_loss(split):
    params0 = init_params(30, 15, seed=1)
    plain, plain_losses = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=200, optimizer="adam")
    decayed, decayed_losses = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=200, optimizer="adam",
                                    l2=3.0)
    assert np.linalg.norm(decayed["W1"]) < 0.7 * np.linalg.norm(plain["W1"])
    assert np.linalg.norm(decayed["W2"]) < 0.7 * np.linalg.norm(plain["W2"])
    m = split.X_train.shape[1]
    assert decayed_losses[0] == pytest.approx(loss(forward(params0, split.X_train), split.Y_train)
                                              + l2_penalty(params0, m, 3.0), rel=1e-12)
    assert plain_losses[0] == pytest.approx(loss(forward(params0, split.X_train), split.Y_train), rel=1e-12)


def test_monitor_records_the_l2_term_beside_the_cross_entropy(split):
    params = init_params(30, 15, seed=1)
    monitor = TrainingMonitor(split.X_train, split.Y_train, split.X_test, split.Y_test, l2=2.0)
    monitor.record(0, params)
    assert monitor.train_loss[0] == pytest.approx(loss(forward(params, split.X_train), split.Y_train), rel=1e-14)
    assert monitor.l2_term[0] == pytest.approx(l2_penalty(params, split.X_train.shape[1], 2.0), rel=1e-14)
    assert monitor.l2_term[0] > 0


def test_negative_lambda_is_refused():
    with pytest.raises(ValueError):
        train(init_params(2, 2), np.ones((2, 3)), np.ones((1, 3)), lr=0.1, iterations=1, l2=-1.0)
