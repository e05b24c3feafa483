"""The ball on the loss landscape: toy surfaces and the real network's loss around its trained weights."""

import numpy as np
import streamlit as st

from nn_core.descent import classify_outcome, run_descent, sweep_learning_rates
from nn_core.landscape import LandscapeScene, landscape_scene
from nn_core.network import init_params
from nn_core.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from nn_core.surfaces import DOMAIN, SURFACES, get_surface
from streamlit_glue.cached import cancer_split
from viz.landscape3d import BallPath, LossCurve, MinimumMarker, contour_figure, loss_curve_figure, surface_figure
from viz.style import OPTIMIZER_COLORS, SERIES_COLORS, format_number

REAL = "real"
LANDSCAPES = {**{key: surface.label for key, surface in SURFACES.items()}, REAL: "The real network (cancer data)"}
LEARNING_RATES = [float(f"{lr:.3g}") for lr in np.logspace(-3, 1, 25)]  # 0.001 … 10, geometric
HIDDEN_UNITS = 15
TOY_RESOLUTION = 81
PLAYER_HELP = ("▶ Play rolls the balls, ‖ Pause stops them, the step slider scrubs back and forth, and 0.5× … 4× "
               "play at other speeds. Drag to turn the view; the trails show where each ball has been.")
BATCH_SIZES = ["full batch", "128", "32", "8", "1"]
DIRECTIONS = {"random": "Filter-normalized random (Li et al. 2018)", "pca": "PCA of the training path"}


def _suggest_start() -> None:
    """Button callback: move the start sliders to the chosen surface's instructive start point."""
    surface = get_surface(st.session_state.get("land_surface", "hills"))
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


# ---------------------------------------------------------------- controls
st.title("The ball on the loss landscape")
st.markdown(
    "Training a network is a ball rolling downhill: the height is the loss, the position is the weights, and "
    "every step moves the ball against the gradient: θ ← θ − lr · dLoss/dθ. Press **▶ Play** on the 3D view "
    "to watch it roll — toward a valley, sometimes a local one, hopefully the deepest."
)

top = st.columns([2, 1.3, 2.7])
surface_key = top[0].selectbox("Landscape", list(LANDSCAPES), format_func=LANDSCAPES.get, key="land_surface",
                               bind="query-params")
is_real = surface_key == REAL
mode = top[1].radio("Balls", ["race", "sweep"], key="land_mode", bind="query-params",
                    format_func={"race": "Race optimizers", "sweep": "Learning-rate sweep"}.get,
                    help="Race: one ball per optimizer, all from the same start. Sweep: five gradient-descent "
                         "balls whose learning rates are ¼×, ½×, 1×, 2× and 4× the chosen one.")
optimizers = top[2].multiselect("Optimizers (each one a ball)", list(OPTIMIZERS), default=["gd", "momentum", "adam"],
                                format_func=OPTIMIZER_LABELS.get, key="land_optimizers", bind="query-params",
                                disabled=mode == "sweep",
                                help="Learning-rate sweep mode uses plain gradient descent only.")
middle = st.columns(4)
lr = middle[0].select_slider("Learning rate (log scale)", options=LEARNING_RATES, value=0.1, format_func=format_number,
                             key="land_lr", bind="query-params")
steps = middle[1].slider("Steps", 10, 300, 100, step=10, key="land_steps", bind="query-params")
seed = middle[3].number_input("Seed (noise, random directions, initial weights)", 0, 99, 0, key="land_seed",
                              bind="query-params")
bottom = st.columns(4)
if not is_real:
    noise = middle[2].slider("Gradient noise (imitates mini-batch / SGD)", 0.0, 2.0, 0.0, step=0.05, key="land_noise",
                             bind="query-params", persist_state="page",
                             help="Adds Gaussian noise of this size to every gradient, as a mini-batch estimate does.")
    x0 = bottom[0].slider("Start x", *DOMAIN, value=-2.2, step=0.05, key="land_x0", bind="query-params",
                          persist_state="page")
    y0 = bottom[1].slider("Start y", *DOMAIN, value=0.8, step=0.05, key="land_y0", bind="query-params",
                          persist_state="page")
    bottom[2].button("Use this surface's suggested start", on_click=_suggest_start, key="land_suggest")
