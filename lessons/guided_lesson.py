"""The guided lesson: the article's story in steps, each with a prediction the student commits before the
numbers appear, and a reveal that says why — with the numbers nn_core computed, never a canned text.

Pure Python (no Streamlit): a step is its words and a ``Prediction`` built from what the step is about —
the small example of the forward & backward page (same features, m, hidden units, seed and η, so a student
who opens that page afterwards meets the same numbers), a run of updates, the training page's default run,
the overfitting presets, or the landscape's race. ``check`` judges a committed answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lessons.presets import CURE_IT, SEE_OVERFITTING, Preset, PresetRun, run_preset
from lessons.settings import LANDSCAPE, STEP_THROUGH
from nn_core.data import Split
from nn_core.descent import DescentRun, classify_outcome, run_descent
from nn_core.network import Params, forward, loss, loss_from_logits, predict, sigmoid
from nn_core.optimizers import OPTIMIZER_LABELS
from nn_core.overfitting import climbed
from nn_core.surfaces import get_surface
from nn_core.training import train
from viz.derivative import secant_slope, square, tangent_slope
from viz.style import format_number

# The forward & backward page's defaults (its settings registry): the lesson's example is the one that page opens on.
EXAMPLE_FEATURES: tuple[str, ...] = tuple(STEP_THROUGH["fb_features"].default)
EXAMPLE_M: int = STEP_THROUGH["fb_m"].default
EXAMPLE_HIDDEN: int = STEP_THROUGH["fb_hidden"].default
EXAMPLE_SEED: int = STEP_THROUGH["fb_seed"].default
EXAMPLE_LR: float = STEP_THROUGH["fb_lr"].default
WARM_UP_X: float = STEP_THROUGH["fb_x"].default
WARM_UP_H: float = STEP_THROUGH["fb_dh"].default
MANY_UPDATES = 100
# The training page's defaults (a Preset with nothing changed is exactly them).
TRAINING_DEFAULTS = Preset(label="The training page's defaults", explanation="")
# The landscape page's defaults (its settings registry): the optimizers racing on its surface from its start.
LANDSCAPE_SURFACE: str = LANDSCAPE["land_surface"].default
LANDSCAPE_BALLS: tuple[tuple[str, float], ...] = tuple((name, LANDSCAPE["land_lr"].default)
                                                       for name in LANDSCAPE["land_optimizers"].default)
LANDSCAPE_STEPS: int = LANDSCAPE["land_steps"].default
LANDSCAPE_START: tuple[float, float] = (LANDSCAPE["land_x0"].default, LANDSCAPE["land_y0"].default)
LANDSCAPE_NOISE: float = LANDSCAPE["land_noise"].default
LANDSCAPE_SEED: int = LANDSCAPE["land_seed"].default

NUMBER, CHOICE, UNITS = "number", "choice", "units"


@dataclass(frozen=True)
class Prediction:
    """What the student is asked before the numbers appear, and the truth to judge the answer by.

    ``kind``: NUMBER (``answer`` a float, right within ``tolerance``), CHOICE (``answer`` one of ``options``)
    or UNITS (``answer`` the set of ``options`` that fit; none at all is an answer too). ``why`` is the
    explanation shown with the verdict, written from the computed numbers.
    """

    prompt: str
    kind: str
    answer: float | str | frozenset[str]
    why: str
    options: tuple[str, ...] = ()
    tolerance: float = 0.0
    sample: int | None = None  # the tumour the question is about, when the figure should show it


@dataclass(frozen=True)
class Verdict:
    correct: bool
    headline: str  # "Right." or "Not quite — it is …"


def check(prediction: Prediction, response: float | str | Sequence[str]) -> Verdict:
    """Judge a committed answer against the computed truth."""
    if prediction.kind == NUMBER:
        value = float(response)  # type: ignore[arg-type]
        correct = bool(np.isfinite(value) and abs(value - float(prediction.answer)) <= prediction.tolerance)
        truth = format_number(float(prediction.answer), 4)
        return Verdict(correct, "Right." if correct else
                       f"Not quite — it is {truth} (you said {format_number(value, 4)}; within "
                       f"±{format_number(prediction.tolerance)} counts as right).")
    if prediction.kind == UNITS:
        chosen = frozenset(response)  # type: ignore[arg-type]
        correct = chosen == prediction.answer
        truth = ", ".join(sorted(prediction.answer)) or "none"
        return Verdict(correct, "Right." if correct else f"Not quite — it is {truth}.")
    correct = response == prediction.answer
    return Verdict(correct, "Right." if correct else f"Not quite — it is “{prediction.answer}”.")


# ------------------------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class Race:
    """The landscape step's balls: each optimizer's descent on the toy surface."""

    surface: str
    start: tuple[float, float]
    runs: tuple[DescentRun, ...]


def many_updates(params: Params, X: np.ndarray, Y: np.ndarray, lr: float = EXAMPLE_LR,
                 iterations: int = MANY_UPDATES) -> np.ndarray:
    """The loss after k updates at index k (k = 0 … ``iterations``): the article's loop, ``iterations`` times."""
    trained, losses = train(params, X, Y, lr=lr, iterations=iterations)
    return np.append(losses, loss(forward(trained, X), Y))


