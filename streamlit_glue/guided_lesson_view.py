"""The guided lesson on screen: what each step needs computed (bounded caches, the same for every student),
the step's live figure — the other pages' own views, keyed ``lesson_…`` — the predict-then-reveal form, and
the lesson's navigation and Start over.

A student's answers live in ``st.session_state.lesson_answers`` (step key → the committed answer), never in
the address: a deep link opens a step unanswered.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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
from streamlit_glue.cached import cancer_split, figure_json, small_example
from streamlit_glue.clicker_keys import KEYS_HELP, clicker_keys
from streamlit_glue.computation_graph_view import computation_graph_view
from streamlit_glue.derivative_warm_up import derivative_warm_up
from streamlit_glue.landscape_views import TOY_RESOLUTION, rotation_config, toy_details, toy_surface
from streamlit_glue.layout import CHART_WIDTH, scrollable_chart
from streamlit_glue.lesson_slide import BAR_KEY, FILL, PICTURE_KEY, STILL_3D_KEY, TITLE_KEY, lesson_css
from streamlit_glue.link_guard import LinkCheck, forget_link, single
from streamlit_glue.lost_session import NOTICE_STATE_KEY
from streamlit_glue.plotly_in_place import FillRoom, plotly_chart_in_place
from streamlit_glue.presenter import PRESENT_KEY, presenter_requested
from streamlit_glue.work_queue import quietly_in_a_slot
from viz import landscape3d as charts
from viz.curves import ComparedRun, compared_runs_figure, loss_curves_figure
from viz.derivative import derivative_figure, secant_slope, tangent_slope
from viz.heatmaps import COMPACT, LINE_BREAK, MatrixPanel, describe_equation, equation_figure
from viz.history import loss_history_figure
from viz.network_diagram import describe_network_diagram, network_diagram_figure
from viz.style import OPTIMIZER_COLORS, SERIES_COLORS, format_number
from viz.text import markdown_literal
from viz.text_alternatives import describe_compared_runs, describe_derivative, describe_loss_curves

STEP_KEY = "lesson_step"
ANSWERS = "lesson_answers"
HIDDEN_MARK = "?"
ONCE_COMMITTED = "once you have committed an answer"  # the one way to say when the numbers appear


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


def go_to_step(number: int, on_move: OnMove = None) -> None:
    """THE seam for moving through the lesson: the step slider, Previous and Next (top and bottom), the clicker's
    keys and Start over all move the step here, and only here; ``on_move`` (a live class's teacher) is told the new
    step, so the class follows whatever control moved it."""
    st.session_state[STEP_KEY] = min(STEP_COUNT, max(1, number))
    if on_move is not None:
        on_move(st.session_state[STEP_KEY])


def _step_by(by: int, on_move: OnMove = None) -> None:
    go_to_step(st.session_state[STEP_KEY] + by, on_move)


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
    go_to_step(1)


def _previous_next(number: int, on_move: OnMove = None, suffix: str = "", width: str = "content") -> None:
    """Previous and Next where the script is writing (``suffix`` keeps a second pair's keys apart)."""
    st.button("Previous", key=f"lesson_prev{suffix}", on_click=_step_by, args=(-1, on_move),
              icon=":material/arrow_back:", disabled=number == 1, width=width, help=KEYS_HELP)
    st.button("Next", key=f"lesson_next{suffix}", on_click=_step_by, args=(1, on_move),
              icon=":material/arrow_forward:", type="primary", disabled=number == STEP_COUNT, width=width,
              help=KEYS_HELP)


def navigation(on_move: OnMove = None) -> int:
    """The step picker (in the address as lesson_step) and the progress bar, then the step's title bar with
    Previous / Next / Start over, and the clicker's keys (→ / PageDown, ← / PageUp). A slide shows the bar only.
    With ``on_move`` (a live class's teacher): every move is passed on, and there is no Start over (the class has
    End)."""
    lesson_css()
    # a slider, not a selectbox of titles: a bound selectbox writes its option's label into the address
    number = st.slider("Step", 1, STEP_COUNT, key=STEP_KEY, bind="query-params",
                       on_change=lambda: go_to_step(st.session_state[STEP_KEY], on_move))
    with st.container(key="lesson_progress"):
        st.progress(number / STEP_COUNT, text=f"Step {number} of {STEP_COUNT}: {STEPS[number - 1].title}")
    with st.container(key=BAR_KEY, horizontal=True, vertical_alignment="center"):
        with st.container(key=TITLE_KEY):  # takes the bar's room left of the buttons, wrapping if it must
            st.header(f"{number}. {STEPS[number - 1].title}", anchor=False)
        _previous_next(number, on_move)
        if on_move is None:
            st.button("Start over", key="lesson_start_over", on_click=start_over, icon=":material/restart_alt:",
                      help="For the next class: clears every answer and every page's settings.")
    clicker_keys("lesson_keys", partial(_step_by, on_move=on_move))
    return number


def bottom_navigation(number: int, on_move: OnMove = None) -> None:
    """Previous and Next again under the step: on a phone the top ones are a long scroll away."""
    with st.container(key="lesson_bottom_nav", horizontal=True):
        _previous_next(number, on_move, suffix="_bottom", width="stretch")


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
    """The widget a student answers with: a number box, one choice, or any number of units (inside a form). Keyed
    ``lesson_answer_…`` or not, on a phone its targets are 44 px (lesson_slide's THUMBS_CSS)."""
    if prediction.kind == NUMBER:
        low, high = number_range or (None, None)
        st.number_input("Your answer", value=None, step=0.01, format="%.4f", key=key, placeholder="type a number",
                        min_value=low, max_value=high, width=220)
    elif prediction.kind == CHOICE:
        st.radio("Your answer", prediction.options, index=None, key=key, horizontal=True, width="content")
    else:
        st.pills("Your answer (select every one that fits; none at all is an answer too)", prediction.options,
                 selection_mode="multi", key=key, default=[])


def prediction_form(step: LessonStep, prediction: Prediction) -> None:
    """The question and an answer widget; nothing of the answer is on screen until "Commit" is pressed."""
    with st.form(key=f"lesson_form_{step.key}", border=False):
        st.markdown("**Predict first:** " + markdown_literal(prediction.prompt))
        with st.container(horizontal=True, vertical_alignment="bottom"):  # the answer, and Commit beside it
            answer_widget(prediction, _answer_key(step))
            st.form_submit_button("Commit my answer", type="primary", on_click=_commit, args=(step,),
                                  icon=":material/lock:")
    if st.session_state.pop("lesson_missing", None) == step.key:
        st.warning(f"Give an answer first — the numbers appear {ONCE_COMMITTED}.")


def verdict(prediction: Prediction, response, said: str = "You said", why: bool = False) -> None:
    """The lesson's judge on one answer, in green or red, with the answer read back (and the why under it in the
    same box, if ``why``: on a slide the two take one box's room)."""
    judged = lesson.check(prediction, response)
    text = markdown_literal(f"{said}: {answer_text(prediction, response)}. {judged.headline}")
    (st.success if judged.correct else st.error)(
        f"**{text}**\n\n{markdown_literal(prediction.why)}" if why else text,
        icon=":material/check_circle:" if judged.correct else ":material/cancel:")


def reveal(step: LessonStep, prediction: Prediction, response) -> None:
    """The verdict and why in one box, then Ask me again and the link to the page that shows the step in full
    (side by side when ``in_a_row``: under a wide figure there is room)."""
    with st.container(key="lesson_question"):  # a slide leaves it out: the verdict says what was asked
        st.markdown("**The question:** " + markdown_literal(prediction.prompt))
    verdict(prediction, response, why=True)
    with st.container(horizontal=True, vertical_alignment="center"):  # side by side, wrapping where they must
        st.button("Ask me again", key=f"lesson_again_{step.key}", on_click=_ask_again, args=(step,),
                  icon=":material/replay:")
        page, label, query = lesson.explore_link(step)
        st.page_link(page, label=label, icon=":material/open_in_new:", query_params=query)


# ------------------------------------------------------------------------------------------------ figures
# Figures that take any height: drawn beside the words (on a slide, as tall as the room); the equations, wide and
# short, go under them.
FIGURES_BESIDE = ("derivative", "history", "training", "overfitting", "landscape")
# An equation on a slide is offered on one line and wrapped at these widths (px): the browser draws the layout it
# can draw largest in the room that is left (plotly_in_place's FillRoom).
SLIDE_WRAP_WIDTHS = (10_000, 760, 520)


def until_committed(what: str) -> None:
    """The one sentence a figure shows in its place before the answer: what comes, and ONCE_COMMITTED."""
    st.caption(f"{what} {ONCE_COMMITTED}.")


def _fill() -> FillRoom | None:
    """In presenter view a chart fills the slide's room (lesson_slide.FILL); elsewhere it keeps its own size."""
    return FILL if presenter_requested() else None


def _pick_view(names: list[str], key: str) -> str:
    """Which of the step's figures to show: the first, or the one picked above it — another stage, the chain, the
    network, the computation graph are a click away instead of under each other (a slide has room for one)."""
    if len(names) == 1:
        return names[0]
    return st.segmented_control("Figure", names, default=names[0], key=key, required=True,
                                label_visibility="collapsed") or names[0]


def _equation_chart(items: list, key: str, alt: str) -> None:
    """An equation of matrices: on a slide compact, in every layout its room may want; elsewhere as the forward &
    backward page draws it, in a box that scrolls sideways on a phone."""
    if presenter_requested():
        layouts = [figure_json(equation_figure, items, max_width=width, geometry=COMPACT)
                   for width in SLIDE_WRAP_WIDTHS]
        scrollable_chart(list(dict.fromkeys(layouts)), key=key, alt=alt, fill=FILL)
    else:
        scrollable_chart(figure_json(equation_figure, items, max_width=CHART_WIDTH), key=key, alt=alt)


def _lines(items: list) -> list[list]:
    """An equation's lines (the update writes one per parameter)."""
    lines: list[list] = [[]]
    for item in items:
        if isinstance(item, str) and item == LINE_BREAK:
            lines.append([])
        else:
            lines[-1].append(item)
    return [line for line in lines if line]


def _stage_views(stage_key: str, matrices) -> dict[str, Callable[[], None]]:
    """The forward & backward page's stage picture (its own panels): one view, or one per line of it, named by
    its first matrix (the update: W1, b1, W2, b2)."""
    lines = _lines(stage_items(STAGES_BY_KEY[stage_key], matrices, lesson.EXAMPLE_FEATURES))
    if len(lines) == 1:
        return {stage_key: partial(_equation_chart, lines[0], f"lesson_stage_{stage_key}", describe_equation(lines[0]))}
    return {next(item.name for item in line if isinstance(item, MatrixPanel)):
            partial(_equation_chart, line, f"lesson_stage_{stage_key}" + (f"_{index}" if index else ""),
                    describe_equation(line))
            for index, line in enumerate(lines)}


def _hidden_stage(stage_key: str, matrices) -> None:
    """The stage's first line before the answer: its inputs, and ? for what it computes."""
    stage = STAGES_BY_KEY[stage_key]
    line = _lines([HIDDEN_MARK if isinstance(item, MatrixPanel) and item.name in stage.computed else item
                   for item in stage_items(stage, matrices, lesson.EXAMPLE_FEATURES)])[0]
    _equation_chart(line, f"lesson_stage_{stage_key}",
                    describe_equation(line) + f" The computed matrix is hidden: it appears {ONCE_COMMITTED}.")


def _identity_chart(matrices) -> None:
    st.caption("The article's chain, factor by factor, next to Yh − Y: the same numbers.")
    items = sigmoid_chain_items(matrices, lesson.EXAMPLE_FEATURES)
    _equation_chart(items, "lesson_identity_chart", describe_equation(items))


def _network(matrices, sample: int | None) -> None:
    st.caption(f"The network for tumour s{(sample or 0) + 1}: a silent hidden unit passes no gradient back.")
    plotly_chart_in_place(
        network_diagram_figure(matrices, "dLoss_Z1", sample=sample, feature_names=lesson.EXAMPLE_FEATURES),
        key="lesson_diagram", config={"displayModeBar": False},
        alt=describe_network_diagram(matrices, "dLoss_Z1", sample=sample), fill=_fill())


def _stages(stage_keys: list[str], matrices, prediction: Prediction, revealed: bool) -> None:
    if not revealed:
        _hidden_stage(stage_keys[0], matrices)
        until_committed("The matrix this step computes (shown as ?) appears")
        return
    views: dict[str, Callable[[], None]] = {}
    for stage_key in stage_keys:
        views |= _stage_views(stage_key, matrices)
    if "dLoss_Z2" in stage_keys:
        views["Chain = Yh − Y"] = partial(_identity_chart, matrices)
    if "dLoss_Z1" in stage_keys:
        views["The network"] = partial(_network, matrices, prediction.sample)
    if stage_keys[0].startswith("dLoss_"):
        views["Computation graph"] = partial(computation_graph_view, matrices, stage_keys[0], prediction.sample or 0,
                                             key_prefix="lesson", step_through_links=False, fill=_fill())
    views[_pick_view(list(views), key="lesson_view_" + "_".join(stage_keys))]()


def _secant() -> None:
    """The warm-up's picture at the question's x and h."""
    x, h = lesson.WARM_UP_X, lesson.WARM_UP_H
    plotly_chart_in_place(figure_json(derivative_figure, x, h), key="lesson_secant_chart",
                          alt=describe_derivative(x, h, secant_slope(x, h), tangent_slope(x)), fill=_fill())


def _derivative(revealed: bool) -> None:
    if not revealed:
        until_committed("The picture of the secant appears")
        return
    if _pick_view(["The secant", "Move x and h"], key="lesson_view_warm_up") == "The secant":
        _secant()
    else:
        derivative_warm_up("lesson", in_expander=False)


def _history(losses, revealed: bool) -> None:
    if not revealed:
        until_committed("The loss curve appears")
        return
    plotly_chart_in_place(loss_history_figure(list(losses)), key="lesson_history_chart", fill=_fill(),
                          alt=f"Line chart of the loss after each update: {format_number(losses[0], 5)} at "
                              f"iteration 0, {format_number(losses[-1], 5)} at iteration {len(losses) - 1}.")


def _run_chart(run, key: str) -> None:
    """The training page's loss chart for a run."""
    monitor = run.monitor
    best = run.reading.best_iteration if run.reading.overfits else None
    fig = loss_curves_figure(monitor.steps, monitor.train_loss, monitor.val_loss,
                             total_iterations=monitor.steps[-1], best_iteration=best, val_name=run.rows.curve_name)
    plotly_chart_in_place(fig, key=key, fill=_fill(), alt="Loss while training. " + describe_loss_curves(
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
                          key="lesson_overfit_chart", fill=_fill(), alt=describe_compared_runs(runs, shared))
    caption = markdown_literal(lesson.overfitting_caption(see, cure))
    if presenter_requested():  # a slide has no room under the chart: its legend names every line
        st.popover("How to read the chart", icon=":material/help:").caption(caption)
    else:
        st.caption(caption)


def _landscape(inputs, revealed: bool, controls=None) -> None:
    """The balls on the 3D view (or, once revealed, the top view and heights); the view picker and the rotate toggle
    go in ``controls`` when given (a slide: under the words, so the 3D view has the picture's whole room)."""
    surface = get_surface(inputs.surface)
    balls = lesson.LANDSCAPE_BALLS
    labels = [f"{OPTIMIZER_LABELS[name]}, lr {format_number(lr)}" for name, lr in balls]
    colors = [OPTIMIZER_COLORS[name] for name, _ in balls]
    toy = (inputs.surface, balls, labels, colors, inputs.start, lesson.LANDSCAPE_STEPS,
           lesson.LANDSCAPE_NOISE, lesson.LANDSCAPE_SEED)
    place = controls if controls is not None else st.container()
    with place, st.container(horizontal=True, vertical_alignment="center"):  # what to show, whether a drag turns it
        view = _pick_view(["3D view", "Top view and heights"], key="lesson_view_landscape") if revealed else "3D view"
        rotate = _rotate_toggle() if view == "3D view" else False
    ticks = SLIDE_3D_TICKS if presenter_requested() else None
    # a view that does not turn lets a thumb's swipe through to the page (lesson_slide's THUMBS_CSS)
    frame = st.container(key="lesson_3d_turns" if rotate else STILL_3D_KEY)
    if not revealed:  # the balls at their start, on the same 3D view (the chart is updated in place on reveal)
        x_axis, y_axis, Z = surface.grid(TOY_RESOLUTION)
        waiting = [charts.BallPath(label, color, run.path[:1, 0], run.path[:1, 1], run.values[:1], False)
                   for label, color, run in zip(labels, colors, inputs.runs, strict=True)]
        plotly_chart_in_place(figure_json(charts.surface_figure, x_axis, y_axis, Z, waiting, z_title="f(x, y)",
                                          rotate=rotate, tick_count=ticks),
                              key="lesson_surface_chart", config=rotation_config(rotate), fill=_fill(),
                              container=frame,
                              alt=f"3D view of the surface {surface.label}; the three balls wait at their start.")
        with controls if controls is not None else st.container():  # on a slide: under the words, with the toggle
            until_committed("The balls roll")
        return
    if view == "3D view":
        toy_surface(frame, *toy, key_prefix="lesson", rotate=rotate, describe=False, fill=_fill(), tick_count=ticks)
    else:
        toy_details(*toy, key_prefix="lesson")


# A slide's 3D view is a few hundred px tall: Plotly's default ticks (every unit) ran into each other there.
SLIDE_3D_TICKS = 4


def _rotate_toggle() -> bool:
    """Off (the default), a swipe over the 3D view scrolls the page; on, a drag turns the view."""
    return st.toggle("Rotate the 3D view", key="lesson_rotate",
                     help="On: drag the view to turn it. Off: a swipe over it scrolls the page (on a phone).")


def step_figure(step: LessonStep, inputs, prediction: Prediction, revealed: bool, controls=None) -> None:
    """The live figure the step talks about, before (inputs only) or after the reveal; a figure's pickers and
    toggles go in ``controls`` when given (else above it)."""
    kind = step.figure.kind
    if kind == "derivative":
        _derivative(revealed)
    elif kind == "stages":
        _stages(list(step.figure.stages), inputs, prediction, revealed)
    elif kind == "history":
        _history(inputs, revealed)
    elif kind == "training":
        _training(inputs, revealed)
    elif kind == "overfitting":
        _overfitting(inputs, revealed)
    elif kind == "landscape":
        _landscape(inputs, revealed, controls)
    else:
        raise ValueError(f"unknown figure {step.figure!r}")


# In a live class the teacher's screen draws the question part itself (the class answers, not the teacher): it
# gets the step and its prediction and returns whether the class's answers are shown (the figure follows).
QuestionPart = Callable[[LessonStep, Prediction], bool] | None


def lesson_step(number: int, question_part: QuestionPart = None) -> None:
    """Step ``number`` (1-based): the words — its text and question, or the verdict and why (or, in a live class,
    ``question_part``) — beside or above its figure (the title is in the navigation's bar)."""
    step = STEPS[number - 1]
    inputs = step_inputs(step)
    prediction = step.predict(inputs)
    beside = step.figure.kind in FIGURES_BESIDE
    # the words a little wider than the chart: a long why (step 14's) needs the lines, a chart fills any height
    words, picture = st.columns([1.2, 1], gap="medium") if beside else (st.container(), st.container())
    with words:
        if question_part is not None:
            st.markdown(markdown_literal(step.text))
            revealed = question_part(step, prediction)
        elif (response := committed_answer(step)) is None:
            st.markdown(markdown_literal(step.text))
            prediction_form(step, prediction)
            revealed = False
        else:
            reveal(step, prediction, response)
            revealed = True
    # on a slide the figure's pickers go under the words, leaving the picture's room to the figure
    controls = words if beside and presenter_requested() else None
    with picture, st.container(key=PICTURE_KEY):
        step_figure(step, inputs, prediction, revealed=revealed, controls=controls)
