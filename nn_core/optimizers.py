"""Optimizers as small step functions that work on any array (a weight matrix or a 2-vector).

Each ``*_step(grad, state, lr, t)`` returns the amount to subtract from the parameter and keeps its
running averages in ``state`` (a dict owned by the caller, one per parameter). t counts from 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

StepFunction = Callable[[np.ndarray, dict, float, int], np.ndarray]

MOMENTUM_BETA = 0.9
RMSPROP_RHO = 0.9
ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
EPSILON = 1e-8


def gd_step(grad: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """Plain gradient descent, the article's update: θ ← θ − lr·g."""
    return lr * grad


def momentum_step(grad: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """Heavy ball: v ← β·v + g, θ ← θ − lr·v. The ball keeps rolling through flat parts."""
    velocity = state.get("velocity")
    velocity = grad.copy() if velocity is None else MOMENTUM_BETA * velocity + grad
    state["velocity"] = velocity
    return lr * velocity


def rmsprop_step(grad: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """RMSProp: divide by a running root-mean-square of g, so steep and flat directions move alike."""
    mean_square = state.get("mean_square", 0.0)
    mean_square = RMSPROP_RHO * mean_square + (1.0 - RMSPROP_RHO) * grad * grad
    state["mean_square"] = mean_square
    return lr * grad / (np.sqrt(mean_square) + EPSILON)


def adam_step(grad: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """Adam: momentum on g and RMSProp on g², both bias-corrected; its first step is lr·sign(g)."""
    m = ADAM_BETA1 * state.get("m", 0.0) + (1.0 - ADAM_BETA1) * grad
    v = ADAM_BETA2 * state.get("v", 0.0) + (1.0 - ADAM_BETA2) * grad * grad
    state["m"], state["v"] = m, v
    m_hat = m / (1.0 - ADAM_BETA1**t)
    v_hat = v / (1.0 - ADAM_BETA2**t)
    return lr * m_hat / (np.sqrt(v_hat) + EPSILON)


OPTIMIZERS: dict[str, StepFunction] = {
    "gd": gd_step,
    "momentum": momentum_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
}
OPTIMIZER_LABELS: dict[str, str] = {
    "gd": "Gradient descent", "momentum": "Momentum", "rmsprop": "RMSProp", "adam": "Adam",
}


def get_step_function(name: str) -> StepFunction:
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}") from None
