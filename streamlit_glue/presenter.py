"""The presenter view: one toggle, on every page, kept in the address (``present=true``), that makes the app
readable on a projector — larger text and controls, the sidebar folded away, the main column as wide as the
screen so every chart and the network diagram are drawn larger.

The CSS is this module's constant (never user text). Plotly draws its own text; the charts grow with the
column they fill, and the guided lesson's that take no clicks are zoomed as a whole.
"""

from __future__ import annotations

import streamlit as st

from lessons.url_values import parse_choice
from streamlit_glue.link_guard import PRESENT_KEY, LinkCheck, single
from streamlit_glue.plotly_in_place import ZOOMABLE_CHART
from streamlit_glue.streamlit_internals import by_test_id, keyed_prefix

# Streamlit sizes its text in rem: a larger root font enlarges every paragraph, label, button and caption.
# The main column loses its 736 px cap and most of its side padding (the sidebar is folded away).
# The guided lesson's charts are drawn 1.3× larger, 1.6× on a screen 1400 px wide or more (CSS zoom scales a
# chart's own text with it, so nothing that fit stops fitting). Only a chart that takes no clicks (ZOOMABLE_CHART:
# decided by what the chart is, not by its key's name): under CSS zoom Plotly maps a click to the wrong place (a
# click on Z1[h2, s3] of the forward & backward page picked Z1[h2, s4]), so the lesson's computation graph keeps
# its size. Fixed-width charts (matrices) wrap at this width in the presenter view, so that 1.3× of it fits a
# 1280 px projector at 150 % (853 CSS px, less the padding).
LESSON_ZOOMED = ", ".join(f"{keyed_prefix(prefix)} {ZOOMABLE_CHART}" for prefix in ("lesson_", "scroll_lesson_"))
PRESENTER_CSS = f"""<style>
html {{ font-size: 20px; }}
{by_test_id("stMainBlockContainer")} {{ max-width: 100%; padding-left: 1.25rem; padding-right: 1.25rem;
  padding-top: 3rem; }}
{by_test_id("stMarkdownContainer")} p, {by_test_id("stMarkdownContainer")} li {{ line-height: 1.45; }}
{LESSON_ZOOMED} {{ zoom: 1.3; }}
@media (min-width: 1400px) {{
  {LESSON_ZOOMED} {{ zoom: 1.6; }}
}}
</style>"""
PRESENTER_CHART_WIDTH = 600


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
