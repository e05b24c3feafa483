"""The landscape figures: animation frames carry only the balls and trails, 3D frames redraw, paths stay finite."""


import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.interpolate import RegularGridInterpolator

from nn_core.descent import run_descent
from nn_core.surfaces import SURFACES
from viz.landscape3d import (
    MAX_FRAMES,
    BallPath,
    LossCurve,
    MinimumMarker,
    contour_figure,
    frame_indices,
    legend_bottom_margin,
    loss_curve_figure,
    surface_figure,
)


def _paths(lr: float = 0.1, steps: int = 200):
    surface = SURFACES["bowl"]
    paths = []
    for name, color in (("gd", "red"), ("adam", "orange")):
        run = run_descent(surface, (-2.5, 2.0), optimizer=name, lr=lr, steps=steps)
        paths.append(BallPath(name, color, run.path[:, 0], run.path[:, 1], run.values, run.diverged))
    return surface.grid(41), paths


def test_frames_carry_only_the_moving_traces_and_redraw():
    (x, y, Z), paths = _paths()
    fig = surface_figure(x, y, Z, paths)
    assert isinstance(fig.data[0], go.Surface)
    assert 2 <= len(fig.frames) <= MAX_FRAMES
    for frame in fig.frames:
        assert all(isinstance(trace, go.Scatter3d) for trace in frame.data)
        assert list(frame.traces) == [5, 6]  # the two balls only; never trace 0 (surface) nor 1-4 (trails, starts)
    play, pause, *speeds = fig.layout.updatemenus[0].buttons
    assert play.args[1]["frame"]["redraw"] is True and play.args[0] is None
    assert list(pause.args[0]) == [None]
    assert len({button.args[1]["frame"]["duration"] for button in speeds}) == len(speeds) >= 3
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    # up to 60 tick labels would collide under the slider: they are transparent, the current step is written above
    slider = fig.layout.sliders[0]
    assert slider.font.color == "rgba(0,0,0,0)"
    assert slider.currentvalue.visible and slider.currentvalue.prefix == "step " and slider.currentvalue.font.color
    assert fig.layout.scene.camera.eye.x is not None and fig.layout.scene.xaxis.autorange is False


def test_last_frame_puts_each_ball_at_the_end_of_its_path_and_the_figure_stays_small():
    (x, y, Z), paths = _paths()
    fig = surface_figure(x, y, Z, paths)
    last = fig.frames[-1]
    gd_ball = last.data[0]
    assert gd_ball.x[0] == pytest.approx(paths[0].x[-1], abs=1e-3)
    assert gd_ball.y[0] == pytest.approx(paths[0].y[-1], abs=1e-3)
    trail = fig.data[1]
    assert trail.x[-1] == pytest.approx(paths[0].x[-1], abs=1e-3)  # the trail reaches the end
    assert len(trail.x) == len(paths[0])  # every step once, in the figure, not again in each frame
    assert len(fig.to_json()) < 150_000


def test_every_ball_sits_above_the_surface_in_every_frame_with_an_outline_and_a_coloured_start():
    surface = SURFACES["hills"]
    x, y, Z = surface.grid(81)
    paths = []
    for name, color in (("gd", "red"), ("momentum", "green"), ("adam", "orange")):
        run = run_descent(surface, (-2.2, 0.8), optimizer=name, lr=0.1, steps=150)
        paths.append(BallPath(name, color, run.path[:, 0], run.path[:, 1], run.values, run.diverged))
    fig = surface_figure(x, y, Z, paths)
    mesh = RegularGridInterpolator((y, x), Z)
    for frame in fig.frames:
        for ball in frame.data:
            under = float(mesh([[ball.y[0], ball.x[0]]])[0])
            assert ball.z[0] > under + 0.01 * (Z.max() - Z.min()), (frame.name, ball.x[0], ball.y[0])
    balls = [trace for trace in fig.data[1:] if not trace.name.endswith(("(trail)", "(start)"))]
    for trace, path in zip(balls, paths, strict=True):
        assert trace.marker.line.width >= 2 and trace.marker.color == path.color
    starts = [trace for trace in fig.data if trace.name.endswith("(start)")]
    assert [trace.marker.color for trace in starts] == [path.color for path in paths]


