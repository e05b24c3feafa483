"""Cached access to the built-in data for every page (bounded caches: Community Cloud has little memory)."""

from __future__ import annotations

import streamlit as st

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
