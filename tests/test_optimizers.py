"""Each optimizer's first steps against values worked out by hand from its update rule."""

import numpy as np
import pytest

from nn_core.optimizers import (
    ADAM_BETA1,
    ADAM_BETA2,
    EPSILON,
    MOMENTUM_BETA,
    OPTIMIZERS,
    RMSPROP_RHO,
    adam_step,
    gd_step,
    get_step_function,
    momentum_step,
    rmsprop_step,
)

G1 = np.array([0.5, -2.0, 0.0])
G2 = np.array([1.0, 1.0, -3.0])
LR = 0.1


def test_gd_step_is_lr_times_gradient():
    np.testing.assert_array_equal(gd_step(G1, {}, LR, 1), [0.05, -0.2, 0.0])


def test_momentum_accumulates_velocity():
    state: dict = {}
    np.testing.assert_allclose(momentum_step(G1, state, LR, 1), [0.05, -0.2, 0.0])
    # v2 = 0.9 * [0.5, -2, 0] + [1, 1, -3] = [1.45, -0.8, -3]
    np.testing.assert_allclose(momentum_step(G2, state, LR, 2), [0.145, -0.08, -0.3])
    assert MOMENTUM_BETA == 0.9


def test_rmsprop_first_step_is_lr_sign_over_sqrt_one_minus_rho():
    state: dict = {}
    first = rmsprop_step(G1, state, LR, 1)
    # mean square = 0.1·g², so the step is lr·g/(√0.1·|g|) = lr·sign(g)/√0.1 ≈ 0.316·sign(g)
    np.testing.assert_allclose(first, LR * np.sign(G1) / np.sqrt(1 - RMSPROP_RHO), rtol=1e-6)
    second = rmsprop_step(G2, state, LR, 2)
    mean_square = 0.9 * 0.1 * G1**2 + 0.1 * G2**2
    np.testing.assert_allclose(second, LR * G2 / (np.sqrt(mean_square) + EPSILON))


def test_adam_first_step_is_lr_times_sign_of_gradient():
    state: dict = {}
    np.testing.assert_allclose(adam_step(G1, state, LR, 1), LR * np.sign(G1), rtol=1e-6, atol=1e-12)


def test_adam_second_step_by_hand():
    state: dict = {}
    adam_step(G1, state, LR, 1)
    second = adam_step(G2, state, LR, 2)
    m = ADAM_BETA1 * (1 - ADAM_BETA1) * G1 + (1 - ADAM_BETA1) * G2
    v = ADAM_BETA2 * (1 - ADAM_BETA2) * G1**2 + (1 - ADAM_BETA2) * G2**2
    m_hat, v_hat = m / (1 - ADAM_BETA1**2), v / (1 - ADAM_BETA2**2)
    np.testing.assert_allclose(second, LR * m_hat / (np.sqrt(v_hat) + EPSILON))
    # first component: g went 0.5 → 1.0, so Adam's step is close to lr but below it
    assert 0.09 < second[0] < 0.1


def test_every_optimizer_is_registered_and_unknown_names_fail():
    assert set(OPTIMIZERS) == {"gd", "momentum", "rmsprop", "adam"}
    assert get_step_function("adam") is adam_step
    with pytest.raises(ValueError, match="unknown optimizer"):
        get_step_function("lbfgs")