else:
    directions = bottom[0].radio("Directions of the slice", list(DIRECTIONS), format_func=DIRECTIONS.get,
                                 key="land_directions", bind="query-params", persist_state="page")
    resolution = bottom[1].slider("Grid resolution (points per side)", 11, 101, 41, step=10, key="land_resolution",
                                  bind="query-params", persist_state="page")
    batch = middle[2].select_slider("Mini-batch size (the real network's gradient noise)", options=BATCH_SIZES,
                                    value="full batch", key="land_batch", bind="query-params", persist_state="page",
                                    help="Smaller batches give noisier gradients, like the noise slider on the toy "
                                         "surfaces; 1 is stochastic gradient descent.")

if mode == "sweep":
    balls = tuple(("gd", rate) for rate in sweep_learning_rates(lr))
    colors = list(SERIES_COLORS[: len(balls)])
else:
    if not optimizers:
        st.warning("No optimizer selected — showing plain gradient descent. Pick one or more above to race them.")
        optimizers = ["gd"]
    balls = tuple((name, lr) for name in optimizers)
    colors = [OPTIMIZER_COLORS[name] for name in optimizers]
labels = [f"{OPTIMIZER_LABELS[name]}, lr {format_number(rate)}" for name, rate in balls]

# ---------------------------------------------------------------- compute + figures
if not is_real:
    surface = get_surface(surface_key)
    st.caption(surface.description)
    runs = toy_runs(surface_key, balls, (x0, y0), steps, noise, int(seed))
    x_axis, y_axis, Z = surface.grid(TOY_RESOLUTION)
    paths = [BallPath(label, color, run.path[:, 0], run.path[:, 1], run.values, run.diverged)
             for label, color, run in zip(labels, colors, runs, strict=True)]
    minima = [MinimumMarker(m.x, m.y, m.is_global) for m in surface.minima]
    st.plotly_chart(surface_figure(x_axis, y_axis, Z, paths, axis_titles=("x", "y"), z_title="loss f(x, y)"),
                    key="land_surface_chart")
    st.caption(PLAYER_HELP)
    left, right = st.columns(2)
    left.plotly_chart(contour_figure(x_axis, y_axis, Z, paths, minima=minima, title="Top view: the paths"),
                      key="land_contour_chart")
    right.plotly_chart(loss_curve_figure([LossCurve(p.label, p.color, p.z, diverged=p.diverged) for p in paths],
                                         title="Loss (height of the ball) at each step", y_cap=float(Z.max())),
                       key="land_loss_chart")

    st.subheader("Where each ball ended")
    for label, run in zip(labels, runs, strict=True):
        outcome = classify_outcome(run, surface)
        where = f"(x, y) = ({format_number(run.end[0])}, {format_number(run.end[1])})"
        line = f"**{label}** — ended at {where}, loss {format_number(run.values[-1])}: {outcome.message}."
        if outcome.kind == "diverged":
            st.error(line + " Each step overshot the bottom of the valley and landed higher on the opposite wall, "
                            "where the slope is steeper, so the next step was even bigger. Lower the learning rate. "
                            "The path is shown up to where the ball left the map (✕).")
        elif outcome.kind == "global":
            st.success(line)
        else:
            st.info(line)
