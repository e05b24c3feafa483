"""The guided lesson: the article's story step by step — predict, then see the real numbers and why. With
``?class=CODE`` in the address it is a live class: the teacher's screen or a student's."""

import streamlit as st

from streamlit_glue.guided_lesson_view import bottom_navigation, lesson_step, link_checks, navigation
from streamlit_glue.lesson_handout import handout_buttons
from streamlit_glue.link_guard import guard_link
from streamlit_glue.live_class_view import TEACHER_KEY, live_class_screen, start_live_class_button
from streamlit_glue.live_class_view import link_checks as class_link_checks

guard_link({**link_checks(), **class_link_checks()}, read_elsewhere=(TEACHER_KEY,))  # the secret is never echoed
if not live_class_screen():  # the teacher's or a student's screen when the address names a class
    with st.container(key="lesson_intro"):  # a slide in presenter view does without it (lesson_slide.py)
        st.title("Guided lesson: how the network learns")
        st.markdown("From one derivative to a trained network, in the article's order. At every step, **commit a "
                    "prediction first**; then the real numbers appear — computed by the network itself — with the "
                    "reason.")
        start_live_class_button()
    number = navigation()
    lesson_step(number)
    bottom_navigation(number)
    handout_buttons()
