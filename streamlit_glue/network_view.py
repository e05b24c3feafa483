"""The step-through's view of the network itself: the diagram beside the matrices, a picked cell linked
across both, the chain of numbers behind that cell, and a check-yourself question.

The pick lives in ``fb_cell`` (session state and the page address, e.g. ``fb_cell=dLoss_W1[h3,f2]``), the
sample shown in the diagram in ``fb_sample``; a click on a heatmap cell or a diagram edge/node sets both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import streamlit as st

from lessons.quiz import question_for_stage
from nn_core.chains import CHAIN_MATRICES, cell_label, chain_for_cell, parse_cell_label, render_chain
from nn_core.network import PARAM_NAMES
from streamlit_glue.plotly_in_place import clicked_point, plotly_chart_in_place
from viz.heatmaps import MatrixPanel, cell_for_heatmap_point
from viz.network_diagram import (
    cell_for_point,
    describe_network_diagram,
    diagram_target_for_cell,
    linked_cells,
    network_diagram_figure,
)
from viz.text import markdown_literal

ALL_SAMPLES = "all samples (means)"
CHAIN_TERMS_SHOWN = 6  # terms of a sum written out before "…"
CHAIN_LINES_IN_VIEW = 18  # a longer chain scrolls inside a box this many lines high
CHAIN_HEIGHT = 440  # px: CHAIN_LINES_IN_VIEW lines of st.code
CELL_PARAM = "fb_cell"
CACHE_NAMES = ("Z1", "A1", "Z2", "Yh")
GRADIENT_NAMES = ("dLoss_Yh", "dLoss_Z2", "dLoss_A1", "dLoss_W2", "dLoss_b2", "dLoss_Z1", "dLoss_W1", "dLoss_b1")


def check_cell_label(raws: list[str]) -> str | None:
    """Link check for ``fb_cell``: one label such as dLoss_W1[h3,f2] (whether it fits the shapes is checked
    once the example is known, in ``picked_cell``)."""
    if len(raws) != 1:
        return "expected one value"
    try:
        parse_cell_label(raws[0])
    except ValueError:
        return "not a matrix cell such as dLoss_W1[h3,f2]"
    return None


def _pick(matrix: str, cell: tuple[int, int]) -> None:
    label = cell_label(matrix, cell)
    st.session_state.fb_cell = label
    st.query_params[CELL_PARAM] = label
    target = diagram_target_for_cell(matrix, cell)
    if target is not None and target.sample is not None:  # the diagram follows the picked sample
        st.session_state.fb_sample = f"s{target.sample + 1}"


def on_heatmap_select(chart_key: str) -> None:
    """Callback of a selectable equation chart: a click on a cell picks it."""
    point = clicked_point(chart_key)
    picked = cell_for_heatmap_point(point) if point is not None else None
    if picked is not None and picked[0] in CHAIN_MATRICES:
        _pick(*picked)


def on_diagram_select(stage: str, sample: int | None) -> None:
    """Callback of the diagram: a click on an edge, a node or a bias square picks its matrix cell."""
    point = clicked_point("fb_diagram")
    picked = cell_for_point(point, stage, sample) if point is not None else None
    if picked is not None:
        _pick(*picked)


def picked_cell(matrices: Mapping[str, np.ndarray]) -> tuple[str, tuple[int, int]] | None:
    """The learner's pick, if it names a cell of these matrices (a link may carry one from a bigger example)."""
    label = st.session_state.get("fb_cell") or st.query_params.get(CELL_PARAM)
    if not label:
        return None
    matrix, cell = parse_cell_label(label)
    shape = np.atleast_2d(matrices.get(matrix, np.empty((0, 0)))).shape
    if matrix not in matrices or not (cell[0] < shape[0] and cell[1] < shape[1]):
        return None
    return matrix, cell


