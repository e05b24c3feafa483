"""The landscape lesson's two views — a toy surface, the real network — and a run sent from the training page.

Streamlit glue: each function draws one view from a computed scene (the scenes are cached here, bounded).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from lessons import landscape_settings as choices
from lessons.run_link import RUN_PARAM, RunSpec, parse_run
from lessons.url_values import ignored_note
from lessons.work_budget import OverBudget, check_landscape, check_path, check_training, n_params
from nn_core.descent import classify_outcome, count_steps, run_descent
from nn_core.divergence import divergence_clause
from nn_core.landscape import LandscapeScene, landscape_scene
from nn_core.network import init_params
from nn_core.surfaces import get_surface
from streamlit_glue.cached import cancer_split, computed_or_raise, figure_json
from streamlit_glue.link_guard import drop_from_link
from streamlit_glue.plotly_in_place import FillRoom, plotly_chart_in_place
from streamlit_glue.work_queue import computed_once, heavy_work
from viz import landscape3d as charts
from viz.style import OPTIMIZER_COLORS, format_number

HIDDEN_UNITS = 15
K = TypeVar("K", bound=Hashable)
TOY_RESOLUTION = 61  # 0.1 apart: smooth at the narrowest well (width 0.6), and 45 % fewer points than 81


def landscape_over_budget(resolution: int, steps: int, balls: int) -> OverBudget | None:
    """The real-network lesson's grid × steps × balls against the server's budget."""
    return check_landscape(resolution, steps, balls)


@st.cache_data(max_entries=64, ttl="1h", show_spinner=False)
def toy_runs(surface_key: str, balls: tuple[tuple[str, float], ...], start: tuple[float, float], steps: int,
             noise: float, seed: int) -> list:
    """Every ball's descent on a toy surface (cheap, but cached so scrubbing other widgets is instant)."""
    surface = get_surface(surface_key)
    return [run_descent(surface, start, optimizer=opt, lr=lr, steps=steps, noise=noise, seed=seed) for opt, lr in balls]


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def _shared_real_scene(kind: str, key: Hashable, _computed: LandscapeScene | None = None) -> LandscapeScene:
    """The real network's scenes, by the settings they are computed from (look up, or store what this session
    computed)."""
    return computed_or_raise(_computed)


def _computed_scene(key: K, compute: Callable[[K], LandscapeScene], spinner: str, status=None) -> LandscapeScene:
    """``compute(key)`` from the shared cache, awaited while another session computes it, or computed here in one of
    the server's slots and stored for everyone. ``compute`` reads nothing but ``key`` (and module constants): the key
    is the settings the scene is computed from, never a tuple written beside them. ``status``: where the wait and
    the server's work are told (an ``st.empty``; a new one here by default)."""
    status = st.empty() if status is None else status
    kind = compute.__name__

    def compute_here() -> LandscapeScene:
        with heavy_work(status), st.spinner(spinner):
            scene = compute(key)
        return _shared_real_scene(kind, key, _computed=scene)

    return computed_once(("landscape", kind, key), lambda: _shared_real_scene(kind, key), compute_here, status)


@dataclass(frozen=True)
class RealScene:
    """Everything the real-network lesson's scene is computed from: its key in the shared cache."""

    balls: tuple[tuple[str, float], ...]
    steps: int
    directions: str
    resolution: int
    seed: int
    batch_size: int | None = None


def _lesson_scene(settings: RealScene) -> LandscapeScene:
    split = cancer_split()
    start = init_params(split.X_train.shape[0], HIDDEN_UNITS, seed=settings.seed + 1)
    return landscape_scene(start, split.X_train, split.Y_train, settings.balls, steps=settings.steps,
                           directions=settings.directions, resolution=settings.resolution, seed=settings.seed,
                           batch_size=settings.batch_size)


def real_landscape(balls: tuple[tuple[str, float], ...], steps: int, directions: str, resolution: int,
                   seed: int, batch_size: int | None = None, status=None) -> LandscapeScene:
    """The real network's slice with every ball's training path on it (about a second of work, done once)."""
    return _computed_scene(RealScene(balls, steps, directions, resolution, seed, batch_size), _lesson_scene,
                           "Training the network and mapping its loss landscape…", status)


def _toy_scene(surface_key, balls, labels, colors, start, steps, noise, seed):
    """The surface, each ball's run and the paths to draw (the runs cached, see toy_runs)."""
    surface = get_surface(surface_key)
    runs = toy_runs(surface_key, balls, start, steps, noise, seed)
    paths = [charts.BallPath(label, color, run.path[:, 0], run.path[:, 1], run.values, run.diverged)
             for label, color, run in zip(labels, colors, runs, strict=True)]
    return surface, runs, surface.grid(TOY_RESOLUTION), paths


