"""Check-yourself questions drawn from the numbers on screen, one per stage of the forward & backward walk.

Each question is answered from the current matrices (the shape about to be computed, the sign of a cell,
which hidden unit passes no gradient back and why), so the answer and its one-line reason are always the
truth for this example, never a canned text. Deterministic for a given ``rng_seed``: a rerun of the page
asks the same question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from nn_core.chains import cell_label, chain_for_cell, render_chain, short_number
from nn_core.network import Params

# The matrix each stage computes (or introduces), by ui.stages' stage keys.
STAGE_MATRIX: dict[str, str] = {
    "X": "X", "W1_b1": "W1", "Z1": "Z1", "A1": "A1", "W2_b2": "W2", "Z2": "Z2", "Yh": "Yh", "Loss": "Loss",
    "dLoss_Yh": "dLoss_Yh", "dLoss_Z2": "dLoss_Z2", "dLoss_A1": "dLoss_A1", "dLoss_W2": "dLoss_W2",
    "dLoss_b2": "dLoss_b2", "dLoss_Z1": "dLoss_Z1", "dLoss_W1": "dLoss_W1", "dLoss_b1": "dLoss_b1",
    "update": "new W1",
}
# What each stage asks. "shape": the shape of the stage's matrix; "sign": the sign of one of its cells;
# "dead_unit": which hidden unit is cut by its ReLU for a sample; then one question per special stage.
STAGE_KIND: dict[str, str] = {
    "X": "shape", "W1_b1": "shape", "Z1": "shape", "A1": "dead_unit", "W2_b2": "shape", "Z2": "shape",
    "Yh": "prediction", "Loss": "worst_sample", "dLoss_Yh": "sign", "dLoss_Z2": "sign", "dLoss_A1": "shape",
    "dLoss_W2": "sign", "dLoss_b2": "sign", "dLoss_Z1": "dead_unit", "dLoss_W1": "shape", "dLoss_b1": "sign",
    "update": "update_direction",
}
SIGNS = ("positive", "negative", "zero")


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: ``answer`` is one of ``options``; ``cell`` is the (matrix, cell) it is about."""

    prompt: str
    options: tuple[str, ...]
    answer: str
    reason: str
    kind: str
    cell: tuple[str, tuple[int, int]] | None = None


def _shape_text(shape: tuple[int, ...]) -> str:
    return f"({shape[0]}, {shape[1]})"


def _sign(value: float) -> str:
    return "zero" if value == 0 else "positive" if value > 0 else "negative"


def question_for_stage(stage_name: str, cache: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
                       params: Params, X: np.ndarray, Y: np.ndarray, rng_seed: int, lr: float = 0.5) -> Question:
    """The stage's question, its numbers taken from this forward (``cache``) and backward (``grads``) pass.

    Falls back to the shape question when the stage's own kind has no answer here (e.g. no hidden unit is
    off for any sample, so "which unit is cut?" would have none).
    """
    if stage_name not in STAGE_KIND:
        raise KeyError(f"unknown stage {stage_name!r}")
    # the stage is mixed into the seed: otherwise every shape question would put its answer in the same place
    rng = np.random.default_rng([int(rng_seed), list(STAGE_KIND).index(stage_name)])
    values = {"X": X, "Y": Y, **params, **cache, **grads}
    kind = STAGE_KIND[stage_name]
    question = _BUILDERS[kind](stage_name, values, rng, lr)
    return question if question is not None else _shape(stage_name, values, rng, lr)


def _shuffled(rng: np.random.Generator, answer: str, distractors: list[str], size: int = 4) -> tuple[str, ...]:
    unique = [d for d in dict.fromkeys(distractors) if d != answer][:size - 1]
    options = [answer, *unique]
    return tuple(options[i] for i in rng.permutation(len(options)))


def _shape(stage, values, rng, lr) -> Question:
    matrix = STAGE_MATRIX[stage]
    n_x, m = values["X"].shape
    n_h = values["W1"].shape[0]
    shape = np.shape(values[matrix.removeprefix("new ")] if matrix != "Loss" else np.zeros((1, 1)))
    answer = _shape_text(shape)
    pool = [(shape[1], shape[0]), (n_h, n_x), (n_x, n_h), (n_h, m), (m, n_h), (1, m), (m, 1), (n_h, 1), (1, n_h),
            (n_x, m), (m, n_x)]
    distractors = [_shape_text(s) for s in pool]
    why = {
        "X": f"one row per feature ({n_x}), one column per sample ({m})",
        "W1": f"one row per hidden unit ({n_h}), one column per feature ({n_x})",
        "Z1": f"W1 ({n_h}×{n_x}) · X ({n_x}×{m}) gives {n_h}×{m}; b1 ({n_h}×1) is added to every column",
        "W2": f"a single output row, one column per hidden unit ({n_h})",
        "Z2": f"W2 (1×{n_h}) · A1 ({n_h}×{m}) gives 1×{m}: one logit per sample",
        "dLoss_A1": f"W2ᵀ ({n_h}×1) · dLoss_Z2 (1×{m}) gives {n_h}×{m}, the shape of A1",
        "dLoss_W1": f"dLoss_Z1 ({n_h}×{m}) · Xᵀ ({m}×{n_x}) gives {n_h}×{n_x}: a gradient has its weight's shape",
    }.get(matrix, f"{matrix} is {shape[0]}×{shape[1]}")
    return Question(f"What is the shape of {matrix}?", _shuffled(rng, answer, distractors), answer,
                    f"{answer}: {why}.", "shape", (matrix, (0, 0)))


