"""The ball on the landscape: an animated 3D surface, the 2D contour map, and the loss-versus-step chart.

Pure functions from arrays to Plotly figures (no Streamlit). The animation runs in the browser: each
Plotly frame carries only the moving traces (every ball and its trail), never the surface, so a
150-frame animation stays a few hundred kB; 3D frames need ``redraw=True`` to repaint the WebGL scene.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.style import SURFACE_COLORSCALE, apply_house_style, format_number

MAX_FRAMES = 120
DEFAULT_FRAME_MS = 80
# Speed buttons: label -> milliseconds per frame.
SPEEDS: dict[str, int] = {"0.5×": 2 * DEFAULT_FRAME_MS, "1×": DEFAULT_FRAME_MS, "2×": DEFAULT_FRAME_MS // 2,
                          "4×": DEFAULT_FRAME_MS // 4}
CAMERA = {"eye": {"x": -1.25, "y": -1.35, "z": 0.85}, "up": {"x": 0, "y": 0, "z": 1}}


@dataclass(frozen=True)
class BallPath:
    """One ball to draw: its positions, the surface height under it, and how to label it."""

    label: str
    color: str
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    diverged: bool = False

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class LossCurve:
    """One line of the loss-versus-step chart (dash="dot" for the real loss next to the surface height)."""

    label: str
    color: str
    values: np.ndarray
    dash: str = "solid"
    diverged: bool = False


@dataclass(frozen=True)
class MinimumMarker:
    x: float
    y: float
    is_global: bool


def frame_indices(path_length: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """Which steps become animation frames: all of them for short runs, evenly spaced ones otherwise."""
    if path_length <= max_frames:
        return np.arange(path_length)
    return np.unique(np.linspace(0, path_length - 1, max_frames).round().astype(int))


def _display_xy(path: BallPath, x_range: tuple[float, float], y_range: tuple[float, float]):
    """Positions clipped to the plotted square, so a ball that flew off is shown at the edge it left by."""
    return np.clip(path.x, *x_range), np.clip(path.y, *y_range)


def _z_limits(Z: np.ndarray, paths: Sequence[BallPath]) -> tuple[float, float]:
    finite = Z[np.isfinite(Z)]
    low, high = float(finite.min()), float(finite.max())
    for path in paths:
        z = path.z[np.isfinite(path.z)]
        if z.size:
            low = min(low, float(z.min()))
    pad = 0.05 * (high - low or 1.0)
    return low - pad, high + pad


def _compact(values: np.ndarray, span: float) -> list[float]:
    """Values rounded to ~1/1000 of the axis span: less than a pixel on screen, and a third of the JSON."""
    decimals = max(0, 3 - int(np.floor(np.log10(span)))) if span > 0 else 6
    return np.round(values, decimals).tolist()


def _ball_traces(paths: Sequence[BallPath], step: int, frame_steps: np.ndarray, x_range, y_range, z_range,
                 lift: float) -> list[dict]:
    """The moving traces at ``step``: every trail so far, then every ball (same order in every frame).

    Only coordinates (and a diverged ball's ✕): Plotly merges a frame into the existing traces, so the
    colours and labels set once in the first data need not be repeated 120 times. The trail runs
    through the frame steps up to ``step`` (all steps of a short run). Plain dicts of lists, not graph
    objects of arrays: Plotly's per-array checks on 120 frames would cost over a second per figure.
    """
    spans = (x_range[1] - x_range[0], y_range[1] - y_range[0], z_range[1] - z_range[0])
    trails, balls = [], []
    for path in paths:
        x, y = _display_xy(path, x_range, y_range)
        z = np.clip(path.z, *z_range) + lift
        k = min(step, len(path) - 1)
        shown = np.unique(np.append(np.minimum(frame_steps[frame_steps <= step], len(path) - 1), k))
        trails.append({"type": "scatter3d", "x": _compact(x[shown], spans[0]), "y": _compact(y[shown], spans[1]),
                       "z": _compact(z[shown], spans[2])})
        ball = {"type": "scatter3d", "x": [float(x[k])], "y": [float(y[k])], "z": [float(z[k])]}
        if path.diverged:
            ball["marker"] = {"symbol": "x" if k == len(path) - 1 else "circle"}
        balls.append(ball)
    return trails + balls


def _initial_traces(paths: Sequence[BallPath], moving: list[dict]) -> list[go.Scatter3d]:
    """The trails and balls as first drawn, with their styles; frames then only move their coordinates."""
    styled = []
    for index, trace in enumerate(moving):
        path = paths[index % len(paths)]
        coordinates = {axis: trace[axis] for axis in ("x", "y", "z")}
        if index < len(paths):
            styled.append(go.Scatter3d(**coordinates, mode="lines", line={"color": path.color, "width": 6},
                                       name=f"{path.label} (trail)", showlegend=False, hoverinfo="skip"))
        else:
            styled.append(go.Scatter3d(
                **coordinates, mode="markers", name=path.label,
                marker={"size": 9, "color": path.color, "symbol": "circle", "line": {"color": "white", "width": 2}},
                hovertemplate=f"{path.label}<br>x=%{{x:.3g}}, y=%{{y:.3g}}<br>height=%{{z:.3g}}<extra></extra>"))
    return styled


def _animation_controls(frame_names: list[str], step_labels: list[str]) -> dict:
    play = {"frame": {"duration": DEFAULT_FRAME_MS, "redraw": True}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    speed_buttons = [
        {"label": f"▶ {label}", "method": "animate",
         "args": [None, {**play, "frame": {"duration": ms, "redraw": True}}]}
        for label, ms in SPEEDS.items()
    ]
    return {
        "updatemenus": [
            {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": 0.0,
             "xanchor": "left", "yanchor": "top", "pad": {"t": 6, "r": 6},
             "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                         {"label": "‖ Pause", "method": "animate", "args": [[None], pause]}]},
            {"type": "buttons", "direction": "left", "showactive": False, "x": 0.22, "y": 0.0,
             "xanchor": "left", "yanchor": "top", "pad": {"t": 6, "r": 6}, "buttons": speed_buttons},
        ],
        "sliders": [{
            "active": 0, "x": 0.0, "y": -0.06, "len": 1.0, "pad": {"t": 36},
            "currentvalue": {"prefix": "step ", "visible": True},
            "steps": [{"label": label, "method": "animate",
                       "args": [[name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
                                         "transition": {"duration": 0}}]}
                      for name, label in zip(frame_names, step_labels, strict=True)],
        }],
    }


def surface_figure(x_axis: np.ndarray, y_axis: np.ndarray, Z: np.ndarray, paths: Sequence[BallPath], *,
                   axis_titles: tuple[str, str] = ("x", "y"), z_title: str = "loss", title: str | None = None,
                   max_frames: int = MAX_FRAMES, height: int = 680, z_cap: float | None = None) -> go.Figure:
    """3D surface with balls that roll when Play is pressed, leaving trails; step slider and speed buttons.

    Z[i, j] is the height at (x_axis[j], y_axis[i]). Paths must be finite (nn_core stops before nan).
    ``z_cap`` cuts the surface off at that height (say so on the page) so a few huge corner values do not
    flatten the valley the balls roll in.
    """
    if z_cap is not None:
        Z = np.minimum(Z, z_cap)
    x_range = (float(x_axis[0]), float(x_axis[-1]))
    y_range = (float(y_axis[0]), float(y_axis[-1]))
    z_range = _z_limits(Z, paths)
    lift = 0.03 * (z_range[1] - z_range[0])
    longest = max((len(p) for p in paths), default=1)
    steps = frame_indices(longest, max_frames)
    surface = go.Surface(x=x_axis, y=y_axis, z=Z, colorscale=SURFACE_COLORSCALE, opacity=0.9, showscale=False,
                         name="surface", hovertemplate="x=%{x:.3g}, y=%{y:.3g}<br>height=%{z:.3g}<extra></extra>")
    moving = list(range(1, 1 + 2 * len(paths)))
    frames = [{"data": _ball_traces(paths, int(k), steps, x_range, y_range, z_range, lift), "traces": moving,
               "name": str(k)} for k in steps]
    first = _initial_traces(paths, _ball_traces(paths, 0, steps, x_range, y_range, z_range, lift))
    fig = go.Figure(data=[surface, *first], frames=frames, _validate=False)
    fig.update_layout(
        scene={"xaxis": {"title": {"text": axis_titles[0]}, "range": list(x_range), "autorange": False},
               "yaxis": {"title": {"text": axis_titles[1]}, "range": list(y_range), "autorange": False},
               "zaxis": {"title": {"text": z_title}, "range": list(z_range), "autorange": False},
               "camera": CAMERA, "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6},
               "dragmode": "turntable"},
        uirevision="landscape", legend={"orientation": "h", "y": 1.02, "x": 0},
        **_animation_controls([str(k) for k in steps], [str(int(k)) for k in steps]),
    )
    apply_house_style(fig, title=title, height=height)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 90})
    return fig


def contour_figure(x_axis: np.ndarray, y_axis: np.ndarray, Z: np.ndarray, paths: Sequence[BallPath], *,
                   axis_titles: tuple[str, str] = ("x", "y"), minima: Sequence[MinimumMarker] = (),
                   title: str | None = None, height: int = 460, z_cap: float | None = None) -> go.Figure:
    """Top view: contour lines of the same surface with every ball's whole path (start ○, end ●, flew off ✕)."""
    if z_cap is not None:
        Z = np.minimum(Z, z_cap)
    x_range = (float(x_axis[0]), float(x_axis[-1]))
    y_range = (float(y_axis[0]), float(y_axis[-1]))
    fig = go.Figure(go.Contour(x=x_axis, y=y_axis, z=Z, colorscale=SURFACE_COLORSCALE, ncontours=30,
                               colorbar={"title": {"text": "height"}, "thickness": 12}, name="surface",
                               hovertemplate="x=%{x:.3g}, y=%{y:.3g}<br>height=%{z:.3g}<extra></extra>"))
    for marker in minima:
        fig.add_trace(go.Scatter(x=[marker.x], y=[marker.y], mode="markers", showlegend=False,
                                 marker={"symbol": "star" if marker.is_global else "triangle-down", "size": 13,
                                         "color": "white", "line": {"color": "black", "width": 1}},
                                 hovertemplate=("global" if marker.is_global else "local") + " minimum<extra></extra>"))
    for path in paths:
        x, y = _display_xy(path, x_range, y_range)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=path.label,
                                 line={"color": path.color, "width": 2}, marker={"size": 4, "color": path.color},
                                 hovertemplate=f"{path.label}<br>x=%{{x:.3g}}, y=%{{y:.3g}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=[x[0]], y=[y[0]], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker={"symbol": "circle-open", "size": 12, "color": path.color,
                                         "line": {"width": 3}}))
        fig.add_trace(go.Scatter(x=[x[-1]], y=[y[-1]], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker={"symbol": "x" if path.diverged else "circle", "size": 13,
                                         "color": path.color, "line": {"color": "white", "width": 1}}))
    fig.update_layout(xaxis={"title": {"text": axis_titles[0]}, "range": list(x_range), "constrain": "domain"},
                      yaxis={"title": {"text": axis_titles[1]}, "range": list(y_range), "scaleanchor": "x",
                             "constrain": "domain"},
                      legend={"orientation": "h", "y": -0.18})
    return apply_house_style(fig, title=title, height=height)


