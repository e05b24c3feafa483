"""Streamlit glue shared by the pages: bounded caches and session-state helpers. Nothing else lives here."""
