"""Gradient-flow health while training: dead ReLU units and the size of each layer's gradient.

Everything is computed with ``forward`` and ``parameter_gradients`` — the same math the training uses.
``TrainingMonitor`` is a ready-made ``train`` callback that records these every few steps, together
with the training and validation loss, so a page can draw them live and keep them afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .divergence import loss_exploded
from .network import Params, forward, l2_penalty, loss, parameter_gradients

# "The size of a layer's gradient" = the norm of all its parameters' gradients together.
LAYER_GRADIENTS = {"layer 1 (W1, b1)": ("dLoss_W1", "dLoss_b1"), "layer 2 (W2, b2)": ("dLoss_W2", "dLoss_b2")}


def dead_fraction_of(Z1: np.ndarray) -> float:
    """Share of hidden units (rows of Z1) that are <= 0 for every sample."""
    return float(np.mean(np.all(Z1 <= 0, axis=1)))


def dead_relu_fraction(params: Params, X: np.ndarray) -> float:
    """Share of hidden units whose Z1 is <= 0 for every sample: they output 0 and never learn again."""
    return dead_fraction_of(forward(params, X)["Z1"])


def norms_of(grads: dict[str, np.ndarray]) -> dict[str, float]:
    """Frobenius norm of each parameter gradient."""
    return {name: float(np.linalg.norm(grads[name])) for name in ("dLoss_W1", "dLoss_b1", "dLoss_W2", "dLoss_b2")}


def gradient_norms(params: Params, X: np.ndarray, Y: np.ndarray) -> dict[str, float]:
    """Frobenius norm of dLoss_W1, dLoss_b1, dLoss_W2, dLoss_b2 on (X, Y): how hard each layer is pushed."""
    return norms_of(parameter_gradients(params, X, Y, forward(params, X)))


@dataclass
class TrainingMonitor:
    """A ``train`` callback recording, every time it is called, the full-set losses and gradient health.

    ``X_val``/``Y_val`` may be None (no validation curve). ``stop_on_explosion`` ends the run when the
    training loss explodes (``nn_core.divergence.loss_exploded``) and remembers it in ``exploded_at``.
    ``l2`` (λ of a weight-decayed run): ``train_loss`` stays the cross-entropy (comparable with the
    validation curve) and ``l2_term`` records the penalty on the training set beside it; the gradient
    norms are those of the decayed objective the run follows.
    """

    X_train: np.ndarray
    Y_train: np.ndarray
    X_val: np.ndarray | None = None
    Y_val: np.ndarray | None = None
    stop_on_explosion: bool = True
    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    dead_fraction: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in LAYER_GRADIENTS})
    exploded_at: int | None = None
    l2: float = 0.0
    l2_term: list[float] = field(default_factory=list)
    hidden_units: int = 0  # n_h of the recorded network (to say "7 of 15 units")

    def record(self, step: int, params: Params) -> None:
        """Evaluate the current params on the full training and validation sets."""
        cache = forward(params, self.X_train)
        grads = parameter_gradients(params, self.X_train, self.Y_train, cache, self.l2)
        self.steps.append(step)
        self.train_loss.append(loss(cache, self.Y_train))
        self.l2_term.append(l2_penalty(params, self.Y_train.shape[1], self.l2))
        if self.X_val is not None and self.Y_val is not None:
            self.val_loss.append(loss(forward(params, self.X_val), self.Y_val))
        self.dead_fraction.append(dead_fraction_of(cache["Z1"]))
        self.hidden_units = cache["Z1"].shape[0]
        norms = norms_of(grads)
        for name, parts in LAYER_GRADIENTS.items():  # a layer's norm: all its parameters' gradients together
            self.grad_norms[name].append(float(np.sqrt(sum(norms[part] ** 2 for part in parts))))

    def __call__(self, step: int, params: Params, batch_loss: float) -> bool:
        self.record(step, params)
        if self.stop_on_explosion and loss_exploded(self.train_loss[-1], self.train_loss[0]):
            self.exploded_at = step
            return True
        return False


# From this share of dead hidden units on, a run is not called healthy (half or more: the reading is a warning).
DEAD_NOTICE = 0.2


def gradient_flow_reading(monitor: TrainingMonitor) -> str:
    """One line a student can read: are units dying, are gradients vanishing or exploding?

    Dead units are always counted: a run that learns with half its hidden units dead is not "healthy"."""
    if not monitor.steps:
        return "Train the network to see how the gradients flow."
    dead = monitor.dead_fraction[-1]
    n_h = monitor.hidden_units
    n_dead = round(dead * n_h)
    dead_units = f"{n_dead} of {n_h} hidden units ({dead:.0%}) {'is' if n_dead == 1 else 'are'} dead"
    w1, w2 = (monitor.grad_norms[name] for name in LAYER_GRADIENTS)
    if monitor.exploded_at is not None or not np.isfinite(w1[-1]) or w1[-1] > 1e3:
        return "Exploding: the gradients grew instead of shrinking — the steps overshoot; lower the learning rate."
    if dead >= 0.5:
        return (f"{dead_units} (ReLU output 0 for every training row) — they no longer learn; try a smaller "
                "learning rate or another seed.")
    if w1[0] > 0 and w1[-1] < 1e-3 * w1[0] and monitor.train_loss[-1] > 0.3:
        return "Vanishing: the gradients died out while the loss is still high — training has stalled."
    shrink = w1[-1] / w1[0] if w1[0] > 0 else 1.0
    shrink2 = w2[-1] / w2[0] if w2[0] > 0 else 1.0
    flow = (f"the gradients of layer 1 and layer 2 shrank to {shrink:.0%} and {shrink2:.0%} of their start as "
            "the loss flattened")
    if dead >= DEAD_NOTICE:
        return (f"Learning with a handicap: {dead_units} — their ReLU outputs 0 for every training row, so they "
                f"no longer learn and the network uses only {n_h - n_dead}. For the live units, {flow}. A smaller "
                "learning rate, less weight decay or another seed may keep more units alive.")
    if n_dead:
        return f"Healthy: {dead_units}; {flow} — the live units kept learning."
    return f"Healthy: no dead hidden units; {flow} — both layers kept learning."
