"""Layout helpers shared by pages: a wide chart that scrolls inside its own box on a narrow screen, and a small
table that fits a phone."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

import plotly.graph_objects as go
import streamlit as st

from streamlit_glue.plotly_in_place import FillRoom, plotly_chart_in_place
from streamlit_glue.streamlit_internals import keyed, keyed_content
from viz.text import markdown_table

# px: the main column of a 1400 px wide window with the sidebar open; wider equations wrap onto a new line.
CHART_WIDTH = 920

# Our own CSS (never user text, only our keys and a pixel count): the box scrolls sideways, and the chart
# inside keeps its width (Streamlit otherwise caps a chart at the column's width and squeezes it).
def _scroll_css(key: str, width: int, fill: FillRoom | None = None) -> str:
    """The box scrolls sideways and holds the chart's width; while a ``fill`` room sizes the chart, it does not."""
    box = keyed(f"scroll_{key}")
    keep_width = f"{keyed_content(f'scroll_{key}')} {{ min-width: {width}px; }}"
    if fill is not None:
        keep_width = f"@media not all and {fill.media} {{ {keep_width} }}"
    return f"<style>{box} {{ overflow-x: auto; overflow-y: hidden; }} {keep_width}</style>"


def scrollable_chart(fig: go.Figure | str | Sequence[go.Figure | str], *, key: str, alt: str,
                     on_select: Callable[[], None] | None = None, fill: FillRoom | None = None) -> None:
    """Draw ``fig`` (a figure or its JSON, which must set ``layout.width``) at that pixel width; on a phone it
    scrolls inside its box, the page itself never does.

    Streamlit shrinks a wider chart to the column, which squeezes a matrix's numbers on top of each other;
    a fixed width keeps every cell readable. ``alt`` is the text a screen reader gets for the chart. ``fig`` may be
    several layouts of it and ``fill`` a room to fill (see ``plotly_chart_in_place``): the box then holds the
    width of the narrowest, and the CSS of the room's page may let it go.
    """
    figures = [fig] if isinstance(fig, (str, go.Figure)) else list(fig)
    width = min(int(json.loads(f)["layout"]["width"] if isinstance(f, str) else f.layout.width) for f in figures)
    st.html(_scroll_css(key, width, fill))
    with st.container(key=f"scroll_{key}"):
        # updated in place when the numbers change (see plotly_in_place); a click on a cell calls on_select
        # with its toolbar even when narrow: the toolbar's buttons are what the keyboard reaches in the box
        # (axe-core's scrollable-region-focusable); in a wide figure it sits far right of the panel titles
        plotly_chart_in_place(fig, key=key, alt=alt, on_click=on_select, config={"displayModeBar": "hover"},
                              fill=fill)


# Our own CSS (only our key): on a phone a table's cells get tighter and a long header word may break (a number
# never does), so six columns fit 390 px; a Markdown table has no box of its own to scroll in, and the page must
# never scroll sideways.
_TABLE_CSS = ("<style>@media (max-width: 640px) {{ {box} table {{ font-size: 0.8rem; }} "
              "{box} th, {box} td {{ padding: 0.25rem 0.35rem; }} "
              "{box} th {{ overflow-wrap: anywhere; }} "
              "{box} td {{ white-space: nowrap; }} }}</style>")


def small_table(columns: Mapping[str, Sequence], *, key: str) -> None:
    """A few rows of numbers as a real table (``viz.text.markdown_table``: every cell shown as typed)."""
    st.html(_TABLE_CSS.format(box=keyed(f"table_{key}")))
    with st.container(key=f"table_{key}"):
        st.markdown(markdown_table(columns))
