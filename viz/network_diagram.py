"""The network drawn as the textbook picture, in step with the matrices of the forward & backward walk.

Inputs on the left, hidden units in the middle, the output on the right; one edge per weight, coloured
by sign and sized by magnitude on the heatmaps' own diverging scale (``SIGNED_COLORSCALE``, centred on 0);
a small square per bias. The drawing follows a stage of ``ui.stages.STAGES`` (by key) and one sample:

- forward stages show Z1 / A1 / Z2 / Yh of the sample on the nodes, the layer being computed ringed;
- backward stages show dLoss_Z2, dLoss_A1, dLoss_Z1 on the nodes and, on the edges, the sample's share of
  dLoss_W2 / dLoss_W1 (the mean of the shares over the samples is the matrix, so "all samples" shows the
  matrix itself), with arrows pointing back towards the inputs; a hidden unit whose ReLU is off for the
  sample is greyed, marked "ReLU′=0", and the edges it blocks are dashed grey;
- the update stage shows every weight after the step, hover and labels giving before → after.

Edges are grouped into a few traces by colour bin (one line width per bin), so the figure stays light.
Every clickable point (nodes, bias squares, one handle per edge) carries customdata
[kind, layer, row, col], which ``cell_for_point`` turns back into a matrix cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go

from nn_core.chains import cell_label, complete_matrices, sample_contributions
from viz.style import HIGHLIGHT_COLOR, SELECTION_COLOR, SIGNED_COLORSCALE, TEMPLATE, format_number, symmetric_limit
from viz.text import plotly_literal

# lessons.stages' stage keys, in order (viz does not import lessons; a test keeps the two lists equal).
STAGE_ORDER: tuple[str, ...] = (
    "X", "W1_b1", "Z1", "A1", "W2_b2", "Z2", "Yh", "Loss",
    "dLoss_Yh", "dLoss_Z2", "dLoss_A1", "dLoss_W2", "dLoss_b2", "dLoss_Z1", "dLoss_W1", "dLoss_b1", "update",
)
BACKWARD_STAGES = frozenset(STAGE_ORDER[STAGE_ORDER.index("dLoss_Yh"):STAGE_ORDER.index("update")])

# What each layer of nodes shows at each stage: (inputs, hidden units, output); None = nothing yet.
NODE_QUANTITY: dict[str, tuple[str | None, str | None, str | None]] = {
    "X": ("X", None, None), "W1_b1": ("X", None, None), "Z1": ("X", "Z1", None), "A1": ("X", "A1", None),
    "W2_b2": ("X", "A1", None), "Z2": ("X", "A1", "Z2"), "Yh": ("X", "A1", "Yh"), "Loss": ("X", "A1", "Yh"),
    "dLoss_Yh": ("X", None, "dLoss_Yh"), "dLoss_Z2": ("X", None, "dLoss_Z2"),
    "dLoss_A1": ("X", "dLoss_A1", "dLoss_Z2"), "dLoss_W2": ("X", "dLoss_A1", "dLoss_Z2"),
    "dLoss_b2": ("X", "dLoss_A1", "dLoss_Z2"), "dLoss_Z1": ("X", "dLoss_Z1", "dLoss_Z2"),
    "dLoss_W1": ("X", "dLoss_Z1", "dLoss_Z2"), "dLoss_b1": ("X", "dLoss_Z1", "dLoss_Z2"),
    "update": (None, None, None),
}
# What the edges and bias squares show: (W1 edges, W2 edges, b1, b2).
_GRADIENT_FROM = {"W1": "dLoss_W1", "W2": "dLoss_W2", "b1": "dLoss_b1", "b2": "dLoss_b2"}
# The part of the picture computed (or introduced) at each stage: ringed / drawn at full strength.
LIT: dict[str, frozenset[str]] = {key: frozenset(parts) for key, parts in {
    "X": ("input",), "W1_b1": ("W1", "b1"), "Z1": ("hidden",), "A1": ("hidden",), "W2_b2": ("W2", "b2"),
    "Z2": ("output",), "Yh": ("output",), "Loss": ("output",), "dLoss_Yh": ("output",), "dLoss_Z2": ("output",),
    "dLoss_A1": ("hidden", "W2"), "dLoss_W2": ("W2",), "dLoss_b2": ("b2",), "dLoss_Z1": ("hidden",),
    "dLoss_W1": ("W1",), "dLoss_b1": ("b1",), "update": ("W1", "b1", "W2", "b2"),
}.items()}

NODE_SIZE = 48  # px: the smallest node; a value like "-0.00123" at 12 px fits inside (``_node_size``)
BIAS_SIZE = 11
HANDLE_SIZE = 14
SLOT_HEIGHT = 78  # px per node slot: a node, its tag above it and its bias square below it, apart
PX_PER_X = 140  # px per x unit between a phone (~115) and a 600 px column (~175)
HANDLE_CLEARANCE = 36  # px between a handle and the centre of a node
ARROW_LEAD = 0.02  # an arrowhead's invisible lead point: this fraction of the way back along its edge
HIT_CLEARANCE = 8  # px beyond a node's rim to an edge's first click point: the node's own
HIT_SPACING = 6  # px between an edge's click points: closer than two edges leaving one node are apart
BIAS_DROP = 0.4  # slots between a unit's centre and its bias square
HEADLINE_GAP = 22  # px between the headline and the "selected: …" line under it
VALUE_FONT, LABEL_FONT, TAG_FONT = 12, 13, 12  # px: readable on a projector
CHAR_WIDTH = 0.6  # a character's width in font sizes (Plotly's default sans-serif, estimated)
DIGIT_WIDTH = 0.5  # a number's character in font sizes (the page's font measures 0.45: "-0.0846" is 38 px at 12)
MAX_NODE_SIZE = SLOT_HEIGHT - 24  # room left in a slot for the tag above and the bias square below
RIGHT_MARGIN = 52  # px for "Y = 1" right of the output node
X_PAD = 0.22  # x units beyond the outer nodes: half a node at the narrowest width
COLOUR_LEVELS = 4  # magnitude bins per sign: 8 coloured edge traces at most, plus grey
CUT_COLOR = "#adb5bd"
ELLIPSIS = "…"
LAYER_X = {"input": 0.0, "hidden": 1.0, "output": 2.0}


@dataclass(frozen=True)
class DiagramTarget:
    """Where a matrix cell lives in the picture: an edge (W1/W2), a node (input/hidden/output) or a bias.

    ``index`` is the weight's (row, col) for an edge, (unit, 0) for a node or a bias; ``sample`` is the
    sample column of a per-sample cell (Z1[h,s] → hidden node h, sample s), None otherwise.
    """

    kind: str
    layer: str
    index: tuple[int, int]
    sample: int | None = None


@dataclass(frozen=True)
class DiagramEdge:
    """One weight's line: from (x0, y0) on the left to (x1, y1) on the right, the value it encodes."""

    layer: str
    index: tuple[int, int]
    x0: float
    y0: float
    x1: float
    y1: float
    quantity: str
    value: float
    cut: bool
    dim: bool
    hover: str


