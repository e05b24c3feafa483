"""Backprop Lab's network core: the article's 2-layer ``dlnet`` written from scratch in NumPy.

The neural-network math (forward, loss, backward, training, optimizers, gradient check) is ours, in NumPy.
Well-kept libraries do the rest, each pinned in requirements.txt: SciPy's ``expit`` (the stable sigmoid) and
scikit-learn (the built-in data set, splitting, scaling, PCA for the landscape). It reads and writes no files
(uploaded CSVs and model files are ``file_formats``'s), and never imports Streamlit or Plotly:
tests/test_architecture.py checks both.

The public surface is re-exported here; pages and tests may also import a submodule directly.
"""

from .data import CLASS_NAMES, SCALINGS, Dataset, FeatureScaling, Split, load_cancer, split_and_scale
from .descent import classify_outcome, run_descent
from .diagnostics import TrainingMonitor, dead_relu_fraction, gradient_norms
from .divergence import divergence_clause, divergence_message, loss_exploded, past_ceiling
from .gradcheck import GradientCheck, gradient_check, numeric_gradient, relative_error
from .landscape import (
    filter_normalized_directions,
    landscape_scene,
    loss_on_plane,
    pca_directions,
    project_trajectory,
    record_trajectory,
)
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
    loss_per_row,
    parameter_gradients,
    predict,
    predict_proba,
    relu,
    sigmoid,
)
from .optimizers import OPTIMIZER_LABELS, OPTIMIZERS, get_step_function
from .surfaces import SURFACES, get_surface
from .training import DIVERGENCE_LOSS, diverged, steps_per_epoch, train

__all__ = [
    "CLASS_NAMES", "SCALINGS", "Dataset", "FeatureScaling", "Split", "load_cancer", "split_and_scale",
    "divergence_clause", "divergence_message", "loss_exploded", "past_ceiling",
    "classify_outcome", "run_descent",
    "TrainingMonitor", "dead_relu_fraction", "gradient_norms",
    "GradientCheck", "gradient_check", "numeric_gradient", "relative_error",
    "filter_normalized_directions", "landscape_scene", "loss_on_plane", "pca_directions", "project_trajectory",
    "record_trajectory",
    "GRADIENT_NAMES", "PARAM_NAMES", "backward", "d_relu", "d_sigmoid", "forward", "init_params", "loss",
    "loss_from_logits", "loss_per_row", "parameter_gradients", "predict", "predict_proba", "relu", "sigmoid",
    "OPTIMIZER_LABELS", "OPTIMIZERS", "get_step_function",
    "SURFACES", "get_surface",
    "DIVERGENCE_LOSS", "diverged", "steps_per_epoch", "train",
]
