"""Forward & backward pass: walk the chain rule one matrix at a time, with real numbers from nn_core."""

import numpy as np
import streamlit as st

from lessons.settings import STEP_THROUGH
from lessons.stage_panels import sigmoid_chain_items, stage_items
from lessons.stages import STAGE_KEYS, STAGES_BY_KEY, shapes_text, stage_index
from lessons.step_through import (
    sigmoid_chain_at_z2,
)
from streamlit_glue import network_view as view
from streamlit_glue import setting_widgets as widgets
from streamlit_glue.cached import cancer_dataset, figure_json, small_example
from streamlit_glue.computation_graph_view import computation_graph_view
from streamlit_glue.derivative_warm_up import derivative_warm_up
from streamlit_glue.gradient_check_view import gradient_check_section
from streamlit_glue.layout import CHART_WIDTH, scrollable_chart
from streamlit_glue.link_guard import guard_link
from streamlit_glue.plotly_in_place import plotly_chart_in_place
from streamlit_glue.step_through_state import (
    apply_updates,
    current_matrices,
    go_to_stage,
    link_extras,
    link_settings,
    new_example,
    start_over,
)
from viz.heatmaps import describe_equation, equation_figure
from viz.history import loss_history_figure
from viz.style import format_number

DEFAULT_FEATURES = list(STEP_THROUGH["fb_features"].default)
STAGE_SELECT_WIDTH = 220  # px: the longest stage key ("dLoss_W1") and the arrow


st.title("Forward & backward pass")
st.markdown(
    "Walk one **forward pass** and one **backward pass** of the article's network with real numbers: a few "
    "tumours from the Wisconsin data, a few features, a few hidden units. Every matrix is on screen, every "
    "`dLoss_*` is the one `backward` computes, and a gradient check compares them with finite differences."
)

names = list(cancer_dataset().feature_names)
guard_link(link_settings(names), link_extras())

# --- warm-up --------------------------------------------------------------------------------------------
derivative_warm_up()

# --- the example ----------------------------------------------------------------------------------------
st.header("The example")
features = widgets.multiselect(link_settings(names)["fb_features"], default=DEFAULT_FEATURES, max_selections=6)
c2, c3, c4, c5, c6 = st.columns([1.3, 1.3, 0.9, 1.6, 1.4], vertical_alignment="bottom")
m = widgets.slider(STEP_THROUGH["fb_m"], c2)
n_h = widgets.slider(STEP_THROUGH["fb_hidden"], c3)
seed = widgets.number_input(STEP_THROUGH["fb_seed"], c4)
lr = widgets.slider(STEP_THROUGH["fb_lr"], c6)
c5.button("New example", on_click=new_example, key="fb_new_example", icon=":material/casino:", width="stretch",
          help="Next seed: other tumours and other initial weights.")
if len(features) < 2:
    st.warning("Pick at least two input features — until then the example uses the default three.")
    features = DEFAULT_FEATURES

# --- compute: once per example / iteration / learning rate, kept in session state ------------------------
X, Y, sample_ids = small_example(tuple(features), m, seed)
matrices = current_matrices(X, Y, example=(tuple(features), m, n_h, seed), lr=lr)
iteration = st.session_state.fb_iteration
st.caption(
    f"X is {len(features)} features × {m} tumours (standardized on the training split), labels "
    f"Y: {int(Y.sum())} malignant (1), {m - int(Y.sum())} benign (0). Features: "
    + ", ".join(f"f{i + 1} = {name}" for i, name in enumerate(features))
    + f". Samples s1…s{m} are tumours " + ", ".join(f"#{i}" for i in sample_ids) + " of the training split."
    + f" Weights: `init_params({len(features)}, {n_h}, seed={seed})` after {iteration} update(s)."
)

def update_outcome(matrices, X, Y, lr: float) -> None:
    """The loss before and after the update, and the button that applies it (the next forward pass)."""
    before, after = matrices["Loss"].item(), matrices["new Loss"].item()
    with st.container(horizontal=True, vertical_alignment="bottom", key="fb_update_outcome"):
        st.metric("Loss before the update", format_number(before, 5), width="content")
        st.metric("Loss after the update", format_number(after, 5), delta=format_number(after - before, 3),
                  delta_color="inverse", width="content")
        st.button("Apply this update → next forward pass", on_click=apply_updates, args=(X, Y, lr, 1, True),
                  key="fb_apply_stage", type="primary", icon=":material/check:")
    if after > before:
        st.warning(f"The loss went up: with η = {lr} this step overshoots. Try a smaller learning rate.")