def training_run(split: Split) -> PresetRun:
    return run_preset(TRAINING_DEFAULTS, split)


def overfitting_runs(split: Split) -> tuple[PresetRun, PresetRun]:
    """(see overfitting, cure it): the training page's two presets."""
    return run_preset(SEE_OVERFITTING, split), run_preset(CURE_IT, split)


def landscape_race() -> Race:
    """The landscape page's race at its defaults (surface, start, optimizers, learning rate, steps, noise, seed)."""
    surface = get_surface(LANDSCAPE_SURFACE)
    runs = tuple(run_descent(surface, LANDSCAPE_START, optimizer=name, lr=lr, steps=LANDSCAPE_STEPS,
                             noise=LANDSCAPE_NOISE, seed=LANDSCAPE_SEED) for name, lr in LANDSCAPE_BALLS)
    return Race(LANDSCAPE_SURFACE, LANDSCAPE_START, runs)


def test_accuracy(run: PresetRun, split: Split) -> float:
    return float(np.mean(predict(run.params, split.X_test) == split.Y_test))


# ------------------------------------------------------------------------------------------------ helpers
def _n(value: float, digits: int = 3) -> str:
    return format_number(float(value), digits)


def _shape(matrix: np.ndarray) -> str:
    rows, cols = np.atleast_2d(matrix).shape
    return f"({rows}, {cols})"


def _label(matrices: Mapping[str, np.ndarray], sample: int) -> str:
    return "malignant (Y = 1)" if matrices["Y"][0, sample] == 1 else "benign (Y = 0)"


def _sign(value: float) -> str:
    return "zero" if value == 0 else "positive" if value > 0 else "negative"


SIGNS = ("negative", "positive", "zero")
DIRECTIONS = ("up", "down", "stay the same")


def _direction(change: float) -> str:
    return "up" if change > 0 else "down" if change < 0 else "stay the same"


def _plus(values: Sequence[float], digits: int = 4) -> str:
    """A sum written out: "0.525 + 0.266 − 0.355" (a negative term as a minus, not "+ -0.355")."""
    text = _n(values[0], digits)
    for value in values[1:]:
        text += f" − {_n(-value, digits)}" if value < 0 else f" + {_n(value, digits)}"
    return text


def _largest_cell(matrix: np.ndarray) -> tuple[int, int]:
    row, col = np.unravel_index(int(np.argmax(np.abs(matrix))), matrix.shape)
    return int(row), int(col)


def per_sample_loss(matrices: Mapping[str, np.ndarray]) -> np.ndarray:
    """Each tumour's own cross-entropy (nn_core's loss on that one column); their mean is Loss."""
    Z2, Y = matrices["Z2"], matrices["Y"]
    return np.array([loss_from_logits(Z2[:, [i]], Y[:, [i]]) for i in range(Z2.shape[1])])


LOSS_BUCKETS = ("above 0.3", "between 0.1 and 0.3", "between 0.01 and 0.1", "below 0.01")
ACCURACY_BUCKETS = ("below 80 %", "80 % to 90 %", "90 % to 95 %", "above 95 %")


def loss_bucket(value: float) -> str:
    return LOSS_BUCKETS[0 if value > 0.3 else 1 if value > 0.1 else 2 if value > 0.01 else 3]


def accuracy_bucket(value: float) -> str:
    return ACCURACY_BUCKETS[0 if value < 0.8 else 1 if value < 0.9 else 2 if value < 0.95 else 3]


VALIDATION_SHAPES = ("keeps falling", "falls, then climbs", "climbs from the start")