def stage_phase(stage: str) -> str:
    """'forward', 'backward' or 'update', for a stage key."""
    if stage not in STAGE_ORDER:
        raise KeyError(f"unknown stage {stage!r}")
    return "update" if stage == "update" else "backward" if stage in BACKWARD_STAGES else "forward"


def edge_quantity(layer: str, stage: str) -> str:
    """What an edge or bias square shows: the parameter, its gradient, or its new value.

    Backward, an edge shows its weight until the walk reaches that weight's gradient (dLoss_A1 travels over
    W2's weights); a bias square shows its gradient at every backward stage (nothing flows over a bias)."""
    if stage == "update":
        return f"new {layer}"
    gradient = _GRADIENT_FROM[layer]
    if stage in BACKWARD_STAGES and (layer in ("b1", "b2") or STAGE_ORDER.index(stage) >= STAGE_ORDER.index(gradient)):
        return gradient
    return layer


def diagram_target_for_cell(matrix: str, cell: tuple[int, int]) -> DiagramTarget | None:
    """The edge, node or bias square that draws ``matrix[cell]`` (0-based), None if it has no place."""
    row, col = int(cell[0]), int(cell[1])
    base = matrix.removeprefix("new ").removeprefix("dLoss_")
    if base in ("W1", "W2"):
        return DiagramTarget("edge", base, (row, col))
    if base in ("b1", "b2"):
        return DiagramTarget("bias", base, (row, 0))
    if base in ("X", "A0"):
        return DiagramTarget("node", "input", (row, 0), col)
    if base in ("Z1", "A1"):
        return DiagramTarget("node", "hidden", (row, 0), col)
    if base in ("Z2", "Yh", "Y"):
        return DiagramTarget("node", "output", (0, 0), col)
    if matrix == "Loss":
        return DiagramTarget("node", "output", (0, 0), None)
    return None


_SAME_PLACE: dict[tuple[str, str], tuple[str, ...]] = {
    ("edge", "W1"): ("W1", "dLoss_W1", "new W1"), ("edge", "W2"): ("W2", "dLoss_W2", "new W2"),
    ("bias", "b1"): ("b1", "dLoss_b1", "new b1"), ("bias", "b2"): ("b2", "dLoss_b2", "new b2"),
    ("node", "input"): ("X", "dLoss_A0"), ("node", "hidden"): ("Z1", "A1", "dLoss_A1", "dLoss_Z1"),
    ("node", "output"): ("Z2", "Yh", "Y", "dLoss_Yh", "dLoss_Z2"),
}


def linked_cells(matrix: str, cell: tuple[int, int]) -> dict[str, tuple[int, int]]:
    """Every matrix cell drawn at the same place as ``matrix[cell]``: what the heatmaps frame for a pick.

    W1[h,f], dLoss_W1[h,f] and new W1[h,f] are one edge; Z1, A1, dLoss_A1, dLoss_Z1 at [h,s] are one hidden
    node for sample s; and so on. The picked cell is always included.
    """
    target = diagram_target_for_cell(matrix, cell)
    if target is None or matrix == "Loss":
        return {matrix: (int(cell[0]), int(cell[1]))}
    place = (int(cell[0]), int(cell[1])) if target.kind != "node" or target.layer != "output" else (0, int(cell[1]))
    return {name: place for name in _SAME_PLACE[(target.kind, target.layer)]} | {matrix: (int(cell[0]), int(cell[1]))}


