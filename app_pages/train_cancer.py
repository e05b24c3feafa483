"""Train the article's network on the Wisconsin breast-cancer data (or your CSV) and judge the result."""

import hashlib
import time

import numpy as np
import streamlit as st

from nn_core.csv_data import DataError, build_dataset
from nn_core.data import SCALINGS, Split, split_and_scale
from nn_core.diagnostics import TrainingMonitor, gradient_flow_reading
from nn_core.network import copy_params, init_params
from nn_core.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from nn_core.training import DIVERGENCE_LOSS, diverged, steps_per_epoch, train
from ui.cached import cancer_dataset, cancer_split
from ui.training import (
    baseline_scores,
    cached_table,
    compare_batch_modes,
    predict_test,
    roc_points,
    settings_json,
    threshold_metrics,
    updates_for,
    weights_npz,
)
from viz.curves import batch_mode_figure, gradient_flow_figure, loss_curves_figure
from viz.metrics import confusion_matrix_figure, roc_figure
from viz.style import format_number

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
# Option widgets bound to the URL store their label there (?train_batch_mode=SGD), so labels stay short.
BATCH_MODES = {"full": "Full batch", "mini": "Mini-batch", "sgd": "SGD"}
SCALING_LABELS = {"standard": "Standardize", "minmax": "Min-max", "none": "None"}
SOURCES = {"builtin": "Built-in Wisconsin data", "upload": "Upload a CSV"}
LIVE_REDRAW_SECONDS = 0.5

st.title("Train on breast-cancer data")
st.markdown(
    "Part 3 of the article trains the 2-layer network to tell **malignant** from **benign** tumours. "
    "Pick the data and the hyperparameters, press **Train**, and watch the loss fall; then judge the model "
    "the way a clinician would — which tumours does it miss, how many false alarms — and against scikit-learn."
)

# ---------------------------------------------------------------- controls: data
with st.sidebar:
    st.header("Data")
    source = st.radio("Data set", ["builtin", "upload"], key="train_source", bind="query-params",
                      format_func=SOURCES.get, captions=["569 tumours × 30 features (scikit-learn)",
                                                         "your own table of numbers"])
    test_size = st.slider("Test fraction", 0.1, 0.5, 0.2, 0.05, key="train_test_size", bind="query-params",
                          help="Share of the rows held out to judge the model (and drawn as the validation curve).")
    stratify = st.toggle("Stratified split", True, key="train_stratify", bind="query-params",
                         help="Keep the share of malignant tumours the same in the training and test sets.")
    scaling = st.selectbox("Scaling", SCALINGS, key="train_scaling", bind="query-params",
                           format_func=SCALING_LABELS.get,
                           help="Standardize: mean 0, sd 1. Min-max: each feature to [0, 1], as the article did. "
                           "Fitted on the training rows only — feature engineering matters, says the article.")
    split_seed = st.number_input("Split seed", 0, 9999, 0, key="train_split_seed", bind="query-params")

    st.header("Network and training")
    hidden = st.slider("Hidden units", 1, 64, 15, key="train_hidden", bind="query-params",
                       help="The article uses 15 ReLU units.")
    lr = st.select_slider("Learning rate", LEARNING_RATES, 0.1, key="train_lr", bind="query-params",
                          format_func=format_number, help="Log scale. Too high and the loss explodes.")
    batch_mode = st.radio("Batch mode", list(BATCH_MODES), key="train_batch_mode", bind="query-params",
                          format_func=BATCH_MODES.get,
                          captions=["all rows per update (the article)", "a few rows per update", "one row per update"])
    batch_size = st.slider("Mini-batch size", 2, 256, 32, key="train_batch_size", bind="query-params",
                           disabled=batch_mode != "mini")
    if batch_mode == "full":
        budget = st.slider("Iterations", 10, 5000, 300, 10, key="train_iterations", bind="query-params",
                           help="One iteration = one forward, one backward, one update on all the rows.")
    else:
        budget = st.slider("Epochs", 1, 100, 20, key="train_epochs", bind="query-params",
                           help="One epoch = one pass over the training rows, cut into batches.")
    optimizer = st.selectbox("Optimizer", list(OPTIMIZERS), key="train_optimizer", bind="query-params",
                             format_func=OPTIMIZER_LABELS.get)
    init_seed = st.number_input("Initialization seed", 0, 9999, 1, key="train_seed", bind="query-params",
                                help="The article's nInit uses np.random.seed(1).")

