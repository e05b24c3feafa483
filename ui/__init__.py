"""Streamlit-side helpers shared by the pages (caching wrappers, formatting of messages)."""
