"""What a learner reads in the guided lesson, word for word, on the forward & backward page's default example.

Every number below was checked against a plain-NumPy recomputation of the example (no nn_core); the computed tests
in tests/test_guided_lesson.py hold the answers and the key numbers to nn_core independently of these texts. A
golden text fails on any change — a sign, an index, "after 10" for after 11, a word — so an intended change is
made here too, after checking its numbers again.
"""

from __future__ import annotations

import pytest

from lessons import guided_lesson as lesson
from lessons.guided_lesson import STEPS
from lessons.step_through import collect_matrices
from nn_core.network import init_params
from streamlit_glue.cached import small_example

# step key: (the question, the reveal's why)
GOLDEN = {
    'warm_up': (
        'f(x) = x². Nudge x = 3 by h = 1: what is (f(x + h) − f(x)) / h?',
        "(f(4) − f(3)) / 1 = (16 − 9) / 1 = 7. That is the secant's slope; the tangent's is f′(x) = 2x = 6. "
        "For x² the secant's slope is exactly 2x + h, so as h shrinks it tends to 6: the derivative. "
        'Back-propagation gets these slopes exactly, for every weight at once.',
    ),
    'z1': (
        'W1 is (4, 3) and X is (3, 5). What shape is Z1 = W1·X + b1?',
        'Z1 is (4, 5): one row per hidden unit (4), one column per tumour (5) — the inner size 3 (the '
        'features) is summed away. One entry: Z1[h1, s1] = (0.938)·(0.249) + (-0.353)·(-0.547) + '
        '(-0.305)·(-0.439) + 0 = 0.561. Then A1 = ReLU(Z1) cuts the negative sums to 0: 8 of the 20 entries '
        'of A1 are 0 — those units are silent for those tumours.',
    ),
    'yh': (
        'For tumour s3, Z2 = -1.423. What probability Yh = σ(Z2) = 1 / (1 + e^(−Z2)) does the network give '
        'it? (No calculator needed: e^(1.423) = 4.15.)',
        'σ(-1.423) = 1 / (1 + e^(1.423)) = 1 / (1 + 4.15) = 1 / 5.15 = 0.1942. The tumour is benign (Y = 0): '
        'the untrained network leans the right way, but with random weights that is luck, not knowledge. All '
        '5: Yh = 0.525, 0.266, 0.194, 0.645, 0.454.',
    ),
    'loss': (
        'Which tumour adds the most to the loss?',
        "Each tumour's cross-entropy −[y·log Yh + (1 − y)·log(1 − Yh)]: s1: 0.744, s2: 0.309, s3: 0.216, s4: "
        '0.439, s5: 0.789. s5 is malignant (Y = 1) with Yh = 0.454 — the furthest from its label. The loss is '
        'their mean, 0.4993.',
    ),
    'dloss_yh': (
        'Tumour s4 is malignant (Y = 1). What sign does dLoss_Yh have for it?',
        'dLoss_Yh = −(Y/Yh − (1 − Y)/(1 − Yh)) = −(1/0.645 − 0/0.355) = -1.55: negative. Raising Yh towards '
        'the label 1 lowers the loss, so the loss falls as Yh rises — a negative slope. For a benign tumour '
        'it is the other way round.',
    ),
    'dloss_z2': (
        'Tumour s5: Yh = 0.4544 and Y = 1. What is dLoss_Z2 for it?',
        'The chain rule through the sigmoid: dLoss_Yh · σ′(Z2) = -2.201 × 0.2479 = -0.5456, and that product '
        'simplifies to Yh − Y = 0.4544 − 1 = -0.5456. Yh − Y never divides by Yh or 1 − Yh, so it stays '
        'finite when the sigmoid saturates: the app (and nn_core) computes it that way.',
    ),
    'dloss_w2': (
        'dLoss_Z2 = [0.5247, 0.2659, 0.1942, -0.3552, -0.5456]. dLoss_b2 is their mean over the tumours: what '
        'is it?',
        "dLoss_b2 = (0.5247 + 0.2659 + 0.1942 − 0.3552 − 0.5456) / 5 = 0.01679: b2 is added to every tumour's "
        "Z2, so it collects every tumour's error. dLoss_W2 weighs the same errors by what each hidden unit "
        'sent: dLoss_W2[h2] = ((0.525)·(0.156) + (0.266)·(2.32) + (0.194)·(2.25) + (-0.355)·(0) + '
        '(-0.546)·(0)) / 5 = 0.2272.',
    ),
    'dloss_a1': (
        "W2[h3] = 0.567 and tumour s5's dLoss_Z2 = -0.546. What sign does dLoss_A1[h3, s5] = W2ᵀ·dLoss_Z2 "
        'have?',
        "dLoss_A1[h3, s5] = 0.567 × -0.546 = -0.309: negative. The output's error flows back along the weight "
        'it came through. But h3 was silent for s5 (Z1[h3, s5] = -0.49 ≤ 0, so A1[h3, s5] = 0): it sent '
        'nothing to the output. dLoss_A1 says how the loss would change if it did send something — at the '
        'ReLU (the next step) the gate is closed, and this gradient stops there.',
    ),
    'dloss_z1': (
        'For tumour s5, which hidden units pass NO gradient back (dLoss_Z1 = 0)? Its Z1 column is h1: -0.66, '
        'h2: -0.116, h3: -0.49, h4: 0.333. (Pick none if every unit passes.)',
        'ReLU′(Z1) is 1 where Z1 > 0 and 0 elsewhere, so dLoss_Z1 = dLoss_A1 ⊙ ReLU′(Z1) is 0 exactly where '
        'the unit was silent in the forward pass: h1, h2, h3 for s5. Its dLoss_Z1 column: h1: 0, h2: 0, h3: '
        '0, h4: 0.3. A closed gate blocks the whole chain below it — those W1 rows learn nothing from this '
        'tumour.',
    ),
    'dloss_w1': (
        'dLoss_W1[h4, f2] is the largest gradient of W1. In the update W1 ← W1 − η·dLoss_W1 (η = 0.5), will '
        'W1[h4, f2] go up or down?',
        'dLoss_W1[h4, f2] = mean over tumours of dLoss_Z1 × the feature = ((-0.289)·(-0.547) + '
        '(-0.146)·(-1.13) + (-0.107)·(-0.215) + (0)·(0.302) + (0.3)·(1.18)) / 5 = 0.1399. The update moves '
        'against the gradient: 0.8441 − 0.5 × 0.1399 = 0.7742, so it goes down. dLoss_b1 is the same mean '
        'without the feature: [-0.0117, -0.0378, 0.0192, -0.0483].',
    ),
    'update': (
        'All four parameters take one step W ← W − η·dLoss_W with η = 0.5. Run the forward pass again: will '
        'the loss go up or down?',
        'The loss goes from 0.49927 to 0.44474: down by 0.0545. Each gradient says which way is uphill for '
        'its parameter; a small enough step against all of them lowers the loss — that is learning. Too large '
        'an η overshoots the valley and the loss rises.',
    ),
    'many_updates': (
        'Repeat forward → backward → update 100 times (η = 0.5) on these 5 tumours. Where will the loss end?',
        'It falls from 0.4993 to 0.004848 after 100 updates (below 0.01); after 10 updates 0.2289; after 50 '
        'updates 0.01609. With only 5 tumours the network can fit them almost perfectly — which says nothing '
        'yet about tumours it has never seen.',
    ),
}


@pytest.fixture(scope="module")
def inputs():
    X, Y, _ = small_example(lesson.EXAMPLE_FEATURES, lesson.EXAMPLE_M, lesson.EXAMPLE_SEED)
    params = init_params(len(lesson.EXAMPLE_FEATURES), lesson.EXAMPLE_HIDDEN, seed=lesson.EXAMPLE_SEED)
    return {"warm_up": None, "example": collect_matrices(params, X, Y, lesson.EXAMPLE_LR),
            "updates": lesson.many_updates(params, X, Y)}


@pytest.mark.parametrize("step", [step for step in STEPS if step.key in GOLDEN], ids=lambda step: step.key)
def test_the_question_and_the_reveal_word_for_word(step, inputs):
    prediction = step.predict(inputs[step.needs])
    prompt, why = GOLDEN[step.key]
    assert prediction.prompt == prompt
    assert prediction.why == why


def test_every_example_step_has_its_golden_text():
    assert set(GOLDEN) == {step.key for step in STEPS if step.needs in ("warm_up", "example", "updates")}
