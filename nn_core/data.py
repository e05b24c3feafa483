"""Data sets, splitting and scaling — all through scikit-learn; the arrays come out in the article's
orientation (one column per sample) ready for the network."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

SCALINGS = ("standard", "minmax", "none")
CLASS_NAMES = ("benign", "malignant")  # label 0, label 1 — as in the article


@dataclass(frozen=True)
class Dataset:
    """Samples as rows (sklearn's orientation): X (m, n_features), y (m,) of 0/1."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, str] = CLASS_NAMES


@dataclass(frozen=True)
class FeatureScaling:
    """The scaling fitted on the training rows, as plain numbers: scaled = (raw − offset) / divisor per feature.

    Kept with the split so a saved model can be applied to new raw measurements (standard: offset = mean,
    divisor = sd; min-max: offset = min, divisor = max − min; none: 0 and 1).
    """

    method: str
    offset: np.ndarray  # (n_x,)
    divisor: np.ndarray  # (n_x,), never 0 (sklearn turns a zero spread into 1)

    def apply(self, rows: np.ndarray) -> np.ndarray:
        """Raw rows (m, n_x), one per sample, to scaled rows (m, n_x)."""
        return (np.asarray(rows, dtype=float) - self.offset) / self.divisor

    @classmethod
    def identity(cls, n_features: int) -> FeatureScaling:
        return cls("none", np.zeros(n_features), np.ones(n_features))


def fitted_scaling(scaler, method: str, n_features: int) -> FeatureScaling:
    """Read a fitted sklearn scaler (or None) as offset and divisor arrays."""
    if scaler is None:
        return FeatureScaling.identity(n_features)
    if isinstance(scaler, StandardScaler):
        return FeatureScaling(method, scaler.mean_.astype(float).copy(), scaler.scale_.astype(float).copy())
    if isinstance(scaler, MinMaxScaler):  # sklearn: x * scale_ + min_, i.e. (x - data_min_) * scale_
        return FeatureScaling(method, (-scaler.min_ / scaler.scale_).astype(float), (1.0 / scaler.scale_).astype(float))
    raise ValueError(f"unknown scaler {type(scaler).__name__}")


@dataclass(frozen=True)
class Split:
    """A train/test split in the article's orientation: X_* (n_x, m), Y_* (1, m)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    feature_names: tuple[str, ...]
    scaling: FeatureScaling | None = None  # how the raw features were scaled (None: built by hand, unknown)


def load_cancer() -> Dataset:
    """scikit-learn's Wisconsin Diagnostic set (569 × 30, ships with sklearn, no download).

    sklearn codes 0 = malignant, 1 = benign; we flip it so that 1 = malignant, as in the article.
    """
    bunch = load_breast_cancer()
    y = (bunch.target == 0).astype(int)
    return Dataset(X=bunch.data.astype(float), y=y, feature_names=tuple(bunch.feature_names))


def make_scaler(scaling: str):
    if scaling == "standard":
        return StandardScaler()
    if scaling == "minmax":
        return MinMaxScaler()
    if scaling == "none":
        return None
    raise ValueError(f"scaling must be one of {SCALINGS}")


def split_and_scale(dataset: Dataset, *, test_size: float = 0.2, seed: int = 0, stratify: bool = True,
                    scaling: str = "standard", features: list[int] | None = None) -> Split:
    """Split (stratified by default), then fit the scaler on the training part only — no leakage."""
    X = dataset.X if features is None else dataset.X[:, features]
    names = dataset.feature_names if features is None else tuple(dataset.feature_names[i] for i in features)
    X_train, X_test, y_train, y_test = train_test_split(
        X, dataset.y, test_size=test_size, random_state=seed, stratify=dataset.y if stratify else None)
    scaler = make_scaler(scaling)
    if scaler is not None:
        X_train = scaler.fit_transform(X_train)
        X_test = scaler.transform(X_test)
    return Split(
        X_train=np.ascontiguousarray(X_train.T), Y_train=y_train.reshape(1, -1).astype(float),
        X_test=np.ascontiguousarray(X_test.T), Y_test=y_test.reshape(1, -1).astype(float),
        feature_names=names, scaling=fitted_scaling(scaler, scaling, X.shape[1]),
    )