def cell_for_point(point: Mapping, stage: str, sample: int | None,
                   figure: go.Figure | None = None) -> tuple[str, tuple[int, int]] | None:
    """The matrix cell a clicked diagram point stands for at this stage, or None (a label, the "…").

    ``point`` is one entry of Streamlit's ``selection.points`` (customdata, or curve_number and
    point_index looked up in ``figure``). Nodes map to the quantity they show at the stage, for the
    sample (the first sample when "all samples" is shown); edges and squares to the weight, its gradient
    or its new value.
    """
    data = point.get("customdata")
    if data is None and figure is not None and "curve_number" in point:
        trace = figure.data[int(point["curve_number"])]
        index = int(point.get("point_index", point.get("point_number", -1)))
        if trace.customdata is not None and 0 <= index < len(trace.customdata):
            data = trace.customdata[index]
    if data is None or len(data) < 4 or data[0] not in ("edge", "node", "bias"):
        return None
    kind, layer, row, col = data[0], data[1], int(data[2]), int(data[3])
    if kind in ("edge", "bias"):
        return edge_quantity(layer, stage), (row, col)
    shown = NODE_QUANTITY[stage][("input", "hidden", "output").index(layer)]
    column = 0 if sample is None else int(sample)
    if layer == "input":
        return "X", (row, column)
    if layer == "hidden":
        fallback = "A1" if stage_phase(stage) != "forward" or STAGE_ORDER.index(stage) >= 3 else "Z1"
        return shown or fallback, (row, column)
    fallback = "Yh" if stage == "update" else "dLoss_Z2" if stage_phase(stage) == "backward" else "Z2"
    return shown or fallback, (0, column)


def relu_off(matrices: Mapping[str, np.ndarray], sample: int | None) -> np.ndarray:
    """Hidden units whose ReLU is off (Z1 ≤ 0): for the sample, or for every sample when sample is None."""
    Z1 = np.asarray(matrices["Z1"])
    return Z1[:, sample] <= 0 if sample is not None else np.all(Z1 <= 0, axis=1)


def shown_inputs(n_x: int, picked: Sequence[int] = (), max_inputs: int = 6) -> tuple[list[int], int]:
    """Which inputs get a node: all when n_x ≤ max_inputs, else the first few plus every picked one.

    Returns (feature indices in order, how many are folded into the "…" node).
    """
    if n_x <= max_inputs:
        return list(range(n_x)), 0
    picked_set = {int(p) for p in picked if 0 <= int(p) < n_x}
    room = max(max_inputs - 1 - len(picked_set), 1)
    shown = sorted(picked_set | set(range(room)))
    return shown, n_x - len(shown)


def _node_values(matrices: Mapping[str, np.ndarray], name: str | None, sample: int | None) -> np.ndarray | None:
    if name is None:
        return None
    values = np.asarray(matrices[name], dtype=float)
    return values[:, sample] if sample is not None else values.mean(axis=1)


def _colour(value: float, limit: float) -> str:
    """A colour of SIGNED_COLORSCALE, binned, never near-white: sign always readable on a white page."""
    level = _level(value, limit)
    return CUT_COLOR if level == 0 else _bin_colour(int(np.sign(value)), level)


@lru_cache(maxsize=2 * COLOUR_LEVELS)
def _bin_colour(sign: int, level: int) -> str:
    """The scale sampled once per (sign, level): sampling is slow and there are only 2·COLOUR_LEVELS bins."""
    position = 0.5 + sign * (0.15 + 0.35 * level / COLOUR_LEVELS)
    return pc.sample_colorscale(pc.get_colorscale(SIGNED_COLORSCALE), [float(position)])[0]


def _level(value: float, limit: float) -> int:
    """0 for an exact 0, else 1…COLOUR_LEVELS by |value| / limit."""
    if value == 0 or not np.isfinite(value):
        return 0
    return int(np.clip(np.ceil(abs(value) / limit * COLOUR_LEVELS), 1, COLOUR_LEVELS))


def _width(level: int) -> float:
    return 1.0 + 1.1 * level


def _positions(count: int) -> np.ndarray:
    """Vertical positions, top to bottom, centred on 0, one slot apart."""
    return (count - 1) / 2 - np.arange(count, dtype=float)


def name_lines(name: str, chars: int) -> list[str]:
    """An input's name on at most two lines of about ``chars`` characters, broken between words and never cut
    ("mean textu…" hid which feature it was): "worst concave points" → ["worst concave", "points"]."""
    words, lines = name.split(), [""]
    for word in words:
        if lines[-1] and len(lines[-1]) + 1 + len(word) > chars and len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return lines or [name]


def _node_size(picture_values: Sequence[str]) -> int:
    """px: wide enough for the longest value written inside a node (at VALUE_FONT), at least NODE_SIZE."""
    longest = max((len(text) for text in picture_values), default=0)
    return int(min(max(NODE_SIZE, np.ceil(longest * VALUE_FONT * DIGIT_WIDTH + 8)), MAX_NODE_SIZE))


def _handle_positions(edges: Sequence[DiagramEdge]) -> list[tuple[float, float]]:
    """One point on each edge, spread so that no two handles sit on top of each other.

    Midpoints would not do: in the regular grid of nodes many edges cross at the same midpoint, and a
    click there could not tell them apart. Greedy: each edge takes, among a few points along it (clear of
    the nodes), the one farthest from the handles already placed. Distances in estimated pixels.
    """
    placed: list[tuple[float, float]] = []
    scale = np.array([PX_PER_X, SLOT_HEIGHT])
    for edge in edges:
        start, end = np.array([edge.x0, edge.y0]), np.array([edge.x1, edge.y1])
        length = float(np.hypot(*((end - start) * scale)))
        clear = min(HANDLE_CLEARANCE / length, 0.45) if length else 0.45
        candidates = start + np.linspace(clear, 1 - clear, 9)[:, None] * (end - start)
        if placed:
            gaps = np.hypot(*((candidates[:, None, :] - np.array(placed)[None, :, :]) * scale).transpose(2, 0, 1))
            best = int(np.argmax(gaps.min(axis=1) - 0.01 * np.abs(np.arange(9) - 4)))  # ties: nearer the middle
        else:
            best = 4
        placed.append((float(candidates[best, 0]), float(candidates[best, 1])))
    return placed


