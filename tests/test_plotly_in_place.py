"""The in-place chart loads Streamlit's own Plotly bundle: one file under /static/ that sets window.Plotly."""

from __future__ import annotations

import streamlit as st

from streamlit_glue.plotly_in_place import STREAMLIT_JS, plotly_source, streamlit_plotly_bundle


def test_streamlit_ships_one_plotly_bundle_that_sets_window_plotly():
    """If a Streamlit upgrade renames the bundle or stops setting window.Plotly, charts would fall back to the
    plotly package's file, gzipped afresh for every student: this fails instead."""
    bundle = streamlit_plotly_bundle()
    assert bundle is not None, sorted(path.name for path in STREAMLIT_JS.glob("Plotly*"))
    assert "window.Plotly=" in (STREAMLIT_JS / bundle).read_text(encoding="utf-8", errors="replace")


def test_the_bundle_is_loaded_from_static_as_a_module():
    url, is_module = plotly_source()
    assert url == f"/static/js/{streamlit_plotly_bundle()}" and is_module


def test_the_bundle_url_follows_the_base_path(monkeypatch):
    options = {"server.baseUrlPath": "/class/"}
    monkeypatch.setattr(st, "get_option", options.__getitem__)
    assert plotly_source()[0] == f"/class/static/js/{streamlit_plotly_bundle()}"
