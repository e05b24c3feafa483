"""The presenter view: one toggle, on every page, kept in the address (``present=true``), that makes the app
readable on a projector — larger text and controls, the sidebar folded away, the main column as wide as the
screen so every chart and the network diagram are drawn larger.

Only where it fits: the CSS applies while the window is at least ``PRESENTER_MIN_WIDTH`` CSS px wide (a media
query, so the browser decides by its own width); a phone that opens a link with ``present=true`` keeps the
phone layout. The CSS is this module's constant (never user text). Plotly draws its own text; the charts grow
with the column they fill. Nothing here zooms a chart: the guided lesson sizes its own (see lesson_slide.py),
and a clickable chart is never zoomed (plotly_in_place).
"""

from __future__ import annotations

import streamlit as st

from lessons.url_values import parse_choice
from streamlit_glue.link_guard import PRESENT_KEY, LinkCheck, single
from streamlit_glue.streamlit_internals import by_test_id

# Streamlit lays columns side by side from 640 px on; below that is a phone's layout, presenter view or not.
PRESENTER_MIN_WIDTH = 640
PRESENTER_MEDIA = f"(min-width: {PRESENTER_MIN_WIDTH}px)"

# Streamlit sizes its text in rem: a larger root font enlarges every paragraph, label, button and caption.
# The main column loses its 736 px cap and most of its side padding (the sidebar is folded away).
PRESENTER_CSS = f"""<style>
@media {PRESENTER_MEDIA} {{
  html {{ font-size: 20px; }}
  {by_test_id("stMainBlockContainer")} {{ max-width: 100%; padding-left: 1.25rem; padding-right: 1.25rem;
    padding-top: 3rem; }}
  {by_test_id("stMarkdownContainer")} p, {by_test_id("stMarkdownContainer")} li {{ line-height: 1.45; }}
}}
</style>"""


def link_checks() -> dict[str, LinkCheck]:
    return {PRESENT_KEY: single(lambda raw: parse_choice(raw, ["true", "false"]))}


def presenter_requested() -> bool:
    """Whether this run shows the presenter view (read before the toggle exists: the page config needs it)."""
    return bool(st.session_state.get(PRESENT_KEY, st.query_params.get(PRESENT_KEY) == "true"))


def presenter_toggle() -> bool:
    """The toggle in the sidebar (below the navigation); with it on, the presenter CSS is injected."""
    on = st.sidebar.toggle("Presenter view", key=PRESENT_KEY, bind="query-params",
                           help="For a projector: larger text and charts, the sidebar folded away "
                                "(the » button at the top left brings it back).")
    if on:
        st.html(PRESENTER_CSS)
    return on