def diagram_edges(matrices: Mapping[str, np.ndarray], stage: str, sample: int | None,
                  inputs: Sequence[int]) -> list[DiagramEdge]:
    """Every drawn edge with the value it encodes at this stage (the data behind the figure)."""
    phase = stage_phase(stage)
    shares = sample_contributions(matrices, sample)
    off = relu_off(matrices, sample)
    n_h = matrices["W1"].shape[0]
    y_in, y_hidden = _positions(len(inputs) + (1 if len(inputs) < matrices["W1"].shape[1] else 0)), _positions(n_h)
    stage_at = STAGE_ORDER.index(stage)
    edges = []
    for layer in ("W1", "W2"):
        quantity = edge_quantity(layer, stage)
        values = shares[quantity] if quantity.startswith("dLoss_") else np.asarray(matrices[quantity], dtype=float)
        introduced = STAGE_ORDER.index("W1_b1" if layer == "W1" else "W2_b2")
        carries_error = layer == "W2" and stage == "dLoss_A1"  # dLoss_A1 = W2ᵀ·dLoss_Z2 travels over W2
        dim = ((phase == "backward" and not quantity.startswith("dLoss_") and not carries_error)
               or (phase == "forward" and stage_at < introduced))
        if layer == "W1":
            cells = [(h, f, k) for h in range(n_h) for k, f in enumerate(inputs)]
        else:
            cells = [(0, h, h) for h in range(n_h)]
        for row, col, slot in cells:
            unit = row if layer == "W1" else col
            if layer == "W1":
                x0, y0, x1, y1 = LAYER_X["input"], y_in[slot], LAYER_X["hidden"], y_hidden[row]
                cut = phase == "backward" and bool(off[unit])
            else:
                x0, y0, x1, y1 = LAYER_X["hidden"], y_hidden[col], LAYER_X["output"], 0.0
                cut = bool(off[unit]) and ((phase == "forward" and stage_at >= STAGE_ORDER.index("A1"))
                                           or quantity == "dLoss_W2")
            value = float(values[row, col])
            hover = _edge_hover(matrices, layer, quantity, (row, col), value, sample, bool(off[unit]))
            edges.append(DiagramEdge(layer, (row, col), x0, y0, x1, y1, quantity, value, cut, dim, hover))
    return edges


def _edge_hover(matrices, layer, quantity, cell, value, sample, unit_off) -> str:
    name = cell_label(layer, cell)
    if quantity.startswith("new "):
        before, after = float(matrices[layer][cell]), float(matrices[quantity][cell])
        return f"{name}: {format_number(before)} → {format_number(after)}"
    if not quantity.startswith("dLoss_"):
        return f"{name} = {format_number(value)}"
    label = cell_label(quantity, cell)
    mean = float(matrices[quantity][cell])
    if sample is None:
        return f"{label} = {format_number(mean)} (mean over the samples)"
    h, f = cell if layer == "W1" else (cell[1], None)
    share = (f"dLoss_Z1[h{h + 1},s{sample + 1}]·X[f{f + 1},s{sample + 1}]" if layer == "W1"
             else f"dLoss_Z2[s{sample + 1}]·A1[h{h + 1},s{sample + 1}]")
    blocked = " (ReLU′ = 0)" if unit_off else ""
    return f"{label} = {format_number(mean)} (mean); s{sample + 1}'s share {share} = {format_number(value)}{blocked}"


@dataclass(frozen=True)
class _Picture:
    """What every part of the figure needs to know: the stage, the sample, where each node sits, the edges."""

    matrices: Mapping[str, np.ndarray]
    stage: str
    phase: str
    sample: int | None
    names: list[str]
    label_chars: int
    inputs: list[int]
    folded: int
    y_in: np.ndarray
    y_hidden: np.ndarray
    off: np.ndarray
    show_cut: bool
    lit: frozenset[str]
    target: DiagramTarget | None
    edges: list[DiagramEdge]
    limits: dict[str, float]
    node_size: int  # px, every node's: the longest value written inside fits (``_node_size``)

    @property
    def n_h(self) -> int:
        return len(self.y_hidden)

    def node_rows(self) -> tuple[tuple[str, list[int], np.ndarray], ...]:
        """(layer, units, vertical positions) for the inputs, the hidden units and the output."""
        return (("input", self.inputs, self.y_in[:len(self.inputs)]), ("hidden", list(range(self.n_h)), self.y_hidden),
                ("output", [0], _positions(1)))


def network_diagram_figure(matrices: Mapping[str, np.ndarray], stage: str, *, sample: int | None = 0,
                           feature_names: Sequence[str] = (), highlight: tuple[str, tuple[int, int]] | None = None,
                           picked_features: Sequence[int] = (), max_inputs: int = 6, label_chars: int = 13,
                           height: int | None = None) -> go.Figure:
    """The network at ``stage`` for one ``sample`` (None = means over the samples).

    ``matrices`` is ``ui.stages.collect_matrices``' dict (X, Y, the parameters, the cache, every dLoss_*,
    "new *"); ``highlight`` = (matrix, 0-based cell) rings the edge, node or bias square of that cell.
    The width follows the container (set ``height`` or let it follow the number of nodes).
    """
    picture = _picture(complete_matrices(matrices), stage, sample, feature_names, highlight, picked_features,
                       max_inputs, label_chars)
    traces = _selection_glow(picture) + _edge_lines(picture) + [_edge_handles(picture), _edge_hit_points(picture)]
    node_traces, annotations = _nodes(picture)
    bias_trace, bias_notes = _biases(picture)
    marker, selection_notes = _selection_marker(picture, highlight)
    traces += node_traces + [bias_trace] + marker
    annotations += _output_notes(picture) + bias_notes + selection_notes + [_headline(picture)]
    layout = _layout(picture, annotations, height)
    # built unvalidated: plotly's per-property validation took most of the time (a test validates the spec)
    return go.Figure(data=traces, layout=layout, _validate=False)


