"""nn_core.boundary: the two-feature grid is the network's true input space, the PCA plane is the PC1/PC2
slice with every other component at its mean, and replay data matches the network at each snapshot."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from nn_core import init_params, load_cancer, predict, predict_proba, split_and_scale
from nn_core.boundary import (
    MAX_REPLAY_FRAMES,
    feature_grid,
    grid_probability,
    pca_grid,
    plane_caption,
    replay_data,
    sample_indices,
)
from nn_core.training import SnapshotRecorder, train

FEATURES = (0, 1)  # mean radius, mean texture


@pytest.fixture(scope="module")
def two():
    split = split_and_scale(load_cancer(), features=list(FEATURES), test_size=0.2, seed=0)
    params, _ = train(init_params(2, 15, seed=1), split.X_train, split.Y_train, lr=0.1, iterations=300)
    return split, params


@pytest.fixture(scope="module")
def full():
    split = split_and_scale(load_cancer(), test_size=0.2, seed=0)
    params0 = init_params(30, 15, seed=1)
    recorder = SnapshotRecorder()
    recorder.start(params0)
    params, losses = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=300, callback=recorder)
    recorder.add_final(len(losses), params)
    return split, params, recorder


def test_feature_grid_covers_every_point_and_its_probability_is_the_networks(two):
    split, params = two
    grid = feature_grid(split, resolution=40)
    points = np.concatenate([split.X_train, split.X_test], axis=1)
    assert grid.xs[0] < points[0].min() and grid.xs[-1] > points[0].max()
    assert grid.ys[0] < points[1].min() and grid.ys[-1] > points[1].max()
    proba = grid_probability(params, grid)
    assert proba.shape == (40, 40)
    for row, col in [(0, 0), (3, 29), (39, 17)]:  # cell (row, col) is the input (xs[col], ys[row])
        cell = np.array([[grid.xs[col]], [grid.ys[row]]])
        assert proba[row, col] == pytest.approx(predict_proba(params, cell)[0, 0], rel=1e-12)
    assert plane_caption(grid).startswith("The network was trained on just these two features")


def test_two_features_already_separate_the_classes(two):
    split, params = two
    assert np.mean(predict(params, split.X_test) == split.Y_test) >= 0.85


@pytest.mark.parametrize("scaling", ["standard", "minmax"])  # min-max data has a non-zero mean
def test_pca_plane_is_pc1_pc2_with_every_other_component_at_its_mean(scaling):
    split = split_and_scale(load_cancer(), test_size=0.2, seed=0, scaling=scaling)
    grid = pca_grid(split, resolution=30)
    whole = PCA().fit(split.X_train.T)
    coordinates = whole.transform(grid.inputs.T)  # every grid cell in all 30 PCA coordinates
    cells = np.stack(np.meshgrid(grid.xs, grid.ys), axis=-1).reshape(-1, 2)
    signs = np.sign(np.sum(coordinates[:, :2] * cells, axis=0))  # a component's sign is arbitrary
    np.testing.assert_allclose(coordinates[:, :2] * signs, cells, atol=1e-9)
    np.testing.assert_allclose(coordinates[:, 2:], 0.0, atol=1e-9)
    assert grid.explained_variance == pytest.approx(whole.explained_variance_ratio_[:2].sum(), rel=1e-9)
    if scaling == "standard":
        assert 0.5 < grid.explained_variance < 0.75  # the Wisconsin data: ~63 % in the first two components
    np.testing.assert_allclose(np.abs(grid.test_xy.T), np.abs(whole.transform(split.X_test.T)[:, :2]), atol=1e-9)
    assert "A slice" in plane_caption(grid) and f"{grid.explained_variance:.0%}" in plane_caption(grid)


def test_sample_indices_spread_evenly_and_keep_both_ends():
    assert sample_indices(50, 120).tolist() == list(range(50))
    picked = sample_indices(1000, 120)
    assert len(picked) == 120 and picked[0] == 0 and picked[-1] == 999
    assert np.ptp(np.diff(picked)) <= 1


def test_replay_data_is_the_network_at_each_snapshot(full):
    split, params, recorder = full
    grid = pca_grid(split)
    data = replay_data(recorder.snapshots, grid, split)
    k = len(data.steps)
    assert 60 <= k <= MAX_REPLAY_FRAMES
    assert data.steps[0] == 0 and data.steps[-1] == 300
    assert data.proba_percent.shape == (k, 40, 40) and data.proba_percent.dtype == np.uint8
    np.testing.assert_array_equal(data.proba_percent[-1], np.rint(100 * grid_probability(params, grid)))
    assert (data.confusion.sum(axis=(1, 2)) == split.X_test.shape[1]).all()
    final = predict(params, split.X_test).ravel()
    y = split.Y_test.ravel()
    assert data.confusion[-1].tolist() == [[np.sum((y == 0) & (final == 0)), np.sum((y == 0) & (final == 1))],
                                           [np.sum((y == 1) & (final == 0)), np.sum((y == 1) & (final == 1))]]
    assert data.accuracy[-1] == pytest.approx(np.mean(final == y))
    np.testing.assert_array_equal(data.test_wrong[-1], final != y)
    assert data.val_loss[0] > data.val_loss[-1] and data.train_loss[0] > data.train_loss[-1]


def test_replay_needs_snapshots(full):
    split, _, _ = full
    with pytest.raises(ValueError):
        replay_data([], pca_grid(split), split)
