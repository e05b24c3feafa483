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


def test_early_stopping_never_looks_at_the_test_rows(split):
    """The test rows touch nothing but the final scores: with other test labels the run is the same run."""
    import dataclasses

    from lessons.training_run import row_use
    from nn_core.training import validation_columns

    settings = config(optimizer="adam", l2=3.0, patience=17)
    run = run_training(split, settings)
    flipped = dataclasses.replace(split, Y_test=1 - split.Y_test, X_test=-split.X_test)
    again = run_training(flipped, settings)
    assert run.early_stop is not None and run.best_iteration is not None
    np.testing.assert_array_equal(run.params["W1"], again.params["W1"])
    assert run.monitor.val_loss == again.monitor.val_loss
    fit, held_out = validation_columns(split.Y_train)
    assert not np.intersect1d(fit, held_out).size and np.union1d(fit, held_out).size == split.Y_train.shape[1]
    assert run.monitor.Y_val.shape[1] == held_out.size and run.monitor.Y_train.shape[1] == fit.size
    rows = row_use(split, settings)
    assert (rows.fit, rows.validation, rows.test, rows.held_out) == (fit.size, held_out.size, split.Y_test.shape[1],
                                                                     True)
    assert "nothing but the scores" in rows.caption()
    assert not row_use(split, config()).held_out and "test rows" in row_use(split, config()).curve_name