def _picture(matrices, stage, sample, feature_names, highlight, picked_features, max_inputs,
             label_chars) -> _Picture:
    """Which inputs get a node, where every node sits, and the edges' values at this stage."""
    phase = stage_phase(stage)
    n_h, n_x = matrices["W1"].shape
    target = diagram_target_for_cell(*highlight) if highlight else None
    picked = list(picked_features) + ([target.index[1]] if target and target.layer == "W1" else []) \
        + ([target.index[0]] if target and target.layer == "input" else [])
    inputs, folded = shown_inputs(n_x, picked, max_inputs)
    edges = diagram_edges(matrices, stage, sample, inputs)
    return _Picture(
        matrices=matrices, stage=stage, phase=phase, sample=sample,
        names=list(feature_names) + [f"feature {i + 1}" for i in range(len(feature_names), n_x)],
        label_chars=label_chars, inputs=inputs, folded=folded,
        y_in=_positions(len(inputs) + (1 if folded else 0)), y_hidden=_positions(n_h),
        off=relu_off(matrices, sample),
        show_cut=phase == "backward" or (phase == "forward" and STAGE_ORDER.index(stage) >= STAGE_ORDER.index("A1")),
        lit=LIT[stage], target=target, edges=edges,
        limits={layer: symmetric_limit(np.array([e.value for e in edges if e.layer == layer]))
                for layer in ("W1", "W2")},
        node_size=_node_size([format_number(float(value)) for quantity in NODE_QUANTITY[stage] if quantity
                              for value in np.ravel(_node_values(matrices, quantity, sample))]),
    )


def _selection_glow(picture: _Picture) -> list[dict]:
    """A wide translucent line under the picked edge (drawn first: under everything)."""
    target = picture.target
    if target is None or target.kind != "edge":
        return []
    return [_scatter(x=[edge.x0, edge.x1], y=[edge.y0, edge.y1], mode="lines", name="selected edge",
                     line={"color": SELECTION_COLOR, "width": 14}, opacity=0.55, hoverinfo="skip", showlegend=False)
            for edge in picture.edges if edge.layer == target.layer and edge.index == target.index]


def _edge_lines(picture: _Picture) -> list[dict]:
    """The edges, grouped by (colour bin, dashed, dimmed): a handful of traces whatever the size. They take no
    clicks (``hoverinfo="skip"``): their end points sit on the nodes' centres."""
    groups: dict[tuple[str, int, bool, bool], list[DiagramEdge]] = {}
    for edge in picture.edges:
        level = _level(edge.value, picture.limits[edge.layer])
        sign = 0 if level == 0 or edge.cut else int(np.sign(edge.value))
        groups.setdefault((str(sign), 0 if sign == 0 else level, edge.cut, edge.dim), []).append(edge)
    traces = []
    for (sign, level, dashed, dim), members in sorted(groups.items()):
        xs, ys, custom = [], [], []
        for edge in members:
            xs += [edge.x0, edge.x1, None]
            ys += [edge.y0, edge.y1, None]
            data = ["edge", edge.layer, *edge.index]
            custom += [data, data, None]
        colour = CUT_COLOR if sign == "0" else _colour(int(sign) * level / COLOUR_LEVELS, 1.0)
        traces.append(_scatter(
            x=xs, y=ys, mode="lines", customdata=custom, hoverinfo="skip", showlegend=False,
            name=f"edges sign {sign} level {level}{' dashed' if dashed else ''}{' dim' if dim else ''}",
            line={"color": colour, "width": 1.2 if sign == "0" else _width(level),
                  "dash": "dash" if dashed else "solid"},
            opacity=0.3 if dim else 0.9,
            meta={"sign": int(sign), "level": level, "dashed": dashed, "dim": dim},
        ))
    if picture.folded:
        xs, ys = [], []
        for y in picture.y_hidden:
            xs += [LAYER_X["input"], LAYER_X["hidden"], None]
            ys += [picture.y_in[-1], y, None]
        traces.append(_scatter(x=xs, y=ys, mode="lines", name="folded inputs", hoverinfo="skip", showlegend=False,
                               line={"color": CUT_COLOR, "width": 1, "dash": "dot"}))
    return traces


def _edge_handles(picture: _Picture) -> dict:
    """One arrowhead per edge (forward → right, backward → left), also a click target.

    An arrow points away from the point before it (``angleref="previous"``), so each handle follows an
    invisible point a little behind it on the same edge — never on a node's centre, where it would win a
    click on the node."""
    hx, hy, hcolour, hsize, hcustom, htext = [], [], [], [], [], []
    backwards = picture.phase == "backward"
    for edge, mid in zip(picture.edges, _handle_positions(picture.edges), strict=True):
        start = np.array((edge.x1, edge.y1) if backwards else (edge.x0, edge.y0))
        behind = np.array(mid) + ARROW_LEAD * (start - np.array(mid))
        data = ["edge", edge.layer, *edge.index]
        level = _level(edge.value, picture.limits[edge.layer])
        colour = CUT_COLOR if edge.cut or level == 0 else _colour(edge.value, picture.limits[edge.layer])
        hx += [float(behind[0]), mid[0]]
        hy += [float(behind[1]), mid[1]]
        hcolour += [colour, colour]
        hsize += [0, HANDLE_SIZE - 3 if picture.phase == "update" else HANDLE_SIZE - 5 if edge.dim else HANDLE_SIZE]
        hcustom += [data, data]
        htext += [edge.hover, edge.hover]
    return _scatter(
        x=hx, y=hy, mode="markers", name="edge handles", customdata=hcustom, hovertext=htext, hoverinfo="text",
        marker={"symbol": "circle" if picture.phase == "update" else "arrow", "angleref": "previous", "size": hsize,
                "color": hcolour, "line": {"width": 1, "color": "white"}},
        showlegend=False,
    )


