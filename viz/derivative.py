"""The article's derivative warm-up: f(x) = x², the secant from x to x + h against the tangent at x."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.style import HIGHLIGHT_COLOR, TRAIN_COLOR, apply_house_style, format_number


def square(x: np.ndarray | float) -> np.ndarray | float:
    """The article's example function f(x) = x²."""
    return np.square(x)


def secant_slope(x: float, h: float) -> float:
    """The article's numeric derivative (f(x + h) − f(x)) / h; for x² it equals 2x + h exactly."""
    return float((square(x + h) - square(x)) / h)


def tangent_slope(x: float) -> float:
    """f'(x) = 2x, the limit of the secant slope as h → 0."""
    return 2.0 * x


def derivative_figure(x: float, h: float, *, half_width: float = 5.0) -> go.Figure:
    """The parabola, the secant through (x, f(x)) and (x + h, f(x + h)), and the tangent at x."""
    grid = np.linspace(-half_width, half_width, 201)
    secant, tangent = secant_slope(x, h), tangent_slope(x)
    line_x = np.array([-half_width, half_width])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=grid, y=square(grid), mode="lines", name="f(x) = x²",
                             line={"color": "#444", "width": 2}))
    fig.add_trace(go.Scatter(x=line_x, y=square(x) + secant * (line_x - x), mode="lines",
                             name=f"secant, slope (f(x+h) − f(x))/h = {format_number(secant, 5)}",
                             line={"color": HIGHLIGHT_COLOR, "width": 2}))
    fig.add_trace(go.Scatter(x=line_x, y=square(x) + tangent * (line_x - x), mode="lines",
                             name=f"tangent, slope f'(x) = 2x = {format_number(tangent, 5)}",
                             line={"color": TRAIN_COLOR, "width": 2, "dash": "dash"}))
    fig.add_trace(go.Scatter(x=[x, x + h], y=[square(x), square(x + h)], mode="markers+text",
                             text=["x", "x + h"], textposition="top left", name="the two points",
                             marker={"size": 10, "color": HIGHLIGHT_COLOR}, showlegend=False))
    fig.update_xaxes(title="x", range=[-half_width, half_width], zeroline=True)
    fig.update_yaxes(title="f(x)", range=[-2, half_width**2 + 1], zeroline=True)
    fig.update_layout(legend={"orientation": "h", "y": -0.25, "x": 0})
    return apply_house_style(fig, height=380)
