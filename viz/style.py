"""The one house style for every figure: colour scales, colours, number format, layout defaults."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# The parts of Plotly's "plotly_white" template these charts use: white paper, light grid, no ticks. Named in
# full instead of by "plotly_white", whose 7 KB (colour scales and defaults for trace types never drawn here)
# were validated on the server (~9 ms a figure) and sent with every chart on every rerun.
_AXIS = {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "ticks": "", "zerolinecolor": "#EBF0F8", "zerolinewidth": 2,
         "automargin": True, "title": {"standoff": 15}}
_SCENE_AXIS = {"backgroundcolor": "white", "gridcolor": "#DFE8F3", "linecolor": "#EBF0F8", "showbackground": True,
               "ticks": "", "zerolinecolor": "#EBF0F8", "gridwidth": 2}
_TEMPLATE_SPEC = {"layout": {"font": {"color": "#2a3f5f"}, "hovermode": "closest", "hoverlabel": {"align": "left"},
                       "paper_bgcolor": "white", "plot_bgcolor": "white", "xaxis": _AXIS, "yaxis": _AXIS,
                       "scene": {"xaxis": _SCENE_AXIS, "yaxis": _SCENE_AXIS, "zaxis": _SCENE_AXIS},
                       "coloraxis": {"colorbar": {"outlinewidth": 0, "ticks": ""}},
                       "annotationdefaults": {"arrowcolor": "#2a3f5f", "arrowhead": 0, "arrowwidth": 1},
                       "shapedefaults": {"line": {"color": "#2a3f5f"}}, "title": {"x": 0.05}},
            "data": {kind: [{"colorbar": {"outlinewidth": 0, "ticks": ""}}]
                     for kind in ("heatmap", "surface", "contour")}}
# Built (and validated) once: a figure takes a copy of a Template object in ~2 ms, but walks a nested dict
# property by property in ~55 ms.
TEMPLATE = go.layout.Template(_TEMPLATE_SPEC)
# Signed matrices (weights, gradients) use one diverging scale centred on 0 everywhere in the app.
SIGNED_COLORSCALE = "RdBu_r"
# Loss surfaces: low = dark, high = bright.
SURFACE_COLORSCALE = "Viridis"
TRAIN_COLOR = "#1f77b4"
VALIDATION_COLOR = "#ff7f0e"
HIGHLIGHT_COLOR = "#d6336c"
OPTIMIZER_COLORS = {"gd": "#d62728", "momentum": "#2ca02c", "rmsprop": "#9467bd", "adam": "#ff7f0e"}
SERIES_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def format_number(value: float, digits: int = 3) -> str:
    """Numbers as a learner reads them: 3 significant digits, scientific only when tiny or huge."""
    if not np.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e4 or magnitude < 1e-3:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


def symmetric_limit(*arrays: np.ndarray) -> float:
    """max |value| over the arrays, so a signed colour scale is centred on 0 (never 0 itself)."""
    finite = [np.abs(a[np.isfinite(a)]).max() for a in arrays if np.size(a) and np.isfinite(a).any()]
    limit = max(finite, default=0.0)
    return float(limit) if limit > 0 else 1.0


def apply_house_style(fig: go.Figure, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """Template, margins and font shared by every chart; returns the same figure for chaining."""
    fig.update_layout(template=TEMPLATE, margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
                      font={"size": 13}, title={"text": title} if title else None, height=height)
    return fig


def wants_log_axis(*series) -> bool:
    """A log axis when the loss spans more than two decades (an explosion would flatten everything else)."""
    values = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series] or [np.ones(1)])
    values = values[np.isfinite(values) & (values > 0)]
    return values.size > 0 and values.max() / values.min() > 100


def log_axis(*series) -> dict:
    """A log axis whose labels are whole numbers a learner reads as they are ("5" between 1 and 10 reads as a
    loss of 5): every power of ten when the values span two or more; otherwise 1, 2 and 5 times a power of ten,
    written in full; a range too narrow for two of those keeps Plotly's own ticks, which it writes in full."""
    values = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series] or [np.ones(1)])
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return {"type": "log"}
    low, high = float(values.min()), float(values.max())
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    if sum(low <= 10.0 ** k <= high for k in decades) >= 2:
        # a power's exponent is drawn at 7/8 of the tick font: 14 px keeps it at 12 (13 drew it at 11.4)
        return {"type": "log", "dtick": 1, "exponentformat": "power", "showexponent": "all", "tickfont": {"size": 14}}
    ticks = sorted(float(f"{m * 10.0 ** k:.12g}") for k in decades for m in (1, 2, 5) if low <= m * 10.0 ** k <= high)
    if len(ticks) >= 2:
        return {"type": "log", "tickvals": ticks, "ticktext": [format_number(t) for t in ticks]}
    return {"type": "log"}


def fixed_axis_margins(fig: go.Figure, *, left: int = 66, right: int = 16, bottom: int = 54) -> go.Figure:
    """Margins set by hand instead of Plotly's axis automargin, which measures the tick labels and then lays
    the chart out again: half of a line chart's drawing time in the browser, on every rerun. Only for charts
    whose tick labels and axis titles are numbers and fixed words (user text could be longer than the margin)."""
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 20
    fig.update_layout(margin={"l": left, "r": right, "t": top, "b": bottom})
    return fig


# A cell or edge the learner picked (distinct from HIGHLIGHT_COLOR, which frames what a stage computes).
SELECTION_COLOR = "#f59f00"
