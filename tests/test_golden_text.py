"""Golden text: what a learner reads, written out literally. The other tests derive their expectations from
the code they check; these fail when a sign, an index or a number in a rendered chain or a stage changes."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.stages import STAGES_BY_KEY
from nn_core.chains import chain_for_cell, complete_matrices, render_chain

# A 2-feature, 2-unit, 2-sample example small enough to check by hand:
# Z1[h1,s2] = 0.5·(−2) + (−1)·3 + 0.1 = −3.9;  Z1[h2,s2] = 2·(−2) + 0.25·3 − 0.2 = −3.45 (unit off).
X = np.array([[1.0, -2.0], [0.5, 3.0]])
Y = np.array([[1.0, 0.0]])
PARAMS = {"W1": np.array([[0.5, -1.0], [2.0, 0.25]]), "b1": np.array([[0.1], [-0.2]]),
          "W2": np.array([[1.5, -0.5]]), "b2": np.array([[0.3]])}


@pytest.fixture(scope="module")
def values():
    return complete_matrices({"X": X, "Y": Y, **PARAMS}, lr=0.1)


def test_a_forward_cell(values):
    assert render_chain(chain_for_cell("Z1", (0, 1), values)) == [
        "Z1[h1,s2] = Σ_f W1[h1,f]·X[f,s2] + b1[h1]",
        "  f1: W1[h1,f1] · X[f1,s2] = 0.5 · (−2) = −1",
        "  f2: W1[h1,f2] · X[f2,s2] = (−1) · 3 = −3",
        "  + b1[h1] = 0.1",
        "  = (−1) + (−3) + 0.1 = −3.9",
    ]


def test_the_stable_output_gradient(values):
    assert render_chain(chain_for_cell("dLoss_Z2", (0, 1), values)) == [
        "dLoss_Z2[s2] = Yh[s2] − Y[s2]  (= dLoss_Yh·σ′(Z2), σ′ = 0.244)",
        "  Yh[s2] = 0.574",
        "  −Y[s2] = 0",
        "  = 0.574 + 0 = 0.574",
    ]


def test_a_weight_gradient_with_a_vanished_term(values):
    assert render_chain(chain_for_cell("dLoss_W1", (1, 0), values))[:7] == [
        "dLoss_W1[h2,f1] = (1/m) Σ_s dLoss_Z1[h2,s]·X[f1,s]",
        "  s1: dLoss_Z1[h2,s1] · X[f1,s1] = 0.313 · 1 = 0.313",
        "  s2: dLoss_Z1[h2,s2] · X[f1,s2] = 0 · (−2) = 0   ✗ vanishes: ReLU off (Z1 ≤ 0)",
        "  = (1/2)·0.313 = 0.156   (1 of 2 terms vanish: ReLU off)",
        "  where",
        "    dLoss_Z1[h2,s1] = dLoss_A1[h2,s1]·ReLU′(Z1[h2,s1])",
        "      = 0.313 · 1 = 0.313",
    ]


def test_an_update(values):
    assert render_chain(chain_for_cell("new W2", (0, 1), values, lr=0.1))[:4] == [
        "new W2[h2] = W2[h2] − η·dLoss_W2[h2]",
        "  before: W2[h2] = −0.5",
        "  step: −η · dLoss_W2[h2] = (−0.1) · (−0.602) = 0.0602",
        "  = (−0.5) + 0.0602 = −0.44",
    ]


@pytest.mark.parametrize(("key", "formula", "numpy_line"), [
    ("Z1", r"Z_1 = W_1 X + b_1", "Z1 = self.param['W1'].dot(self.X) + self.param['b1']"),
    ("dLoss_Z2", r"\frac{\partial \mathrm{Loss}}{\partial Z_2} = \frac{\partial \mathrm{Loss}}{\partial \hat{Y}} "
                 r"\odot \sigma'(Z_2) = \hat{Y} - Y", "dLoss_Z2 = dLoss_Yh * dSigmoid(self.ch['Z2'])"),
    ("dLoss_A1", r"\frac{\partial \mathrm{Loss}}{\partial A_1} = W_2^{\top} "
                 r"\frac{\partial \mathrm{Loss}}{\partial Z_2}",
     "dLoss_A1 = np.dot(self.param['W2'].T, dLoss_Z2)"),
    ("dLoss_W1", r"\frac{\partial \mathrm{Loss}}{\partial W_1} = \frac{1}{m} "
                 r"\frac{\partial \mathrm{Loss}}{\partial Z_1} X^{\top}",
     "dLoss_W1 = 1./self.X.shape[1] * np.dot(dLoss_Z1, self.X.T)"),
    ("dLoss_Yh", r"\frac{\partial \mathrm{Loss}}{\partial \hat{Y}} = -\left( \frac{Y}{\hat{Y}} - "
                 r"\frac{1 - Y}{1 - \hat{Y}} \right)",
     "dLoss_Yh = - (np.divide(self.Y, self.Yh) - np.divide(1 - self.Y, 1 - self.Yh))"),
])
def test_stage_formulas_and_the_articles_lines(key, formula, numpy_line):
    stage = STAGES_BY_KEY[key]
    assert (stage.formula, stage.numpy_line) == (formula, numpy_line)

