"""Every heavy path of the training page goes through the work budget and the server's queue: over the budget its
button is off and a message names what would fit; under it, the work runs holding one of the server's slots.

The work itself is replaced by a stand-in that notes how many slots were taken while it ran (the real runs are
tested elsewhere); the queue is a fresh one-slot queue, so "in a slot" means exactly one running."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from streamlit_glue import training_extras, work_queue
from streamlit_glue.work_queue import WorkQueue
from tests.conftest import APPTEST_TIMEOUT


@pytest.fixture
def one_slot(monkeypatch) -> WorkQueue:
    queue = WorkQueue(1)
    monkeypatch.setattr(work_queue, "server_queue", lambda: queue)
    return queue


def _extras_script(rows: int, n_x: int, hidden: int, iterations: int) -> None:
    """The page's two heavy extras on a synthetic split of ``rows`` training rows."""
    import numpy as np

    from lessons.training_run import RunConfig
    from nn_core.data import Split
    from streamlit_glue.training_extras import batch_mode_comparison, scikit_learn_baselines

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(n_x, rows)), (rng.random((1, rows)) < 0.5).astype(float)
    split = Split(X, Y, X[:, :50], Y[:, :50], tuple(f"f{i}" for i in range(n_x)))
    config = RunConfig(hidden=hidden, lr=0.1, iterations=iterations, batch_size=1, optimizer="gd", init_seed=0)
    scikit_learn_baselines(split, hidden, 0, Y[:, :50].ravel(), np.full(50, 0.5))
    batch_mode_comparison(split, config, "settings")


def _extras(rows: int, n_x: int = 19, hidden: int = 15, iterations: int = 2000) -> AppTest:
    return AppTest.from_function(_extras_script, args=(rows, n_x, hidden, iterations),
                                 default_timeout=APPTEST_TIMEOUT).run()


def test_over_budget_both_buttons_are_off_and_say_what_would_fit(one_slot, monkeypatch):
    monkeypatch.setattr(training_extras, "baseline_scores", lambda *args: pytest.fail("fitted over budget"))
    monkeypatch.setattr(training_extras, "compare_batch_modes", lambda *a, **k: pytest.fail("compared over budget"))
    at = _extras(68_076)
    assert not at.exception
    buttons = {button.key: button for button in at.button}
    assert buttons["train_baselines_run"].disabled and buttons["train_compare"].disabled
    messages = [info.value for info in at.info]
    baselines = next(text for text in messages if text.startswith("Fitting scikit-learn's models is too big"))
    assert "68,076 training rows" in baselines and "It fits with at most" in baselines
    comparison = next(text for text in messages if text.startswith("This comparison is too big"))
    assert "2,000 updates" in comparison and "at most 0" not in comparison
    assert "It fits with at most" in comparison and "updates (fewer iterations or epochs)" in comparison


def test_under_budget_each_runs_in_one_of_the_servers_slots(one_slot, monkeypatch):
    seen: dict[str, int] = {}

    def fake_baselines(*args):
        seen["baselines"] = one_slot.running
        return {"scikit-learn LogisticRegression": {"accuracy": 1.0, "f1": 1.0, "roc_auc": 1.0}}

    def fake_comparison(*args, **kwargs):
        seen["comparison"] = one_slot.running
        return {"full batch": np.ones(3), "mini-batch": np.ones(3), "SGD": np.ones(3)}

    monkeypatch.setattr(training_extras, "baseline_scores", fake_baselines)
    monkeypatch.setattr(training_extras, "compare_batch_modes", fake_comparison)
    at = _extras(455, n_x=30, hidden=15, iterations=300)
    buttons = {button.key: button for button in at.button}
    assert not buttons["train_baselines_run"].disabled and not buttons["train_compare"].disabled
    assert not [info for info in at.info if "too big" in info.value]
    buttons["train_baselines_run"].click().run()
    assert seen == {"baselines": 1}, "the fit must hold a slot of the server's queue while it runs"
    next(button for button in at.button if button.key == "train_compare").click().run()
    assert seen == {"baselines": 1, "comparison": 1}
    assert not at.exception and one_slot.running == 0, "the slot is given back"


def test_the_baselines_are_fitted_once_for_everyone_on_the_split(one_slot, monkeypatch):
    fits = []
    monkeypatch.setattr(training_extras, "baseline_scores", lambda *args: fits.append(1) or {
        "scikit-learn LogisticRegression": {"accuracy": 1.0, "f1": 1.0, "roc_auc": 1.0}})
    for _ in range(2):  # two students, same split
        at = _extras(455, n_x=30, hidden=15, iterations=300)
        next(button for button in at.button if button.key == "train_baselines_run").click().run()
        assert not at.exception
    assert len(fits) == 1


# ------------------------------------------------------------------------------------------------ the replay


