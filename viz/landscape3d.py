"""The ball on the landscape: an animated 3D surface, the 2D contour map, and the loss-versus-step chart.

Pure functions from arrays to Plotly figures (no Streamlit). The animation runs in the browser: each
Plotly frame carries only the moving traces (every ball and its trail), never the surface, so a
150-frame animation stays a few hundred kB; 3D frames need ``redraw=True`` to repaint the WebGL scene.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from viz.style import SURFACE_COLORSCALE, TEMPLATE, apply_house_style, format_number, log_axis

# 60 hops are smooth enough to follow a ball, and half the bytes of 120 (frames and slider steps).
MAX_FRAMES = 60
DEFAULT_FRAME_MS = 80
# Speed buttons: label -> milliseconds per frame.
SPEEDS: dict[str, int] = {"0.5×": 2 * DEFAULT_FRAME_MS, "1×": DEFAULT_FRAME_MS, "2×": DEFAULT_FRAME_MS // 2,
                          "4×": DEFAULT_FRAME_MS // 4}
# A legend under the plot, below the x-axis title (never on it, never under the toolbar at the top).
LEGEND_GAP = 55  # px from the plot's bottom edge to the legend under it
CAMERA = {"eye": {"x": -0.95, "y": -1.15, "z": 1.35}, "up": {"x": 0, "y": 0, "z": 1}}


# Margins that already hold what Plotly would push them out to (tick labels, axis titles, the colour bar, the
# legend under the plot, as the charts are drawn at 1366 px). Plotly redraws a whole 2D chart each time a margin
# grows (up to 3 × (1 + pushers) times), and a legend placed as a fraction of the plot height moves whenever the
# bottom margin does: the contour map took 4-10 redraws, 0.2-0.9 s of the browser's time on every rerun. A
# margin that is too small (a phone's narrower chart, long labels) still grows: a redraw, never a clipped label.
CONTOUR_MARGIN = {"l": 76, "r": 84, "t": 50}
LOSS_MARGIN = {"l": 80, "r": 24, "t": 50}
DESKTOP_CHART_WIDTH = 445  # each of the two charts under the 3D view at 1366 px
CONTOUR_PLOT_WIDTH = 230  # where its legend wraps (measured): the map is square, narrower than the chart


def legend_bottom_margin(labels: Sequence[str], plot_width: float) -> int:
    """The bottom margin that already holds the horizontal legend under the plot, so Plotly need not push it
    out: the legend starts LEGEND_GAP px under the plot (clear of the tick labels and the axis title); entries
    are 65 px + 4.2 px a character wide (measured in Chromium), rows wrap at ``plot_width`` and take 20 px
    each, plus 24 px of padding.
    At least 135 px (tick labels and the axis title)."""
    rows, used = 0, plot_width
    for label in labels:
        width = 65 + 4.2 * len(label)
        if used + width > plot_width:
            rows, used = rows + 1, 0
        used += width
    if rows < 2:  # Plotly shows no legend for a single trace; one or two rows fit the minimum
        return 135
    return max(135, LEGEND_GAP + 20 * rows + 24)


def _legend_below(height: int, margin: dict) -> dict:
    """The legend LEGEND_GAP px under the plot, whatever its height: a fraction of the plot height (as before)
    crept up into the axis title when a ten-entry legend left the plot short."""
    plot_height = max(1, height - margin["t"] - margin["b"])
    return {"legend": {"orientation": "h", "x": 0, "y": -LEGEND_GAP / plot_height, "yanchor": "top"}}


@lru_cache(maxsize=16)
def _house_layout(title: str | None, height: int) -> dict:
    """viz.style's house layout (template, margins, font, title, height) as plain data, worked out once.

    The figures here are built from plain dicts without Plotly's per-property validation (which cost
    70-110 ms per figure on every rerun); this is apply_house_style's result, on the house TEMPLATE itself.
    """
    return apply_house_style(go.Figure(layout={"template": TEMPLATE}), title=title, height=height).to_dict()["layout"]


def _figure(data: list[dict], layout: dict, *, title: str | None, height: int, frames: list[dict] | None = None,
            ) -> go.Figure:
    """A figure from plain trace and layout dicts, in the house style (``layout`` overrides its top-level keys)."""
    full_layout = {**copy.deepcopy(_house_layout(title, height)), **layout}
    return go.Figure(data=data, layout=full_layout, frames=frames, skip_invalid=True, _validate=False)


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


def screen_precision(values: np.ndarray) -> np.ndarray:
    """float32 with 4 significant digits: finer than any screen shows, and half the bytes of float64."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = np.where(values == 0, 0, 3 - np.floor(np.log10(np.abs(values))))
    scale = 10.0 ** np.nan_to_num(digits)
    return (np.round(values * scale) / scale).astype(np.float32)


