"""Rolling a ball down a toy surface with the same optimizer step functions that train the network.

The path is the list of (x, y) positions the optimizer visits. A learning rate that is too large makes
the ball fly off: we stop as soon as it leaves a generous box around the surface (or its gradient stops
being a finite number), so a path never contains nan or inf and the page can say *where* it flew off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .divergence import divergence_clause, escape_bounds
from .optimizers import get_step_function
from .surfaces import Surface

# A ball that ends within this distance of a known minimum is "in" that minimum.
ARRIVAL_DISTANCE = 0.2
# Over the last 10 steps, a ball that travelled this many times its net displacement is bouncing.
BOUNCE_RATIO = 3.0
# Below this gradient norm a ball that is not in a minimum has stalled (a saddle point or a plateau).
STALL_GRADIENT = 1e-3


@dataclass(frozen=True)
class DescentRun:
    """One ball's journey: positions (steps + 1, 2), heights, and whether/when it flew off."""

    optimizer: str
    lr: float
    noise: float
    path: np.ndarray
    values: np.ndarray
    diverged: bool
    diverged_at: int | None
    steps_requested: int

    @property
    def steps_taken(self) -> int:
        return len(self.path) - 1

    @property
    def end(self) -> np.ndarray:
        return self.path[-1]


@dataclass(frozen=True)
class Outcome:
    """Where a ball ended, in words a learner reads: kind is global, local, stalled, bouncing, moving or diverged."""

    kind: str
    message: str


def escape_box(surface: Surface) -> tuple[float, float]:
    """Where the ball counts as flown off (the rule lives in nn_core.divergence)."""
    return escape_bounds(surface.domain)


def run_descent(
    surface: Surface,
    start: tuple[float, float],
    *,
    optimizer: str = "gd",
    lr: float = 0.1,
    steps: int = 100,
    noise: float = 0.0,
    seed: int = 0,
) -> DescentRun:
    """Take ``steps`` optimizer steps from ``start``; stop early and cleanly if the ball flies off.

    ``noise`` adds Gaussian noise of that standard deviation to each gradient component, which is what
    a mini-batch or a single sample does to the full-batch gradient. The same ``seed`` gives every
    optimizer in a race the same noise, so they differ only in how they use it.
    """
    if steps < 0:
        raise ValueError("steps must be >= 0")
    if lr <= 0:
        raise ValueError("lr must be > 0")
    step = get_step_function(optimizer)
    rng = np.random.default_rng(seed)
    low, high = escape_box(surface)
    position = np.array(start, dtype=float)
    path = [position.copy()]
    values = [float(surface.value(*position))]
    state: dict = {}
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, steps + 1):
            grad = np.array([float(g) for g in surface.gradient(*position)])
            if noise > 0:
                grad = grad + noise * rng.standard_normal(2)
            candidate = position - step(grad, state, lr, t)
            value = float(surface.value(*candidate)) if np.isfinite(candidate).all() else np.inf
            if not np.isfinite(value) or not np.isfinite(candidate).all():
                diverged_at = t  # the next position is not even a number: stop before it
                break
            position = candidate
            path.append(position.copy())
            values.append(value)
            if (position < low).any() or (position > high).any():
                diverged_at = t  # keep this one point outside the box so the page can show where it went
                break
    return DescentRun(
        optimizer=optimizer, lr=float(lr), noise=float(noise), path=np.array(path), values=np.array(values),
        diverged=diverged_at is not None, diverged_at=diverged_at, steps_requested=steps,
    )


def count_steps(count: int) -> str:
    """ "1 step", "2 steps": the words every outcome line uses."""
    return f"{count} step" if count == 1 else f"{count} steps"


def sweep_learning_rates(center: float, count: int = 5, factor: float = 2.0) -> list[float]:
    """``count`` learning rates around ``center``, each ``factor`` times the previous (center in the middle)."""
    half = (count - 1) / 2
    return [float(center * factor ** (k - half)) for k in range(count)]


def classify_outcome(run: DescentRun, surface: Surface) -> Outcome:
    """Say in one line whether the ball found the global minimum, a local one, stalled, or flew off."""
    if run.diverged:
        return Outcome("diverged", divergence_clause(run.diverged_at, event="the ball flew off", unit="step"))
    end = run.end
    nearest = min(surface.minima, key=lambda m: np.hypot(end[0] - m.x, end[1] - m.y))
    if np.hypot(end[0] - nearest.x, end[1] - nearest.y) <= ARRIVAL_DISTANCE:
        if nearest.is_global:
            return Outcome("global", "reached the global minimum")
        deeper = nearest.value - surface.global_minimum.value
        return Outcome("local", f"stuck in a local minimum (the global one is {deeper:.2f} lower)")
    grad = np.hypot(*(float(g) for g in surface.gradient(*end)))
    if grad < STALL_GRADIENT:
        return Outcome("stalled", "stalled where the slope is flat (a saddle point or plateau), not at a minimum")
    recent = run.path[-11:]
    travelled = float(np.linalg.norm(np.diff(recent, axis=0), axis=1).sum())
    if travelled > BOUNCE_RATIO * float(np.linalg.norm(recent[-1] - recent[0])) and travelled > 0.05:
        return Outcome("bouncing", "bouncing back and forth without settling: its steps are too big to land at "
                                   "the bottom; a smaller learning rate would let it settle")
    return Outcome("moving", f"still rolling after {count_steps(run.steps_taken)}: more steps or a larger "
                             "learning rate would take it further")
