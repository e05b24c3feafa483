"""The guided lesson on screen: what each step needs computed (bounded caches, the same for every student),
the step's live figure — the other pages' own views, keyed ``lesson_…`` — the predict-then-reveal form, and
the lesson's navigation and Start over.

A student's answers live in ``st.session_state.lesson_answers`` (step key → the committed answer), never in
the address: a deep link opens a step unanswered.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lessons import guided_lesson as lesson
from lessons.guided_lesson import CHOICE, NUMBER, STEP_COUNT, STEPS, LessonStep, Prediction
from lessons.live_class import answer_text
from lessons.presets import CURE_IT, SEE_OVERFITTING
from lessons.stage_panels import sigmoid_chain_items, stage_items
from lessons.stages import STAGES_BY_KEY
from lessons.step_through import collect_matrices
from lessons.url_values import parse_int
from nn_core.network import init_params
from nn_core.optimizers import OPTIMIZER_LABELS
from nn_core.surfaces import get_surface
from streamlit_glue.cached import cancer_split, small_example
from streamlit_glue.computation_graph_view import computation_graph_view
from streamlit_glue.derivative_warm_up import derivative_warm_up
from streamlit_glue.landscape_views import TOY_RESOLUTION, toy_lesson
from streamlit_glue.layout import CHART_WIDTH, scrollable_chart
from streamlit_glue.link_guard import LinkCheck, forget_link, single
from streamlit_glue.lost_session import NOTICE_STATE_KEY
from streamlit_glue.plotly_in_place import plotly_chart_in_place
from streamlit_glue.presenter import PRESENT_KEY, PRESENTER_CHART_WIDTH, presenter_requested
from streamlit_glue.work_queue import quietly_in_a_slot
from viz import landscape3d as charts
from viz.curves import ComparedRun, compared_runs_figure, loss_curves_figure
from viz.heatmaps import MatrixPanel, describe_equation, equation_figure
from viz.history import loss_history_figure
from viz.network_diagram import describe_network_diagram, network_diagram_figure
from viz.style import OPTIMIZER_COLORS, SERIES_COLORS, format_number
from viz.text import markdown_literal
from viz.text_alternatives import describe_compared_runs, describe_loss_curves

STEP_KEY = "lesson_step"
ANSWERS = "lesson_answers"
HIDDEN_MARK = "?"


def link_checks() -> dict[str, LinkCheck]:
    return {STEP_KEY: single(lambda raw: parse_int(raw, 1, STEP_COUNT))}


# ------------------------------------------------------------------------------------------------ numbers
# Everything below depends on nothing a student sets: one entry each, shared by every session.
@st.cache_data(max_entries=1, ttl="1h", show_spinner=False)
def example_matrices() -> dict:
    """Every matrix of one forward + backward + update on the forward & backward page's default example."""
    X, Y, _ = small_example(lesson.EXAMPLE_FEATURES, lesson.EXAMPLE_M, lesson.EXAMPLE_SEED)
    params = init_params(len(lesson.EXAMPLE_FEATURES), lesson.EXAMPLE_HIDDEN, seed=lesson.EXAMPLE_SEED)
    return collect_matrices(params, X, Y, lesson.EXAMPLE_LR)


@st.cache_data(max_entries=1, ttl="1h", show_spinner=False)
def example_updates():
    X, Y, _ = small_example(lesson.EXAMPLE_FEATURES, lesson.EXAMPLE_M, lesson.EXAMPLE_SEED)
    params = init_params(len(lesson.EXAMPLE_FEATURES), lesson.EXAMPLE_HIDDEN, seed=lesson.EXAMPLE_SEED)
    return lesson.many_updates(params, X, Y)


@st.cache_resource(max_entries=1, ttl="1h", show_spinner="Training the network on the cancer data…")
def default_training():
    split = cancer_split()
    with quietly_in_a_slot():  # the lesson's own trainings take a slot of the server's queue like any heavy run
        run = lesson.training_run(split)
    return run, lesson.test_accuracy(run, split), split


@st.cache_resource(max_entries=1, ttl="1h", show_spinner="Training the two overfitting runs…")
def overfitting_pair():
    split = cancer_split()
    with quietly_in_a_slot():
        return lesson.overfitting_runs(split)


@st.cache_resource(max_entries=1, ttl="1h", show_spinner=False)
def race():
    with quietly_in_a_slot():
        return lesson.landscape_race()


_INPUTS = {"warm_up": lambda: None, "example": example_matrices, "updates": example_updates,
           "training": default_training, "overfitting": overfitting_pair, "landscape": race}


