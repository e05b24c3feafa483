"""The step-through's pictures: each stage's equation as heatmap panels and operator symbols."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lessons.stages import FEATURES, MATRIX_AXES, ONE, OUTPUT, Stage, axis_labels
from lessons.step_through import sigmoid_chain_at_z2
from nn_core.gradcheck import GradientCheck
from nn_core.network import PARAM_NAMES
from viz.heatmaps import LINE_BREAK, MatrixPanel


def matrix_panel(name: str, matrix: np.ndarray, feature_names: Sequence[str], *, label: str | None = None,
                 highlight: bool = False, color_limit: float | None = None, badge: str = "computed") -> MatrixPanel:
    """A heatmap panel for one of the article's matrices, its rows and columns labelled by role."""
    row_axis, col_axis = MATRIX_AXES[name]
    rows, cols = np.atleast_2d(matrix).shape
    hover_rows = list(feature_names) if row_axis == FEATURES else None
    return MatrixPanel(label or name, np.atleast_2d(matrix), axis_labels(row_axis, rows), axis_labels(col_axis, cols),
                       row_title="" if row_axis == OUTPUT else row_axis, col_title="" if col_axis == ONE else col_axis,
                       highlight=highlight, hover_rows=hover_rows, color_limit=color_limit, badge=badge)


def stage_items(stage: Stage, matrices: Mapping[str, np.ndarray],
                feature_names: Sequence[str]) -> list[MatrixPanel | str]:
    """The stage's equation as heatmap panels and operator symbols, the computed matrices highlighted."""
    return [matrix_panel(item, matrices[item], feature_names, highlight=item in stage.computed, badge=stage.badge)
            if item in stage.inputs or item in stage.computed else item for item in stage.layout]


def sigmoid_chain_items(matrices: Mapping[str, np.ndarray], feature_names: Sequence[str]) -> list[MatrixPanel | str]:
    """dLoss_Yh ⊙ dSigmoid(Z2) = … on one line, Yh − Y = … on the next: the two results are the same numbers."""
    chain = sigmoid_chain_at_z2(matrices)
    out = "dLoss_Z2"  # same axes as every per-sample output row

    def row(label: str, values: np.ndarray, highlight: bool = False) -> MatrixPanel:
        return matrix_panel(out, values, feature_names, label=label, highlight=highlight)

    return [row("dLoss_Yh", chain["dLoss_Yh"]), "⊙", row("dSigmoid(Z2)", chain["dSigmoid(Z2)"]), "=",
            row("dLoss_Yh ⊙ dSigmoid(Z2)", chain["dLoss_Yh ⊙ dSigmoid(Z2)"], True), LINE_BREAK,
            row("Yh", matrices["Yh"]), "−", row("Y", matrices["Y"]), "=", row("Yh − Y", chain["Yh − Y"], True)]


def gradient_check_items(checks: Mapping[str, GradientCheck], method: str, feature_names: Sequence[str],
                         names: Sequence[str] = PARAM_NAMES) -> list[MatrixPanel | str]:
    """Per parameter in ``names``, one line: back-propagation's gradient, the numeric one, and their difference
    drawn on the gradient's own colour scale (so a negligible difference looks white)."""
    items: list[MatrixPanel | str] = []
    for name in names:
        check = checks[name]
        scale = float(np.abs(check.analytic).max()) if np.size(check.analytic) else None
        if items:
            items.append(LINE_BREAK)
        items += [matrix_panel("dLoss_" + name, check.analytic, feature_names, label=f"dLoss_{name} (back-prop)"),
                  "vs",
                  matrix_panel("dLoss_" + name, check.numeric, feature_names, label=f"numeric ({method})"),
                  "→",
                  matrix_panel("dLoss_" + name, check.difference, feature_names,
                               label=f"difference {name}", color_limit=scale)]
    return items
