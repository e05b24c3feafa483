"""Train the article's network on the Wisconsin breast-cancer data (or your CSV) and judge the result."""

import streamlit as st

from lessons.evaluation import (
    roc_points,
    settings_json,
)
from lessons.run_link import MAX_ITERATIONS, RUN_PARAM, encode_run
from lessons.settings import TRAINING
from lessons.training_run import DIVERGED, DONE, row_use, status_message
from nn_core.data import CLASS_NAMES
from nn_core.diagnostics import gradient_flow_reading
from nn_core.training import steps_per_epoch
from streamlit_glue.cached import cached_threshold_metrics, cancer_dataset, cancer_split, figure_json
from streamlit_glue.layout import small_table
from streamlit_glue.link_guard import guard_link
from streamlit_glue.plotly_in_place import plotly_chart_in_place
from streamlit_glue.replay_view import overfitting_presets, replay_section
from streamlit_glue.setting_widgets import slider
from streamlit_glue.training_controls import link_settings, training_controls
from streamlit_glue.training_extras import batch_mode_comparison, export_buttons, scikit_learn_baselines
from streamlit_glue.training_session import training_result
from streamlit_glue.upload import uploaded_data
from viz.curves import gradient_flow_figure, loss_curves_figure
from viz.metrics import confusion_matrix_figure, roc_figure
from viz.text import markdown_literal
from viz.text_alternatives import (
    describe_confusion,
    describe_gradient_flow,
    describe_loss_curves,
    describe_roc,
)

st.title("Train on breast-cancer data")
intro = st.empty()  # written once the data is known: an upload's rows are not tumours
# ---------------------------------------------------------------- controls (in the page: a phone hides the sidebar)
names = cancer_dataset().feature_names
guard_link(link_settings(names))
controls = training_controls(names)

# ---------------------------------------------------------------- data: built-in or upload
if controls.source == "builtin":
    if not controls.features:
        st.warning("Choose at least one feature under Settings → Data to train on.")
        st.stop()
    features = None if len(controls.features) == len(names) else tuple(names.index(n) for n in controls.features)
    split = cancer_split(controls.test_size, controls.split_seed, controls.stratify, controls.scaling, features)
    class_names = raw_class_names = CLASS_NAMES
    data_label, file_sha256 = f"built-in Wisconsin diagnostic, {len(controls.features)} features", None
else:
    upload = uploaded_data(test_size=controls.test_size, seed=controls.split_seed, stratify=controls.stratify,
                           scaling=controls.scaling)
    split, class_names, raw_class_names, data_label, file_sha256 = (
        upload.split, upload.class_names, upload.raw_class_names, upload.label, upload.file_sha256)

if controls.source == "builtin":
    intro.markdown(
        "Part 3 of the article trains the 2-layer network to tell **malignant** from **benign** tumours. "
        "Pick the data and the hyperparameters, press **Train**, and watch the loss fall; then judge the model "
        "the way a clinician would — which tumours does it miss, how many false alarms — and against "
        "scikit-learn.")
else:
    negative, positive = (markdown_literal(name) for name in class_names)
    intro.markdown(
        f"The article's 2-layer network, trained on your table to tell **{positive}** (label 1) from "
        f"**{negative}** (label 0). Pick the hyperparameters, press **Train**, and watch the loss fall; then judge "
        f"the model — which {positive} rows does it miss, how many false alarms — and against scikit-learn.")

n_x, m_train = split.X_train.shape
config = controls.run_config(m_train)
settings = controls.settings(data_label, split.feature_names, config, file_sha256)
settings_key = settings_json(settings)

# ---------------------------------------------------------------- training (live)
st.header("Training")
st.caption(f"{m_train} training rows × {n_x} features → {controls.hidden} ReLU units → 1 sigmoid · "
           f"{config.iterations} updates" + ("" if config.batch_size is None else
                                             f" ({controls.budget} epochs of "
                                             f"{steps_per_epoch(m_train, config.batch_size)})"))
with st.container(horizontal=True):
    train_clicked = st.button("Train", type="primary", key="train_run", icon=":material/play_arrow:")
    stop_clicked = st.button("Stop", key="train_stop", icon=":material/stop:",
              help="Stops a run in progress and keeps the model as it is at that moment.")
overfitting_presets(names)
if (too_big := controls.over_budget(n_x, m_train)) is not None:
    st.error(too_big.message, icon=":material/block:")
    st.stop()
progress_slot, chart_slot = st.empty(), st.empty()
result = training_result(split, config, settings=settings, settings_key=settings_key, class_names=class_names,
                         force=train_clicked, progress_slot=progress_slot, chart_slot=chart_slot,
                         shared=controls.source == "builtin", stop=stop_clicked)
if result is None:
    st.info("Stopped before training began. Press **Train** to run these settings.")
    st.stop()