def validation_shape(val_loss: Sequence[float]) -> str:
    """How a held-out loss curve moves: it climbs when it ends clearly above its lowest point — by the training
    page's own overfitting thresholds (``nn_core.overfitting.climbed``) — from the start or after falling."""
    values = np.asarray(val_loss, dtype=float)
    best = int(np.argmin(values))
    if not climbed(float(values[best]), float(values[-1])):
        return VALIDATION_SHAPES[0]
    return VALIDATION_SHAPES[2] if best == 0 else VALIDATION_SHAPES[1]


def ask(prompt: str, answer: float | str | frozenset[str], why: str, *, options: Sequence[str] = (),
        tolerance: float = 0.0, sample: int | None = None) -> Prediction:
    """The one way a step's Prediction is made. Its kind follows from the answer — a number (right within
    ``tolerance``), one of ``options``, or the frozenset of ``options`` that fit — and is checked here, so no
    step can ask a question its own answer does not fit."""
    options = tuple(options)
    if len(set(options)) != len(options):
        raise ValueError(f"repeated options: {options}")
    if isinstance(answer, frozenset):
        if not answer <= set(options):
            raise ValueError(f"{sorted(answer)} are not all among {options}")
        kind = UNITS
    elif isinstance(answer, str):
        if answer not in options:
            raise ValueError(f"{answer!r} is not one of {options}")
        kind = CHOICE
    else:
        answer = float(answer)
        if not (np.isfinite(answer) and tolerance > 0):
            raise ValueError(f"a number question needs a finite answer and a tolerance, got {answer}, {tolerance}")
        kind = NUMBER
    return Prediction(prompt=prompt, kind=kind, answer=answer, why=why, options=options, tolerance=tolerance,
                      sample=sample)


# ------------------------------------------------------------------------------------------------ predictions
def warm_up_prediction(x: float = WARM_UP_X, h: float = WARM_UP_H) -> Prediction:
    slope = secant_slope(x, h)
    return ask(
        f"f(x) = x². Nudge x = {_n(x)} by h = {_n(h)}: what is (f(x + h) − f(x)) / h?", slope,
        f"(f({_n(x + h)}) − f({_n(x)})) / {_n(h)} = ({_n(square(x + h), 4)} − {_n(square(x), 4)}) / {_n(h)} = "
        f"{_n(slope, 4)}. That is the secant's slope; the tangent's is f′(x) = 2x = {_n(tangent_slope(x))}. "
        f"For x² the secant's slope is exactly 2x + h, so as h shrinks it tends to {_n(tangent_slope(x))}: "
        "the derivative. Back-propagation gets these slopes exactly, for every weight at once.",
        tolerance=0.05)


def z1_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    W1, X, b1, Z1, A1 = m["W1"], m["X"], m["b1"], m["Z1"], m["A1"]
    n_h, n_x = W1.shape
    samples = X.shape[1]
    terms = " + ".join(f"({_n(W1[0, j])})·({_n(X[j, 0])})" for j in range(n_x))
    silent = int(np.sum(A1 == 0))
    return ask(
        f"W1 is {_shape(W1)} and X is {_shape(X)}. What shape is Z1 = W1·X + b1?", _shape(Z1),
        f"Z1 is {_shape(Z1)}: one row per hidden unit ({n_h}), one column per tumour ({samples}) — the inner "
        f"size {n_x} (the features) is summed away. One entry: Z1[h1, s1] = {terms} + {_n(b1[0, 0])} = "
        f"{_n(Z1[0, 0])}. Then A1 = ReLU(Z1) cuts the negative sums to 0: {silent} of the {Z1.size} entries "
        "of A1 are 0 — those units are silent for those tumours.",
        options=dict.fromkeys([_shape(Z1), f"({n_x}, {samples})", f"({n_h}, {n_x})", f"({samples}, {n_h})"]))


def yh_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    Z2, Yh = m["Z2"], m["Yh"]
    sample = int(np.argmax(np.abs(Z2[0])))
    z, yh = float(Z2[0, sample]), float(Yh[0, sample])
    exponent = float(_n(-z, 4))  # as the question shows it, so e^(that) is what a student would type
    e = float(np.exp(exponent))  # what the student needs from a calculator, given in the question
    verdict = ("leans the right way" if (yh > 0.5) == (m["Y"][0, sample] == 1) else "leans the wrong way")
    return ask(
        f"For tumour s{sample + 1}, Z2 = {_n(z, 4)}. What probability Yh = σ(Z2) = 1 / (1 + e^(−Z2)) does the "
        f"network give it? (No calculator needed: e^({_n(exponent, 4)}) = {_n(e, 4)}.)", yh,
        f"σ({_n(z, 4)}) = 1 / (1 + e^({_n(exponent, 4)})) = 1 / (1 + {_n(e, 4)}) = 1 / {_n(1 + e, 4)} = "
        f"{_n(yh, 4)}. "
        f"The tumour is {_label(m, sample)}: the untrained network {verdict}, but with random weights that is "
        f"luck, not knowledge. All {Yh.shape[1]}: Yh = {', '.join(_n(v) for v in Yh[0])}.",
        tolerance=0.03)


