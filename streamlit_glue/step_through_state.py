"""The step-through's state in this session (``fb_*`` keys): the stage shown, the weights, the loss history.

Callbacks run before the script reruns, so a button's effect is on screen in the same click.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lessons import step_through
from lessons.settings import STEP_THROUGH, Registry, next_seed
from lessons.stages import STAGE_KEYS, stage_neighbours
from lessons.update_log import UpdateRun, format_update_log, parse_update_log
from lessons.url_values import parse_choice
from nn_core.divergence import divergence_message
from nn_core.network import forward, init_params, loss
from nn_core.training import diverged, train
from streamlit_glue.link_guard import LinkCheck, single
from streamlit_glue.network_view import ALL_SAMPLES, CELL_PARAM, check_cell_label

UPDATES_PARAM = "fb_updates"


def link_settings(feature_names: list[str]) -> Registry:
    """The registry the page's link is checked against, with this data set's feature names."""
    return STEP_THROUGH.with_options("fb_features", feature_names)


def link_extras() -> dict[str, LinkCheck]:
    """The ``fb_*`` link values that are not settings: the update log, the picked cell, the diagram's sample."""
    return {UPDATES_PARAM: single(parse_update_log), CELL_PARAM: check_cell_label,
            "fb_sample": single(lambda raw: parse_choice(raw, [ALL_SAMPLES, *(f"s{i}" for i in range(1, 17))]))}


def go_to_stage(step: int) -> None:
    """Previous (-1) or Next (+1); the buttons are disabled at the ends."""
    previous, following = stage_neighbours(st.session_state.fb_stage)
    st.session_state.fb_stage = (previous if step < 0 else following) or st.session_state.fb_stage


def _log_updates(runs: list[UpdateRun]) -> None:
    """Keep the applied updates in the session and in the page address (a link then shows the same weights)."""
    st.session_state.fb_update_log = runs
    if runs:
        st.query_params[UPDATES_PARAM] = format_update_log(runs)
    else:
        st.query_params.pop(UPDATES_PARAM, None)


def start_over() -> None:
    """Back to the first stage and the initial weights of this example."""
    st.session_state.fb_stage = STAGE_KEYS[0]
    st.session_state.fb_example = None
    _log_updates([])


def new_example() -> None:
    st.session_state.fb_seed = next_seed(st.session_state.fb_seed)


def apply_updates(X: np.ndarray, Y: np.ndarray, lr: float, iterations: int, restart_forward: bool = False) -> None:
    """The article's gd loop (nn_core.train) on the current weights; the loss history grows by one per step."""
    params, losses = train(st.session_state.fb_params, X, Y, lr=lr, iterations=iterations)
    if diverged(losses):
        st.session_state.fb_warning = divergence_message(st.session_state.fb_iteration + len(losses), lr)
        return
    st.session_state.fb_params = params
    st.session_state.fb_iteration += len(losses)
    st.session_state.fb_history = st.session_state.fb_history[:-1] + list(losses) + [loss(forward(params, X), Y)]
    _log_updates([*st.session_state.get("fb_update_log", []), (lr, iterations)])
    if restart_forward:  # walk the next forward pass with the new weights
        st.session_state.fb_stage = "Z1"


def current_matrices(X: np.ndarray, Y: np.ndarray, *, example: tuple, lr: float) -> dict[str, np.ndarray]:
    """Every matrix of the current step, computed once per example, iteration and learning rate.

    ``example`` = (features, m, n_h, seed): a new one starts from ``init_params`` at iteration 0. Stepping
    through the stages only changes what is shown, so nothing here runs again on Next / Previous.
    """
    features, _, n_h, seed = example
    if st.session_state.get("fb_example") != example:
        opened_from_link = "fb_example" not in st.session_state
        st.session_state.fb_example = example
        st.session_state.fb_params = init_params(len(features), n_h, seed=seed)
        st.session_state.fb_iteration = 0
        st.session_state.fb_history = []
        runs: list[UpdateRun] = []
        if opened_from_link:  # a shared link: replay the updates it carries
            runs, _ = parse_update_log(st.query_params.get(UPDATES_PARAM, ""))  # checked by link_checks
        _log_updates([])
        for run_lr, count in runs:
            apply_updates(X, Y, run_lr, count)
    matrices_key = (example, st.session_state.fb_iteration, lr)
    if st.session_state.get("fb_matrices_key") != matrices_key:
        st.session_state.fb_matrices = step_through.collect_matrices(st.session_state.fb_params, X, Y, lr)
        st.session_state.fb_matrices_key = matrices_key
        st.session_state.fb_checks = {}
    if not st.session_state.fb_history:
        st.session_state.fb_history = [st.session_state.fb_matrices["Loss"].item()]
    return st.session_state.fb_matrices
