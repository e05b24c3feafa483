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


def test_a_choice_step_reveals_its_chart(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "2"})
    charts_before = len(at.get("bidi_component")) + len(at.get("component_instance"))
    at.radio(key="lesson_answer_z1").set_value("(3, 5)")
    commit(at, "z1")
    assert "Not quite — it is “(4, 5)”" in texts(at)
    assert len(at.get("bidi_component")) + len(at.get("component_instance")) > charts_before  # Z1 and A1 drawn


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
    at = app_test(PAGE, query_params={"present": "true"})
    assert at.sidebar.toggle(key="present").value is True
    assert any("zoom: 1.3" in element.proto.body for element in at.get("html"))
    at = app_test(query_params={"present": "loud"})  # the entry point checks it, whatever the page
    assert at.sidebar.toggle(key="present").value is False
    assert any("present" in element.value.replace("\\", "") for element in at.warning)


def test_backward_steps_can_show_the_computation_graph(app_test):
    at = app_test(PAGE, query_params={"lesson_step": "9"})  # dLoss_Z1, the ReLU gate
    assert not [t for t in at.toggle if t.key == "lesson_show_graph"]  # not before the reveal
    commit(at, "dloss_z1")  # none at all is an answer
    at.toggle(key="lesson_show_graph").set_value(True).run()
    assert not at.exception
    at.selectbox(key="lesson_graph_node").set_value(at.selectbox(key="lesson_graph_node").options[0]).run()
    assert not at.exception
    assert "The computation graph" in texts(at)
    at.slider(key="lesson_step").set_value(3).run()  # a forward step: no graph toggle
    assert not [t for t in at.toggle if t.key == "lesson_show_graph"]


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
