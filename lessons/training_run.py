"""One training run of the lesson: initialise, train with a monitor, and say how it ended.

Pure (no Streamlit): the page passes ``on_record`` to draw progress live and to keep what the run reached
in case the user presses Stop (``streamlit_glue.training_session`` does that).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nn_core.data import Split
from nn_core.diagnostics import TrainingMonitor
from nn_core.divergence import divergence_message
from nn_core.network import Params, init_params
from nn_core.training import diverged, train
from viz.style import format_number

# How a run ended. "diverged": the loss exploded (nn_core.divergence); "stopped": the user pressed Stop.
DONE, DIVERGED, STOPPED = "done", "diverged", "stopped"
# The monitor evaluates the full training and validation sets this many times per run (plus the start).
RECORDS_PER_RUN = 100

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


@dataclass
class TrainingRun:
    """A finished (or stopped) run: the model, what the monitor saw, and how it ended."""

    params: Params
    monitor: TrainingMonitor
    losses: np.ndarray  # the batch loss before each update
    status: str
    elapsed: float

    @property
    def last_step(self) -> int:
        return self.monitor.steps[-1]


def run_training(split: Split, config: RunConfig, on_record: RecordCallback | None = None) -> TrainingRun:
    """Train the article's network on ``split`` and report DONE or DIVERGED (never an exception)."""
    params0 = init_params(split.X_train.shape[0], config.hidden, seed=config.init_seed)
    monitor = TrainingMonitor(split.X_train, split.Y_train, split.X_test, split.Y_test)
    monitor.record(0, params0)
    started = time.perf_counter()

    def on_step(step: int, params: Params, batch_loss: float) -> bool:
        stop = monitor(step, params, batch_loss)
        if on_record is not None:
            on_record(step, params, monitor, time.perf_counter() - started)
        return stop

    trained, losses = train(params0, split.X_train, split.Y_train, lr=config.lr, iterations=config.iterations,
                            batch_size=config.batch_size, optimizer=config.optimizer, seed=config.init_seed,
                            callback=on_step, callback_every=max(1, config.iterations // RECORDS_PER_RUN))
    status = DIVERGED if monitor.exploded_at is not None or diverged(losses) else DONE
    if monitor.steps[-1] != len(losses):
        monitor.record(len(losses), trained)
    return TrainingRun(trained, monitor, losses, status, time.perf_counter() - started)


def status_message(status: str, *, last_step: int, iterations: int, lr: float, start_loss: float,
                   peak_loss: float, elapsed: float, final_train: float, final_val: float) -> tuple[str, str]:
    """(kind, text) for the line under the loss chart: "error", "warning" or "success", in plain words."""
    if status == DIVERGED:
        return "error", (f"**Training stopped at iteration {last_step}.** "
                         + divergence_message(last_step, lr)
                         + f" The loss went from {format_number(start_loss)} to over {format_number(peak_loss)};"
                         " the red line on the chart marks where it stopped.")
    if status == STOPPED:
        return "warning", (f"Stopped by you at iteration {last_step} of {iterations}; the results below are for "
                           "the model at that moment.")
    return "success", (f"Trained {last_step} iterations in {elapsed:.2f} s. Final loss: training "
                       f"{format_number(final_train)}, validation {format_number(final_val)}.")
