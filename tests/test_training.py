"""nn_core.training: the article's full-batch gd reaches the article's accuracy; mini-batch and SGD
learn; seeds reproduce; divergence and early stopping are handled; the caller's params are untouched."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core import (
    DIVERGENCE_LOSS,
    OPTIMIZERS,
    diverged,
    forward,
    init_params,
    load_cancer,
    loss,
    predict,
    split_and_scale,
    steps_per_epoch,
    train,
)


@pytest.fixture(scope="module")
def cancer_splits():
    dataset = load_cancer()
    return [split_and_scale(dataset, test_size=0.2, seed=seed, stratify=True, scaling="standard") for seed in range(5)]


def full_loss(params, split) -> float:
    return loss(forward(params, split.X_train), split.Y_train)


def test_full_batch_gd_reaches_the_article_accuracy_on_the_built_in_data(cancer_splits):
    """80/20 stratified, standardized, 15 hidden units, article init: test accuracy ≥ 0.96 (mean of 5 splits)."""
    accuracies = []
    for split in cancer_splits:
        params = init_params(split.X_train.shape[0], 15, seed=1)
        trained, losses = train(params, split.X_train, split.Y_train, lr=0.1, iterations=300)
        assert len(losses) == 300 and losses[-1] < losses[0] / 4
        accuracies.append(np.mean(predict(trained, split.X_test) == split.Y_test))
    assert np.mean(accuracies) >= 0.96, accuracies


def test_full_batch_iteration_is_exactly_the_article_update(cancer_splits):
    from nn_core import backward

    split = cancer_splits[0]
    params = init_params(30, 15, seed=1)
    trained, losses = train(params, split.X_train, split.Y_train, lr=0.5, iterations=1)
    cache = forward(params, split.X_train)
    grads = backward(params, split.X_train, split.Y_train, cache)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(trained[name], params[name] - 0.5 * grads["dLoss_" + name], rtol=1e-13)
    assert losses[0] == pytest.approx(loss(cache, split.Y_train))


@pytest.mark.parametrize("batch_size", [32, 1])
def test_mini_batch_and_sgd_lower_the_loss(cancer_splits, batch_size):
    split = cancer_splits[0]
    params = init_params(30, 15, seed=1)
    updates = 3 * steps_per_epoch(split.X_train.shape[1], batch_size)
    trained, losses = train(params, split.X_train, split.Y_train, lr=0.05, iterations=updates, batch_size=batch_size)
    assert len(losses) == updates
    assert full_loss(trained, split) < 0.5 * full_loss(params, split)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_lowers_the_loss(cancer_splits, optimizer):
    split = cancer_splits[0]
    params = init_params(30, 15, seed=1)
    trained, _ = train(params, split.X_train, split.Y_train, lr=0.05, iterations=100, optimizer=optimizer)
    assert full_loss(trained, split) < 0.6 * full_loss(params, split)


def test_a_seed_gives_identical_results_twice(cancer_splits):
    split = cancer_splits[0]
    params = init_params(30, 15, seed=1)
    runs = [train(params, split.X_train, split.Y_train, lr=0.05, iterations=60, batch_size=16, seed=seed)
            for seed in (7, 7, 8)]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    for name in params:
        np.testing.assert_array_equal(runs[0][0][name], runs[1][0][name])
    assert not np.array_equal(runs[0][1], runs[2][1])


def test_train_never_mutates_the_callers_params(cancer_splits):
    split = cancer_splits[0]
    params = init_params(30, 15, seed=1)
    before = {name: value.copy() for name, value in params.items()}
    train(params, split.X_train, split.Y_train, lr=0.1, iterations=5, optimizer="adam")
    for name in params:
        np.testing.assert_array_equal(params[name], before[name])


def test_callback_sees_progress_and_can_stop_early(cancer_splits):
    split = cancer_splits[0]
    seen = []

    def callback(step, params, current_loss):
        seen.append((step, current_loss))
        return step >= 30

    _, losses = train(init_params(30, 15), split.X_train, split.Y_train, lr=0.1, iterations=100,
                      callback=callback, callback_every=10)
    assert [step for step, _ in seen] == [10, 20, 30]
    assert len(losses) == 30
    assert seen[-1][1] == losses[-1]


@pytest.mark.parametrize("lr", [1.0, 3.0, 10.0])
@pytest.mark.parametrize("batch_size", [None, 8])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_large_learning_rates_keep_every_number_finite(cancer_splits, lr, batch_size, optimizer):
    """Up to lr = 10 nothing turns into nan/inf: a run either finishes or stops, flagged, before overflow."""
    split = cancer_splits[0]
    trained, losses = train(init_params(30, 15), split.X_train, split.Y_train, lr=lr, iterations=300,
                            batch_size=batch_size, optimizer=optimizer)
    assert np.isfinite(losses).all()
    assert all(np.isfinite(value).all() for value in trained.values())
    assert diverged(losses) == (len(losses) < 300)
    if diverged(losses):
        assert losses[-1] > DIVERGENCE_LOSS


def test_full_batch_lr_10_is_reported_as_diverged(cancer_splits):
    split = cancer_splits[0]
    _, losses = train(init_params(30, 15), split.X_train, split.Y_train, lr=10.0, iterations=1000)
    assert diverged(losses) and len(losses) < 1000


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_non_finite_loss_stops_training_and_is_reported():
    params = init_params(2, 2)
    params["W2"][0, 0] = np.nan
    X = np.ones((2, 4))
    Y = np.ones((1, 4))
    _, losses = train(params, X, Y, lr=0.1, iterations=50)
    assert len(losses) == 1 and np.isnan(losses[0])
    assert diverged(losses)
    assert not diverged(np.array([0.7, 0.5]))


def test_single_sample_and_single_hidden_unit_train():
    X = np.array([[0.5], [-1.0]])
    Y = np.array([[1.0]])
    trained, losses = train(init_params(2, 1, seed=3), X, Y, lr=0.5, iterations=50, batch_size=1)
    assert losses[-1] <= losses[0]


def test_steps_per_epoch():
    assert steps_per_epoch(455, None) == 1
    assert steps_per_epoch(455, 455) == 1
    assert steps_per_epoch(455, 32) == 15
    assert steps_per_epoch(455, 1) == 455


@pytest.mark.parametrize("bad", [{"optimizer": "sgd-typo"}, {"batch_size": 0}, {"iterations": -1}])
def test_bad_arguments_are_refused(bad):
    arguments = {"lr": 0.1, "iterations": 1, **bad}
    with pytest.raises(ValueError):
        train(init_params(2, 2), np.ones((2, 3)), np.ones((1, 3)), **arguments)


def _epochs(m: int, batch_size: int, n_epochs: int, seed: int = 0) -> list[list[np.ndarray]]:
    """The sample indices of each batch, epoch by epoch (X's only feature is the sample's index)."""
    from nn_core.training import _batches

    X = np.arange(m, dtype=float)[None, :]
    stream = _batches(X, np.zeros((1, m)), batch_size, seed)
    per_epoch = steps_per_epoch(m, batch_size)
    return [[next(stream)[0][0].astype(int) for _ in range(per_epoch)] for _ in range(n_epochs)]


def test_mini_batch_epochs_use_every_sample_once_and_keep_the_last_partial_batch():
    for epoch in _epochs(m=10, batch_size=4, n_epochs=3):
        assert [len(batch) for batch in epoch] == [4, 4, 2]  # 10 = 4 + 4 + 2: the last 2 samples are not dropped
        assert sorted(np.concatenate(epoch).tolist()) == list(range(10))  # each sample exactly once


def test_each_epoch_draws_a_fresh_permutation():
    orders = [tuple(np.concatenate(epoch)) for epoch in _epochs(m=12, batch_size=5, n_epochs=4)]
    assert len(set(orders)) == 4  # four different orders (the chance of a repeat is ~1e-8)
    assert orders[0] != tuple(range(12))  # shuffled, not the file's order
