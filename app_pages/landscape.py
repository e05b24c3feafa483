"""The ball on the loss landscape: toy surfaces and the real network's loss around its trained weights."""

import streamlit as st

from lessons import landscape_settings as choices
from nn_core.descent import classify_outcome, count_steps, run_descent, sweep_learning_rates
from nn_core.divergence import divergence_clause
from nn_core.landscape import LandscapeScene, landscape_scene
from nn_core.network import init_params
from nn_core.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from nn_core.surfaces import DOMAIN, get_surface
from streamlit_glue.cached import cancer_split
from viz import landscape3d as charts
from viz.style import OPTIMIZER_COLORS, SERIES_COLORS, format_number

HIDDEN_UNITS = 15
TOY_RESOLUTION = 61  # 0.1 apart: smooth at the narrowest well (width 0.6), and 45 % fewer points than 81


def _suggest_start() -> None:
    """Button callback: move the start sliders to the chosen surface's instructive start point."""
    surface = get_surface(st.session_state["land_surface"])
    st.session_state["land_x0"], st.session_state["land_y0"] = surface.suggested_start


@st.cache_data(max_entries=64, ttl="1h", show_spinner=False)
def toy_runs(surface_key: str, balls: tuple[tuple[str, float], ...], start: tuple[float, float], steps: int,
             noise: float, seed: int) -> list:
    """Every ball's descent on a toy surface (cheap, but cached so scrubbing other widgets is instant)."""
    surface = get_surface(surface_key)
    return [run_descent(surface, start, optimizer=opt, lr=lr, steps=steps, noise=noise, seed=seed) for opt, lr in balls]


@st.cache_data(max_entries=8, ttl="1h", show_spinner="Training the network and mapping its loss landscape…")
def real_landscape(balls: tuple[tuple[str, float], ...], steps: int, directions: str, resolution: int,
                   seed: int, batch_size: int | None = None) -> LandscapeScene:
    """The real network's slice with every ball's training path on it (cached: about a second of work)."""
    split = cancer_split()
    start = init_params(split.X_train.shape[0], HIDDEN_UNITS, seed=seed + 1)
    return landscape_scene(start, split.X_train, split.Y_train, balls, steps=steps, directions=directions,
                           resolution=resolution, seed=seed, batch_size=batch_size)


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
    else:
        real_lesson(view, balls, labels, colors, steps, directions, resolution, int(seed),
                    None if batch == "full batch" else int(batch))


def toy_lesson(view, surface_key, balls, labels, colors, start, steps, noise, seed) -> None:
    surface = get_surface(surface_key)
    runs = toy_runs(surface_key, balls, start, steps, noise, seed)
    x_axis, y_axis, Z = surface.grid(TOY_RESOLUTION)
    paths = [charts.BallPath(label, color, run.path[:, 0], run.path[:, 1], run.values, run.diverged)
             for label, color, run in zip(labels, colors, runs, strict=True)]
    summary = charts.describe_paths(paths)
    surface_chart = charts.surface_figure(x_axis, y_axis, Z, paths, z_title="height f(x, y)")
    view.plotly_chart(surface_chart, key="land_surface_chart",
                      alt=f"3D view of the surface {surface.label} with every ball's path. {summary}")
    view.markdown(f"{surface.description} The height f(x, y) plays the loss (a toy surface may dip below 0). "
                  + choices.PLAYER_HELP)
    left, right = st.columns(2)
    minima = [charts.MinimumMarker(m.x, m.y, m.is_global) for m in surface.minima]
    left.plotly_chart(charts.contour_figure(x_axis, y_axis, Z, paths, minima=minima, title="Top view: the paths"),
                      key="land_contour_chart", alt=f"Contour map from above: ★ global, ▼ local minima. {summary}")
    curves = [charts.LossCurve(p.label, p.color, p.z, diverged=p.diverged) for p in paths]
    right.plotly_chart(charts.loss_curve_figure(curves, title="Height of the ball at each step", y_title="height",
                                                y_cap=float(Z.max())),
                       key="land_loss_chart", alt=f"Height of each ball against the step. {summary}")
    st.markdown(f"In words: {summary}")
    st.subheader("Where each ball ended")
    for label, run in zip(labels, runs, strict=True):
        outcome = classify_outcome(run, surface)
        line = (f"**{label}** — ended at ({format_number(run.end[0])}, {format_number(run.end[1])}), height "
                f"{format_number(run.values[-1])} after {count_steps(run.steps_taken)}: {outcome.message}.")
        if outcome.kind == "diverged":
            st.error(line + " Each step overshot the valley and landed higher on the opposite wall, where the "
                            "slope is steeper, so the next step was even bigger. The path stops where it left the "
                            "map (✕).")
        else:
            (st.success if outcome.kind == "global" else st.info)(line)


