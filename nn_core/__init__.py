"""Backprop Lab's network core: the article's 2-layer ``dlnet`` in pure NumPy (no Streamlit, no Plotly)."""

from .data import CLASS_NAMES, SCALINGS, Dataset, Split, load_cancer, split_and_scale
from .gradcheck import GradientCheck, gradient_check, numeric_gradient, relative_error
from .network import (
    GRADIENT_NAMES,
    PARAM_NAMES,
    backward,
    d_relu,
    d_sigmoid,
    forward,
    init_params,
    loss,
    loss_from_logits,
    parameter_gradients,
    predict,
    predict_proba,
    relu,
    sigmoid,
)
from .optimizers import OPTIMIZER_LABELS, OPTIMIZERS, get_step_function
from .training import DIVERGENCE_LOSS, diverged, steps_per_epoch, train

__all__ = [
    "CLASS_NAMES", "SCALINGS", "Dataset", "Split", "load_cancer", "split_and_scale",
    "GradientCheck", "gradient_check", "numeric_gradient", "relative_error",
    "GRADIENT_NAMES", "PARAM_NAMES", "backward", "d_relu", "d_sigmoid", "forward", "init_params", "loss",
    "loss_from_logits", "parameter_gradients", "predict", "predict_proba", "relu", "sigmoid",
    "OPTIMIZER_LABELS", "OPTIMIZERS", "get_step_function", "DIVERGENCE_LOSS", "diverged", "steps_per_epoch", "train",
]
