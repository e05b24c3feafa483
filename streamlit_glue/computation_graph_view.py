"""The computation graph on a page: the graph at the stage, a click (or the keyboard's selectbox) on a node
shows its local rule with the numbers, and a button takes the step-through to the matching matrix cell.

``computation_graph_view`` is the one entry point; any page with a stage and the step-through's matrices
can use it (the forward & backward page, the guided lesson). The picked node lives in
``st.session_state[f"{key_prefix}_graph_node"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import streamlit as st

from lessons.graph_rules import StagePointer, local_rule
from nn_core.graph import GRAPH_NODES, NODES_BY_KEY
from streamlit_glue.network_view import CELL_PARAM
from streamlit_glue.plotly_in_place import FillRoom, clicked_point, plotly_chart_in_place
from viz.computation_graph import (
    GRAD_MEANING,
    GRAPH_LAYOUTS,
    computation_graph_figures,
    describe_computation_graph,
    grad_stage,
    graph_phase,
    graph_readings,
    lit_nodes,
    node_for_point,
    reached_nodes,
)
from viz.text import markdown_literal

NODE_CHOICES = tuple(node.key for node in GRAPH_NODES)


def _on_graph_click(chart_key: str, node_key: str) -> None:
    node = node_for_point(clicked_point(chart_key))
    if node is not None:
        st.session_state[node_key] = node


def _show_in_step_through(pointer: StagePointer) -> None:
    """Open the step-through at the rule's stage with its cell picked: the chain of numbers writes it out."""
    st.session_state.fb_stage = pointer.stage
    st.session_state.fb_cell = pointer.label
    st.query_params[CELL_PARAM] = pointer.label


def _heading(stage: str, sample: int | None) -> str:
    who = f"sample s{sample + 1}" if sample is not None else "the mean over the samples"
    lit = ", ".join(f"`{key}`" for key in lit_nodes(stage))
    if graph_phase(stage) == "forward":
        return f"Each node shows its **value** for {who}; this stage computes {lit} (ringed)."
    if graph_phase(stage) == "backward":
        return (f"Each node shows {GRAD_MEANING}, for {who}. The lit arrows are the path the gradient "
                f"has taken from the loss, the thickest is this stage's step, reaching {lit}.")
    return f"Every grad for {who}; the update steps {lit} against their grads."


def _rule(matrices: Mapping[str, np.ndarray], node: str, stage: str, sample: int | None, key_prefix: str,
          step_through_links: bool) -> None:
    rule = local_rule(matrices, node, sample)
    st.markdown(f"**{markdown_literal(NODES_BY_KEY[node].label)}** — {markdown_literal(rule.gate)}")
    reached_at = grad_stage(node)
    if reached_at is not None and node not in reached_nodes(stage) and stage != "update":
        st.caption(f"The gradient reaches this node at stage {reached_at}: these are the numbers of that step.")
    st.markdown(markdown_literal(rule.rule))
    if rule.lines:
        st.code("\n".join(rule.lines), language=None, wrap_lines=True)
    if rule.note:
        st.caption(markdown_literal(rule.note))
    for pointer in rule.see:
        if step_through_links:
            st.button(f"Show {pointer.label} at stage {pointer.stage}", key=f"{key_prefix}_graph_see_{pointer.label}",
                      on_click=_show_in_step_through, args=(pointer,), icon=":material/north_east:",
                      help="Opens that stage of the step-through with this cell picked: its chain of numbers "
                           "writes the rule out for every sample.")
        else:
            st.caption(markdown_literal(f"See stage {pointer.stage} of the forward & backward page, cell "
                                        f"{pointer.label}."))


def computation_graph_view(matrices: Mapping[str, np.ndarray], stage: str, sample: int | None, *,
                           key_prefix: str, step_through_links: bool = True,
                           layouts: Sequence[str] = GRAPH_LAYOUTS, fill: FillRoom | None = None) -> None:
    """The computation graph at ``stage`` for ``sample`` (0-based, None = means) with the picked node's rule.

    ``matrices`` are lessons.step_through.collect_matrices' (every forward / backward matrix by the article's
    names); ``key_prefix`` keeps this view's widgets apart from another copy's; ``step_through_links`` makes
    a rule's "see" pointers buttons that set the forward & backward page's stage and picked cell (fb_stage,
    fb_cell); without it they are plain text. ``layouts`` (viz.computation_graph's ROW, TWO_ROWS, COLUMN): the
    browser draws the widest of them that fits the column — one row, two rows, or top to bottom on a phone —
    so the graph never scrolls sideways; pass one to fix it (a slide that knows its room). ``fill``: a room the
    graph shares (a lesson's slide); being clickable, it is never zoomed there.
    """
    chart_key, node_key = f"{key_prefix}_graph", f"{key_prefix}_graph_node"
    st.markdown("#### The computation graph: every operation, its value, its grad")
    st.caption(_heading(stage, sample))
    alt = describe_computation_graph(matrices, stage, sample=sample)
    figures = computation_graph_figures(matrices, stage, sample=sample, selected=st.session_state.get(node_key),
                                        layouts=layouts)
    plotly_chart_in_place(figures, key=chart_key, alt=alt, on_click=lambda: _on_graph_click(chart_key, node_key),
                          fill=fill)
    node = st.selectbox("Local rule of the node", NODE_CHOICES, index=None, key=node_key,
                        format_func=lambda key: NODES_BY_KEY[key].label,
                        placeholder="Click a node of the graph, or pick one here",
                        help="How that node hands the gradient back, with this sample's numbers.")
    if node is not None:
        _rule(matrices, node, stage, sample, key_prefix, step_through_links)
    with st.expander("The graph in words", icon=":material/notes:"):
        for key, reading in graph_readings(matrices, stage, sample).items():
            numbers = ", ".join(reading.lines)
            st.markdown(markdown_literal(f"{NODES_BY_KEY[key].label} ({reading.caption}): {numbers}"))
