"""Forward & backward pass: walk the chain rule one matrix at a time, with real numbers from nn_core."""

import numpy as np
import streamlit as st

from nn_core.gradcheck import METHODS, gradient_check
from nn_core.network import PARAM_NAMES, forward, init_params, loss
from nn_core.training import diverged, train
from ui.cached import cancer_dataset, cancer_split
from ui.stages import (
    GRADCHECK_TOLERANCE,
    STAGE_KEYS,
    STAGES_BY_KEY,
    choose_samples,
    collect_matrices,
    gradient_check_items,
    gradient_check_passes,
    shapes_text,
    sigmoid_chain_at_z2,
    sigmoid_chain_items,
    stage_index,
    stage_items,
)
from viz.derivative import derivative_figure, secant_slope, tangent_slope
from viz.heatmaps import equation_figure
from viz.history import loss_history_figure
from viz.style import format_number

DEFAULT_FEATURES = ["mean radius", "mean texture", "worst concave points"]
WARMUP_H = [2.0, 1.0, 0.5, 0.1, 0.01, 0.001]
CHECK_H = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7]
METHOD_LABELS = {"forward": "forward (f(x+h) − f(x)) / h — the article's", "central": "centred (f(x+h) − f(x−h)) / 2h"}
CHART_WIDTH = 920  # px: the main column of a 1400 px wide window with the sidebar open