def loss_curve_figure(curves: Sequence[LossCurve], *, title: str | None = None, y_title: str = "loss",
                      height: int = 460, y_cap: float | None = None) -> go.Figure:
    """Loss (height of the ball) against step, one line per ball; a ✕ marks where a ball flew off.

    ``y_cap`` draws values above it at the cap (the ✕ label keeps the true value), so one ball that flew
    off to a loss of 10⁸ does not squash every other line flat.
    """
    fig = go.Figure()
    for curve in curves:
        true_values = np.asarray(curve.values, dtype=float)
        values = true_values if y_cap is None else np.minimum(true_values, y_cap)
        steps = np.arange(len(values))
        fig.add_trace(go.Scatter(x=steps, y=values, mode="lines", name=curve.label,
                                 line={"color": curve.color, "dash": curve.dash, "width": 2},
                                 hovertemplate=f"{curve.label}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>"))
        if curve.diverged and len(values):
            fig.add_trace(go.Scatter(x=[steps[-1]], y=[values[-1]], mode="markers+text", showlegend=False,
                                     marker={"symbol": "x", "size": 12, "color": curve.color},
                                     text=[f"flew off ({format_number(true_values[-1])})"],
                                     textposition="middle right", cliponaxis=False, hoverinfo="skip"))
    fig.update_layout(xaxis={"title": {"text": "step"}}, yaxis={"title": {"text": y_title}},
                      legend={"orientation": "h", "y": -0.18})
    return apply_house_style(fig, title=title, height=height)
