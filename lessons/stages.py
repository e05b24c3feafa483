"""The step-through's lesson content: one table of stages (no Streamlit, no numbers).

Each stage names the matrices the learner looks at, the article's formula and NumPy line, and what the
step adds to the chain rule. The numbers come from ``lessons.step_through`` (straight from nn_core); the
pictures from ``lessons.stage_panels``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


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
    Stage(key="X", title="The input X and the labels Y", phase="forward",
          formula=r"X \in \mathbb{R}^{n_x \times m},\qquad Y \in \{0, 1\}^{1 \times m}",
          numpy_line="self.X, self.Y = x, y",
          inputs=(), computed=("X", "Y"),
          meaning="One column per tumour (sample), one row per feature, already standardized so every feature "
          "is on the same scale. Y is the answer the network should give: 1 = malignant, 0 = benign.",
          layout=("X", "Y"), shapes="{X}, {Y}", badge="given"),
    Stage(key="W1_b1", title="The first layer's parameters W1 and b1", phase="forward",
          formula=r"W_1 \sim \frac{\mathcal{N}(0, 1)}{\sqrt{n_x}},\qquad b_1 = 0",
          numpy_line="self.param['W1'] = np.random.randn(self.dims[1], self.dims[0]) / np.sqrt(self.dims[0])\n"
          "self.param['b1'] = np.zeros((self.dims[1], 1))",
          inputs=(), computed=("W1", "b1"),
          meaning="W1 has one row per hidden unit and one column per feature: row j says how much hidden unit j "
          "listens to each feature. Small random values break the symmetry between hidden units.",
          layout=("W1", "b1"), shapes="{W1}, {b1}", badge="initialised"),
    Stage(key="Z1", title="Z1 = W1·X + b1", phase="forward",
          formula=r"Z_1 = W_1 X + b_1",
          numpy_line="Z1 = self.param['W1'].dot(self.X) + self.param['b1']",
          inputs=("W1", "X", "b1"), computed=("Z1",),
          meaning="Every hidden unit takes a weighted sum of the features of every sample; b1 is added to every "
          "column (broadcast over the samples).",
          layout=("W1", "·", "X", "+", "b1", "=", "Z1"), shapes="{W1} · {X} + {b1} → {Z1}"),
    Stage(key="A1", title="A1 = ReLU(Z1)", phase="forward",
          formula=r"A_1 = \mathrm{ReLU}(Z_1) = \max(Z_1, 0)",
          numpy_line="A1 = Relu(Z1)",
          inputs=("Z1",), computed=("A1",),
          meaning="Negative sums are cut to 0: those hidden units are silent for that sample, and (as the backward "
          "pass will show) no gradient flows back through them.",
          layout=("ReLU(", "Z1", ")", "=", "A1"), shapes="ReLU{Z1} → {A1}"),
    Stage(key="W2_b2", title="The output layer's parameters W2 and b2", phase="forward",
          formula=r"W_2 \sim \frac{\mathcal{N}(0, 1)}{\sqrt{n_h}},\qquad b_2 = 0",
          numpy_line="self.param['W2'] = np.random.randn(self.dims[2], self.dims[1]) / np.sqrt(self.dims[1])\n"
          "self.param['b2'] = np.zeros((self.dims[2], 1))",
          inputs=(), computed=("W2", "b2"),
          meaning="W2 has a single row: one weight per hidden unit, how much that unit's activity pushes the "
          "answer towards 'malignant'.",
          layout=("W2", "b2"), shapes="{W2}, {b2}", badge="initialised"),
    Stage(key="Z2", title="Z2 = W2·A1 + b2", phase="forward",
          formula=r"Z_2 = W_2 A_1 + b_2",
          numpy_line="Z2 = self.param['W2'].dot(A1) + self.param['b2']",
          inputs=("W2", "A1", "b2"), computed=("Z2",),
          meaning="The output unit's weighted sum of the hidden activities: one number (a logit) per sample.",
          layout=("W2", "·", "A1", "+", "b2", "=", "Z2"), shapes="{W2} · {A1} + {b2} → {Z2}"),
    Stage(key="Yh", title="Yh = σ(Z2)", phase="forward",
          formula=r"\hat{Y} = \sigma(Z_2) = \frac{1}{1 + e^{-Z_2}}",
          numpy_line="A2 = Sigmoid(Z2)\nself.Yh = A2",
          inputs=("Z2",), computed=("Yh",),
          meaning="The sigmoid squashes each logit into a probability of 'malignant' between 0 and 1.",
          layout=("σ(", "Z2", ")", "=", "Yh"), shapes="σ{Z2} → {Yh}"),
    Stage(key="Loss", title="The loss: mean cross-entropy", phase="forward",
          formula=r"\mathrm{Loss} = -\frac{1}{m}\sum_{i=1}^{m} "
          r"\left[ y_i \log \hat{y}_i + (1 - y_i) \log(1 - \hat{y}_i) \right]",
          numpy_line="loss = (1./self.sam) * (-np.dot(self.Y, np.log(Yh).T) - np.dot(1-self.Y, np.log(1-Yh).T))",
          inputs=("Yh", "Y"), computed=("Loss",),
          meaning="One number for the whole batch: small when Yh is close to Y, large when the network is confidently "
          "wrong. Backprop asks how this number changes when every weight moves.",
          layout=("L(", "Yh", ",", "Y", ")", "=", "Loss"), shapes="{Yh}, {Y} → {Loss}"),
    Stage(key="dLoss_Yh", title="dLoss_Yh: how the loss reacts to each prediction", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial \hat{Y}} = "
          r"-\left( \frac{Y}{\hat{Y}} - \frac{1 - Y}{1 - \hat{Y}} \right)",
          numpy_line="dLoss_Yh = - (np.divide(self.Y, self.Yh) - np.divide(1 - self.Y, 1 - self.Yh))",
          inputs=("Y", "Yh"), computed=("dLoss_Yh",),
          meaning="The first link of the chain, per sample (the article averages over m only at the weights). "
          "Negative where the label is 1 (raising Yh lowers the loss), positive where it is 0.",
          layout=("Y", ",", "Yh", "→", "dLoss_Yh"), shapes="{Y}, {Yh} → {dLoss_Yh}"),
    Stage(key="dLoss_Z2", title="dLoss_Z2 = dLoss_Yh · σ'(Z2)", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial Z_2} = "
                  r"\frac{\partial \mathrm{Loss}}{\partial \hat{Y}} \odot "
          r"\sigma'(Z_2) = \hat{Y} - Y",
          numpy_line="dLoss_Z2 = dLoss_Yh * dSigmoid(self.ch['Z2'])",
          inputs=("dLoss_Yh", "Z2"), computed=("dLoss_Z2",),
          meaning="Chain rule through the sigmoid: multiply element by element by σ'(Z2) = σ(Z2)(1 − σ(Z2)). "
          "The product "
          "simplifies to Yh − Y, which stays finite even when Yh rounds to 0 or 1 — that is why the app computes "
          "it that way.",
          layout=("dLoss_Yh", "⊙ σ′(", "Z2", ")", "=", "dLoss_Z2"), shapes="{dLoss_Yh} ⊙ σ'{Z2} → {dLoss_Z2}"),
    Stage(key="dLoss_A1", title="dLoss_A1 = W2ᵀ · dLoss_Z2", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial A_1} = "
                  r"W_2^{\top} \frac{\partial \mathrm{Loss}}{\partial Z_2}",
          numpy_line="dLoss_A1 = np.dot(self.param['W2'].T, dLoss_Z2)",
          inputs=("W2", "dLoss_Z2"), computed=("dLoss_A1",),
          meaning="The error of each sample is sent back to every hidden unit in proportion to that unit's weight "
          "in W2 — the same wires as the forward pass, travelled backwards (hence the transpose).",
          layout=("W2", "<sup>T</sup> ·", "dLoss_Z2", "=", "dLoss_A1"), shapes="{W2}ᵀ · {dLoss_Z2} → {dLoss_A1}"),
    Stage(key="dLoss_W2", title="dLoss_W2 = (1/m) dLoss_Z2 · A1ᵀ", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial W_2} = "
          r"\frac{1}{m} \frac{\partial \mathrm{Loss}}{\partial Z_2} A_1^{\top}",
          numpy_line="dLoss_W2 = 1./self.ch['A1'].shape[1] * np.dot(dLoss_Z2, self.ch['A1'].T)",
          inputs=("dLoss_Z2", "A1"), computed=("dLoss_W2",),
          meaning="A weight of W2 matters as much as the activity it multiplies: each sample's error times that "
          "sample's hidden activity, averaged over the m samples.",
          layout=("1/m ·", "dLoss_Z2", "·", "A1", "<sup>T</sup>", "=", "dLoss_W2"),
          shapes="{dLoss_Z2} · {A1}ᵀ / m → {dLoss_W2}"),
    Stage(key="dLoss_b2", title="dLoss_b2 = mean of dLoss_Z2 over the samples", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial b_2} = "
          r"\frac{1}{m} \sum_{i=1}^{m} \frac{\partial \mathrm{Loss}}{\partial Z_2}",
          numpy_line="dLoss_b2 = 1./self.ch['A1'].shape[1] * np.dot(dLoss_Z2, np.ones([dLoss_Z2.shape[1], 1]))",
          inputs=("dLoss_Z2",), computed=("dLoss_b2",),
          meaning="b2 was added to every sample's logit, so its gradient collects every sample's error: the row "
          "summed (a product with a column of ones) and divided by m.",
          layout=("mean over samples of", "dLoss_Z2", "=", "dLoss_b2"), shapes="{dLoss_Z2} · 1 / m → {dLoss_b2}"),
    Stage(key="dLoss_Z1", title="dLoss_Z1 = dLoss_A1 ⊙ ReLU'(Z1)", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial Z_1} = \frac{\partial \mathrm{Loss}}{\partial A_1} \odot "
          r"\mathrm{ReLU}'(Z_1)",
          numpy_line="dLoss_Z1 = dLoss_A1 * dRelu(self.ch['Z1'])",
          inputs=("dLoss_A1", "Z1"), computed=("dLoss_Z1",),
          meaning="Chain rule through the ReLU: the gradient passes where Z1 > 0 and is blocked (0) where the unit "
          "was silent in the forward pass.",
          layout=("dLoss_A1", "⊙ ReLU′(", "Z1", ")", "=", "dLoss_Z1"), shapes="{dLoss_A1} ⊙ ReLU'{Z1} → {dLoss_Z1}"),
    Stage(key="dLoss_W1", title="dLoss_W1 = (1/m) dLoss_Z1 · Xᵀ", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial W_1} = "
          r"\frac{1}{m} \frac{\partial \mathrm{Loss}}{\partial Z_1} X^{\top}",
          numpy_line="dLoss_W1 = 1./self.X.shape[1] * np.dot(dLoss_Z1, self.X.T)",
          inputs=("dLoss_Z1", "X"), computed=("dLoss_W1",),
          meaning="The end of the chain: loss → Yh → Z2 → A1 → Z1 → W1. Each weight's gradient is the hidden unit's "
          "error times the feature it multiplies, averaged over the samples.",
          layout=("1/m ·", "dLoss_Z1", "·", "X", "<sup>T</sup>", "=", "dLoss_W1"),
          shapes="{dLoss_Z1} · {X}ᵀ / m → {dLoss_W1}"),
    Stage(key="dLoss_b1", title="dLoss_b1 = mean of dLoss_Z1 over the samples", phase="backward",
          formula=r"\frac{\partial \mathrm{Loss}}{\partial b_1} = "
          r"\frac{1}{m} \sum_{i=1}^{m} \frac{\partial \mathrm{Loss}}{\partial Z_1}",
          numpy_line="dLoss_b1 = 1./self.X.shape[1] * np.dot(dLoss_Z1, np.ones([dLoss_Z1.shape[1], 1]))",
          inputs=("dLoss_Z1",), computed=("dLoss_b1",),
          meaning="Like b2: each hidden unit's bias collects that unit's error from every sample, averaged over m.",
          layout=("mean over samples of", "dLoss_Z1", "=", "dLoss_b1"), shapes="{dLoss_Z1} · 1 / m → {dLoss_b1}"),
    Stage(key="update", title="The update: W ← W − lr·dLoss_W for all four", phase="update",
          formula=r"\begin{aligned} W_1 &\leftarrow W_1 - \eta\, \frac{\partial \mathrm{Loss}}{\partial W_1} &\quad "
          r"b_1 &\leftarrow b_1 - \eta\, \frac{\partial \mathrm{Loss}}{\partial b_1} \\ "
          r"W_2 &\leftarrow W_2 - \eta\, \frac{\partial \mathrm{Loss}}{\partial W_2} &\quad "
          r"b_2 &\leftarrow b_2 - \eta\, \frac{\partial \mathrm{Loss}}{\partial b_2} \end{aligned}",
          numpy_line="self.param['W1'] = self.param['W1'] - self.lr * dLoss_W1\n"
          "self.param['b1'] = self.param['b1'] - self.lr * dLoss_b1\n"
          "self.param['W2'] = self.param['W2'] - self.lr * dLoss_W2\n"
          "self.param['b2'] = self.param['b2'] - self.lr * dLoss_b2",
          inputs=("W1", "dLoss_W1", "b1", "dLoss_b1", "W2", "dLoss_W2", "b2", "dLoss_b2", "Loss"),
          computed=("new W1", "new b1", "new W2", "new b2", "new Loss"),
          meaning="Every parameter takes a small step against its gradient (η is the learning rate). Run the "
          "forward pass again with the new parameters and the loss is lower — that is learning.",
          layout=("W1", "− η ·", "dLoss_W1", "=", "new W1", "\n",
           "b1", "− η ·", "dLoss_b1", "=", "new b1", "\n",
           "W2", "− η ·", "dLoss_W2", "=", "new W2", "\n",
           "b2", "− η ·", "dLoss_b2", "=", "new b2", "\n",
           "loss before:", "Loss", "loss after the step:", "new Loss"),
          shapes="{W1} − η·{dLoss_W1} → {new W1};  {b1} − η·{dLoss_b1} → {new b1};  "
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


def stage_index(key: str) -> int:
    return STAGE_KEYS.index(key)


def stage_neighbours(key: str, keys: Sequence[str] = STAGE_KEYS) -> tuple[str | None, str | None]:
    """(previous, next) stage keys, None at the ends."""
    i = list(keys).index(key)
    return (keys[i - 1] if i > 0 else None, keys[i + 1] if i + 1 < len(keys) else None)


def axis_labels(axis: str, size: int) -> list[str]:
    """Short tick labels for one axis: s1…sm, f1…fn, h1…hn; a single column is labelled by its role."""
    prefix = AXIS_PREFIX[axis]
    if axis == ONE:
        return ["·"] * size if size == 1 else [str(i + 1) for i in range(size)]
    if axis == OUTPUT and size == 1:
        return ["y"]
    return [f"{prefix}{i + 1}" for i in range(size)]


def shapes_text(stage: Stage, matrices: Mapping[str, np.ndarray]) -> str:
    """The stage's equation in shapes, e.g. "(4, 3) · (3, 6) + (4, 1) → (4, 6)"."""
    names = sorted({name for name in MATRIX_AXES if "{" + name + "}" in stage.shapes}, key=len, reverse=True)
    text = stage.shapes
    for name in names:
        text = text.replace("{" + name + "}", str(tuple(np.shape(matrices[name]))))
    return text
