"""Training curves: loss for training and validation, the batch-mode overlay, and gradient flow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.style import (
    HIGHLIGHT_COLOR,
    SERIES_COLORS,
    TRAIN_COLOR,
    VALIDATION_COLOR,
    apply_house_style,
    fixed_axis_margins,
    log_axis,
    wants_log_axis,
)

BEST_COLOR = "#2e7d32"
LOSS_CHART_HEIGHT, LOSS_CHART_BOTTOM = 370, 84  # px: the legend in the bottom margin (_legend_under_the_axis)
BATCH_MODE_COLORS = {"Full batch": SERIES_COLORS[0], "Mini-batch": SERIES_COLORS[1], "SGD": SERIES_COLORS[2]}



def loss_curves_figure(steps: Sequence[int], train_loss: Sequence[float], val_loss: Sequence[float] = (),
                       *, total_iterations: int | None = None, stopped_at: int | None = None,
                       stop_reason: str = "", best_iteration: int | None = None,
                       val_name: str = "validation") -> go.Figure:
    """Mean cross-entropy on the whole training and validation sets against the update count.

    ``val_name`` names the validation curve in the legend: which rows it is (held-out training rows, test rows).
    ``stopped_at`` marks where a run ended early (exploding loss, Stop button, early stopping) with a red
    line; ``best_iteration`` (lowest validation loss: the weights early stopping keeps) with a green one.
    """
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(steps), y=list(train_loss), mode="lines", name="training",
                             line={"color": TRAIN_COLOR, "width": 2}))
    if len(val_loss):
        fig.add_trace(go.Scatter(x=list(steps), y=list(val_loss), mode="lines", name=val_name,
                                 line={"color": VALIDATION_COLOR, "width": 2}))
    if stopped_at is not None:
        fig.add_vline(x=stopped_at, line={"color": HIGHLIGHT_COLOR, "dash": "dash"})
        if len(train_loss):
            fig.add_trace(go.Scatter(x=[steps[-1]], y=[train_loss[-1]], mode="markers+text", name="stopped",
                                     marker={"color": HIGHLIGHT_COLOR, "size": 12, "symbol": "x"},
                                     text=[stop_reason or "stopped"], textposition="middle left",
                                     textfont={"color": HIGHLIGHT_COLOR}))
    # While training (and when it completed) the axis spans the whole run; a run stopped early zooms on it.
    x_end = total_iterations if stopped_at is None else max(10, 1.1 * stopped_at)
    if best_iteration is not None:  # its label on the side of the line with room (right of the end: cut)
        late = bool(x_end) and best_iteration > 0.6 * x_end
        fig.add_vline(x=best_iteration, line={"color": BEST_COLOR, "dash": "dot"},
                      annotation={"text": f"best validation ({best_iteration})", "font": {"color": BEST_COLOR}},
                      annotation_position="top left" if late else "top right")
    fig.update_xaxes(title="iteration (parameter updates)", range=[0, x_end] if x_end else None)
    fig.update_yaxes(title="loss (cross-entropy)",
                     **(log_axis(train_loss, val_loss) if wants_log_axis(train_loss, val_loss) else {}))
    # the legend under the x-axis title: the validation curve's name says which rows it is, too long to sit
    # beside the title on a phone
    fig.update_layout(legend=_legend_under_the_axis())
    return fixed_axis_margins(apply_house_style(fig, title="Loss while training", height=LOSS_CHART_HEIGHT),
                              bottom=LOSS_CHART_BOTTOM)


@dataclass(frozen=True)
class ComparedRun:
    """One run on a comparison chart: its loss on the rows every run shares (``shared_loss``, after every update:
    index = updates made) and on its own training rows (recorded at ``train_steps``), and the update whose
    weights it kept (a dot), if not its last."""

    label: str
    color: str
    shared_loss: Sequence[float]
    train_steps: Sequence[int]
    train_loss: Sequence[float]
    train_rows: int
    kept: int | None = None


def _legend_under_the_axis() -> dict:
    """The legend at the figure's bottom edge, in the bottom margin under the axis title: a chart given another
    height (a lesson's slide fills its room) keeps it there (placed as a fraction of the plot's height, it sat on
    the axis title when the plot was shorter)."""
    return {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"}


def compared_runs_figure(runs: Sequence[ComparedRun], *, shared_rows: str, title: str) -> go.Figure:
    """Several runs on one chart, one pair of axes: solid, the loss on the rows they share (``shared_rows``,
    e.g. "114 test rows"); dotted, each one's loss on its own training rows. Comparing two charts with other
    axes (log and linear, 0–300 and 0–66) and legends that both say "validation" compares unlike things."""
    fig = go.Figure()
    for run in runs:
        fig.add_trace(go.Scatter(x=list(range(len(run.shared_loss))), y=list(run.shared_loss), mode="lines",
                                 name=f"{run.label}: {shared_rows}", line={"color": run.color, "width": 2.5}))
        fig.add_trace(go.Scatter(x=list(run.train_steps), y=list(run.train_loss), mode="lines",
                                 name=f"{run.label}: its {run.train_rows} training rows",
                                 line={"color": run.color, "width": 1.5, "dash": "dot"}))
        if run.kept is not None:
            fig.add_trace(go.Scatter(x=[run.kept], y=[run.shared_loss[run.kept]], mode="markers",
                                     name=f"{run.label}: weights kept (update {run.kept})",
                                     marker={"color": run.color, "size": 11, "line": {"color": "white", "width": 1}}))
    series = [run.shared_loss for run in runs] + [run.train_loss for run in runs]
    fig.update_xaxes(title="iteration (parameter updates)",
                     range=[0, max(len(run.shared_loss) - 1 for run in runs)])
    fig.update_yaxes(title="loss (cross-entropy)", **(log_axis(*series) if wants_log_axis(*series) else {}))
    legend_rows = 2 * len(runs) + sum(run.kept is not None for run in runs)
    fig.update_layout(legend=_legend_under_the_axis())
    return fixed_axis_margins(apply_house_style(fig, title=title, height=LOSS_CHART_HEIGHT + 22 * legend_rows),
                              bottom=LOSS_CHART_BOTTOM + 22 * legend_rows)


def batch_mode_figure(runs: Mapping[str, Sequence[float]]) -> go.Figure:
    """Loss recorded at every update for full batch, mini-batch and SGD on one axis: SGD's noise shows."""
    fig = go.Figure()
    for index, (label, losses) in enumerate(runs.items()):
        color = BATCH_MODE_COLORS.get(label, SERIES_COLORS[index % len(SERIES_COLORS)])
        fig.add_trace(go.Scatter(x=np.arange(1, len(losses) + 1), y=np.asarray(losses, dtype=float), mode="lines",
                                 name=label, line={"color": color, "width": 1.2 if label == "SGD" else 2},
                                 opacity=0.7 if label == "SGD" else 1.0))
    fig.update_xaxes(title="iteration (parameter updates)")
    fig.update_yaxes(title="loss on the batch used for the update", rangemode="tozero")
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"})
    return apply_house_style(fig, title="Batch vs mini-batch vs SGD, same number of updates", height=340)


