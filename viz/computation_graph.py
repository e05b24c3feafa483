"""The computation graph of the article's forward pass (nn_core.graph), drawn with the numbers.

Forward stages: each node shows its **value** for the chosen sample, the op computed at the stage ringed.
Backward stages: each node shows its **grad** as the dLoss_* matrices hold it (``GRAD_MEANING``: a per-sample node's
is the slope of that sample's own loss, m times its slope in the mean loss); the edges the gradient has crossed are
lit, op by op in the article's order (dLoss_Yh, dLoss_Z2, dLoss_A1, dLoss_W2, dLoss_b2, dLoss_Z1, dLoss_W1,
dLoss_b1), the current step's thickest, with arrows pointing back towards the parameters. Nodes the
gradient has not reached yet say "not yet".

Three layouts of the same graph, for the width there is (``GRAPH_LAYOUTS``): the main line X → … → loss in one
row, in two rows (X … + b1, then ReLU … loss), or top to bottom for a phone; each parameter (and the label Y)
sits right above — or, top to bottom, left of — the op it feeds. Every text is at least 12 px.

What a node can show in its box: a vector of at most 8 numbers, one per line (the sample's column of a
per-sample matrix, or b1 / W2), a single number, or — for W1 and dLoss_W1, up to 8 × 6 entries — its norm and
its largest entry. ``node_reading`` says exactly which numbers are shown, so a test can hold them to nn_core's
matrices. The figure is drawn in pixels (axes = screen px), so boxes never squeeze.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from nn_core.chains import cell_label
from nn_core.graph import GRAPH_EDGES, GRAPH_NODES, NODES_BY_KEY, OPERATION, PARAMETER, node_grad, node_value
from nn_core.network import d_relu
from viz.style import HIGHLIGHT_COLOR, SELECTION_COLOR, TEMPLATE, format_number

# lessons.stages' stage keys, in order (viz does not import lessons; a test keeps the lists equal).
GRAPH_STAGES: tuple[str, ...] = (
    "X", "W1_b1", "Z1", "A1", "W2_b2", "Z2", "Yh", "Loss",
    "dLoss_Yh", "dLoss_Z2", "dLoss_A1", "dLoss_W2", "dLoss_b2", "dLoss_Z1", "dLoss_W1", "dLoss_b1", "update",
)
# Forward stages: the nodes whose value is computed (or given) at the stage.
COMPUTED_AT: dict[str, tuple[str, ...]] = {
    "X": ("X", "Y"), "W1_b1": ("W1", "b1"), "Z1": ("W1·X", "+ b1"), "A1": ("ReLU",), "W2_b2": ("W2", "b2"),
    "Z2": ("W2·A1", "+ b2"), "Yh": ("σ",), "Loss": ("loss",),
}
# Backward stages: the edges (forward direction) the gradient crosses at the stage, and the nodes whose grad
# it reaches. The add gate + b2 hands dLoss_Z2 to W2·A1 at once, so dLoss_A1 crosses two edges; so does dLoss_W1.
FLOW_AT: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "dLoss_Yh": ((("σ", "loss"),), ("loss", "σ")),
    "dLoss_Z2": ((("+ b2", "σ"),), ("+ b2",)),
    "dLoss_A1": ((("W2·A1", "+ b2"), ("ReLU", "W2·A1")), ("W2·A1", "ReLU")),
    "dLoss_W2": ((("W2", "W2·A1"),), ("W2",)),
    "dLoss_b2": ((("b2", "+ b2"),), ("b2",)),
    "dLoss_Z1": ((("+ b1", "ReLU"),), ("+ b1",)),
    "dLoss_W1": ((("W1·X", "+ b1"), ("W1", "W1·X")), ("W1·X", "W1")),
    "dLoss_b1": ((("b1", "+ b1"),), ("b1",)),
}
UPDATED = ("W1", "b1", "W2", "b2")
FORWARD_STAGES = tuple(COMPUTED_AT)
BACKWARD_STAGES = tuple(FLOW_AT)

# The shape each node hands on, in the article's symbols (the figure writes the numbers).
SYMBOLIC_SHAPES: dict[str, str] = {
    "X": "(n_x, m)", "W1": "(n_h, n_x)", "W1·X": "(n_h, m)", "b1": "(n_h, 1)", "+ b1": "(n_h, m)",
    "ReLU": "(n_h, m)", "W2": "(1, n_h)", "W2·A1": "(1, m)", "b2": "(1, 1)", "+ b2": "(1, m)", "σ": "(1, m)",
    "Y": "(1, m)", "loss": "(1, 1)",
}
# The main line, in order, and the node each parameter (or the label Y) feeds: it sits beside that op.
MAIN_LINE = ("X", "W1·X", "+ b1", "ReLU", "W2·A1", "+ b2", "σ", "loss")
FEEDS = {"W1": "W1·X", "b1": "+ b1", "W2": "W2·A1", "b2": "+ b2", "Y": "loss"}
# Layouts: the main line in one row, in two rows (the break before ReLU, which no parameter feeds, so the edge
# that wraps round drops into ReLU from above), or top to bottom (parameters left of their op).
ROW, TWO_ROWS, COLUMN = "row", "two rows", "column"
GRAPH_LAYOUTS = (ROW, TWO_ROWS, COLUMN)  # widest first
WRAP_BEFORE = "ReLU"

FONT_SIZE = 12  # every text of the figure: a projector at 150 % shows it at 12 CSS px or more
CHAR_WIDTH = 5.8  # px per character at 12 px ("dLoss_Z1, s1" measures 64 px in Chromium: 5.3 a character)
MIN_BOX_WIDTH = 84
LINE_HEIGHT = 16
HEADER_HEIGHT = 38  # the bold label and the caption line
BOX_PADDING = 8
EDGE_GAP = 40  # between boxes side by side: an edge and its shape "(8,16)"
LANE_GAP = 34  # between a parameter and the op under it: a short edge, its shape beside it
ROW_GAP = 46  # between the two rows: the edge that wraps round runs here, its shape above it
MARGIN = 6
PENDING_TEXT_COLOR = "#6c757d"  # 4.7:1 on white
EDGE_COLOR = "#adb5bd"
FILL = {"data": "#f1f3f5", PARAMETER: "#fff9db", OPERATION: "#e7f5ff", "loss": "#f3f0ff"}
LIT_FILL = "#fff0f6"
VALUE, GRAD, PENDING, NO_GRAD = "value", "grad", "pending", "no grad"
# What a grad on the graph is, as the article computes it (and the dLoss_* matrices show it): per sample for the
# activations, the slope of that sample's own loss L_s — m times its slope in the mean loss, since
# Loss = (1/m)·Σ L_s and the article divides by m only at the parameters, whose grads are the mean loss's.
GRAD_MEANING = ("its grad, as the article's dLoss matrices hold it: at a node with a column per sample, the slope "
                "of that sample's own loss (m times its slope in the mean loss — the article divides by m only at "
                "W1, b1, W2 and b2, whose grads are the mean loss's)")


@dataclass(frozen=True)
class NodeReading:
    """What one node shows: ``numbers`` are exactly the numbers written in the box (the sample's column, a
    parameter vector, one number, or the whole W1 / dLoss_W1 summarised), ``caption`` says what they are."""

    key: str
    mode: str  # VALUE, GRAD, PENDING (not computed yet at this stage) or NO_GRAD (X and Y)
    caption: str
    numbers: np.ndarray | None
    lines: tuple[str, ...]


def graph_phase(stage: str) -> str:
    return "forward" if stage in COMPUTED_AT else "backward" if stage in FLOW_AT else "update"


def _stages_up_to(stage: str, stages: Sequence[str]) -> list[str]:
    position = GRAPH_STAGES.index(stage)
    return [key for key in stages if GRAPH_STAGES.index(key) <= position]


def computed_nodes(stage: str) -> set[str]:
    """Nodes whose value exists at ``stage`` (every node once the forward pass is done)."""
    return {node for key in _stages_up_to(stage, FORWARD_STAGES) for node in COMPUTED_AT[key]}


def reached_nodes(stage: str) -> set[str]:
    """Nodes whose grad the backward pass has reached at ``stage`` (none in the forward stages)."""
    return {node for key in _stages_up_to(stage, BACKWARD_STAGES) for node in FLOW_AT[key][1]}


def flowed_edges(stage: str) -> list[tuple[str, str]]:
    """The edges the gradient has crossed by ``stage``, in the order it crossed them."""
    return [edge for key in _stages_up_to(stage, BACKWARD_STAGES) for edge in FLOW_AT[key][0]]


def grad_stage(key: str) -> str | None:
    """The backward stage at which the gradient reaches node ``key`` (None for X and Y, never reached)."""
    return next((stage for stage, (_, nodes) in FLOW_AT.items() if key in nodes), None)


def lit_nodes(stage: str) -> tuple[str, ...]:
    """The nodes ringed at ``stage``: computed there (forward), reached there (backward), updated (update)."""
    if stage in COMPUTED_AT:
        return COMPUTED_AT[stage]
    if stage in FLOW_AT:
        return FLOW_AT[stage][1]
    return UPDATED


def lit_path(stage: str) -> list[str]:
    """The steps the gradient has taken so far, each "from → to" in the backward direction: ["loss → σ", …]."""
    return [f"{target} → {source}" for source, target in flowed_edges(stage)]


def _row_prefix(key: str) -> str:
    if key == "X":
        return "f"
    if key in ("W1·X", "+ b1", "ReLU", "b1", "W2"):
        return "h"
    return ""


def _vector_lines(numbers: np.ndarray, prefix: str) -> tuple[str, ...]:
    if numbers.size == 1 or not prefix:
        return tuple(format_number(float(value)) for value in numbers)
    return tuple(f"{prefix}{i + 1}  {format_number(float(value))}" for i, value in enumerate(numbers))


def _matrix_summary(caption: str, matrix_name: str, matrix: np.ndarray) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """A matrix too big for a box: its norm and its largest entry, e.g. "[h3,f2] −0.71"."""
    row, col = np.unravel_index(int(np.argmax(np.abs(matrix))), matrix.shape)
    return matrix, f"{caption} {matrix.shape[0]}×{matrix.shape[1]}", (
        f"norm {format_number(float(np.linalg.norm(matrix)))}", "largest:",
        f"{cell_label(matrix_name, (int(row), int(col)))[len(matrix_name):]} {format_number(float(matrix[row, col]))}")


def node_reading(matrices: Mapping[str, np.ndarray], key: str, stage: str, sample: int | None) -> NodeReading:
    """The numbers node ``key`` shows at ``stage`` for ``sample`` (None = the mean over the samples)."""
    node = NODES_BY_KEY[key]
    backward = graph_phase(stage) != "forward"
    if backward and node.grad_name is None and key != "loss":
        return NodeReading(key, NO_GRAD, "no grad", None, ("X is data",) if key == "X" else ("Y is a label",))
    reached = reached_nodes(stage) if stage in FLOW_AT else {n.key for n in GRAPH_NODES}
    if (not backward and key not in computed_nodes(stage)) or (backward and key not in reached):
        return NodeReading(key, PENDING, "grad" if backward else "value", None, ("not yet",))
    matrix = node_grad(matrices, key) if backward else node_value(matrices, key)
    name = (node.grad_name or "dLoss/dLoss") if backward else (
        node.value_name if node.value_name not in (None, node.label) else "value")
    if key == "W1":
        numbers, caption, lines = _matrix_summary(name, node.grad_name if backward else "W1", matrix)
        return NodeReading(key, GRAD if backward else VALUE, caption, numbers, lines)
    if node.per_sample:
        numbers = matrix[:, sample] if sample is not None else matrix.mean(axis=1)
        caption = f"{name}, " + (f"s{sample + 1}" if sample is not None else "mean")
    else:
        numbers = matrix.ravel()
        caption = name
    lines = _vector_lines(numbers, _row_prefix(key))
    if backward and key == "+ b1" and sample is not None:  # where ReLU blocked the gradient: say so
        lines = tuple(line + ("" if on else "  off")
                      for line, on in zip(lines, d_relu(matrices["Z1"][:, sample]) == 1, strict=True))
    return NodeReading(key, GRAD if backward else VALUE, caption, numbers, lines)


def graph_readings(matrices: Mapping[str, np.ndarray], stage: str, sample: int | None) -> dict[str, NodeReading]:
    return {node.key: node_reading(matrices, node.key, stage, sample) for node in GRAPH_NODES}


def edge_shape(matrices: Mapping[str, np.ndarray], source: str) -> tuple[int, int]:
    """The shape of what flows along an edge from ``source`` (its value's shape; the gradient has the same)."""
    return tuple(int(size) for size in node_value(matrices, source).shape)


@dataclass(frozen=True)
class _Box:
    x: float  # centre
    y: float
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


def box_width(readings: Mapping[str, NodeReading]) -> float:
    """One width for every box: room for the longest line any box writes (all of them in one size reads calmer)."""
    longest = max(len(line) for reading in readings.values() for line in (*reading.lines, reading.caption))
    return max(MIN_BOX_WIDTH, CHAR_WIDTH * longest + 2 * BOX_PADDING)


@dataclass(frozen=True)
class _Geometry:
    boxes: dict[str, _Box]  # in GRAPH_NODES' order (the clickable markers follow it)
    width: float
    height: float
    gutter: float | None  # the height of the gap between two rows, where the wrapping edge runs back left


def _geometry(readings: Mapping[str, NodeReading], layout: str) -> _Geometry:
    """Every node's box in ``layout``, and the figure's size (px)."""
    width = box_width(readings)
    heights = {key: HEADER_HEIGHT + BOX_PADDING + LINE_HEIGHT * len(reading.lines) for key, reading in readings.items()}
    fed_by = {op: param for param, op in FEEDS.items()}
    boxes: dict[str, _Box] = {}
    if layout == COLUMN:
        main_x, param_x = MARGIN + 1.5 * width + EDGE_GAP, MARGIN + width / 2
        top = MARGIN
        for key in MAIN_LINE:
            row = [key, fed_by[key]] if key in fed_by else [key]
            tallest = max(heights[k] for k in row)
            for k in row:  # a parameter level with its op: the edge between them is straight
                boxes[k] = _Box(main_x if k == key else param_x, top + tallest / 2, width, heights[k])
            top += tallest + LANE_GAP
        return _Geometry(_in_graph_order(boxes), 2 * MARGIN + 2 * width + EDGE_GAP, top - LANE_GAP + MARGIN, None)
    rows = [list(MAIN_LINE)] if layout == ROW else [
        list(MAIN_LINE[:MAIN_LINE.index(WRAP_BEFORE)]), list(MAIN_LINE[MAIN_LINE.index(WRAP_BEFORE):])]
    # the same lane heights in every row, so the rows line up; a parameter sits on the bottom of its lane, an op
    # in the middle of its own (every edge along the main line is straight)
    above = max(heights[param] for param in FEEDS)
    main = max(heights[key] for key in MAIN_LINE)
    top = MARGIN
    for row in rows:
        for column, key in enumerate(row):
            x = MARGIN + width / 2 + column * (width + EDGE_GAP)
            boxes[key] = _Box(x, top + above + LANE_GAP + main / 2, width, heights[key])
            if key in fed_by:
                param = fed_by[key]
                boxes[param] = _Box(x, top + above - heights[param] / 2, width, heights[param])
        top += above + LANE_GAP + main + ROW_GAP
    longest = max(len(row) for row in rows)
    gutter = MARGIN + above + LANE_GAP + main + ROW_GAP / 2 if len(rows) > 1 else None
    return _Geometry(_in_graph_order(boxes), 2 * MARGIN + longest * width + (longest - 1) * EDGE_GAP,
                     top - ROW_GAP + MARGIN, gutter)


def _in_graph_order(boxes: dict[str, _Box]) -> dict[str, _Box]:
    return {node.key: boxes[node.key] for node in GRAPH_NODES}


def _edge_points(geometry: _Geometry, source: str, target: str, layout: str) -> list[tuple[float, float]]:
    """The edge from ``source`` to ``target`` as a polyline (forward direction): side to side along the main line
    (top to bottom in a column), straight down (or right) from a parameter into its op, and round the corner
    from the end of the first row into the top of ReLU."""
    a, b = geometry.boxes[source], geometry.boxes[target]
    if source in FEEDS:
        return [(a.right, a.y), (b.left, b.y)] if layout == COLUMN else [(a.x, a.bottom), (b.x, b.top)]
    if layout == COLUMN:
        return [(a.x, a.bottom), (b.x, b.top)]
    if geometry.gutter is not None and b.top > a.bottom:  # the wrap: down, back left in the gap, down into ReLU
        return [(a.x, a.bottom), (a.x, geometry.gutter), (b.x, geometry.gutter), (b.x, b.top)]
    return [(a.right, a.y), (b.left, b.y)]


def _shape_label_place(points: Sequence[tuple[float, float]]) -> dict:
    """Where an edge's shape "(4,5)" goes: above the middle of its longest horizontal run, or right of a vertical
    edge's middle."""
    segments = list(zip(points, points[1:], strict=False))
    flat = [(p, q) for p, q in segments if abs(p[1] - q[1]) < 1e-9]
    if flat:
        p, q = max(flat, key=lambda pq: abs(pq[1][0] - pq[0][0]))
        return {"x": (p[0] + q[0]) / 2, "y": p[1], "yanchor": "bottom", "yshift": 5}  # above a thick arrowhead
    p, q = segments[len(segments) // 2]
    return {"x": p[0], "y": (p[1] + q[1]) / 2, "xanchor": "left", "xshift": 8}  # clear of a thick arrowhead


def _node_hover(matrices: Mapping[str, np.ndarray], key: str, reading: NodeReading) -> str:
    node = NODES_BY_KEY[key]
    makes = f" → {node.value_name}" if node.kind == OPERATION and node.value_name else ""
    shape = SYMBOLIC_SHAPES[key] + " = " + str(edge_shape(matrices, key))
    what = {PENDING: "not computed yet at this stage", NO_GRAD: " ".join(reading.lines)}.get(
        reading.mode, f"{reading.caption}: " + ", ".join(reading.lines))
    return f"<b>{node.label}</b>{makes}, shape {shape}<br>{what}<br>Click for its local rule."


def computation_graph_figure(matrices: Mapping[str, np.ndarray], stage: str, *, sample: int | None = 0,
                             selected: str | None = None, layout: str = ROW) -> go.Figure:
    """The graph at ``stage`` for ``sample`` in ``layout`` (ROW, TWO_ROWS or COLUMN); ``selected`` (a node key) is
    framed, as the node whose rule is shown. ``layout.width`` is the pixel width it needs."""
    readings = graph_readings(matrices, stage, sample)
    geometry = _geometry(readings, layout)
    boxes, width, height = geometry.boxes, geometry.width, geometry.height
    lit, phase = set(lit_nodes(stage)), graph_phase(stage)
    flowed = flowed_edges(stage if phase == "backward" else BACKWARD_STAGES[-1]) if phase != "forward" else []
    current = set(FLOW_AT[stage][0]) if stage in FLOW_AT else set()
    forward_lit = {(s, t) for s, t in GRAPH_EDGES if t in lit} if phase == "forward" else set()
    shapes, annotations = [], []
    for source, target in GRAPH_EDGES:
        points = _edge_points(geometry, source, target, layout)
        backwards = (source, target) in flowed
        colour = HIGHLIGHT_COLOR if backwards or (source, target) in forward_lit else EDGE_COLOR
        line_width = 4.5 if (source, target) in current else 2.5 if backwards or (source, target) in forward_lit \
            else 1.5
        if backwards:  # a gradient points back
            points = points[::-1]
        if len(points) > 2:  # the bends as a line, the arrow on the last stretch
            shapes.append({"type": "path", "layer": "below", "line": {"color": colour, "width": line_width},
                           "path": "M " + " L ".join(f"{x:g},{y:g}" for x, y in points[:-1])})
        (x0, y0), (x1, y1) = points[-2], points[-1]
        annotations.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y",
                            "axref": "x", "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2,
                            "arrowsize": 0.75 if line_width > 4 else 1.1, "arrowwidth": line_width,
                            "arrowcolor": colour})
        annotations.append({**_shape_label_place(points), "xref": "x", "yref": "y", "showarrow": False,
                            "text": str(edge_shape(matrices, source)).replace(" ", ""),
                            "font": {"size": FONT_SIZE, "color": "#495057"},
                            "hovertext": f"{SYMBOLIC_SHAPES[source]}: what {NODES_BY_KEY[source].label} hands on"})
    for key, box in boxes.items():
        node, reading = NODES_BY_KEY[key], readings[key]
        is_lit = key in lit
        if key == selected:
            shapes.append({"type": "rect", "x0": box.left - 5, "x1": box.right + 5, "y0": box.top - 5,
                           "y1": box.bottom + 5, "layer": "below", "fillcolor": "white",
                           "line": {"color": SELECTION_COLOR, "width": 3, "dash": "dot"}})
        shapes.append({"type": "rect", "x0": box.left, "x1": box.right, "y0": box.top, "y1": box.bottom,
                       "layer": "below", "fillcolor": LIT_FILL if is_lit else FILL[node.kind],
                       "line": {"color": HIGHLIGHT_COLOR if is_lit else "#495057", "width": 3.5 if is_lit else 1}})
        pending = reading.mode in (PENDING, NO_GRAD)
        body = "<br>".join(reading.lines)
        colour = PENDING_TEXT_COLOR if pending else "#212529"
        annotations.append({"x": box.x, "y": box.top + 4, "xref": "x", "yref": "y", "yanchor": "top",
                            "showarrow": False, "text": f"<b>{node.label}</b><br>{reading.caption}<br>{body}",
                            "font": {"size": FONT_SIZE, "color": colour}, "align": "center"})
    nodes = {"type": "scatter", "x": [box.x for box in boxes.values()], "y": [box.y for box in boxes.values()],
             "mode": "markers", "name": "graph nodes", "customdata": [[key] for key in boxes], "hoverinfo": "text",
             "hovertext": [_node_hover(matrices, key, readings[key]) for key in boxes], "showlegend": False,
             "marker": {"symbol": "square", "size": min(box_width(readings), 2 * HEADER_HEIGHT),
                        "color": "rgba(0,0,0,0)"}}
    figure_layout = {"template": TEMPLATE, "width": int(np.ceil(width)), "height": int(np.ceil(height)),
                     "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "shapes": shapes, "annotations": annotations,
                     "dragmode": False, "font": {"size": FONT_SIZE},
                     "xaxis": {"range": [0, np.ceil(width)], "visible": False, "fixedrange": True},
                     "yaxis": {"range": [np.ceil(height), 0], "visible": False, "fixedrange": True}}
    # built unvalidated, as the network diagram: validating ~40 annotations took 2/3 of the time (a test validates)
    return go.Figure(data=[nodes], layout=figure_layout, _validate=False)


