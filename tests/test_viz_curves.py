"""Figures of the training page: loss curves, batch-mode overlay, gradient flow."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go

from viz.curves import ComparedRun, batch_mode_figure, compared_runs_figure, gradient_flow_figure, loss_curves_figure
from viz.style import HIGHLIGHT_COLOR, TRAIN_COLOR, VALIDATION_COLOR


def test_loss_curves_show_training_and_validation():
    fig = loss_curves_figure([0, 10, 20], [0.7, 0.3, 0.1], [0.72, 0.35, 0.2], total_iterations=20)
    assert isinstance(fig, go.Figure)
    names = [trace.name for trace in fig.data]
    assert names == ["training", "validation"]
    assert list(fig.data[0].y) == [0.7, 0.3, 0.1] and list(fig.data[1].y) == [0.72, 0.35, 0.2]
    assert fig.data[0].line.color == TRAIN_COLOR and fig.data[1].line.color == VALIDATION_COLOR
    assert fig.layout.yaxis.type != "log" and not fig.layout.shapes
    json.loads(fig.to_json())  # serializable as Streamlit sends it


def test_a_stopped_run_is_marked_where_it_stopped_on_a_log_axis():
    fig = loss_curves_figure([0, 1, 2, 3], [0.69, 2.0, 40.0, 900.0], stopped_at=3, stop_reason="loss exploded")
    assert fig.layout.yaxis.type == "log"  # 0.69 .. 900 spans more than two decades
    assert fig.layout.shapes[0].x0 == 3 and fig.layout.shapes[0].line.color == HIGHLIGHT_COLOR
    marker = fig.data[-1]
    assert list(marker.x) == [3] and list(marker.y) == [900.0] and marker.text == ("loss exploded",)


def test_batch_mode_overlay_has_one_curve_per_mode_of_its_own_length():
    runs = {"Full batch": np.linspace(0.7, 0.1, 50), "Mini-batch": np.linspace(0.7, 0.1, 50) + 0.05,
            "SGD": np.abs(np.random.default_rng(0).normal(0.3, 0.3, 50))}
    fig = batch_mode_figure(runs)
    assert [trace.name for trace in fig.data] == list(runs)
    for trace, losses in zip(fig.data, runs.values(), strict=True):
        np.testing.assert_allclose(trace.y, losses)
        assert trace.x[0] == 1 and len(trace.x) == len(losses)
    assert len({trace.line.color for trace in fig.data}) == 3


def test_gradient_flow_puts_norms_on_a_log_axis_and_dead_units_on_a_share_axis():
    fig = gradient_flow_figure([0, 5, 10], {"layer 1 (W1, b1)": [1.0, 0.5, 0.1], "layer 2 (W2, b2)": [2.0, 1.0, 0.3]},
                               [0.0, 0.1, 0.2])
    assert [trace.yaxis for trace in fig.data] == ["y", "y", "y2"]
    assert fig.layout.yaxis.type == "log" and tuple(fig.layout.yaxis2.range) == (-0.05, 1.05)  # 0–100 %, with room
    assert list(fig.data[2].y) == [0.0, 0.1, 0.2]
    assert "layer 1" in fig.data[0].name


def test_early_stopping_marks_the_best_iteration_and_the_stop():
    fig = loss_curves_figure([0, 10, 20, 30], [0.7, 0.3, 0.2, 0.1], [0.7, 0.35, 0.3, 0.4], best_iteration=20,
                             stopped_at=30, stop_reason="early stop")
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [20, 30]
    assert "best validation (20)" in [annotation.text for annotation in fig.layout.annotations]
    assert "early stop" in [text for trace in fig.data if trace.text for text in trace.text]


def test_log_axes_are_labelled_at_powers_of_ten_only():
    """A "5" between 1 and 10 reads as a loss of 5: ticks every decade, written as powers of ten."""
    steps = list(range(0, 300, 3))
    fading = {"layer 1": list(np.geomspace(1.0, 1e-3, 100)), "layer 2": list(np.geomspace(0.5, 1e-3, 100))}
    flow = gradient_flow_figure(steps, fading, [0.0] * 100).layout.yaxis
    exploded = loss_curves_figure(steps, list(np.geomspace(0.7, 1e4, 100)), stopped_at=297).layout.yaxis
    for axis in (flow, exploded):
        assert axis.type == "log" and axis.dtick == 1 and axis.exponentformat == "power"


def test_a_log_axis_within_one_decade_keeps_plotlys_ticks():
    """dtick=1 would leave an axis spanning less than a decade without a single label."""
    flat = {"layer 1": [0.05, 0.04, 0.03], "layer 2": [0.06, 0.05, 0.04]}
    axis = gradient_flow_figure([0, 1, 2], flat, [0.0] * 3).layout.yaxis
    assert axis.type == "log" and axis.dtick is None


def test_a_log_axis_across_one_power_of_ten_is_labelled_1_2_5_in_full():
    from viz.style import log_axis

    axis = log_axis([0.075, 0.3, 0.7])
    assert axis["type"] == "log" and "dtick" not in axis
    assert axis["tickvals"] == [0.1, 0.2, 0.5] and axis["ticktext"] == ["0.1", "0.2", "0.5"]


def test_compared_runs_share_one_pair_of_axes_that_spans_every_run():
    """Step 14's chart (issue 29): two runs of 300 and 66 updates on the same x axis, 0–300 (the longest run), one
    y axis, every curve named for its rows, the kept weights' dot on the shared curve at the kept update."""
    long, short = np.linspace(0.7, 0.35, 301), np.linspace(0.7, 0.12, 67)
    runs = [ComparedRun("See overfitting", "#111111", long, [0, 150, 300], [0.7, 0.1, 0.01], 364),
            ComparedRun("Cure it", "#222222", short, [0, 33, 66], [0.7, 0.3, 0.2], 273, kept=60)]
    fig = compared_runs_figure(runs, shared_rows="114 test rows", title="Both runs on the same 114 test rows")
    assert list(fig.layout.xaxis.range) == [0, 300]
    assert {trace.xaxis or "x" for trace in fig.data} == {"x"} and {trace.yaxis or "y" for trace in fig.data} == {"y"}
    assert [trace.name for trace in fig.data] == [
        "See overfitting: 114 test rows", "See overfitting: its 364 training rows", "Cure it: 114 test rows",
        "Cure it: its 273 training rows", "Cure it: weights kept (update 60)"]
    assert list(fig.data[0].x) == list(range(301)) and list(fig.data[2].y) == list(short)
    assert list(fig.data[-1].x) == [60] and list(fig.data[-1].y) == [short[60]]