def rotation_config(rotate: bool) -> dict:
    """Plotly's config for a 3D view that turns (drag, wheel zoom) or lets a swipe or the wheel scroll the page."""
    return {} if rotate else {"scrollZoom": False}


def toy_surface(view, surface_key, balls, labels, colors, start, steps, noise, seed, key_prefix: str = "land", *,
                rotate: bool = True, describe: bool = True, fill: FillRoom | None = None,
                tick_count: int | None = None) -> None:
    """The 3D view of the balls rolling (keyed ``<key_prefix>_surface_chart``), and the surface in words unless
    ``describe`` is False; ``rotate`` False lets a swipe over it scroll the page; ``fill`` sizes it to its room;
    ``tick_count`` caps each axis's ticks (a slide's small view)."""
    surface, _, (x_axis, y_axis, Z), paths = _toy_scene(surface_key, balls, labels, colors, start, steps, noise, seed)
    surface_chart = figure_json(charts.surface_figure, x_axis, y_axis, Z, paths, z_title="f(x, y)", rotate=rotate,
                                tick_count=tick_count)
    with view:  # updated in place: a rebuilt 3D chart cost ~1 s per slider notch (see plotly_in_place)
        plotly_chart_in_place(surface_chart, key=f"{key_prefix}_surface_chart", config=rotation_config(rotate),
                              fill=fill, alt=f"3D view of the surface {surface.label} with every ball's path. "
                                             f"{charts.describe_paths(paths)}")
    if describe:
        view.markdown(f"{surface.description} The height f(x, y) plays the loss (a toy surface may dip below 0). "
                      + choices.PLAYER_HELP)


def toy_details(surface_key, balls, labels, colors, start, steps, noise, seed, key_prefix: str = "land") -> None:
    """The top view, the height chart and each ball's outcome (charts keyed ``<key_prefix>_…``)."""
    surface, runs, (x_axis, y_axis, Z), paths = _toy_scene(surface_key, balls, labels, colors, start, steps, noise,
                                                           seed)
    summary = charts.describe_paths(paths)
    left, right = st.columns(2)
    minima = [charts.MinimumMarker(m.x, m.y, m.is_global) for m in surface.minima]
    plotly_chart_in_place(figure_json(charts.contour_figure, x_axis, y_axis, Z, paths, minima=minima,
                                      title="Top view: the paths"),
                          key=f"{key_prefix}_contour_chart",
                          alt=f"Contour map from above: ★ global, ▼ local minima. {summary}", container=left,
                          defer_offscreen=True)
    curves = [charts.LossCurve(p.label, p.color, p.z, diverged=p.diverged) for p in paths]
    plotly_chart_in_place(figure_json(charts.loss_curve_figure, curves, title="Height of the ball at each step",
                                      y_title="height", y_cap=float(Z.max())),
                          key=f"{key_prefix}_loss_chart", alt=f"Height of each ball against the step. {summary}",
                          container=right, defer_offscreen=True)
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


def toy_lesson(view, surface_key, balls, labels, colors, start, steps, noise, seed, key_prefix: str = "land") -> None:
    """The 3D view, the top view, the height chart and each ball's outcome (charts keyed ``<key_prefix>_…``)."""
    toy = (surface_key, balls, labels, colors, start, steps, noise, seed)
    toy_surface(view, *toy, key_prefix=key_prefix)
    toy_details(*toy, key_prefix=key_prefix)


