"""The step-through's gradient check: back-propagation against finite differences, as a fragment (moving h
or the heatmap choices redraws only this part). Results are kept per h until the weights change."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lessons.settings import STEP_THROUGH
from lessons.stage_panels import gradient_check_items
from lessons.step_through import (
    GRADCHECK_TOLERANCE,
    gradient_check_table,
    gradient_check_verdict,
)
from nn_core import gradcheck
from nn_core.gradcheck import METHODS
from streamlit_glue import setting_widgets as widgets
from streamlit_glue.cached import figure_json
from streamlit_glue.layout import CHART_WIDTH, scrollable_chart, small_table
from viz.heatmaps import describe_equation, equation_figure


@st.fragment
def gradient_check_section(X: np.ndarray, Y: np.ndarray, features: list[str]) -> None:
    """Back-propagation's gradients next to finite differences, with the verdict and the heatmaps."""
    st.header("Gradient check: back-propagation against finite differences")
    g1, g2, g3 = st.columns([1, 1, 1])
    h = widgets.select_slider(STEP_THROUGH["fb_h"], g1)
    method = widgets.choice(STEP_THROUGH["fb_gc_method"], g2, widget="radio", horizontal=True)
    # One parameter's three matrices at a time: all four (twelve heatmaps) took ~0.3 s to draw in the browser
    # every time the example or the weights changed.
    parameter = widgets.choice(STEP_THROUGH["fb_gc_param"], g3, widget="radio", horizontal=True)
    if h not in st.session_state.fb_checks:
        st.session_state.fb_checks[h] = {
            name: gradcheck.gradient_check(st.session_state.fb_params, X, Y, h=h, method=name) for name in METHODS}
    checks = st.session_state.fb_checks[h]
    small_table(gradient_check_table(checks), key="fb_gradient_check")
    st.caption(f"Relative error = ‖numeric − back-prop‖ / (‖numeric‖ + ‖back-prop‖). Pass below "
               f"{GRADCHECK_TOLERANCE['forward']:g} for the forward difference (its error grows like h) and below "
               f"{GRADCHECK_TOLERANCE['central']:g} for the centred one (its error grows like h²).")
    kind, text = gradient_check_verdict(checks, h)
    getattr(st, kind)(text)
    check_panels = gradient_check_items(checks[method], method, features, names=[parameter])
    scrollable_chart(figure_json(equation_figure, check_panels, max_width=CHART_WIDTH), key="fb_check_chart",
                     alt=describe_equation(check_panels))
