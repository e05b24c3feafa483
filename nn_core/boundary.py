"""What the network learned, drawn on a plane: its probability Yh over a grid, with the data on top.

Two honest views:

- **Two features** (a split of two features + ``feature_grid``): the network is trained on just two
  features, so the picture is its whole, true decision region.
- **The PCA plane of all features** (``pca_grid``): a network trained on 30 features cannot be drawn,
  so we draw a *slice*: the plane of the first two principal components of the training data, every
  other component held at its mean (0 in PCA coordinates), mapped back to 30 features with
  ``inverse_transform``. The points are projected onto that plane; whether each is misclassified is
  decided by the network on its real 30 features, so a point may sit on the "wrong" colour.

Everything takes ``params``, so it can be evaluated at every recorded iteration (``replay_data``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from .data import Split
from .network import Params, forward, loss, predict_proba

DEFAULT_RESOLUTION = 40  # 40 × 40 cells: fine enough to see the boundary, small enough for a replay
MARGIN = 0.05  # share of the data's range added on each side, so no point sits on the edge
MAX_REPLAY_FRAMES = 120


@dataclass(frozen=True)
class BoundaryGrid:
    """A grid over a plane, the network inputs at its cells, and where the data points sit on it.

    ``inputs`` is (n_x, resolution²), row-major with y outer: ``proba.reshape(len(ys), len(xs))``.
    ``explained_variance`` is the share of the training data's variance the plane holds (PCA only).
    """

    kind: str  # "features" or "pca"
    xs: np.ndarray
    ys: np.ndarray
    inputs: np.ndarray
    train_xy: np.ndarray  # (2, m_train)
    test_xy: np.ndarray  # (2, m_test)
    axis_titles: tuple[str, str]
    train_y: np.ndarray  # (m_train,) 0/1 class of each training point
    test_y: np.ndarray  # (m_test,)
    explained_variance: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)


def _axis(values: np.ndarray, resolution: int) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    pad = MARGIN * (high - low) if high > low else 1.0
    return np.linspace(low - pad, high + pad, resolution)


def _mesh(train_xy: np.ndarray, test_xy: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Axes covering every train and test point, and the (2, resolution²) cell centres."""
    both = np.concatenate([train_xy, test_xy], axis=1)
    xs, ys = _axis(both[0], resolution), _axis(both[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.vstack([gx.ravel(), gy.ravel()])


def _labels(split: Split) -> dict[str, np.ndarray]:
    return {"train_y": split.Y_train.ravel().astype(int), "test_y": split.Y_test.ravel().astype(int)}


def feature_grid(split: Split, resolution: int = DEFAULT_RESOLUTION) -> BoundaryGrid:
    """The grid for a network trained on exactly two features: the cells *are* its inputs."""
    if split.X_train.shape[0] != 2:
        raise ValueError("feature_grid needs a split of exactly two features")
    xs, ys, cells = _mesh(split.X_train, split.X_test, resolution)
    return BoundaryGrid(kind="features", xs=xs, ys=ys, inputs=cells, train_xy=split.X_train.copy(),
                        test_xy=split.X_test.copy(), axis_titles=tuple(split.feature_names), **_labels(split))


def pca_grid(split: Split, resolution: int = DEFAULT_RESOLUTION) -> BoundaryGrid:
    """The PC1/PC2 plane of the training data; cells mapped back to all features with the other components at 0."""
    pca = PCA(n_components=2).fit(split.X_train.T)
    train_xy, test_xy = pca.transform(split.X_train.T).T, pca.transform(split.X_test.T).T
    xs, ys, cells = _mesh(train_xy, test_xy, resolution)
    inputs = np.ascontiguousarray(pca.inverse_transform(cells.T).T)
    first, second = pca.explained_variance_ratio_
    return BoundaryGrid(kind="pca", xs=xs, ys=ys, inputs=inputs, train_xy=train_xy, test_xy=test_xy,
                        axis_titles=(f"1st principal component ({first:.0%} of variance)",
                                     f"2nd principal component ({second:.0%} of variance)"),
                        explained_variance=float(first + second), **_labels(split))


def grid_probability(params: Params, grid: BoundaryGrid) -> np.ndarray:
    """Yh at every grid cell in one forward pass, shaped (len(ys), len(xs)) for a heatmap."""
    return predict_proba(params, grid.inputs).reshape(grid.shape)


def plane_caption(grid: BoundaryGrid) -> str:
    """What the picture is, in words: a page shows this under the figure."""
    if grid.kind == "pca":
        return (f"A slice, not the whole network: the colour is the network's probability of malignant on the plane "
                f"of the first two principal components of the training data, which holds "
                f"{grid.explained_variance:.0%} of its variance; every other component is held at its mean. "
                "Points are projected onto the plane; a ringed point is misclassified by the network on all of "
                "its features, so it may sit on the colour of the other class.")
    return (f"The network was trained on just these two features ({grid.axis_titles[0]}, {grid.axis_titles[1]}), "
            "so this is its true decision region. Ringed points are misclassified.")


@dataclass(frozen=True)
class ReplayData:
    """Everything a replay moves, at k sampled iterations of a run, computed from the recorded params.

    ``proba_percent`` is Yh on the grid in whole per cent (uint8): the replay's payload stays small and a
    per cent is finer than the eye can tell in a colour. Confusion counts and accuracy are on the test set
    (rows = true class benign/malignant, columns = predicted), at threshold 0.5.
    """

    steps: np.ndarray  # (k,)
    train_loss: np.ndarray  # (k,) cross-entropy on the training set
    val_loss: np.ndarray  # (k,) cross-entropy on the validation (test) set
    proba_percent: np.ndarray  # (k, len(ys), len(xs)) uint8
    confusion: np.ndarray  # (k, 2, 2) int
    accuracy: np.ndarray  # (k,)
    test_wrong: np.ndarray  # (k, m_test) bool
    grid: BoundaryGrid


def sample_indices(n: int, max_frames: int = MAX_REPLAY_FRAMES) -> np.ndarray:
    """At most ``max_frames`` indices spread evenly over range(n), always the first and the last."""
    if n <= max_frames:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max_frames)).astype(int))


