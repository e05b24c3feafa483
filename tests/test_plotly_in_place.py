"""The in-place chart loads Streamlit's own Plotly bundle from /static/ (that the bundle is there and sets
window.Plotly: tests/test_streamlit_internals.py)."""

from __future__ import annotations

import streamlit as st

from streamlit_glue.plotly_in_place import plotly_source
from streamlit_glue.streamlit_internals import streamlit_plotly_bundle


def test_the_bundle_is_loaded_from_static_as_a_module():
    url, is_module = plotly_source()
    assert url == f"/static/js/{streamlit_plotly_bundle()}" and is_module


def test_the_bundle_url_follows_the_base_path(monkeypatch):
    options = {"server.baseUrlPath": "/class/"}
    monkeypatch.setattr(st, "get_option", options.__getitem__)
    assert plotly_source()[0] == f"/class/static/js/{streamlit_plotly_bundle()}"