# --- step through: a fragment, so Next / Previous redraw this part only -----------------------------------
@st.fragment
def step_through() -> None:
    if st.session_state.fb_iteration != iteration:
        # a button of this part applied an update: the page around it (caption, history) and the matrices it
        # was drawn with are one update old, so redraw all of it (a button's own ``st.rerun()`` would not run:
        # the update moves the stage to Z1, where that button is not drawn)
        st.rerun()
    # stage navigation -----------------------------------------------------------------------------------
    st.header("Step through")
    # one row that wraps where the screen is narrow (a phone, a projector's larger text): each button as wide as
    # its label, never cut to "Pre…"; Previous, Next and Reset stay together
    nav = st.container(horizontal=True, vertical_alignment="bottom", key="fb_nav")
    buttons = nav.container(horizontal=True, width="content", vertical_alignment="bottom")
    # the selector before the buttons (drawn after them): their enabled state follows its value, which a deep
    # link (?fb_stage=dLoss_Z1) sets before session state knows about it
    stage_key = widgets.choice(STEP_THROUGH["fb_stage"], nav, width=STAGE_SELECT_WIDTH)
    buttons.button("Previous", on_click=go_to_stage, args=(-1,), key="fb_prev", icon=":material/arrow_back:",
                   disabled=stage_key == STAGE_KEYS[0])
    buttons.button("Next", on_click=go_to_stage, args=(1,), key="fb_next", icon=":material/arrow_forward:",
                   type="primary", disabled=stage_key == STAGE_KEYS[-1])
    if buttons.button("Reset", on_click=start_over, key="fb_reset", icon=":material/restart_alt:",
                      help="Back to the first stage and to the initial weights."):
        st.rerun()  # new weights: the whole page, not only this part
    stage = STAGES_BY_KEY[stage_key]
    position = stage_index(stage_key)
    with nav.container(width="stretch", key="fb_progress"):
        st.progress((position + 1) / len(STAGE_KEYS),
                    text=f"Stage {position + 1} of {len(STAGE_KEYS)} · {stage.phase} pass · iteration {iteration}")

    # --- the stage ------------------------------------------------------------------------------------------
    st.markdown(f"### {stage.title}")
    formula_col, text_col = st.columns([3, 2])
    with formula_col:
        st.latex(stage.formula)
        st.code(stage.numpy_line, language="python", wrap_lines=True)
    with text_col:
        st.markdown(stage.meaning)
        st.markdown(f"**Shapes:** `{shapes_text(stage, matrices)}`")
    pick = view.picked_cell(matrices)
    stage_panels = view.with_selection(stage_items(stage, matrices, features), pick)
    scrollable_chart(figure_json(equation_figure, stage_panels, max_width=CHART_WIDTH, selectable=True),
                     key="fb_stage_chart",
                     alt=describe_equation(stage_panels), on_select=lambda: view.on_heatmap_select("fb_stage_chart"))
    if stage.key == "update":  # the button under the update it applies, before the diagram and the graph
        update_outcome(matrices, X, Y, lr)
    diagram_col, side_col = st.columns([3, 2])
    with side_col:
        sample = view.sample_picker(m, pick)
        view.check_yourself(stage.key, matrices, seed, iteration, lr)
    with diagram_col:
        view.network_diagram(matrices, stage.key, sample, features, pick)
    view.chain_of_numbers(matrices, pick, lr)  # the page's width: its lines are not wrapped
    computation_graph_view(matrices, stage.key, sample, key_prefix="fb")  # the diagram's sample: one reader

    if stage.key == "dLoss_Z2":
        chain = sigmoid_chain_at_z2(matrices)
        gap = float(np.max(np.abs(chain["dLoss_Yh ⊙ dSigmoid(Z2)"] - chain["Yh − Y"])))
        st.markdown("**Why the implementation is stable.** The article's chain, factor by factor, next to Yh − Y:")
        chain_panels = sigmoid_chain_items(matrices, features)
        scrollable_chart(equation_figure(chain_panels, max_width=CHART_WIDTH), key="fb_identity_chart",
                         alt=describe_equation(chain_panels))
        st.success(f"Element by element, dLoss_Yh ⊙ dSigmoid(Z2) = Yh − Y: the largest difference is "
                   f"{gap:.1e}, rounding only. Yh − Y never divides by Yh or 1 − Yh, so it stays finite when "
                   f"the sigmoid saturates — the app uses it for dLoss_Z2.")



step_through()

# --- repeat: forward → backward → update ----------------------------------------------------------------
st.header("Repeat: forward → backward → update")
r1, r2 = st.columns([1, 2])
with r1:
    st.markdown(f"Iteration **{iteration}**, loss **{format_number(st.session_state.fb_history[-1], 5)}** "
                f"(started at {format_number(st.session_state.fb_history[0], 5)}). Each update runs the "
                f"article's loop once: forward, backward, W ← W − η·dLoss_W with η = {lr}.")
    st.button("Apply 1 update", on_click=apply_updates, args=(X, Y, lr, 1), key="fb_apply_one",
              icon=":material/skip_next:")
    st.button("Apply 10 updates", on_click=apply_updates, args=(X, Y, lr, 10), key="fb_apply_ten",
              icon=":material/fast_forward:")
    blown_up = st.session_state.pop("fb_warning", None)
    if blown_up:
        st.warning(blown_up)
with r2:
    history = st.session_state.fb_history
    plotly_chart_in_place(figure_json(loss_history_figure, history), key="fb_history_chart",
                          alt=f"Line chart of the loss after each update: {format_number(history[0], 5)} at "
                              f"iteration 0, {format_number(history[-1], 5)} at iteration {len(history) - 1}.")

# --- gradient check: a fragment, so h and the heatmap choice redraw this part only ----------------------
gradient_check_section(X, Y, features)
