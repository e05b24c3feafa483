"""The training page's run inside one browser session: drawn live, interruptible by Stop, kept for reruns.

Streamlit stops a script where it is when the user clicks anything (Stop included), so the live callback
leaves what the run reached in ``train_partial``; the next script run turns it into a "stopped" result.
A result is reused until a setting changes (its ``settings_key``), so moving the threshold never retrains.

On the built-in data a run is shared (``cached.shared_training_run``): the first student on a link trains it
live, in one of the server's slots (``work_queue``), and everyone after — Train pressed again included — gets
that run at once. An upload's run, and a run stopped by the user, stay in this session only.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np
import streamlit as st

from lessons.evaluation import predict_test
from lessons.training_run import DONE, STOPPED, RunConfig, TrainingRun, run_training
from nn_core.data import Split
from nn_core.diagnostics import TrainingMonitor
from nn_core.network import Params, copy_params
from streamlit_glue.cached import NotComputed, cached_trade_off, shared_training_run
from streamlit_glue.work_queue import computed_once, heavy_work
from viz.curves import loss_curves_figure

LIVE_REDRAW_SECONDS = 0.5  # a figure costs ~50 ms to build and more to draw: twice a second
# Each progress call is a message the browser renders: 100 of them made a 0.1 s run take ~0.1 s longer to show.
PROGRESS_SECONDS = 0.1


def _keep(run: TrainingRun, split: Split, config: RunConfig, settings: Mapping, settings_key: str,
          class_names: tuple[str, str]) -> None:
    """The model and its test-set probabilities, kept in this session: the threshold needs no retraining."""
    proba = predict_test(run.params, split.X_test)
    st.session_state.train_result = {
        "params": run.params, "monitor": run.monitor, "losses": run.losses, "status": run.status,
        "elapsed": run.elapsed, "settings": dict(settings), "settings_key": settings_key,
        "proba": proba, "Y_test": split.Y_test.ravel().copy(),
        # the article's thresholds do not move with the slider: judged once per run
        "trade_off": cached_trade_off(split.Y_test, proba, class_names[1]),
        "class_names": class_names, "iterations": config.iterations, "snapshots": run.snapshots,
        "best_iteration": run.best_iteration, "early_stop": run.early_stop,
        "overfitting": run.overfitting if run.status == DONE else None,
    }
    st.session_state.pop("train_partial", None)
    st.session_state.train_runs = st.session_state.get("train_runs", 0) + 1


def progress_text(step: int, iterations: int, elapsed: float) -> str:
    """"iteration 120 / 300 · about 3 s left": the estimate from the pace so far (shown once it means something)."""
    text = f"iteration {step} / {iterations}"
    if step > 0 and elapsed > 1.0:
        left = elapsed / step * (iterations - step)
        text += f" · about {left:.0f} s left" if left < 90 else f" · about {left / 60:.0f} min left"
    return text


def _train_live(split: Split, config: RunConfig, settings_key: str, progress_slot, chart_slot) -> TrainingRun:
    """Train in this session, drawing progress and the loss chart, and leave what it reached for Stop."""
    last_draw = [time.perf_counter()]
    last_progress = [time.perf_counter()]

    def on_record(step: int, params: Params, monitor: TrainingMonitor, elapsed: float) -> None:
        st.session_state.train_partial = {"params": copy_params(params), "monitor": monitor,
                                          "losses": list(monitor.train_loss),  # full-set, at each record
                                          "settings_key": settings_key, "elapsed": elapsed}
        now = time.perf_counter()
        if now - last_progress[0] > PROGRESS_SECONDS:
            last_progress[0] = now
            progress_slot.progress(step / config.iterations, text=progress_text(step, config.iterations, elapsed))
        if now - last_draw[0] > LIVE_REDRAW_SECONDS:
            last_draw[0] = now
            chart_slot.plotly_chart(loss_curves_figure(monitor.steps, monitor.train_loss, monitor.val_loss,
                                                       total_iterations=config.iterations))

    with heavy_work(progress_slot):
        return run_training(split, config, on_record)


def training_result(split: Split, config: RunConfig, *, settings: Mapping, settings_key: str,
                    class_names: tuple[str, str], force: bool, progress_slot, chart_slot, shared: bool = False,
                    stop: bool = False) -> dict | None:
    """This session's result for these settings: a run stopped by the user, the previous one, a shared one or a
    new one. ``shared``: the data is the built-in set, so a run is looked up / stored for every session.
    None when Stop was pressed before a run for these settings began (e.g. while waiting for a slot)."""
    partial = st.session_state.pop("train_partial", None)
    if partial is not None and partial["settings_key"] == settings_key:
        stopped = TrainingRun(partial["params"], partial["monitor"], np.asarray(partial["losses"]), STOPPED,
                              partial["elapsed"])
        _keep(stopped, split, config, settings, settings_key, class_names)

    previous = st.session_state.get("train_result")
    current = previous is not None and previous["settings_key"] == settings_key
    if current and not force:
        return previous
    link_key = f"{settings_key}|{config!r}"
    if shared:
        try:  # Train on a link someone already trained: their run, at once (training is deterministic)
            _keep(shared_training_run(link_key), split, config, settings, settings_key, class_names)
            return st.session_state.train_result
        except NotComputed:
            pass
    if stop and not force:
        return previous if current else None
    if shared:  # one run per link: a student arriving while another trains it waits for that run
        run = computed_once(
            ("training", link_key), lambda: shared_training_run(link_key),
            lambda: shared_training_run(link_key, _computed=_train_live(split, config, settings_key, progress_slot,
                                                                         chart_slot)),
            progress_slot)
    else:
        run = _train_live(split, config, settings_key, progress_slot, chart_slot)
    _keep(run, split, config, settings, settings_key, class_names)
    return st.session_state.train_result
