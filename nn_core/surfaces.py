"""Toy loss surfaces of two parameters (x, y) with their exact gradients.

They stand in for a network's loss so a learner can watch one ball roll: every function here works on
scalars and on whole grids alike (NumPy broadcasting), and every gradient is analytic (the tests check
it against finite differences). All surfaces live on the same square [-3, 3]² so one start point works
for all of them, and their curvatures are scaled so that a learning rate around 0.1 is sensible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ArrayLike = np.ndarray | float
ValueFunction = Callable[[ArrayLike, ArrayLike], np.ndarray]
GradientFunction = Callable[[ArrayLike, ArrayLike], tuple[np.ndarray, np.ndarray]]

DOMAIN: tuple[float, float] = (-3.0, 3.0)


@dataclass(frozen=True)
class Minimum:
    """A known minimum of a surface: where it is, how deep, and whether it is the global one."""

    x: float
    y: float
    value: float
    is_global: bool


@dataclass(frozen=True)
class Surface:
    """A 2-parameter loss: value(x, y) and its gradient, plus what a learner should know about it."""

    key: str
    label: str
    description: str
    value: ValueFunction
    gradient: GradientFunction
    minima: tuple[Minimum, ...]
    suggested_start: tuple[float, float]
    domain: tuple[float, float] = DOMAIN

    def grid(self, resolution: int = 81) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, Z) with Z[i, j] = value(x[j], y[i]): the layout Plotly's Surface and Contour expect."""
        axis = np.linspace(self.domain[0], self.domain[1], resolution)
        X, Y = np.meshgrid(axis, axis)
        return axis, axis.copy(), self.value(X, Y)

    @property
    def global_minimum(self) -> Minimum:
        return next(m for m in self.minima if m.is_global)


# --- hills and valleys: a wide bowl with four Gaussian wells (one deepest) and a hill in the middle ---
# (centre x, centre y, depth, width): the article's picture of several valleys of different depths.
_WELLS = ((-1.6, -1.2, 2.0, 0.9), (1.5, 1.3, 1.3, 0.7), (1.4, -1.6, 1.0, 0.6), (-1.3, 1.6, 0.8, 0.6))
_HILLS = ((0.0, 0.0, 1.0, 0.8),)
_BOWL = 0.06


def _bumps(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum of the signed Gaussians and its two partial derivatives."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    value, d_x, d_y = np.zeros(np.broadcast(x, y).shape), 0.0, 0.0
    for cx, cy, height, width in [(cx, cy, -d, w) for cx, cy, d, w in _WELLS] + list(_HILLS):
        g = height * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width * width))
        value = value + g
        d_x = d_x - g * (x - cx) / (width * width)
        d_y = d_y - g * (y - cy) / (width * width)
    return value, np.broadcast_to(d_x, value.shape), np.broadcast_to(d_y, value.shape)


def hills_value(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    return _BOWL * (np.asarray(x) ** 2 + np.asarray(y) ** 2) + _bumps(x, y)[0]


def hills_gradient(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    _, d_x, d_y = _bumps(x, y)
    return 2 * _BOWL * np.asarray(x) + d_x, 2 * _BOWL * np.asarray(y) + d_y


# --- saddle: f = x²/2 + y⁴/4 − y²/2, a saddle at the origin between two equal valleys at (0, ±1) ---
def saddle_value(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y


def saddle_gradient(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x + 0.0 * y, y**3 - y + 0.0 * x


# --- narrow curved valley: Rosenbrock's banana f = s·[(1 − x)² + b·(y + 1 − x²)²], minimum at (1, 0) ---
_VALLEY_SCALE = 0.05
_VALLEY_STEEPNESS = 10.0


def valley_value(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return _VALLEY_SCALE * ((1 - x) ** 2 + _VALLEY_STEEPNESS * (y + 1 - x * x) ** 2)


def valley_gradient(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    across = y + 1 - x * x
    d_x = _VALLEY_SCALE * (-2 * (1 - x) - 4 * _VALLEY_STEEPNESS * x * across)
    d_y = _VALLEY_SCALE * (2 * _VALLEY_STEEPNESS * across)
    return d_x, d_y


# --- bowl: f = (x² + 2y²)/2, the convex case where every reasonable learning rate arrives ---
def bowl_value(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return 0.5 * (x * x + 2 * y * y)


def bowl_gradient(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return x + 0.0 * y, 2 * y + 0.0 * x


SURFACES: dict[str, Surface] = {
    "hills": Surface(
        key="hills", label="Hills and valleys",
        description="Four valleys of different depths around a hill: where the ball ends depends on where "
                    "it starts and how big its steps are — one global minimum, three local ones.",
        value=hills_value, gradient=hills_gradient,
        minima=(
            Minimum(-1.572231, -1.179139, -1.717866, True),
            Minimum(1.476937, 1.280038, -1.019154, False),
            Minimum(1.357184, -1.561408, -0.711942, False),
            Minimum(-1.273078, 1.536680, -0.530145, False),
        ),
        suggested_start=(-2.2, 0.8),
    ),
    "saddle": Surface(
        key="saddle", label="Saddle",
        description="f = x²/2 + y⁴/4 − y²/2: a valley along x, but a ridge along y = 0 between two equal minima. "
                    "A ball started exactly on the ridge stops at the saddle point (the slope there is zero); a "
                    "little gradient noise, or a start slightly off the ridge, lets it roll off.",
        value=saddle_value, gradient=saddle_gradient,
        minima=(Minimum(0.0, 1.0, -0.25, True), Minimum(0.0, -1.0, -0.25, True)),
        suggested_start=(2.5, 0.0),
    ),
    "valley": Surface(
        key="valley", label="Narrow curved valley (Rosenbrock)",
        description="Rosenbrock's banana: a steep-walled valley that bends. Gradient descent zig-zags across "
                    "it and crawls along it; momentum and Adam get much further in the same number of steps.",
        value=valley_value, gradient=valley_gradient,
        minima=(Minimum(1.0, 0.0, 0.0, True),),
        suggested_start=(-2.0, 2.0),
    ),
    "bowl": Surface(
        key="bowl", label="Simple bowl",
        description="f = (x² + 2y²)/2: one minimum and no traps. Only a too-large learning rate can go "
                    "wrong here (above 1, plain gradient descent overshoots more each step).",
        value=bowl_value, gradient=bowl_gradient,
        minima=(Minimum(0.0, 0.0, 0.0, True),),
        suggested_start=(-2.5, 2.0),
    ),
}


def get_surface(key: str) -> Surface:
    try:
        return SURFACES[key]
    except KeyError:
        raise ValueError(f"unknown surface {key!r}; choose one of {sorted(SURFACES)}") from None
