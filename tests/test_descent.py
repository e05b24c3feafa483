"""Rolling balls on the toy surfaces: the steps are the optimizers' steps, divergence stops cleanly."""

import numpy as np
import pytest

from nn_core.descent import classify_outcome, escape_box, run_descent, sweep_learning_rates
from nn_core.optimizers import OPTIMIZERS
from nn_core.surfaces import SURFACES


def test_first_gd_step_is_start_minus_lr_times_gradient():
    surface = SURFACES["hills"]
    run = run_descent(surface, (0.3, -0.7), optimizer="gd", lr=0.2, steps=1)
    g = np.array([float(v) for v in surface.gradient(0.3, -0.7)])
    np.testing.assert_allclose(run.path[1], np.array([0.3, -0.7]) - 0.2 * g)
    assert run.values[1] == pytest.approx(float(surface.value(*run.path[1])))


def test_first_adam_step_moves_lr_in_each_coordinate():
    run = run_descent(SURFACES["bowl"], (-2.0, 1.0), optimizer="adam", lr=0.1, steps=1)
    np.testing.assert_allclose(run.path[1], [-1.9, 0.9], atol=1e-9)


def test_bowl_reaches_the_global_minimum():
    surface = SURFACES["bowl"]
    run = run_descent(surface, (-2.5, 2.0), lr=0.1, steps=100)
    assert not run.diverged and run.steps_taken == 100
    assert classify_outcome(run, surface).kind == "global"


def test_too_large_learning_rate_diverges_without_nan():
    surface = SURFACES["bowl"]
    run = run_descent(surface, (-2.5, 2.0), lr=3.16, steps=100)
    assert run.diverged and run.diverged_at < 100
    assert np.isfinite(run.path).all() and np.isfinite(run.values).all()
    low, high = escape_box(surface)
    assert ((run.path[-1] < low) | (run.path[-1] > high)).any()  # the last point shows where it flew off
    outcome = classify_outcome(run, surface)
    assert outcome.kind == "diverged" and "too high" in outcome.message


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("key", list(SURFACES))
def test_every_optimizer_on_every_surface_stays_finite_even_at_absurd_learning_rates(key, optimizer):
    for lr in (1e-3, 10.0, 1e200):
        run = run_descent(SURFACES[key], (-2.2, 0.8), optimizer=optimizer, lr=lr, steps=50, noise=0.5)
        assert np.isfinite(run.path).all() and np.isfinite(run.values).all()
        assert len(run.path) == len(run.values) >= 1
        classify_outcome(run, SURFACES[key])


def test_noise_is_reproducible_with_a_seed_and_changes_with_it():
    surface = SURFACES["hills"]
    a = run_descent(surface, (0.0, 2.0), lr=0.1, steps=30, noise=0.5, seed=3)
    b = run_descent(surface, (0.0, 2.0), lr=0.1, steps=30, noise=0.5, seed=3)
    c = run_descent(surface, (0.0, 2.0), lr=0.1, steps=30, noise=0.5, seed=4)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.allclose(a.path, c.path)
    quiet = [run_descent(surface, (0.0, 2.0), lr=0.1, steps=30, seed=s).path for s in (0, 1)]
    np.testing.assert_array_equal(*quiet)


def test_ball_on_the_ridge_stalls_at_the_saddle_and_noise_frees_it():
    surface = SURFACES["saddle"]
    stuck = run_descent(surface, (2.5, 0.0), lr=0.1, steps=200)
    assert classify_outcome(stuck, surface).kind == "stalled"
    freed = run_descent(surface, (2.5, 0.0), lr=0.1, steps=200, noise=0.3, seed=0)
    assert classify_outcome(freed, surface).kind == "global"


def test_hills_start_shows_local_versus_global():
    surface = SURFACES["hills"]
    start = surface.suggested_start
    assert classify_outcome(run_descent(surface, start, optimizer="gd", lr=0.1, steps=100), surface).kind == "local"
    assert classify_outcome(run_descent(surface, start, optimizer="momentum", lr=0.1, steps=100),
                            surface).kind == "global"


def test_bouncing_ball_is_named_as_such():
    surface = SURFACES["bowl"]
    run = run_descent(surface, (-2.5, 2.0), lr=1.0, steps=100)  # y-curvature 2: lr 1 flips y forever
    assert not run.diverged
    assert classify_outcome(run, surface).kind == "bouncing"


def test_sweep_is_geometric_around_the_chosen_rate():
    rates = sweep_learning_rates(0.1)
    assert rates == pytest.approx([0.025, 0.05, 0.1, 0.2, 0.4])


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        run_descent(SURFACES["bowl"], (0, 0), lr=0.0)
    with pytest.raises(ValueError):
        run_descent(SURFACES["bowl"], (0, 0), steps=-1)