def test_diverged_ball_is_drawn_at_the_edge_with_a_cross_and_no_nan():
    (x, y, Z), paths = _paths(lr=3.16)
    assert paths[0].diverged
    fig = surface_figure(x, y, Z, paths)
    ball = fig.frames[-1].data[0]
    assert x[0] <= ball.x[0] <= x[-1] and y[0] <= ball.y[0] <= y[-1]
    assert ball.marker.symbol == "x"
    for trace in [*fig.data[1:], *(t for frame in fig.frames for t in frame.data)]:
        assert np.isfinite(np.asarray([*trace.x, *trace.y, *trace.z], dtype=float)).all()
    contour = contour_figure(x, y, Z, paths, minima=[MinimumMarker(0, 0, True)])
    assert np.isfinite(np.concatenate([np.asarray(t.x, dtype=float) for t in contour.data[1:]])).all()


def test_z_cap_cuts_the_surface_but_not_the_data_shape():
    (x, y, Z), paths = _paths()
    fig = surface_figure(x, y, Z, paths, z_cap=1.0)
    assert np.asarray(fig.data[0].z).max() == 1.0 and np.asarray(fig.data[0].z).shape == Z.shape


def test_tick_count_caps_every_axis_of_a_slides_view_and_the_default_leaves_x_and_y_to_plotly():
    (x, y, Z), paths = _paths()
    scene = surface_figure(x, y, Z, paths, tick_count=4).layout.scene
    assert (scene.xaxis.nticks, scene.yaxis.nticks, scene.zaxis.nticks) == (4, 4, 4)
    scene = surface_figure(x, y, Z, paths).layout.scene
    assert (scene.xaxis.nticks, scene.yaxis.nticks, scene.zaxis.nticks) == (None, None, 5)


def test_loss_curve_caps_values_but_labels_the_true_one():
    curves = [LossCurve("calm", "blue", np.array([1.0, 0.5, 0.2])),
              LossCurve("wild", "red", np.array([1.0, 50.0, 1e8]), diverged=True)]
    fig = loss_curve_figure(curves, y_cap=2.0)
    assert max(fig.data[1].y) == 2.0
    assert "1.00e+08" in fig.data[2].text[0]
    assert fig.data[2].mode == "markers"  # the value is in the hover and the page's note, not piled on the chart


def test_frame_indices_cover_start_and_end():
    assert list(frame_indices(5)) == [0, 1, 2, 3, 4]
    many = frame_indices(301, 120)
    assert many[0] == 0 and many[-1] == 300 and len(many) <= 120


def test_log_loss_axis_is_labelled_at_powers_of_ten_only():
    curves = [LossCurve("calm", "blue", np.array([0.7, 0.2, 0.01]))]
    yaxis = loss_curve_figure(curves, log_y=True).layout.yaxis
    assert yaxis.type == "log" and yaxis.dtick == 1 and yaxis.exponentformat == "power"
    assert loss_curve_figure(curves).layout.yaxis.type in (None, "linear")  # toy heights: linear, every time


def test_figures_carry_the_house_template_itself_not_merged_into_plotlys_default():
    (x, y, Z), paths = _paths()
    curves = [LossCurve(p.label, p.color, p.z) for p in paths]
    for fig in (surface_figure(x, y, Z, paths), contour_figure(x, y, Z, paths), loss_curve_figure(curves)):
        template = fig.to_dict()["layout"]["template"]
        assert set(template["data"]) == {"heatmap", "surface", "contour"}  # Plotly's default has ~30 trace types
        assert template["layout"]["plot_bgcolor"] == "white"
        assert fig.layout.font.size == 13  # the rest of apply_house_style is there too


def test_bottom_margin_holds_the_legend_so_plotly_need_not_redraw_to_push_it():
    short = ["Gradient descent, lr 0.1", "Momentum, lr 0.1", "Adam, lr 0.1"]
    assert legend_bottom_margin(short[:1], 341) == legend_bottom_margin(short, 341) == 135
    sweep = [f"Gradient descent, lr {rate}" for rate in ("0.025", "0.05", "0.1", "0.2", "0.4")]
    real = [f"{label}: {kind}" for label in sweep for kind in ("surface height", "real loss L(θ_t)")]
    assert 135 < legend_bottom_margin(sweep, 230) < legend_bottom_margin(real, 341) < 300
    (x, y, Z), paths = _paths()
    assert contour_figure(x, y, Z, paths).layout.margin.b == legend_bottom_margin([p.label for p in paths], 230)


def test_a_log_loss_axis_within_one_decade_keeps_plotlys_labels():
    """dtick=1 would leave one label (10⁻¹) on the real network's loss chart, whose losses stay in one decade."""
    curves = [LossCurve("flat", "blue", np.array([0.079, 0.077, 0.075]))]
    yaxis = loss_curve_figure(curves, log_y=True).layout.yaxis
    assert yaxis.type == "log" and yaxis.dtick is None
