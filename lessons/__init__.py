"""Lesson content: pure Python, no Streamlit."""
