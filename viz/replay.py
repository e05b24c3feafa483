"""Replay a finished run in the browser: one Plotly figure with frames and its own player (Play, Pause, a
scrub slider, speed buttons), so no frame needs a round trip to the server.

Moving together at each recorded iteration: the current point on the training and validation loss curves,
the decision boundary (the network's probability on a plane), the misclassified test points, and the test
confusion counts with the accuracy. Frames carry only those moving traces; the data points and the full
curves are drawn once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from viz.style import (
    HIGHLIGHT_COLOR,
    TRAIN_COLOR,
    VALIDATION_COLOR,
    apply_house_style,
    format_number,
    log_axis,
    wants_log_axis,
)
from viz.text import plotly_literal

if TYPE_CHECKING:  # only for the annotation: viz stays free of any nn_core work
    from nn_core.boundary import ReplayData

# Blue = benign (Yh near 0), red = malignant (Yh near 1), white at the boundary; light so points stay visible.
PROBABILITY_COLORSCALE = [[0.0, "#6fa8dc"], [0.5, "#f7f7f7"], [1.0, "#e06666"]]
CLASS_COLORS = ("#1c4f8a", "#a61c1c")  # benign, malignant points
BASE_FRAME_MS = 200  # one frame at 1× speed: 60–120 frames play in 12–24 s
SPEEDS = {"½×": 2.0, "1×": 1.0, "2×": 0.5, "4×": 0.25}  # label -> multiple of BASE_FRAME_MS
# Indices of the moving traces (the frames' ``traces``), fixed by the order they are added below:
# heatmap, misclassified test points, current training loss, current validation loss, confusion bars, accuracy.
MOVING_TRACES = (0, 5, 8, 9, 10, 11)
# The player sits under the loss plot in three rows (play/pause, speed, slider), in paper coordinates: the
# figure's height is fixed, so they are fixed in pixels too and never run into each other on a phone.
PLAYER_Y = -0.06
ROW = 0.052


def _play_args(frame_ms: float) -> list:
    return [None, {"frame": {"duration": frame_ms, "redraw": True}, "fromcurrent": True, "mode": "immediate",
                   "transition": {"duration": 0}}]


def _moving(data: ReplayData, k: int) -> list[dict]:
    """The six traces that change from frame to frame, at frame k (plain dicts: see ``replay_figure``)."""
    grid = data.grid
    wrong = data.test_wrong[k]
    counts = data.confusion[k].ravel()
    return [
        {"type": "heatmap", "z": data.proba_percent[k]},
        {"type": "scatter", "x": grid.test_xy[0, wrong], "y": grid.test_xy[1, wrong]},
        {"type": "scatter", "x": [int(data.steps[k])], "y": [float(data.train_loss[k])]},
        {"type": "scatter", "x": [int(data.steps[k])], "y": [float(data.val_loss[k])]},
        {"type": "bar", "x": counts.tolist(), "text": [str(c) for c in counts]},
        {"type": "scatter", "text": [f"<b>iteration {int(data.steps[k])} · test accuracy {data.accuracy[k]:.3f}</b>"]},
    ]


def _row_domains(heights: Sequence[float], spacing: float) -> list[list[float]]:
    """The vertical domains, top row first, of a one-column grid (as plotly's make_subplots computes them)."""
    usable = 1 - spacing * (len(heights) - 1)
    top, domains = 1.0, []
    for height in heights:
        bottom = top - usable * height / sum(heights)
        domains.append([round(max(0.0, bottom), 9), round(top, 9)])
        top = bottom - spacing
    return domains


def _marker_line(x: int, label: str, color: str, position: str) -> tuple[dict, dict]:
    """A dashed vertical line at iteration x on the loss panel, and its label (what add_vline would add)."""
    line = {"type": "line", "xref": "x3", "yref": "y3 domain", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": color, "dash": "dash", "width": 1.5}}
    left = position == "bottom left"
    note = {"text": f"{label} ({x})", "font": {"color": color, "size": 12}, "bgcolor": "rgba(255,255,255,0.8)",
            "showarrow": False, "xref": "x3", "yref": "y3 domain", "x": x, "y": 0, "yanchor": "bottom",
            "xanchor": "right" if left else "left"}
    return line, note


def replay_figure(data: ReplayData, *, best_iteration: int | None = None, stopped_at: int | None = None,
                  height: int = 900, class_names: tuple[str, str] = ("benign", "malignant")) -> go.Figure:
    """The replay of a run (see ``nn_core.boundary.replay_data``), starting at its first recorded iteration.

    ``best_iteration`` (lowest validation loss) and ``stopped_at`` (early stop) are marked on the curves.
    One column (boundary, confusion counts, loss) with the player below: a Plotly figure cannot rearrange
    itself for a phone, and side-by-side panels were unreadable at 390 px wide.

    Built as one dict and validated once by ``go.Figure``: Plotly's incremental calls (make_subplots,
    add_trace(row=…), update_xaxes, add_vline, go.Frame per frame) validate every property on every call
    and took ~4× as long, on every retraining.
    """
    grid = data.grid
    negative, positive = (plotly_literal(name) for name in class_names)  # user text (an upload's classes)
    boundary_domain, counts_domain, loss_domain = _row_domains((0.46, 0.18, 0.36), 0.085)
    first = _moving(data, 0)
    points = []
    for index, (xy, labels, label, symbol) in enumerate([
            (grid.train_xy, grid.train_y, "training", "circle"),
            (grid.test_xy, grid.test_y, "test", "diamond")]):
        for cls, name in enumerate((negative, positive)):
            mask = labels == cls
            points.append({"type": "scatter", "x": xy[0, mask], "y": xy[1, mask], "mode": "markers",
                           "name": f"{label}: {name}", "showlegend": False, "hoverinfo": "skip", "xaxis": "x",
                           "yaxis": "y",
                           "marker": {"color": CLASS_COLORS[cls], "symbol": symbol, "size": 5 if index == 0 else 8,
                                      "opacity": 0.55 if index == 0 else 0.95,
                                      "line": {"color": "white", "width": 0.5 if index == 0 else 1}}})
    m_test = int(data.confusion[0].sum())
    confusion_labels = (f"{negative}, correct", "false alarm", f"missed {positive}", f"{positive}, correct")
    # Trace order fixes MOVING_TRACES: heatmap 0, points 1–4, misclassified 5, curves 6–7, current points 8–9,
    # confusion bars 10, accuracy 11.
    traces = [
        # A heatmap (and any contour) cannot be transitioned by plotly.js: every frame redraws the whole figure.
        # zsmooth="fast" paints one canvas pixel per cell, the cheapest redraw (on a heavily loaded machine the
        # boundary may still blink during Play; paused, scrubbed or finished it is always drawn).
        {**first[0], "x": grid.xs, "y": grid.ys, "zmin": 0, "zmax": 100, "colorscale": PROBABILITY_COLORSCALE,
         "showscale": False, "name": "P(1) %", "zsmooth": "fast", "xaxis": "x", "yaxis": "y",
         "hovertemplate": "probability of label 1: %{z}%<extra></extra>"},
        *points,
        {**first[1], "mode": "markers", "name": "misclassified test point", "showlegend": False, "hoverinfo": "skip",
         "marker": {"symbol": "circle-open", "size": 15, "color": "#111111", "line": {"width": 2}},
         "xaxis": "x", "yaxis": "y"},
        {"type": "scatter", "x": data.steps, "y": data.train_loss, "mode": "lines", "name": "training",
         "line": {"color": TRAIN_COLOR, "width": 2}, "xaxis": "x3", "yaxis": "y3"},
        {"type": "scatter", "x": data.steps, "y": data.val_loss, "mode": "lines", "name": "validation",
         "line": {"color": VALIDATION_COLOR, "width": 2}, "xaxis": "x3", "yaxis": "y3"},
        *({**current, "mode": "markers", "showlegend": False, "hoverinfo": "skip", "xaxis": "x3", "yaxis": "y3",
           "marker": {"color": color, "size": 12, "line": {"color": "white", "width": 2}}}
          for current, color in ((first[2], TRAIN_COLOR), (first[3], VALIDATION_COLOR))),
        {**first[4], "y": list(confusion_labels), "orientation": "h", "textposition": "outside",
         "marker": {"color": ["#6fa8dc", "#f1c232", "#cc4125", "#e06666"]}, "showlegend": False,
         "hoverinfo": "skip", "cliponaxis": False, "xaxis": "x2", "yaxis": "y2"},
        # The accuracy line is a text trace in a small axis of its own above the bars, so frames can move it.
        {**first[5], "x": [0.5], "y": [0.5], "mode": "text", "showlegend": False, "hoverinfo": "skip",
         "textfont": {"size": 14}, "xaxis": "x4", "yaxis": "y4"},
    ]
    x_title, y_title = (plotly_literal(title) for title in grid.axis_titles)  # feature names may be user text
    curves = (data.train_loss, data.val_loss)
    loss_scale = log_axis(*curves) if wants_log_axis(*curves) else {}
    last = max(1, int(data.steps[-1]))  # a little room on the right so a stop line at the end stays visible
    title_font = {"size": 13}
    bottom, top = counts_domain
    shapes, notes = [], []
    for x, label, color, position in [(best_iteration, "best", "#2e7d32", "bottom right"),
                                      (stopped_at, "early stop", HIGHLIGHT_COLOR, "bottom left")]:
        if x is not None:
            line, note = _marker_line(x, label, color, position)
            shapes.append(line)
            notes.append(note)
    subplot_titles = [(f"Decision boundary · colour = P({positive})", boundary_domain[1]),
                      (f"Loss: <span style='color:{TRAIN_COLOR}'>training</span>, "
                       f"<span style='color:{VALIDATION_COLOR}'>validation</span>", loss_domain[1])]
    layout = {
        "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "range": [grid.xs[0], grid.xs[-1]],
                  "title": {"text": x_title, "standoff": 4, "font": title_font}},
        "yaxis": {"anchor": "x", "domain": boundary_domain, "range": [grid.ys[0], grid.ys[-1]],
                  "title": {"text": y_title.replace(" (", "<br>("), "font": title_font}},
        # no title on the counts' axis: it would touch the loss panel's
        "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0], "range": [0, 1.08 * m_test], "title": {"font": title_font}},
        "yaxis2": {"anchor": "x2", "domain": [bottom, top - 0.04], "autorange": "reversed",
                   "title": {"font": title_font}},
        "xaxis3": {"anchor": "y3", "domain": [0.0, 1.0], "range": [0, 1.03 * last],
                   "title": {"text": "iteration", "standoff": 4, "font": title_font}},
        "yaxis3": {"anchor": "x3", "domain": loss_domain, **loss_scale,
                   "title": {"text": "cross-entropy", "font": title_font}},
        "xaxis4": {"domain": [0.0, 1.0], "anchor": "y4", "visible": False, "range": [0, 1],
                   "title": {"font": title_font}},
        "yaxis4": {"domain": [top - 0.035, top + 0.01], "anchor": "x4", "visible": False, "range": [0, 1],
                   "title": {"font": title_font}},
        # the subplot titles must fit a phone's width
        "annotations": [{"text": text, "font": {"size": 14}, "showarrow": False, "x": 0.5, "xanchor": "center",
                         "xref": "paper", "y": y, "yanchor": "bottom", "yref": "paper"}
                        for text, y in subplot_titles] + notes,
        "shapes": shapes,
        "updatemenus": [
            {"type": "buttons", "direction": "left", "showactive": False, "x": 0, "xanchor": "left", "y": PLAYER_Y,
             "yanchor": "top", "pad": {"r": 4, "t": 0},
             "buttons": [{"label": "▶ Play", "method": "animate", "args": _play_args(BASE_FRAME_MS)},
                         {"label": "❚❚ Pause", "method": "animate",
                          "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                                            "transition": {"duration": 0}}]}]},
            {"type": "buttons", "direction": "left", "showactive": True, "active": 1, "x": 0, "xanchor": "left",
             "y": PLAYER_Y - ROW, "yanchor": "top", "pad": {"t": 0},
             "buttons": [{"label": label, "method": "animate", "args": _play_args(BASE_FRAME_MS * factor)}
                         for label, factor in SPEEDS.items()]},
        ],
        # Tick labels under every frame crowd the slider on a phone: hidden; the current iteration is shown above it.
        "sliders": [{"active": 0, "x": 0, "len": 1, "y": PLAYER_Y - 2 * ROW, "yanchor": "top",
                     "pad": {"t": 24, "b": 0}, "font": {"color": "rgba(0,0,0,0)", "size": 8}, "ticklen": 3,
                     "minorticklen": 0, "currentvalue": {"prefix": "iteration ", "font": {"size": 13, "color": "#333"}},
                     "transition": {"duration": 0},
                     "steps": [{"method": "animate", "label": str(int(step)),
                                "args": [[str(int(step))], {"mode": "immediate",
                                                            "frame": {"duration": 0, "redraw": True},
                                                            "transition": {"duration": 0}}]}
                               for step in data.steps]}],
        "showlegend": False,  # the loss subplot's title names the two curves in their colours
    }
    frames = [{"name": str(int(step)), "data": _moving(data, k), "traces": list(MOVING_TRACES)}
              for k, step in enumerate(data.steps)]
    fig = go.Figure(data=traces, layout=layout, frames=frames)
    apply_house_style(fig, title="Replay of the run", height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 150})
    return fig


def replay_text(data: ReplayData, *, best_iteration: int | None = None, stopped_at: int | None = None,
                class_names: tuple[str, str] = ("benign", "malignant")) -> str:
    """The replay in words, for screen readers and for anyone who cannot watch it."""
    steps, val = data.steps, data.val_loss
    low = int(np.nanargmin(val))
    parts = [f"Replay of {len(steps)} moments from iteration {int(steps[0])} to {int(steps[-1])}.",
             f"Training loss goes from {format_number(data.train_loss[0])} to {format_number(data.train_loss[-1])}; "
             f"validation loss from {format_number(val[0])} to {format_number(val[-1])}, lowest "
             f"({format_number(val[low])}) among the replayed moments at iteration {int(steps[low])}."]
    if best_iteration is not None:
        parts.append(f"The best validation iteration, whose weights were kept, is {best_iteration} "
                     "(the last frames show the run as it went on, not the kept weights).")
    if stopped_at is not None:
        parts.append(f"Early stopping ended the run at iteration {stopped_at}.")
    tn, fp, fn, tp = (int(c) for c in data.confusion[-1].ravel())
    parts.append(f"Test accuracy goes from {data.accuracy[0]:.3f} to {data.accuracy[-1]:.3f}; at the end "
                 f"{tp} {class_names[1]} and {tn} {class_names[0]} rows are classified correctly, {fn} "
                 f"{class_names[1]} are missed and {fp} {class_names[0]} raise a false alarm.")
    share = float(np.mean(data.proba_percent[-1] > 50))
    where = "the plane of the first two principal components" if data.grid.kind == "pca" else "the two features' plane"
    parts.append(f"At the end the network calls {share:.0%} of {where} {class_names[1]}.")
    return " ".join(parts)