def loss_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    costs = per_sample_loss(m)
    worst = int(np.argmax(costs))
    options = tuple(f"s{i + 1}" for i in range(costs.size))
    listing = ", ".join(f"s{i + 1}: {_n(c)}" for i, c in enumerate(costs))
    return ask(
        "Which tumour adds the most to the loss?", options[worst],
        f"Each tumour's cross-entropy −[y·log Yh + (1 − y)·log(1 − Yh)]: {listing}. s{worst + 1} is "
        f"{_label(m, worst)} with Yh = {_n(m['Yh'][0, worst])} — the furthest from its label. The loss is their "
        f"mean, {_n(m['Loss'].item(), 4)}.",
        options=options)


def dloss_yh_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    Y, Yh, d = m["Y"][0], m["Yh"][0], m["dLoss_Yh"][0]
    sample = int(np.flatnonzero(Y == 1)[0]) if np.any(Y == 1) else 0
    value = float(d[sample])
    return ask(
        f"Tumour s{sample + 1} is {_label(m, sample)}. What sign does dLoss_Yh have for it?", _sign(value),
        f"dLoss_Yh = −(Y/Yh − (1 − Y)/(1 − Yh)) = −({_n(Y[sample])}/{_n(Yh[sample])} − "
        f"{_n(1 - Y[sample])}/{_n(1 - Yh[sample])}) = {_n(value)}: {_sign(value)}. "
        + ("Raising Yh towards the label 1 lowers the loss, so the loss falls as Yh rises — a negative slope. "
           "For a benign tumour it is the other way round." if Y[sample] == 1 else
           "Lowering Yh towards the label 0 lowers the loss, so the loss rises with Yh — a positive slope. "
           "For a malignant tumour it is the other way round."),
        options=SIGNS)


def dloss_z2_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    Y, Yh, d_yh, Z2, d = m["Y"][0], m["Yh"][0], m["dLoss_Yh"][0], m["Z2"][0], m["dLoss_Z2"][0]
    sample = int(np.argmax(np.abs(d)))
    s = float(sigmoid(Z2[sample]))
    return ask(
        f"Tumour s{sample + 1}: Yh = {_n(Yh[sample], 4)} and Y = {_n(Y[sample])}. What is dLoss_Z2 for it?",
        float(d[sample]),
        f"The chain rule through the sigmoid: dLoss_Yh · σ′(Z2) = {_n(d_yh[sample], 4)} × "
        f"{_n(s * (1 - s), 4)} = {_n(d_yh[sample] * s * (1 - s), 4)}, and that product simplifies to "
        f"Yh − Y = {_n(Yh[sample], 4)} − {_n(Y[sample])} = {_n(d[sample], 4)}. Yh − Y never divides by Yh or "
        "1 − Yh, so it stays finite when the sigmoid saturates: the app (and nn_core) computes it that way.",
        tolerance=0.01)


def dloss_b2_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    d, A1, dW2, db2 = m["dLoss_Z2"][0], m["A1"], m["dLoss_W2"][0], m["dLoss_b2"].item()
    unit = int(np.argmax(np.abs(dW2)))
    products = " + ".join(f"({_n(d[i])})·({_n(A1[unit, i])})" for i in range(d.size))
    return ask(
        f"dLoss_Z2 = [{', '.join(_n(v, 4) for v in d)}]. dLoss_b2 is their mean over the tumours: what is it?",
        db2,
        f"dLoss_b2 = ({_plus(d)}) / {d.size} = {_n(db2, 4)}: b2 is added to every tumour's Z2, so it collects "
        f"every tumour's error. dLoss_W2 weighs the same errors by what each hidden unit sent: "
        f"dLoss_W2[h{unit + 1}] = ({products}) / {d.size} = {_n(dW2[unit], 4)}.",
        tolerance=0.005)


