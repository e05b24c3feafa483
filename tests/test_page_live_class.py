"""AppTest of the live class's screens (streamlit_glue/live_class_view.py on the lesson page): a teacher session and
student sessions against one store in a temporary folder. What they see, when: joining, "k of n answered", nothing of
any answer before **Show the class's answers**, the verdicts and the distribution after, a second round, the end's
summary and download; and every refusal a hostile user meets (wrong teacher key, unknown or crafted codes, forged
widget values, a replayed answer, floods of joins and answers), each in plain words, nothing echoed.

AppTest has no browser: cookies are absent (a test that needs one sets it on the page module's reader), and no
session is rerun by the class watcher (there is no runtime to rerun it in) — a student's screen is run again by
the test, which is also how a stale screen is simulated. The browser side is tests/e2e/test_live_class.py.
"""

from __future__ import annotations

import json

import pytest

from class_store import StoreUnavailable
from class_store.records import REFUSALS
from lessons.guided_lesson import STEPS
from streamlit_glue import live_class_server, live_class_view
from tests.conftest import APP, APPTEST_TIMEOUT
from tests.plotly_spec import chart_specs

PAGE = "app_pages/lesson.py"


@pytest.fixture(autouse=True)
def class_store_in(tmp_path, monkeypatch):
    """Every test its own class store (a SQLite file in tmp_path); the process-wide one is reset around it."""
    monkeypatch.setenv("BACKPROP_LAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    live_class_server.reset()
    yield
    live_class_server.reset()


def texts(at) -> str:
    """Everything written on the page (markdown, alerts, captions, headings, code) as one string, unescaped."""
    parts = [element.value for kind in ("markdown", "success", "error", "info", "warning", "caption", "header",
                                        "subheader", "code") for element in at.get(kind)]
    return "\n".join(str(part) for part in parts).replace("\\", "")


def every_text(at) -> str:
    """texts() plus the raw protos of everything else (html, components, labels): where a secret must not be."""
    return texts(at) + "\n".join(str(element.proto) for kind in ("html", "bidi_component", "button", "expander")
                                 for element in at.get(kind))


def open_page(query: dict[str, str] | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=APPTEST_TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()  # like a browser opening /lesson?… (the home page would name the lesson's keys)
    assert not at.exception, at.exception
    return at


def address(at) -> dict[str, str]:
    return {key: value[0] if isinstance(value, list) else value for key, value in at.query_params.items()}


def start_class(step: int = 1):
    at = open_page({"lesson_step": str(step)})
    at.button(key="live_start").click().run()
    assert not at.exception, at.exception
    return at, address(at)["class"]


def join(code: str, **query):
    return open_page({"class": code, **query})


def send(student, value, state_key: str | None = None):
    """Answer with the answer widget the student's screen drew (or, if none is drawn, set ``state_key`` as a forged
    message would) and press Send."""
    drawn = [w for kind in ("number_input", "radio", "pills") for w in student.get(kind)
             if (w.key or "").startswith("live_answer_") and (state_key is None or w.key == state_key)]
    if drawn:
        drawn[0].set_value(value)
    else:
        student.session_state[state_key] = value
    next(b for b in student.button if b.proto.id.endswith("Send my answer")).click().run()
    assert not student.exception, student.exception
    return student


def teacher_button(at, key: str):
    return next(b for b in at.button if b.key == key)


def has_button(at, key: str) -> bool:
    return any(b.key == key for b in at.button)


# ------------------------------------------------------------------------------------------------ the teacher
def test_starting_a_class_makes_the_page_the_teachers_screen_with_nothing_secret_in_the_address():
    at, code = start_class(step=2)
    shown = texts(at)
    assert f"Live class {code}" in shown and "0 students joined" in shown
    assert f"/lesson?class={code}" in shown  # the join link, as a link and to copy
    assert set(address(at)) <= {"class", "lesson_step"}
    assert at.slider(key="lesson_step").value == 2  # the class starts on the teacher's step
    assert "0 of 0 answered" in shown
    assert not has_button(at, "lesson_start_over") and has_button(at, "live_reveal")
    assert not at.get("form")  # the teacher does not answer: the form is the students'
    qr = [element.proto.body for element in at.get("html") if "<img" in element.proto.body]
    assert len(qr) == 1 and f'alt="QR code of the join link /lesson?class={code}"' in qr[0]
    secret = at.session_state[live_class_view.SECRETS][code]
    teacher_links = [e for e in at.expander if "not for the projector" in e.label]
    assert len(teacher_links) == 1 and secret in str(teacher_links[0].proto) + texts(at)


def test_students_join_the_teachers_step_and_the_teacher_sees_them_and_their_count():
    at, code = start_class(step=3)
    students = [join(code, lesson_step="9") for _ in range(2)]  # lesson_step in a class's address is ignored
    for number, student in enumerate(students, start=1):
        shown = texts(student)
        assert f"Live class {code}" in shown and f"you are student {number}" in shown
        assert student.subheader[0].value == f"3. {STEPS[2].title}"
        assert not has_button(student, "lesson_next") and not any(s.key == "lesson_step" for s in student.slider)
    at.run()
    assert "2 students joined" in texts(at) and "0 of 2 answered" in texts(at)
    send(students[0], 0.2)
    at.run()
    assert "1 of 2 answered" in texts(at)


def test_no_student_sees_a_verdict_the_why_or_any_answer_before_the_reveal():
    at, code = start_class(step=2)  # Z1's shape: (4, 5)
    right, wrong = join(code), join(code)
    send(right, "(4, 5)")
    send(wrong, "(3, 5)")
    why = STEPS[1].predict(live_class_view.step_inputs(STEPS[1])).why
    for student, said in ((right, "(4, 5)"), (wrong, "(3, 5)")):
        shown = texts(student)
        assert "Answer sent — your teacher will show the answers." in shown and f"You said: {said}." in shown
        assert "Right." not in shown and "Not quite" not in shown and why[:40] not in shown
        assert not chart_specs(student)  # no distribution
        assert not any(e.value.startswith(("Round", "You said")) for e in [*student.error, *student.success])
    teacher_before = texts(at.run())
    assert "Right:" not in teacher_before and why[:40] not in teacher_before  # the teacher's screen neither
    assert not [spec for _, spec in chart_specs(at) if spec["data"] and spec["data"][0].get("type") == "bar"]

    teacher_button(at, "live_reveal").click().run()
    assert "Right: 50 %" in texts(at) and why[:40] in texts(at)
    for student, verdict in ((right, "You said: (4, 5). Right."), (wrong, "You said: (3, 5). Not quite")):
        shown = texts(student.run())
        assert verdict in shown and why[:40] in shown and "Right: 50 %" in shown
        bars = [spec for _, spec in chart_specs(student) if spec["data"][0].get("type") == "bar"]
        assert [list(bar["y"]) for bar in bars[0]["data"]] == [[1, 1, 0, 0]]
        assert bars[0]["data"][0]["x"][0] == "(4, 5) ✓"


def test_a_second_round_is_suggested_between_35_and_70_percent_and_counts_apart():
    at, code = start_class(step=2)
    students = [join(code) for _ in range(3)]
    for student, choice in zip(students[:2], ["(4, 5)", "(3, 5)"], strict=True):
        send(student, choice)
    assert "Crouch & Mazur" not in texts(at.run())  # 2 of 3 answered: not enough to say
    send(students[2], "(5, 4)")
    assert "Crouch & Mazur" not in texts(at.run())  # 1 of 3 right: 33 %, below the band
    students[2].button(key="live_change_2_1").click().run()
    send(students[2], "(4, 5)")  # a second answer in the round replaces the first: 2 of 3 right, 67 %
    at.run()
    assert "Crouch & Mazur" in texts(at) and "3 of 3 answered" in texts(at)
    assert teacher_button(at, "live_second_round").proto.type == "primary"
    teacher_button(at, "live_second_round").click().run()
    assert "0 of 3 answered (second vote)" in texts(at)
    for student in students:
        student.run()
        assert "Second vote" in texts(student) and "Answer sent" not in texts(student)
        send(student, "(4, 5)", state_key="live_answer_2_2")
    at.run()
    assert "3 of 3 answered (second vote)" in texts(at)
    teacher_button(at, "live_reveal").click().run()
    assert "Right: 67 % → 100 %" in texts(at)
    shown = texts(students[1].run())
    assert "Round 1, you said: (3, 5). Not quite" in shown and "Round 2, you said: (4, 5). Right." in shown
    store = live_class_server.class_store()
    assert [(r.round, r.student, json.loads(r.value)) for r in store.answers(code, 2)] == [
        (1, 1, "(4, 5)"), (1, 2, "(3, 5)"), (1, 3, "(4, 5)"), (2, 1, "(4, 5)"), (2, 2, "(4, 5)"), (2, 3, "(4, 5)")]


def test_next_moves_every_students_screen_and_a_late_student_lands_on_the_current_step():
    at, code = start_class(step=1)
    early = join(code)
    teacher_button(at, "lesson_next").click().run()
    assert "0 of 1 answered" in texts(at)
    assert early.run().subheader[0].value == f"2. {STEPS[1].title}"
    at.slider(key="lesson_step").set_value(5).run()  # the slider moves the class too
    assert live_class_server.class_store().state(code).step == 5
    assert join(code).subheader[0].value == f"5. {STEPS[4].title}"
    teacher_button(at, "lesson_prev").click().run()
    assert early.run().subheader[0].value == f"4. {STEPS[3].title}"
    # the Previous / Next under the step (a teacher on a phone) move the class as the top ones do
    teacher_button(at, "lesson_next_bottom").click().run()
    assert early.run().subheader[0].value == f"5. {STEPS[4].title}"
    teacher_button(at, "lesson_prev_bottom").click().run()
    assert live_class_server.class_store().state(code).step == 4


def test_ending_the_class_shows_the_summary_and_the_download_and_tells_the_students():
    at, code = start_class(step=2)
    student = join(code)
    send(student, "(4, 5)")
    teacher_button(at, "live_end").click().run()
    shown = texts(at)
    assert f"Live class {code} has ended" in shown
    assert "| 2 | Forward: Z1 = W1·X + b1 and A1 = ReLU(Z1) | 1 | 1 of 1 (100 %) | — |" in shown
    download = at.get("download_button")[0]
    assert download.proto.label == "Download the class's answers"
    student.run()
    assert REFUSALS["ended"] in texts(student) and not any(k.startswith("live_answer") for k in
                                                             [b.key for b in student.button if b.key])
    late = join(code)
    assert REFUSALS["ended"] in texts(late)
    assert live_class_server.class_store().state(code).students == 1  # an ended class takes no new student


# ------------------------------------------------------------------------------------------------ who is who
def test_a_teacher_link_gives_control_to_another_browser_and_leaves_the_address():
    at, code = start_class()
    secret = at.session_state[live_class_view.SECRETS][code]
    laptop = join(code, teacher=secret)
    assert has_button(laptop, "live_reveal") and "teacher" not in address(laptop)
    assert not [e for e in laptop.expander if "not for the projector" in e.label]  # shown once: where created
    assert secret not in texts(laptop)
    teacher_button(laptop, "lesson_next").click().run()
    assert live_class_server.class_store().state(code).step == 2
    assert at.run().slider(key="lesson_step").value == 2  # the other device follows the class


@pytest.mark.parametrize("wrong", ["wrong", "", "x" * 300, "<b>k</b>", "ABCDEFGHIJKLMNOPQRSTUV"])
def test_a_wrong_teacher_key_controls_nothing_and_is_never_echoed(wrong):
    at, code = start_class()
    before = live_class_server.class_store().state(code)
    intruder = join(code, teacher=wrong)
    shown = every_text(intruder)
    assert "That teacher link's key is not this class's: it controls nothing." in shown
    if wrong:
        assert wrong not in shown.replace(f"Live class {code}", "")
    assert "teacher" not in address(intruder)
    for key in ("live_reveal", "live_second_round", "live_end", "lesson_next", "lesson_prev"):
        assert not has_button(intruder, key)
    after = live_class_server.class_store().state(code)
    assert (after.step, after.round, after.revealed, after.ended) == (before.step, before.round, before.revealed,
                                                                      before.ended)


def test_a_reload_is_the_same_student_through_the_browsers_cookie(monkeypatch):
    at, code = start_class(step=3)
    first = join(code)
    send(first, 0.25)
    token = first.session_state[live_class_view.TOKENS][code]
    cookies = {live_class_view.STUDENT_COOKIE.format(code): token}
    monkeypatch.setattr(live_class_view, "browser_cookie", cookies.get)
    reloaded = join(code)  # a new session: only the cookie says who it is
    assert "you are student 1" in texts(reloaded) and "You said: 0.25." in texts(reloaded)
    assert live_class_server.class_store().state(code).students == 1
    cookies.clear()
    assert "you are student 2" in texts(join(code))  # a neighbour's browser: a new student


def test_a_teachers_cookie_brings_back_the_teachers_screen_after_a_reload(monkeypatch):
    at, code = start_class()
    secret = at.session_state[live_class_view.SECRETS][code]
    monkeypatch.setattr(live_class_view, "browser_cookie",
                        {live_class_view.TEACHER_COOKIE.format(code): secret}.get)
    assert has_button(join(code), "live_reveal")
    forged_secret = ("B" if secret[0] == "A" else "A") + secret[1:]
    cookies = {live_class_view.TEACHER_COOKIE.format(code): forged_secret}
    monkeypatch.setattr(live_class_view, "browser_cookie", cookies.get)
    forged = join(code)
    assert not has_button(forged, "live_reveal") and "you are student" in texts(forged)


# ------------------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize("raw", ["<script>x</script>", "**bold**", "ABC", "ABCDEFGH1", "[x](http://e.vil)"])
def test_a_crafted_code_is_refused_before_any_lookup_in_plain_text(raw, monkeypatch):
    looked_up = []
    store = live_class_server.class_store()
    monkeypatch.setattr(store, "state", lambda code: looked_up.append(code))
    at = open_page({"class": raw})
    warnings = [w.value for w in at.warning]
    assert any("not a class code" in w for w in warnings)
    assert all("<script>" not in w and "**bold**" not in w for w in warnings)  # escaped, shown as typed
    assert looked_up == [] and "class" not in address(at)
    assert at.button(key="live_start")  # the lesson on one's own


def test_an_unknown_code_says_so_and_too_many_are_refused_for_a_minute(monkeypatch):
    at = open_page({"class": "ABCDEFG"})
    assert REFUSALS["unknown"] in texts(at)
    assert any(link.proto.label == "Open the lesson on your own" for link in at.get("page_link"))
    for code in ("BCDEFGH", "CDEFGHJ", "DEFGHJK", "EFGHJKM"):
        at.query_params["class"] = code
        at.run()
    lookups = []
    store = live_class_server.class_store()
    real_state = store.state
    monkeypatch.setattr(store, "state", lambda code: lookups.append(code) or real_state(code))
    at.query_params["class"] = "FGHJKMN"
    at.run()
    assert "Too many unknown class codes from this page" in texts(at) and lookups == []


@pytest.mark.parametrize(("step", "forged", "message"), [
    (3, float("inf"), "Type a number"), (3, float("nan"), "Type a number"), (3, 1.5, "between 0 and 1"),
    (3, "0.2", "Type a number"), (2, "(9, 9)", "Pick one of the answers listed."),
    (2, "<b>(4, 5)</b>", "Pick one of the answers listed."), (9, ["h1", "h9"], "Pick the units"),
    (9, "h1", "Pick the units"),
])
def test_a_forged_widget_value_is_refused_in_plain_words_and_not_counted(step, forged, message, monkeypatch):
    """Streamlit's widgets turn most forged messages into None or an error; whatever gets through, the rules
    decide. The answer widget is left out, so the value in the session is exactly the forged one."""
    monkeypatch.setattr(live_class_view, "answer_widget", lambda *args: None)
    at, code = start_class(step=step)
    student = join(code)
    key = f"live_answer_{step}_1"
    student.session_state[key] = forged
    next(b for b in student.button if b.proto.id.endswith("Send my answer")).click().run()
    assert not student.exception
    assert message in texts(student)
    assert "<b>" not in texts(student)
    assert live_class_server.class_store().answered(code, step, 1) == 0


def test_an_answer_from_a_stale_screen_is_refused_not_counted_for_another_round_or_step():
    at, code = start_class(step=2)
    student = join(code)  # its screen: step 2, round 1
    teacher_button(at, "live_second_round").click().run()  # the class is in round 2 now; the screen is stale
    student.radio(key="live_answer_2_1").set_value("(4, 5)")
    next(b for b in student.button if b.proto.id.endswith("Send my answer")).click().run()
    assert REFUSALS["moved_on"] in texts(student)
    store = live_class_server.class_store()
    assert store.answered(code, 2, 1) == 0 and store.answered(code, 2, 2) == 0
    send(student.run(), "(4, 5)", state_key="live_answer_2_2")  # redrawn: the round-2 form
    assert store.answered(code, 2, 2) == 1 and store.answered(code, 2, 1) == 0
    teacher_button(at.run(), "lesson_next").click().run()
    token = student.session_state[live_class_view.TOKENS][code]  # a replay of step 2's answer: refused, not moved
    assert store.answer(code, token, 2, 2, '"(3, 5)"', False).reason == "moved_on"
    assert [json.loads(r.value) for r in store.answers(code, 2)] == ["(4, 5)"]


def test_a_flood_of_answers_from_one_page_is_bounded():
    at, code = start_class(step=3)
    student = join(code)
    for value in range(live_class_view.MAX_ANSWERS):
        if not any(b.proto.id.endswith("Send my answer") for b in student.button):
            student.button(key="live_change_3_1").click().run()
        send(student, value / 100)
    student.button(key="live_change_3_1").click().run()
    send(student, 0.5)
    assert "That is a lot of answers in a minute" in texts(student)
    records = live_class_server.class_store().answers(code, 3)
    assert [json.loads(r.value) for r in records] == [(live_class_view.MAX_ANSWERS - 1) / 100]  # one, the last


def test_a_flood_of_joins_from_one_page_is_bounded():
    store = live_class_server.class_store()
    codes = [store.create_class(len(STEPS)).code for _ in range(live_class_view.MAX_JOINS + 1)]
    at = join(codes[0])
    for code in codes[1:]:
        at.query_params["class"] = code
        at.run()
    assert "This page has joined as many live classes as it may" in texts(at)
    assert [store.state(code).students for code in codes] == [1] * live_class_view.MAX_JOINS + [0]


def test_starting_classes_over_and_over_from_one_page_is_bounded():
    at = open_page()
    codes, shown = [], ""
    for _ in range(live_class_view.MAX_STARTS + 1):
        at.button(key="live_start").click().run()
        codes.append(address(at).pop("class", None))
        shown = texts(at)
        at.query_params.pop("class", None)  # back to the lesson on one's own, as "Back to the lesson" does
        at.run()
    assert len(set(codes[:-1])) == live_class_view.MAX_STARTS and None not in codes[:-1]
    assert codes[-1] is None  # refused: the store's 500 classes are not one page's to fill
    assert "This page has started as many live classes as it may in an hour" in shown


def test_an_unreachable_store_says_reconnecting_and_the_lesson_still_works(monkeypatch):
    at, code = start_class()
    student = join(code)

    def down():
        raise StoreUnavailable("down")

    monkeypatch.setattr(live_class_server, "class_store", down)
    assert "Reconnecting to the class" in texts(student.run()) and not student.exception
    alone = open_page()
    alone.button(key="live_start").click().run()
    assert "The class store is unavailable right now" in texts(alone) and not alone.exception
    assert alone.header  # the lesson is there


# ------------------------------------------------------------------------------------------------ several servers
def test_a_class_served_by_two_servers_without_a_shared_store_says_so_on_the_teachers_screen():
    """streamlit_glue/class_servers.py on the page: every screen notes its server in the store; a store that is not
    shared (SQLite, no REDIS_URL) seeing a second one is said on the teacher's screen (and only there)."""
    teacher, code = start_class()
    assert "without a shared class store" not in texts(teacher)
    student = join(code)
    live_class_server.class_store().note_replica(code, "other-machine:77")  # a student's screen on another replica
    teacher.run()
    assert "2 servers are serving this class without a shared class store" in texts(teacher)
    student.run()
    assert "without a shared class store" not in texts(student)


def test_a_student_whose_page_moved_server_without_their_answer_is_asked_to_send_it_again(monkeypatch):
    from streamlit_glue import lost_session

    _, code = start_class()
    monkeypatch.setattr(lost_session, "session_was_lost", lambda header, session_id: True)
    student = join(code)
    assert "it did not arrive: send it again" in texts(student)
    send(student, 9)
    assert "send it again" not in texts(student)
