"""AppTest of the training page: defaults, every batch mode and optimizer, threshold without retraining,
divergence, Stop, the URL, every bad CSV and the UCI original file through the upload path."""

from __future__ import annotations

import io
import json
import re
import urllib.parse

import numpy as np
import pytest

from file_formats.model_io import export_model
from lessons.evaluation import settings_json
from nn_core.data import CLASS_NAMES, load_cancer, split_and_scale
from nn_core.network import init_params
from tests.markdown_tables import tables
from tests.plotly_spec import chart_specs, decode_array
from tests.test_csv_data import BAD_FILES
from viz.style import format_number

PAGE = "app_pages/train_cancer.py"


def _metric(at, label: str) -> float:
    return float(next(m.value for m in at.metric if m.label == label))


def _chart(at, key: str) -> dict:
    for element_id, spec in chart_specs(at):
        if element_id.endswith(key) or key in element_id:
            return spec
    raise AssertionError(f"no chart with key {key}")


def _baseline_accuracy(at, model_start: str) -> float:
    table = next(table for table in tables(at) if "test accuracy" in table)
    return float(next(accuracy for model, accuracy in zip(table["model"], table["test accuracy"], strict=True)
                      if model.startswith(model_start)))


def test_defaults_reach_096_over_five_split_seeds_with_every_result_widget(app_test):
    at = app_test(PAGE)
    assert not at.exception, at.exception
    ours, logistic = [], []
    for seed in range(5):
        if seed:
            at.number_input(key="train_split_seed").set_value(seed).run()
            assert not at.exception, at.exception
        assert at.session_state["train_result"]["status"] == "done"
        ours.append(_metric(at, "Accuracy"))
        at.button(key="train_baselines_run").click().run()
        logistic.append(_baseline_accuracy(at, "scikit-learn LogisticRegression"))
    assert np.mean(ours) >= 0.96, ours
    assert np.mean(ours) >= np.mean(logistic) - 0.01, (ours, logistic)
    # every result widget is on screen
    assert {m.label for m in at.metric} == {"Accuracy", "Precision", "Recall", "F1", "ROC AUC"}
    for key in ("train_loss_chart", "train_confusion", "train_roc", "train_flow"):
        assert _chart(at, key)["data"], key
    assert len(tables(at)) == 2  # the article's thresholds and the baselines
    assert any("MLPClassifier (15 ReLU units)" in m for m in tables(at)[1]["model"])
    assert at.slider(key="train_threshold").value == 0.5
    assert at.button(key="train_run") and at.button(key="train_stop")
    assert len(at.get("download_button")) == 2
    assert at.success[0].value.startswith("Trained 300 iterations")
    assert any("Healthy" in md.value for md in at.markdown)


def test_baselines_are_fitted_on_request_and_kept_until_the_data_or_hidden_units_change(app_test):
    at = app_test(PAGE)
    assert len(tables(at)) == 1  # only the article's thresholds: fitting scikit-learn waits for the button
    at.button(key="train_baselines_run").click().run()
    assert len(tables(at)) == 2
    at.slider(key="train_threshold").set_value(0.7).run()
    at.select_slider(key="train_lr").set_value(0.05).run()  # neither changes the split or the hidden units
    assert len(tables(at)) == 2 and not at.exception
    at.slider(key="train_hidden").set_value(8).run()
    assert len(tables(at)) == 1
    assert any("changed since the last comparison" in caption.value for caption in at.caption)
    at.button(key="train_baselines_run").click().run()
    assert any("MLPClassifier (8 ReLU units)" in m for m in tables(at)[1]["model"])


def test_threshold_moves_the_confusion_matrix_without_retraining(app_test):
    at = app_test(PAGE)
    runs = at.session_state["train_runs"]
    before = decode_array(_chart(at, "train_confusion")["data"][0]["z"])
    recall_before = _metric(at, "Recall")
    at.slider(key="train_threshold").set_value(0.9).run()
    assert not at.exception
    after = decode_array(_chart(at, "train_confusion")["data"][0]["z"])
    assert at.session_state["train_runs"] == runs  # the model was reused, not retrained
    assert not np.array_equal(after, before) and after.sum() == before.sum()
    assert after[1, 0] > before[1, 0]  # a higher threshold misses more malignant tumours
    assert _metric(at, "Recall") < recall_before
    roc_marker = _chart(at, "train_roc")["data"][2]
    assert "0.90" in roc_marker["name"]