@st.cache_data(max_entries=32, show_spinner=False)
def small_example(features: tuple[str, ...], m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """m tumours × the chosen features from the standardized training split (numbers of order 1)."""
    names = cancer_dataset().feature_names
    split = cancer_split(features=tuple(names.index(name) for name in features))
    chosen = choose_samples(split.Y_train, m, seed)
    return split.X_train[:, chosen], split.Y_train[:, chosen], chosen


def go_to_stage(step: int) -> None:
    index = min(max(stage_index(st.session_state.fb_stage) + step, 0), len(STAGE_KEYS) - 1)
    st.session_state.fb_stage = STAGE_KEYS[index]


def start_over() -> None:
    """Back to the first stage and the initial weights of this example."""
    st.session_state.fb_stage = STAGE_KEYS[0]
    st.session_state.fb_example = None


def new_example() -> None:
    st.session_state.fb_seed = (st.session_state.fb_seed + 1) % 10_000


def apply_updates(X: np.ndarray, Y: np.ndarray, lr: float, iterations: int, restart_forward: bool = False) -> None:
    """The article's gd loop (nn_core.train) on the current weights; the loss history grows by one per step."""
    params, losses = train(st.session_state.fb_params, X, Y, lr=lr, iterations=iterations)
    if diverged(losses):
        st.session_state.fb_warning = (f"The loss blew up at iteration {len(st.session_state.fb_history) + len(losses)}"
                                       f" with learning rate {lr}: the steps are too big. Lower the learning rate.")
        return
    st.session_state.fb_params = params
    st.session_state.fb_iteration += len(losses)
    st.session_state.fb_history = st.session_state.fb_history[:-1] + list(losses) + [loss(forward(params, X), Y)]
    if restart_forward:  # walk the next forward pass with the new weights
        st.session_state.fb_stage = "Z1"


st.title("Forward & backward pass")
st.markdown(
    "Walk one **forward pass** and one **backward pass** of the article's network with real numbers: a few "
    "tumours from the Wisconsin data, a few features, a few hidden units. Every matrix is on screen, every "
    "`dLoss_*` is the one `backward` computes, and a gradient check compares them with finite differences."
)

# --- warm-up --------------------------------------------------------------------------------------------
with st.expander("Warm-up: what a derivative measures — the article's f(x) = x²"):
    warm_left, warm_right = st.columns([1, 2])
    with warm_left:
        x = st.slider("x", -4.0, 4.0, 3.0, 0.5, key="fb_x", bind="query-params")
        h_warm = st.select_slider("h (the nudge)", WARMUP_H, value=1.0, key="fb_dh", bind="query-params",
                                  help="Move right to shrink h: the secant turns into the tangent.")
        numbers = [format_number(v, 6) for v in (x + h_warm, x, h_warm, secant_slope(x, h_warm))]
        st.latex(r"\begin{aligned} \frac{f(x+h) - f(x)}{h} &= \frac{(" + numbers[0] + r")^2 - (" + numbers[1]
                 + r")^2}{" + numbers[2] + r"} \\ &= " + numbers[3] + r" \end{aligned}")
        st.markdown(f"The tangent's slope is f′(x) = 2x = **{format_number(tangent_slope(x))}**. For x² the "
                    f"secant's slope is exactly 2x + h, so it tends to 2x as h shrinks.")
        st.dataframe({"h": [format_number(h, 3) for h in WARMUP_H],
                      "(f(x+h) − f(x)) / h": [format_number(secant_slope(x, h), 7) for h in WARMUP_H]},
                     hide_index=True)
    with warm_right:
        st.plotly_chart(derivative_figure(x, h_warm), key="fb_derivative_chart")
    st.caption("Back-propagation computes these slopes for every weight at once — exactly, without nudging.")

# --- the example ----------------------------------------------------------------------------------------
st.subheader("The example")
names = list(cancer_dataset().feature_names)
c1, c2, c3, c4, c5, c6 = st.columns([3.2, 1.3, 1.3, 0.9, 1.6, 1.4], vertical_alignment="bottom")
features = c1.multiselect("Input features (2 to 6)", names, default=DEFAULT_FEATURES, max_selections=6,
                          key="fb_features", bind="query-params")
m = c2.slider("Samples m", 2, 16, 5, key="fb_m", bind="query-params")
n_h = c3.slider("Hidden units", 2, 8, 4, key="fb_hidden", bind="query-params")
seed = c4.number_input("Seed", 0, 9_999, 1, key="fb_seed", bind="query-params")
lr = c6.slider("Learning rate η", 0.01, 5.0, 0.5, 0.01, key="fb_lr", bind="query-params")
c5.button("New example", on_click=new_example, key="fb_new_example", icon=":material/casino:", width="stretch",
          help="Next seed: other tumours and other initial weights.")
if len(features) < 2:
    st.warning("Pick at least two input features — until then the example uses the default three.")
    features = DEFAULT_FEATURES

# --- compute: once per example / iteration / learning rate, kept in session state ------------------------
X, Y, sample_ids = small_example(tuple(features), m, seed)
example = (tuple(features), m, n_h, seed)
if st.session_state.get("fb_example") != example:
    st.session_state.fb_example = example
    st.session_state.fb_params = init_params(len(features), n_h, seed=seed)
    st.session_state.fb_iteration = 0
    st.session_state.fb_history = []
matrices_key = (example, st.session_state.fb_iteration, lr)
if st.session_state.get("fb_matrices_key") != matrices_key:
    st.session_state.fb_matrices = collect_matrices(st.session_state.fb_params, X, Y, lr)
    st.session_state.fb_matrices_key = matrices_key
    st.session_state.fb_checks = {}
matrices = st.session_state.fb_matrices
if not st.session_state.fb_history:
    st.session_state.fb_history = [matrices["Loss"].item()]
iteration = st.session_state.fb_iteration
st.caption(
    f"X is {len(features)} features × {m} tumours (standardized on the training split), labels "
    f"Y: {int(Y.sum())} malignant (1), {m - int(Y.sum())} benign (0). Features: "
    + ", ".join(f"f{i + 1} = {name}" for i, name in enumerate(features))
    + f". Samples s1…s{m} are tumours " + ", ".join(f"#{i}" for i in sample_ids) + " of the training split."
    + f" Weights: `init_params({len(features)}, {n_h}, seed={seed})` after {iteration} update(s)."
)

# --- stage navigation -----------------------------------------------------------------------------------
st.subheader("Step through")
nav = st.columns([1.4, 1.2, 1.2, 2.4, 3], vertical_alignment="bottom")
# the selector first (it is drawn in the fourth column): the buttons' enabled state follows its value,
# which a deep link (?fb_stage=dLoss_Z1) sets before session state knows about it
stage_key = nav[3].selectbox("Stage", STAGE_KEYS, key="fb_stage", bind="query-params")
nav[0].button("Previous", on_click=go_to_stage, args=(-1,), key="fb_prev", icon=":material/arrow_back:",
              disabled=stage_key == STAGE_KEYS[0], width="stretch")
nav[1].button("Next", on_click=go_to_stage, args=(1,), key="fb_next", icon=":material/arrow_forward:",
              type="primary", disabled=stage_key == STAGE_KEYS[-1], width="stretch")
nav[2].button("Reset", on_click=start_over, key="fb_reset", icon=":material/restart_alt:", width="stretch",
              help="Back to the first stage and to the initial weights.")
stage = STAGES_BY_KEY[stage_key]
position = stage_index(stage_key)
nav[4].progress((position + 1) / len(STAGE_KEYS),
                text=f"Stage {position + 1} of {len(STAGE_KEYS)} · {stage.phase} pass · iteration {iteration}")

# --- the stage ------------------------------------------------------------------------------------------
st.markdown(f"### {stage.title}")
formula_col, text_col = st.columns([3, 2])
with formula_col:
    st.latex(stage.formula)
    st.code(stage.numpy_line, language="python")
with text_col:
    st.markdown(stage.meaning)
    st.markdown(f"**Shapes:** `{shapes_text(stage, matrices)}`")
st.plotly_chart(equation_figure(stage_items(stage, matrices, features), max_width=CHART_WIDTH),
                width="content", key="fb_stage_chart")

if stage.key == "dLoss_Z2":
    chain = sigmoid_chain_at_z2(matrices)
    gap = float(np.max(np.abs(chain["dLoss_Yh ⊙ dSigmoid(Z2)"] - chain["Yh − Y"])))
    st.markdown("**Why the implementation is stable.** The article's chain, factor by factor, next to Yh − Y:")
    st.plotly_chart(equation_figure(sigmoid_chain_items(matrices, features), max_width=CHART_WIDTH),
                    width="content", key="fb_identity_chart")
    st.success(f"Element by element, dLoss_Yh ⊙ dSigmoid(Z2) = Yh − Y: the largest difference is "
               f"{gap:.1e}, rounding only. Yh − Y never divides by Yh or 1 − Yh, so it stays finite when "
               f"the sigmoid saturates — the app uses it for dLoss_Z2.")

if stage.key == "update":
    before, after = matrices["Loss"].item(), matrices["new Loss"].item()
    m1, m2, m3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    m1.metric("Loss before the update", format_number(before, 5))
    m2.metric("Loss after the update", format_number(after, 5), delta=format_number(after - before, 3),
              delta_color="inverse")
    m3.button("Apply this update → next forward pass", on_click=apply_updates, args=(X, Y, lr, 1, True),
              key="fb_apply_stage", type="primary", icon=":material/check:")
    if after > before:
        st.warning(f"The loss went up: with η = {lr} this step overshoots. Try a smaller learning rate.")

# --- repeat: forward → backward → update ----------------------------------------------------------------
st.subheader("Repeat: forward → backward → update")
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
    st.plotly_chart(loss_history_figure(st.session_state.fb_history), key="fb_history_chart")

# --- gradient check -------------------------------------------------------------------------------------
st.subheader("Gradient check: back-propagation against finite differences")
g1, g2 = st.columns([1, 1])
h = g1.select_slider("h", CHECK_H, value=1e-3, format_func=lambda v: f"{v:g}", key="fb_h", bind="query-params",
                     help="The article uses h = 0.001. Too big: the slope is measured over a curved stretch. "
                          "Too small: rounding errors of the loss dominate.")
method = g2.radio("Heatmaps for", METHODS, format_func=METHOD_LABELS.get, key="fb_gc_method", horizontal=True,
                  bind="query-params")
if h not in st.session_state.fb_checks:
    st.session_state.fb_checks[h] = {
        name: gradient_check(st.session_state.fb_params, X, Y, h=h, method=name) for name in METHODS}
checks = st.session_state.fb_checks[h]
verdicts = {name: {p: gradient_check_passes(checks[name][p], name) for p in PARAM_NAMES} for name in METHODS}
st.dataframe(
    {"parameter": list(PARAM_NAMES),
     "relative error, forward": [f"{checks['forward'][p].relative_error:.2e}" for p in PARAM_NAMES],
     "forward": ["pass" if verdicts["forward"][p] else "FAIL" for p in PARAM_NAMES],
     "relative error, centred": [f"{checks['central'][p].relative_error:.2e}" for p in PARAM_NAMES],
     "centred": ["pass" if verdicts["central"][p] else "FAIL" for p in PARAM_NAMES]},
    hide_index=True)
st.caption(f"Relative error = ‖numeric − back-prop‖ / (‖numeric‖ + ‖back-prop‖). Pass below "
           f"{GRADCHECK_TOLERANCE['forward']:g} for the forward difference (its error grows like h) and below "
           f"{GRADCHECK_TOLERANCE['central']:g} for the centred one (its error grows like h²).")
if all(verdicts["central"].values()) and all(verdicts["forward"].values()):
    st.success(f"PASS — with h = {h:g}, back-propagation agrees with both finite differences for W1, b1, W2, b2.")
elif all(verdicts["central"].values()):
    st.warning(f"PASS for the centred difference, FAIL for the forward one with h = {h:g}: the forward "
               f"difference's own error is too big at this h — back-propagation is fine. Try h = 0.001.")
else:
    failed = [p for p in PARAM_NAMES if not verdicts["central"][p]]
    st.error(f"FAIL for {', '.join(failed)} with h = {h:g}. Back-propagation does not depend on h — the finite "
             f"differences do: with a large h they measure the slope over a curved stretch (and a ReLU may switch "
             f"inside the nudge); with a tiny h, rounding in the loss swamps the difference. Try h = 0.001.")
st.plotly_chart(equation_figure(gradient_check_items(checks[method], method, features), max_width=CHART_WIDTH),
                width="content", key="fb_check_chart")
