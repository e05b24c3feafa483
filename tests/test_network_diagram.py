"""The network diagram: few traces, colours by sign, dead ReLU units cut, highlights and click mapping."""

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from lessons.stages import STAGE_KEYS
from lessons.step_through import collect_matrices
from nn_core.chains import sample_contributions
from nn_core.network import init_params
from viz.network_diagram import (
    CUT_COLOR,
    NODE_SIZE,
    PX_PER_X,
    SLOT_HEIGHT,
    STAGE_ORDER,
    cell_for_point,
    describe_network_diagram,
    diagram_edges,
    diagram_target_for_cell,
    edge_quantity,
    linked_cells,
    network_diagram_figure,
    relu_off,
    shown_inputs,
)
from viz.style import SELECTION_COLOR


def example(n_x=3, n_h=4, m=5, seed=1, lr=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = (np.arange(m) % 2).reshape(1, m).astype(float)
    params = init_params(n_x, n_h, seed=seed)
    params["b1"] = rng.normal(scale=0.2, size=(n_h, 1))
    return collect_matrices(params, X, Y, lr)


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in re.findall(r"\d+", colour)[:3])


def edge_traces(fig):
    return [t for t in fig.data if t.name.startswith("edges ")]


def drawn_edges(fig) -> dict[tuple[str, int, int], object]:
    """(layer, row, col) → the line trace that draws it."""
    out = {}
    for trace in edge_traces(fig):
        for data in trace.customdata:
            if data is not None:
                out[(data[1], int(data[2]), int(data[3]))] = trace
    return out


def stage_values(matrices, layer, stage, sample):
    quantity = edge_quantity(layer, stage)
    return sample_contributions(matrices, sample)[quantity] if quantity.startswith("dLoss_") else matrices[quantity]


def test_the_diagram_knows_every_stage_of_the_walk():
    assert STAGE_ORDER == STAGE_KEYS
    matrices = example()
    for stage in STAGE_KEYS:
        fig = network_diagram_figure(matrices, stage, sample=1, highlight=("dLoss_W1", (0, 1)))
        go.Figure(fig.to_dict())  # the figure is built unvalidated for speed: validate the spec here
        assert describe_network_diagram(matrices, stage, sample=None)


@pytest.mark.parametrize("stage", ["Z2", "dLoss_W1", "update"])
def test_one_edge_per_weight_in_a_few_traces(stage):
    matrices = example(n_x=6, n_h=8, m=7)
    fig = network_diagram_figure(matrices, stage, sample=2)
    edges = drawn_edges(fig)
    assert len(edges) == 6 * 8 + 8
    assert len(edge_traces(fig)) <= 18 < len(edges)
    handles = next(t for t in fig.data if t.name == "edge handles")
    assert len(handles.x) == 2 * len(edges)  # an invisible start point and the arrowhead, per edge


@pytest.mark.parametrize(("stage", "sample"), [("W1_b1", 0), ("dLoss_W1", 0), ("dLoss_W1", None), ("update", 3)])
def test_edges_are_coloured_by_sign(stage, sample):
    matrices = example(n_x=4, n_h=6, m=6, seed=7)
    fig = network_diagram_figure(matrices, stage, sample=sample)
    for (layer, row, col), trace in drawn_edges(fig).items():
        value = stage_values(matrices, layer, stage, sample)[row, col]
        r, _, b = rgb(trace.line.color) if trace.line.color.startswith("rgb") else rgb("rgb(173,181,189)")
        if trace.meta["dashed"] or value == 0:
            assert trace.line.color == CUT_COLOR and (value == 0 or trace.meta["dashed"])
        elif value > 0:
            assert r > b, (layer, row, col, value, trace.line.color)
        else:
            assert b > r, (layer, row, col, value, trace.line.color)


