"""The numbers of one step-through, straight from nn_core: every matrix of one forward pass, one backward
pass and one update, the sigmoid chain at dLoss_Z2, the samples shown, the gradient check's verdict."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# The nudges h the learner can pick for the gradient check, and the two finite differences.
from nn_core.gradcheck import GradientCheck
from nn_core.network import PARAM_NAMES, Params, backward, d_sigmoid, forward, loss
from nn_core.training import train

# Pass / fail of the gradient check, on the norm-based relative error. The forward difference is only
# first-order accurate (its error grows like h), so it gets the looser bound.
GRADCHECK_TOLERANCE: dict[str, float] = {"forward": 1e-2, "central": 1e-4}


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


def gradient_check_table(checks: Mapping[str, Mapping[str, GradientCheck]]) -> dict[str, list]:
    """Per parameter: the relative error of each finite difference and its pass / FAIL."""
    table: dict[str, list] = {"parameter": list(PARAM_NAMES)}
    for method, label in (("forward", "forward"), ("central", "centred")):
        table[f"relative error, {label}"] = [f"{checks[method][p].relative_error:.2e}" for p in PARAM_NAMES]
        table[label] = ["pass" if gradient_check_passes(checks[method][p], method) else "FAIL" for p in PARAM_NAMES]
    return table


def gradient_check_verdict(checks: Mapping[str, Mapping[str, GradientCheck]], h: float) -> tuple[str, str]:
    """(kind, text): "success", "warning" or "error", and what the verdict means for back-propagation."""
    central = {p: gradient_check_passes(checks["central"][p], "central") for p in PARAM_NAMES}
    forward_ok = all(gradient_check_passes(checks["forward"][p], "forward") for p in PARAM_NAMES)
    if all(central.values()) and forward_ok:
        return "success", (f"PASS — with h = {h:g}, back-propagation agrees with both finite differences for "
                           "W1, b1, W2, b2.")
    if all(central.values()):
        return "warning", (f"PASS for the centred difference, FAIL for the forward one with h = {h:g}: the forward "
                           "difference's own error is too big at this h — back-propagation is fine. Try h = 0.001.")
    failed = [p for p in PARAM_NAMES if not central[p]]
    return "error", (f"FAIL for {', '.join(failed)} with h = {h:g}. Back-propagation does not depend on h — the finite "
                     "differences do: with a large h they measure the slope over a curved stretch (and a ReLU may "
                     "switch inside the nudge); with a tiny h, rounding in the loss swamps the difference. "
                     "Try h = 0.001.")
