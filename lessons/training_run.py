"""One training run of the lesson: initialise, train with a monitor, and say how it ended.

Pure (no Streamlit): the page passes ``on_record`` to draw progress live and to keep what the run reached
in case the user presses Stop (``streamlit_glue.training_session`` does that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nn_core.data import Split
from nn_core.diagnostics import TrainingMonitor
from nn_core.divergence import divergence_message
from nn_core.network import Params, forward, init_params, loss
from nn_core.overfitting import OverfittingReading, overfitting_reading
from nn_core.training import (
    VALIDATION_SHARE,
    SnapshotRecorder,
    diverged,
    train,
    train_with_early_stopping,
    validation_columns,
)
from viz.style import format_number

# How a run ended. "diverged": the loss exploded (nn_core.divergence); "stopped": the user pressed Stop.
DONE, DIVERGED, STOPPED = "done", "diverged", "stopped"
# The monitor evaluates the full training and validation sets this many times per run (plus the start).
RECORDS_PER_RUN = 100

# The replay keeps between half and all of this many evenly spaced copies of the weights.
REPLAY_SNAPSHOTS = 120

# on_record(step, params, monitor, elapsed_seconds): called after every monitor record during the run.
RecordCallback = Callable[[int, Params, TrainingMonitor, float], None]


@dataclass(frozen=True)
class RunConfig:
    """Everything besides the data that decides a run."""

    hidden: int
    lr: float
    iterations: int
    batch_size: int | None  # None: full batch (the article); 1: SGD
    optimizer: str
    init_seed: int
    l2: float = 0.0  # weight decay λ (0: none)
    patience: int = 0  # early stopping: evaluations without a better validation loss (0: off)


@dataclass(frozen=True)
class RowUse:
    """Which rows did what in a run: the updates, the validation curve, and the final scores."""

    fit: int  # rows the weights learn from (the training curve)
    validation: int  # rows of the validation curve
    test: int  # rows of the final scores
    held_out: bool  # True: the validation rows are training rows held out for early stopping

    def caption(self) -> str:
        """One plain sentence for the page, under the loss chart."""
        if self.held_out:
            return (f"The weights learn from {self.fit} training rows (the training curve). Early stopping watches "
                    f"the validation curve: {self.validation} other training rows ({VALIDATION_SHARE:.0%}, held "
                    f"out from the updates); it picks the weights kept. The {self.test} test rows are used for "
                    "nothing but the scores below.")
        return (f"The weights learn from {self.fit} training rows (the training curve). The validation curve is "
                f"the {self.test} test rows: they never update the weights, and with early stopping off nothing "
                "is decided on them.")

    @property
    def curve_name(self) -> str:
        """The validation curve's name in the chart's legend."""
        return "validation (held-out training rows)" if self.held_out else "validation (test rows)"


@dataclass
class TrainingRun:
    """A finished (or stopped) run: the model, what the monitor saw, and how it ended."""

    params: Params  # the weights kept: the best validation iteration's when early stopping stopped the run
    monitor: TrainingMonitor
    losses: np.ndarray  # the batch loss before each update
    status: str
    elapsed: float
    snapshots: list[tuple[int, Params]] = field(default_factory=list)  # for the replay
    best_iteration: int | None = None  # early stopping's best validation iteration
    early_stop: int | None = None  # where early stopping ended the run
    watched: np.ndarray | None = None  # the loss on ``watch``'s rows at every iteration (index = updates made)

    @property
    def overfitting(self) -> OverfittingReading:
        return overfitting_reading(self.monitor.steps, self.monitor.train_loss, self.monitor.val_loss)

    @property
    def last_step(self) -> int:
        return self.monitor.steps[-1]


def row_use(split: Split, config: RunConfig) -> RowUse:
    """Which rows a run of ``config`` on ``split`` uses for what (``run_training`` holds them out this way)."""
    m_train = split.Y_train.shape[1]
    held_out = validation_columns(split.Y_train)[1].size if config.patience else 0
    return RowUse(fit=m_train - held_out, validation=held_out or split.Y_test.shape[1], test=split.Y_test.shape[1],
                  held_out=bool(config.patience))


def run_training(split: Split, config: RunConfig, on_record: RecordCallback | None = None,
                 watch: tuple[np.ndarray, np.ndarray] | None = None) -> TrainingRun:
    """Train the article's network on ``split`` and report DONE or DIVERGED (never an exception).

    With early stopping on, a validation slice of the training rows is held out (``validation_columns``) and
    nn_core's ``train_with_early_stopping`` decides on it alone; without, the validation curve is the test rows.
    ``watch`` = (X, Y): rows whose loss is also taken after every update (``TrainingRun.watched``), e.g. the
    test rows, so two runs can be compared on the same rows at every iteration; it decides nothing.
    """
    X_fit, Y_fit, X_val, Y_val = split.X_train, split.Y_train, split.X_test, split.Y_test
    if config.patience:
        fit, held_out = validation_columns(split.Y_train)
        X_fit, Y_fit = split.X_train[:, fit], split.Y_train[:, fit]
        X_val, Y_val = split.X_train[:, held_out], split.Y_train[:, held_out]
    params0 = init_params(split.X_train.shape[0], config.hidden, seed=config.init_seed)
    record_every = max(1, config.iterations // RECORDS_PER_RUN)
    monitor = TrainingMonitor(X_fit, Y_fit, X_val, Y_val, l2=config.l2)
    monitor.record(0, params0)
    recorder = SnapshotRecorder(keep=REPLAY_SNAPSHOTS)
    recorder.start(params0)
    watched = [] if watch is None else [loss(forward(params0, watch[0]), watch[1])]
    started = time.perf_counter()

    def on_step(step: int, params: Params, batch_loss: float) -> bool:
        recorder(step, params, batch_loss)  # every update; it copies only on its own stride
        if watch is not None:
            watched.append(loss(forward(params, watch[0]), watch[1]))
        if step % record_every:
            return False
        stop = monitor(step, params, batch_loss)
        if on_record is not None:
            on_record(step, params, monitor, time.perf_counter() - started)
        return stop

    settings = {"lr": config.lr, "iterations": config.iterations, "batch_size": config.batch_size,
                "optimizer": config.optimizer, "seed": config.init_seed, "l2": config.l2}
    best_iteration = early_stop = None
    if config.patience:
        stopped = train_with_early_stopping(params0, X_fit, Y_fit, validation=(X_val, Y_val),
                                            patience=config.patience, eval_every=record_every, callback=on_step,
                                            **settings)
        trained, losses, kept = stopped.last_params, stopped.losses, stopped.params
        best_iteration, early_stop = stopped.best_iteration, stopped.stopped_at
    else:
        trained, losses = train(params0, X_fit, Y_fit, callback=on_step, callback_every=1, **settings)
        kept = trained
    status = DIVERGED if monitor.exploded_at is not None or diverged(losses) else DONE
    if monitor.steps[-1] != len(losses):
        monitor.record(len(losses), trained)
    recorder.add_final(len(losses), trained)
    return TrainingRun(kept, monitor, losses, status, time.perf_counter() - started, recorder.snapshots,
                       best_iteration, early_stop, None if watch is None else np.asarray(watched))


def status_message(status: str, *, last_step: int, iterations: int, lr: float, start_loss: float,
                   peak_loss: float, elapsed: float, final_train: float, final_val: float, l2_term: float = 0.0,
                   overfitting: OverfittingReading | None = None, best_iteration: int | None = None,
                   early_stop: int | None = None) -> tuple[str, str]:
    """(kind, text) for the line under the loss chart: "error", "warning" or "success", in plain words.

    Green only for a healthy run: a diverged run is an error, an overfitting one a warning that says so.
    """
    if status == DIVERGED:
        return "error", (f"**Training stopped at iteration {last_step}.** "
                         + divergence_message(last_step, lr)
                         + f" The loss went from {format_number(start_loss)} to over {format_number(peak_loss)};"
                         " the red line on the chart marks where it stopped.")
    if status == STOPPED:
        return "warning", (f"Stopped by you at iteration {last_step} of {iterations}; the results below are for "
                           "the model at that moment.")
    penalty = f" (+ L2 term {format_number(l2_term)})" if l2_term else ""
    losses = f"Final loss: training {format_number(final_train)}{penalty}, validation {format_number(final_val)}."
    if early_stop is not None and best_iteration is not None:
        return "success", (f"Early stopping ended the run at iteration {early_stop}: the validation loss had not "
                           f"improved since iteration {best_iteration}, whose weights are kept (the green line). "
                           + losses)
    if overfitting is not None and overfitting.overfits:
        return "warning", f"{overfitting.message} " + losses
    return "success", f"Trained {last_step} iterations in {elapsed:.2f} s. " + losses