def test_a_hidden_unit_with_its_relu_off_is_cut_at_the_backward_stages():
    matrices = example(n_x=3, n_h=5, m=6, seed=2)
    matrices["X"][:, 4] = 0.0  # Z1 = b1 exactly for sample s5; make unit h1 sit exactly at Z1 = 0
    matrices["b1"][0, 0] = 0.0
    matrices = collect_matrices({k: matrices[k] for k in ("W1", "b1", "W2", "b2")}, matrices["X"], matrices["Y"], 0.5)
    assert matrices["Z1"][0, 4] == 0.0
    for sample in range(6):
        off = matrices["Z1"][:, sample] <= 0
        assert np.array_equal(relu_off(matrices, sample), off)
        fig = network_diagram_figure(matrices, "dLoss_W1", sample=sample)
        hidden = next(t for t in fig.data if t.name == "hidden nodes")
        grey = np.array([fill == "#f1f3f5" for fill in hidden.marker.color])
        assert np.array_equal(grey, off), sample
        marks = [a for a in fig.layout.annotations if "ReLU′=0" in a.text]
        assert len(marks) == off.sum()
        for (layer, row, col), trace in drawn_edges(fig).items():
            unit = row if layer == "W1" else col
            assert trace.meta["dashed"] == bool(off[unit]), (layer, row, col)
        before_relu = network_diagram_figure(matrices, "Z1", sample=sample)
        assert not any("ReLU′=0" in a.text or "off" in a.text for a in before_relu.layout.annotations)
    assert relu_off(matrices, 4)[0]  # Z1 = 0 exactly counts as off (ReLU′(0) = 0)


def test_all_samples_shows_means_and_the_matrices_themselves():
    matrices = example(n_x=3, n_h=4, m=5)
    edges = diagram_edges(matrices, "dLoss_b1", None, [0, 1, 2])
    w1 = {e.index: e.value for e in edges if e.layer == "W1"}
    assert all(w1[(h, f)] == matrices["dLoss_W1"][h, f] for h in range(4) for f in range(3))
    fig = network_diagram_figure(matrices, "Z1", sample=None)
    values = [a.text for a in fig.layout.annotations if a.bgcolor == "rgba(255,255,255,0.85)"]
    assert f"{matrices['Z1'].mean(axis=1)[0]:.3g}" in values


def test_highlight_lights_the_matching_edge():
    matrices = example(n_x=4, n_h=5, m=4)
    fig = network_diagram_figure(matrices, "dLoss_W1", sample=1, highlight=("dLoss_W1", (3, 2)))
    glow = [t for t in fig.data if t.name == "selected edge"]
    assert len(glow) == 1 and glow[0].line.color == SELECTION_COLOR
    edge = next(e for e in diagram_edges(matrices, "dLoss_W1", 1, [0, 1, 2, 3]) if e.index == (3, 2)
                and e.layer == "W1")
    assert list(glow[0].x) == [edge.x0, edge.x1] and list(glow[0].y) == [edge.y0, edge.y1]
    assert any("dLoss_W1[h4,f3]" in a.text for a in fig.layout.annotations)
    other = network_diagram_figure(matrices, "dLoss_W1", sample=1, highlight=("W2", (0, 2)))
    glow = next(t for t in other.data if t.name == "selected edge")
    assert list(glow.x) == [1.0, 2.0]
    node = network_diagram_figure(matrices, "Z1", sample=1, highlight=("Z1", (4, 1)))
    ring = next(t for t in node.data if t.name == "selected point")
    hidden = next(t for t in node.data if t.name == "hidden nodes")
    assert (ring.x[0], ring.y[0]) == (hidden.x[4], hidden.y[4])
    assert not [t for t in node.data if t.name == "selected edge"]


def find_point(fig, kind, layer, index):
    for curve, trace in enumerate(fig.data):
        for i, data in enumerate(trace.customdata if trace.customdata is not None else ()):
            if data is not None and list(data) == [kind, layer, *index] and trace.name in (
                    "edge handles", "input nodes", "hidden nodes", "output nodes", "biases"):
                return {"curve_number": curve, "point_index": i, "customdata": list(data)}
    return None


CELLS = {
    "Z1": ("Z1", "hidden"), "A1": ("A1", "hidden"), "Z2": ("Z2", "output"), "Yh": ("Yh", "output"),
    "dLoss_Z2": ("dLoss_Z2", "output"), "dLoss_A1": ("dLoss_A1", "hidden"), "dLoss_Z1": ("dLoss_Z1", "hidden"),
    "dLoss_W1": ("dLoss_W1", "W1"), "dLoss_W2": ("dLoss_W2", "W2"), "dLoss_b1": ("dLoss_b1", "b1"),
    "dLoss_b2": ("dLoss_b2", "b2"), "W1_b1": ("W1", "W1"), "W2_b2": ("b2", "b2"), "update": ("new W1", "W1"),
}