def step_inputs(step: LessonStep):
    return _INPUTS[step.needs]()


# ------------------------------------------------------------------------------------------------ navigation
# A step change the lesson's own page makes; in a live class the teacher's screen passes one that moves the class
# (store.move_to), so the class follows whatever control moved the teacher's step.
OnMove = Callable[[int], None] | None


def _move(by: int, on_move: OnMove = None) -> None:
    """The one navigation seam: every control that changes the step (Previous, Next, the slider) goes through it."""
    st.session_state[STEP_KEY] = min(STEP_COUNT, max(1, st.session_state[STEP_KEY] + by))
    if on_move is not None:
        on_move(st.session_state[STEP_KEY])


# What Start over keeps: the presenter view (the room's screen, not the class's state) and whether this browser
# was already told its page moved to another server (a dismissed notice must not come back).
KEPT_BY_START_OVER = (PRESENT_KEY, NOTICE_STATE_KEY)


def start_over() -> None:
    """Reset the whole app for the next class: every page's state, every answer, the page address — all but
    ``KEPT_BY_START_OVER``."""
    kept = {key: st.session_state[key] for key in KEPT_BY_START_OVER if key in st.session_state}
    st.session_state.clear()
    forget_link(keep=(PRESENT_KEY,) if kept.get(PRESENT_KEY) else ())
    st.session_state.update({key: value for key, value in kept.items() if value})
    st.session_state[STEP_KEY] = 1


def navigation(on_move: OnMove = None) -> int:
    """Step picker (in the address as lesson_step), Previous / Next, Start over, and the progress bar. With
    ``on_move`` (a live class's teacher): every move is passed on, and there is no Start over (the class has End)."""
    # a slider, not a selectbox of titles: a bound selectbox writes its option's label into the address
    number = st.slider("Step", 1, STEP_COUNT, key=STEP_KEY, bind="query-params", on_change=_move, args=(0, on_move))
    back, forward, again = st.columns([1, 1, 1.2], vertical_alignment="bottom")
    back.button("Previous", key="lesson_prev", on_click=_move, args=(-1, on_move), icon=":material/arrow_back:",
                disabled=number == 1, width="stretch")
    forward.button("Next", key="lesson_next", on_click=_move, args=(1, on_move), icon=":material/arrow_forward:",
                   type="primary", disabled=number == STEP_COUNT, width="stretch")
    if on_move is None:
        again.button("Start over", key="lesson_start_over", on_click=start_over, icon=":material/restart_alt:",
                     width="stretch", help="For the next class: clears every answer and every page's settings.")
    st.progress(number / STEP_COUNT, text=f"Step {number} of {STEP_COUNT}: {STEPS[number - 1].title}")
    return number


# ------------------------------------------------------------------------------------------------ predict, reveal
def _answer_key(step: LessonStep) -> str:
    return f"lesson_answer_{step.key}"


def _commit(step: LessonStep) -> None:
    response = st.session_state.get(_answer_key(step))
    if response is None:
        st.session_state["lesson_missing"] = step.key
        return
    st.session_state.setdefault(ANSWERS, {})[step.key] = response


def _ask_again(step: LessonStep) -> None:
    st.session_state.get(ANSWERS, {}).pop(step.key, None)
    st.session_state.pop(_answer_key(step), None)


def committed_answer(step: LessonStep):
    return st.session_state.get(ANSWERS, {}).get(step.key)


def answer_widget(prediction: Prediction, key: str, number_range: tuple[float, float] | None = None) -> None:
    """The widget a student answers with: a number box, one choice, or any number of units (inside a form)."""
    if prediction.kind == NUMBER:
        low, high = number_range or (None, None)
        st.number_input("Your answer", value=None, step=0.01, format="%.4f", key=key, placeholder="type a number",
                        min_value=low, max_value=high)
    elif prediction.kind == CHOICE:
        st.radio("Your answer", prediction.options, index=None, key=key, horizontal=True)
    else:
        st.pills("Your answer (select every one that fits; none at all is an answer too)", prediction.options,
                 selection_mode="multi", key=key, default=[])


def prediction_form(step: LessonStep, prediction: Prediction) -> None:
    """The question and an answer widget; nothing of the answer is on screen until "Commit" is pressed."""
    with st.form(key=f"lesson_form_{step.key}"):
        st.markdown("**Predict first:** " + markdown_literal(prediction.prompt))
        answer_widget(prediction, _answer_key(step))
        st.form_submit_button("Commit my answer", type="primary", on_click=_commit, args=(step,),
                              icon=":material/lock:")
    if st.session_state.pop("lesson_missing", None) == step.key:
        st.warning("Give an answer first — the numbers appear once you have committed to one.")