def _compact(values: np.ndarray, span: float) -> list[float]:
    """Values rounded to ~1/1000 of the axis span: less than a pixel on screen, and a third of the JSON."""
    decimals = max(0, 3 - int(np.floor(np.log10(span)))) if span > 0 else 6
    return np.round(values, decimals).tolist()


def ball_positions(paths: Sequence[BallPath], x_range, y_range, z_range) -> list[np.ndarray]:
    """Each ball's drawn (x, y, z) per step: clipped to the map and lifted 3 % of the height range above
    the surface, so a ball resting on a valley floor still sits visibly on top of it."""
    lift = 0.03 * (z_range[1] - z_range[0])
    out = []
    for path in paths:
        x, y = _display_xy(path, x_range, y_range)
        out.append(np.stack([x, y, np.clip(path.z, *z_range) + lift], axis=1))
    return out


def _ball_frame(positions: list[np.ndarray], paths: Sequence[BallPath], step: int, spans) -> list[dict]:
    """The balls at ``step`` (a frame carries only them: the surface and trails never move)."""
    balls = []
    for path, xyz in zip(paths, positions, strict=True):
        k = min(step, len(xyz) - 1)
        ball = {"type": "scatter3d", **{axis: _compact(xyz[k:k + 1, i], spans[i]) for i, axis in enumerate("xyz")}}
        if path.diverged:
            ball["marker"] = {"symbol": "x" if k == len(xyz) - 1 else "circle"}
        balls.append(ball)
    return balls


def _static_traces(positions: list[np.ndarray], paths: Sequence[BallPath], spans) -> list[dict]:
    """Each ball's whole path as a thin trail with its start marked (an open ring in the ball's colour)."""
    traces = []
    for path, xyz in zip(paths, positions, strict=True):
        coordinates = {axis: _compact(xyz[:, i], spans[i]) for i, axis in enumerate("xyz")}
        traces.append({"type": "scatter3d", "mode": "lines", **coordinates, "name": f"{path.label} (trail)",
                       "line": {"color": path.color, "width": 4}, "showlegend": False, "hoverinfo": "skip"})
        traces.append({"type": "scatter3d", "mode": "markers", "name": f"{path.label} (start)",
                       **{axis: values[:1] for axis, values in coordinates.items()}, "showlegend": False,
                       "marker": {"size": 6, "color": path.color, "symbol": "circle-open", "line": {"width": 3}},
                       "hovertemplate": f"{path.label}: start<extra></extra>"})
    return traces


def _ball_styles(paths: Sequence[BallPath], first: list[dict]) -> list[dict]:
    """The balls as first drawn, with colour, outline and hover text; frames only move them."""
    return [{**ball, "mode": "markers", "name": path.label, "legendgroup": path.label,
             "marker": {"size": 10, "color": path.color, "symbol": ball.get("marker", {}).get("symbol", "circle"),
                        "line": {"color": "black", "width": 2}},
             "hovertemplate": f"{path.label}<br>x=%{{x:.3g}}, y=%{{y:.3g}}<br>height=%{{z:.3g}}<extra></extra>"}
            for path, ball in zip(paths, first, strict=True)]


