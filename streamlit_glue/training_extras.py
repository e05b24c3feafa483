"""The training page's parts that answer on request: the scikit-learn baselines, the article's batch-mode
comparison, and the exports.

The baselines and the comparison are heavy (on a 5 MB upload, 18 s and 89 s of CPU): each is checked against the
server's work budget before its button can be pressed (over it, the button is off and a message names what would
fit), and runs in one of the server's slots. The baselines are shared by every session on the same split."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping

import numpy as np
import streamlit as st

from file_formats.model_io import PLAIN_NUMPY_USE, export_model, scaling_problem
from lessons.evaluation import (
    baseline_scores,
    baseline_table,
    compare_batch_modes,
    settings_json,
    threshold_metrics,
)
from lessons.training_run import RunConfig
from lessons.work_budget import check_baselines, check_comparison
from nn_core.data import Split
from streamlit_glue.cached import shared_baseline_scores
from streamlit_glue.layout import small_table
from streamlit_glue.work_queue import computed_once, queued
from viz.curves import batch_mode_figure
from viz.text import markdown_literal
from viz.text_alternatives import describe_batch_modes


def scikit_learn_baselines(split: Split, hidden: int, seed: int, y_test: np.ndarray, proba: np.ndarray) -> None:
    """LogisticRegression and MLPClassifier on the same split, fitted when asked: fitting them takes 0.3–0.6 s,
    too long to repeat on every notch of a slider. Once fitted for this split, hidden size and seed, the table
    stays until one of them changes."""
    digest = hashlib.sha256()
    for array in (split.X_train, split.Y_train, split.X_test, split.Y_test):
        digest.update(np.ascontiguousarray(array).tobytes())
    key = (digest.hexdigest(), hidden, seed)
    too_big = check_baselines(split.X_train.shape[1], hidden, split.X_train.shape[0])
    if st.button("Fit scikit-learn's models on this split", key="train_baselines_run", icon=":material/compare:",
                 disabled=too_big is not None):
        link = repr(key)
        st.session_state.train_baselines = {"key": key, "scores": computed_once(
            ("baselines", link), lambda: shared_baseline_scores(link),
            lambda: shared_baseline_scores(link, _computed=queued(lambda: baseline_scores(
                split.X_train, split.Y_train, split.X_test, split.Y_test, hidden, seed))), st.empty())}
    if too_big is not None:
        st.info(too_big.message, icon=":material/block:")
    kept = st.session_state.get("train_baselines")
    if kept is not None and kept["key"] == key:
        small_table(baseline_table(threshold_metrics(y_test, proba, 0.5), kept["scores"]), key="train_baselines")
    else:
        st.caption("LogisticRegression and an MLPClassifier with the same hidden units, trained on the same rows"
                   + (" (the data or the hidden units changed since the last comparison)." if kept else "."))


def batch_mode_comparison(split: Split, config: RunConfig, settings_key: str) -> None:
    """Three networks from the same start, the same learning rate and the same number of updates; a comparison
    made for other settings is not shown (it would answer another question)."""
    st.header("Batch vs mini-batch vs SGD")
    comparison_iterations = min(config.iterations, 2000)
    st.markdown(f"The article's closing question: one button trains three networks from the same start with the same "
                f"learning rate and the same **{comparison_iterations} updates** — on all rows, on mini-batches of "
                f"{config.batch_size or 32}, or on one row at a time.")
    n_x, m_train = split.X_train.shape
    too_big = check_comparison(comparison_iterations, m_train, config.batch_size or 32, config.hidden, n_x)
    if st.button("Compare the three batch modes", key="train_compare", disabled=too_big is not None):
        st.session_state.train_comparison = {
            "settings_key": settings_key,
            "runs": queued(lambda: compare_batch_modes(
                split.X_train, split.Y_train, hidden=config.hidden, lr=config.lr, iterations=comparison_iterations,
                mini_batch_size=config.batch_size or 32, optimizer=config.optimizer, seed=config.init_seed))}
    if too_big is not None:
        st.info(too_big.message, icon=":material/block:")
    comparison = st.session_state.get("train_comparison")
    if comparison is not None and comparison["settings_key"] == settings_key:
        st.plotly_chart(batch_mode_figure(comparison["runs"]), key="train_batch_chart",
                        alt=describe_batch_modes(comparison["runs"]))
        st.caption("Each point is the loss on the batch used for that update: one row for SGD, so it jumps "
                   "around; the full batch descends smoothly. The mini-batch sits in between.")
    elif comparison is not None:
        st.caption("The settings changed since the last comparison: press the button to compare again.")


def export_buttons(result: Mapping, split: Split, raw_class_names: tuple[str, str], threshold: float) -> None:
    """The model as a usable file (weights, scaling, names, threshold, settings) and the settings as JSON."""
    st.header("Export")
    export_weights, export_settings = st.columns(2)
    problem = scaling_problem(split.scaling.method, split.scaling.offset, split.scaling.divisor)
    if problem is not None:  # data whose scaling a model file cannot carry (measurements of 10^15 and more)
        export_weights.warning(markdown_literal(f"This model cannot be exported: {problem}"))
    else:
        # Made when pressed (a callable: Streamlit builds the file on the click), so a threshold notch builds no
        # file, and the file's address is this session's alone: it expires with the session (process_setup's
        # janitor). The check above is export_model's own, so the click cannot fail.
        model_file = functools.partial(export_model, result["params"], scaling=split.scaling,
                                       feature_names=split.feature_names, class_names=raw_class_names,
                                       threshold=threshold, settings=result["settings"])
        export_weights.download_button("Model (.npz)", model_file, "backprop_lab_model.npz",
                                       "application/octet-stream", key="train_download_weights",
                                       help="Weights, scaling, feature and class names, threshold and settings: "
                                            "plain arrays, no pickle. Below: how to use it with NumPy alone.")
    export_settings.download_button("Settings (.json)", settings_json({**result["settings"], "threshold": threshold}),
                                    "backprop_lab_settings.json", "application/json", key="train_download_settings")
    with st.expander("Use the model outside this app: a few lines of plain NumPy", icon=":material/code:"):
        st.code(PLAIN_NUMPY_USE, language="python")
        st.caption("The scaling fitted on the training rows, the forward pass, the threshold — nothing else is "
                   "needed. The same lines are in the README.")
    st.caption("Every setting also lives in the page address: copy the URL to share this exact run.")
