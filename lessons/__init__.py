"""Lesson content and rules: pure Python, no Streamlit."""