def verdict(prediction: Prediction, response, said: str = "You said") -> None:
    """The lesson's judge on one answer, in green or red, with the answer read back."""
    judged = lesson.check(prediction, response)
    (st.success if judged.correct else st.error)(
        markdown_literal(f"{said}: {answer_text(prediction, response)}. {judged.headline}"),
        icon=":material/check_circle:" if judged.correct else ":material/cancel:")


def reveal(step: LessonStep, prediction: Prediction, response) -> None:
    st.markdown("**The question:** " + markdown_literal(prediction.prompt))
    verdict(prediction, response)
    st.info(markdown_literal(prediction.why), icon=":material/lightbulb:")
    st.button("Ask me again", key=f"lesson_again_{step.key}", on_click=_ask_again, args=(step,),
              icon=":material/replay:")


# ------------------------------------------------------------------------------------------------ figures
ONCE_COMMITTED = "once you have committed an answer"  # the one way to say when the numbers appear


def until_committed(what: str) -> None:
    """The one sentence a figure shows in its place before the answer: what comes, and ONCE_COMMITTED."""
    st.caption(f"{what} {ONCE_COMMITTED}.")


def _chart_width() -> int:
    return PRESENTER_CHART_WIDTH if presenter_requested() else CHART_WIDTH


def _stage_chart(stage_key: str, matrices, *, hide_computed: bool) -> None:
    """The forward & backward page's stage picture (its own panels and equation figure)."""
    stage = STAGES_BY_KEY[stage_key]
    items = stage_items(stage, matrices, lesson.EXAMPLE_FEATURES)
    if hide_computed:
        items = [HIDDEN_MARK if isinstance(item, MatrixPanel) and item.name in stage.computed else item
                 for item in items]
    scrollable_chart(equation_figure(items, max_width=_chart_width()), key=f"lesson_stage_{stage_key}",
                     alt=describe_equation(items) + (f" The computed matrix is hidden: it appears {ONCE_COMMITTED}."
                                                     if hide_computed else ""))


def _stages(stage_keys: list[str], matrices, prediction: Prediction, revealed: bool) -> None:
    if not revealed:
        _stage_chart(stage_keys[0], matrices, hide_computed=True)
        until_committed("The matrix this step computes (shown as ?) appears")
        return
    for stage_key in stage_keys:
        _stage_chart(stage_key, matrices, hide_computed=False)
    if "dLoss_Z2" in stage_keys:
        items = sigmoid_chain_items(matrices, lesson.EXAMPLE_FEATURES)
        st.markdown("The article's chain, factor by factor, next to Yh − Y: the same numbers.")
        scrollable_chart(equation_figure(items, max_width=_chart_width()), key="lesson_identity_chart",
                         alt=describe_equation(items))
    if stage_keys[0].startswith("dLoss_") and st.toggle(
            "Show the computation graph", key="lesson_show_graph",
            help="Every operation of the forward pass as a node with its grad at this step; click a node (or pick "
                 "it below) for its local rule with the numbers."):
        computation_graph_view(matrices, stage_keys[0], prediction.sample or 0, key_prefix="lesson",
                               step_through_links=False)
    if "dLoss_Z1" in stage_keys:
        sample = prediction.sample
        plotly_chart_in_place(
            network_diagram_figure(matrices, "dLoss_Z1", sample=sample, feature_names=lesson.EXAMPLE_FEATURES),
            key="lesson_diagram", config={"displayModeBar": False},
            alt=describe_network_diagram(matrices, "dLoss_Z1", sample=sample))
        st.caption(f"The network for tumour s{(sample or 0) + 1}: a silent hidden unit passes no gradient back.")


def _history(losses, revealed: bool) -> None:
    if not revealed:
        until_committed("The loss curve appears")
        return
    plotly_chart_in_place(loss_history_figure(list(losses)), key="lesson_history_chart",
                          alt=f"Line chart of the loss after each update: {format_number(losses[0], 5)} at "
                              f"iteration 0, {format_number(losses[-1], 5)} at iteration {len(losses) - 1}.")


def _run_chart(run, key: str) -> None:
    """The training page's loss chart for a run."""
    monitor = run.monitor
    best = run.reading.best_iteration if run.reading.overfits else None
    fig = loss_curves_figure(monitor.steps, monitor.train_loss, monitor.val_loss,
                             total_iterations=monitor.steps[-1], best_iteration=best, val_name=run.rows.curve_name)
    plotly_chart_in_place(fig, key=key, alt="Loss while training. " + describe_loss_curves(
        monitor.steps, monitor.train_loss, monitor.val_loss))


