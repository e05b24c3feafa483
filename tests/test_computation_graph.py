"""The computation-graph figure: every node shows nn_core's value (forward) or grad (backward) for the sample,
at every stage; the lit path follows the article's backward order; the text alternative says the same."""

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.stages import STAGE_KEYS
from nn_core.graph import GRAPH_EDGES, GRAPH_NODES, NODES_BY_KEY
from nn_core.network import GRADIENT_NAMES
from tests.test_chains import make_example
from tests.test_graph import core_matrices
from viz.computation_graph import (
    COLUMN,
    GRAD,
    GRAPH_LAYOUTS,
    GRAPH_STAGES,
    NO_GRAD,
    PENDING,
    ROW,
    TWO_ROWS,
    VALUE,
    computation_graph_figure,
    computation_graph_figures,
    describe_computation_graph,
    edge_shape,
    flowed_edges,
    grad_stage,
    graph_readings,
    lit_nodes,
    node_for_point,
    node_reading,
    reached_nodes,
)
from viz.style import HIGHLIGHT_COLOR, format_number

# The stage at which each node's value, and its grad, first exist (the article's forward and backward order).
VALUE_FROM = {"X": "X", "Y": "X", "W1": "W1_b1", "b1": "W1_b1", "W1·X": "Z1", "+ b1": "Z1", "ReLU": "A1",
              "W2": "W2_b2", "b2": "W2_b2", "W2·A1": "Z2", "+ b2": "Z2", "σ": "Yh", "loss": "Loss"}
GRAD_FROM = {"loss": "dLoss_Yh", "σ": "dLoss_Yh", "+ b2": "dLoss_Z2", "W2·A1": "dLoss_A1", "ReLU": "dLoss_A1",
             "W2": "dLoss_W2", "b2": "dLoss_b2", "+ b1": "dLoss_Z1", "W1·X": "dLoss_W1", "W1": "dLoss_W1",
             "b1": "dLoss_b1"}
shapes = st.tuples(st.integers(1, 6), st.integers(1, 8), st.integers(1, 16), st.integers(0, 10_000))


def expected_matrix(v, key: str, backward: bool) -> np.ndarray:
    """Straight from the core's matrices by the article's names (not through nn_core.graph)."""
    if backward:
        return {"W1": v["dLoss_W1"], "W1·X": v["dLoss_Z1"], "b1": v["dLoss_b1"], "+ b1": v["dLoss_Z1"],
                "ReLU": v["dLoss_A1"], "W2": v["dLoss_W2"], "W2·A1": v["dLoss_Z2"], "b2": v["dLoss_b2"],
                "+ b2": v["dLoss_Z2"], "σ": v["dLoss_Yh"], "loss": np.ones((1, 1))}[key]
    return {"X": v["X"], "W1": v["W1"], "W1·X": v["W1"] @ v["X"], "b1": v["b1"], "+ b1": v["Z1"], "ReLU": v["A1"],
            "W2": v["W2"], "W2·A1": v["W2"] @ v["A1"], "b2": v["b2"], "+ b2": v["Z2"], "σ": v["Yh"], "Y": v["Y"],
            "loss": v["Loss"]}[key]


def test_the_stages_are_the_lessons():
    assert GRAPH_STAGES == STAGE_KEYS