def _animation_controls(frame_names: list[str], step_labels: list[str]) -> dict:
    """One row of buttons (▶ Play, ‖ Pause, speeds: one group, so nothing can overlap on a phone) just above
    the step slider at the bottom: clear of the toolbar, which Plotly shows at the top right."""
    play = {"frame": {"duration": DEFAULT_FRAME_MS, "redraw": True}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    speed_buttons = [{"label": label, "method": "animate",
                      "args": [None, {**play, "frame": {"duration": ms, "redraw": True}}]}
                     for label, ms in SPEEDS.items()]
    return {
        "updatemenus": [
            {"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": 0.0,
             "xanchor": "left", "yanchor": "bottom", "pad": {"b": 6},
             "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                         {"label": "‖ Pause", "method": "animate", "args": [[None], pause]},
                         *speed_buttons]},
        ],
        "sliders": [{
            "active": 0, "x": 0.0, "y": 0.0, "len": 1.0, "pad": {"t": 0, "b": 0}, "yanchor": "top",
            # A label under each of up to 60 ticks collided ("25" on "31"): the tick labels are drawn transparent,
            # and the step shown is written above the slider.
            "font": {"color": "rgba(0,0,0,0)"},
            "currentvalue": {"prefix": "step ", "visible": True, "font": {"color": "#333"}},
            "steps": [{"label": label, "method": "animate",
                       "args": [[name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
                                         "transition": {"duration": 0}}]}
                      for name, label in zip(frame_names, step_labels, strict=True)],
        }],
    }