monitor, last_step = result["monitor"], result["monitor"].steps[-1]
rows = row_use(split, config)
progress_slot.progress(last_step / max(1, result["iterations"]), text=f"iteration {last_step} / {result['iterations']}")
overfitting = result["overfitting"] if result["status"] == DONE else None
best_mark = result["best_iteration"] if result["best_iteration"] is not None else (
    overfitting.best_iteration if overfitting is not None and overfitting.overfits else None)
plotly_chart_in_place(figure_json(
    loss_curves_figure, monitor.steps, monitor.train_loss, monitor.val_loss, total_iterations=result["iterations"],
    stopped_at=last_step if result["status"] != DONE or result["early_stop"] is not None else None,
    stop_reason={"diverged": "loss exploded", "stopped": "stopped here"}.get(result["status"], "early stop"),
    best_iteration=best_mark, val_name=rows.curve_name),
    key="train_loss_chart", alt=describe_loss_curves(monitor.steps, monitor.train_loss, monitor.val_loss),
    container=chart_slot)
kind, text = status_message(result["status"], last_step=last_step, iterations=result["iterations"],
                            lr=result["settings"]["lr"], start_loss=monitor.train_loss[0],
                            peak_loss=max(monitor.train_loss), elapsed=result["elapsed"],
                            final_train=monitor.train_loss[-1], final_val=monitor.val_loss[-1],
                            l2_term=monitor.l2_term[-1] if monitor.l2_term else 0.0, overfitting=overfitting,
                            best_iteration=result["best_iteration"], early_stop=result["early_stop"])
getattr(st, kind)(text)
st.caption(rows.caption())

# ---------------------------------------------------------------- watch it learn
replay_section(result, split, config, shared=controls.source == "builtin")
if controls.source == "builtin" and config.iterations <= MAX_ITERATIONS:
    st.page_link("app_pages/landscape.py", label="See this run as a ball on its loss landscape",
                 icon=":material/landscape:",
                 query_params={RUN_PARAM: encode_run(controls.run_spec(config, features))})

# ---------------------------------------------------------------- results: threshold, metrics, matrices, export
@st.fragment
def results_on_the_test_set() -> None:
    """A fragment: the threshold re-judges the trained model, so moving it reruns this part only."""
    st.header("Results on the test set")
    positive = result["class_names"][1]
    threshold = slider(TRAINING["train_threshold"], **({} if controls.source == "builtin" else {
        "label": f"Decision threshold: call a row {markdown_literal(positive)} when Yh >"}))
    names_shown, y_test, proba = result["class_names"], result["Y_test"], result["proba"]
    if result["status"] == DIVERGED:
        st.warning(f"**These results describe a broken model.** Its training diverged at iteration {last_step}, so "
                   "the scores below say nothing about what this network can learn. Lower the learning rate and "
                   "train again.")
    metrics = cached_threshold_metrics(y_test, proba, threshold)
    for column, (label, value) in zip(st.columns(5), [
            ("Accuracy", metrics.accuracy), ("Precision", metrics.precision), ("Recall", metrics.recall),
            ("F1", metrics.f1), ("ROC AUC", metrics.roc_auc)], strict=True):
        column.metric(label, f"{value:.3f}")
    matrix_column, roc_column = st.columns(2)
    plotly_chart_in_place(figure_json(confusion_matrix_figure, metrics.matrix, names_shown, threshold),
                          key="train_confusion", alt=describe_confusion(metrics.matrix, names_shown, threshold),
                          container=matrix_column)
    fpr, tpr = roc_points(y_test, proba)
    plotly_chart_in_place(figure_json(roc_figure, fpr, tpr, metrics.roc_auc, current_fpr=metrics.false_positive_rate,
                                     current_tpr=metrics.recall, threshold=threshold), key="train_roc",
                          alt=describe_roc(metrics.roc_auc, threshold, metrics.false_positive_rate, metrics.recall),
                          container=roc_column)
    st.markdown(f"**The article's thresholds.** A higher threshold raises fewer false alarms but misses more "
                f"{markdown_literal(names_shown[1])} cases:")
    small_table(result["trade_off"], key="train_tradeoff")
    export_buttons(result, split, raw_class_names, threshold)  # the model as judged here, at this threshold


results_on_the_test_set()

# ---------------------------------------------------------------- baselines
st.header("Against scikit-learn (same split, same scaling)")
scikit_learn_baselines(split, controls.hidden, controls.init_seed, result["Y_test"], result["proba"])

# ---------------------------------------------------------------- gradient flow
st.header("Gradient-flow health")
plotly_chart_in_place(figure_json(gradient_flow_figure, monitor.steps, monitor.grad_norms, monitor.dead_fraction),
                      key="train_flow",
                      alt=describe_gradient_flow(monitor.steps, monitor.grad_norms, monitor.dead_fraction))
st.markdown(f"**Reading:** {gradient_flow_reading(monitor)}")

# ---------------------------------------------------------------- batch vs mini-batch vs SGD
batch_mode_comparison(split, config, settings_key)