@pytest.mark.parametrize("optimizer", ["momentum", "rmsprop", "adam"])
def test_each_optimizer_and_batch_mode_trains(app_test, optimizer):
    label = {"momentum": "Momentum", "rmsprop": "RMSProp", "adam": "Adam"}[optimizer]
    at = app_test(PAGE, query_params={"train_optimizer": label, "train_lr": "0.01"})  # the URL holds labels
    assert not at.exception, at.exception
    assert at.selectbox(key="train_optimizer").value == optimizer and at.select_slider(key="train_lr").value == 0.01
    assert at.session_state["train_result"]["status"] == "done" and _metric(at, "Accuracy") > 0.9
    if optimizer == "adam":  # batch modes once, on one page, to keep the suite short
        for mode, batch in (("mini", 32), ("sgd", 1)):
            at.radio(key="train_batch_mode").set_value(mode).run()
            at.slider(key="train_epochs").set_value(2).run()
            assert not at.exception, at.exception
            result = at.session_state["train_result"]
            assert result["settings"]["batch_size"] == batch and result["status"] == "done"
            assert result["iterations"] == 2 * -(-455 // batch)
            assert _metric(at, "Accuracy") > 0.85


def test_compare_batch_modes_overlays_three_curves_and_sgd_is_noisiest(app_test):
    at = app_test(PAGE)
    at.button(key="train_compare").click().run()
    assert not at.exception, at.exception
    traces = _chart(at, "train_batch_chart")["data"]
    assert [t["name"] for t in traces] == ["Full batch", "Mini-batch", "SGD"]
    assert {len(decode_array(t["y"])) for t in traces} == {300}  # the same budget of updates
    roughness = [np.abs(np.diff(decode_array(t["y"]))).mean() for t in traces]
    assert roughness[0] < roughness[1] < roughness[2]


def test_a_too_high_learning_rate_stops_with_a_plain_message_and_marks_where(app_test):
    at = app_test(PAGE, query_params={"train_lr": "10"})
    assert not at.exception, at.exception
    assert at.select_slider(key="train_lr").value == 10.0
    assert at.error and "learning rate 10 is too high" in at.error[0].value
    chart = _chart(at, "train_loss_chart")
    stopped = at.session_state["train_result"]["monitor"].steps[-1]
    assert chart["layout"]["shapes"][0]["x0"] == stopped < 300
    assert all(np.isfinite(decode_array(trace["y"])).all() for trace in chart["data"])


def test_stop_keeps_the_model_reached_so_far(app_test):
    at = app_test(PAGE)
    result = at.session_state["train_result"]
    # What the live callback leaves behind when a click interrupts the run at iteration 120.
    monitor = result["monitor"]
    monitor.steps[:] = [s for s in monitor.steps if s <= 120]
    at.session_state["train_partial"] = {"params": result["params"], "monitor": monitor, "losses": [0.5] * 120,
                                         "settings_key": result["settings_key"], "elapsed": 0.1}
    at.run()
    assert not at.exception, at.exception
    assert "Stopped by you at iteration 120 of 300" in at.warning[0].value
    assert at.session_state["train_result"]["status"] == "stopped"
    assert "train_partial" not in at.session_state


def test_hyperparameters_come_from_the_url(app_test):
    at = app_test(PAGE, query_params={"train_hidden": "8", "train_iterations": "120", "train_scaling": "Min-max"})
    assert not at.exception, at.exception
    settings = at.session_state["train_result"]["settings"]
    assert settings["hidden"] == 8 and settings["iterations"] == 120 and settings["scaling"] == "minmax"
    assert at.session_state["train_result"]["params"]["W1"].shape == (8, 30)
    exported = json.loads(settings_json(settings))  # what the "Settings (.json)" button downloads
    assert exported["hidden"] == 8 and exported["lr"] == 0.1 and len(exported["features"]) == 30


def test_two_sessions_never_see_each_others_model(app_test):
    first = app_test(PAGE, query_params={"train_hidden": "4"})
    second = app_test(PAGE)
    assert first.session_state["train_result"]["params"]["W1"].shape == (4, 30)
    assert second.session_state["train_result"]["params"]["W1"].shape == (15, 30)
    first.slider(key="train_threshold").set_value(0.8).run()
    second.run()
    assert second.slider(key="train_threshold").value == 0.5


def test_weights_export_loads_without_pickle():
    params = init_params(30, 15, seed=1)
    split = split_and_scale(load_cancer(), test_size=0.2, seed=0)
    model = export_model(params, scaling=split.scaling, feature_names=split.feature_names, class_names=CLASS_NAMES,
                         threshold=0.5, settings={"hidden": 15})
    loaded = np.load(io.BytesIO(model), allow_pickle=False)
    assert {"W1", "W2", "b1", "b2"} <= set(loaded.files)
    np.testing.assert_array_equal(loaded["W1"], params["W1"])


def _as_shown(markdown: str) -> str:
    """What a reader sees of escaped Markdown: backslash escapes and zero-width spaces gone."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u200b", "")


def test_every_bad_csv_gets_its_message_on_the_page(app_test):
    at = app_test(PAGE, query_params={"train_source": "Upload a CSV"})
    assert at.info and "Upload a CSV" in at.info[0].value
    for case, data, phrase in BAD_FILES:
        at.file_uploader(key="train_upload").set_value((f"{case}.csv", data, "text/csv")).run()
        assert not at.exception, (case, at.exception)
        messages = " ".join(_as_shown(e.value) for e in at.error)
        assert phrase.lower() in messages.lower(), (case, messages)


def test_uci_original_file_trains_through_the_upload_path(app_test, uci_csv):
    at = app_test(PAGE, query_params={"train_source": "Upload a CSV"})
    at.file_uploader(key="train_upload").set_value((uci_csv.name, uci_csv.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("16 of 699 rows" in i.value for i in at.info)
    assert any("header not found" in c.value for c in at.caption)
    accuracies = []
    for seed in range(5):
        if seed:
            at.number_input(key="train_split_seed").set_value(seed).run()
        result = at.session_state["train_result"]
        assert result["status"] == "done" and result["class_names"] == ("class 2", "class 4")
        assert result["params"]["W1"].shape == (15, 9)  # the ID column was excluded
        accuracies.append(_metric(at, "Accuracy"))
    assert np.mean(accuracies) >= 0.95, accuracies


def test_scikit_learns_shipped_csv_trains_as_it_is_through_the_upload_path(app_test, sklearn_breast_cancer_csv):
    at = app_test(PAGE, query_params={"train_source": "Upload a CSV"})
    at.file_uploader(key="train_upload").set_value(
        ("breast_cancer.csv", sklearn_breast_cancer_csv.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("569,30,malignant,benign" in _as_shown(i.value) and "skipped" in i.value for i in at.info)
    result = at.session_state["train_result"]
    assert result["status"] == "done" and result["params"]["W1"].shape == (15, 30)
    assert _metric(at, "Accuracy") >= 0.93


def test_a_comparison_from_other_settings_is_not_shown(app_test):
    """Regression: the batch-mode chart stayed on screen after the hidden units changed."""
    at = app_test(PAGE)
    at.button(key="train_compare").click().run()
    assert _chart(at, "train_batch_chart")
    at.slider(key="train_hidden").set_value(4).run()
    assert not at.exception, at.exception
    assert not any("train_batch_chart" in element_id for element_id, _ in chart_specs(at))
    assert any("settings changed since the last comparison" in caption.value for caption in at.caption)


def test_results_of_a_diverged_run_are_marked_and_never_green(app_test):
    at = app_test(PAGE, query_params={"train_lr": "10"})
    assert not at.exception, at.exception
    assert not at.success
    assert any("These results describe a broken model" in warning.value for warning in at.warning)


def test_the_settings_are_in_the_page_body_not_behind_the_sidebar(app_test):
    """On a phone the sidebar is folded away behind »: every training setting is drawn in the page."""
    at = app_test(PAGE)
    settings = next(block for block in at.expander if block.label.startswith("Settings"))
    keys = {widget.key for kind in ("slider", "radio", "selectbox", "select_slider", "number_input", "toggle",
                                    "multiselect") for widget in getattr(settings, kind)}
    assert {"train_source", "train_features", "train_test_size", "train_hidden", "train_lr", "train_batch_mode",
            "train_iterations", "train_optimizer", "train_seed", "train_l2", "train_patience"} <= keys
    assert not at.sidebar.slider and not at.sidebar.selectbox and not at.sidebar.radio


def _upload(at, name: str, text: str):
    at.file_uploader(key="train_upload").set_value((name, text.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_an_id_like_column_is_named_and_one_click_puts_it_back(app_test):
    rng = np.random.default_rng(0)
    ids = rng.permutation(np.arange(1000, 1200))
    label = (ids > 1100).astype(int)  # the ID-like column is the only predictive one
    noise = rng.normal(size=200).round(3)
    text = "patient,noise,label\n" + "\n".join(f"{i},{n},{y}" for i, n, y in zip(ids, noise, label, strict=True))
    at = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "ids.csv", text)
    notes = " ".join(_as_shown(info.value) for info in at.info)
    assert "Column 'patient' was left out of the features" in notes
    assert "1 features" in " ".join(_as_shown(c.value) for c in at.caption)
    put_back = next(button for button in at.button if button.key.startswith("train_use_"))
    put_back.click().run()
    assert not at.exception, at.exception
    assert "2 features" in " ".join(_as_shown(c.value) for c in at.caption)


def test_user_text_in_names_is_escaped_before_it_reaches_markdown(app_test):
    text = "![pix](http://127.0.0.1:9/x.png),**bold**,<b>B</b>\n" + "\n".join(
        f"word{i},{i % 7}.5,{'<b>B</b>' if i % 2 else 'M'}" for i in range(40))
    at = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "evil.csv", text)
    shown = [element.value for element in [*at.info, *at.caption, *at.markdown, *at.error, *at.warning]]
    assert any("pix" in value for value in shown)
    for value in shown:
        assert "![pix]" not in value and "**bold**" not in value and "<b>" not in value, value


@pytest.mark.parametrize(("key", "raw"), [
    ("train_seed", "inf"), ("train_split_seed", "1e400"), ("train_seed", "nan"), ("train_hidden", "-inf"),
    ("train_hidden", "1000"), ("train_optimizer", "foo"), ("train_lr", "0.5"), ("train_threshold", "inf"),
    ("train_scaling", "**bold**"), ("train_features", "![pix](http://127.0.0.1:9/x.png)"),
])
def test_a_bad_value_in_a_link_is_dropped_with_a_note_that_names_it(app_test, key, raw):
    at = app_test(PAGE, query_params={key: raw})
    assert not at.exception, at.exception
    notes = [_as_shown(warning.value) for warning in at.warning if "from the link" in warning.value]
    assert len(notes) == 1 and notes[0].startswith(f"Ignored {key}=")
    assert key not in at.query_params
    assert at.session_state["train_result"]["status"] == "done"  # the page went on with the default


def test_good_values_and_old_key_spellings_in_a_link_are_used(app_test):
    at = app_test(PAGE, query_params={"train_optimizer": "Adam", "train_hidden": "8", "train_lr": "0.03"})
    assert not at.exception and not any("from the link" in w.value for w in at.warning)
    settings = at.session_state["train_result"]["settings"]
    assert (settings["optimizer"], settings["hidden"], settings["lr"]) == ("adam", 8, 0.03)


def test_the_overfitting_presets_show_the_gap_open_and_close(app_test):
    at = app_test(PAGE)
    at.button(key="train_preset_see_overfitting").click().run()
    assert not at.exception, at.exception
    result = at.session_state["train_result"]
    assert result["settings"]["optimizer"] == "adam" and result["overfitting"].overfits
    assert any("Overfitting: the validation loss was lowest" in w.value for w in at.warning) and not at.success
    assert _chart(at, "train_loss_chart")["layout"]["shapes"]  # the best iteration is marked

    at.button(key="train_preset_cure_it").click().run()
    assert not at.exception, at.exception
    result = at.session_state["train_result"]
    assert result["settings"]["l2"] == 3.0 and result["early_stop"] is not None
    assert not result["overfitting"].overfits
    assert at.success and "Early stopping ended the run" in at.success[0].value


def test_the_replay_waits_for_its_toggle_which_the_address_and_the_presets_turn_on(app_test):
    at = app_test(PAGE)
    assert not any("train_replay" in element_id for element_id, _ in chart_specs(at))
    at.toggle(key="train_replay_on").set_value(True).run()
    assert _chart(at, "train_replay")["frames"]
    fresh = app_test(PAGE)
    fresh.button(key="train_preset_see_overfitting").click().run()
    assert fresh.toggle(key="train_replay_on").value and _chart(fresh, "train_replay")["frames"]


def test_the_replay_is_client_side_light_and_long_enough(app_test):
    at = app_test(PAGE, query_params={"train_replay_on": "true"})
    spec = _chart(at, "train_replay")
    frames = spec.get("frames", [])
    assert len(frames) >= 60
    assert len(json.dumps(spec)) <= 1_500_000
    moving = {index for frame in frames for index in frame["traces"]}
    assert len(moving) < len(spec["data"])  # frames carry only the moving traces, never the whole figure
    at.radio(key="train_view").set_value("two").run()
    assert not at.exception, at.exception
    assert "trained on just these two features" in " ".join(c.value for c in at.caption)


def test_the_run_opens_on_the_landscape_page(app_test):
    """One run, three views: the link carries this run; the landscape page retrains it and draws its path."""
    from lessons.run_link import parse_run

    at = app_test(PAGE, query_params={"train_hidden": "8", "train_optimizer": "Adam"})
    link = next(element for element in at.get("page_link") if "landscape" in element.proto.page)
    query = dict(pair.split("=", 1) for pair in link.proto.query_string.split("&")) if hasattr(
        link.proto, "query_string") else {}
    raw = urllib.parse.unquote_plus(query.get("land_run", ""))
    spec, problem = parse_run(raw)
    assert problem is None and spec.hidden == 8 and spec.optimizer == "adam" and spec.iterations == 300

    landscape = app_test("app_pages/landscape.py", query_params={"land_run": raw})
    assert not landscape.exception, landscape.exception
    assert any("Your run from the training page" in h.value for h in landscape.header)
    final = at.session_state["train_result"]["monitor"].train_loss[-1]
    assert any(f"→ {format_number(final)}" in s.value for s in [*landscape.success, *landscape.info])


def test_an_uploaded_csv_is_spoken_of_in_its_own_class_names(app_test):
    """After a wine CSV is uploaded no text on the page calls its rows tumours, malignant or benign."""
    rng = np.random.default_rng(3)
    kind = rng.integers(0, 2, size=120)
    text = "acidity,sugar,colour\n" + "\n".join(
        f"{rng.normal(k):.3f},{rng.normal(-k):.3f},{'red' if k else 'white'}" for k in kind)
    at = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "wine.csv", text)
    at.button(key="train_run").click().run()
    assert not at.exception, at.exception
    widgets = [*at.slider, *at.select_slider, *at.selectbox, *at.radio, *at.toggle, *at.checkbox, *at.number_input,
               *at.button, *at.multiselect]
    shown = [element.value for element in [*at.markdown, *at.caption, *at.header, *at.info, *at.success,
                                           *at.warning, *at.error]]
    shown += [str(getattr(w, "label", "")) + " " + str(getattr(w, "help", "") or "") for w in widgets]
    shown += [str(getattr(w, "help", "") or "") for w in widgets]
    # the upload's own "Positive class (label 1, e.g. malignant)" names the built-in data as an example
    wording = [value for value in shown if re.search(r"tumou?r|(?<!e\.g\. )malignant|benign", value, re.IGNORECASE)]
    assert not wording, wording
    assert any("white" in value and "red" in value for value in shown)  # the user's own names are used


@pytest.mark.parametrize(("key", "raw", "setting", "applied", "in_address"), [
    ("train_scaling", "minmax", "scaling", "minmax", "Min-max"),  # the key; the widget reads its label
    ("train_batch_mode", "mini", "batch_mode", "mini", "Mini-batch"),
    ("train_optimizer", "adam", "optimizer", "adam", "Adam"),
    ("train_optimizer", "ADAM", "optimizer", "adam", "Adam"),
    ("train_lr", "0.0100001", "lr", 0.01, "0.01"),  # within 1 % of a slider value
    ("train_l2", "0", "l2", 0.0, None),  # the default: Streamlit drops it from the address
    ("train_stratify", "0", "stratify", False, "false"),
])
def test_every_value_a_link_check_accepts_is_applied(app_test, key, raw, setting, applied, in_address):
    """These passed the link check, then the bound widget dropped them (the address holds labels)."""
    at = app_test(PAGE, query_params={key: raw})
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "from the link" in w.value]
    assert at.session_state["train_result"]["settings"][setting] == applied
    assert at.query_params.get(key) == in_address


@pytest.mark.parametrize(("query", "note"), [
    ({"train_view": "<script>alert(1)</script>", "train_replay_on": "true"},
     "Ignored train_view=<script>alert(1)</script> from the link: not one of plane, two."),
    ({"train_hidden": ["8", "9"]}, "Ignored train_hidden=8,9 from the link: expected one value."),
])
def test_a_value_not_applied_is_named_in_a_plain_note(app_test, query, note):
    at = app_test(PAGE, query_params=query)
    assert not at.exception, at.exception
    notes = [_as_shown(w.value) for w in at.warning if "from the link" in w.value]
    assert notes == [note]
    assert all("<script>" not in m.value for m in [*at.markdown, *at.warning])  # escaped, never markup
    assert at.session_state["train_result"]["status"] == "done"


def test_the_view_from_a_link_is_applied(app_test):
    at = app_test(PAGE, query_params={"train_view": "two", "train_replay_on": "true"})
    assert not at.exception, at.exception
    assert at.radio(key="train_view").value == "two"


def _two_class_csv(seed: int, rows: int = 120) -> str:
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 2, size=rows)
    return "x1,x2,label\n" + "\n".join(f"{rng.normal(k):.3f},{rng.normal(-k):.3f},{'yes' if k else 'no'}"
                                         for k in kind)


def test_a_second_file_of_the_same_name_is_other_data(app_test):
    """Re-uploading data.csv with other content trains on the new content: the model, its test labels and
    probabilities, and the export's file digest are the new file's, never the first one's kept by name."""
    import hashlib

    first, second = _two_class_csv(1), _two_class_csv(2, rows=150)
    at = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "data.csv", first)
    at.button(key="train_run").click().run()
    assert not at.exception, at.exception
    kept = at.session_state["train_result"]
    at = _upload(at, "data.csv", second)
    result = at.session_state["train_result"]
    split = at.session_state["train_data"][1][1]
    assert np.array_equal(result["Y_test"], split.Y_test.ravel()), "the first file's test labels were kept"
    assert not np.array_equal(result["proba"], kept["proba"])
    assert not all(np.array_equal(result["params"][name], kept["params"][name]) for name in kept["params"])
    assert kept["settings"]["file_sha256"] == hashlib.sha256(first.encode()).hexdigest()
    assert result["settings"]["file_sha256"] == hashlib.sha256(second.encode()).hexdigest()