def surface_figure(x_axis: np.ndarray, y_axis: np.ndarray, Z: np.ndarray, paths: Sequence[BallPath], *,
                   axis_titles: tuple[str, str] = ("x", "y"), z_title: str = "loss", title: str | None = None,
                   max_frames: int = MAX_FRAMES, height: int = 560, z_cap: float | None = None,
                   rotate: bool = True, tick_count: int | None = None) -> go.Figure:
    """3D surface with balls that roll when Play is pressed along their trails; step slider and speeds.

    Z[i, j] is the height at (x_axis[j], y_axis[i]). Paths must be finite (nn_core stops before nan).
    ``z_cap`` cuts the surface off at that height (say so on the page) so a few huge corner values do not
    flatten the valley the balls roll in. ``rotate`` False: a drag does not turn the view (on a phone a swipe over
    it scrolls the page). ``tick_count``: at most that many ticks per axis (a slide's small view, where the default's
    labels run into each other). Built from plain dicts without validation: Plotly's per-array checks of 120 frames cost
    over a second per figure.
    """
    if z_cap is not None:
        Z = np.minimum(Z, z_cap)
    x_range = (float(x_axis[0]), float(x_axis[-1]))
    y_range = (float(y_axis[0]), float(y_axis[-1]))
    z_range = _z_limits(Z, paths)
    spans = (x_range[1] - x_range[0], y_range[1] - y_range[0], z_range[1] - z_range[0])
    positions = ball_positions(paths, x_range, y_range, z_range)
    steps = frame_indices(max((len(p) for p in paths), default=1), max_frames)
    surface = {"type": "surface", "x": screen_precision(x_axis), "y": screen_precision(y_axis),
               "z": screen_precision(Z), "colorscale": SURFACE_COLORSCALE, "opacity": 0.85, "showscale": False,
               "name": "surface", "hovertemplate": "x=%{x:.3g}, y=%{y:.3g}<br>height=%{z:.3g}<extra></extra>"}
    static = _static_traces(positions, paths, spans)
    first_ball = 1 + len(static)
    moving = list(range(first_ball, first_ball + len(paths)))
    frames = [{"data": _ball_frame(positions, paths, int(k), spans), "traces": moving, "name": str(k)}
              for k in steps]
    balls = _ball_styles(paths, _ball_frame(positions, paths, 0, spans))
    layout = {
        # short titles in the scene (Plotly sets a 3D axis title at a fixed distance, so a long one runs into
        # the next axis's ticks); the height's name sits above the scene, the full titles on the top view
        "scene": {"xaxis": {"title": {"text": scene_axis_title(axis_titles[0])}, "range": list(x_range),
                            "autorange": False},
                  "yaxis": {"title": {"text": scene_axis_title(axis_titles[1])}, "range": list(y_range),
                            "autorange": False},
                  "zaxis": {"title": {"text": ""}, "range": list(z_range), "autorange": False, "nticks": 5},
                  "camera": copy.deepcopy(CAMERA), "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.6},
                  "dragmode": "turntable" if rotate else False, "domain": {"x": [0, 1], "y": [0.1, 1]}},
        "uirevision": "landscape",
        # at the figure's bottom edge, under the step slider's labels, whatever the figure's height (a slide sets it)
        "legend": {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"},
        **_animation_controls([str(k) for k in steps], [str(int(k)) for k in steps]),
        "margin": {"l": 0, "r": 0, "t": 30 if not title else 60, "b": 150},
        "annotations": [{"text": f"height: {z_title}", "x": 0, "y": 1, "xref": "paper", "yref": "paper",
                         "xanchor": "left", "yanchor": "top", "showarrow": False}],
    }
    if tick_count is not None:
        for axis in ("xaxis", "yaxis", "zaxis"):
            layout["scene"][axis]["nticks"] = tick_count
    return _figure([surface, *static, *balls], layout, title=title, height=height, frames=frames)


def scene_axis_title(title: str) -> str:
    """The symbol of an axis title ("α: 1st PC (95.3 % of variance)" → "α"); a title without one stays."""
    for mark in (":", " ("):
        if mark in title:
            return title.split(mark, 1)[0]
    return title


def contour_figure(x_axis: np.ndarray, y_axis: np.ndarray, Z: np.ndarray, paths: Sequence[BallPath], *,
                   axis_titles: tuple[str, str] = ("x", "y"), minima: Sequence[MinimumMarker] = (),
                   title: str | None = None, height: int = 460, z_cap: float | None = None) -> go.Figure:
    """Top view: contour lines of the same surface with every ball's whole path (start ○, end ●, flew off ✕)."""
    if z_cap is not None:
        Z = np.minimum(Z, z_cap)
    x_range = (float(x_axis[0]), float(x_axis[-1]))
    y_range = (float(y_axis[0]), float(y_axis[-1]))
    data = [{"type": "contour", "x": screen_precision(x_axis), "y": screen_precision(y_axis), "z": screen_precision(Z),
             "colorscale": get_colorscale(SURFACE_COLORSCALE), "ncontours": 30,
             "colorbar": {"title": {"text": "height"}, "thickness": 12},
             "name": "surface", "hovertemplate": "x=%{x:.3g}, y=%{y:.3g}<br>height=%{z:.3g}<extra></extra>"}]
    for marker in minima:
        data.append({"type": "scatter", "x": [marker.x], "y": [marker.y], "mode": "markers", "showlegend": False,
                     "marker": {"symbol": "star" if marker.is_global else "triangle-down", "size": 13,
                                "color": "white", "line": {"color": "black", "width": 1}},
                     "hovertemplate": ("global" if marker.is_global else "local") + " minimum<extra></extra>"})
    for path in paths:
        x, y = _display_xy(path, x_range, y_range)
        data.append({"type": "scatter", "x": x, "y": y, "mode": "lines+markers", "name": path.label,
                     "line": {"color": path.color, "width": 2}, "marker": {"size": 4, "color": path.color},
                     "hovertemplate": f"{path.label}<br>x=%{{x:.3g}}, y=%{{y:.3g}}<extra></extra>"})
        data.append({"type": "scatter", "x": [float(x[0])], "y": [float(y[0])], "mode": "markers", "showlegend": False,
                     "hoverinfo": "skip", "marker": {"symbol": "circle-open", "size": 12, "color": path.color,
                                                     "line": {"width": 3}}})
        data.append({"type": "scatter", "x": [float(x[-1])], "y": [float(y[-1])], "mode": "markers",
                     "showlegend": False, "hoverinfo": "skip",
                     "marker": {"symbol": "x" if path.diverged else "circle", "size": 13, "color": path.color,
                                "line": {"color": "white", "width": 1}}})
    layout = {"xaxis": {"title": {"text": axis_titles[0]}, "range": list(x_range), "constrain": "domain"},
              # the y labels 8 px off the axis, so its lowest one clears the x axis's first one at the corner
              "yaxis": {"title": {"text": axis_titles[1]}, "range": list(y_range), "scaleanchor": "x",
                        "constrain": "domain", "ticklabelstandoff": 8},
              "margin": {**CONTOUR_MARGIN,
                         "b": legend_bottom_margin([path.label for path in paths], CONTOUR_PLOT_WIDTH)}}
    layout.update(_legend_below(height, layout["margin"]))
    return _figure(data, layout, title=title, height=height)


def loss_curve_figure(curves: Sequence[LossCurve], *, title: str | None = None, y_title: str = "loss",
                      height: int = 460, y_cap: float | None = None, log_y: bool = False) -> go.Figure:
    """Loss (height of the ball) against step, one line per ball; a ✕ marks where a ball flew off.

    ``y_cap`` draws values above it at the cap (the ✕ label keeps the true value), so one ball that flew
    off to a loss of 10⁸ does not squash every other line flat.
    """
    data = []
    for curve in curves:
        true_values = np.asarray(curve.values, dtype=float)
        values = true_values if y_cap is None else np.minimum(true_values, y_cap)
        steps = np.arange(len(values))
        data.append({"type": "scatter", "x": steps, "y": values, "mode": "lines", "name": curve.label,
                     "line": {"color": curve.color, "dash": curve.dash, "width": 2},
                     "hovertemplate": f"{curve.label}<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>"})
        if curve.diverged and len(values):
            # ✕ only: several labels would pile up; the page gathers the outcomes in one note.
            data.append({"type": "scatter", "x": [int(steps[-1])], "y": [float(values[-1])], "mode": "markers",
                         "showlegend": False, "marker": {"symbol": "x", "size": 12, "color": curve.color},
                         "text": [f"flew off ({format_number(true_values[-1])})"],
                         "hovertemplate": f"{curve.label}<br>%{{text}}<extra></extra>"})
    yaxis = {"title": {"text": y_title}}
    if log_y:  # labels at powers of ten only ("5" between 1 and 10 reads as a loss of 5), full ones within a decade
        yaxis.update(log_axis(*(trace["y"] for trace in data)))
    margin = {**LOSS_MARGIN, "b": legend_bottom_margin([curve.label for curve in curves],
                                                       DESKTOP_CHART_WIDTH - LOSS_MARGIN["l"] - LOSS_MARGIN["r"])}
    layout = {"xaxis": {"title": {"text": "step"}}, "yaxis": yaxis, "margin": margin, **_legend_below(height, margin)}
    return _figure(data, layout, title=title, height=height)


def describe_paths(paths: Sequence[BallPath], *, height_word: str = "height") -> str:
    """A text alternative for the charts: where each ball started and ended, and which flew off."""
    parts = []
    for path in paths:
        end = f"flew off near ({format_number(path.x[-1])}, {format_number(path.y[-1])})" if path.diverged else (
            f"ended at ({format_number(path.x[-1])}, {format_number(path.y[-1])}), {height_word} "
            f"{format_number(path.z[-1])}")
        parts.append(f"{path.label}: from ({format_number(path.x[0])}, {format_number(path.y[0])}), "
                     f"{height_word} {format_number(path.z[0])}, {end}")
    return "; ".join(parts) + "."