def dloss_a1_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    W2, d, dA1, A1, Z1 = m["W2"][0], m["dLoss_Z2"][0], m["dLoss_A1"], m["A1"], m["Z1"]
    unit, sample = _largest_cell(dA1)
    value = float(dA1[unit, sample])
    cell, who = f"[h{unit + 1}, s{sample + 1}]", f"h{unit + 1}"
    if A1[unit, sample] == 0:  # a silent unit sent nothing: there is nothing for it to turn up or down yet
        meaning = (f"But {who} was silent for s{sample + 1} (Z1{cell} = {_n(Z1[unit, sample])} ≤ 0, so "
                   f"A1{cell} = 0): it sent nothing to the output. dLoss_A1 says how the loss would change if it "
                   "did send something — at the ReLU (the next step) the gate is closed, and this gradient stops "
                   "there.")
    else:
        meaning = (f"{who} sent A1{cell} = {_n(A1[unit, sample])} to the output for s{sample + 1}; a "
                   f"{_sign(value)} dLoss_A1 means {'more' if value < 0 else 'less'} of it would lower the loss, "
                   f"so the gradient tells {who} to {'speak up' if value < 0 else 'quieten down'} for this tumour.")
    return ask(
        f"W2[h{unit + 1}] = {_n(W2[unit])} and tumour s{sample + 1}'s dLoss_Z2 = {_n(d[sample])}. "
        f"What sign does dLoss_A1{cell} = W2ᵀ·dLoss_Z2 have?", _sign(value),
        f"dLoss_A1{cell} = {_n(W2[unit])} × {_n(d[sample])} = {_n(value)}: {_sign(value)}. The output's error "
        f"flows back along the weight it came through. {meaning}",
        options=SIGNS)


def dloss_z1_prediction(m: Mapping[str, np.ndarray]) -> Prediction:
    Z1, dZ1 = m["Z1"], m["dLoss_Z1"]
    off = (Z1 <= 0)
    sample = int(np.argmax(off.sum(axis=0)))
    units = tuple(f"h{j + 1}" for j in range(Z1.shape[0]))
    answer = frozenset(units[j] for j in np.flatnonzero(off[:, sample]))
    listing = ", ".join(f"h{j + 1}: {_n(Z1[j, sample])}" for j in range(Z1.shape[0]))
    passed = ", ".join(f"h{j + 1}: {_n(dZ1[j, sample])}" for j in range(Z1.shape[0]))
    return ask(
        f"For tumour s{sample + 1}, which hidden units pass NO gradient back (dLoss_Z1 = 0)? "
        f"Its Z1 column is {listing}. (Pick none if every unit passes.)", answer,
        f"ReLU′(Z1) is 1 where Z1 > 0 and 0 elsewhere, so dLoss_Z1 = dLoss_A1 ⊙ ReLU′(Z1) is 0 exactly where "
        f"the unit was silent in the forward pass: {', '.join(sorted(answer)) or 'no unit'} for s{sample + 1}. "
        f"Its dLoss_Z1 column: {passed}. A closed gate blocks the whole chain below it — those W1 rows learn "
        "nothing from this tumour.",
        options=units, sample=sample)


def dloss_w1_prediction(m: Mapping[str, np.ndarray], lr: float = EXAMPLE_LR) -> Prediction:
    dW1, dZ1, X, W1 = m["dLoss_W1"], m["dLoss_Z1"], m["X"], m["W1"]
    unit, feature = _largest_cell(dW1)
    value = float(dW1[unit, feature])
    change = -lr * value
    direction = _direction(change)
    products = " + ".join(f"({_n(dZ1[unit, i])})·({_n(X[feature, i])})" for i in range(X.shape[1]))
    return ask(
        f"dLoss_W1[h{unit + 1}, f{feature + 1}] is the largest gradient of W1. In the update "
        f"W1 ← W1 − η·dLoss_W1 (η = {_n(lr)}), will W1[h{unit + 1}, f{feature + 1}] go up or down?", direction,
        f"dLoss_W1[h{unit + 1}, f{feature + 1}] = mean over tumours of dLoss_Z1 × the feature = ({products}) / "
        f"{X.shape[1]} = {_n(value, 4)}. The update moves against the gradient: {_n(W1[unit, feature], 4)} − "
        f"{_n(lr)} × {_n(value, 4)} = {_n(W1[unit, feature] + change, 4)}, so it goes {direction}. "
        f"dLoss_b1 is the same mean without the feature: [{', '.join(_n(v) for v in m['dLoss_b1'][:, 0])}].",
        options=DIRECTIONS)


