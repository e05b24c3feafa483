"""Bounded caches of link-determined results, shared by every session of the server.

A class opens one link: what depends only on the link's values is computed once and served to everyone.
Every cache has ``max_entries`` and ``ttl``; ``st.cache_data`` keeps each value pickled and hands every
session its own copy, so no session can change what another sees. Uploads are never cached here (kept per
session). Memory each may hold, measured as pickled size (tests/test_cached.py checks the budgets):

==========================  =======  =====================================================  ===========
cache                       entries  one entry                                              at most
==========================  =======  =====================================================  ===========
cancer_dataset              1        569 × 30 floats and names: 0.15 MB                     0.2 MB
cancer_split                16       two scaled matrices: 0.15 MB                           2.4 MB
shared_baseline_scores      16       a few scores: < 1 KB                                   < 0.1 MB
small_example               32       ≤ 6 × 16 floats: < 2 KB                                < 0.1 MB
shared_training_run         24       a run: 0.5 MB (defaults) … 2.1 MB (64 units, SGD)       51 MB
                                     — 120 weight snapshots, the loss of every update
shared_replay               24       a replay's figure JSON and text: 0.3–1.5 MB             36 MB
landscape_views toy_runs    64       ≤ 5 paths of ≤ 301 points: < 0.1 MB                    3 MB
landscape_views real scene  8        a 101² grid and ≤ 5 paths: ≤ 0.5 MB                    4 MB
landscape_views your run    8        a 41² grid and a ≤ 6,237-point path: ≤ 0.4 MB          3.2 MB
figure_json                 128      a figure's JSON: 5–30 KB (2D), ≤ 130 KB (3D surface)   ≤ 17 MB
threshold / trade-off       64 each  a few numbers and a 3-row table: < 5 KB                < 1 MB
==========================  =======  =====================================================  ===========

So the caches hold at most ~120 MB whatever the class does, and less than 1 MB each after an hour of quiet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import plotly.io as pio
import streamlit as st

from lessons.evaluation import ThresholdMetrics, threshold_metrics, trade_off_table
from lessons.step_through import choose_samples
from lessons.training_run import TrainingRun
from nn_core import Dataset, Split, load_cancer, split_and_scale

T = TypeVar("T")


class NotComputed(LookupError):
    """A shared result that no session has computed yet (Streamlit never caches an exception)."""


def computed_or_raise(computed: T | None) -> T:
    """The body of a look-up-or-store cache: called with a value it stores it, called without it raises.

    Heavy work is not done inside the cached function itself because it must show live progress and a
    place in the queue in this session's page, which a cached function would record and replay.
    """
    if computed is None:
        raise NotComputed
    return computed


@st.cache_data(max_entries=1, ttl="24h", show_spinner=False)
def cancer_dataset() -> Dataset:
    return load_cancer()


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cancer_split(test_size: float = 0.2, seed: int = 0, stratify: bool = True, scaling: str = "standard",
                 features: tuple[int, ...] | None = None) -> Split:
    """The built-in data split and scaled (scaler fitted on the training part only)."""
    return split_and_scale(cancer_dataset(), test_size=test_size, seed=seed, stratify=stratify, scaling=scaling,
                           features=None if features is None else list(features))


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def shared_baseline_scores(split_key: str, _computed: dict[str, dict[str, float]] | None = None,
                           ) -> dict[str, dict[str, float]]:
    """scikit-learn's scores on a split (by its content, hidden units and seed), fitted once for everyone: the
    fitting waits for one of the server's slots, which a cached function's body cannot show."""
    return computed_or_raise(_computed)


@st.cache_data(max_entries=32, ttl="1h", show_spinner=False)
def small_example(features: tuple[str, ...], m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """m tumours × the chosen features from the standardized training split (numbers of order 1)."""
    names = cancer_dataset().feature_names
    split = cancer_split(features=tuple(names.index(name) for name in features))
    chosen = choose_samples(split.Y_train, m, seed)
    return split.X_train[:, chosen], split.Y_train[:, chosen], chosen


@st.cache_data(max_entries=24, ttl="1h", show_spinner=False)
def shared_training_run(link_key: str, _computed: TrainingRun | None = None) -> TrainingRun:
    """A finished training run on the built-in data, by its settings: the second student on a link gets the
    first one's run (training is deterministic: same split, start and batches give the same numbers)."""
    return computed_or_raise(_computed)


@st.cache_data(max_entries=24, ttl="1h", show_spinner=False)
def shared_replay(link_key: str, _computed: tuple[str, str, str] | None = None) -> tuple[str, str, str]:
    """A finished run's replay on the built-in data (figure JSON, text alternative, caption), by its link and view:
    built once for everyone on the link (the two-feature view trains a run of its own)."""
    return computed_or_raise(_computed)


@st.cache_data(max_entries=128, ttl="1h", show_spinner=False)
def _figure_json(builder_name: str, args: tuple, kwargs: dict, _builder: Callable) -> str:
    return pio.to_json(_builder(*args, **kwargs), validate=False)


def figure_json(builder: Callable, *args, **kwargs) -> str:
    """``builder(*args, **kwargs)`` as the JSON that is sent, built once for every session that asks for the same
    figure: building a Plotly figure (its validators) and serialising it were most of a page open's server CPU."""
    return _figure_json(f"{builder.__module__}.{builder.__qualname__}", args, kwargs, builder)


@st.cache_data(max_entries=64, ttl="1h", show_spinner=False)
def cached_threshold_metrics(y_test: np.ndarray, proba: np.ndarray, threshold: float) -> ThresholdMetrics:
    """The test-set metrics at a threshold (scikit-learn's input checks cost more than the arithmetic)."""
    return threshold_metrics(y_test, proba, threshold)


@st.cache_data(max_entries=64, ttl="1h", show_spinner=False)
def cached_trade_off(Y_test: np.ndarray, proba: np.ndarray, positive_name: str) -> dict[str, list]:
    """The article's three thresholds judged once per run."""
    return trade_off_table(Y_test, proba, positive_name)
