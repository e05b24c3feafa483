"""Bounded caches for every page (Community Cloud has little memory): the built-in data, its splits, the
scikit-learn baselines and the step-through's small examples (uploads are kept per session, not here).
Each wraps a pure function; nothing here computes on its own."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lessons.evaluation import baseline_scores
from lessons.step_through import choose_samples
from nn_core import Dataset, Split, load_cancer, split_and_scale


@st.cache_data(max_entries=1, show_spinner=False)
def cancer_dataset() -> Dataset:
    return load_cancer()


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cancer_split(test_size: float = 0.2, seed: int = 0, stratify: bool = True, scaling: str = "standard",
                 features: tuple[int, ...] | None = None) -> Split:
    """The built-in data split and scaled (scaler fitted on the training part only)."""
    return split_and_scale(cancer_dataset(), test_size=test_size, seed=seed, stratify=stratify, scaling=scaling,
                           features=None if features is None else list(features))


@st.cache_data(max_entries=16, ttl="1h", show_spinner="Training the scikit-learn baselines…")
def cached_baseline_scores(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
                           hidden: int, seed: int) -> dict[str, dict[str, float]]:
    return baseline_scores(X_train, Y_train, X_test, Y_test, hidden, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def small_example(features: tuple[str, ...], m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """m tumours × the chosen features from the standardized training split (numbers of order 1)."""
    names = cancer_dataset().feature_names
    split = cancer_split(features=tuple(names.index(name) for name in features))
    chosen = choose_samples(split.Y_train, m, seed)
    return split.X_train[:, chosen], split.Y_train[:, chosen], chosen