def update_prediction(m: Mapping[str, np.ndarray], lr: float = EXAMPLE_LR) -> Prediction:
    before, after = m["Loss"].item(), m["new Loss"].item()
    answer = _direction(after - before)
    moved = "" if after == before else f" by {_n(abs(after - before), 3)}"
    return ask(
        f"All four parameters take one step W ← W − η·dLoss_W with η = {_n(lr)}. Run the forward pass again: "
        "will the loss go up or down?", answer,
        f"The loss goes from {_n(before, 5)} to {_n(after, 5)}: {answer}{moved}. Each gradient says which way "
        "is uphill for its parameter; a small enough step against all of them lowers the loss — that is "
        "learning. Too large an η overshoots the valley and the loss rises.",
        options=DIRECTIONS)


def many_updates_prediction(losses: Sequence[float], lr: float = EXAMPLE_LR) -> Prediction:
    """``losses[k]`` is the loss after k updates (``many_updates``)."""
    final, updates = float(losses[-1]), len(losses) - 1
    after = "; ".join(f"after {k} updates {_n(losses[k], 4)}" for k in (10, 50) if k < updates)
    return ask(
        f"Repeat forward → backward → update {updates} times (η = {_n(lr)}) on these {EXAMPLE_M} tumours. "
        "Where will the loss end?", loss_bucket(final),
        f"It falls from {_n(losses[0], 4)} to {_n(final, 4)} after {updates} updates ({loss_bucket(final)}); "
        f"{after}. With only {EXAMPLE_M} tumours the network can fit them almost perfectly — which says nothing "
        "yet about tumours it has never seen.",
        options=LOSS_BUCKETS)


def training_prediction(run: PresetRun, accuracy: float, split: Split) -> Prediction:
    monitor = run.monitor
    return ask(
        f"Now the real data: {split.X_train.shape[1]} training tumours × {split.X_train.shape[0]} features, "
        f"{TRAINING_DEFAULTS.hidden} hidden units, η = {_n(TRAINING_DEFAULTS.lr)}, "
        f"{TRAINING_DEFAULTS.iterations} updates. What share of the {split.X_test.shape[1]} held-out test "
        "tumours will it classify correctly?", accuracy_bucket(accuracy),
        f"Test accuracy {accuracy:.1%} ({accuracy_bucket(accuracy)}): the training loss fell from "
        f"{_n(monitor.train_loss[0], 4)} to {_n(monitor.train_loss[-1], 4)}, the loss on the test tumours to "
        f"{_n(run.test_loss, 4)}. The same few lines of NumPy, on {split.X_train.shape[0]} measurements per "
        "tumour.",
        options=ACCURACY_BUCKETS)


def _mistakes(run: PresetRun) -> int:
    return round((1 - run.test_accuracy) * run.rows.test)


def overfitting_prediction(see: PresetRun, cure: PresetRun) -> Prediction:
    """Both presets judged on the same test rows (``PresetRun.test_curve``: every iteration), never on the rows
    early stopping watched; what the cure buys (a lower loss) and what it costs (here: accuracy, and rows)."""
    curve = see.test_curve
    shape, lowest = validation_shape(curve), int(np.argmin(curve))
    tests = see.rows.test
    ratio = see.test_loss / cure.test_loss
    extra = _mistakes(cure) - _mistakes(see)
    accuracy = (f"it classifies {cure.test_accuracy:.1%} of them correctly against the overfit model's "
                f"{see.test_accuracy:.1%} — " + (f"{extra} more mistakes on this data" if extra > 0 else
                                                  f"{-extra} fewer mistakes" if extra < 0 else "as many mistakes"))
    return ask(
        f"Switch to {OPTIMIZER_LABELS[SEE_OVERFITTING.optimizer]}, η = {_n(SEE_OVERFITTING.lr)}, "
        f"{SEE_OVERFITTING.iterations} updates (the training page's “{SEE_OVERFITTING.label}”): the training loss "
        f"falls almost to 0. What does the loss on the {tests} held-out test tumours do?", shape,
        f"It {shape}. On the {tests} test tumours (never used to train), the loss is lowest, "
        f"{_n(curve[lowest], 4)}, after {lowest} updates and {_n(see.test_loss, 4)} after {curve.size - 1}, while "
        f"the training loss falls to {_n(see.reading.final_train_loss, 3)}: the network memorizes its "
        f"{see.rows.fit} training tumours. The cure (“{CURE_IT.label}”: weight decay λ = {_n(CURE_IT.l2)} and "
        f"early stopping) learns from {cure.rows.fit} training tumours and watches {cure.rows.validation} others "
        f"held out from the updates; it stops after {cure.early_stop} updates and keeps the weights of update "
        f"{cure.kept_iteration}. On the same {tests} test tumours that model's loss is {_n(cure.test_loss, 4)}, "
        f"{_n(ratio, 2)}× lower than the overfit model's {_n(see.test_loss, 4)}, but "
        f"{accuracy}. A lower loss is not always more right answers.",
        options=VALIDATION_SHAPES)