def _pick_cell(values, matrix, rng) -> tuple[int, int]:
    rows, cols = np.shape(values[matrix])
    return int(rng.integers(rows)), int(rng.integers(cols))


def _sign_question(stage, values, rng, lr) -> Question:
    matrix = STAGE_MATRIX[stage]
    cell = _pick_cell(values, matrix, rng)
    chain = chain_for_cell(matrix, cell, values, lr)
    answer = _sign(chain.value)
    reason = {
        "dLoss_Yh": "−Y/Yh + (1 − Y)/(1 − Yh): negative when the label is 1, positive when it is 0",
        "dLoss_Z2": "Yh − Y: positive when the prediction is above the label, negative below it",
    }.get(matrix, "")
    arithmetic = render_chain(chain, max_terms=0, max_depth=1)[-1].strip()
    reason = (f"{reason}: " if reason else "") + f"{chain.formula} {arithmetic}"
    if chain.vanished_count == len(chain.terms) and chain.terms:
        reason += " — every term vanishes: the unit's ReLU is off for every sample"
    return Question(f"Is {chain.name} positive, negative or zero?", SIGNS, answer, reason + ".", "sign",
                    (matrix, cell))


def _dead_unit(stage, values, rng, lr) -> Question | None:
    Z1 = values["Z1"]
    off = Z1 <= 0
    # a sample with at least one unit off and one on, so exactly one option is right
    samples = [s for s in range(Z1.shape[1]) if off[:, s].any() and not off[:, s].all()]
    if not samples:
        return None
    s = int(rng.choice(samples))
    h = int(rng.choice(np.flatnonzero(off[:, s])))
    on = [int(u) for u in rng.permutation(np.flatnonzero(~off[:, s]))[:3]]
    backward = stage.startswith("dLoss")
    answer = f"h{h + 1}"
    z = short_number(float(Z1[h, s]))
    if backward:
        prompt = f"For sample s{s + 1}, which of these hidden units passes no gradient back (dLoss_Z1 = 0)?"
        reason = (f"h{h + 1}: Z1[h{h + 1},s{s + 1}] = {z} ≤ 0, so ReLU′ = 0 and dLoss_Z1 = dLoss_A1 · 0 = 0; "
                  "the others have Z1 > 0.")
        cell = ("dLoss_Z1", (h, s))
    else:
        prompt = f"For sample s{s + 1}, which of these hidden units outputs A1 = 0?"
        reason = f"h{h + 1}: Z1[h{h + 1},s{s + 1}] = {z} ≤ 0 and ReLU(z) = max(z, 0) = 0; the others have Z1 > 0."
        cell = ("A1", (h, s))
    return Question(prompt, _shuffled(rng, answer, [f"h{u + 1}" for u in on]), answer, reason, "dead_unit", cell)


def _prediction(stage, values, rng, lr) -> Question:
    s = int(rng.integers(values["Z2"].shape[1]))
    z, yh = float(values["Z2"][0, s]), float(values["Yh"][0, s])
    answer = "exactly 0.5" if z == 0 else "above 0.5" if z > 0 else "below 0.5"
    return Question(f"Is Yh[s{s + 1}] above or below 0.5?", ("above 0.5", "below 0.5", "exactly 0.5"), answer,
                    f"Z2[s{s + 1}] = {short_number(z)} and σ(z) > 0.5 exactly when z > 0: Yh = {short_number(yh)}.",
                    "prediction", ("Yh", (0, s)))


def _worst_sample(stage, values, rng, lr) -> Question | None:
    per_sample = [term.value for term in chain_for_cell("Loss", (0, 0), values).terms]
    worst = int(np.argmax(per_sample))
    # only samples strictly below the worst are offered, so a tie can never make two options right
    others = [int(s) for s in rng.permutation(len(per_sample)) if per_sample[s] < per_sample[worst]][:3]
    if not others:  # one sample, or all tied: nothing to choose between
        return None
    answer = f"s{worst + 1}"
    y, yh = float(values["Y"][0, worst]), float(values["Yh"][0, worst])
    reason = (f"s{worst + 1}: Y = {short_number(y)}, Yh = {short_number(yh)} — its term of the loss, "
              f"{short_number(per_sample[worst])}, is the largest: the further Yh is from Y, the larger "
              "−log of the probability given to the right answer.")
    return Question("Which sample adds the most to the loss?", _shuffled(rng, answer, [f"s{s + 1}" for s in others]),
                    answer, reason, "worst_sample", ("Loss", (0, 0)))


def _update_direction(stage, values, rng, lr) -> Question:
    h, f = _pick_cell(values, "W1", rng)
    g = float(values["dLoss_W1"][h, f])
    answer = "stays the same" if g == 0 else "goes down" if g > 0 else "goes up"
    weight = cell_label("W1", (h, f))
    return Question(f"In this update, does {weight} go up or down?", ("goes up", "goes down", "stays the same"),
                    answer, f"W ← W − η·dLoss_W and {cell_label('dLoss_W1', (h, f))} = {short_number(g)}: the weight "
                    f"moves against its gradient, by {short_number(-lr * g)}.", "update_direction",
                    ("new W1", (h, f)))


_BUILDERS = {"shape": _shape, "sign": _sign_question, "dead_unit": _dead_unit, "prediction": _prediction,
             "worst_sample": _worst_sample, "update_direction": _update_direction}
