"""AppTest of the guided lesson: every step runs, the answer stays hidden until committed, the reveal judges
it with nn_core's numbers, the step is in the address, a bad step gets a note, and Start over resets the app."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.guided_lesson import STEP_COUNT, STEPS
from streamlit_glue.guided_lesson_view import ONCE_COMMITTED
from tests.plotly_spec import chart_specs

PAGE = "app_pages/lesson.py"


def texts(at) -> str:
    """Everything written on the page (markdown, alerts, captions) as one string."""
    parts = [element.value for kind in ("markdown", "success", "error", "info", "warning", "caption")
             for element in at.get(kind)]
    return "\n".join(str(part) for part in parts).replace("\\", "")  # markdown_literal's escapes


def commit(at, step_key: str):
    at.button(key=f"FormSubmitter:lesson_form_{step_key}-Commit my answer").click().run()
    assert not at.exception
    return at


def test_every_step_runs_and_next_walks_to_the_end(app_test):
    at = app_test(PAGE)
    assert not at.exception
    assert at.button(key="lesson_prev").disabled
    for number in range(1, STEP_COUNT + 1):
        assert at.slider(key="lesson_step").value == number
        assert at.get("progress")[0].proto.text == f"Step {number} of {STEP_COUNT}: {STEPS[number - 1].title}"
        assert at.header[0].value == f"{number}. {STEPS[number - 1].title}"
        # before the answer, the figure's place says what comes and when, in the one sentence every step shares
        waiting = [caption.value for caption in at.caption if caption.value.endswith(f" {ONCE_COMMITTED}.")]
        assert len(waiting) == 1, (STEPS[number - 1].key, [caption.value for caption in at.caption])
        if number < STEP_COUNT:
            at.button(key="lesson_next").click().run()
            assert not at.exception, STEPS[number - 1].key
    assert at.button(key="lesson_next").disabled
    assert at.query_params["lesson_step"] == str(STEP_COUNT)


def test_the_answer_appears_only_after_committing(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "6"})  # dLoss_Z2 = Yh − Y
    step = STEPS[5]
    assert step.key == "dloss_z2"
    before = texts(at)
    assert "simplifies to" not in before and "Right." not in before and "Not quite" not in before
    commit(at, step.key)  # nothing entered yet: a note, and still no answer
    assert "Give an answer first" in texts(at) and "simplifies to" not in texts(at)

    # the answer computed independently: Yh − Y of the sample furthest from its label
    from streamlit_glue.guided_lesson_view import example_matrices
    matrices = example_matrices()
    d = (matrices["Yh"] - matrices["Y"])[0]
    truth = float(d[int(np.argmax(np.abs(d)))])
    at.number_input(key="lesson_answer_dloss_z2").set_value(round(truth + 0.5, 4)).run()
    assert "simplifies to" not in texts(at)  # typing is not committing
    at.number_input(key="lesson_answer_dloss_z2").set_value(round(truth + 0.5, 4))
    commit(at, step.key)
    shown = texts(at)
    assert "Not quite" in shown and "simplifies to Yh − Y" in shown and f"{truth:.4g}" in shown

    at.button(key="lesson_again_dloss_z2").click().run()
    at.number_input(key="lesson_answer_dloss_z2").set_value(round(truth, 4))
    commit(at, step.key)
    assert "You said" in texts(at) and "Right." in texts(at)


def test_a_choice_step_reveals_its_chart_and_the_next_one_a_click_away(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "2"})
    assert not at.segmented_control  # before the answer: the equation with ? for Z1, nothing to pick
    at.radio(key="lesson_answer_z1").set_value("(3, 5)")
    commit(at, "z1")
    assert "Not quite — it is “(4, 5)”" in texts(at)
    picker = at.segmented_control(key="lesson_view_Z1_A1")
    assert picker.options == ["Z1", "A1"] and picker.value == "Z1"
    picker.set_value("A1").run()
    assert not at.exception and at.segmented_control(key="lesson_view_Z1_A1").value == "A1"


@pytest.mark.parametrize("raw", ["0", "16", "two", "3.5"])
def test_a_bad_step_in_the_address_gets_a_plain_note(app_test, raw):
    at = app_test(PAGE, query_params={"lesson_step": raw})
    assert not at.exception
    assert at.slider(key="lesson_step").value == 1
    assert any("lesson_step" in element.value.replace("\\", "") for element in at.warning)


def test_start_over_resets_the_whole_app(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "4", "present": "true"})
    at.radio(key="lesson_answer_loss").set_value("s1")
    commit(at, "loss")
    at.session_state["fb_stage"] = "dLoss_Z1"  # another page's state in this session
    at.query_params["fb_m"] = "7"
    at.button(key="lesson_start_over").click().run()
    assert not at.exception
    assert at.slider(key="lesson_step").value == 1
    assert "lesson_answers" not in at.session_state or not at.session_state["lesson_answers"]
    assert "fb_stage" not in at.session_state
    assert dict(at.query_params) == {"present": "true"}  # the presenter view is the room's, it stays
    at.slider(key="lesson_step").set_value(4).run()
    assert "Predict first" in texts(at)  # the class's answer is gone


def test_start_over_keeps_a_dismissed_lost_session_notice_dismissed(app_test, monkeypatch):
    from streamlit_glue import lost_session

    monkeypatch.setattr(lost_session, "session_was_lost", lambda header, session_id: True)
    at = app_test(PAGE, query_params={"lesson_step": "4"})
    assert lost_session.NOTICE in [element.value for element in at.info]
    at.button(key="lost_session_dismiss").click().run()
    assert lost_session.NOTICE not in [element.value for element in at.info]
    at.button(key="lesson_start_over").click().run()
    assert not at.exception
    assert lost_session.NOTICE not in [element.value for element in at.info], "Start over brought the notice back"
    assert at.slider(key="lesson_step").value == 1


def test_presenter_view_is_in_the_address_and_checked(app_test):
    from streamlit_glue.lesson_slide import SLIDE_CSS
    from streamlit_glue.presenter import PRESENTER_CSS, PRESENTER_MEDIA

    at = app_test(PAGE, query_params={"present": "true"})
    assert at.sidebar.toggle(key="present").value is True
    bodies = [element.proto.body for element in at.get("html")]
    assert any(PRESENTER_CSS in body for body in bodies) and any(SLIDE_CSS in body for body in bodies)
    # only where it fits: every rule of both sits inside the wide-screen media query
    for css in (PRESENTER_CSS, SLIDE_CSS):
        assert css.count("@media") == css.count(f"@media {PRESENTER_MEDIA}"), css
    assert "zoom" not in PRESENTER_CSS + SLIDE_CSS  # charts are sized by what they are (plotly_in_place), not here
    at = app_test(PAGE)
    assert not any(SLIDE_CSS in element.proto.body for element in at.get("html"))
    at = app_test(query_params={"present": "loud"})  # the entry point checks it, whatever the page
    assert at.sidebar.toggle(key="present").value is False
    assert any("present" in element.value.replace("\\", "") for element in at.warning)


def test_backward_steps_can_show_the_computation_graph(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "9"})  # dLoss_Z1, the ReLU gate
    assert not at.segmented_control  # not before the reveal
    commit(at, "dloss_z1")  # none at all is an answer
    picker = at.segmented_control(key="lesson_view_dLoss_Z1")
    assert picker.options == ["dLoss_Z1", "The network", "Computation graph"] and picker.value == "dLoss_Z1"
    picker.set_value("Computation graph").run()
    assert not at.exception
    at.selectbox(key="lesson_graph_node").set_value(at.selectbox(key="lesson_graph_node").options[0]).run()
    assert not at.exception
    assert "The computation graph" in texts(at)
    at.segmented_control(key="lesson_view_dLoss_Z1").set_value("The network").run()
    assert not at.exception and "a silent hidden unit passes no gradient back" in texts(at)
    at.slider(key="lesson_step").set_value(3).run()  # a forward step: no graph
    at.number_input(key="lesson_answer_yh").set_value(0.5)
    commit(at, "yh")
    assert "Computation graph" not in at.segmented_control(key="lesson_view_Yh_Z2").options


def test_every_move_goes_through_the_one_seam(app_test, monkeypatch):
    """Previous / Next (top and bottom), the slider and Start over all move the step through go_to_step: the
    seam a live class routes the teacher's moves through (its on_move). A button that set the step itself would
    skip it. (The clicker's keys call the same _step_by: tests/e2e/test_lesson.py presses them.)"""
    import streamlit_glue.guided_lesson_view as view

    seen: list[int] = []
    real = view.go_to_step

    def recording(number: int, on_move=None) -> None:
        seen.append(number)
        real(number, on_move)

    monkeypatch.setattr(view, "go_to_step", recording)
    at = app_test(PAGE, query_params={"lesson_step": "5"})
    for key, expected in (("lesson_next", 6), ("lesson_next_bottom", 7), ("lesson_prev_bottom", 6),
                          ("lesson_prev", 5)):
        at.button(key=key).click().run()
        assert not at.exception
        assert at.slider(key="lesson_step").value == expected and seen[-1] == expected, key
    at.slider(key="lesson_step").set_value(11).run()
    assert seen[-1] == 11 and at.header[0].value.startswith("11.")
    at.button(key="lesson_start_over").click().run()
    assert seen[-1] == 1 and at.slider(key="lesson_step").value == 1
    assert len(seen) == 6


def test_the_bottom_buttons_stop_at_the_ends(app_test):
    at = app_test(PAGE, query_params={"lesson_step": str(STEP_COUNT)})
    assert at.button(key="lesson_next_bottom").disabled and not at.button(key="lesson_prev_bottom").disabled
    at = app_test(PAGE)
    assert at.button(key="lesson_prev_bottom").disabled and not at.button(key="lesson_next_bottom").disabled


def test_one_sentence_says_when_the_numbers_appear():
    """"… once you have committed an answer" is written once (ONCE_COMMITTED), not once per figure."""
    from pathlib import Path

    from streamlit_glue import guided_lesson_view as view

    source = Path(view.__file__).read_text(encoding="utf-8")
    assert source.count("once you have committed") == 1 and source.count("until you commit") == 0
    assert view.ONCE_COMMITTED == "once you have committed an answer"


def test_the_handouts_are_in_the_sidebar_and_built_from_the_lessons_numbers(app_test):
    from lessons.handout import ANSWERS_TITLE, QUESTIONS_TITLE
    from streamlit_glue.guided_lesson_view import example_matrices
    from streamlit_glue.lesson_handout import handout

    at = app_test(PAGE)
    assert {button.key for button in at.sidebar.get("download_button")} >= {"lesson_handout_questions",
                                                                              "lesson_handout_answers"}
    questions, answers = handout(False), handout(True)
    assert QUESTIONS_TITLE in questions.replace("&#x27;", "'") and ANSWERS_TITLE in answers.replace("&#x27;", "'")
    assert questions.count("<section>") == answers.count("<section>") == STEP_COUNT
    d = (example_matrices()["Yh"] - example_matrices()["Y"])[0]  # step 6's answer, Yh − Y, from the cache
    assert f"{d[int(np.argmax(np.abs(d)))]:.4g}" in answers and "simplifies to" not in questions


def _spec(at, key: str) -> dict:
    found = [spec for element_id, spec in chart_specs(at) if element_id.endswith(key)]
    assert len(found) == 1, [element_id for element_id, _ in chart_specs(at)]
    return found[0]


def test_the_lessons_race_is_the_landscape_page_at_its_defaults(app_test):
    """Step 15's 3D view after the reveal is the landscape page's own at its defaults: same balls, same paths."""
    from lessons.settings import LANDSCAPE

    assert LANDSCAPE["land_mode"].default == "race"  # the lesson draws a race
    page = app_test("app_pages/landscape.py")
    at = app_test(PAGE, query_params={"lesson_step": str(STEP_COUNT)})
    step = STEPS[-1]
    at.pills(key=f"lesson_answer_{step.key}").set_value([])
    commit(at, step.key)
    lesson_traces = _spec(at, "lesson_surface_chart")["data"]
    page_traces = _spec(page, "land_surface_chart")["data"]
    assert [trace.get("name") for trace in lesson_traces] == [trace.get("name") for trace in page_traces]
    assert lesson_traces == page_traces


def test_the_lessons_example_is_the_forward_backward_page_at_its_defaults(app_test):
    from streamlit_glue.guided_lesson_view import example_matrices

    page = app_test("app_pages/forward_backward.py")
    shown = page.session_state["fb_matrices"]
    for name, matrix in example_matrices().items():
        assert np.array_equal(shown[name], matrix), name


def test_step_14_draws_both_runs_on_one_chart_on_the_same_rows(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "14"})
    at.radio(key="lesson_answer_overfitting").set_value("keeps falling")
    commit(at, "overfitting")
    spec = _spec(at, "lesson_overfit_chart")
    names = [trace["name"] for trace in spec["data"]]
    assert "See overfitting: 114 test rows" in names and "Cure it: 114 test rows" in names
    assert not [name for name in names if "validation" in name]
    assert "Both runs on the same 114 test rows" in spec["layout"]["title"]["text"]
    assert not [element_id for element_id, _ in chart_specs(at)
                if element_id.endswith("lesson_cure_chart")]  # one chart, not two with different axes


def test_a_slides_3d_view_has_few_ticks_and_its_toggle_under_the_words(app_test):
    """Presenter view, step 15: the toggle is in the words' column (the figure gets the picture's whole room) and the
    3D view has at most SLIDE_3D_TICKS ticks per axis; without it, the toggle is above the figure, Plotly's ticks."""
    from streamlit_glue.guided_lesson_view import SLIDE_3D_TICKS

    def scene(at) -> dict:
        return next(spec for id_, spec in chart_specs(at) if id_.endswith("lesson_surface_chart"))["layout"]["scene"]

    slide = app_test(PAGE, query_params={"lesson_step": "15", "present": "true"})
    words, picture = slide.columns[:2]
    assert [t.key for t in words.toggle] == ["lesson_rotate"] and not picture.toggle
    assert [scene(slide)[axis].get("nticks") for axis in ("xaxis", "yaxis", "zaxis")] == [SLIDE_3D_TICKS] * 3
    page = app_test(PAGE, query_params={"lesson_step": "15"})
    words, picture = page.columns[:2]
    assert [t.key for t in picture.toggle] == ["lesson_rotate"] and not words.toggle
    assert scene(page)["xaxis"].get("nticks") is None
