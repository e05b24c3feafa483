"""The guided lesson's handouts as downloads: its questions with room to answer, and the answers with the numbers
and the why (lessons/handout.py builds them from the steps' own predictions)."""

from __future__ import annotations

import streamlit as st

from lessons.guided_lesson import STEPS
from lessons.handout import handout_html
from streamlit_glue.guided_lesson_view import step_inputs


@st.cache_data(max_entries=2, ttl="1h", show_spinner=False)
def handout(with_answers: bool) -> str:
    """One handout as HTML, built once for everyone: every step's numbers come from the lesson's shared caches."""
    return handout_html([(step, step.predict(step_inputs(step))) for step in STEPS], with_answers=with_answers)


def handout_buttons() -> None:
    """Two downloads in the sidebar (the teacher's side of the screen): built when clicked, not on every run."""
    with st.sidebar:
        st.markdown("**Print the lesson** (HTML: open it, then print)")
        st.download_button("Questions, with room to answer", data=lambda: handout(False),
                           file_name="backprop-lab-lesson-questions.html", mime="text/html", on_click="ignore",
                           key="lesson_handout_questions", icon=":material/print:", width="stretch",
                           help="For students without a phone: every question of the lesson, and space to answer.")
        st.download_button("Answers, numbers and why", data=lambda: handout(True),
                           file_name="backprop-lab-lesson-answers.html", mime="text/html", on_click="ignore",
                           key="lesson_handout_answers", icon=":material/description:", width="stretch",
                           help="The teacher's notes: each question with its answer and why, from the network's "
                                "own numbers.")
