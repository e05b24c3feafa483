"""Training loops: the article's full-batch ``gd``, plus mini-batch and stochastic variants."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from .divergence import LOSS_CEILING, past_ceiling
from .network import PARAM_NAMES, Params, copy_params, forward, loss, parameter_gradients
from .optimizers import get_step_function

# callback(step, params, loss) -> True to stop early. Called every ``callback_every`` steps.
TrainingCallback = Callable[[int, Params, float], "bool | None"]

# The ceiling at which ``train`` stops (see nn_core.divergence for why batch losses use only the ceiling).
DIVERGENCE_LOSS = LOSS_CEILING


def diverged(losses: np.ndarray) -> bool:
    """True when a run of ``train`` was stopped because its loss passed the ceiling or stopped being finite."""
    return len(losses) > 0 and past_ceiling(losses[-1])


def steps_per_epoch(m: int, batch_size: int | None) -> int:
    """How many updates one pass over m samples takes (1 for full batch)."""
    if batch_size is None or batch_size >= m:
        return 1
    return -(-m // batch_size)


def _batches(X: np.ndarray, Y: np.ndarray, batch_size: int | None,
             seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless stream of (X_batch, Y_batch): the whole set, or shuffled epochs cut into batches."""
    m = X.shape[1]
    if batch_size is None or batch_size >= m:
        while True:
            yield X, Y
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(m)
        X_epoch, Y_epoch = X[:, order], Y[:, order]  # one copy per epoch; the batches are views
        for start in range(0, m, batch_size):
            yield X_epoch[:, start:start + batch_size], Y_epoch[:, start:start + batch_size]


def train(
    params: Params,
    X: np.ndarray,
    Y: np.ndarray,
    *,
    lr: float,
    iterations: int,
    batch_size: int | None = None,
    optimizer: str = "gd",
    seed: int = 0,
    callback: TrainingCallback | None = None,
    callback_every: int = 1,
) -> tuple[Params, np.ndarray]:
    """Run ``iterations`` updates and return (new params, loss before each update).

    ``batch_size=None`` is the article's ``gd()``: each iteration is one forward, one backward and
    one update of W1, b1, W2, b2 on the whole set. An integer draws mini-batches from shuffled
    epochs (1 = SGD) and the recorded loss is that batch's loss, so SGD's noise is visible.
    Training stops early, before updating, when the loss explodes past ``DIVERGENCE_LOSS`` or is not
    finite (see ``diverged``), or when the callback returns True.
    The caller's params are never mutated.
    """
    if iterations < 0:
        raise ValueError("iterations must be >= 0")
    if batch_size is not None and batch_size < 1:
        raise ValueError("batch_size must be None or >= 1")
    step = get_step_function(optimizer)
    params = copy_params(params)
    states: dict[str, dict] = {name: {} for name in PARAM_NAMES}
    losses = np.empty(iterations)
    batches = _batches(X, Y, batch_size, seed)
    done = 0
    for t in range(1, iterations + 1):
        X_batch, Y_batch = next(batches)
        cache = forward(params, X_batch)
        current = loss(cache, Y_batch)
        losses[t - 1] = current
        done = t
        if past_ceiling(current):
            break
        grads = parameter_gradients(params, X_batch, Y_batch, cache)
        for name in PARAM_NAMES:
            params[name] -= step(grads["dLoss_" + name], states[name], lr, t)
        if callback is not None and t % callback_every == 0 and callback(t, params, current):
            break
    return params, losses[:done]