def computation_graph_figures(matrices: Mapping[str, np.ndarray], stage: str, *, sample: int | None = 0,
                              selected: str | None = None, layouts: Sequence[str] = GRAPH_LAYOUTS) -> list[go.Figure]:
    """The graph in each of ``layouts``, widest first: the page shows the widest that fits its column."""
    figures = [computation_graph_figure(matrices, stage, sample=sample, selected=selected, layout=layout)
               for layout in layouts]
    return sorted(figures, key=lambda fig: -fig.layout.width)


def node_for_point(point: Mapping | None) -> str | None:
    """The node key a click on the graph names (its customdata), or None."""
    data = (point or {}).get("customdata")
    key = data[0] if isinstance(data, (list, tuple)) and data else data
    return key if isinstance(key, str) and key in NODES_BY_KEY else None


def describe_computation_graph(matrices: Mapping[str, np.ndarray], stage: str, *, sample: int | None = 0) -> str:
    """The graph in words for a screen reader: what it shows at this stage, where the gradient has flowed,
    and every node's numbers."""
    phase = graph_phase(stage)
    who = f"sample s{sample + 1}" if sample is not None else "the mean over the samples"
    text = (f"Computation graph of the forward pass, {phase} stage {stage}, for {who}: X and W1 into W1·X, + b1 "
            f"gives Z1, ReLU gives A1, W2·A1, + b2 gives Z2, σ gives Yh, Yh and Y into the loss. "
            f"Each node shows {'its value' if phase == 'forward' else GRAD_MEANING}. ")
    if phase == "backward":
        text += (f"The gradient has flowed {', '.join(lit_path(stage))}; this step reaches "
                 f"{', '.join(lit_nodes(stage))}. ")
    else:
        text += f"Lit: {', '.join(lit_nodes(stage))}. "
    parts = []
    for key, reading in graph_readings(matrices, stage, sample).items():
        parts.append(f"{NODES_BY_KEY[key].label}: " + (" ".join(reading.lines) if reading.mode in (PENDING, NO_GRAD)
                                                     else f"{reading.caption} = {', '.join(reading.lines)}"))
    return text + "; ".join(parts) + "."
