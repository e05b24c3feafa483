"""Training loops: the article's full-batch ``gd``, plus mini-batch and stochastic variants."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

from .divergence import LOSS_CEILING, past_ceiling
from .network import PARAM_NAMES, Params, copy_params, forward, l2_penalty, loss, parameter_gradients
from .optimizers import get_step_function

# callback(step, params, loss) -> True to stop early. Called every ``callback_every`` steps.
TrainingCallback = Callable[[int, Params, float], "bool | None"]

# Early stopping watches this share of the training rows, held out from the updates (never the test rows).
VALIDATION_SHARE = 0.2

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
    l2: float = 0.0,
) -> tuple[Params, np.ndarray]:
    """Run ``iterations`` updates and return (new params, loss before each update).

    ``batch_size=None`` is the article's ``gd()``: each iteration is one forward, one backward and
    one update of W1, b1, W2, b2 on the whole set. An integer draws mini-batches from shuffled
    epochs (1 = SGD) and the recorded loss is that batch's loss, so SGD's noise is visible.
    Training stops early, before updating, when the loss explodes past ``DIVERGENCE_LOSS`` or is not
    finite (see ``diverged``), or when the callback returns True.
    ``l2`` = λ ≥ 0 is weight decay (see ``network.l2_penalty``): the update follows the gradient of
    cross-entropy + (λ/(2m))·(‖W1‖² + ‖W2‖²) and the recorded loss is that sum, the quantity being
    minimized; λ = 0 runs exactly the undecayed arithmetic.
    The caller's params are never mutated.
    """
    if iterations < 0:
        raise ValueError("iterations must be >= 0")
    if batch_size is not None and batch_size < 1:
        raise ValueError("batch_size must be None or >= 1")
    if not l2 >= 0:
        raise ValueError("l2 must be >= 0")
    step = get_step_function(optimizer)
    plain_gd = optimizer == "gd"
    params = copy_params(params)
    states: dict[str, dict] = {name: {} for name in PARAM_NAMES}
    losses = np.empty(iterations)
    batches = _batches(X, Y, batch_size, seed)
    done = 0
    for t in range(1, iterations + 1):
        X_batch, Y_batch = next(batches)
        cache = forward(params, X_batch)
        current = loss(cache, Y_batch)
        if l2:
            current += l2_penalty(params, Y_batch.shape[1], l2)
        losses[t - 1] = current
        done = t
        if past_ceiling(current):
            break
        grads = parameter_gradients(params, X_batch, Y_batch, cache, l2)
        if plain_gd:  # the article's update θ −= lr·g, with lr·g formed in the gradient's own (fresh) array
            for name in PARAM_NAMES:
                grad = grads["dLoss_" + name]
                grad *= lr
                params[name] -= grad
        else:
            for name in PARAM_NAMES:
                params[name] -= step(grads["dLoss_" + name], states[name], lr, t)
        if callback is not None and t % callback_every == 0 and callback(t, params, current):
            break
    return params, losses[:done]


def chain_callbacks(*callbacks: TrainingCallback) -> TrainingCallback:
    """One callback that calls every given one (all of them, every time) and stops if any asks to."""
    def chained(step: int, params: Params, current: float) -> bool:
        stops = [bool(callback(step, params, current)) for callback in callbacks]
        return any(stops)
    return chained


@dataclass
class EarlyStopping:
    """A ``train`` callback for early stopping: it evaluates the validation loss every ``eval_every``
    updates, stops the run once that loss has not improved for ``patience`` evaluations in a row, and
    keeps a copy of the best weights so ``restore`` can hand them back.

    Why restore: by the time patience runs out the network has spent ``patience`` evaluations getting
    worse on unseen data; the weights worth keeping are those of the best validation loss.
    Call it every update (``callback_every=1``); it does its work only on multiples of ``eval_every``.
    Call ``start(params0)`` before training so that iteration 0 competes too.
    """

    X_val: np.ndarray
    Y_val: np.ndarray
    patience: int
    eval_every: int = 1
    steps: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_iteration: int | None = None
    best_loss: float = float("inf")
    best_params: Params | None = None
    stopped_at: int | None = None
    _waited: int = 0

    def __post_init__(self) -> None:
        if self.patience < 1 or self.eval_every < 1:
            raise ValueError("patience and eval_every must be >= 1")

    def start(self, params: Params) -> None:
        """Evaluate the starting weights as iteration 0."""
        self.observe(0, params, loss(forward(params, self.X_val), self.Y_val))

    def observe(self, step: int, params: Params, val_loss: float) -> bool:
        """Take a validation loss computed elsewhere (e.g. by TrainingMonitor); True = stop now."""
        self.steps.append(step)
        self.val_loss.append(val_loss)
        if val_loss < self.best_loss:
            self.best_loss, self.best_iteration, self.best_params = val_loss, step, copy_params(params)
            self._waited = 0
            return False
        self._waited += 1
        if self._waited >= self.patience:
            self.stopped_at = step
            return True
        return False

    def __call__(self, step: int, params: Params, current: float) -> bool:
        if step % self.eval_every:
            return False
        return self.observe(step, params, loss(forward(params, self.X_val), self.Y_val))

    def restore(self, params: Params) -> Params:
        """The best validation weights (a copy), or ``params`` when nothing was evaluated."""
        return copy_params(self.best_params) if self.best_params is not None else params


@dataclass
class SnapshotRecorder:
    """A ``train`` callback that keeps copies of the params at between ``keep``/2 and ``keep`` iterations,
    spread evenly over however long the run turns out to be (early stopping ends it at an unknown step).

    It records every ``stride``-th update; when more than ``keep`` are held it drops every other one and
    doubles the stride. Call it every update (``callback_every=1``); ``start(params0)`` adds iteration 0.
    """

    keep: int = 120
    snapshots: list[tuple[int, Params]] = field(default_factory=list)
    stride: int = 1

    def __post_init__(self) -> None:
        if self.keep < 2:
            raise ValueError("keep must be >= 2")

    def start(self, params: Params) -> None:
        self.snapshots.append((0, copy_params(params)))

    def __call__(self, step: int, params: Params, current: float) -> bool:
        if step % self.stride == 0:
            self.snapshots.append((step, copy_params(params)))
            if len(self.snapshots) > self.keep:
                self.stride *= 2
                self.snapshots = [(s, p) for s, p in self.snapshots if s % self.stride == 0]
        return False

    def add_final(self, step: int, params: Params) -> None:
        """Make sure the last state of the run is in the list (a run rarely ends on a multiple of the stride)."""
        if not self.snapshots or self.snapshots[-1][0] != step:
            self.snapshots.append((step, copy_params(params)))

    @property
    def steps(self) -> list[int]:
        return [step for step, _ in self.snapshots]


@dataclass(frozen=True)
class EarlyStoppingRun:
    """What ``train_with_early_stopping`` returns: the restored (best) params and where things happened."""

    params: Params
    losses: np.ndarray
    best_iteration: int
    best_val_loss: float
    stopped_at: int | None  # None: ran all the iterations without losing patience
    val_steps: Sequence[int]
    val_loss: Sequence[float]
    last_params: Params  # where the updates ended (before restoring the best)


def train_with_early_stopping(params: Params, X: np.ndarray, Y: np.ndarray, *,
                              validation: tuple[np.ndarray, np.ndarray], patience: int, eval_every: int = 10,
                              callback: TrainingCallback | None = None, **train_kwargs) -> EarlyStoppingRun:
    """``train`` with early stopping on (X_val, Y_val); returns the weights of the best validation iteration.

    ``callback`` (optional) is called at every update, alongside the early-stopping check.
    ``losses`` covers every update actually run (up to the stop), as with ``train``.
    """
    stopper = EarlyStopping(validation[0], validation[1], patience=patience, eval_every=eval_every)
    stopper.start(params)
    combined = stopper if callback is None else chain_callbacks(stopper, callback)
    last, losses = train(params, X, Y, callback=combined, callback_every=1, **train_kwargs)
    return EarlyStoppingRun(params=stopper.restore(last), losses=losses, best_iteration=int(stopper.best_iteration),
                            best_val_loss=stopper.best_loss, stopped_at=stopper.stopped_at,
                            val_steps=tuple(stopper.steps), val_loss=tuple(stopper.val_loss), last_params=last)


def validation_columns(Y: np.ndarray, share: float = VALIDATION_SHARE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(fit, validation) sample columns of the training set: ``share`` of them held out for early stopping.

    Why: the rows that decide when to stop must not be the rows that grade the model afterwards, or the
    test score is no longer a test. Stratified by class when each class has two samples or more."""
    labels = np.asarray(Y).ravel()
    columns = np.arange(labels.size)
    _, counts = np.unique(labels, return_counts=True)
    stratify = labels if counts.size > 1 and counts.min() >= 2 else None
    fit, held_out = train_test_split(columns, test_size=share, random_state=seed, stratify=stratify)
    return np.sort(fit), np.sort(held_out)
