"""Judging a classifier: the confusion matrix (what kind of mistakes) and the ROC curve (every threshold)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.style import HIGHLIGHT_COLOR, TRAIN_COLOR, apply_house_style, fixed_axis_margins
from viz.text import plotly_literal

# Counts are not signed, so a sequential scale (white = none) rather than the signed one.
COUNT_COLORSCALE = "Blues"


def confusion_matrix_figure(matrix: np.ndarray, class_names: Sequence[str] = ("benign", "malignant"),
                            threshold: float | None = None) -> go.Figure:
    """2×2 counts, rows = true class, columns = predicted; each cell says which mistake it is.

    Class names are the user's text (an uploaded label column): escaped so Plotly shows them as typed.
    """
    matrix = np.asarray(matrix, dtype=int)
    negative, positive = (plotly_literal(name) for name in class_names)
    meaning = np.array([["correct", "false alarm"], [f"missed<br>{positive}", "correct"]])  # narrow cells
    text = [[f"<b>{matrix[i, j]}</b><br>{meaning[i, j]}" for j in range(2)] for i in range(2)]
    fig = go.Figure(go.Heatmap(
        z=matrix, x=[f"predicted {negative}", f"predicted {positive}"], y=[f"true {negative}", f"true {positive}"],
        text=text, texttemplate="%{text}", textfont={"size": 14}, colorscale=COUNT_COLORSCALE, showscale=False, zmin=0,
        hovertemplate="%{y}, %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", tickvals=[f"true {negative}", f"true {positive}"],
                     ticktext=[f"true<br>{negative}", f"true<br>{positive}"])
    # the class on its own line: the labels take less width, so the cells keep room in a narrow column
    fig.update_xaxes(tickvals=[f"predicted {negative}", f"predicted {positive}"],
                     ticktext=[f"predicted<br>{negative}", f"predicted<br>{positive}"], tickangle=0)
    title = "Confusion matrix (test set)" + (f", threshold {threshold:.2f}" if threshold is not None else "")
    return apply_house_style(fig, title=title, height=340)


def roc_figure(fpr: np.ndarray, tpr: np.ndarray, auc: float, *, current_fpr: float, current_tpr: float,
               threshold: float) -> go.Figure:
    """The ROC curve with the point the current threshold picks marked on it."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                             line={"color": "#999999", "dash": "dot"}))
    fig.add_trace(go.Scatter(x=np.asarray(fpr), y=np.asarray(tpr), mode="lines", name=f"ROC (AUC {auc:.3f})",
                             line={"color": TRAIN_COLOR, "width": 2, "shape": "hv"}))
    fig.add_trace(go.Scatter(x=[current_fpr], y=[current_tpr], mode="markers+text", name=f"threshold {threshold:.2f}",
                             marker={"color": HIGHLIGHT_COLOR, "size": 13},
                             text=[f"threshold {threshold:.2f}"], textposition="bottom right"))
    fig.update_xaxes(title="false-alarm rate (false positive rate)", range=[-0.02, 1.02])
    fig.update_yaxes(title="detection rate (recall)", range=[-0.02, 1.02])
    fig.update_layout(legend={"y": 0.03, "yanchor": "bottom", "x": 0.98, "xanchor": "right",
                              "bgcolor": "rgba(255,255,255,0.8)"})
    return fixed_axis_margins(apply_house_style(fig, title="ROC curve (test set)", height=340))
