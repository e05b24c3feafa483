"""The training page's "watch it learn" part: the overfitting presets and the client-side replay of a run with
its decision boundary (all features on the PCA plane, or a run on two chosen features).

The replay is built once per run and view — in one of the server's slots (the two-feature view trains a network
of its own) — and kept as the JSON that is sent, never as a Plotly figure object (a replay of 120 frames is several
MB of Python objects per open tab). On the built-in data it is shared by every session on the link
(``cached.shared_replay``, awaited if another session is building it: ten tabs on one link build it once); an
upload's is kept in its session. Moving the threshold never rebuilds it; it is a fragment, so switching the view
(or the replay on) redraws only this part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.io as pio
import streamlit as st

from lessons.boundary_runs import plane_replay, two_feature_replay
from lessons.presets import PRESETS
from lessons.settings import TRAINING
from lessons.training_run import DIVERGED, RunConfig
from nn_core.boundary import plane_caption
from nn_core.data import Split
from streamlit_glue import setting_widgets as widgets
from streamlit_glue.cached import shared_replay
from streamlit_glue.plotly_in_place import plotly_chart_in_place
from streamlit_glue.training_controls import apply_preset
from streamlit_glue.work_queue import computed_once, queued
from viz.replay import replay_figure, replay_text
from viz.text import markdown_literal

DEFAULT_PAIR = ("worst radius", "worst concave points")


def overfitting_presets(feature_names: Sequence[str]) -> None:
    """Two one-click settings: first see overfitting, then cure it."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("**The overfitting lesson, in two clicks:**")
        for key, preset in PRESETS.items():
            st.button(preset.label, key=f"train_preset_{key}", on_click=apply_preset,
                      args=(preset, list(feature_names)), help=preset.explanation,
                      icon=":material/trending_up:" if key == "see_overfitting" else ":material/healing:")


def _built(result: Mapping, split: Split, view: str, pair: tuple[int, int], config: RunConfig) -> tuple[str, str, str]:
    """(figure JSON, text alternative, caption) of the replay; the two-feature view trains its own run."""
    if view == "two":
        data, run = two_feature_replay(split, pair, config)
        marks = {"best_iteration": run.best_iteration, "stopped_at": run.early_stop}
    else:
        data = plane_replay(result["snapshots"], split)
        marks = {"best_iteration": result["best_iteration"], "stopped_at": result["early_stop"]}
    names = tuple(result["class_names"])
    return (pio.to_json(replay_figure(data, class_names=names, **marks), validate=False),
            replay_text(data, class_names=names, **marks), plane_caption(data.grid))


def _figure(result: Mapping, split: Split, view: str, pair: tuple[int, int], config: RunConfig,
            shared: bool) -> tuple[str, str, str]:
    """The replay for this run and view: the link's shared one (built-in data), or this session's (an upload)."""
    key = (result["settings_key"], repr(config), view, pair if view == "two" else None)
    if shared:
        link = repr(key)
        return computed_once(("replay", link), lambda: shared_replay(link),
                             lambda: shared_replay(link, _computed=queued(
                                 lambda: _built(result, split, view, pair, config))), st.empty())
    kept = st.session_state.get("train_replay_figure")
    if kept is None or kept[0] != key:
        st.session_state.pop("train_replay_figure", None)  # the old one goes before the new one is built
        kept = (key, *queued(lambda: _built(result, split, view, pair, config)))
        st.session_state.train_replay_figure = kept
    return kept[1], kept[2], kept[3]


@st.fragment
def replay_section(result: Mapping, split: Split, config: RunConfig, *, shared: bool = False) -> None:
    """Play, pause, scrub or change the speed in the browser: the curves, the boundary, the confusion counts and
    the accuracy move together, with no round trip to the server per frame. ``shared``: the data is the built-in
    set, so the replay is the link's, built once for every session."""
    st.header("Watch it learn: the replay")
    # Off until asked for: building, sending and drawing the replay (~250 KB, 60–120 frames) adds about half of
    # what a settings change costs without it (0.31 → 0.47 s measured). Once on, every run gets its replay; the
    # toggle is in the address, for a shared link.
    if not widgets.toggle(TRAINING["train_replay_on"]):
        return
    if result["status"] == DIVERGED or len(result["snapshots"]) < 2:
        st.info("The replay shows a finished run: train one (a run that blew up or was stopped has none).")
        return
    if split.X_train.shape[0] < 2:
        st.info("The decision boundary needs a plane: choose at least two features.")
        return
    view = widgets.choice(TRAINING["train_view"], widget="radio", horizontal=True)
    pair = (0, 1)
    if view == "two":
        names = list(split.feature_names)
        defaults = [names.index(n) if n in names else i for i, n in enumerate(DEFAULT_PAIR)]
        x_column, y_column = st.columns(2)
        first = x_column.selectbox("Feature on the x axis", range(len(names)), index=defaults[0],
                                   format_func=lambda i: names[i], key="train_view_x")
        second = y_column.selectbox("Feature on the y axis", range(len(names)), index=defaults[1],
                                    format_func=lambda i: names[i], key="train_view_y")
        if first == second:
            st.warning("Pick two different features.")
            return
        pair = (first, second)
    figure, text, caption = _figure(result, split, view, pair, config, shared)
    plotly_chart_in_place(figure, key="train_replay", alt=text, config={"displayModeBar": False})
    st.caption(markdown_literal(caption + " The bars count the test rows at threshold 0.5."))