def real_lesson(view, balls, labels, colors, steps, directions, resolution, seed, batch_size) -> None:
    scene = real_landscape(balls, steps, directions, resolution, seed, batch_size)
    paths = [charts.BallPath(label, color, ball.alpha, ball.beta, ball.height, ball.diverged)
             for label, color, ball in zip(labels, colors, scene.balls, strict=True)]
    z_cap = scene.height_cap
    summary = charts.describe_paths(paths, height_word="loss")
    surface_chart = charts.surface_figure(scene.axis, scene.axis, scene.Z, paths, axis_titles=scene.axis_titles,
                                          z_title="training loss", z_cap=z_cap)
    view.plotly_chart(surface_chart, key="land_surface_chart",
                      alt=f"3D view of the training loss on a slice through the trained weights. {summary}")
    view.markdown(choices.slice_description(scene.n_params, scene.m, len(scene.axis))
                  + (f" Heights above {format_number(z_cap)} are cut flat so the valley stays readable."
                     if float(scene.Z.max()) > z_cap else ""))
    if scene.kind != scene.requested_kind:
        st.warning(choices.PCA_FALLBACK)
    left, right = st.columns(2)
    left.plotly_chart(charts.contour_figure(scene.axis, scene.axis, scene.Z, paths, axis_titles=scene.axis_titles,
                                            z_cap=z_cap, minima=[charts.MinimumMarker(0.0, 0.0, True)],
                                            title="Top view: the paths (★ = θ*)"), key="land_contour_chart",
                      alt=f"Contour map of the slice seen from above, ★ at θ*. {summary}")
    curves = [curve for path, ball in zip(paths, scene.balls, strict=True) for curve in (
        charts.LossCurve(f"{path.label}: surface height", path.color, ball.height, diverged=ball.diverged),
        charts.LossCurve(f"{path.label}: real loss L(θ_t)", path.color, ball.losses, dash="dot"))]
    right.plotly_chart(charts.loss_curve_figure(curves, title="Real loss (dotted) vs. height under the ball",
                                                y_cap=z_cap, log_y=True), key="land_loss_chart",
                       alt=f"Training loss of each ball against the step, log scale. {summary}")
    st.markdown(f"In words: {summary}")
    st.info(choices.why_lines_differ(scene.n_params)
            + (f" (largest gap along the paths: {format_number(scene.largest_gap)})." if scene.largest_gap else "."))
    if scene.kind == "random":
        st.markdown(choices.RANDOM_SHADOW)
    st.subheader("Where each ball ended")
    lowest = min(float(ball.losses[-1]) for ball in scene.balls)
    for label, ball in zip(labels, scene.balls, strict=True):
        line = (f"**{label}** — training loss {format_number(ball.losses[0])} → {format_number(ball.losses[-1])} "
                f"after {count_steps(ball.steps_taken)}")
        if ball.diverged:
            st.error(f"{line}: {divergence_clause(ball.steps_taken, event='the ball flew off', unit='step')}. "
                     "Each update overshoots and the loss grows; the path stops where it left the map (✕).")
        elif ball.losses[-1] <= lowest:
            st.success(line + ": the lowest loss of all balls — the centre θ* of this slice.")
        else:
            st.info(line + ". (No one knows the real network's global minimum; a loss near 0 means it fits the "
                           "training set.)")


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
lesson()
