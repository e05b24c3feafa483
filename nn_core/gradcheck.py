"""The article's numeric derivative, (f(x+h) − f(x)) / h, and the centred one, against backward."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import PARAM_NAMES, Params, backward, copy_params, forward, loss

METHODS = ("forward", "central")


@dataclass(frozen=True)
class GradientCheck:
    """One parameter's comparison: numeric and analytic gradients, and how far apart they are."""

    name: str
    numeric: np.ndarray
    analytic: np.ndarray

    @property
    def difference(self) -> np.ndarray:
        return self.numeric - self.analytic

    @property
    def relative_error(self) -> float:
        """‖numeric − analytic‖ / (‖numeric‖ + ‖analytic‖), 0 when both are 0."""
        return relative_error(self.numeric, self.analytic)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The norm-based relative error used across the app and the tests."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denominator) if denominator > 0 else 0.0


def numeric_gradient(params: Params, X: np.ndarray, Y: np.ndarray, name: str, h: float = 1e-3,
                     method: str = "forward") -> np.ndarray:
    """d(loss)/d(params[name]) by nudging one entry at a time (a loop over weights, not samples)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    if not h > 0:
        raise ValueError("h must be positive")
    probe = copy_params(params)
    target = probe[name]
    base = loss(forward(probe, X), Y)
    grad = np.zeros_like(target)
    for index in np.ndindex(target.shape):
        original = target[index]
        target[index] = original + h
        plus = loss(forward(probe, X), Y)
        if method == "forward":
            grad[index] = (plus - base) / h
        else:
            target[index] = original - h
            grad[index] = (plus - loss(forward(probe, X), Y)) / (2 * h)
        target[index] = original
    return grad


def gradient_check(params: Params, X: np.ndarray, Y: np.ndarray, h: float = 1e-3,
                   method: str = "forward") -> dict[str, GradientCheck]:
    """For W1, b1, W2, b2: the numeric derivative next to back-propagation's dLoss_*."""
    grads = backward(params, X, Y, forward(params, X))
    return {
        name: GradientCheck(name, numeric_gradient(params, X, Y, name, h, method), grads["dLoss_" + name])
        for name in PARAM_NAMES
    }
