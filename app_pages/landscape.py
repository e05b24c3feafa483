"""The ball on the loss landscape: toy surfaces and the real network's loss around its trained weights."""

import streamlit as st

from lessons import landscape_settings as choices
from nn_core.descent import sweep_learning_rates
from nn_core.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from nn_core.surfaces import DOMAIN, get_surface
from streamlit_glue.landscape_views import (
    landscape_over_budget,
    opened_run,
    real_landscape,
    real_lesson,
    toy_lesson,
    your_run,
)
from viz.style import OPTIMIZER_COLORS, SERIES_COLORS, format_number


def _suggest_start() -> None:
    """Button callback: move the start sliders to the chosen surface's instructive start point."""
    surface = get_surface(st.session_state["land_surface"])
    st.session_state["land_x0"], st.session_state["land_y0"] = surface.suggested_start


@st.fragment
def lesson() -> None:
    """Settings beside the 3D view, then the top view, the height chart and the outcomes: only this reruns."""
    settings, view = st.columns([1.45, 2.55], gap="small")
    surface_key = settings.selectbox("Landscape", list(choices.LANDSCAPES), format_func=choices.LANDSCAPES.get,
                                     key="land_surface")
    is_real = surface_key == choices.REAL
    mode = settings.radio("Balls", list(choices.MODES), format_func=choices.MODES.get, key="land_mode", horizontal=True,
                          help="Race: one ball per optimizer from the same start. Sweep: five gradient-descent "
                               "balls at ¼×, ½×, 1×, 2× and 4× the chosen learning rate.")
    optimizers = settings.multiselect("Optimizers (each one a ball)", list(OPTIMIZERS), key="land_optimizers",
                                      format_func=OPTIMIZER_LABELS.get, disabled=mode == "sweep",
                                      help="Learning-rate sweep mode uses plain gradient descent only.")
    lr = settings.select_slider("Learning rate (log scale)", options=choices.LEARNING_RATES, format_func=format_number,
                                key="land_lr")
    steps = settings.slider("Steps", 10, 300, step=10, key="land_steps")
    more = settings.expander("Start, noise, seed" if not is_real else "Slice, grid, mini-batch, seed")
    seed = more.number_input("Seed (noise, random directions, initial weights)", 0, 9999, key="land_seed")
    if not is_real:
        noise = more.slider("Gradient noise (imitates mini-batch / SGD)", 0.0, 2.0, step=0.05, key="land_noise",
                            persist_state="page", help="Adds Gaussian noise of this size to every gradient.")
        x0 = more.slider("Start x", *DOMAIN, step=0.05, key="land_x0", persist_state="page")
        y0 = more.slider("Start y", *DOMAIN, step=0.05, key="land_y0", persist_state="page")
        more.button("Suggested start", on_click=_suggest_start, key="land_suggest",
                    help="Move the start to where this surface shows its lesson best.")
    else:
        directions = more.radio("Directions of the slice", list(choices.DIRECTIONS), format_func=choices.DIRECTIONS.get,
                                key="land_directions", persist_state="page")
        resolution = more.slider("Grid resolution (points per side)", 11, 101, step=10, key="land_resolution",
                                 persist_state="page")
        batch = more.select_slider("Mini-batch size (gradient noise)", options=choices.BATCH_SIZES, key="land_batch",
                                   persist_state="page", help="Smaller batches give noisier gradients; 1 is SGD.")
    st.query_params.from_dict(choices.link_from_settings(st.session_state))

    if mode == "sweep":
        balls = tuple(("gd", rate) for rate in sweep_learning_rates(lr))
        colors = list(SERIES_COLORS[: len(balls)])
        if outside := choices.outside_slider([rate for _, rate in balls]):
            low, high = map(format_number, (choices.LEARNING_RATES[0], choices.LEARNING_RATES[-1]))
            settings.markdown(f"The balls at lr {', '.join(map(format_number, outside))} lie outside the slider's "
                              f"range ({low} … {high}).")
    else:
        if not optimizers:
            settings.warning("No optimizer selected — showing plain gradient descent.")
            optimizers = ["gd"]
        balls = tuple((name, lr) for name in optimizers)
        colors = [OPTIMIZER_COLORS[name] for name in optimizers]
    labels = [f"{OPTIMIZER_LABELS[name]}, lr {format_number(rate)}" for name, rate in balls]

    if not is_real:
        toy_lesson(view, surface_key, balls, labels, colors, (x0, y0), steps, noise, int(seed))
    elif (too_big := landscape_over_budget(resolution, steps, len(balls))) is not None:
        view.error(too_big.message, icon=":material/block:")
    else:
        scene = real_landscape(balls, steps, directions, resolution, int(seed),
                               None if batch == "full batch" else int(batch))
        real_lesson(view, scene, labels, colors)


st.title("The ball on the loss landscape")
st.markdown("Training is a ball rolling downhill: the height is the loss, the position is the weights, and every "
            "step moves against the gradient, θ ← θ − lr · dLoss/dθ. Press **▶ Play** on the 3D view.")
if "land_link_notes" not in st.session_state:  # a link is read once, when the page opens
    from_link, st.session_state["land_link_notes"] = choices.settings_from_link(
        {key: st.query_params.get_all(key) for key in st.query_params})
    st.session_state.update(from_link)
for note in st.session_state["land_link_notes"]:
    st.text(f"⚠ {note}")  # st.text: the link's value is shown literally, never as Markdown or HTML
for key, value in choices.DEFAULTS.items():
    st.session_state.setdefault(key, value)
if (run := opened_run()) is not None:  # one run, three views: a run sent here from the training page
    your_run(run)
else:
    lesson()