def sample_picker(m: int, pick: tuple[str, tuple[int, int]] | None) -> int | None:
    """The sample the diagram shows: s1 … sm, or the mean over all samples (None). A link's picked cell that
    belongs to one sample opens the diagram on that sample."""
    options = [ALL_SAMPLES, *(f"s{i + 1}" for i in range(m))]
    if st.session_state.get("fb_sample") not in options:
        target = diagram_target_for_cell(*pick) if pick is not None else None
        st.session_state.fb_sample = f"s{target.sample + 1}" if target is not None and target.sample is not None \
            else "s1"
    chosen = st.selectbox("Sample shown in the diagram", options, key="fb_sample",
                          help="The diagram's node values and edge gradients are this sample's; "
                               "“all samples” shows the means over the m samples.")
    return None if chosen == ALL_SAMPLES else int(chosen[1:]) - 1


def with_selection(items: Sequence[MatrixPanel | str], pick: tuple[str, tuple[int, int]] | None) -> list:
    """Frame the picked cell in every panel that shows the same place (W1, dLoss_W1 and new W1 for one edge)."""
    if pick is None:
        return list(items)
    linked = linked_cells(*pick)
    return [dataclasses.replace(item, selected=linked[item.name])
            if isinstance(item, MatrixPanel) and item.name in linked else item for item in items]


def network_diagram(matrices: Mapping[str, np.ndarray], stage: str, sample: int | None,
                    feature_names: Sequence[str], pick: tuple[str, tuple[int, int]] | None) -> None:
    """The diagram, clickable, with its text alternative."""
    fig = network_diagram_figure(matrices, stage, sample=sample, feature_names=feature_names, highlight=pick)
    plotly_chart_in_place(fig, key="fb_diagram", on_click=lambda: on_diagram_select(stage, sample),
                          config={"displayModeBar": False},
                          alt=describe_network_diagram(matrices, stage, sample=sample, highlight=pick))
    st.caption("Click an edge, a node or a bias square — or a cell of a matrix — to see the numbers behind it.")


def chain_of_numbers(matrices: Mapping[str, np.ndarray], pick: tuple[str, tuple[int, int]] | None,
                     lr: float) -> None:
    """The picked cell written out as arithmetic with the actual numbers, down to the sample sum."""
    if pick is None:
        st.info("Pick a cell (a click on any matrix or on the diagram) to see why it has its value.")
        return
    chain = chain_for_cell(*pick, matrices, lr)
    st.markdown(f"**Why is `{cell_label(*pick)}` = {chain.value:.4g}?**")
    every_term = render_chain(chain, max_terms=None)
    shortened = render_chain(chain, max_terms=CHAIN_TERMS_SHOWN)
    # the toggle only where it changes something (a sum longer than CHAIN_TERMS_SHOWN terms)
    show_all = every_term != shortened and st.toggle("Show every term of the sums", key="fb_chain_all")
    # unwrapped: each line's indentation is the tree of the chain rule; a long line scrolls sideways
    st.code("\n".join(every_term if show_all else shortened), language=None, wrap_lines=False,
            height=CHAIN_HEIGHT if len(shortened) > CHAIN_LINES_IN_VIEW else "content")


def check_yourself(stage: str, matrices: Mapping[str, np.ndarray], seed: int, iteration: int, lr: float) -> None:
    """A question drawn from the current numbers, answered in one click, with the answer and a one-line reason."""
    cache = {name: matrices[name] for name in CACHE_NAMES}
    grads = {name: matrices[name] for name in GRADIENT_NAMES}
    params = {name: matrices[name] for name in PARAM_NAMES}
    question = question_for_stage(stage, cache, grads, params, matrices["X"], matrices["Y"],
                                  rng_seed=seed * 10_007 + iteration, lr=lr)
    with st.expander("Check yourself", icon=":material/quiz:"):
        answer = st.radio(markdown_literal(question.prompt), question.options, index=None,
                          format_func=markdown_literal, key=f"fb_quiz_{stage}_{seed}_{iteration}")
        if answer is not None:
            verdict = st.success if answer == question.answer else st.error
            verdict(markdown_literal(("Right. " if answer == question.answer else
                                      f"Not quite — it is {question.answer}. ") + question.reason))
