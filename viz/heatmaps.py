"""Annotated heatmaps of the network's matrices, laid out as an equation: inputs, operators, result.

Every cell prints its value (``format_number``), every panel has its own diverging scale centred on 0
(``symmetric_limit``), rows and columns are labelled (samples, hidden units, features), and the matrix
being computed is framed in the highlight colour. Cells have a fixed pixel size so numbers stay readable;
an equation too wide for ``max_width`` wraps onto the next line instead of shrinking the cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from viz.style import HIGHLIGHT_COLOR, SELECTION_COLOR, SIGNED_COLORSCALE, TEMPLATE, format_number, symmetric_limit

LINE_BREAK = "\n"
CELL_HEIGHT = 30
CELL_FONT_SIZE = 12
LABEL_FONT_SIZE = 12  # tick labels and axis titles: 12 CSS px or more on a projector at 150 % (issue 28)
CHAR_WIDTH = 6.5  # px per character of a 12 px number, generous so nothing is cut off
MIN_CELL_WIDTH = 34
TITLE_CHAR_WIDTH = 8.4  # px per character of a bold 14 px panel title
TITLE_HEIGHT = 28  # the panel's name above it
X_AXIS_HEIGHT = 46  # tick labels + axis title below a panel
ROW_TITLE_WIDTH = 20  # the rotated row title ("hidden units") left of the tick labels
OPERATOR_PAD = 10
# Invisible 6 px ticks keep the labels clear of a stage's highlight frame, whoever draws the chart.
LABEL_GAP = {"ticks": "outside", "ticklen": 6, "tickcolor": "rgba(0,0,0,0)"}
LINE_GAP = 18
MARGIN = 8


@dataclass(frozen=True)
class Geometry:
    """How large an equation's pieces are drawn, in px. ``REGULAR`` labels both axes of every panel; ``COMPACT``
    (a lesson's slide on a projector, where the height is short) keeps the numbers, the tick labels and the
    panel names at the same font sizes but drops the axis titles and tightens the cells and gaps: "W1·X + b1 = Z1"
    fits one line of an 853 px wide screen."""

    cell_height: float = CELL_HEIGHT
    title_height: float = TITLE_HEIGHT
    x_axis_height: float = X_AXIS_HEIGHT  # under a panel: tick labels (and the axis title when drawn)
    axis_titles: bool = True  # "samples", "hidden units" under / beside a panel
    char_width: float = CHAR_WIDTH
    cell_pad: float = 10
    min_cell_width: float = MIN_CELL_WIDTH
    line_gap: float = LINE_GAP
    operator_font: int = 18
    operator_pad: float = OPERATOR_PAD


REGULAR = Geometry()
COMPACT = Geometry(cell_height=24, title_height=22, x_axis_height=24, axis_titles=False, char_width=5.6, cell_pad=4,
                   min_cell_width=28, line_gap=10, operator_font=18, operator_pad=5)


@dataclass(frozen=True)
class MatrixPanel:
    """One matrix to draw: its values, tick labels, axis titles, and whether it is the one being computed."""

    name: str
    values: np.ndarray
    row_labels: Sequence[str]
    col_labels: Sequence[str]
    row_title: str = ""
    col_title: str = ""
    highlight: bool = False
    hover_rows: Sequence[str] | None = field(default=None)
    color_limit: float | None = None  # e.g. a difference drawn on the scale of the gradient it is off from
    badge: str = "computed"  # shown after the name of a highlighted panel
    selected: tuple[int, int] | None = None  # a cell the learner picked: framed in SELECTION_COLOR

    @property
    def matrix(self) -> np.ndarray:
        return np.atleast_2d(np.asarray(self.values, dtype=float))

    def cell_text(self) -> list[list[str]]:
        return [[format_number(float(v)) for v in row] for row in self.matrix]

    def cell_width(self, geometry: Geometry = REGULAR) -> float:
        longest = max((len(t) for row in self.cell_text() for t in row), default=1)
        longest = max(longest, *(len(str(label)) for label in self.col_labels))
        return max(geometry.min_cell_width, geometry.char_width * longest + geometry.cell_pad)

    def axis_width(self, geometry: Geometry = REGULAR) -> float:
        """Room left of the cells for the row tick labels and the row title."""
        longest = max((len(str(label)) for label in self.row_labels), default=1)
        row_title = ROW_TITLE_WIDTH if self.row_title and geometry.axis_titles else 0
        return 10 + geometry.char_width * max(longest, 2) + row_title

    def pixel_size(self, geometry: Geometry = REGULAR) -> tuple[float, float]:
        rows, cols = self.matrix.shape
        title_width = TITLE_CHAR_WIDTH * len(self.title) + 6  # the bold title starts above the first column
        width = self.axis_width(geometry) + max(cols * self.cell_width(geometry), title_width)
        return width, geometry.title_height + rows * geometry.cell_height + geometry.x_axis_height

    @property
    def title(self) -> str:
        return f"{self.name}  ← {self.badge}" if self.highlight and self.badge else self.name


def _operator_width(text: str, geometry: Geometry = REGULAR) -> float:
    visible = re.sub(r"<[^>]+>", "", text)  # operators may use <sup>T</sup>
    return geometry.char_width * 1.3 * len(visible) + 2 * geometry.operator_pad


def _lines(items: Sequence[MatrixPanel | str], max_width: float,
           geometry: Geometry = REGULAR) -> list[list[MatrixPanel | str]]:
    """Greedy wrapping: items go left to right; a panel that would overflow starts a new line."""
    lines: list[list[MatrixPanel | str]] = [[]]
    width = 0.0
    for item in items:
        if isinstance(item, str) and item == LINE_BREAK:
            lines.append([])
            width = 0.0
            continue
        item_width = (item.pixel_size(geometry)[0] if isinstance(item, MatrixPanel)
                      else _operator_width(item, geometry))
        has_panel = any(isinstance(previous, MatrixPanel) for previous in lines[-1])
        if isinstance(item, MatrixPanel) and has_panel and width + item_width > max_width:
            # the operator in front of the panel moves with it: "= Z1" reads better than a dangling "="
            carried = [lines[-1].pop()] if isinstance(lines[-1][-1], str) and len(lines[-1]) > 1 else []
            lines.append(carried)
            width = sum(_operator_width(op, geometry) for op in carried)
        lines[-1].append(item)
        width += item_width
    return [line for line in lines if line]


def _heatmap_trace(panel: MatrixPanel, axis_suffix: str) -> go.Heatmap:
    matrix = panel.matrix
    limit = panel.color_limit if panel.color_limit is not None and panel.color_limit > 0 else symmetric_limit(matrix)
    rows = [str(label) for label in panel.row_labels]
    cols = [str(label) for label in panel.col_labels]
    hover_rows = list(panel.hover_rows) if panel.hover_rows is not None else rows
    customdata = [[hover_rows[i]] * matrix.shape[1] for i in range(matrix.shape[0])]
    return go.Heatmap(
        z=matrix, x=cols, y=rows, text=panel.cell_text(), texttemplate="%{text}",
        textfont={"size": CELL_FONT_SIZE}, customdata=customdata,
        hovertemplate=f"{panel.name}[%{{customdata}}, %{{x}}] = %{{z:.6g}}<extra></extra>",
        colorscale=SIGNED_COLORSCALE, zmin=-limit, zmax=limit, zmid=0.0, showscale=False,
        xgap=1, ygap=1, name=panel.name, xaxis=f"x{axis_suffix}", yaxis=f"y{axis_suffix}",
    )


def equation_figure(items: Sequence[MatrixPanel | str], *, max_width: float = 1000,
                    title: str | None = None, selectable: bool = False, geometry: Geometry = REGULAR) -> go.Figure:
    """Matrices and operator symbols left to right (``LINE_BREAK`` starts a new line), one figure.

    Each heatmap trace is named after its matrix, so a test can read the drawn values back by name.
    ``selectable`` lays an invisible marker on every cell: Plotly heatmaps emit no selection, so without
    it a click on a cell never reaches Streamlit's ``on_select`` (see ``cell_for_heatmap_point``). ``geometry``:
    ``REGULAR`` or ``COMPACT`` (see ``Geometry``).
    """
    g = geometry
    lines = _lines(items, max_width, g)
    title_height = 34 if title else 0
    # Per line: vertical centre of the matrices (so "W1 · X + b1 = Z1" lines up), and its height.
    layouts = []
    for line in lines:
        panels = [item for item in line if isinstance(item, MatrixPanel)]
        centre = max((g.title_height + p.matrix.shape[0] * g.cell_height / 2 for p in panels), default=g.title_height)
        height = max((centre - g.title_height - p.matrix.shape[0] * g.cell_height / 2 + p.pixel_size(g)[1]
                      for p in panels), default=g.title_height + g.x_axis_height)
        width = sum(p.pixel_size(g)[0] if isinstance(p, MatrixPanel) else _operator_width(p, g) for p in line)
        layouts.append((centre, height, width))
    fig_width = int(np.ceil(max(width for _, _, width in layouts) + 2 * MARGIN))
    fig_height = int(np.ceil(title_height + sum(h for _, h, _ in layouts) + g.line_gap * (len(lines) - 1)
                             + 2 * MARGIN))

    def px_x(x: float) -> float:
        return x / fig_width

    def px_y(y: float) -> float:  # pixels from the top -> paper coordinates from the bottom
        return 1.0 - y / fig_height

    traces, annotations, shapes, axes = [], [], [], {}
    top = MARGIN + title_height
    panel_number = 0
    for line, (centre, height, _) in zip(lines, layouts, strict=True):
        left = MARGIN
        for item in line:
            if isinstance(item, str):
                width = _operator_width(item, g)
                annotations.append({"text": item, "x": px_x(left + width / 2), "y": px_y(top + centre),
                                    "xref": "paper", "yref": "paper", "showarrow": False,
                                    "font": {"size": g.operator_font}, "xanchor": "center", "yanchor": "middle"})
                left += width
                continue
            panel_number += 1
            suffix = "" if panel_number == 1 else str(panel_number)
            rows, cols = item.matrix.shape
            width, _ = item.pixel_size(g)
            cell_width = item.cell_width(g)
            grid_left = left + item.axis_width(g)
            grid_top = top + centre - rows * g.cell_height / 2
            grid_right = grid_left + cols * cell_width
            grid_bottom = grid_top + rows * g.cell_height
            traces.append(_heatmap_trace(item, suffix))
            if selectable:
                traces.append(_cell_targets(item, suffix))
            if item.selected is not None and 0 <= item.selected[0] < rows and 0 <= item.selected[1] < cols:
                r, c = item.selected
                shapes.append({"type": "rect", "xref": "paper", "yref": "paper",
                               "x0": px_x(grid_left + c * cell_width), "x1": px_x(grid_left + (c + 1) * cell_width),
                               "y0": px_y(grid_top + (r + 1) * g.cell_height), "y1": px_y(grid_top + r * g.cell_height),
                               "line": {"color": SELECTION_COLOR, "width": 3}})
            axes[f"xaxis{suffix}"] = {
                "domain": [px_x(grid_left), px_x(grid_right)], "anchor": f"y{suffix}", "side": "bottom",
                "tickfont": {"size": LABEL_FONT_SIZE}, "showticklabels": bool(item.col_title), **LABEL_GAP,
                "showgrid": False, "zeroline": False, "fixedrange": True, "type": "category",
            }
            axes[f"yaxis{suffix}"] = {
                "domain": [px_y(grid_bottom), px_y(grid_top)], "anchor": f"x{suffix}", "autorange": "reversed",
                "tickfont": {"size": LABEL_FONT_SIZE}, "showgrid": False, "zeroline": False, "fixedrange": True,
                "type": "category", **LABEL_GAP,
            }
            color = HIGHLIGHT_COLOR if item.highlight else "#222"
            # axis titles as annotations at fixed offsets: plotly's own placement can collide with the ticks
            if item.col_title and g.axis_titles:
                annotations.append({"text": item.col_title, "x": px_x((grid_left + grid_right) / 2),
                                    "y": px_y(grid_bottom + 22), "xref": "paper", "yref": "paper",
                                    "showarrow": False, "xanchor": "center", "yanchor": "top",
                                    "font": {"size": LABEL_FONT_SIZE, "color": "#666"}})
            if item.row_title and g.axis_titles:
                annotations.append({"text": item.row_title, "x": px_x(grid_left - item.axis_width(g) + ROW_TITLE_WIDTH),
                                    "y": px_y(grid_top + rows * g.cell_height / 2),
                                    "xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "right",
                                    "yanchor": "middle", "textangle": -90,
                                    "font": {"size": LABEL_FONT_SIZE, "color": "#666"}})
            annotations.append({"text": f"<b>{item.title}</b>", "x": px_x(grid_left), "y": px_y(grid_top - 4),
                                "xref": "paper", "yref": "paper", "showarrow": False, "xanchor": "left",
                                "yanchor": "bottom", "font": {"size": 14, "color": color}})
            if item.highlight:
                shapes.append({"type": "rect", "xref": "paper", "yref": "paper",
                               "x0": px_x(grid_left - 3), "x1": px_x(grid_right + 3),
                               "y0": px_y(grid_bottom + 3), "y1": px_y(grid_top - 3),
                               "line": {"color": HIGHLIGHT_COLOR, "width": 3}})
            left += width
        top += height + g.line_gap
    layout = {"template": TEMPLATE, "width": fig_width, "height": fig_height, "autosize": False,
              "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False, "annotations": annotations,
              "shapes": shapes, "font": {"size": 12}, **axes}
    if title:
        layout["title"] = {"text": title, "x": px_x(MARGIN), "xanchor": "left", "y": px_y(MARGIN), "yanchor": "top",
                           "font": {"size": 15}}
    # One go.Figure call: update_layout walks nested dicts property by property (~4× slower for 12 panels).
    return go.Figure(data=traces, layout=layout)


def _cell_targets(panel: MatrixPanel, axis_suffix: str) -> go.Scatter:
    """One transparent, clickable marker per cell, customdata ["cell", name, row, col]."""
    rows, cols = panel.matrix.shape
    row_labels, col_labels = [str(v) for v in panel.row_labels], [str(v) for v in panel.col_labels]
    hover_rows = [str(v) for v in panel.hover_rows] if panel.hover_rows is not None else row_labels
    r, c = np.divmod(np.arange(rows * cols), cols)
    # hoverinfo "text", not "skip": a skipped trace also gets no clicks. It wins the hover over the heatmap
    # underneath, so it carries the same label.
    return go.Scatter(
        x=[col_labels[j] for j in c], y=[row_labels[i] for i in r], mode="markers", name=f"{panel.name} cells",
        customdata=[["cell", panel.name, int(i), int(j)] for i, j in zip(r, c, strict=True)],
        hovertext=[f"{panel.name}[{hover_rows[i]}, {col_labels[j]}] = {panel.matrix[i, j]:.6g}"
                   for i, j in zip(r, c, strict=True)],
        marker={"size": min(CELL_HEIGHT, panel.cell_width()) - 4, "color": "rgba(0,0,0,0)", "symbol": "square"},
        hoverinfo="text", showlegend=False, xaxis=f"x{axis_suffix}", yaxis=f"y{axis_suffix}",
    )


def cell_for_heatmap_point(point: dict) -> tuple[str, tuple[int, int]] | None:
    """(panel name, (row, col)) of a clicked cell marker from ``equation_figure(..., selectable=True)``."""
    data = point.get("customdata")
    if data is None or len(data) < 4 or data[0] != "cell":
        return None
    return str(data[1]), (int(data[2]), int(data[3]))


def describe_equation(items: Sequence[MatrixPanel | str]) -> str:
    """The text alternative of an equation figure: which matrices, their shapes, their ranges, which is new."""
    parts = []
    for panel in (item for item in items if isinstance(item, MatrixPanel)):
        rows, cols = panel.matrix.shape
        finite = panel.matrix[np.isfinite(panel.matrix)]
        span = (f"from {format_number(float(finite.min()))} to {format_number(float(finite.max()))}"
                if finite.size else "no finite values")
        role = f", {panel.badge} here" if panel.highlight and panel.badge else ""
        parts.append(f"{panel.name}: {rows} × {cols}{role}, values {span}")
    return ("Heatmaps, one cell per number, red positive and blue negative. " + "; ".join(parts) + ".") if parts \
        else "An empty equation."
