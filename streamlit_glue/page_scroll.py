"""Back to the top of the page when what the page is about changes under the reader's thumb.

A student's phone follows the teacher: when the class moves to the next step, the page is redrawn where it was
scrolled to — the middle of a question that is no longer there. This tiny ``st.components.v2`` component remembers
the value it was drawn with (a keyed component keeps its element across reruns) and, when a rerun brings another
one, scrolls Streamlit's main column and the window to the top. The first drawing (a page load) scrolls nothing.
"""

from __future__ import annotations

import streamlit as st

from streamlit_glue.streamlit_internals import by_test_id

_JS = """
export default function ({ parentElement, data }) {
  const seen = parentElement.__scrollValue;
  parentElement.__scrollValue = data.value;
  if (seen === undefined || seen === data.value) return;
  const main = document.querySelector(data.main);
  if (main) main.scrollTo({top: 0});
  window.scrollTo({top: 0});
}
"""

_component = st.components.v2.component("backprop_lab.scroll_to_top", js=_JS)


def scroll_to_top_on_change(value: str, *, key: str) -> None:
    """Scroll to the top when ``value`` differs from the one this element was last drawn with."""
    _component(data={"value": value, "main": by_test_id("stMain")}, key=key)