else:
    scene = real_landscape(balls, steps, directions, resolution, int(seed),
                           None if batch == "full batch" else int(batch))
    axis, Z = scene.axis, scene.Z
    st.caption(
        f"The network has {scene.n_params} weights, so its loss lives in {scene.n_params} dimensions. We look at a "
        f"flat slice through the best weights θ* found: L(θ* + α·δ + β·η), on the {scene.m} training samples, "
        f"{len(axis)} × {len(axis)} grid. Every ball trains from the same initial weights; its path is the shadow of "
        "the weights θ_t on that slice."
    )
    if scene.kind != scene.requested_kind:
        st.warning("PCA directions need a training path that did not fly off; every ball diverged, so this slice "
                   "uses random filter-normalized directions instead.")
    paths = [BallPath(label, color, ball.alpha, ball.beta, ball.height, ball.diverged)
             for label, color, ball in zip(labels, colors, scene.balls, strict=True)]
    calm = [ball for ball in scene.balls if not ball.diverged]
    heights_seen = [float(np.max(np.concatenate([b.height, b.losses]))) for b in calm] or [scene.balls[0].losses[0]]
    z_cap = max(2.0, 1.5 * max(heights_seen))
    st.plotly_chart(surface_figure(axis, axis, Z, paths, axis_titles=scene.axis_titles, z_title="training loss",
                                   z_cap=z_cap), key="land_surface_chart")
    st.caption(PLAYER_HELP)
    if float(Z.max()) > z_cap:
        st.caption(f"Heights above {format_number(z_cap)} are cut flat (the slice reaches a loss of "
                   f"{format_number(float(Z.max()))} at its far corners) so the valley stays readable.")
    left, right = st.columns(2)
    left.plotly_chart(contour_figure(axis, axis, Z, paths, axis_titles=scene.axis_titles, z_cap=z_cap,
                                     minima=[MinimumMarker(0.0, 0.0, True)], title="Top view: the paths (★ = θ*)"),
                      key="land_contour_chart")
    curves = []
    for path, ball in zip(paths, scene.balls, strict=True):
        curves.append(LossCurve(f"{path.label}: surface height", path.color, ball.height, diverged=ball.diverged))
        curves.append(LossCurve(f"{path.label}: real loss L(θ_t)", path.color, ball.losses, dash="dot"))
    right.plotly_chart(loss_curve_figure(curves, title="Real loss (dotted) vs. height under the ball", y_cap=z_cap),
                       key="land_loss_chart")
    gaps = [float(np.max(np.abs(ball.losses - ball.height))) for ball in calm]
    st.info(
        "**Why the dotted and solid lines differ:** the ball is drawn on the slice, at the height of the point "
        "of the plane closest to the real weights θ_t; the real θ_t also moved in the other "
        f"{scene.n_params - 2} directions, which the slice cannot show, so its real loss is not the surface "
        "height. They meet at θ*, where the slice passes through the weights"
        + (f" (largest gap along the paths: {format_number(max(gaps))})." if gaps else ".")
    )
    if scene.kind == "random":
        st.caption("Random directions are almost perpendicular to the training path in this many dimensions, so "
                   "the path's shadow is short; switch to PCA directions to see the plane training moved in.")

    st.subheader("Where each ball ended")
    lowest = min(float(ball.losses[-1]) for ball in scene.balls)
    for label, ball in zip(labels, scene.balls, strict=True):
        # max(0, ·): the cross-entropy is never negative; rounding can leave −1e-12 once every sample is fitted
        line = (f"**{label}** — training loss {format_number(ball.losses[0])} → "
                f"{format_number(max(0.0, float(ball.losses[-1])))} after {len(ball.losses) - 1} steps")
        if ball.diverged:
            st.error(line + ": the learning rate is too high — the ball flew off. Each update overshoots and the "
                            "loss grows instead of shrinking; lower the learning rate. The path is shown up to where "
                            "it left the map (✕).")
        elif ball.losses[-1] <= lowest + 1e-12:
            st.success(line + ": the lowest loss of all balls — the centre θ* of this slice.")
        else:
            st.info(line + ". (No one knows the real network's global minimum; a loss near 0 means it fits the "
                           "training set.)")