@pytest.mark.parametrize("stage", list(CELLS))
def test_clicks_round_trip_to_the_cell_shown_at_the_stage(stage):
    matrices = example(n_x=3, n_h=4, m=5)
    matrix, _ = CELLS[stage]
    sample = 3
    rows, cols = matrices[matrix].shape
    for row in range(rows):
        for col in range(cols):
            per_sample = cols == matrices["X"].shape[1]
            if per_sample and col != sample:
                continue
            target = diagram_target_for_cell(matrix, (row, col))
            fig = network_diagram_figure(matrices, stage, sample=sample, highlight=(matrix, (row, col)))
            point = find_point(fig, target.kind, target.layer, target.index)
            assert point is not None, (matrix, row, col)
            assert cell_for_point(point, stage, sample) == (matrix, (row, col))
            # Streamlit may give only the curve and point numbers: the figure resolves them
            bare = {"curve_number": point["curve_number"], "point_index": point["point_index"]}
            assert cell_for_point(bare, stage, sample, figure=fig) == (matrix, (row, col))


def test_cells_without_a_place_and_labels_map_to_nothing():
    assert diagram_target_for_cell("dLoss_Z1", (1, 2)).sample == 2
    assert diagram_target_for_cell("new b1", (2, 0)).kind == "bias"
    assert diagram_target_for_cell("Loss", (0, 0)).layer == "output"
    assert diagram_target_for_cell("Nonsense", (0, 0)) is None
    assert cell_for_point({"customdata": None}, "Z1", 0) is None
    assert cell_for_point({}, "Z1", 0) is None


def test_many_inputs_fold_into_an_ellipsis_but_picked_ones_stay():
    assert shown_inputs(4) == ([0, 1, 2, 3], 0)
    shown, folded = shown_inputs(12, picked=[9], max_inputs=6)
    assert 9 in shown and len(shown) == 5 and folded == 7
    matrices = example(n_x=12, n_h=3, m=4)
    fig = network_diagram_figure(matrices, "dLoss_W1", sample=0, highlight=("dLoss_W1", (1, 10)))
    inputs = next(t for t in fig.data if t.name == "input nodes")
    assert [int(d[2]) for d in inputs.customdata][-1] == 10
    assert any(t.name == "folded inputs node" for t in fig.data)
    assert len(drawn_edges(fig)) == 5 * 3 + 3


def test_description_names_the_stage_the_sample_and_the_cut_units():
    matrices = example(n_x=3, n_h=5, m=6, seed=2)
    sample = int(np.argmax((matrices["Z1"] <= 0).sum(axis=0)))
    off = np.flatnonzero(matrices["Z1"][:, sample] <= 0)
    text = describe_network_diagram(matrices, "dLoss_Z1", sample=sample, highlight=("dLoss_W1", (0, 1)))
    assert f"sample s{sample + 1}" in text and "backward" in text and "dLoss_W1[h1,f2]" in text
    assert all(f"h{h + 1}" in text for h in off) and "no gradient" in text
    assert "ReLU off" not in describe_network_diagram(matrices, "Z1", sample=sample)


def test_edge_handles_do_not_sit_on_top_of_each_other():
    """Midpoints coincide in a regular grid of nodes; the handles are clicked, so they must stay apart."""
    matrices = example(n_x=6, n_h=8, m=4)
    handles = next(t for t in network_diagram_figure(matrices, "dLoss_W1", sample=0).data if t.name == "edge handles")
    points = np.column_stack([np.asarray(handles.x[1::2]) * PX_PER_X, np.asarray(handles.y[1::2]) * SLOT_HEIGHT])
    gaps = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 12


def test_linked_cells_are_the_cells_drawn_at_the_same_place():
    assert linked_cells("dLoss_W1", (2, 1)) == {"W1": (2, 1), "dLoss_W1": (2, 1), "new W1": (2, 1)}
    assert linked_cells("A1", (3, 4)) == {name: (3, 4) for name in ("Z1", "A1", "dLoss_A1", "dLoss_Z1")}
    assert linked_cells("Yh", (0, 2))["dLoss_Z2"] == (0, 2)
    assert linked_cells("new b2", (0, 0)) == {"b2": (0, 0), "dLoss_b2": (0, 0), "new b2": (0, 0)}
    assert linked_cells("Loss", (0, 0)) == {"Loss": (0, 0)}
    for matrix, cells in (("dLoss_W1", (1, 2)), ("X", (0, 3)), ("dLoss_Z1", (2, 0))):
        targets = {diagram_target_for_cell(name, cell) for name, cell in linked_cells(matrix, cells).items()}
        assert len(targets) == 1  # one place in the picture


