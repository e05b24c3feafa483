"""Layout helpers shared by pages: a wide chart that scrolls inside its own box on a narrow screen."""

from __future__ import annotations

import json
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from streamlit_glue.plotly_in_place import plotly_chart_in_place

# px: the main column of a 1400 px wide window with the sidebar open; wider equations wrap onto a new line.
CHART_WIDTH = 920

# Our own CSS (never user text, only our keys and a pixel count): the box scrolls sideways, and the chart
# inside keeps its width (Streamlit otherwise caps a chart at the column's width and squeezes it).
_SCROLL_CSS = ("<style>.st-key-scroll_{key} {{ overflow-x: auto; overflow-y: hidden; }} "
               ".st-key-scroll_{key} > div {{ min-width: {width}px; }}</style>")


def scrollable_chart(fig: go.Figure | str, *, key: str, alt: str, on_select: Callable[[], None] | None = None) -> None:
    """Draw ``fig`` (a figure or its JSON, which must set ``layout.width``) at that pixel width; on a phone it
    scrolls inside its box, the page itself never does.

    Streamlit shrinks a wider chart to the column, which squeezes a matrix's numbers on top of each other;
    a fixed width keeps every cell readable. ``alt`` is the text a screen reader gets for the chart.
    """
    width = int(json.loads(fig)["layout"]["width"] if isinstance(fig, str) else fig.layout.width)
    st.html(_SCROLL_CSS.format(key=key, width=width))
    with st.container(key=f"scroll_{key}"):
        # updated in place when the numbers change (see plotly_in_place); a click on a cell calls on_select
        plotly_chart_in_place(fig, key=key, alt=alt, on_click=on_select)