# ---------------------------------------------------------------- data: built-in or upload
data_notes: tuple[str, ...] = ()
if source == "builtin":
    names = cancer_dataset().feature_names
    chosen = st.sidebar.multiselect("Features", names, default=list(names), key="train_features")
    if not chosen:
        st.warning("Choose at least one feature in the sidebar to train on.")
        st.stop()
    features = None if len(chosen) == len(names) else tuple(names.index(name) for name in chosen)
    split: Split = cancer_split(test_size, int(split_seed), stratify, scaling, features)
    class_names = ("benign", "malignant")
    data_label = f"built-in Wisconsin diagnostic, {len(chosen)} features"
else:
    st.subheader("Your CSV")
    uploaded = st.file_uploader("CSV file: one row per sample, one column per feature, one label column",
                                key="train_upload")
    if uploaded is None:
        st.info("Upload a CSV to train on it — for example the UCI original Wisconsin file "
                "(no header, an ID column, '?' for missing values, classes 2 and 4).")
        st.stop()
    raw = uploaded.getvalue()
    file_key = hashlib.sha256(raw).hexdigest()[:10]
    header_choice = st.radio("First row", ["auto", "header", "data"], horizontal=True, key=f"train_header_{file_key}",
                             format_func={"auto": "Detect the header", "header": "Is a header",
                                          "data": "Is data (no header)"}.get)
    try:
        table = cached_table(raw, {"auto": None, "header": True, "data": False}[header_choice])
    except DataError as error:
        st.error(f"**This file cannot be used.** {error}")
        st.stop()
    column_a, column_b, column_c = st.columns(3)
    label_default = table.columns.index(table.default_label_column())
    label_column = column_a.selectbox("Label column", table.columns, index=label_default,
                                      key=f"train_label_{file_key}")
    class_values = table.class_values(label_column)[:20]
    if not class_values:
        st.error(f"**This file cannot be used.** The label column '{label_column}' is empty (only missing values). "
                 "Choose the column that holds the classes.")
        st.stop()
    positive_default = table.default_positive(label_column)
    positive = column_b.selectbox("Positive class (label 1, e.g. malignant)", class_values,
                                  index=class_values.index(positive_default) if positive_default in class_values else 0,
                                  key=f"train_positive_{file_key}_{label_column}")
    exclude = column_c.multiselect("Exclude columns (IDs)", [c for c in table.columns if c != label_column],
                                   default=[c for c in table.id_like_columns() if c != label_column],
                                   key=f"train_exclude_{file_key}_{label_column}")
    try:
        built = build_dataset(table, label_column, positive, exclude)
        split = split_and_scale(built.dataset, test_size=test_size, seed=int(split_seed), stratify=stratify,
                                scaling=scaling)
    except DataError as error:
        st.error(f"**This file cannot be used.** {error}")
        st.stop()
    except ValueError as error:  # sklearn refusing a split, e.g. a class too small for the test fraction
        st.error(f"**The rows cannot be split into training and test sets:** {error}")
        st.stop()
    data_notes = built.notes
    # "missed 4" reads badly: numeric class values are shown as "class 4".
    class_names = tuple(f"class {name}" if name.lstrip("-").replace(".", "", 1).isdigit() else name
                        for name in built.dataset.class_names)
    data_label = f"{uploaded.name}: {len(split.feature_names)} features, positive class '{positive}'"
    st.caption(f"{built.dataset.X.shape[0]} rows used · {len(split.feature_names)} features · "
               f"header {'found' if table.has_header else 'not found'} · label '{label_column}', "
               f"1 = '{class_names[1]}', 0 = '{class_names[0]}'")
    for note in data_notes:
        st.info(note)

n_x, m_train = split.X_train.shape
mini_batch = {"full": None, "mini": int(batch_size), "sgd": 1}[batch_mode]
iterations = int(budget) if batch_mode == "full" else updates_for(int(budget), m_train, mini_batch)
settings = {
    "data": data_label, "test_size": test_size, "stratify": stratify, "scaling": scaling,
    "split_seed": int(split_seed), "hidden": hidden, "lr": lr, "batch_mode": batch_mode,
    "batch_size": mini_batch, "iterations": iterations, "optimizer": optimizer, "init_seed": int(init_seed),
    "features": list(split.feature_names),
}
settings_key = settings_json(settings)

# ---------------------------------------------------------------- training (live)
st.subheader("Training")
st.caption(f"{m_train} training rows × {n_x} features → {hidden} ReLU units → 1 sigmoid · "
           f"{iterations} updates" + ("" if batch_mode == "full" else f" ({budget} epochs of "
                                                                       f"{steps_per_epoch(m_train, mini_batch)})"))
button_train, button_stop, _ = st.columns([1, 1, 4])
train_clicked = button_train.button("Train", type="primary", key="train_run", icon=":material/play_arrow:")
button_stop.button("Stop", key="train_stop", icon=":material/stop:",
                   help="Stops a run in progress and keeps the model as it is at that moment.")