@pytest.mark.parametrize("stage", ["Z1", "dLoss_W1", "update"])
def test_no_clickable_edge_point_sits_on_a_node(stage):
    """Plotly gives a click to the nearest clickable point, and a small point beats a big node: an edge's
    click point inside a node's disc (an arrow's lead point on the node centre) took the clicks on the node."""
    fig = network_diagram_figure(example(n_x=3, n_h=4, m=5), stage, sample=0)
    nodes = np.array([(x, y) for t in fig.data if t.name.endswith(" nodes") for x, y in zip(t.x, t.y, strict=True)])
    scale = np.array([PX_PER_X, SLOT_HEIGHT])
    for trace in fig.data:
        if trace.hoverinfo == "skip" or trace.customdata is None:
            continue
        for x, y, data in zip(trace.x, trace.y, trace.customdata, strict=True):
            if data is not None and data[0] == "edge":
                gap = np.hypot(*((nodes - np.array([x, y])) * scale).T).min()
                assert gap >= NODE_SIZE / 2 + 4, (trace.name, data, gap)


def test_every_edge_can_be_clicked_anywhere_along_its_line():
    """Lines take no clicks; invisible click points every few pixels along each edge stand in for them."""
    matrices = example(n_x=3, n_h=4, m=5)
    fig = network_diagram_figure(matrices, "dLoss_W1", sample=0)
    hits = next(t for t in fig.data if t.name == "edge hit points")
    scale = np.array([PX_PER_X, SLOT_HEIGHT])
    for edge in diagram_edges(matrices, "dLoss_W1", 0, [0, 1, 2]):
        points = np.array([(x, y) for x, y, d in zip(hits.x, hits.y, hits.customdata, strict=True)
                           if (d[1], d[2], d[3]) == (edge.layer, *edge.index)])
        length = np.hypot(*((np.array([edge.x1 - edge.x0, edge.y1 - edge.y0])) * scale))
        steps = np.hypot(*(np.diff(points, axis=0) * scale).T)
        assert steps.max() <= 6.01 and len(points) * 6 >= length - 2 * (NODE_SIZE / 2 + 8) - 6


def test_a_bias_square_at_a_backward_stage_shows_and_picks_its_gradient():
    matrices = example()
    for stage in ("dLoss_Yh", "dLoss_W2", "dLoss_Z1", "dLoss_W1"):
        point = find_point(network_diagram_figure(matrices, stage, sample=0), "bias", "b1", (1, 0))
        assert cell_for_point(point, stage, 0) == ("dLoss_b1", (1, 0))
        point = find_point(network_diagram_figure(matrices, stage, sample=0), "bias", "b2", (0, 0))
        assert cell_for_point(point, stage, 0) == ("dLoss_b2", (0, 0))
    assert cell_for_point(find_point(network_diagram_figure(matrices, "Z2", sample=0), "bias", "b1", (1, 0)),
                          "Z2", 0) == ("b1", (1, 0))


def test_every_feature_name_is_written_whole_on_at_most_two_lines():
    """Issue 28: the diagram cut names to 11 characters ("mean textu…"); now they break between words."""
    from nn_core.data import load_cancer
    from viz.network_diagram import name_lines

    for name in load_cancer().feature_names:
        lines = name_lines(name, 13)
        assert " ".join(lines) == name and len(lines) <= 2, lines
        assert all(len(line) <= 13 or " " not in line for line in lines[:1]), lines
    matrices = example(n_x=3)
    names = ["mean texture", "worst concave points", "<b>x</b> & y"]
    fig = network_diagram_figure(matrices, "Z1", sample=0, feature_names=names)
    texts = [a.text for a in fig.layout.annotations]
    assert "mean texture" in texts and "worst concave<br>points" in texts
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in texts  # a name is drawn as typed, never as markup
    assert not any("…" in text for text in texts if text)


@pytest.mark.parametrize("stage", ["X", "Z1", "Yh", "dLoss_Z1", "dLoss_W1"])
def test_every_value_fits_inside_its_node(stage):
    """Values spilled out of the 34 px circles ("-0.0759" is ~38 px at 12 px): a node is as wide as its longest
    value, at 12 px and 0.5 em a character (the page's font measures 0.45 em)."""
    matrices = example(n_x=4, n_h=5, m=6, seed=3)
    matrices["X"][0, 0] = -0.00123  # the longest a 3-digit number gets outside the e-notation
    fig = network_diagram_figure(matrices, stage, sample=0)
    size = next(t for t in fig.data if t.name == "hidden nodes").marker.size
    values = [a.text for a in fig.layout.annotations if a.bgcolor == "rgba(255,255,255,0.85)" and "✂" not in a.text]
    assert values and all(a.font.size >= 12 for a in fig.layout.annotations if a.text)
    for text in values:
        assert len(text) * 12 * 0.5 + 4 <= size, (text, size)