def _replay_script(view: str) -> None:
    import numpy as np

    from lessons.training_run import RunConfig
    from nn_core.data import Split
    from streamlit_glue.replay_view import _figure

    X, Y = np.zeros((3, 40)), np.zeros((1, 40))
    config = RunConfig(hidden=4, lr=0.1, iterations=10, batch_size=None, optimizer="gd", init_seed=0)
    result = {"settings_key": "a link", "snapshots": [], "best_iteration": None, "early_stop": None,
              "class_names": ("benign", "malignant")}
    figure, text, caption = _figure(result, Split(X, Y, X, Y, ("a", "b", "c")), view, (0, 1), config, shared=True)
    st_text = __import__("streamlit").text
    st_text(f"{figure}|{text}|{caption}")


@pytest.mark.parametrize("view", ["two", "pca"])
def test_a_replay_on_the_built_in_data_is_built_once_per_link_in_a_slot(one_slot, monkeypatch, view):
    """Ten tabs on one link built the two-feature replay ten times (14.5 s of CPU against 3.3 s): now the first
    builds it in a slot of the queue, the others get it."""
    from streamlit_glue import replay_view

    builds = []

    def fake_built(result, split, shown, pair, config):
        builds.append(one_slot.running)
        return ("{}", f"replay of {shown}", "caption")

    monkeypatch.setattr(replay_view, "_built", fake_built)
    for _ in range(3):
        at = AppTest.from_function(_replay_script, args=(view,), default_timeout=APPTEST_TIMEOUT).run()
        assert not at.exception and at.text[0].value == f"{{}}|replay of {view}|caption"
    assert builds == [1]


# ----------------------------------------------------------------------------------------- the upload, the lesson


def _upload_summary_script() -> None:
    import streamlit as st

    from streamlit_glue.upload import _kept, _table_summary

    st.text(str(_kept("train_table", ("file", None), lambda: _table_summary(b"a,b\n1,2\n", None))))


def test_reading_an_upload_waits_for_a_slot(one_slot, monkeypatch):
    """Reading a file holds every cell as a string for a moment: ten at once took 1 GB; two at a time do not."""
    from streamlit_glue import upload

    seen = []

    class FakeSummary:
        @staticmethod
        def of(table):
            return "summary"

    monkeypatch.setattr(upload, "read_table", lambda raw, header: seen.append(one_slot.running) or "table")
    monkeypatch.setattr(upload, "TableSummary", FakeSummary)
    at = AppTest.from_function(_upload_summary_script, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception and at.text[0].value == "summary" and seen == [1]


def _lesson_training_script() -> None:
    import streamlit as st

    from streamlit_glue.guided_lesson_view import default_training, overfitting_pair, race

    default_training()
    overfitting_pair()
    race()
    st.text("done")


def test_the_lessons_own_trainings_take_a_slot(one_slot, monkeypatch):
    from lessons import guided_lesson

    seen = []
    monkeypatch.setattr(guided_lesson, "training_run", lambda split: seen.append(("training", one_slot.running)))
    monkeypatch.setattr(guided_lesson, "test_accuracy", lambda run, split: 1.0)
    monkeypatch.setattr(guided_lesson, "overfitting_runs", lambda split: seen.append(("overfitting",
                                                                                      one_slot.running)))
    monkeypatch.setattr(guided_lesson, "landscape_race", lambda: seen.append(("race", one_slot.running)))
    at = AppTest.from_function(_lesson_training_script, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception and at.text[0].value == "done"
    assert seen == [("training", 1), ("overfitting", 1), ("race", 1)]


def _upload_data_script() -> None:
    import streamlit as st

    from streamlit_glue.upload import _kept, _split_data

    rows = "\n".join(f"{i % 7},{(i * 3) % 11},{i % 2}" for i in range(200))
    summary, split = _kept("train_data", ("key",), lambda: _split_data(
        f"a,b,label\n{rows}\n".encode(), None, "label", "1", [], test_size=0.2, seed=0, stratify=True,
        scaling="standard"))
    st.text(f"{summary.rows} {split.X_train.shape}")


def test_a_session_keeps_the_split_of_its_upload_not_the_built_data_beside_it(one_slot):
    """The built data set and its split are the same numbers twice (12 MB each for 85,000 rows × 19 features)."""
    import numpy as np

    at = AppTest.from_function(_upload_data_script, default_timeout=APPTEST_TIMEOUT).run()
    assert not at.exception and at.text[0].value == "200 (2, 160)"
    arrays = [item for item in _arrays_in(at.session_state["train_data"])]
    assert [key for key in ("train_built", "train_split") if key in at.session_state] == []
    # the split's X_train, X_test (2 × 200 numbers), Y_train, Y_test (200) and its scaling's offsets and divisors
    assert sum(array.size for array in arrays) == 2 * 200 + 200 + 2 * 2, [array.shape for array in arrays]
    assert all(isinstance(array, np.ndarray) for array in arrays)


def _arrays_in(value, depth: int = 0):
    """Every NumPy array reachable through tuples, lists, dicts and dataclass fields (a few levels deep)."""
    import dataclasses

    if isinstance(value, np.ndarray):
        yield value
    elif depth < 4 and isinstance(value, tuple | list):
        for item in value:
            yield from _arrays_in(item, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for item in value.values():
            yield from _arrays_in(item, depth + 1)
    elif depth < 4 and dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _arrays_in(getattr(value, field.name), depth + 1)
