"""A tiny Streamlit app for the literal-text browser test: hostile user text through every kind of element."""

import numpy as np
import streamlit as st

from viz.metrics import confusion_matrix_figure
from viz.text import markdown_literal

HOSTILE = [
    "![pix](http://127.0.0.1:9/pix.png)",
    "**bold** _it_ `code`",
    "<b>B</b> &amp; <img src=x>",
    ":red[red] :smile: :material/home: $x^2$",
    "# heading\n- item",
    "[link](http://127.0.0.1:9/) www.example.com http://example.com me@example.org",
]
for text in HOSTILE:
    # the page's own markup around the user's text: bold, an emoji shortcode (loads the emoji plugin)
    st.markdown(f"**Column** :warning: {markdown_literal(text)} ends")
    st.info(markdown_literal(text))
    st.caption(markdown_literal(text))
st.plotly_chart(confusion_matrix_figure(np.array([[1, 2], [3, 4]]), ("<b>B</b>", "a&amp;<i>M</i>")), key="matrix")
