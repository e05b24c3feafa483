"""The ball on the loss landscape: toy surfaces and the real network's loss around its trained weights."""

import streamlit as st

from lessons import landscape_settings as choices
from lessons.run_link import RUN_PARAM
from lessons.settings import LANDSCAPE as SETTINGS
from nn_core.descent import sweep_learning_rates
from nn_core.optimizers import OPTIMIZER_LABELS
from nn_core.surfaces import get_surface
from streamlit_glue import setting_widgets as widgets
from streamlit_glue.landscape_views import (
    landscape_over_budget,
    opened_run,
    real_landscape,
    real_lesson,
    toy_lesson,
    your_run,
)
from streamlit_glue.link_guard import unknown_key_notes, write_link
from viz.style import OPTIMIZER_COLORS, SERIES_COLORS, format_number


def _suggest_start() -> None:
    """Button callback: move the start sliders to the chosen surface's instructive start point."""
    surface = get_surface(st.session_state["land_surface"])
    st.session_state["land_x0"], st.session_state["land_y0"] = surface.suggested_start


# Chip labels short enough that three fit beside the 3D view ("Gradient descent" pushed "Adam" to "Ad…")
OPTIMIZER_CHIPS = {**OPTIMIZER_LABELS, "gd": "GD"}


@st.fragment
def lesson() -> None:
    """Settings beside the 3D view, then the top view, the height chart and the outcomes: only this reruns."""
    settings, view = st.columns([1.45, 2.55], gap="small")
    surface_key = widgets.choice(SETTINGS["land_surface"], settings)
    is_real = surface_key == choices.REAL
    mode = widgets.choice(SETTINGS["land_mode"], settings, widget="radio", horizontal=True)
    optimizers = widgets.multiselect(SETTINGS["land_optimizers"], settings, disabled=mode == "sweep",
                                     format_func=OPTIMIZER_CHIPS.get)
    lr = widgets.select_slider(SETTINGS["land_lr"], settings)
    steps = widgets.slider(SETTINGS["land_steps"], settings)
    more = settings.expander("Start, noise, seed" if not is_real else "Slice, grid, mini-batch, seed")
    seed = widgets.number_input(SETTINGS["land_seed"], more)
    if not is_real:
        noise = widgets.slider(SETTINGS["land_noise"], more, persist_state="page")
        x0 = widgets.slider(SETTINGS["land_x0"], more, persist_state="page")
        y0 = widgets.slider(SETTINGS["land_y0"], more, persist_state="page")
        more.button("Suggested start", on_click=_suggest_start, key="land_suggest",
                    help="Move the start to where this surface shows its lesson best.")
    else:
        directions = widgets.choice(SETTINGS["land_directions"], more, widget="radio", persist_state="page")
        resolution = widgets.slider(SETTINGS["land_resolution"], more, persist_state="page")
        batch = widgets.select_slider(SETTINGS["land_batch"], more, persist_state="page")
    write_link(choices.link_from_settings(st.session_state), owned=SETTINGS)

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
    # The real network's wait and work notices, reserved for the toy surfaces too: the charts below then keep their
    # place in the page when the landscape is switched, so they are updated in place instead of built anew.
    status = st.empty()

    if not is_real:
        toy_lesson(view, surface_key, balls, labels, colors, (x0, y0), steps, noise, int(seed))
    elif (too_big := landscape_over_budget(resolution, steps, len(balls))) is not None:
        view.error(too_big.message, icon=":material/block:")
    else:
        scene = real_landscape(balls, steps, directions, resolution, int(seed),
                               None if batch == "full batch" else int(batch), status=status)
        real_lesson(view, scene, labels, colors)


st.title("The ball on the loss landscape")
st.markdown("Training is a ball rolling downhill: the height is the loss, the position is the weights, and every "
            "step moves against the gradient, θ ← θ − lr · dLoss/dθ. Press **▶ Play** on the 3D view.")
if "land_link_notes" not in st.session_state:  # a link is read once, when the page opens
    from_link, notes = choices.settings_from_link({key: st.query_params.get_all(key) for key in st.query_params})
    st.session_state["land_link_notes"] = notes + unknown_key_notes([*SETTINGS, RUN_PARAM])
    st.session_state.update(from_link)
run = opened_run(st.session_state["land_link_notes"])  # one run, three views: a run sent from the training page
for note in st.session_state["land_link_notes"]:
    st.text(f"⚠ {note}")  # st.text: the link's value is shown literally, never as Markdown or HTML
for key, value in choices.DEFAULTS.items():
    st.session_state.setdefault(key, value)
if run is not None:
    your_run(run)
else:
    lesson()
