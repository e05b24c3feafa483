"""Early stopping (stops after ``patience`` evaluations without improvement, restores the best weights) and
the snapshot recorder the replay is built from."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import forward, init_params, loss
from nn_core.training import EarlyStopping, SnapshotRecorder, chain_callbacks, train, train_with_early_stopping


def tagged(value: float) -> dict[str, np.ndarray]:
    return {"W1": np.full((1, 1), value)}


def test_stops_after_patience_evaluations_without_improvement_and_keeps_the_best():
    stopper = EarlyStopping(np.zeros((1, 1)), np.zeros((1, 1)), patience=3)
    decisions = [stopper.observe(step, tagged(step), value)
                 for step, value in zip(range(0, 60, 10), [1.0, 0.8, 0.6, 0.7, 0.6, 0.65], strict=True)]
    # 0.6 at step 20 is the best; 0.7, 0.6 (not lower), 0.65 are three evaluations without improvement.
    assert decisions == [False, False, False, False, False, True]
    assert stopper.best_iteration == 20 and stopper.best_loss == 0.6
    assert stopper.stopped_at == 50
    assert stopper.restore(tagged(99.0))["W1"][0, 0] == 20


def test_an_improvement_resets_the_patience():
    stopper = EarlyStopping(np.zeros((1, 1)), np.zeros((1, 1)), patience=2)
    values = [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.9]
    decisions = [stopper.observe(step, tagged(step), value) for step, value in enumerate(values)]
    assert decisions == [False, False, False, False, False, False, True]
    assert stopper.best_iteration == 4 and stopper.stopped_at == 6


def test_an_overfitting_run_stops_early_and_returns_the_best_validation_weights(split):
    params0 = init_params(30, 15, seed=1)
    run = train_with_early_stopping(params0, split.X_train, split.Y_train, validation=(split.X_test, split.Y_test),
                                    patience=5, eval_every=5, lr=0.1, iterations=300, optimizer="adam")
    assert run.stopped_at is not None and run.stopped_at < 300
    assert run.stopped_at - run.best_iteration == 5 * 5  # five evaluations, five iterations apart
    assert len(run.losses) == run.stopped_at
    assert loss(forward(run.params, split.X_test), split.Y_test) == run.best_val_loss
    assert run.best_val_loss == min(run.val_loss)
    last, _ = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=run.stopped_at, optimizer="adam")
    assert loss(forward(last, split.X_test), split.Y_test) > run.best_val_loss  # restoring made a difference
    best, _ = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=run.best_iteration, optimizer="adam")
    for name in params0:
        np.testing.assert_array_equal(run.params[name], best[name])


def test_a_healthy_run_is_not_stopped(split):
    params0 = init_params(30, 15, seed=1)
    run = train_with_early_stopping(params0, split.X_train, split.Y_train, validation=(split.X_test, split.Y_test),
                                    patience=10, eval_every=10, lr=0.1, iterations=300)
    assert run.stopped_at is None and len(run.losses) == 300
    assert list(run.val_steps) == list(range(0, 301, 10))


def test_the_chained_callback_still_sees_every_update(split):
    seen = []
    run = train_with_early_stopping(init_params(30, 15, seed=1), split.X_train, split.Y_train,
                                    validation=(split.X_test, split.Y_test), patience=2, eval_every=5, lr=0.1,
                                    iterations=300, optimizer="adam",
                                    callback=lambda step, params, current: seen.append(step))
    assert seen == list(range(1, run.stopped_at + 1))


@pytest.mark.parametrize("bad", [{"patience": 0}, {"patience": 3, "eval_every": 0}])
def test_bad_early_stopping_settings_are_refused(bad):
    with pytest.raises(ValueError):
        EarlyStopping(np.zeros((1, 1)), np.zeros((1, 1)), **bad)


@pytest.mark.parametrize("iterations", [10, 59, 60, 300, 5000])
def test_snapshots_are_evenly_spread_and_enough_for_a_replay(split, iterations):
    params0 = init_params(30, 15, seed=1)
    recorder = SnapshotRecorder(keep=120)
    recorder.start(params0)
    trained, losses = train(params0, split.X_train, split.Y_train, lr=0.01, iterations=iterations, callback=recorder)
    recorder.add_final(len(losses), trained)
    steps = recorder.steps
    assert steps[0] == 0 and steps[-1] == iterations
    assert len(steps) == iterations + 1 if iterations <= 120 else 60 <= len(steps) <= 122
    gaps = np.diff(steps[:-1])
    assert len(set(gaps.tolist())) == 1  # one stride: evenly spread (the final state may come sooner)
    for name in params0:
        np.testing.assert_array_equal(recorder.snapshots[-1][1][name], trained[name])


def test_a_snapshot_is_the_state_after_that_many_updates(split):
    params0 = init_params(30, 15, seed=1)
    recorder = SnapshotRecorder(keep=10)
    recorder.start(params0)
    train(params0, split.X_train, split.Y_train, lr=0.1, iterations=50, optimizer="adam",
          callback=chain_callbacks(recorder))
    step, snapshot = recorder.snapshots[3]
    expected, _ = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=step, optimizer="adam")
    for name in params0:
        np.testing.assert_array_equal(snapshot[name], expected[name])
