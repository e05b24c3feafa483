"""Gradient-flow diagnostics: dead ReLU units, gradient sizes (checked against finite differences), the monitor."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core.diagnostics import (
    LAYER_GRADIENTS,
    TrainingMonitor,
    dead_relu_fraction,
    gradient_flow_reading,
    gradient_norms,
)
from nn_core.divergence import loss_exploded
from nn_core.gradcheck import numeric_gradient
from nn_core.network import forward, init_params, loss
from nn_core.training import train


def _small_problem(seed: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 25))
    Y = (X[0:1] - X[1:2] > 0).astype(float)
    return init_params(4, 6, seed=seed), X, Y


def test_dead_relu_fraction_counts_units_silent_on_every_sample():
    params, X, _ = _small_problem()
    assert dead_relu_fraction(params, X) == 0.0  # random init: every unit fires for some sample
    params["b1"][:3] = -1e3  # three of six units can never fire on these inputs
    assert dead_relu_fraction(params, X) == pytest.approx(0.5)


def test_gradient_norms_match_finite_differences():
    params, X, Y = _small_problem()
    norms = gradient_norms(params, X, Y)
    for name in ("W1", "b1", "W2", "b2"):
        numeric = numeric_gradient(params, X, Y, name, h=1e-6, method="central")
        assert norms["dLoss_" + name] == pytest.approx(np.linalg.norm(numeric), rel=1e-5)


def test_monitor_records_layer_gradients_and_losses_every_few_steps(split):
    monitor = TrainingMonitor(split.X_train, split.Y_train, split.X_test, split.Y_test)
    params0 = init_params(30, 15, seed=1)
    params, losses = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=100, callback=monitor,
                           callback_every=10)
    assert monitor.steps == list(range(10, 101, 10)) and len(losses) == 100
    assert monitor.train_loss[-1] == pytest.approx(loss(forward(params, split.X_train), split.Y_train))
    assert len(monitor.val_loss) == 10 and monitor.train_loss[-1] < monitor.train_loss[0]
    assert set(monitor.grad_norms) == set(LAYER_GRADIENTS)
    per_parameter = gradient_norms(params, split.X_train, split.Y_train)
    layer1 = np.hypot(per_parameter["dLoss_W1"], per_parameter["dLoss_b1"])
    assert monitor.grad_norms["layer 1 (W1, b1)"][-1] == pytest.approx(layer1)
    assert monitor.exploded_at is None
    assert gradient_flow_reading(monitor).startswith("Healthy")


def test_monitor_stops_an_exploding_run_and_says_so(split):
    monitor = TrainingMonitor(split.X_train, split.Y_train)
    params0 = init_params(30, 15, seed=1)
    monitor.record(0, params0)
    _, losses = train(params0, split.X_train, split.Y_train, lr=1.0, iterations=500, batch_size=1, callback=monitor)
    assert monitor.exploded_at is not None and len(losses) == monitor.exploded_at < 500
    assert all(np.isfinite(monitor.train_loss))
    assert gradient_flow_reading(monitor).startswith("Exploding")


def test_exploding_rule():
    assert not loss_exploded(0.7, 0.69) and not loss_exploded(5.0, 0.69)
    assert loss_exploded(50.0, 0.69) and loss_exploded(float("nan"), 0.69) and loss_exploded(float("inf"), 0.69)


def test_reading_reports_dead_units(split):
    monitor = TrainingMonitor(split.X_train, split.Y_train)
    params = init_params(30, 10, seed=1)
    params["b1"][:6] = -1e3
    monitor.record(0, params)
    assert gradient_flow_reading(monitor).startswith("6 of 10 hidden units (60%) are dead")
    assert "Train the network" in gradient_flow_reading(TrainingMonitor(split.X_train, split.Y_train))


def test_a_reading_with_many_dead_units_is_not_called_healthy(split):
    """After "Cure it" the page said "Healthy: 47% dead hidden units … both layers kept learning"."""
    monitor = TrainingMonitor(split.X_train, split.Y_train)
    params = init_params(30, 15, seed=1)
    params["b1"][:7] = -1e3  # 7 of 15 units silent on every sample
    monitor.record(0, params)
    monitor.record(10, params)
    reading = gradient_flow_reading(monitor)
    assert not reading.startswith("Healthy") and "7 of 15 hidden units (47%) are dead" in reading
    assert "only 8" in reading
    params["b1"][:7] = 0.0
    params["b1"][0] = -1e3  # one dead unit of 15: still healthy, but said
    monitor = TrainingMonitor(split.X_train, split.Y_train)
    monitor.record(0, params)
    reading = gradient_flow_reading(monitor)
    assert reading.startswith("Healthy") and "1 of 15 hidden units (7%) is dead" in reading
    params["b1"][0] = 0.0
    monitor = TrainingMonitor(split.X_train, split.Y_train)
    monitor.record(0, params)
    assert gradient_flow_reading(monitor).startswith("Healthy: no dead hidden units")