def real_lesson(view, scene: LandscapeScene, labels, colors) -> None:
    paths = [charts.BallPath(label, color, ball.alpha, ball.beta, ball.height, ball.diverged)
             for label, color, ball in zip(labels, colors, scene.balls, strict=True)]
    z_cap = scene.height_cap
    # the height of the slice under the ball, not the real loss (that is in "Where each ball ended")
    summary = charts.describe_paths(paths, height_word="slice height")
    surface_chart = figure_json(charts.surface_figure, scene.alpha_axis, scene.beta_axis, scene.Z, paths,
                                axis_titles=scene.axis_titles, z_title="training loss", z_cap=z_cap)
    with view:
        plotly_chart_in_place(surface_chart, key="land_surface_chart",
                              alt=f"3D view of the training loss on a slice through the trained weights. {summary}")
    view.markdown(choices.slice_description(scene.n_params, scene.m, len(scene.alpha_axis))
                  + (f" Heights above {format_number(z_cap)} are cut flat so the valley stays readable."
                     if float(scene.Z.max()) > z_cap else ""))
    view.markdown(choices.distances_in_words(labels, [ball.travelled for ball in scene.balls],
                                             [ball.diverged for ball in scene.balls], scene.n_params))
    with view.expander("What θ*, δ, η and “filter-normalized” mean", icon=":material/help:"):
        st.markdown(choices.slice_terms())
    if scene.kind != scene.requested_kind:
        view.warning(choices.PCA_FALLBACK)  # in the view's column: the charts below keep their place
    left, right = st.columns(2)
    plotly_chart_in_place(figure_json(charts.contour_figure, scene.alpha_axis, scene.beta_axis, scene.Z, paths,
                                      axis_titles=scene.axis_titles, z_cap=z_cap,
                                      minima=[charts.MinimumMarker(0.0, 0.0, True)],
                                      title="Top view: the paths (★ = θ*)"), key="land_contour_chart",
                          alt=f"Contour map of the slice seen from above, ★ at θ*. {summary}", container=left,
                          defer_offscreen=True)
    curves = [curve for path, ball in zip(paths, scene.balls, strict=True) for curve in (
        charts.LossCurve(f"{path.label}: surface height", path.color, ball.height, diverged=ball.diverged),
        charts.LossCurve(f"{path.label}: real loss L(θ_t)", path.color, ball.losses, dash="dot"))]
    plotly_chart_in_place(figure_json(charts.loss_curve_figure, curves,
                                      title="Real loss (dotted) vs. height under the ball", y_cap=z_cap, log_y=True),
                          key="land_loss_chart",
                          alt=f"Training loss of each ball against the step, log scale. {summary}",
                          container=right, defer_offscreen=True)
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
            st.success(line + ": the lowest loss of all balls: its end is θ*, the ★ of the top view.")
        else:
            st.info(line + ". (No one knows the real network's global minimum; a loss near 0 means it fits the "
                           "training set.)")


RUN_RESOLUTION = 41


def _run_scene(spec: RunSpec) -> LandscapeScene:
    split = cancer_split(spec.test_size, spec.split_seed, spec.stratify, spec.scaling, spec.features)
    start = init_params(split.X_train.shape[0], spec.hidden, seed=spec.init_seed)
    return landscape_scene(start, split.X_train, split.Y_train, ((spec.optimizer, spec.lr),),
                           steps=spec.iterations, directions="pca", resolution=RUN_RESOLUTION,
                           seed=spec.init_seed, batch_size=spec.batch_size, l2=spec.l2)


def run_landscape(spec: RunSpec) -> LandscapeScene:
    """The training page's run, retrained exactly (same split, start, batches), on the PCA plane of its path."""
    return _computed_scene(spec, _run_scene, "Retraining your run and mapping the landscape around it…")


def run_over_budget(spec: RunSpec) -> OverBudget | None:
    """A run's training work and the length of its kept path, against the server's budgets (before any work)."""
    split = cancer_split(spec.test_size, spec.split_seed, spec.stratify, spec.scaling, spec.features)
    n_x, m_train = split.X_train.shape
    return (check_training(spec.iterations, m_train, spec.hidden, n_x, batch_size=spec.batch_size)
            or check_path(spec.iterations, n_params(n_x, spec.hidden)))


def opened_run(notes: list[str]) -> RunSpec | None:
    """The run a link carries in land_run, checked like every link value: a bad one — or two of them (which one
    was meant?) — gets a note in ``notes`` and leaves the address."""
    raws = st.query_params.get_all(RUN_PARAM)
    if not raws:
        return None
    spec, problem = parse_run(raws[0]) if len(raws) == 1 else (None, "expected one value")
    if problem:
        notes.append(ignored_note(RUN_PARAM, ", ".join(raws), problem))
        drop_from_link(RUN_PARAM)
    return spec


def your_run(spec: RunSpec) -> None:
    st.header("Your run from the training page")
    st.button("Back to the landscape lesson", key="land_leave_run", icon=":material/arrow_back:",
              on_click=lambda: st.query_params.pop(RUN_PARAM, None))
    st.markdown(f"The network you trained — {spec.label} — retrained exactly, its path drawn on the plane of the "
                "two main directions of its own trajectory (PCA)" + (" (the map is the cross-entropy; the run also "
                "paid the L2 term)." if spec.l2 else "."))
    if (too_big := run_over_budget(spec)) is not None:
        st.error(too_big.message, icon=":material/block:")
        return
    real_lesson(st.container(), run_landscape(spec), [spec.label], [OPTIMIZER_COLORS[spec.optimizer]])
