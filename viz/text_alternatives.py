"""What each chart shows, in a sentence or two: the text a screen reader reads instead of the picture.

Each function takes the same numbers as its figure, so the words and the picture can't drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from viz.style import format_number


def describe_loss_curves(steps: Sequence[int], train_loss: Sequence[float], val_loss: Sequence[float] = ()) -> str:
    """The loss-while-training chart: where each curve starts and ends."""
    if not steps:
        return "Loss while training: nothing recorded yet."
    text = (f"Line chart of the loss while training, iterations {steps[0]} to {steps[-1]}: training loss from "
            f"{format_number(train_loss[0])} to {format_number(train_loss[-1])}")
    val_loss = list(val_loss)[:len(steps)]  # a run stopped mid-record may hold one more value than steps
    if val_loss:
        best = int(np.nanargmin(val_loss))
        text += (f"; validation loss from {format_number(val_loss[0])} to {format_number(val_loss[-1])}, lowest "
                 f"{format_number(val_loss[best])} at iteration {steps[best]}")
    return text + "."


def describe_compared_runs(runs, shared_rows: str) -> str:
    """The comparison chart (``viz.curves.compared_runs_figure``): each run on the shared rows, then its own."""
    parts = []
    for run in runs:
        shared = np.asarray(run.shared_loss, dtype=float)
        best = int(np.nanargmin(shared))
        kept = "" if run.kept is None else (f", weights kept at update {run.kept} "
                                            f"({format_number(shared[run.kept])})")
        parts.append(f"{run.label}: on the {shared_rows} from {format_number(shared[0])} to "
                     f"{format_number(shared[-1])} after {shared.size - 1} updates, lowest "
                     f"{format_number(shared[best])} at update {best}{kept}; on its {run.train_rows} training rows "
                     f"down to {format_number(run.train_loss[-1])}")
    return "Line chart of several runs on the same axes. " + "; ".join(parts) + "."


def describe_confusion(matrix: np.ndarray, class_names: Sequence[str], threshold: float) -> str:
    """The confusion matrix as four counts in words (class names are user text: this is plain text only)."""
    (tn, fp), (fn, tp) = np.asarray(matrix, dtype=int)
    negative, positive = class_names
    return (f"Confusion matrix at threshold {threshold:g}: {tp} {positive} found, {fn} {positive} missed, "
            f"{tn} {negative} correctly cleared, {fp} false alarms.")


def describe_roc(auc: float, threshold: float, current_fpr: float, current_tpr: float) -> str:
    return (f"ROC curve, area under it {auc:.3f}. At threshold {threshold:g} the model finds "
            f"{current_tpr:.0%} of the positive cases with {current_fpr:.0%} false alarms among the negatives.")


def describe_gradient_flow(steps: Sequence[int], grad_norms: Mapping[str, Sequence[float]],
                           dead_fraction: Sequence[float]) -> str:
    layers = "; ".join(f"{name} from {format_number(values[0])} to {format_number(values[-1])}"
                       for name, values in grad_norms.items() if len(values))
    return (f"Line charts of each layer's gradient size over iterations {steps[0]} to {steps[-1]} ({layers}) and "
            f"of the share of dead hidden units, ending at {dead_fraction[-1]:.0%}.")


def describe_batch_modes(runs: Mapping[str, Sequence[float]]) -> str:
    parts = []
    for name, losses in runs.items():
        losses = np.asarray(losses, dtype=float)
        if losses.size:
            parts.append(f"{name} from {format_number(losses[0])} to {format_number(losses[-1])}, "
                         f"average jump between updates {format_number(float(np.abs(np.diff(losses)).mean()))}"
                         if losses.size > 1 else f"{name} {format_number(losses[0])}")
    return "Batch loss per update for each batch mode: " + "; ".join(parts) + "."


def describe_derivative(x: float, h: float, secant: float, tangent: float) -> str:
    return (f"The parabola f(x) = x² with the secant through x = {x:g} and x + h = {x + h:g} (slope "
            f"{format_number(secant)}) and the tangent at x (slope {format_number(tangent)}).")
