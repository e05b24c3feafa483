"""Lesson content and rules: pure Python, no Streamlit.

What each lesson shows and how it judges a result — the step-through's stage table, metrics at a
threshold, the training run with its end status, link values — testable without a browser.
Arrows: app_pages → streamlit_glue → lessons → viz / nn_core.
"""
