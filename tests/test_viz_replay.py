"""viz.replay: enough frames for any run length, frames carrying only the moving traces with the right
values, a player with Play/Pause/speed/slider, marks for the best and stop iterations, and a payload
within 1.5 MB."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nn_core import init_params, load_cancer, split_and_scale
from nn_core.boundary import feature_grid, pca_grid, replay_data
from nn_core.training import SnapshotRecorder, chain_callbacks, train, train_with_early_stopping
from viz.replay import MOVING_TRACES, SPEEDS, replay_figure, replay_text

MAX_BYTES = 1_500_000


def recorded(split, iterations: int, optimizer: str = "gd", keep: int = 120):
    params0 = init_params(split.X_train.shape[0], 15, seed=1)
    recorder = SnapshotRecorder(keep=keep)
    recorder.start(params0)
    trained, losses = train(params0, split.X_train, split.Y_train, lr=0.1, iterations=iterations,
                            optimizer=optimizer, callback=recorder)
    recorder.add_final(len(losses), trained)
    return recorder.snapshots


@pytest.mark.parametrize("iterations", [60, 300, 5000])
def test_at_least_60_frames_for_any_run_length_and_under_the_payload_limit(split, iterations):
    data = replay_data(recorded(split, iterations), pca_grid(split), split)
    fig = replay_figure(data)
    assert 60 <= len(fig.frames) <= 122
    size = len(fig.to_json())
    assert size <= MAX_BYTES, size


def test_the_largest_replay_stays_under_the_limit(split):
    """120 frames of a 60×60 grid (above the 40×40 default) with the other moving traces: still ≤ 1.5 MB."""
    snapshots = recorded(split, 240, keep=240)
    data = replay_data(snapshots, pca_grid(split, resolution=60), split, max_frames=120)
    assert len(data.steps) == 120
    assert len(replay_figure(data).to_json()) <= MAX_BYTES


def test_an_early_stopped_run_still_gets_enough_frames_and_its_marks(split):
    params0 = init_params(30, 15, seed=1)
    recorder = SnapshotRecorder()
    recorder.start(params0)
    run = train_with_early_stopping(params0, split.X_train, split.Y_train, validation=(split.X_test, split.Y_test),
                                    patience=10, eval_every=10, lr=0.1, iterations=3000, optimizer="adam",
                                    callback=chain_callbacks(recorder))
    assert run.stopped_at is not None and run.stopped_at < 200
    data = replay_data(recorder.snapshots, pca_grid(split), split)
    assert len(data.steps) >= 60
    fig = replay_figure(data, best_iteration=run.best_iteration, stopped_at=run.stopped_at)
    lines = {shape.x0 for shape in fig.layout.shapes}
    assert lines == {run.best_iteration, run.stopped_at}
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert f"best ({run.best_iteration})" in texts and f"early stop ({run.stopped_at})" in texts


def test_frames_carry_only_the_moving_traces_with_each_iterations_values(split):
    data = replay_data(recorded(split, 300), pca_grid(split), split)
    fig = replay_figure(data)
    kinds = [trace.type for trace in fig.data]
    for k, frame in enumerate(fig.frames):
        assert tuple(frame.traces) == MOVING_TRACES
        assert [trace.type for trace in frame.data] == [kinds[i] for i in MOVING_TRACES]
        heat, wrong, train_now, val_now, bars, accuracy = frame.data
        np.testing.assert_array_equal(np.asarray(heat.z), data.proba_percent[k])
        assert train_now.x == (data.steps[k],) and val_now.y == (data.val_loss[k],)
        assert list(bars.x) == data.confusion[k].ravel().tolist()
        assert len(wrong.x) == data.test_wrong[k].sum()
        assert f"{data.accuracy[k]:.3f}" in accuracy.text[0]
        assert frame.name == str(data.steps[k])
    moving_free = [i for i in range(len(fig.data)) if i not in MOVING_TRACES]
    assert all(fig.data[i].type == "scatter" for i in moving_free)  # static points and full curves
    for index, moving in zip(MOVING_TRACES, fig.frames[0].data, strict=True):  # the figure starts at frame 0
        for attribute in ("x", "y", "z", "text"):
            if getattr(moving, attribute, None) is not None:
                assert np.array_equal(np.asarray(getattr(fig.data[index], attribute)),
                                      np.asarray(getattr(moving, attribute))), (index, attribute)


def test_the_player_has_play_pause_speeds_and_a_slider_over_every_frame(split):
    data = replay_data(recorded(split, 300), pca_grid(split), split)
    fig = replay_figure(data)
    labels = [button.label for menu in fig.layout.updatemenus for button in menu.buttons]
    assert labels[:2] == ["▶ Play", "❚❚ Pause"] and labels[2:] == list(SPEEDS)
    durations = [menu.buttons[i].args[1]["frame"]["duration"] for menu in fig.layout.updatemenus[1:]
                 for i in range(len(SPEEDS))]
    assert durations == sorted(durations, reverse=True) and len(set(durations)) == len(SPEEDS)
    steps = fig.layout.sliders[0].steps
    assert [step.args[0][0] for step in steps] == [frame.name for frame in fig.frames]
    assert all(step.method == "animate" for step in steps)
    json.loads(fig.to_json())  # serializable as a whole


def test_two_feature_replay_and_its_text(split):
    two = split_and_scale(load_cancer(), features=[0, 1], test_size=0.2, seed=0)
    data = replay_data(recorded(two, 300), feature_grid(two), two)
    fig = replay_figure(data, best_iteration=120)
    assert fig.layout.xaxis.title.text == "mean radius"
    text = replay_text(data, best_iteration=120, stopped_at=None)
    assert f"from iteration 0 to {data.steps[-1]}" in text and "best validation iteration" in text
    assert f"{data.accuracy[-1]:.3f}" in text and "two features" in text
    tn, fp, fn, tp = data.confusion[-1].ravel()
    assert f"{fn} malignant are missed" in text
