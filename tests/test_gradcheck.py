"""nn_core.gradcheck: the article's forward difference and the centred one agree with backward, and a
broken backward is caught."""

from __future__ import annotations

import numpy as np
import pytest

import nn_core.gradcheck as gradcheck_module
from nn_core import backward, gradient_check, init_params, numeric_gradient, relative_error


def problem(seed: int = 0, n_x: int = 4, n_h: int = 5, m: int = 12):
    rng = np.random.default_rng(seed)
    params = init_params(n_x, n_h, seed=seed)
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return params, X, Y


@pytest.mark.parametrize("seed", range(4))
def test_central_differences_agree_with_backprop(seed):
    params, X, Y = problem(seed)
    checks = gradient_check(params, X, Y, h=1e-5, method="central")
    assert set(checks) == {"W1", "b1", "W2", "b2"}
    for name, check in checks.items():
        assert check.numeric.shape == params[name].shape
        assert check.relative_error < 1e-7, (name, check.relative_error)


@pytest.mark.parametrize("seed", range(4))
def test_the_articles_forward_difference_agrees_to_first_order(seed):
    params, X, Y = problem(seed)
    forward_checks = gradient_check(params, X, Y, h=1e-3, method="forward")
    for name, check in forward_checks.items():
        assert 1e-9 < check.relative_error < 1e-2, name  # first order: close, but visibly not exact


def test_forward_difference_error_shrinks_with_h():
    params, X, Y = problem(1)
    errors = [gradient_check(params, X, Y, h=h, method="forward")["W2"].relative_error for h in (1e-2, 1e-3, 1e-4)]
    assert errors[0] > errors[1] > errors[2]


def test_a_broken_backward_is_caught(monkeypatch):
    """Drop the ReLU mask from dLoss_Z1 (a classic bug): the check must fail loudly."""
    params, X, Y = problem(2)

    def buggy_backward(params, X, Y, cache):
        grads = backward(params, X, Y, cache)
        dLoss_Z1 = grads["dLoss_A1"]  # missing * dRelu(Z1)
        grads["dLoss_W1"] = dLoss_Z1 @ X.T / X.shape[1]
        return grads

    monkeypatch.setattr(gradcheck_module, "backward", buggy_backward)
    checks = gradient_check(params, X, Y, h=1e-5, method="central")
    assert checks["W1"].relative_error > 1e-2
    assert checks["W2"].relative_error < 1e-7


def test_numeric_gradient_leaves_params_untouched_and_validates_arguments():
    params, X, Y = problem(3)
    before = {k: v.copy() for k, v in params.items()}
    numeric_gradient(params, X, Y, "W1", h=1e-3, method="central")
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])
    with pytest.raises(ValueError):
        numeric_gradient(params, X, Y, "W1", method="backward")
    with pytest.raises(ValueError):
        numeric_gradient(params, X, Y, "W1", h=0.0)


def test_relative_error():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