@settings(max_examples=25, deadline=None)
@given(shapes, st.data())
def test_every_node_shows_the_cores_numbers_for_the_sample_at_every_stage(shape, data):
    params, X, Y = make_example(*shape, zero_z1=data.draw(st.booleans()))
    v = core_matrices(params, X, Y)
    sample = data.draw(st.one_of(st.none(), st.integers(0, X.shape[1] - 1)))
    for stage in STAGE_KEYS:
        position = STAGE_KEYS.index(stage)
        backward = position >= STAGE_KEYS.index("dLoss_Yh")
        for node in GRAPH_NODES:
            reading = node_reading(v, node.key, stage, sample)
            if backward and node.key in ("X", "Y"):
                assert reading.mode == NO_GRAD and reading.numbers is None
                continue
            ready = STAGE_KEYS.index(GRAD_FROM[node.key] if backward else VALUE_FROM[node.key]) <= position
            if not ready:
                assert reading.mode == PENDING and reading.numbers is None, (stage, node.key)
                continue
            assert reading.mode == (GRAD if backward else VALUE), (stage, node.key)
            matrix = expected_matrix(v, node.key, backward)
            if node.key == "W1":
                expected = matrix
            elif node.per_sample:
                expected = matrix[:, sample] if sample is not None else matrix.mean(axis=1)
            else:
                expected = matrix.ravel()
            np.testing.assert_allclose(reading.numbers, expected, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{stage}: {node.key}")
            if node.key != "W1":  # every number shown is written in the box, in order
                assert len(reading.lines) == expected.size
                blocked = backward and node.key == "+ b1" and sample is not None
                for h, (line, number) in enumerate(zip(reading.lines, expected, strict=True)):
                    words = line.split()
                    if blocked:  # a unit whose ReLU was off says so (Z1 ≤ 0: nothing flows back to it)
                        assert (words[-1] == "off") == (not v["Z1"][h, sample] > 0), (stage, line)
                        words = words[:-1] if words[-1] == "off" else words
                    assert words[-1] == format_number(float(number)), (stage, node.key, line)


def test_the_gradient_flows_back_from_the_loss_in_the_articles_order():
    reached, crossed = set(), []
    backward_stages = [stage for stage in STAGE_KEYS if stage.startswith("dLoss_")]
    assert backward_stages == list(GRADIENT_NAMES)
    for stage in backward_stages:
        new = reached_nodes(stage) - reached
        assert new == set(lit_nodes(stage)), stage
        # the matrix this stage computes is the grad of a node reached here
        assert stage in {NODES_BY_KEY[key].grad_name for key in new if key != "loss"}, stage
        steps = flowed_edges(stage)[len(crossed):]
        assert flowed_edges(stage)[:len(crossed)] == crossed  # the lit path only grows
        for source, target in steps:  # each step goes from a node the gradient has reached to a new one
            assert (source, target) in GRAPH_EDGES and source in new and target in reached | new, (stage, source)
        reached, crossed = reached | new, flowed_edges(stage)
    assert reached == {node.key for node in GRAPH_NODES} - {"X", "Y"}
    assert ("X", "W1·X") not in flowed_edges("dLoss_b1")  # the article never needs dX
    assert {key: grad_stage(key) for key in GRAD_FROM} == GRAD_FROM and grad_stage("X") is None


def _node_texts(fig) -> dict[str, str]:
    texts = [a.text for a in fig.layout.annotations if a.text and a.text.startswith("<b>")]
    return {text[3:text.index("</b>")]: text for text in texts}


@pytest.mark.parametrize("stage", ["Z1", "dLoss_A1", "dLoss_W1", "update"])
def test_the_figure_draws_the_readings_lights_the_stage_and_carries_the_shapes(stage):
    params, X, Y = make_example(3, 4, 5, 7)
    v = core_matrices(params, X, Y)
    fig = computation_graph_figure(v, stage, sample=2, selected="ReLU")
    go.Figure(fig.to_dict())  # built unvalidated for speed: every property must still be a valid one
    clickable = fig.data[0]
    assert [row[0] for row in clickable.customdata] == [node.key for node in GRAPH_NODES]
    texts = _node_texts(fig)
    for node in GRAPH_NODES:
        for line in node_reading(v, node.key, stage, 2).lines:
            assert line in texts[node.label], (node.key, line)
    lit_borders = {shape.line.color for shape in fig.layout.shapes if shape.line.width == 3.5}
    assert lit_borders == {HIGHLIGHT_COLOR}
    assert sum(shape.line.width == 3.5 for shape in fig.layout.shapes) == len(lit_nodes(stage))
    labels = [a.text for a in fig.layout.annotations if a.text and a.text.startswith("(")]
    assert labels == [str(edge_shape(v, source)).replace(" ", "") for source, _ in GRAPH_EDGES]
    assert "(4,5)" in labels and "(3,5)" in labels and "(1,4)" in labels  # (n_h, m), (n_x, m), W2's (1, n_h)
    arrows = [a for a in fig.layout.annotations if a.showarrow]
    lit_arrows = [a for a in arrows if a.arrowcolor == HIGHLIGHT_COLOR]
    if stage == "dLoss_A1":  # loss → σ → + b2 → W2·A1 → ReLU, pointing back
        assert len(lit_arrows) == 4
        assert all(a.x < a.ax for a in lit_arrows)
    if stage == "update":  # every edge but the two into X and Y, which no gradient reaches
        assert len(lit_arrows) == len(GRAPH_EDGES) - 2
    assert any(shape.line.dash == "dot" for shape in fig.layout.shapes)  # the selected node is framed


def test_a_click_names_its_node():
    assert node_for_point({"customdata": ["ReLU"]}) == "ReLU"
    assert node_for_point({"customdata": ["nothing"]}) is None
    assert node_for_point(None) is None


def test_the_text_alternative_tells_the_path_and_the_numbers():
    params, X, Y = make_example(3, 4, 5, 7)
    v = core_matrices(params, X, Y)
    text = describe_computation_graph(v, "dLoss_Z1", sample=1)
    assert "loss → σ, σ → + b2" in text and "ReLU → + b1" in text and "this step reaches + b1" in text
    assert format_number(float(v["dLoss_Z1"][0, 1])) in text and "W1: not yet" in text
    assert "sample s2" in text


def test_the_z1_node_marks_the_units_relu_blocked():
    params, X, Y = make_example(3, 4, 5, 3, zero_z1=True)  # sample s1: h1 has Z1 exactly 0, so ReLU blocks it
    v = core_matrices(params, X, Y)
    lines = node_reading(v, "+ b1", "dLoss_Z1", 0).lines
    assert [line.endswith("off") for line in lines] == [not z > 0 for z in v["Z1"][:, 0]]
    assert lines[0] == "h1  0  off"


def _sample_loss_from(key: str, value: np.ndarray, v, s: int) -> float:
    """Sample s's own cross-entropy, recomputed from node ``key``'s value for that sample (plain NumPy)."""
    if key == "+ b1":  # Z1 → A1
        value = np.maximum(value, 0)
    if key in ("+ b1", "ReLU"):  # A1 → Z2
        value = v["W2"] @ value + v["b2"][:, 0]
    yh = float(value[0] if key == "σ" else 1 / (1 + np.exp(-value[0])))
    y = v["Y"][0, s]
    return float(-(y * np.log(yh) + (1 - y) * np.log(1 - yh)))


@pytest.mark.parametrize(("key", "value_name"), [("σ", "Yh"), ("+ b2", "Z2"), ("ReLU", "A1"), ("+ b1", "Z1")])
def test_a_per_sample_grad_is_the_slope_of_that_samples_own_loss_as_the_words_say(key, value_name):
    """The graph's words (GRAD_MEANING) against finite differences: at a per-sample node, sample s shows the slope of
    its own loss L_s — m times the slope of the mean loss — exactly as the dLoss matrices do."""
    from viz.computation_graph import GRAD_MEANING

    params, X, Y = make_example(3, 4, 5, 7)
    v = core_matrices(params, X, Y)
    m, s, h = X.shape[1], 2, 1e-6
    shown = node_reading(v, key, "update", s).numbers
    column = v[value_name][:, s].astype(float)
    others = sum(_sample_loss_from(key, v[value_name][:, k], v, k) for k in range(m) if k != s)
    own, mean = [], []
    for j in range(column.size):
        up, down = column.copy(), column.copy()
        up[j] += h
        down[j] -= h
        L_up, L_down = _sample_loss_from(key, up, v, s), _sample_loss_from(key, down, v, s)
        own.append((L_up - L_down) / (2 * h))
        mean.append(((others + L_up) / m - (others + L_down) / m) / (2 * h))
    np.testing.assert_allclose(shown, own, rtol=1e-5, atol=1e-8)  # the slope of the sample's own loss …
    np.testing.assert_allclose(shown, m * np.array(mean), rtol=1e-5, atol=1e-8)  # … = m × that of the mean loss
    assert "own loss" in GRAD_MEANING and "m times its slope in the mean loss" in GRAD_MEANING
    assert "dLoss/d(node)" not in describe_computation_graph(v, "dLoss_Z1", sample=s)
    assert GRAD_MEANING in describe_computation_graph(v, "dLoss_Z1", sample=s)


def test_a_parameters_grad_is_the_slope_of_the_mean_loss():
    from nn_core.network import forward, loss

    params, X, Y = make_example(3, 4, 5, 7)
    v = core_matrices(params, X, Y)
    shown = node_reading(v, "W2", "update", 2).numbers
    h, slopes = 1e-6, []
    for j in range(params["W2"].shape[1]):
        up = {**params, "W2": params["W2"].copy()}
        down = {**params, "W2": params["W2"].copy()}
        up["W2"][0, j] += h
        down["W2"][0, j] -= h
        slopes.append((loss(forward(up, X), Y) - loss(forward(down, X), Y)) / (2 * h))
    np.testing.assert_allclose(shown, slopes, rtol=1e-5, atol=1e-8)


def _node_boxes(fig) -> dict[str, tuple[float, float, float, float]]:
    """Each node's box (x0, x1, y0, y1) in px, by the node its centre marker names."""
    rects = [shape for shape in fig.layout.shapes if shape.type == "rect" and shape.line.dash != "dot"]
    keys = [row[0] for row in fig.data[0].customdata]
    centres = dict(zip(keys, zip(fig.data[0].x, fig.data[0].y, strict=True), strict=True))
    boxes = {}
    for key, (x, y) in centres.items():
        (rect,) = [r for r in rects if r.x0 < x < r.x1 and r.y0 < y < r.y1]
        boxes[key] = (rect.x0, rect.x1, rect.y0, rect.y1)
    return boxes


# The widest example the forward & backward page allows (6 features, 8 units, 16 samples) and the default one.
EXAMPLES = [(6, 8, 16, 11), (3, 4, 5, 7)]


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("stage", ["X", "Z1", "dLoss_Z1", "dLoss_W1", "update"])
def test_every_layout_keeps_boxes_apart_inside_the_figure_with_12px_text(example, stage):
    """Issue 28: the graph is drawn for the width there is — a row, two rows, a column — never squeezed: no two
    boxes overlap, every box is inside the figure, every text is at least 12 px; two rows fit a projector's
    presenter column (803 CSS px at 1280×720 and 150 %), a column fits a phone's (358 px)."""
    params, X, Y = make_example(*example, zero_z1=True)
    v = core_matrices(params, X, Y)
    figures = computation_graph_figures(v, stage, sample=0)
    assert [fig.layout.width for fig in figures] == sorted((fig.layout.width for fig in figures), reverse=True)
    widths = dict(zip(GRAPH_LAYOUTS, (fig.layout.width for fig in figures), strict=True))
    assert widths[TWO_ROWS] <= 803 and widths[COLUMN] <= 358 and widths[ROW] <= 1400, widths
    for fig in figures:
        go.Figure(fig.to_dict())  # valid
        boxes = _node_boxes(fig)
        assert set(boxes) == {node.key for node in GRAPH_NODES}
        for key, (x0, x1, y0, y1) in boxes.items():
            assert x0 >= 0 and x1 <= fig.layout.width and y0 >= 0 and y1 <= fig.layout.height, key
        keys = list(boxes)
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = boxes[a], boxes[b]
                assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
        sizes = [a.font.size or fig.layout.font.size for a in fig.layout.annotations if a.text]
        assert min(sizes) >= 12 and fig.layout.font.size >= 12
        assert "font-size" not in " ".join(a.text for a in fig.layout.annotations if a.text)  # no smaller span


def test_two_rows_break_before_relu_and_a_column_runs_top_to_bottom():
    params, X, Y = make_example(3, 4, 5, 7)
    v = core_matrices(params, X, Y)
    row, two, column = (_node_boxes(computation_graph_figure(v, "Z1", layout=layout)) for layout in GRAPH_LAYOUTS)
    main_line = ["X", "W1·X", "+ b1", "ReLU", "W2·A1", "+ b2", "σ", "loss"]
    assert len({round((row[key][2] + row[key][3]) / 2, 6) for key in main_line}) == 1  # centred on one line
    first, second = main_line[:3], main_line[3:]
    assert max(two[key][3] for key in first) < min(two[key][2] for key in second)  # the second row is below
    assert two["ReLU"][0] == two["X"][0]  # and starts at the left again
    assert all(column[a][3] < column[b][2] for a, b in zip(main_line, main_line[1:], strict=False))  # top to bottom
    for param, op in {"W1": "W1·X", "b1": "+ b1", "W2": "W2·A1", "b2": "+ b2", "Y": "loss"}.items():
        assert row[param][3] < row[op][2] and row[param][0] == row[op][0]  # right above its op
        assert column[param][1] < column[op][0]  # left of its op


def test_x_and_y_say_in_words_why_they_have_no_grad():
    params, X, Y = make_example(3, 4, 5, 7)
    v = core_matrices(params, X, Y)
    readings = graph_readings(v, "dLoss_W1", 0)
    assert readings["X"].lines == ("X is data",) and readings["Y"].lines == ("Y is a label",)
    assert "X: X is data" in describe_computation_graph(v, "dLoss_W1", sample=0)