def _edge_hit_points(picture: _Picture) -> dict:
    """Invisible points every few pixels along each edge, clear of the nodes: Plotly reports a click on the
    nearest point, so a click anywhere on an edge's line picks that edge (lines themselves take no clicks)."""
    xs, ys, custom = [], [], []
    scale = np.array([PX_PER_X, SLOT_HEIGHT])
    for edge in picture.edges:
        start, end = np.array([edge.x0, edge.y0]), np.array([edge.x1, edge.y1])
        length = float(np.hypot(*((end - start) * scale)))
        clear = (picture.node_size / 2 + HIT_CLEARANCE) / length
        if clear >= 0.5:
            continue
        along = np.linspace(clear, 1 - clear, max(int(np.ceil((1 - 2 * clear) * length / HIT_SPACING)) + 1, 2))
        points = start + along[:, None] * (end - start)
        xs += points[:, 0].round(4).tolist()
        ys += points[:, 1].round(4).tolist()
        custom += [["edge", edge.layer, *edge.index]] * len(along)
    return _scatter(x=xs, y=ys, mode="markers", name="edge hit points", customdata=custom, hoverinfo="none",
                    showlegend=False, marker={"size": 6, "opacity": 0})


def _nodes(picture: _Picture) -> tuple[list[dict], list[dict]]:
    """The three layers of nodes with the stage's values, the inputs' names and tags, the cut marks."""
    q_in, q_hidden, q_out = NODE_QUANTITY[picture.stage]
    traces, annotations = [], []
    for (layer, units, ys), quantity in zip(picture.node_rows(), (q_in, q_hidden, q_out), strict=True):
        values = _node_values(picture.matrices, quantity, picture.sample)
        shown = values[units] if values is not None else None
        limit = symmetric_limit(shown) if shown is not None else 1.0
        fills, lines, hover, custom, widths = [], [], [], [], []
        for k, unit in enumerate(units):
            unit_cut = layer == "hidden" and picture.show_cut and bool(picture.off[unit])
            value = float(shown[k]) if shown is not None else None
            fills.append("#f1f3f5" if unit_cut else "white" if value is None else _colour(value, limit))
            lines.append(HIGHLIGHT_COLOR if layer in picture.lit else ("#868e96" if not unit_cut else CUT_COLOR))
            widths.append(3.5 if layer in picture.lit else 1.5)
            custom.append(["node", layer, unit, 0])
            hover.append(_node_hover(picture.matrices, layer, unit, quantity, value, picture.sample, unit_cut,
                                     picture.names))
            annotations += _node_notes(picture, layer, unit, ys[k], value, unit_cut)
        traces.append(_scatter(
            x=[LAYER_X[layer]] * len(units), y=list(ys), mode="markers", name=f"{layer} nodes", customdata=custom,
            hovertext=hover, hoverinfo="text", showlegend=False, cliponaxis=False,
            marker={"size": picture.node_size, "color": fills, "line": {"color": lines, "width": widths}},
        ))
    if picture.folded:
        y = picture.y_in[-1]
        traces.append(_scatter(x=[LAYER_X["input"]], y=[y], mode="markers+text", name="folded inputs node",
                               text=[ELLIPSIS], textposition="middle center",
                               hovertext=[f"{picture.folded} more inputs"], hoverinfo="text", showlegend=False,
                               marker={"size": picture.node_size - 8, "color": "white",
                                       "line": {"color": CUT_COLOR, "width": 1}}))
        annotations.append({"x": LAYER_X["input"], "y": y, "text": f"{picture.folded} more",
                            "xshift": -picture.node_size / 2 - 4, "xanchor": "right", "showarrow": False,
                            "font": {"size": LABEL_FONT, "color": "#868e96"}})
    return traces, annotations


def _node_notes(picture: _Picture, layer: str, unit: int, y: float, value: float | None,
                unit_cut: bool) -> list[dict]:
    """The words around one node: its value inside, an input's name on its left, its tag (f1, h1) above, and
    the cut mark of a hidden unit whose ReLU is off."""
    x, size = LAYER_X[layer], picture.node_size
    notes = []
    if value is not None:
        notes.append({"x": x, "y": y, "text": format_number(value), "showarrow": False,
                      "font": {"size": VALUE_FONT, "color": "#212529"}, "bgcolor": "rgba(255,255,255,0.85)",
                      "borderpad": 1})
    if layer == "input":
        name = picture.names[unit]
        text = "<br>".join(plotly_literal(line) for line in name_lines(name, picture.label_chars))
        notes.append({"x": x, "y": y, "text": text, "xshift": -size / 2 - 4, "xanchor": "right", "align": "right",
                      "showarrow": False, "font": {"size": LABEL_FONT, "color": "#495057"},
                      "hovertext": plotly_literal(name)})
    if layer in ("input", "hidden"):
        tag = f"f{unit + 1}" if layer == "input" else f"h{unit + 1}"
        notes.append({"x": x, "y": y, "text": f"<b>{tag}</b>", "yshift": size / 2 + 1,
                      "xshift": -size / 2 - 2, "yanchor": "bottom", "xanchor": "center", "showarrow": False,
                      "font": {"size": TAG_FONT, "color": "#495057"}})
    if unit_cut:
        notes.append({"x": x, "y": y, "text": "✂ ReLU′=0" if picture.phase == "backward" else "✂ off",
                      "xshift": size / 2 - 2, "yshift": size / 2 - 4, "xanchor": "left",
                      "yanchor": "bottom", "showarrow": False, "bgcolor": "rgba(255,255,255,0.85)",
                      "font": {"size": TAG_FONT, "color": "#495057"}})
    return notes


