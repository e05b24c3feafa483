"""The two honest pictures of what the network learned, as data for the replay (no Streamlit).

*All features on a plane*: the run the learner trained, seen on the PCA plane of its training data.
*Two features*: a second run of the same settings on just two chosen features, whose true decision region
the plane then is. Both end as ``ReplayData`` for ``viz.replay.replay_figure``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from lessons.training_run import RunConfig, TrainingRun, run_training
from nn_core.boundary import ReplayData, feature_grid, pca_grid, replay_data
from nn_core.data import Split
from nn_core.network import Params


def feature_subset(split: Split, features: Sequence[int]) -> Split:
    """The same rows with only ``features``: each feature was scaled on its own, so nothing is refitted."""
    rows = list(features)
    scaling = split.scaling
    if scaling is not None:
        scaling = dataclasses.replace(scaling, offset=scaling.offset[rows], divisor=scaling.divisor[rows])
    return dataclasses.replace(split, X_train=split.X_train[rows], X_test=split.X_test[rows],
                               feature_names=tuple(split.feature_names[i] for i in rows), scaling=scaling)


def plane_replay(snapshots: Sequence[tuple[int, Params]], split: Split) -> ReplayData:
    """A run's recorded weights on the plane of the first two principal components of the training data."""
    return replay_data(snapshots, pca_grid(split), split)


def two_feature_replay(split: Split, features: Sequence[int], config: RunConfig) -> tuple[ReplayData, TrainingRun]:
    """Train the same settings on just two features and replay that run on its own (true) input plane."""
    if len(set(features)) != 2:
        raise ValueError("choose two different features")
    pair = feature_subset(split, features)
    run = run_training(pair, config)
    return replay_data(run.snapshots, feature_grid(pair), pair), run