def test_a_second_file_of_the_same_name_shows_its_own_columns(app_test):
    """The panel's summary of a file (columns, label, classes) is kept by the file's content as well: a second
    data.csv with other columns offers its own, and its split is made from them."""
    rng = np.random.default_rng(3)
    second = "a,b,c,outcome\n" + "\n".join(
        f"{rng.normal():.3f},{rng.normal():.3f},{rng.normal():.3f},{'pos' if i % 2 else 'neg'}" for i in range(120))
    at = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "data.csv", _two_class_csv(1))
    at = _upload(at, "data.csv", second)
    (label,) = [box for box in at.selectbox if box.label == "Label column"]
    assert list(label.options) == ["a", "b", "c", "outcome"] and label.value == "outcome"
    (positive,) = [box for box in at.selectbox if box.label.startswith("Positive class")]
    assert sorted(positive.options) == ["neg", "pos"]
    assert "3 features" in " ".join(_as_shown(caption.value) for caption in at.caption)


def test_a_second_file_of_the_same_name_starts_from_its_own_choices(app_test):
    """The panel's choices are keyed by the file's content too: a learner's pick for the first data.csv (here the
    other positive class) is not carried over to a second data.csv, which opens on the choices a fresh upload of it
    gets."""
    second = _two_class_csv(2, rows=150)
    fresh = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "data.csv", second)
    (expected,) = [box.value for box in fresh.selectbox if box.label.startswith("Positive class")]
    at = _upload(app_test(PAGE, query_params={"train_source": "Upload a CSV"}), "data.csv", _two_class_csv(1))
    (positive,) = [box for box in at.selectbox if box.label.startswith("Positive class")]
    positive.set_value(next(option for option in positive.options if option != expected)).run()
    assert not at.exception, at.exception
    at = _upload(at, "data.csv", second)
    (positive,) = [box for box in at.selectbox if box.label.startswith("Positive class")]
    assert positive.value == expected
