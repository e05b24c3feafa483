"""The computation graph's local rules as a learner reads them, line by line, on the hand-checkable example of
tests/test_golden_text.py (2 features, 2 hidden units, 2 samples; s2 has both units off). Every number was checked by
hand against that example; tests/test_graph_rules.py holds each rule's numbers to nn_core. A golden line fails on a
wrong factor in a gate's rule, a label that swaps unit and sample, or a sign.
"""

from __future__ import annotations

import pytest

from lessons.graph_rules import local_rule
from nn_core.chains import complete_matrices
from tests.test_golden_text import PARAMS, X, Y

# (node, sample index): (every line of its rule with that sample's numbers …, its note)
GOLDEN = {
    ('W1·X', 0): (
        'incoming from + b1: dLoss_Z1[h1,s1] = -0.938',
        '× the other input X[f1,s1] = 1',
        "= s1's share of dLoss_W1[h1,f1]: -0.938",
        'averaged over the 2 samples: (1/2)·(-0.938 + 0) = -0.469',
        'X gets dLoss_Z1 times W1 (W1ᵀ·dLoss_Z1) — the article does not compute it: X is the data, '
        'nothing updates it, so the chain stops at W1.',
        '',
    ),
    ('+ b1', 0): (
        'incoming from ReLU: dLoss_Z1[h1,s1] = -0.938',
        '→ to W1·X: the same -0.938 (copied)',
        "→ to b1: every sample's copy, dLoss_b1[h1] = (1/2)·(-0.938 + 0) = -0.469",
        '',
    ),
    ('ReLU', 0): (
        'incoming from W2·A1: dLoss_A1[:,s1]',
        'h1: Z1 = 0.1 > 0 → passes -0.938',
        'h2: Z1 = 1.93 > 0 → passes 0.313',
        'passes: h1, h2; blocked: none',
    ),
    ('W2·A1', 0): (
        'incoming from + b2: dLoss_Z2[s1] = -0.625',
        '→ to A1: × W2, e.g. h2: -0.625 × -0.5 = 0.313 = dLoss_A1[h2,s1]',
        "→ to W2: × A1, h2: -0.625 × 1.93 = -1.2 (s1's share)",
        'averaged over the 2 samples: dLoss_W2[h2] = (1/2)·(-1.2 + 0) = -0.602',
        '',
    ),
    ('σ', 0): (
        'incoming from the loss: dLoss_Yh[s1] = -2.67',
        '× slope Yh(1 − Yh) = 0.375 × 0.625 = 0.234',
        '= dLoss_Z2[s1] = -0.625',
        'Why σ and the loss together give Yh − Y: dLoss_Yh = −(Y/Yh − (1 − Y)/(1 − Yh)) = (Yh − Y)/(Yh(1 '
        '− Yh)), so the slope cancels:',
        'dLoss_Z2[s1] = Yh − Y = 0.375 − 1 = -0.625 — no division, so it stays finite even when Yh '
        'rounds to 0 or 1; the app computes it this way.',
        '',
    ),
    ('loss', 0): (
        's1: Y = 1, Yh = 0.375',
        'dLoss_Yh[s1] = −(1/0.375 − 0/0.625) = -2.67',
        'negative where Y = 1 (raising Yh lowers the loss), positive where Y = 0',
        '',
    ),
    ('X', 1): (
        '',
    ),
    ('W1', 1): (
        'dLoss_W1[h1,f1] = -0.469 (its largest entry)',
        '',
    ),
    ('W1·X', 1): (
        'incoming from + b1: dLoss_Z1[h1,s2] = 0',
        '× the other input X[f1,s2] = -2',
        "= s2's share of dLoss_W1[h1,f1]: 0",
        'averaged over the 2 samples: (1/2)·(-0.938 + 0) = -0.469',
        'X gets dLoss_Z1 times W1 (W1ᵀ·dLoss_Z1) — the article does not compute it: X is the data, '
        'nothing updates it, so the chain stops at W1.',
        '',
    ),
    ('b1', 1): (
        'dLoss_b1[h1] = -0.469 (its largest entry)',
        '',
    ),
    ('+ b1', 1): (
        'incoming from ReLU: dLoss_Z1[h1,s2] = 0',
        '→ to W1·X: the same 0 (copied)',
        "→ to b1: every sample's copy, dLoss_b1[h1] = (1/2)·(-0.938 + 0) = -0.469",
        '',
    ),
    ('ReLU', 1): (
        'incoming from W2·A1: dLoss_A1[:,s2]',
        'h1: Z1 = -3.9 ≤ 0 → blocked: 0 (was 0.862)',
        'h2: Z1 = -3.45 ≤ 0 → blocked: 0 (was -0.287)',
        'passes: none; blocked: h1, h2',
    ),
    ('W2', 1): (
        'dLoss_W2[h2] = -0.602 (its largest entry)',
        '',
    ),
    ('W2·A1', 1): (
        'incoming from + b2: dLoss_Z2[s2] = 0.574',
        '→ to A1: × W2, e.g. h2: 0.574 × -0.5 = -0.287 = dLoss_A1[h2,s2]',
        "→ to W2: × A1, h2: 0.574 × 0 = 0 (s2's share)",
        'averaged over the 2 samples: dLoss_W2[h2] = (1/2)·(-1.2 + 0) = -0.602',
        '',
    ),
    ('b2', 1): (
        'dLoss_b2 = -0.0255',
        '',
    ),
    ('+ b2', 1): (
        'incoming from σ: dLoss_Z2[s2] = 0.574',
        '→ to W2·A1: the same 0.574 (copied)',
        "→ to b2: every sample's copy, dLoss_b2 = (1/2)·(-0.625 + 0.574) = -0.0255",
        '',
    ),
    ('σ', 1): (
        'incoming from the loss: dLoss_Yh[s2] = 2.35',
        '× slope Yh(1 − Yh) = 0.574 × 0.426 = 0.244',
        '= dLoss_Z2[s2] = 0.574',
        'Why σ and the loss together give Yh − Y: dLoss_Yh = −(Y/Yh − (1 − Y)/(1 − Yh)) = (Yh − Y)/(Yh(1 '
        '− Yh)), so the slope cancels:',
        'dLoss_Z2[s2] = Yh − Y = 0.574 − 0 = 0.574 — no division, so it stays finite even when Yh rounds '
        'to 0 or 1; the app computes it this way.',
        '',
    ),
    ('Y', 1): (
        '',
    ),
    ('loss', 1): (
        's2: Y = 0, Yh = 0.574',
        'dLoss_Yh[s2] = −(0/0.574 − 1/0.426) = 2.35',
        'negative where Y = 1 (raising Yh lowers the loss), positive where Y = 0',
        '',
    ),

}


@pytest.fixture(scope="module")
def values():
    return complete_matrices({"X": X, "Y": Y, **PARAMS}, lr=0.1)


@pytest.mark.parametrize("node, sample", list(GOLDEN), ids=lambda item: str(item))
def test_each_rule_word_for_word(values, node, sample):
    rule = local_rule(values, node, sample)
    *lines, note = GOLDEN[node, sample]
    assert list(rule.lines) == lines
    assert rule.note == note