def overfitting_caption(see: PresetRun, cure: PresetRun) -> str:
    """What the step's one chart shows, in the chart's own terms."""
    return (f"One chart, the same axes: solid, each run's loss on the same {see.rows.test} test tumours after every "
            f"update; dotted, on its own training tumours ({see.rows.fit} for “{SEE_OVERFITTING.label}”, "
            f"{cure.rows.fit} for “{CURE_IT.label}”, which holds {cure.rows.validation} out for early stopping). "
            f"“{CURE_IT.label}” = the same run with weight decay λ = {_n(CURE_IT.l2)} and early stopping; the dot "
            f"marks the weights it keeps (update {cure.kept_iteration}).")


def landscape_prediction(race: Race) -> Prediction:
    surface = get_surface(race.surface)
    names = tuple(OPTIMIZER_LABELS[run.optimizer] for run in race.runs)
    outcomes = [classify_outcome(run, surface) for run in race.runs]
    reached = frozenset(name for name, outcome in zip(names, outcomes, strict=True) if outcome.kind == "global")
    lines = "; ".join(f"{name}: height {_n(run.values[-1])}, {outcome.message}"
                      for name, run, outcome in zip(names, race.runs, outcomes, strict=True))
    rates = sorted({run.lr for run in race.runs})
    return ask(
        f"{len(race.runs)} balls start at ({_n(race.start[0])}, {_n(race.start[1])}) on “{surface.label}”, "
        f"learning rate {', '.join(_n(rate) for rate in rates)}, {LANDSCAPE_STEPS} steps. Which of them reach the "
        "deepest valley (the global minimum)?", reached,
        f"{lines}. Each step is θ ← θ − lr · slope: plain gradient descent stops in the first valley it rolls "
        "into; momentum and Adam carry speed from past steps, which can take them over a ridge into a deeper "
        "valley.",
        options=names)


# ------------------------------------------------------------------------------------------------ the steps
@dataclass(frozen=True)
class StepFigure:
    """What a step draws: ``kind`` ("derivative", "stages", "history", "training", "overfitting", "landscape")
    and, for "stages", the forward & backward page's stages it shows."""

    kind: str
    stages: tuple[str, ...] = ()


def _stages(*keys: str) -> StepFigure:
    return StepFigure("stages", keys)


@dataclass(frozen=True)
class LessonStep:
    """One step: its words, what it needs computed (``needs``), the figure the page draws (``figure``), and
    how the prediction is built from the needed numbers."""

    key: str
    title: str
    text: str
    needs: str  # "warm_up", "example", "updates", "training", "overfitting", "landscape"
    figure: StepFigure
    predict: Callable[[object], Prediction]  # from what ``needs`` names (see the glue's lesson_inputs)