progress_slot = st.empty()
chart_slot = st.empty()


def finish_run(params, monitor: TrainingMonitor, losses: np.ndarray, status: str, elapsed: float) -> None:
    """Keep the model and its test-set probabilities in this session: the threshold needs no retraining."""
    st.session_state.train_result = {
        "params": params, "monitor": monitor, "losses": losses, "status": status, "elapsed": elapsed,
        "settings": settings, "settings_key": settings_key, "proba": predict_test(params, split.X_test),
        "Y_test": split.Y_test.ravel().copy(), "class_names": class_names, "iterations": iterations,
    }
    st.session_state.pop("train_partial", None)
    st.session_state.train_runs = st.session_state.get("train_runs", 0) + 1


partial = st.session_state.get("train_partial")
if partial is not None:  # the previous run was interrupted (Stop or another click): keep what it reached
    if partial["settings_key"] == settings_key:
        finish_run(partial["params"], partial["monitor"], np.asarray(partial["losses"]), "stopped",
                   partial["elapsed"])
    else:
        st.session_state.pop("train_partial", None)

previous = st.session_state.get("train_result")
if train_clicked or previous is None or previous["settings_key"] != settings_key:
    params0 = init_params(n_x, hidden, seed=int(init_seed))
    monitor = TrainingMonitor(split.X_train, split.Y_train, split.X_test, split.Y_test)
    record_every = max(1, iterations // 100)
    started = time.perf_counter()
    last_draw = [started]
    batch_losses: list[float] = []

    def on_step(step: int, params, batch_loss: float) -> bool:
        stop = monitor(step, params, batch_loss)
        batch_losses.append(batch_loss)
        st.session_state.train_partial = {"params": copy_params(params), "monitor": monitor, "losses": batch_losses,
                                          "settings_key": settings_key, "elapsed": time.perf_counter() - started}
        progress_slot.progress(step / iterations, text=f"iteration {step} / {iterations}")
        now = time.perf_counter()
        if now - last_draw[0] > LIVE_REDRAW_SECONDS:  # a figure costs ~50 ms to build and more to draw: twice a second
            last_draw[0] = now
            chart_slot.plotly_chart(loss_curves_figure(monitor.steps, monitor.train_loss, monitor.val_loss,
                                                       total_iterations=iterations))
        return stop

    monitor.record(0, params0)
    trained, losses = train(params0, split.X_train, split.Y_train, lr=lr, iterations=iterations,
                            batch_size=mini_batch, optimizer=optimizer, seed=int(init_seed),
                            callback=on_step, callback_every=record_every)
    if monitor.exploded_at is not None:
        status = "exploded"
    elif diverged(losses):
        status = "diverged"
    else:
        status = "done"
    if not monitor.steps or monitor.steps[-1] != len(losses):
        monitor.record(len(losses), trained)
    finish_run(trained, monitor, losses, status, time.perf_counter() - started)

result = st.session_state.train_result
monitor = result["monitor"]
done_steps = monitor.steps[-1]
progress_slot.progress(done_steps / max(1, result["iterations"]),
                       text=f"iteration {done_steps} / {result['iterations']}")
STOP_REASONS = {"exploded": "loss exploded", "diverged": "loss exploded", "stopped": "stopped here"}
stop_reason = STOP_REASONS.get(result["status"], "")
chart_slot.plotly_chart(loss_curves_figure(
    monitor.steps, monitor.train_loss, monitor.val_loss, total_iterations=result["iterations"],
    stopped_at=done_steps if result["status"] != "done" else None, stop_reason=stop_reason), key="train_loss_chart")

if result["status"] in ("exploded", "diverged"):
    start_loss = monitor.train_loss[0]
    peak = max(monitor.train_loss) if result["status"] == "exploded" else DIVERGENCE_LOSS
    st.error(f"**Training stopped at iteration {done_steps}: the loss exploded** from {format_number(start_loss)} "
             f"to over {format_number(peak)}. The learning rate {format_number(result['settings']['lr'])} is "
             "too high — each step overshoots the valley and lands higher up. Try a learning rate 10 times smaller. "
             "The red line on the chart marks where it stopped.")
elif result["status"] == "stopped":
    st.warning(f"Stopped by you at iteration {done_steps} of {result['iterations']}; the results below are for "
               "the model at that moment.")
else:
    st.success(f"Trained {done_steps} iterations in {result['elapsed']:.2f} s. Final loss: training "
               f"{format_number(monitor.train_loss[-1])}, validation {format_number(monitor.val_loss[-1])}.")
st.caption("The validation curve is the loss on the held-out test rows; they are never used to update the weights.")

# ---------------------------------------------------------------- results: threshold, metrics, matrices
st.subheader("Results on the test set")
threshold = st.slider("Decision threshold: call a tumour malignant when Yh >", 0.05, 0.95, 0.5, 0.01,
                      key="train_threshold", bind="query-params",
                      help="Moving it re-uses the trained model: no retraining.")
names_shown = result["class_names"]
metrics = threshold_metrics(result["Y_test"], result["proba"], threshold)
metric_columns = st.columns(5)
for column, (label, value) in zip(metric_columns, [
        ("Accuracy", metrics.accuracy), ("Precision", metrics.precision), ("Recall", metrics.recall),
        ("F1", metrics.f1), ("ROC AUC", metrics.roc_auc)], strict=True):
    column.metric(label, f"{value:.3f}")

matrix_column, roc_column = st.columns(2)
matrix_column.plotly_chart(confusion_matrix_figure(metrics.matrix, names_shown, threshold), key="train_confusion")
fpr, tpr = roc_points(result["Y_test"], result["proba"])
roc_column.plotly_chart(roc_figure(fpr, tpr, metrics.roc_auc, current_fpr=metrics.false_positive_rate,
                                   current_tpr=metrics.recall, threshold=threshold), key="train_roc")

trade_off = [threshold_metrics(result["Y_test"], result["proba"], t) for t in (0.5, 0.7, 0.9)]
st.markdown(f"**The article's thresholds.** A higher threshold raises fewer false alarms but misses more "
            f"{names_shown[1]} cases:")
st.dataframe({
    "threshold": [t.threshold for t in trade_off],
    f"missed {names_shown[1]} (false negatives)": [t.missed for t in trade_off],
    "false alarms (false positives)": [t.false_alarms for t in trade_off],
    "recall": [round(t.recall, 3) for t in trade_off],
    "precision": [round(t.precision, 3) for t in trade_off],
    "accuracy": [round(t.accuracy, 3) for t in trade_off],
}, hide_index=True, key="train_tradeoff")

# ---------------------------------------------------------------- baselines
st.subheader("Against scikit-learn (same split, same scaling)")
ours = threshold_metrics(result["Y_test"], result["proba"], 0.5)
baselines = baseline_scores(split.X_train, split.Y_train, split.X_test, split.Y_test, int(hidden), int(init_seed))
st.dataframe({
    "model": ["this network (threshold 0.5)", *baselines],
    "test accuracy": [round(ours.accuracy, 3), *(round(s["accuracy"], 3) for s in baselines.values())],
    "F1": [round(ours.f1, 3), *(round(s["f1"], 3) for s in baselines.values())],
    "ROC AUC": [round(ours.roc_auc, 3), *(round(s["roc_auc"], 3) for s in baselines.values())],
}, hide_index=True, key="train_baselines")

# ---------------------------------------------------------------- gradient flow
st.subheader("Gradient-flow health")
st.plotly_chart(gradient_flow_figure(monitor.steps, monitor.grad_norms, monitor.dead_fraction), key="train_flow")
st.markdown(f"**Reading:** {gradient_flow_reading(monitor)}")

# ---------------------------------------------------------------- batch vs mini-batch vs SGD
st.subheader("Batch vs mini-batch vs SGD")
comparison_iterations = min(iterations, 2000)
st.markdown(f"The article's closing question: one button trains three networks from the same start with the same "
            f"learning rate and the same **{comparison_iterations} updates** — on all rows, on mini-batches of "
            f"{mini_batch or 32}, or on one row at a time.")
if st.button("Compare the three batch modes", key="train_compare"):
    st.session_state.train_comparison = {
        "settings_key": settings_key,
        "runs": compare_batch_modes(split.X_train, split.Y_train, hidden=hidden, lr=lr,
                                    iterations=comparison_iterations, mini_batch_size=mini_batch or 32,
                                    optimizer=optimizer, seed=int(init_seed))}
comparison = st.session_state.get("train_comparison")
if comparison is not None:
    st.plotly_chart(batch_mode_figure(comparison["runs"]), key="train_batch_chart")
    st.caption("Each point is the loss on the batch used for that update: one row for SGD, so it jumps "
               "around; the full batch descends smoothly. The mini-batch sits in between.")

# ---------------------------------------------------------------- export
st.subheader("Export")
export_weights, export_settings = st.columns(2)
export_weights.download_button("Weights (.npz)", weights_npz(result["params"]), "backprop_lab_weights.npz",
                               "application/octet-stream", key="train_download_weights",
                               help="W1, b1, W2, b2: np.load(path, allow_pickle=False)")
export_settings.download_button("Settings (.json)", settings_json({**result["settings"], "threshold": threshold}),
                                "backprop_lab_settings.json", "application/json", key="train_download_settings")
st.caption("Every setting also lives in the page address: copy the URL to share this exact run.")
