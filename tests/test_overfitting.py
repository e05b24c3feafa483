"""The overfitting reading: synthetic curves at and around its thresholds, and real runs on the built-in data
(Adam at the page's defaults overfits — the issue's "validation loss 0.1 → 0.35" — full-batch gd does not)."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import init_params, load_cancer, split_and_scale
from nn_core.diagnostics import TrainingMonitor
from nn_core.overfitting import RISE_ABSOLUTE, RISE_RATIO, TRAIN_FALL_RATIO, overfitting_reading
from nn_core.training import train

STEPS = np.arange(0, 301, 10)


def curves(val_end: float, train_end: float = 0.001, val_min: float = 0.1):
    """Training loss falling exponentially to train_end; validation falling to val_min at step 50, then
    moving linearly to val_end."""
    train_loss = 0.7 * (train_end / 0.7) ** (STEPS / STEPS[-1])
    val = np.interp(STEPS, [0, 50, 300], [0.7, val_min, val_end])
    return STEPS, train_loss, val


def test_a_rising_validation_loss_with_falling_training_loss_is_overfitting():
    reading = overfitting_reading(*curves(val_end=0.35))
    assert reading.overfits
    assert reading.best_iteration == 50 and reading.best_val_loss == pytest.approx(0.1)
    assert reading.final_gap == pytest.approx(0.35 - 0.001)
    assert "Overfitting" in reading.message and "iteration 50" in reading.message


def test_a_flat_validation_loss_is_not_overfitting():
    reading = overfitting_reading(*curves(val_end=0.105))
    assert not reading.overfits and reading.best_iteration == 50
    assert "No overfitting" in reading.message


@pytest.mark.parametrize(("val_end", "expected"), [
    (RISE_RATIO * 0.1 * 0.98, False),  # just below the relative threshold
    (RISE_RATIO * 0.1 * 1.02, True),   # just above it (and 0.032 above the minimum: above the absolute one)
])
def test_the_relative_threshold(val_end, expected):
    assert overfitting_reading(*curves(val_end=val_end)).overfits is expected


def test_a_tiny_rise_on_tiny_losses_is_not_flagged():
    """0.010 → 0.016 is 60 % up but only 0.006 nats: below RISE_ABSOLUTE."""
    assert RISE_ABSOLUTE > 0.006
    assert not overfitting_reading(*curves(val_end=0.016, val_min=0.01, train_end=1e-5)).overfits


def test_when_both_losses_rise_it_is_instability_not_overfitting():
    steps, _, val = curves(val_end=0.35)
    train_loss = np.interp(steps, [0, 50, 300], [0.7, 0.08, 0.08 * TRAIN_FALL_RATIO * 1.1])
    assert not overfitting_reading(steps, train_loss, val).overfits


def test_mismatched_or_empty_curves_are_refused():
    with pytest.raises(ValueError):
        overfitting_reading([0, 1], [0.5, 0.4], [0.5])
    with pytest.raises(ValueError):
        overfitting_reading([], [], [])


def recorded_run(optimizer: str, split_seed: int = 0, iterations: int = 300):
    split = split_and_scale(load_cancer(), test_size=0.2, seed=split_seed)
    params = init_params(30, 15, seed=1)
    monitor = TrainingMonitor(split.X_train, split.Y_train, split.X_test, split.Y_test)
    monitor.record(0, params)
    train(params, split.X_train, split.Y_train, lr=0.1, iterations=iterations, optimizer=optimizer,
          callback=monitor, callback_every=iterations // 100)
    return monitor


def test_adam_at_the_page_defaults_is_flagged_as_the_issue_measured():
    monitor = recorded_run("adam")
    reading = overfitting_reading(monitor.steps, monitor.train_loss, monitor.val_loss)
    assert reading.overfits
    assert reading.best_val_loss < 0.13 and reading.final_val_loss > 0.3  # "validation loss 0.1 → 0.35"
    assert reading.final_train_loss < 1e-4  # "while training loss → 5e-5"
    assert reading.best_iteration <= 15


@pytest.mark.parametrize("split_seed", [0, 3])
def test_full_batch_gd_at_the_page_defaults_is_not_flagged(split_seed):
    monitor = recorded_run("gd", split_seed, iterations=1000)
    assert not overfitting_reading(monitor.steps, monitor.train_loss, monitor.val_loss).overfits