STEPS: tuple[LessonStep, ...] = (
    LessonStep("warm_up", "What a derivative measures",
               "Learning means nudging every weight a little and watching the loss. The article starts with "
               "f(x) = x²: nudge x by h and the slope of the line through the two points is (f(x + h) − f(x)) / h. "
               "Back-propagation computes that slope for every weight — exactly, without nudging.",
               "warm_up", StepFigure("derivative"), lambda _: warm_up_prediction()),
    LessonStep("z1", "Forward: Z1 = W1·X + b1 and A1 = ReLU(Z1)",
               "Five tumours, three measurements each, standardized: X has one column per tumour. Every hidden unit "
               "takes a weighted sum of the features (a row of W1), adds its bias, and ReLU keeps only what is "
               "positive.",
               "example", _stages("Z1", "A1"), z1_prediction),
    LessonStep("yh", "Forward: Z2 = W2·A1 + b2 and Yh = σ(Z2)",
               "The output unit sums the hidden activities into one number per tumour, the logit Z2. The sigmoid "
               "squashes it into a probability of 'malignant' between 0 and 1.",
               "example", _stages("Yh", "Z2"), yh_prediction),
    LessonStep("loss", "The loss: one number for the whole batch",
               "The cross-entropy is small when Yh is close to the label Y and large when the network is "
               "confidently wrong. Averaged over the tumours, it is what training pushes down.",
               "example", _stages("Loss"), loss_prediction),
    LessonStep("dloss_yh", "Backward: dLoss_Yh, how the loss reacts to each prediction",
               "Back-propagation walks the chain rule backwards from the loss. The first link: how much the loss "
               "changes when one prediction Yh moves a little.",
               "example", _stages("dLoss_Yh"), dloss_yh_prediction),
    LessonStep("dloss_z2", "Backward: dLoss_Z2 — and why it is Yh − Y",
               "One step further back, through the sigmoid: multiply by its slope σ′(Z2). The product of the two "
               "fractions collapses to something very simple.",
               "example", _stages("dLoss_Z2"), dloss_z2_prediction),
    LessonStep("dloss_w2", "Backward: dLoss_W2 and dLoss_b2, the output layer's gradients",
               "Now the parameters. Each weight of W2 multiplied a hidden activity; its gradient is the output error "
               "times that activity, averaged over the tumours. The bias b2 multiplied 1.",
               "example", _stages("dLoss_W2", "dLoss_b2"), dloss_b2_prediction),
    LessonStep("dloss_a1", "Backward: dLoss_A1 = W2ᵀ · dLoss_Z2",
               "To reach the first layer, the error flows back through W2: each hidden unit gets the output's error "
               "times the weight that connects it to the output.",
               "example", _stages("dLoss_A1"), dloss_a1_prediction),
    LessonStep("dloss_z1", "Backward: dLoss_Z1 and the ReLU gate",
               "Through the ReLU: its slope is 1 where the unit was active and 0 where it was silent. A silent unit "
               "is a closed gate.",
               "example", _stages("dLoss_Z1"), dloss_z1_prediction),
    LessonStep("dloss_w1", "Backward: dLoss_W1 and dLoss_b1, the end of the chain",
               "Loss → Yh → Z2 → A1 → Z1 → W1. Each weight's gradient is its hidden unit's error times the feature it "
               "multiplies, averaged over the tumours.",
               "example", _stages("dLoss_W1", "dLoss_b1"), dloss_w1_prediction),
    LessonStep("update", "The update: one step downhill",
               "Every parameter takes a small step against its gradient: W ← W − η·dLoss_W, η the learning rate.",
               "example", _stages("update"), update_prediction),
    LessonStep("many_updates", "Many updates: forward → backward → update, again and again",
               "Training is this loop repeated. Each pass starts from the weights the last update left.",
               "updates", StepFigure("history"), lambda losses: many_updates_prediction(losses)),
    LessonStep("training", "Training on the breast-cancer data",
               "The same network on the whole Wisconsin data set: 30 measurements per tumour, 20 % of the tumours "
               "held out to test it on cases it never trained on.",
               "training", StepFigure("training"), lambda run: training_prediction(*run)),
    LessonStep("overfitting", "Overfitting and its cure",
               "A more eager optimizer fits the training tumours ever better. The test is whether it also gets "
               "better on the tumours it never saw.",
               "overfitting", StepFigure("overfitting"), lambda runs: overfitting_prediction(*runs)),
    LessonStep("landscape", "The ball on the loss landscape",
               "Picture the loss as a landscape: the position is the weights, the height is the loss, and every "
               "update rolls a ball a step downhill. On a toy surface of two weights we can watch it.",
               "landscape", StepFigure("landscape"), landscape_prediction),
)
STEP_COUNT = len(STEPS)

FORWARD_BACKWARD_PAGE = "app_pages/forward_backward.py"
TRAINING_PAGE = "app_pages/train_cancer.py"
LANDSCAPE_PAGE = "app_pages/landscape.py"


def explore_link(step: LessonStep) -> tuple[str, str, dict[str, str]]:
    """Where the step's view lives in full, to try it after the reveal: (page, label, link values). The
    forward & backward page opens on the lesson's own example, so its numbers are the same."""
    kind = step.figure.kind
    if kind == "stages":
        return (FORWARD_BACKWARD_PAGE, "Step through it on the forward & backward page",
                {"fb_stage": step.figure.stages[0]})
    if kind == "derivative":
        return FORWARD_BACKWARD_PAGE, "Play with the warm-up on the forward & backward page", {}
    if kind == "history":
        return FORWARD_BACKWARD_PAGE, "Apply updates yourself on the forward & backward page", {"fb_stage": "update"}
    if kind in ("training", "overfitting"):
        return TRAINING_PAGE, "Train it yourself (the presets are there) on the training page", {}
    return LANDSCAPE_PAGE, "Roll your own balls on the landscape page", {}