def _output_notes(picture: _Picture) -> list[dict]:
    """The output's name at this stage, the sample's label Y beside it, and the loss at the Loss stage."""
    q_out = NODE_QUANTITY[picture.stage][2]
    out_label = {"Z2": "Z2", "Yh": "Yh", "dLoss_Yh": "dLoss_Yh", "dLoss_Z2": "dLoss_Z2"}.get(q_out or "", "output")
    x, size = LAYER_X["output"], picture.node_size
    notes = [{"x": x, "y": 0, "text": f"<b>{out_label}</b>", "yshift": size / 2 + 1, "yanchor": "bottom",
              "showarrow": False, "font": {"size": TAG_FONT, "color": "#495057"}}]
    if picture.sample is not None:
        label_y = f"Y = {format_number(float(picture.matrices['Y'][0, picture.sample]))}"
        notes.append({"x": x, "y": 0, "text": label_y, "xshift": size / 2 + 3, "xanchor": "left",
                      "showarrow": False, "font": {"size": TAG_FONT, "color": "#495057"}})
    if picture.stage == "Loss":
        notes.append({"x": x, "y": 0, "text": f"<b>Loss = {format_number(float(picture.matrices['Loss'][0, 0]))}</b>",
                      "yshift": -size / 2 - 16, "yanchor": "top", "showarrow": False,
                      "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": LABEL_FONT, "color": HIGHLIGHT_COLOR}})
    return notes


def _bias_places(picture: _Picture) -> list[tuple[str, int, float, float]]:
    """(layer, unit, x, y) of every bias square: at the lower left of each hidden unit and of the output."""
    places = [("b1", unit, LAYER_X["hidden"], float(y) - BIAS_DROP) for unit, y in enumerate(picture.y_hidden)]
    return places + [("b2", 0, LAYER_X["output"], -BIAS_DROP)]


def _biases(picture: _Picture) -> tuple[dict, list[dict]]:
    """One small square per bias, coloured by what it shows at the stage; its value written when it is lit."""
    matrices = picture.matrices
    shown = {layer: np.asarray(matrices[edge_quantity(layer, picture.stage)], dtype=float)[:, 0]
             for layer in ("b1", "b2")}
    limits = {layer: symmetric_limit(values) for layer, values in shown.items()}
    bx, by, bcolour, bcustom, bhover, bline, notes = [], [], [], [], [], [], []
    for layer, unit, x, y in _bias_places(picture):
        quantity = edge_quantity(layer, picture.stage)
        value = float(shown[layer][unit])
        before = float(matrices[layer][unit, 0])
        bx.append(x)
        by.append(y)
        bcolour.append("white" if value == 0 else _colour(value, limits[layer]))
        bline.append(HIGHLIGHT_COLOR if layer in picture.lit else "#868e96")
        bcustom.append(["bias", layer, unit, 0])
        if quantity.startswith("new "):
            bhover.append(f"{cell_label(layer, (unit, 0))}: {format_number(before)} → {format_number(value)}")
        else:
            bhover.append(f"{cell_label(quantity, (unit, 0))} = {format_number(value)}")
        if layer in picture.lit:
            text = f"{format_number(before)}→{format_number(value)}" if quantity.startswith("new ") \
                else format_number(value)
            side = {"xshift": 8, "xanchor": "left"} if layer == "b1" else {"xshift": -8, "xanchor": "right"}
            notes.append({"x": x, "y": y, "text": text, **side, "showarrow": False,
                          "font": {"size": TAG_FONT, "color": "#495057"}, "bgcolor": "rgba(255,255,255,0.8)"})
    trace = _scatter(x=bx, y=by, mode="markers", name="biases", customdata=bcustom, hovertext=bhover,
                     hoverinfo="text", showlegend=False, cliponaxis=False,
                     marker={"symbol": "square", "size": BIAS_SIZE, "color": bcolour,
                             "line": {"color": bline, "width": 1.5}})
    return trace, notes


def _selection_marker(picture: _Picture, highlight) -> tuple[list[dict], list[dict]]:
    """A ring around the picked node or bias square, and the picked cell's value above the picture."""
    target = picture.target
    if target is None:
        return [], []
    point = None
    if target.kind == "node":
        for layer, units, ys in picture.node_rows():
            if layer == target.layer and target.index[0] in units:
                point = (LAYER_X[layer], ys[units.index(target.index[0])], picture.node_size + 12,
                         "circle-open")
    elif target.kind == "bias":
        point = next(((x, y, BIAS_SIZE + 10, "square-open") for layer, unit, x, y in _bias_places(picture)
                      if layer == target.layer and unit == target.index[0]), None)
    elif any(e.layer == target.layer and e.index == target.index for e in picture.edges):
        point = (0.0, 0.0, 0, "")  # the edge glows (``_selection_glow``); no ring
    if point is None:
        return [], []
    traces = [] if not point[2] else [_scatter(
        x=[point[0]], y=[point[1]], mode="markers", name="selected point", hoverinfo="skip", showlegend=False,
        cliponaxis=False,
        marker={"symbol": point[3], "size": point[2], "color": SELECTION_COLOR,
                "line": {"color": SELECTION_COLOR, "width": 4}})]
    note = {"x": 0, "y": 1, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "bottom",
            "xshift": -_left_margin(picture) + 4, "showarrow": False,
            "text": "selected: " + selection_text(picture.matrices, *highlight),
            "font": {"size": LABEL_FONT, "color": "#212529"}, "bgcolor": "#fff3bf", "bordercolor": SELECTION_COLOR,
            "borderpad": 2}
    return traces, [note]


