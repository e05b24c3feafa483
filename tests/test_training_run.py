"""The training lesson's run, outside the page: statuses, the monitor's records, the live callback."""

from __future__ import annotations

import numpy as np

from lessons.training_run import DIVERGED, DONE, RECORDS_PER_RUN, RunConfig, run_training, status_message
from nn_core.network import init_params
from nn_core.training import train


def config(**changes) -> RunConfig:
    base = {"hidden": 15, "lr": 0.1, "iterations": 300, "batch_size": None, "optimizer": "gd", "init_seed": 1}
    return RunConfig(**{**base, **changes})


def test_a_healthy_run_is_done_and_equals_train_itself(split):
    run = run_training(split, config())
    assert run.status == DONE and run.last_step == 300
    expected, losses = train(init_params(30, 15, seed=1), split.X_train, split.Y_train, lr=0.1, iterations=300)
    np.testing.assert_array_equal(run.params["W1"], expected["W1"])
    np.testing.assert_array_equal(run.losses, losses)
    assert run.monitor.steps[0] == 0 and len(run.monitor.steps) == RECORDS_PER_RUN + 1
    assert run.monitor.val_loss[-1] < run.monitor.val_loss[0]


def test_a_too_high_learning_rate_is_diverged_and_stops_early(split):
    run = run_training(split, config(lr=10.0))
    assert run.status == DIVERGED and run.last_step < 300
    assert all(np.isfinite(run.monitor.train_loss))


def test_the_live_callback_sees_every_record(split):
    seen = []
    run_training(split, config(iterations=50), lambda step, params, monitor, elapsed: seen.append(step))
    assert seen == list(range(1, 51))  # 50 // RECORDS_PER_RUN = 0 → every step


def test_status_messages_say_what_happened():
    numbers = {"last_step": 12, "iterations": 300, "lr": 10.0, "start_loss": 0.7, "peak_loss": 40.0,
               "elapsed": 0.05, "final_train": 0.1, "final_val": 0.12}
    kind, text = status_message(DIVERGED, **numbers)
    assert kind == "error" and "learning rate 10 is too high: the loss exploded at iteration 12" in text
    assert status_message("stopped", **numbers)[0] == "warning"
    assert status_message(DONE, **numbers) == ("success", "Trained 12 iterations in 0.05 s. Final loss: training "
                                                          "0.1, validation 0.12.")
