"""The forward & backward page's warm-up: what a derivative measures, on the article's f(x) = x²."""

from __future__ import annotations

import streamlit as st

from lessons.settings import STEP_THROUGH, WARMUP_H
from streamlit_glue import setting_widgets as widgets
from streamlit_glue.cached import figure_json
from streamlit_glue.layout import small_table
from streamlit_glue.plotly_in_place import plotly_chart_in_place
from streamlit_glue.streamlit_internals import keyed
from viz.derivative import derivative_figure, secant_slope, tangent_slope
from viz.style import format_number
from viz.text_alternatives import describe_derivative


@st.fragment
def derivative_warm_up(prefix: str = "fb", *, in_expander: bool = True) -> None:
    """Sliders for x and h, the secant's slope as numbers and as a picture.

    A fragment: moving x or h redraws the warm-up only. The forward & backward page shows it in an expander
    with its keys (``fb_x``, ``fb_dh``) in the page address; the guided lesson draws the same view open, with
    keys of its own (``prefix`` "lesson") that stay out of the address.
    """
    bind = "query-params" if prefix == "fb" else None
    box = st.expander("Warm-up: what a derivative measures — the article's f(x) = x²") if in_expander \
        else st.container()
    with box:
        warm_left, warm_right = st.columns([1, 2])
        with warm_left:
            # the registry's fb_x / fb_dh, under the guided lesson's own keys there (kept out of the address)
            x = widgets.slider(STEP_THROUGH["fb_x"], key=f"{prefix}_x", bind=bind)
            h_warm = widgets.select_slider(STEP_THROUGH["fb_dh"], key=f"{prefix}_dh", bind=bind)
            numbers = [format_number(v, 6) for v in (x + h_warm, x, h_warm, secant_slope(x, h_warm))]
            # one "=" per line: the formula fits a narrow column (a phone, the presenter view's larger text)
            with st.container(key=f"{prefix}_warmup_formula"):
                st.latex(r"\begin{aligned} & \frac{f(x+h) - f(x)}{h} \\ &= \frac{(" + numbers[0] + r")^2 - ("
                         + numbers[1] + r")^2}{" + numbers[2] + r"} \\ &= " + numbers[3] + r" \end{aligned}")
                # KaTeX's display box overflows its own width by ~2 px and scrolls: a scrollable region a keyboard
                # cannot reach (axe-core: scrollable-region-focusable, serious). Nothing is cut if it overflows.
                st.html(f"<style>{keyed(f'{prefix}_warmup_formula')} .katex-display {{ overflow: visible; }}</style>")
            st.markdown(f"The tangent's slope is f′(x) = 2x = **{format_number(tangent_slope(x))}**. For x² the "
                        f"secant's slope is exactly 2x + h, so it tends to 2x as h shrinks.")
            small_table({"h": [format_number(h, 3) for h in WARMUP_H],
                         "(f(x+h) − f(x)) / h": [format_number(secant_slope(x, h), 7) for h in WARMUP_H]},
                        key=f"{prefix}_secants")
        with warm_right:
            plotly_chart_in_place(figure_json(derivative_figure, x, h_warm), key=f"{prefix}_derivative_chart",
                                  alt=describe_derivative(x, h_warm, secant_slope(x, h_warm), tangent_slope(x)))
        st.caption("Back-propagation computes these slopes for every weight at once — exactly, without nudging.")
