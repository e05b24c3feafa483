"""The loss across the learner's repeated forward → backward → update iterations on the small example."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.style import TRAIN_COLOR, apply_house_style


def loss_history_figure(losses: Sequence[float], *, height: int = 260) -> go.Figure:
    """Loss before each update (iteration 0 = the initial weights); markers so a single step is visible."""
    values = np.asarray(losses, dtype=float)
    fig = go.Figure(go.Scatter(x=np.arange(values.size), y=values, mode="lines+markers", name="loss",
                               line={"color": TRAIN_COLOR},
                               hovertemplate="iteration %{x}: loss %{y:.6g}<extra></extra>"))
    # a few iterations of room from the start, so the first point is not squeezed against the edge
    fig.update_xaxes(title="iteration (forward → backward → update)", range=[-0.3, max(values.size - 1, 5) + 0.3])
    fig.update_yaxes(title="loss (mean cross-entropy)", rangemode="tozero")
    return apply_house_style(fig, height=height)