def gradient_flow_figure(steps: Sequence[int], grad_norms: Mapping[str, Sequence[float]],
                         dead_fraction: Sequence[float]) -> go.Figure:
    """Size of each layer's gradient (log scale, left) and the share of dead ReLU units (right).

    One dict, validated once by ``go.Figure``: make_subplots(secondary_y) and update_yaxes validate property by
    property and cost ~25 ms on every retraining; this is the layout they produced.
    """
    steps = list(steps)
    traces = [{"type": "scatter", "x": steps, "y": list(values), "mode": "lines", "name": f"gradient of {name}",
               "line": {"color": SERIES_COLORS[index % len(SERIES_COLORS)], "width": 2}, "xaxis": "x", "yaxis": "y"}
              for index, (name, values) in enumerate(grad_norms.items())]
    traces.append({"type": "scatter", "x": steps, "y": list(dead_fraction), "mode": "lines", "name": "dead ReLU units",
                   "line": {"color": "#555555", "dash": "dot", "width": 2}, "xaxis": "x", "yaxis": "y2"})
    layout = {
        "xaxis": {"anchor": "y", "domain": [0.0, 0.94], "title": {"text": "iteration (parameter updates)"}},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0], "title": {"text": "gradient size (norm)"},
                  **log_axis(*grad_norms.values())},
        # the share axis a little beyond 0–100 %: its "0%" clears the iteration axis's last label on a phone
        "yaxis2": {"anchor": "x", "overlaying": "y", "side": "right", "title": {"text": "share of dead units"},
                   "range": [-0.05, 1.05], "tickmode": "array", "tickvals": [0, 0.25, 0.5, 0.75, 1],
                   "tickformat": ".0%", "showgrid": False},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    }
    return fixed_axis_margins(apply_house_style(go.Figure(data=traces, layout=layout), title="Gradient flow",
                                                height=340), right=62)