def replay_data(snapshots: Sequence[tuple[int, Params]], grid: BoundaryGrid, split: Split, *,
                max_frames: int = MAX_REPLAY_FRAMES, threshold: float = 0.5) -> ReplayData:
    """Evaluate sampled snapshots (iteration, params) on the grid and on the training and test sets.

    A run with at most ``max_frames`` recordings gives one frame per recording: a SnapshotRecorder records
    every update of a short run, so there are no in-between states to show.
    """
    if not snapshots:
        raise ValueError("no snapshots to replay")
    chosen = [snapshots[i] for i in sample_indices(len(snapshots), max_frames)]
    y_test = split.Y_test.ravel().astype(int)
    steps, train_loss, val_loss, proba, confusion, accuracy, wrong = [], [], [], [], [], [], []
    for step, params in chosen:  # a loop over recorded iterations; each one is vectorized over samples and cells
        steps.append(step)
        train_loss.append(loss(forward(params, split.X_train), split.Y_train))
        test_cache = forward(params, split.X_test)
        val_loss.append(loss(test_cache, split.Y_test))
        predicted = (test_cache["Yh"].ravel() > threshold).astype(int)
        confusion.append(np.bincount(2 * y_test + predicted, minlength=4).reshape(2, 2))
        accuracy.append(float(np.mean(predicted == y_test)))
        wrong.append(predicted != y_test)
        proba.append(np.rint(100 * grid_probability(params, grid)).astype(np.uint8))
    return ReplayData(steps=np.asarray(steps), train_loss=np.asarray(train_loss), val_loss=np.asarray(val_loss),
                      proba_percent=np.stack(proba), confusion=np.stack(confusion), accuracy=np.asarray(accuracy),
                      test_wrong=np.stack(wrong), grid=grid)