def _training(inputs, revealed: bool) -> None:
    if not revealed:
        until_committed("The training curves appear")
        return
    run, _, _ = inputs
    _run_chart(run, "lesson_training_chart")
    st.caption("The training page's defaults; the validation curve is the loss on the held-out test tumours.")


def _overfitting(inputs, revealed: bool) -> None:
    """Both presets on one chart, the same axes, judged on the same test rows (lessons.guided_lesson's words)."""
    if not revealed:
        until_committed("The curves appear")
        return
    see, cure = inputs
    runs = [ComparedRun(label, color, run.test_curve, run.monitor.steps, run.monitor.train_loss, run.rows.fit,
                        run.best_iteration)
            for label, color, run in ((SEE_OVERFITTING.label, SERIES_COLORS[0], see),
                                      (CURE_IT.label, SERIES_COLORS[2], cure))]
    shared = f"{see.rows.test} test rows"
    plotly_chart_in_place(compared_runs_figure(runs, shared_rows=shared, title=f"Both runs on the same {shared}"),
                          key="lesson_overfit_chart", alt=describe_compared_runs(runs, shared))
    st.caption(markdown_literal(lesson.overfitting_caption(see, cure)))


def _landscape(inputs, revealed: bool) -> None:
    surface = get_surface(inputs.surface)
    balls = lesson.LANDSCAPE_BALLS
    labels = [f"{OPTIMIZER_LABELS[name]}, lr {format_number(lr)}" for name, lr in balls]
    colors = [OPTIMIZER_COLORS[name] for name, _ in balls]
    if not revealed:  # the balls at their start, on the same 3D view (the chart is updated in place on reveal)
        x_axis, y_axis, Z = surface.grid(TOY_RESOLUTION)
        waiting = [charts.BallPath(label, color, run.path[:1, 0], run.path[:1, 1], run.values[:1], False)
                   for label, color, run in zip(labels, colors, inputs.runs, strict=True)]
        plotly_chart_in_place(charts.surface_figure(x_axis, y_axis, Z, waiting, z_title="f(x, y)"),
                              key="lesson_surface_chart",
                              alt=f"3D view of the surface {surface.label}; the three balls wait at their start.")
        until_committed("The balls roll")
        return
    toy_lesson(st.container(), inputs.surface, balls, labels, colors, inputs.start, lesson.LANDSCAPE_STEPS,
               lesson.LANDSCAPE_NOISE, lesson.LANDSCAPE_SEED, key_prefix="lesson")


def step_figure(step: LessonStep, inputs, prediction: Prediction, revealed: bool) -> None:
    """The live figure the step talks about, before (inputs only) or after the reveal."""
    kind = step.figure.kind
    if kind == "derivative":
        if revealed:
            derivative_warm_up("lesson", in_expander=False)
        else:
            until_committed("The picture of the secant appears")
    elif kind == "stages":
        _stages(list(step.figure.stages), inputs, prediction, revealed)
    elif kind == "history":
        _history(inputs, revealed)
    elif kind == "training":
        _training(inputs, revealed)
    elif kind == "overfitting":
        _overfitting(inputs, revealed)
    elif kind == "landscape":
        _landscape(inputs, revealed)
    else:
        raise ValueError(f"unknown figure {step.figure!r}")


# In a live class the teacher's screen draws the question part itself (the class answers, not the teacher): it
# gets the step and its prediction and returns whether the class's answers are shown (the figure follows).
QuestionPart = Callable[[LessonStep, Prediction], bool] | None


def lesson_step(number: int, question_part: QuestionPart = None) -> None:
    """Step ``number`` (1-based): words, the question or the reveal, then the figure."""
    step = STEPS[number - 1]
    inputs = step_inputs(step)
    prediction = step.predict(inputs)
    st.header(f"{number}. {step.title}")
    st.markdown(markdown_literal(step.text))
    if question_part is not None:
        step_figure(step, inputs, prediction, revealed=question_part(step, prediction))
        return
    response = committed_answer(step)
    if response is None:
        prediction_form(step, prediction)
    else:
        reveal(step, prediction, response)
    step_figure(step, inputs, prediction, revealed=response is not None)
    if response is not None:
        page, label, query = lesson.explore_link(step)
        st.page_link(page, label=label, icon=":material/open_in_new:", query_params=query)
