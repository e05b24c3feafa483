"""The step-through of one forward and one backward pass, as plain data (no Streamlit, testable alone).

Each stage names the matrices the learner looks at, the article's formula and NumPy line, and what the
step adds to the chain rule. The numbers themselves always come from ``nn_core`` (``collect_matrices``),
never from a second copy of the math.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nn_core.gradcheck import GradientCheck
from nn_core.network import PARAM_NAMES, Params, backward, d_sigmoid, forward, loss
from nn_core.training import train
from viz.heatmaps import LINE_BREAK, MatrixPanel

PHASES = ("forward", "backward", "update")


@dataclass(frozen=True)
class Stage:
    """One step of the walk: ``computed`` is highlighted, ``inputs`` are drawn beside it.

    ``layout`` is the picture of the equation, left to right: matrix names and operator symbols
    ("·", "+", "=", "⊙", "σ", "→"); ``shapes`` is the same equation with shapes, e.g. "{W1} · {X} + {b1} → {Z1}".
    """

    key: str
    title: str
    phase: str
    formula: str
    numpy_line: str
    inputs: tuple[str, ...]
    computed: tuple[str, ...]
    meaning: str
    layout: tuple[str, ...]
    shapes: str
    badge: str = "computed"  # what the highlight says: computed here, or given / initialised

    @property
    def shown(self) -> tuple[str, ...]:
        """Every matrix drawn at this stage, in drawing order."""
        return tuple(item for item in self.layout if item in self.inputs or item in self.computed)


STAGES: tuple[Stage, ...] = (
    Stage("X", "The input X and the labels Y", "forward",
          r"X \in \mathbb{R}^{n_x \times m},\qquad Y \in \{0, 1\}^{1 \times m}",
          "self.X, self.Y = x, y",
          (), ("X", "Y"),
          "One column per tumour (sample), one row per feature, already standardized so every feature "
          "is on the same scale. Y is the answer the network should give: 1 = malignant, 0 = benign.",
          ("X", "Y"), "{X}, {Y}", "given"),
    Stage("W1_b1", "The first layer's parameters W1 and b1", "forward",
          r"W_1 \sim \frac{\mathcal{N}(0, 1)}{\sqrt{n_x}},\qquad b_1 = 0",
          "self.param['W1'] = np.random.randn(self.dims[1], self.dims[0]) / np.sqrt(self.dims[0])\n"
          "self.param['b1'] = np.zeros((self.dims[1], 1))",
          (), ("W1", "b1"),
          "W1 has one row per hidden unit and one column per feature: row j says how much hidden unit j "
          "listens to each feature. Small random values break the symmetry between hidden units.",
          ("W1", "b1"), "{W1}, {b1}", "initialised"),
    Stage("Z1", "Z1 = W1·X + b1", "forward",
          r"Z_1 = W_1 X + b_1",
          "Z1 = self.param['W1'].dot(self.X) + self.param['b1']",
          ("W1", "X", "b1"), ("Z1",),
          "Every hidden unit takes a weighted sum of the features of every sample; b1 is added to every "
          "column (broadcast over the samples).",
          ("W1", "·", "X", "+", "b1", "=", "Z1"), "{W1} · {X} + {b1} → {Z1}"),
    Stage("A1", "A1 = ReLU(Z1)", "forward",
          r"A_1 = \mathrm{ReLU}(Z_1) = \max(Z_1, 0)",
          "A1 = Relu(Z1)",
          ("Z1",), ("A1",),
          "Negative sums are cut to 0: those hidden units are silent for that sample, and (as the backward "
          "pass will show) no gradient flows back through them.",
          ("ReLU(", "Z1", ")", "=", "A1"), "ReLU{Z1} → {A1}"),
    Stage("W2_b2", "The output layer's parameters W2 and b2", "forward",
          r"W_2 \sim \frac{\mathcal{N}(0, 1)}{\sqrt{n_h}},\qquad b_2 = 0",
          "self.param['W2'] = np.random.randn(self.dims[2], self.dims[1]) / np.sqrt(self.dims[1])\n"
          "self.param['b2'] = np.zeros((self.dims[2], 1))",
          (), ("W2", "b2"),
          "W2 has a single row: one weight per hidden unit, how much that unit's activity pushes the "
          "answer towards 'malignant'.",
          ("W2", "b2"), "{W2}, {b2}", "initialised"),
    Stage("Z2", "Z2 = W2·A1 + b2", "forward",
          r"Z_2 = W_2 A_1 + b_2",
          "Z2 = self.param['W2'].dot(A1) + self.param['b2']",
          ("W2", "A1", "b2"), ("Z2",),
          "The output unit's weighted sum of the hidden activities: one number (a logit) per sample.",
          ("W2", "·", "A1", "+", "b2", "=", "Z2"), "{W2} · {A1} + {b2} → {Z2}"),
    Stage("Yh", "Yh = σ(Z2)", "forward",
          r"\hat{Y} = \sigma(Z_2) = \frac{1}{1 + e^{-Z_2}}",
          "A2 = Sigmoid(Z2)\nself.Yh = A2",
          ("Z2",), ("Yh",),
          "The sigmoid squashes each logit into a probability of 'malignant' between 0 and 1.",
          ("σ(", "Z2", ")", "=", "Yh"), "σ{Z2} → {Yh}"),
    Stage("Loss", "The loss: mean cross-entropy", "forward",
          r"\mathrm{Loss} = -\frac{1}{m}\sum_{i=1}^{m} "
          r"\left[ y_i \log \hat{y}_i + (1 - y_i) \log(1 - \hat{y}_i) \right]",
          "loss = (1./self.sam) * (-np.dot(self.Y, np.log(Yh).T) - np.dot(1-self.Y, np.log(1-Yh).T))",
          ("Yh", "Y"), ("Loss",),
          "One number for the whole batch: small when Yh is close to Y, large when the network is confidently "
          "wrong. Backprop asks how this number changes when every weight moves.",
          ("L(", "Yh", ",", "Y", ")", "=", "Loss"), "{Yh}, {Y} → {Loss}"),
    Stage("dLoss_Yh", "dLoss_Yh: how the loss reacts to each prediction", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial \hat{Y}} = "
          r"-\left( \frac{Y}{\hat{Y}} - \frac{1 - Y}{1 - \hat{Y}} \right)",
          "dLoss_Yh = - (np.divide(self.Y, self.Yh) - np.divide(1 - self.Y, 1 - self.Yh))",
          ("Y", "Yh"), ("dLoss_Yh",),
          "The first link of the chain, per sample (the article averages over m only at the weights). "
          "Negative where the label is 1 (raising Yh lowers the loss), positive where it is 0.",
          ("Y", ",", "Yh", "→", "dLoss_Yh"), "{Y}, {Yh} → {dLoss_Yh}"),
    Stage("dLoss_Z2", "dLoss_Z2 = dLoss_Yh · σ'(Z2)", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial Z_2} = \frac{\partial \mathrm{Loss}}{\partial \hat{Y}} \odot "
          r"\sigma'(Z_2) = \hat{Y} - Y",
          "dLoss_Z2 = dLoss_Yh * dSigmoid(self.ch['Z2'])",
          ("dLoss_Yh", "Z2"), ("dLoss_Z2",),
          "Chain rule through the sigmoid: multiply element by element by σ'(Z2) = σ(Z2)(1 − σ(Z2)). The product "
          "simplifies to Yh − Y, which stays finite even when Yh rounds to 0 or 1 — that is why the app computes "
          "it that way.",
          ("dLoss_Yh", "⊙ σ′(", "Z2", ")", "=", "dLoss_Z2"), "{dLoss_Yh} ⊙ σ'{Z2} → {dLoss_Z2}"),
    Stage("dLoss_A1", "dLoss_A1 = W2ᵀ · dLoss_Z2", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial A_1} = W_2^{\top} \frac{\partial \mathrm{Loss}}{\partial Z_2}",
          "dLoss_A1 = np.dot(self.param['W2'].T, dLoss_Z2)",
          ("W2", "dLoss_Z2"), ("dLoss_A1",),
          "The error of each sample is sent back to every hidden unit in proportion to that unit's weight "
          "in W2 — the same wires as the forward pass, travelled backwards (hence the transpose).",
          ("W2", "<sup>T</sup> ·", "dLoss_Z2", "=", "dLoss_A1"), "{W2}ᵀ · {dLoss_Z2} → {dLoss_A1}"),
    Stage("dLoss_W2", "dLoss_W2 = (1/m) dLoss_Z2 · A1ᵀ", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial W_2} = "
          r"\frac{1}{m} \frac{\partial \mathrm{Loss}}{\partial Z_2} A_1^{\top}",
          "dLoss_W2 = 1./self.ch['A1'].shape[1] * np.dot(dLoss_Z2, self.ch['A1'].T)",
          ("dLoss_Z2", "A1"), ("dLoss_W2",),
          "A weight of W2 matters as much as the activity it multiplies: each sample's error times that "
          "sample's hidden activity, averaged over the m samples.",
          ("1/m ·", "dLoss_Z2", "·", "A1", "<sup>T</sup>", "=", "dLoss_W2"), "{dLoss_Z2} · {A1}ᵀ / m → {dLoss_W2}"),
    Stage("dLoss_b2", "dLoss_b2 = mean of dLoss_Z2 over the samples", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial b_2} = "
          r"\frac{1}{m} \sum_{i=1}^{m} \frac{\partial \mathrm{Loss}}{\partial Z_2}",
          "dLoss_b2 = 1./self.ch['A1'].shape[1] * np.dot(dLoss_Z2, np.ones([dLoss_Z2.shape[1], 1]))",
          ("dLoss_Z2",), ("dLoss_b2",),
          "b2 was added to every sample's logit, so its gradient collects every sample's error: the row "
          "summed (a product with a column of ones) and divided by m.",
          ("mean over samples of", "dLoss_Z2", "=", "dLoss_b2"), "{dLoss_Z2} · 1 / m → {dLoss_b2}"),
    Stage("dLoss_Z1", "dLoss_Z1 = dLoss_A1 ⊙ ReLU'(Z1)", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial Z_1} = \frac{\partial \mathrm{Loss}}{\partial A_1} \odot "
          r"\mathrm{ReLU}'(Z_1)",
          "dLoss_Z1 = dLoss_A1 * dRelu(self.ch['Z1'])",
          ("dLoss_A1", "Z1"), ("dLoss_Z1",),
          "Chain rule through the ReLU: the gradient passes where Z1 > 0 and is blocked (0) where the unit "
          "was silent in the forward pass.",
          ("dLoss_A1", "⊙ ReLU′(", "Z1", ")", "=", "dLoss_Z1"), "{dLoss_A1} ⊙ ReLU'{Z1} → {dLoss_Z1}"),
    Stage("dLoss_W1", "dLoss_W1 = (1/m) dLoss_Z1 · Xᵀ", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial W_1} = "
          r"\frac{1}{m} \frac{\partial \mathrm{Loss}}{\partial Z_1} X^{\top}",
          "dLoss_W1 = 1./self.X.shape[1] * np.dot(dLoss_Z1, self.X.T)",
          ("dLoss_Z1", "X"), ("dLoss_W1",),
          "The end of the chain: loss → Yh → Z2 → A1 → Z1 → W1. Each weight's gradient is the hidden unit's "
          "error times the feature it multiplies, averaged over the samples.",
          ("1/m ·", "dLoss_Z1", "·", "X", "<sup>T</sup>", "=", "dLoss_W1"), "{dLoss_Z1} · {X}ᵀ / m → {dLoss_W1}"),
    Stage("dLoss_b1", "dLoss_b1 = mean of dLoss_Z1 over the samples", "backward",
          r"\frac{\partial \mathrm{Loss}}{\partial b_1} = "
          r"\frac{1}{m} \sum_{i=1}^{m} \frac{\partial \mathrm{Loss}}{\partial Z_1}",
          "dLoss_b1 = 1./self.X.shape[1] * np.dot(dLoss_Z1, np.ones([dLoss_Z1.shape[1], 1]))",
          ("dLoss_Z1",), ("dLoss_b1",),
          "Like b2: each hidden unit's bias collects that unit's error from every sample, averaged over m.",
          ("mean over samples of", "dLoss_Z1", "=", "dLoss_b1"), "{dLoss_Z1} · 1 / m → {dLoss_b1}"),
    Stage("update", "The update: W ← W − lr·dLoss_W for all four", "update",
          r"\begin{aligned} W_1 &\leftarrow W_1 - \eta\, \frac{\partial \mathrm{Loss}}{\partial W_1} &\quad "
          r"b_1 &\leftarrow b_1 - \eta\, \frac{\partial \mathrm{Loss}}{\partial b_1} \\ "
          r"W_2 &\leftarrow W_2 - \eta\, \frac{\partial \mathrm{Loss}}{\partial W_2} &\quad "
          r"b_2 &\leftarrow b_2 - \eta\, \frac{\partial \mathrm{Loss}}{\partial b_2} \end{aligned}",
          "self.param['W1'] = self.param['W1'] - self.lr * dLoss_W1\n"
          "self.param['b1'] = self.param['b1'] - self.lr * dLoss_b1\n"
          "self.param['W2'] = self.param['W2'] - self.lr * dLoss_W2\n"
          "self.param['b2'] = self.param['b2'] - self.lr * dLoss_b2",
          ("W1", "dLoss_W1", "b1", "dLoss_b1", "W2", "dLoss_W2", "b2", "dLoss_b2", "Loss"),
          ("new W1", "new b1", "new W2", "new b2", "new Loss"),
          "Every parameter takes a small step against its gradient (η is the learning rate). Run the "
          "forward pass again with the new parameters and the loss is lower — that is learning.",
          ("W1", "− η ·", "dLoss_W1", "=", "new W1", "\n",
           "b1", "− η ·", "dLoss_b1", "=", "new b1", "\n",
           "W2", "− η ·", "dLoss_W2", "=", "new W2", "\n",
           "b2", "− η ·", "dLoss_b2", "=", "new b2", "\n",
           "loss before:", "Loss", "loss after the step:", "new Loss"),
          "{W1} − η·{dLoss_W1} → {new W1};  {b1} − η·{dLoss_b1} → {new b1};  "
          "{W2} − η·{dLoss_W2} → {new W2};  {b2} − η·{dLoss_b2} → {new b2}"),
)

STAGE_KEYS: tuple[str, ...] = tuple(stage.key for stage in STAGES)
STAGES_BY_KEY: dict[str, Stage] = {stage.key: stage for stage in STAGES}

# What the rows and the columns of every matrix are (the heatmaps' axis titles).
SAMPLES, FEATURES, HIDDEN, OUTPUT, ONE = "samples", "features", "hidden units", "output", "(one column)"
MATRIX_AXES: dict[str, tuple[str, str]] = {
    "X": (FEATURES, SAMPLES), "Y": (OUTPUT, SAMPLES),
    "W1": (HIDDEN, FEATURES), "b1": (HIDDEN, ONE), "W2": (OUTPUT, HIDDEN), "b2": (OUTPUT, ONE),
    "Z1": (HIDDEN, SAMPLES), "A1": (HIDDEN, SAMPLES), "Z2": (OUTPUT, SAMPLES), "Yh": (OUTPUT, SAMPLES),
    "Loss": (OUTPUT, ONE),
    "dLoss_Yh": (OUTPUT, SAMPLES), "dLoss_Z2": (OUTPUT, SAMPLES), "dLoss_A1": (HIDDEN, SAMPLES),
    "dLoss_W2": (OUTPUT, HIDDEN), "dLoss_b2": (OUTPUT, ONE), "dLoss_Z1": (HIDDEN, SAMPLES),
    "dLoss_W1": (HIDDEN, FEATURES), "dLoss_b1": (HIDDEN, ONE), "dLoss_A0": (FEATURES, SAMPLES),
    "new W1": (HIDDEN, FEATURES), "new b1": (HIDDEN, ONE), "new W2": (OUTPUT, HIDDEN), "new b2": (OUTPUT, ONE),
    "new Loss": (OUTPUT, ONE),
}
AXIS_PREFIX = {SAMPLES: "s", FEATURES: "f", HIDDEN: "h", OUTPUT: "y", ONE: ""}

# Pass / fail of the gradient check, on the norm-based relative error. The forward difference is only
# first-order accurate (its error grows like h), so it gets the looser bound.
GRADCHECK_TOLERANCE: dict[str, float] = {"forward": 1e-2, "central": 1e-4}


def stage_index(key: str) -> int:
    return STAGE_KEYS.index(key)


def axis_labels(axis: str, size: int) -> list[str]:
    """Short tick labels for one axis: s1…sm, f1…fn, h1…hn; a single column is labelled by its role."""
    prefix = AXIS_PREFIX[axis]
    if axis == ONE:
        return ["·"] * size if size == 1 else [str(i + 1) for i in range(size)]
    if axis == OUTPUT and size == 1:
        return ["y"]
    return [f"{prefix}{i + 1}" for i in range(size)]


def collect_matrices(params: Params, X: np.ndarray, Y: np.ndarray, lr: float) -> dict[str, np.ndarray]:
    """Every matrix of one forward + backward + update, straight from nn_core, by the article's names.

    ``Loss`` and ``new Loss`` are 1×1 so they can be drawn like the rest; ``new *`` are the parameters
    after one gradient-descent step (nn_core.train with one iteration, i.e. the article's update).
    """
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    updated, _ = train(params, X, Y, lr=lr, iterations=1)
    new_loss = loss(forward(updated, X), Y)
    matrices = {"X": X, "Y": Y, **params, **cache, "Loss": np.array([[loss(cache, Y)]]), **grads}
    matrices.update({f"new {name}": updated[name] for name in PARAM_NAMES})
    matrices["new Loss"] = np.array([[new_loss]])
    return matrices


def sigmoid_chain_at_z2(matrices: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The article's chain at dLoss_Z2, factor by factor, next to the stable form Yh − Y.

    Both sides come from nn_core's own pieces (backward's dLoss_Yh, d_sigmoid, forward's Yh).
    """
    article = matrices["dLoss_Yh"] * d_sigmoid(matrices["Z2"])
    stable = matrices["Yh"] - matrices["Y"]
    return {"dLoss_Yh": matrices["dLoss_Yh"], "dSigmoid(Z2)": d_sigmoid(matrices["Z2"]),
            "dLoss_Yh ⊙ dSigmoid(Z2)": article, "Yh − Y": stable}


def shapes_text(stage: Stage, matrices: Mapping[str, np.ndarray]) -> str:
    """The stage's equation in shapes, e.g. "(4, 3) · (3, 6) + (4, 1) → (4, 6)"."""
    names = sorted({name for name in MATRIX_AXES if "{" + name + "}" in stage.shapes}, key=len, reverse=True)
    text = stage.shapes
    for name in names:
        text = text.replace("{" + name + "}", str(tuple(np.shape(matrices[name]))))
    return text


def gradient_check_passes(check: GradientCheck, method: str) -> bool:
    """True when back-propagation and the numeric derivative agree within the method's tolerance."""
    return bool(np.isfinite(check.relative_error) and check.relative_error < GRADCHECK_TOLERANCE[method])


def choose_samples(Y: np.ndarray, m: int, seed: int) -> np.ndarray:
    """m sample indices with both classes present (when m ≥ 2), reproducible from the seed."""
    rng = np.random.default_rng(seed)
    labels = Y.ravel()
    positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    n_pos = int(np.clip(round(m * positives.size / labels.size), 1 if m >= 2 else 0, m - 1 if m >= 2 else m))
    chosen = np.concatenate([rng.choice(positives, n_pos, replace=False),
                             rng.choice(negatives, m - n_pos, replace=False)])
    return rng.permutation(chosen)


def stage_neighbours(key: str, keys: Sequence[str] = STAGE_KEYS) -> tuple[str | None, str | None]:
    """(previous, next) stage keys, None at the ends."""
    i = list(keys).index(key)
    return (keys[i - 1] if i > 0 else None, keys[i + 1] if i + 1 < len(keys) else None)


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


def gradient_check_items(checks: Mapping[str, GradientCheck], method: str,
                         feature_names: Sequence[str]) -> list[MatrixPanel | str]:
    """Per parameter, one line: back-propagation's gradient, the numeric one, and their difference
    drawn on the gradient's own colour scale (so a negligible difference looks white)."""
    items: list[MatrixPanel | str] = []
    for name in PARAM_NAMES:
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
