"""A live class on screen: the teacher's (the lesson on the projector, the class bar, the class's answers) and the
students' (phones first: the teacher's step, the prediction form, then the verdict and the class's answers).

Who is who comes from the page's address (``?class=CODE``, the same link for everyone) and the browser's cookies
(identity_cookies.py); nothing secret stays in the address. Every rule that protects the class is the store's
(class_store/) or the rules' (lessons/live_class.py): what is drawn here only follows them, so a forged widget
value meets the same checks as a real one. Every screen registers with the class watcher (class_watcher.py),
which reruns it when the class moves on. Nothing a user typed is drawn as Markdown or HTML.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

import plotly.io as pio
import streamlit as st

from class_store import ClassState, NewClass, Refusal, StoreUnavailable
from class_store.codes import is_token, new_token, normalized_code
from class_store.records import REFUSALS
from file_formats.class_answers import class_answers_csv
from lessons import live_class as rules
from lessons.guided_lesson import CHOICE, STEP_COUNT, STEPS, LessonStep, Prediction
from streamlit_glue import live_class_server
from streamlit_glue.class_servers import note_server, resend_notice, several_servers_warning
from streamlit_glue.class_watcher import DOWN, STUDENT, TEACHER
from streamlit_glue.guided_lesson_view import (
    STEP_KEY,
    answer_widget,
    bottom_navigation,
    lesson_step,
    navigation,
    step_figure,
    step_inputs,
    verdict,
)
from streamlit_glue.identity_cookies import browser_cookie, remember_in_browser
from streamlit_glue.link_guard import LinkCheck
from streamlit_glue.page_scroll import scroll_to_top_on_change
from streamlit_glue.plotly_in_place import plotly_chart_in_place
from streamlit_glue.streamlit_internals import page_script_hash, session_id
from viz.class_answers import answers_figure, describe_answers
from viz.qr_code import qr_svg_data_uri
from viz.text import markdown_literal, markdown_table

LESSON_PAGE = "app_pages/lesson.py"
CLASS_KEY, TEACHER_KEY = "class", "teacher"  # the address: ?class=CODE (everyone), &teacher=SECRET (a teacher link)
TEACHER_COOKIE, STUDENT_COOKIE = "bpl_teacher_{}", "bpl_student_{}"
SECRETS, TOKENS = "live_secrets", "live_tokens"  # session_state: code → the teacher secret / the student token
CREATED = "live_created"  # the class this session created: its teacher link is shown here, and only here
NOTICE = "live_notice"  # a plain message from a callback, shown on the next run
CHANGING = "live_changing"  # (step, round) whose answer the student is changing
# Hostile-input bounds, per session (a browser tab)
WRONG_CODES, MAX_WRONG_CODES, WRONG_CODE_WINDOW = "live_wrong_codes", 5, 60.0  # unknown codes looked up
JOINS, MAX_JOINS = "live_joins", 5  # classes joined
ANSWERS_SENT, MAX_ANSWERS, ANSWER_WINDOW = "live_answers_sent", 20, 60.0  # answers sent per minute
STARTS, MAX_STARTS, START_WINDOW = "live_starts", 3, 3600.0  # classes started per hour (the store holds 500)
SAFE_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
SAFE_PATH = re.compile(r"[A-Za-z0-9/_.-]{0,200}")
QR_PIXELS, BIG_QR_PIXELS = 132, 460


@dataclass(frozen=True)
class Teacher:
    code: str
    secret: str


@dataclass(frozen=True)
class Student:
    code: str
    token: str
    number: int


# ------------------------------------------------------------------------------------------------ the address
def link_checks() -> dict[str, LinkCheck]:
    """The class code in the address, checked to its alphabet before any lookup (a wrong one is named in a
    plain-text note). The teacher key is never checked this way: the note would echo it."""
    def check(raws: list[str]) -> str | None:
        if len(raws) != 1:
            return "expected one class code"
        return None if normalized_code(raws[0]) else "not a class code (7 letters and digits)"
    return {CLASS_KEY: check}


def _lesson_path() -> str:
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/lesson" if base else "/lesson"


def join_link(code: str) -> str:
    """The join link: the browser's own address of the app with ``/lesson?class=CODE``, or the app-relative path
    when that address is unknown or odd (a crafted Host header never reaches the page's HTML)."""
    url = st.context.url
    if url:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and SAFE_HOST.fullmatch(parts.netloc) and SAFE_PATH.fullmatch(parts.path):
            return f"{parts.scheme}://{parts.netloc}{_lesson_path()}?{CLASS_KEY}={code}"
    return f"{_lesson_path()}?{CLASS_KEY}={code}"


# ------------------------------------------------------------------------------------------------ small helpers
def _recent(key: str, window: float) -> list[float]:
    """Times (monotonic) of this session's recent events of one kind, older than ``window`` forgotten."""
    now = time.monotonic()
    times = [t for t in st.session_state.get(key, []) if now - t < window]
    st.session_state[key] = times
    return times


def _count(key: str) -> None:
    st.session_state[key] = [*st.session_state.get(key, []), time.monotonic()]


def _remembered(kind: str, code: str) -> str | None:
    return st.session_state.get(kind, {}).get(code)


def _remember(kind: str, code: str, value: str) -> None:
    st.session_state.setdefault(kind, {})[code] = value


def _notice(message: str) -> None:
    st.session_state[NOTICE] = message


def _show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.warning(markdown_literal(notice), icon=":material/info:")


def _lesson_alone_link() -> None:
    st.page_link(LESSON_PAGE, label="Open the lesson on your own", icon=":material/school:", query_params={})


def _watch(code: str, role: str, state: ClassState | None) -> None:
    """Tell the class watcher what this screen drew (DOWN: nothing, the store did not answer)."""
    this_session = session_id()
    if this_session is None:
        return
    version, answers_version = (state.version, state.answers_version) if state else (DOWN, DOWN)
    live_class_server.class_watcher().watch(this_session, page_script_hash() or "", code, role, version,
                                            answers_version)


def _forget_watch() -> None:
    watcher, this_session = live_class_server.running_watcher(), session_id()
    if watcher is not None and this_session is not None:
        watcher.forget(this_session)


def _drop_teacher_key() -> None:
    if TEACHER_KEY in st.query_params:
        del st.query_params[TEACHER_KEY]


# ------------------------------------------------------------------------------------------------ the page's entry
def live_class_screen() -> bool:
    """Draw the class's screen when the address names a class — the teacher's, a student's, or why neither —
    and return True; False when it names none (the page then shows the lesson on one's own)."""
    raws = st.query_params.get_all(CLASS_KEY)
    code = normalized_code(raws[0]) if len(raws) == 1 else None
    if code is None:
        _drop_teacher_key()
        _forget_watch()
        return False
    try:
        role = _role(code)
        if isinstance(role, Teacher):
            teacher_screen(role)
        elif isinstance(role, Student):
            student_screen(role)
        else:
            _forget_watch()
    except StoreUnavailable:
        _show_notice()  # e.g. "your answer was not sent": said now, not once the store is back
        st.info("Reconnecting to the class… The class store does not answer; this page carries on by itself when "
                "it does.", icon=":material/sync:")
        _watch(code, TEACHER if _remembered(SECRETS, code) else STUDENT, None)
    return True


def _role(code: str) -> Teacher | Student | None:
    """Who this browser is in class ``code``: its teacher (the key of a teacher link, this session's, or the
    browser's cookie — each checked by the store), else a student (joined now, or again with the same token)."""
    if len(_recent(WRONG_CODES, WRONG_CODE_WINDOW)) >= MAX_WRONG_CODES:
        _drop_teacher_key()
        st.error("Too many unknown class codes from this page: wait a minute, then open the class link again.",
                 icon=":material/block:")
        return None
    store = live_class_server.class_store()
    state = store.state(code)
    if state is None:
        _count(WRONG_CODES)
        _drop_teacher_key()
        st.error(REFUSALS["unknown"], icon=":material/link_off:")
        _lesson_alone_link()
        return None
    secret = _teacher_secret(code)
    if secret is not None:
        return Teacher(code, secret)
    if state.ended:
        st.info(REFUSALS["ended"] + " Thank you for taking part!", icon=":material/flag:")
        _lesson_alone_link()
        return None
    return _student(code)


def _teacher_secret(code: str) -> str | None:
    """The teacher secret this browser holds for the class, checked by the store; a teacher link's key is taken
    out of the address (it must not stay on a projected address bar) and, if wrong, said so — never echoed."""
    store = live_class_server.class_store()
    offered = st.query_params.get_all(TEACHER_KEY)
    _drop_teacher_key()
    if offered:
        if len(offered) == 1 and store.is_teacher(code, offered[0]):
            _remember(SECRETS, code, offered[0])
        else:
            st.error("That teacher link's key is not this class's: it controls nothing. This page is the class "
                     "as a student sees it.", icon=":material/key_off:")
    known = _remembered(SECRETS, code)
    if known is not None:
        return known
    from_cookie = browser_cookie(TEACHER_COOKIE.format(code))
    if from_cookie is not None and store.is_teacher(code, from_cookie):
        _remember(SECRETS, code, from_cookie)
        return from_cookie
    return None


def _student(code: str) -> Student | None:
    """This browser's student in the class: the token of this session or of the browser's cookie if the store
    knows it, else a new student (a bounded number of classes per session)."""
    store = live_class_server.class_store()
    for token in (_remembered(TOKENS, code), browser_cookie(STUDENT_COOKIE.format(code))):
        if token is not None and is_token(token):
            number = store.student_number(code, token)
            if number is not None:
                _remember(TOKENS, code, token)
                return Student(code, token, number)
    if len(st.session_state.get(JOINS, [])) >= MAX_JOINS:
        st.error("This page has joined as many live classes as it may: open the class link in a new tab.",
                 icon=":material/block:")
        return None
    token = new_token()
    joined = store.join(code, token)
    if isinstance(joined, Refusal):
        st.error(joined.message, icon=":material/block:")
        _lesson_alone_link()
        return None
    _count(JOINS)
    _remember(TOKENS, code, token)
    return Student(code, token, joined)


# ------------------------------------------------------------------------------------------------ starting a class
def _start_class() -> None:
    number = st.session_state.get(STEP_KEY, 1)
    if len(_recent(STARTS, START_WINDOW)) >= MAX_STARTS:
        _notice("This page has started as many live classes as it may in an hour: use one of them (its link is "
                "in your browser's history), or try again later.")
        return
    _count(STARTS)
    try:
        created = live_class_server.class_store().create_class(STEP_COUNT, first_step=number)
    except StoreUnavailable:
        _notice("The class store is unavailable right now, so no live class can start: try again in a minute. "
                "The lesson works as before on its own.")
        return
    if isinstance(created, Refusal):
        _notice(created.message)
        return
    assert isinstance(created, NewClass)
    _remember(SECRETS, created.code, created.secret)
    st.session_state[CREATED] = created.code
    st.query_params[CLASS_KEY] = created.code


def start_live_class_button() -> None:
    """On the lesson on one's own: start a class on the current step (the page becomes the teacher's screen)."""
    _show_notice()
    st.button("Start a live class", key="live_start", on_click=_start_class, icon=":material/groups:",
              help="Your students join with a link or a QR code on their phones; your Next moves every screen, "
                   "and you see what the class predicts.")


# ------------------------------------------------------------------------------------------------ the teacher
def _control(teacher: Teacher, action: str, *args) -> None:
    """A teacher's control, through the store (which checks the secret); a refusal becomes a plain notice."""
    try:
        result = getattr(live_class_server.class_store(), action)(teacher.code, teacher.secret, *args)
    except StoreUnavailable:
        _notice("The class store did not answer: nothing was changed. Try again in a moment.")
        return
    if isinstance(result, Refusal):
        _notice(result.message)


def _qr_image(link: str, pixels: int) -> None:
    """The join link's QR code as an <img> whose alt text is the link (our own, checked text: escaped anyway)."""
    alt = html.escape(f"QR code of the join link {link}", quote=True)
    st.html(f'<img src="{html.escape(qr_svg_data_uri(link), quote=True)}" alt="{alt}" width="{pixels}" '
            f'height="{pixels}" style="image-rendering: pixelated; display: block">')


def class_bar(teacher: Teacher, state: ClassState) -> None:
    """The class at a glance: code, how many joined, the join link (a real link); below, folded away once the class
    has joined, the QR code and the link to copy."""
    link = join_link(teacher.code)
    joined = f"{state.students} {'student' if state.students == 1 else 'students'} joined"
    st.markdown(f"**Live class {teacher.code}** · {joined} · join at [{link}]({link})")
    with st.expander("QR code and link to copy", expanded=True, key="live_join_panel", icon=":material/qr_code_2:"):
        picture, words = st.columns([1, 3], vertical_alignment="center")
        with picture:
            _qr_image(link, QR_PIXELS)
        with words:
            st.code(link, language=None, wrap_lines=True)
            large = st.toggle("QR code as large as the screen", key="live_big_qr",
                              help="For the back of the room: scan it from a phone's camera app.")
        if large:
            _qr_image(link, BIG_QR_PIXELS)
    if st.session_state.get(CREATED) == teacher.code:
        with st.expander("Teacher link for another device — not for the projector", icon=":material/key:"):
            st.caption("Opening it in another browser gives that browser control of this class. Keep it to "
                       "yourself; it is shown only on this screen.")
            st.code(f"{link}&{TEACHER_KEY}={teacher.secret}", language=None, wrap_lines=True)


def _answered_line(state: ClassState, answered: int) -> None:
    second = " (second vote)" if state.round == 2 else ""
    st.markdown(f"### {answered} of {state.students} answered{second}")


def _class_answers(teacher: Teacher, state: ClassState, step: LessonStep, prediction: Prediction) -> bool:
    """The question part of the teacher's screen: the question, "k of n answered", the controls; after
    **Show the class's answers**, the distribution, the share right and the why. Returns whether shown."""
    st.markdown("**The class predicts:** " + markdown_literal(prediction.prompt))
    if prediction.kind == CHOICE:
        st.caption(markdown_literal("Their choices: " + " · ".join(prediction.options)))
    store = live_class_server.class_store()
    if not state.revealed:
        _answered_line(state, store.answered(teacher.code, state.step, state.round))
        buttons = st.container(horizontal=True)  # side by side where they fit, one under the other where not
        buttons.button("Show the class's answers", key="live_reveal", type="primary", icon=":material/visibility:",
                       on_click=_control, args=(teacher, "reveal"))
        if state.round == 1:
            first = rules.share_right(store.answers(teacher.code, state.step), state.step, 1)
            suggested = rules.discussion_suggested(first, state.students)
            buttons.button("Discuss with your neighbour, then vote again", key="live_second_round",
                           type="primary" if suggested else "secondary", icon=":material/forum:",
                           on_click=_control, args=(teacher, "second_round"))
            if suggested:
                st.info("Between 35 % and 70 % of the first answers are right: the moment for **Discuss with your "
                        "neighbour, then vote again** (Crouch & Mazur 2001).", icon=":material/forum:")
        return False
    _distribution(teacher.code, state, step, prediction)
    st.info(markdown_literal(prediction.why), icon=":material/lightbulb:")
    return True


@st.cache_data(max_entries=64, ttl="1h", show_spinner=False)
def _distribution_chart(code: str, number: int, version: int) -> tuple[str, str, str]:
    """(figure JSON, text alternative, share-right text) of a step's answers — the same for every screen of the
    class at this version, so built once for all of them."""
    step = STEPS[number - 1]
    prediction = step.predict(step_inputs(step))
    chart = rules.distribution(step, prediction, live_class_server.class_store().answers(code, number))
    return pio.to_json(answers_figure(chart), validate=False), describe_answers(chart), chart.title


def _distribution(code: str, state: ClassState, step: LessonStep, prediction: Prediction) -> None:
    figure, alt, share = _distribution_chart(code, state.step, state.version)
    st.markdown(f"### {markdown_literal(share)}")
    plotly_chart_in_place(figure, key=f"live_answers_{state.step}", alt=alt, config={"displayModeBar": False})


def _end_controls(teacher: Teacher) -> None:
    with st.popover("End the class…", icon=":material/flag:"):
        st.markdown("Every student's screen will say the class has ended; you get the summary and the answers.")
        st.button("End the class", key="live_end", type="primary", icon=":material/flag:", on_click=_control,
                  args=(teacher, "end"))


def teacher_screen(teacher: Teacher) -> None:
    """The teacher's screen: the class bar, the lesson's own navigation (moving the class), the step with the
    class's answers, End the class; once ended, the summary and the download."""
    state = live_class_server.class_store().state(teacher.code)
    if state is None:  # expired between the role and now
        st.error(REFUSALS["unknown"], icon=":material/link_off:")
        return
    _watch(teacher.code, TEACHER, state)
    remember_in_browser({TEACHER_COOKIE.format(teacher.code): teacher.secret}, key="live_identity")
    _show_notice()
    several_servers_warning(live_class_server.class_store(), teacher.code)
    if state.ended:
        ended_summary(teacher)
        return
    class_bar(teacher, state)
    st.session_state[STEP_KEY] = state.step  # the class's step is the teacher's (another device may have moved it)
    move_class = partial(_control_move, teacher)
    number = navigation(on_move=move_class)
    lesson_step(number, question_part=partial(_class_answers, teacher, state))
    bottom_navigation(number, on_move=move_class)  # a teacher on a phone: Next without scrolling back up
    _end_controls(teacher)


def _control_move(teacher: Teacher, number: int) -> None:
    _control(teacher, "move_to", number)


def _leave_class(code: str) -> None:
    st.session_state.get(SECRETS, {}).pop(code, None)
    if st.session_state.get(CREATED) == code:
        del st.session_state[CREATED]
    del st.query_params[CLASS_KEY]


def ended_summary(teacher: Teacher) -> None:
    """After **End the class**: per step, how many answered and how many were right in each round; the CSV."""
    store = live_class_server.class_store()
    records = store.all_answers(teacher.code)
    st.header(f"Live class {teacher.code} has ended")
    summaries = rules.step_summaries(records, store.step_states(teacher.code))
    st.markdown(markdown_table(rules.summary_columns(summaries)))
    predictions = {s.step: STEPS[s.step - 1].predict(step_inputs(STEPS[s.step - 1])) for s in summaries}
    st.download_button("Download the class's answers", class_answers_csv(rules.csv_rows(records, predictions)),
                       file_name=f"live-class-{teacher.code}-answers.csv", mime="text/csv", key="live_download",
                       icon=":material/download:", on_click="ignore")
    st.caption("One row per answer: step, question, round, the student's anonymous number, the answer, right or "
               "not, seconds after the question opened. No names or addresses are kept.")
    st.button("Back to the lesson on my own", key="live_leave", on_click=_leave_class, args=(teacher.code,),
              icon=":material/school:")


# ------------------------------------------------------------------------------------------------ the student
def _answer_key(state: ClassState) -> str:
    return f"live_answer_{state.step}_{state.round}"


def _send_answer(student: Student, number: int, round_: int, key: str) -> None:
    """Commit the widget's value as this student's answer to step ``number``, round ``round_`` — the step and
    round the form was drawn for: if the class moved on meanwhile, the store refuses it (never counted for
    another round)."""
    if len(_recent(ANSWERS_SENT, ANSWER_WINDOW)) >= MAX_ANSWERS:
        _notice("That is a lot of answers in a minute: wait a little, then send it again.")
        return
    _count(ANSWERS_SENT)
    response = st.session_state.get(key)
    if response is None:
        _notice("Give an answer first.")
        return
    step = STEPS[number - 1]
    checked = rules.validate(step, step.predict(step_inputs(step)), response)
    if isinstance(checked, rules.AnswerProblem):
        _notice(checked.message)
        return
    try:
        sent = live_class_server.class_store().answer(student.code, student.token, number, round_, checked.text,
                                                      checked.correct)
    except StoreUnavailable:
        _notice("The class store did not answer: your answer was not sent. Send it again in a moment.")
        return
    if isinstance(sent, Refusal):
        _notice(sent.message)
        return
    st.session_state.get(CHANGING, set()).discard((number, round_))


def _change_answer(number: int, round_: int) -> None:
    st.session_state.setdefault(CHANGING, set()).add((number, round_))


def student_screen(student: Student) -> None:
    """The student's phone: the teacher's step and question; after sending, "Answer sent"; after the teacher shows
    the answers, the student's own verdict, the why and the class's answers. No navigation: the teacher paces."""
    state = live_class_server.class_store().state(student.code)
    if state is None:
        st.error(REFUSALS["unknown"], icon=":material/link_off:")
        _lesson_alone_link()
        return
    _watch(student.code, STUDENT, state)
    note_server(live_class_server.class_store(), student.code)
    remember_in_browser({STUDENT_COOKIE.format(student.code): student.token}, key="live_identity")
    st.caption(f"Live class {student.code} · you are student {student.number} (anonymous)")
    if state.ended:
        st.info(REFUSALS["ended"] + " Thank you for taking part!", icon=":material/flag:")
        _lesson_alone_link()
        return
    step = STEPS[state.step - 1]
    inputs = step_inputs(step)
    prediction = step.predict(inputs)
    scroll_to_top_on_change(f"{state.step}.{state.round}", key="live_scroll")
    st.subheader(f"{state.step}. {step.title}")
    st.markdown(markdown_literal(step.text))
    _show_notice()
    mine = [r for r in live_class_server.class_store().my_answers(student.code, student.token)
            if r.step == state.step]
    if state.revealed:
        _student_reveal(student, state, step, prediction, mine)
    else:
        _student_question(student, state, step, prediction, mine)
    if st.toggle("Show the step's figure", key="live_show_figure", value=False):
        step_figure(step, inputs, prediction, revealed=state.revealed)


def _student_question(student: Student, state: ClassState, step: LessonStep, prediction: Prediction,
                      mine: list) -> None:
    this_round = next((r for r in mine if r.round == state.round), None)
    resend_notice(this_round is not None)
    if state.round == 2:
        st.info("Second vote: discuss with your neighbour, then vote again.", icon=":material/forum:")
    if this_round is not None and (state.step, state.round) not in st.session_state.get(CHANGING, set()):
        value = rules.decode(step, prediction, this_round.value)
        said = "" if value is None else f" You said: {rules.answer_text(prediction, value)}."
        st.success(markdown_literal(f"Answer sent — your teacher will show the answers.{said}"),
                   icon=":material/send:")
        st.button("Change my answer", key=f"live_change_{state.step}_{state.round}", on_click=_change_answer,
                  args=(state.step, state.round), icon=":material/edit:")
        return
    with st.form(key=f"live_form_{state.step}_{state.round}"):
        st.markdown("**Predict:** " + markdown_literal(prediction.prompt))
        answer_widget(prediction, _answer_key(state), rules.number_range(step))
        st.form_submit_button("Send my answer", type="primary", icon=":material/send:", on_click=_send_answer,
                              args=(student, state.step, state.round, _answer_key(state)))


def _student_reveal(student: Student, state: ClassState, step: LessonStep, prediction: Prediction,
                    mine: list) -> None:
    st.markdown("**The question:** " + markdown_literal(prediction.prompt))
    answered = False
    for record in sorted(mine, key=lambda r: r.round):
        value = rules.decode(step, prediction, record.value)
        if value is not None:
            answered = True
            verdict(prediction, value, said="You said" if len(mine) == 1 else f"Round {record.round}, you said")
    if not answered:
        st.info("You did not answer this one.", icon=":material/info:")
    st.info(markdown_literal(prediction.why), icon=":material/lightbulb:")
    _distribution(student.code, state, step, prediction)
