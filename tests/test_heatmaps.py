"""Heatmap, warm-up and loss-history figures: the numbers drawn are the numbers given, readable and centred on 0."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.plotly_spec import traces_by_name
from viz.derivative import derivative_figure, secant_slope, tangent_slope
from viz.heatmaps import LINE_BREAK, MatrixPanel, cell_for_heatmap_point, describe_equation, equation_figure
from viz.history import loss_history_figure
from viz.style import HIGHLIGHT_COLOR, SELECTION_COLOR, SIGNED_COLORSCALE, format_number, symmetric_limit


def panel(name, values, highlight=False, **kwargs):
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    return MatrixPanel(name, values, [f"h{i + 1}" for i in range(rows)], [f"s{j + 1}" for j in range(cols)],
                       "hidden units", "samples", highlight=highlight, **kwargs)


def as_streamlit_sends(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def test_values_survive_the_json_round_trip_exactly():
    rng = np.random.default_rng(0)
    W1, X, Z1 = rng.normal(size=(4, 3)), rng.normal(size=(3, 6)), rng.normal(size=(4, 6)) * 1e-5
    fig = equation_figure([panel("W1", W1), "·", panel("X", X), "=", panel("Z1", Z1, highlight=True)])
    drawn = traces_by_name(as_streamlit_sends(fig))
    assert set(drawn) == {"W1", "X", "Z1"}
    np.testing.assert_array_equal(drawn["W1"], W1)
    np.testing.assert_array_equal(drawn["X"], X)
    np.testing.assert_array_equal(drawn["Z1"], Z1)


def test_cells_print_format_number_and_scale_is_centred_on_zero():
    values = np.array([[0.5, -2.0, 1e-5], [3.0, 0.0, -0.25]])
    trace = equation_figure([panel("A", values)]).data[0]
    assert [list(row) for row in trace.text] == [[format_number(v) for v in row] for row in values]
    assert trace.texttemplate == "%{text}"
    assert trace.zmin == -symmetric_limit(values) and trace.zmax == symmetric_limit(values) == 3.0
    assert trace.zmid == 0
    assert trace.colorscale == go.Heatmap(colorscale=SIGNED_COLORSCALE).colorscale
    assert not trace.showscale


def test_rows_and_columns_are_labelled():
    fig = equation_figure([panel("Z1", np.ones((2, 3)))])
    trace = fig.data[0]
    assert list(trace.y) == ["h1", "h2"] and list(trace.x) == ["s1", "s2", "s3"]
    texts = {annotation.text for annotation in fig.layout.annotations}
    assert {"hidden units", "samples", "<b>Z1</b>"} <= texts
    assert fig.layout.yaxis.autorange == "reversed", "row 1 is drawn on top, as the matrix is written"


def test_only_the_computed_matrix_is_highlighted():
    fig = equation_figure([panel("A1", np.ones((2, 2))), "→", panel("Z2", np.ones((1, 2)), highlight=True)])
    assert len(fig.layout.shapes) == 1
    assert fig.layout.shapes[0].line.color == HIGHLIGHT_COLOR
    titles = [a for a in fig.layout.annotations if a.text.startswith("<b>")]
    assert [a.text for a in titles] == ["<b>A1</b>", "<b>Z2  ← computed</b>"]
    assert titles[1].font.color == HIGHLIGHT_COLOR
    # the frame surrounds the highlighted panel's cells
    x0, x1 = fig.layout.xaxis2.domain
    assert fig.layout.shapes[0].x0 < x0 < x1 < fig.layout.shapes[0].x1


def _panel_boxes(fig):
    boxes = []
    for index in range(len(fig.data)):
        suffix = "" if index == 0 else str(index + 1)
        boxes.append((fig.layout[f"xaxis{suffix}"].domain, fig.layout[f"yaxis{suffix}"].domain))
    return boxes


def test_wide_equations_wrap_instead_of_shrinking_cells():
    wide = [panel("W1", np.ones((4, 3))), "·", panel("X", np.ones((3, 16))), "+", panel("b1", np.ones((4, 1))),
            "=", panel("Z1", np.ones((4, 16)), highlight=True)]
    narrow_fig, wide_fig = equation_figure(wide, max_width=900), equation_figure(wide, max_width=10_000)
    def line_centres(fig):  # panels on one line share their vertical centre ("W1 · X + b1 = Z1" lines up)
        return {round((y0 + y1) / 2, 6) for _, (y0, y1) in _panel_boxes(fig)}
    assert len(line_centres(narrow_fig)) > 1
    assert len(line_centres(wide_fig)) == 1
    # same cell size in pixels either way: width of X's cells = its domain × figure width
    def x_cell_px(fig):
        (x0, x1), _ = _panel_boxes(fig)[1]
        return (x1 - x0) * fig.layout.width / 16
    assert x_cell_px(narrow_fig) == pytest.approx(x_cell_px(wide_fig))
    assert narrow_fig.layout.width <= 960
    for (x0, x1), (y0, y1) in _panel_boxes(narrow_fig):
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert narrow_fig.layout.height > wide_fig.layout.height


def test_panels_on_a_line_do_not_overlap_and_explicit_breaks_start_lines():
    fig = equation_figure([panel("a", np.ones((2, 2))), "+", panel("b", np.ones((2, 5))), LINE_BREAK,
                           panel("c", np.ones((1, 1)))])
    (ax, ay), (bx, by), (cx, cy) = _panel_boxes(fig)
    assert ax[1] < bx[0]
    assert ay == by and cy[1] < ay[0]


def test_operator_before_a_wrapped_panel_moves_with_it():
    fig = equation_figure([panel("a", np.ones((2, 8))), "=", panel("b", np.ones((2, 8)))], max_width=700)
    operator = next(a for a in fig.layout.annotations if a.text == "=")
    (_, _), (_, (b_y0, b_y1)) = _panel_boxes(fig)
    assert b_y0 <= operator.y <= b_y1


def test_color_limit_draws_small_differences_pale():
    trace = equation_figure([panel("difference", np.array([[1e-6, -2e-6]]), color_limit=0.5)]).data[0]
    assert trace.zmax == 0.5 and trace.zmin == -0.5


def test_a_single_matrix_is_a_one_panel_equation():
    fig = equation_figure([panel("W2", np.array([[0.1, -0.2]]))], title="W2")
    assert len(fig.data) == 1 and fig.layout.title.text == "W2"


@pytest.mark.parametrize("x, limit", [(3.0, 6.0), (-2.0, -4.0), (0.5, 1.0)])
def test_secant_slope_tends_to_the_tangent(x, limit):
    assert tangent_slope(x) == limit
    errors = [abs(secant_slope(x, h) - limit) for h in (1.0, 0.1, 0.01, 0.001)]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] == pytest.approx(0.001, rel=1e-6)  # for x² the secant's slope is exactly 2x + h


def test_derivative_figure_draws_secant_and_tangent_through_x():
    fig = derivative_figure(3.0, 1.0)
    names = [trace.name for trace in fig.data]
    assert any("secant" in name and "= 7" in name for name in names)
    assert any("tangent" in name and "= 6" in name for name in names)
    secant = next(trace for trace in fig.data if trace.name.startswith("secant"))
    slope = (secant.y[1] - secant.y[0]) / (secant.x[1] - secant.x[0])
    assert slope == pytest.approx(7.0)
    points = fig.data[-1]
    assert list(points.x) == [3.0, 4.0] and list(points.y) == [9.0, 16.0]


def test_loss_history_figure_plots_the_losses():
    fig = loss_history_figure([0.7, 0.6, 0.5])
    np.testing.assert_array_equal(fig.data[0].y, [0.7, 0.6, 0.5])
    np.testing.assert_array_equal(fig.data[0].x, [0, 1, 2])


def test_the_text_alternative_names_every_matrix_its_shape_and_range():
    items = [panel("W1", [[1.0, -2.0], [0.5, 3.0]]), "·", panel("Z1", [[0.25, 4.0]], highlight=True)]
    text = describe_equation(items)
    assert "W1: 2 × 2, values from -2 to 3" in text
    assert "Z1: 1 × 2, computed here, values from 0.25 to 4" in text


def test_selectable_cells_carry_their_matrix_cell_and_round_trip():
    values = np.arange(12.0).reshape(3, 4) - 5
    plain = equation_figure([panel("W1", values), "·", panel("X", values.T)])
    assert [t.type for t in plain.data] == ["heatmap", "heatmap"]  # off by default: nothing changes
    fig = equation_figure([panel("W1", values), "·", panel("X", values.T)], selectable=True)
    targets = [t for t in fig.data if t.type == "scatter"]
    assert [t.name for t in targets] == ["W1 cells", "X cells"]
    for trace, matrix in zip(targets, (values, values.T), strict=True):
        heatmap = next(t for t in fig.data if t.type == "heatmap" and t.xaxis == trace.xaxis)
        assert len(trace.customdata) == matrix.size and trace.hoverinfo != "skip"  # "skip" would also drop clicks
        for k, data in enumerate(trace.customdata):
            name, (row, col) = cell_for_heatmap_point({"customdata": data})
            assert name == heatmap.name
            assert (trace.y[k], trace.x[k]) == (heatmap.y[row], heatmap.x[col])  # the marker sits on its cell
            assert f"= {matrix[row, col]:.6g}" in trace.hovertext[k]
    assert traces_by_name(fig.to_dict()).keys() == {"W1", "X"}
    assert cell_for_heatmap_point({"customdata": ["edge", "W1", 0, 0]}) is None
    assert cell_for_heatmap_point({}) is None


def test_a_selected_cell_is_framed_on_its_cell():
    values = np.zeros((3, 4))
    fig = equation_figure([panel("W1", values, selected=(2, 1))])
    frames = [s for s in fig.layout.shapes if s.line.color == SELECTION_COLOR]
    assert len(frames) == 1
    axis = fig.layout.xaxis.domain, fig.layout.yaxis.domain
    width, height = (axis[0][1] - axis[0][0]) / 4, (axis[1][1] - axis[1][0]) / 3
    frame = frames[0]
    assert frame.x0 == pytest.approx(axis[0][0] + 1 * width) and frame.x1 == pytest.approx(axis[0][0] + 2 * width)
    assert frame.y1 == pytest.approx(axis[1][1] - 2 * height) and frame.y0 == pytest.approx(axis[1][1] - 3 * height)
    assert not [s for s in equation_figure([panel("W1", values)]).layout.shapes if s.line.color == SELECTION_COLOR]


def test_compact_keeps_every_number_and_label_and_takes_less_room():
    """A slide's equation (COMPACT): the same cells, tick labels and panel names at 12 px or more, only the axis
    titles dropped, and narrower and shorter (test_guided_lesson: every stage of the lesson fits a projector)."""
    from viz.heatmaps import COMPACT

    values = -np.linspace(0.0123, 0.0987, 20).reshape(4, 5)  # "-0.0123" … "-0.0987": the lesson's longest
    items = [panel("dLoss_A1", values), "⊙ ReLU′(", panel("Z1", values), ")", "=",
             panel("dLoss_Z1", values, highlight=True)]
    regular = equation_figure(items, max_width=10_000)
    compact = equation_figure(items, max_width=10_000, geometry=COMPACT)
    assert [list(map(list, t.text)) for t in compact.data] == [list(map(list, t.text)) for t in regular.data]
    assert max(len(text) for row in compact.data[0].text for text in row) == 7
    assert compact.layout.width < 0.9 * regular.layout.width and compact.layout.height < 0.8 * regular.layout.height
    texts = [a.text for a in compact.layout.annotations]
    assert {"hidden units", "samples"} <= {a.text for a in regular.layout.annotations}
    assert not {"hidden units", "samples"} & set(texts)
    assert {"⊙ ReLU′(", ")", "=", "<b>Z1</b>"} <= set(texts)
    sizes = [a.font.size for a in compact.layout.annotations] + [t.textfont.size for t in compact.data]
    sizes += [axis.tickfont.size for name, axis in compact.layout.to_plotly_json().items()
              if name.startswith(("xaxis", "yaxis")) for axis in [go.layout.XAxis(axis)]]
    assert min(sizes) >= 12
    # every x axis still labels its samples where the regular figure does
    shown = {name: axis["showticklabels"] for name, axis in compact.layout.to_plotly_json().items()
             if name.startswith("xaxis")}
    assert shown == {name: axis["showticklabels"] for name, axis in regular.layout.to_plotly_json().items()
                     if name.startswith("xaxis")}
