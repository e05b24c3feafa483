"""The replay's two views: a feature subset equals scaling those features alone; the two-feature run trains."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.boundary_runs import feature_subset, plane_replay, two_feature_replay
from lessons.training_run import RunConfig, run_training
from nn_core.data import load_cancer, split_and_scale

CONFIG = RunConfig(hidden=8, lr=0.1, iterations=120, batch_size=None, optimizer="gd", init_seed=1)


@pytest.mark.parametrize("scaling", ["standard", "minmax"])
def test_a_feature_subset_is_the_same_as_scaling_just_those_features(scaling):
    data = load_cancer()
    whole = split_and_scale(data, test_size=0.2, seed=3, scaling=scaling)
    alone = split_and_scale(data, test_size=0.2, seed=3, scaling=scaling, features=[20, 7])
    subset = feature_subset(whole, (20, 7))
    np.testing.assert_allclose(subset.X_train, alone.X_train, atol=1e-12)
    np.testing.assert_allclose(subset.X_test, alone.X_test, atol=1e-12)
    assert subset.feature_names == alone.feature_names
    np.testing.assert_allclose(subset.scaling.offset, alone.scaling.offset)


def test_the_two_feature_run_learns_on_its_own_plane(split):
    data, run = two_feature_replay(split, (20, 27), CONFIG)  # worst radius, worst concave points
    assert data.grid.kind == "features" and run.params["W1"].shape == (8, 2)
    assert data.accuracy[-1] > 0.85 and data.accuracy[-1] > data.accuracy[0] - 1e-9
    with pytest.raises(ValueError):
        two_feature_replay(split, (3, 3), CONFIG)


def test_the_plane_replay_has_enough_frames(split):
    data = plane_replay(run_training(split, CONFIG).snapshots, split)
    assert data.grid.kind == "pca" and len(data.steps) >= 60 and data.steps[-1] == 120