def _headline(picture: _Picture) -> dict:
    """Which sample, which way the numbers flow."""
    phase, sample = picture.phase, picture.sample
    who = f"sample s{sample + 1}" if sample is not None else f"mean of {picture.matrices['X'].shape[1]} samples"
    flow = {"forward": "values flow →", "backward": "gradients flow ←", "update": "W ← W − η·dLoss_W"}[phase]
    who = "all samples" if phase == "update" else who
    return {"x": 0, "y": 1, "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "bottom",
            "xshift": -_left_margin(picture) + 4, "yshift": HEADLINE_GAP if picture.target is not None else 0,
            "text": f"{who} · {flow}",
            "showarrow": False, "font": {"size": LABEL_FONT, "color": "#495057"}}


def _left_margin(picture: _Picture) -> int:
    """px for the inputs' names left of the input nodes: as wide as the longest, so no width cuts them."""
    lines = [line for unit in picture.inputs for line in name_lines(picture.names[unit], picture.label_chars)]
    longest = max(map(len, lines), default=0)
    if picture.folded:
        longest = max(longest, len(f"{picture.folded} more"))
    return int(longest * LABEL_FONT * CHAR_WIDTH) + 8


def _layout(picture: _Picture, annotations: list[dict], height: int | None) -> dict:
    """The names in the left margin (``_left_margin``); the nodes spread over the rest of the width."""
    slots = max(len(picture.y_in), picture.n_h, 1)
    selected = picture.target is not None
    return dict(
        template=TEMPLATE, height=height or int(70 + SLOT_HEIGHT * slots),
        margin={"l": _left_margin(picture), "r": RIGHT_MARGIN,
                "t": 26 + (HEADLINE_GAP if selected else 0), "b": 4},
        showlegend=False, annotations=annotations, hovermode="closest", dragmode=False, clickmode="event+select",
        xaxis={"visible": False, "range": [-X_PAD, LAYER_X["output"] + X_PAD], "fixedrange": True},
        yaxis={"visible": False, "range": [-slots / 2 - 0.25, slots / 2 + 0.05], "fixedrange": True},
        font={"size": LABEL_FONT},
    )


def _scatter(**properties) -> dict:
    return {"type": "scatter", **properties}


def selection_text(matrices: Mapping[str, np.ndarray], matrix: str, cell: tuple[int, int]) -> str:
    """'dLoss_W1[h3,f2] = −0.0447', or 'W2[h2]: 0.12 → −0.306' for a cell of the update."""
    value = float(np.asarray(matrices[matrix])[tuple(cell)])
    if matrix.startswith("new "):
        before = float(np.asarray(matrices[matrix.removeprefix("new ")])[tuple(cell)])
        return f"{cell_label(matrix.removeprefix('new '), cell)}: {format_number(before)} → {format_number(value)}"
    return f"{cell_label(matrix, cell)} = {format_number(value)}"


def _node_hover(matrices, layer, unit, quantity, value, sample, unit_cut, names) -> str:
    title = names[unit] if layer == "input" else f"hidden unit h{unit + 1}" if layer == "hidden" else "output"
    if quantity is None:
        return f"{title}: not computed yet at this stage"
    where = f"s{sample + 1}" if sample is not None else "mean over the samples"
    text = f"{title}: {quantity} = {format_number(value)} ({where})"
    if unit_cut:
        text += " · ReLU off (Z1 ≤ 0): ReLU′ = 0 blocks the gradient"
    return text


def describe_network_diagram(matrices: Mapping[str, np.ndarray], stage: str, *, sample: int | None = 0,
                             highlight: tuple[str, tuple[int, int]] | None = None) -> str:
    """One or two sentences for screen readers: what the picture shows at this stage and sample."""
    matrices = complete_matrices(matrices)
    n_h, n_x = matrices["W1"].shape
    phase = stage_phase(stage)
    who = f"sample s{sample + 1}" if sample is not None else f"the mean over {matrices['X'].shape[1]} samples"
    q_in, q_hidden, q_out = NODE_QUANTITY[stage]
    shows = ", ".join(f"{q} on the {where}" for q, where in ((q_hidden, "hidden units"), (q_out, "output"))
                      if q is not None) or "no node values yet"
    edges = f"edges show {edge_quantity('W1', stage)} and {edge_quantity('W2', stage)}"
    off = np.flatnonzero(relu_off(matrices, sample))
    cut = ""
    if off.size and phase != "update" and (phase == "backward" or STAGE_ORDER.index(stage) >= STAGE_ORDER.index("A1")):
        units = ", ".join(f"h{h + 1}" for h in off)
        effect = "no gradient flows through them" if phase == "backward" else "they output 0"
        cut = f" ReLU off (Z1 ≤ 0) for {units}: {effect}."
    text = (f"Network diagram, {phase} pass at stage {stage}, for {who}: {n_x} inputs, {n_h} hidden units, one "
            f"output; {shows}; {edges} (red positive, blue negative, thicker = larger).{cut}")
    if highlight is not None:
        matrix, cell = highlight
        if matrix in matrices:
            text += f" Selected: {cell_label(matrix, cell)} = {format_number(float(matrices[matrix][tuple(cell)]))}."
    return text
