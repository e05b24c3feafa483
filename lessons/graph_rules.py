"""Each node of the computation graph's local rule — how it hands the gradient back — with one sample's numbers.

The gates of CS231n: an add gate copies the incoming gradient to both inputs (and a bias, added to every
sample, collects the copies: summed, and divided by m as the article does); a multiply gate hands each input
the incoming gradient times the other input; ReLU routes the gradient where Z1 > 0 and blocks it where not;
σ scales it by its slope Yh(1 − Yh). Every number comes from nn_core's matrices; ``numbers`` keeps them so a
test can hold each rule to the core, and ``see`` points at the stage and matrix cell of the step-through
whose chain of numbers writes the same arithmetic out in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from nn_core.chains import cell_label
from nn_core.graph import NODES_BY_KEY, PARAMETER
from nn_core.network import d_relu
from viz.style import format_number as num


@dataclass(frozen=True)
class StagePointer:
    """A place in the step-through: a stage and the matrix cell whose chain of numbers shows the rule."""

    stage: str
    matrix: str
    cell: tuple[int, int]

    @property
    def label(self) -> str:
        return cell_label(self.matrix, self.cell)


@dataclass(frozen=True)
class LocalRule:
    node: str
    gate: str  # what kind of gate, in a few words
    rule: str  # the rule in words
    lines: tuple[str, ...]  # the rule with this sample's numbers
    numbers: dict[str, np.ndarray] = field(default_factory=dict)
    see: tuple[StagePointer, ...] = ()
    note: str = ""


def _sum_text(values: np.ndarray, m: int) -> str:
    """(1/m)·(a + b − c …): the article's average written out term by term."""
    terms = num(float(values[0])) + "".join(f" − {num(-float(v))}" if v < 0 else f" + {num(float(v))}"
                                            for v in values[1:])
    return f"(1/{m})·({terms})"


def _largest(matrix: np.ndarray) -> tuple[int, int]:
    row, col = np.unravel_index(int(np.argmax(np.abs(matrix))), matrix.shape)
    return int(row), int(col)


def _multiply_first_layer(v: Mapping[str, np.ndarray], s: int) -> LocalRule:
    m, incoming, other = v["X"].shape[1], v["dLoss_Z1"][:, s], v["X"][:, s]
    h, f = _largest(v["dLoss_W1"])
    shares = v["dLoss_Z1"][h, :] * v["X"][f, :]
    return LocalRule(
        "W1·X", "multiply gate: each input gets the gradient times the other input",
        "W1 gets the incoming dLoss_Z1 times X (transposed, averaged over the samples): dLoss_W1 = (1/m)·dLoss_Z1·Xᵀ.",
        (f"incoming from + b1: dLoss_Z1[h{h + 1},s{s + 1}] = {num(float(incoming[h]))}",
         f"× the other input X[f{f + 1},s{s + 1}] = {num(float(other[f]))}",
         f"= s{s + 1}'s share of dLoss_W1[h{h + 1},f{f + 1}]: {num(float(incoming[h] * other[f]))}",
         f"averaged over the {m} samples: {_sum_text(shares, m)} = {num(float(v['dLoss_W1'][h, f]))}",
         "X gets dLoss_Z1 times W1 (W1ᵀ·dLoss_Z1) — the article does not compute it: X is the data, "
         "nothing updates it, so the chain stops at W1."),
        {"incoming": incoming, "other input": other, "share": np.outer(incoming, other), "cell shares": shares,
         "dLoss_W1": v["dLoss_Z1"] @ v["X"].T / m},
        (StagePointer("dLoss_W1", "dLoss_W1", (h, f)),))


def _add(v: Mapping[str, np.ndarray], s: int, layer: int) -> LocalRule:
    z, bias, product = f"Z{layer}", f"b{layer}", ("W1·X" if layer == 1 else "W2·A1")
    grad = v[f"dLoss_{z}"]
    m, incoming = grad.shape[1], grad[:, s]
    h, _ = _largest(v[f"dLoss_{bias}"])
    unit = f"h{h + 1}," if layer == 1 else ""
    bias_cell = cell_label(f"dLoss_{bias}", (h, 0))
    collected = grad.sum(axis=1, keepdims=True) / m
    return LocalRule(
        f"+ {bias}", "add gate: copies the gradient to both inputs",
        f"{product} and {bias} both get dLoss_{z} unchanged. {bias} was added to every sample's column, so it "
        f"collects every sample's copy: summed over the samples (and divided by m, as the article does).",
        (f"incoming from {'ReLU' if layer == 1 else 'σ'}: dLoss_{z}[{unit}s{s + 1}] = {num(float(incoming[h]))}",
         f"→ to {product}: the same {num(float(incoming[h]))} (copied)",
         f"→ to {bias}: every sample's copy, {bias_cell} = "
         f"{_sum_text(grad[h, :], m)} = {num(float(collected[h, 0]))}"),
        {"incoming": incoming, f"to {product}": incoming, f"dLoss_{bias}": collected},
        (StagePointer(f"dLoss_{bias}", f"dLoss_{bias}", (h, 0)),))


def _relu(v: Mapping[str, np.ndarray], s: int) -> LocalRule:
    incoming, z = v["dLoss_A1"][:, s], v["Z1"][:, s]
    passes = d_relu(z) == 1
    lines = [f"incoming from W2·A1: dLoss_A1[:,s{s + 1}]"]
    for h in range(z.size):
        verdict = (f"Z1 = {num(float(z[h]))} > 0 → passes {num(float(incoming[h]))}" if passes[h]
                   else f"Z1 = {num(float(z[h]))} ≤ 0 → blocked: 0 (was {num(float(incoming[h]))})")
        lines.append(f"h{h + 1}: {verdict}")
    shown = int(np.flatnonzero(~passes)[0]) if (~passes).any() else 0
    return LocalRule(
        "ReLU", "a switch: routes the gradient or blocks it",
        "Where the unit was on in the forward pass (Z1 > 0) the gradient passes unchanged; where it was off "
        "(Z1 ≤ 0) ReLU's slope is 0 and the gradient stops.",
        tuple(lines),
        {"incoming": incoming, "Z1": z, "passes": passes, "outgoing": np.where(passes, incoming, 0.0)},
        (StagePointer("dLoss_Z1", "dLoss_Z1", (shown, s)),),
        note=(f"passes: {', '.join(f'h{h + 1}' for h in np.flatnonzero(passes)) or 'none'}; "
              f"blocked: {', '.join(f'h{h + 1}' for h in np.flatnonzero(~passes)) or 'none'}"))


def _multiply_second_layer(v: Mapping[str, np.ndarray], s: int) -> LocalRule:
    m, incoming = v["X"].shape[1], float(v["dLoss_Z2"][0, s])
    weights, activity = v["W2"][0], v["A1"][:, s]
    h = _largest(v["dLoss_W2"])[1]
    shares = v["dLoss_Z2"][0] * v["A1"][h, :]
    return LocalRule(
        "W2·A1", "multiply gate: each input gets the gradient times the other input",
        "A1 gets the incoming dLoss_Z2 times W2 (dLoss_A1 = W2ᵀ·dLoss_Z2); W2 gets it times A1 "
        "(dLoss_W2 = (1/m)·dLoss_Z2·A1ᵀ).",
        (f"incoming from + b2: dLoss_Z2[s{s + 1}] = {num(incoming)}",
         f"→ to A1: × W2, e.g. h{h + 1}: {num(incoming)} × {num(float(weights[h]))} = "
         f"{num(float(incoming * weights[h]))} = dLoss_A1[h{h + 1},s{s + 1}]",
         f"→ to W2: × A1, h{h + 1}: {num(incoming)} × {num(float(activity[h]))} = "
         f"{num(float(incoming * activity[h]))} (s{s + 1}'s share)",
         f"averaged over the {m} samples: dLoss_W2[h{h + 1}] = {_sum_text(shares, m)} = "
         f"{num(float(v['dLoss_W2'][0, h]))}"),
        {"incoming": np.array([incoming]), "to A1": weights * incoming, "share": incoming * activity,
         "dLoss_W2": v["dLoss_Z2"] @ v["A1"].T / m},
        (StagePointer("dLoss_A1", "dLoss_A1", (h, s)), StagePointer("dLoss_W2", "dLoss_W2", (0, h))))


def _sigmoid(v: Mapping[str, np.ndarray], s: int) -> LocalRule:
    yh, y, incoming = float(v["Yh"][0, s]), float(v["Y"][0, s]), float(v["dLoss_Yh"][0, s])
    factor = v["Yh"] * (1.0 - v["Yh"])
    return LocalRule(
        "σ", "scales the gradient by its slope Yh(1 − Yh)",
        "σ's slope at Z2 is σ′(Z2) = Yh(1 − Yh): the incoming dLoss_Yh is multiplied by it.",
        (f"incoming from the loss: dLoss_Yh[s{s + 1}] = {num(incoming)}",
         f"× slope Yh(1 − Yh) = {num(yh)} × {num(1 - yh)} = {num(float(factor[0, s]))}",
         f"= dLoss_Z2[s{s + 1}] = {num(incoming * float(factor[0, s]))}",
         "Why σ and the loss together give Yh − Y: dLoss_Yh = −(Y/Yh − (1 − Y)/(1 − Yh)) = (Yh − Y)/(Yh(1 − Yh)), "
         "so the slope cancels:",
         f"dLoss_Z2[s{s + 1}] = Yh − Y = {num(yh)} − {num(y)} = {num(yh - y)} — no division, so it stays finite "
         "even when Yh rounds to 0 or 1; the app computes it this way."),
        {"incoming": v["dLoss_Yh"][0], "factor": factor[0], "outgoing": v["dLoss_Yh"][0] * factor[0],
         "Yh − Y": (v["Yh"] - v["Y"])[0]},
        (StagePointer("dLoss_Z2", "dLoss_Z2", (0, s)),))


def _loss(v: Mapping[str, np.ndarray], s: int) -> LocalRule:
    yh, y = float(v["Yh"][0, s]), float(v["Y"][0, s])
    return LocalRule(
        "loss", "where the gradient starts: dLoss/dLoss = 1",
        "The cross-entropy's slope with respect to each prediction: dLoss_Yh = −(Y/Yh − (1 − Y)/(1 − Yh)), per "
        "sample (the article divides by m only at the weights).",
        (f"s{s + 1}: Y = {num(y)}, Yh = {num(yh)}",
         f"dLoss_Yh[s{s + 1}] = −({num(y)}/{num(yh)} − {num(1 - y)}/{num(1 - yh)}) = {num(float(v['dLoss_Yh'][0, s]))}",
         "negative where Y = 1 (raising Yh lowers the loss), positive where Y = 0"),
        {"dLoss_Yh": v["dLoss_Yh"][0]},
        (StagePointer("dLoss_Yh", "dLoss_Yh", (0, s)),))


def _leaf(v: Mapping[str, np.ndarray], key: str, s: int) -> LocalRule:
    node = NODES_BY_KEY[key]
    if node.kind != PARAMETER:
        what = ("the data: its gradient would be W1ᵀ·dLoss_Z1 (nn_core's dLoss_A0), but nothing learns X, so the "
                "article does not compute it" if key == "X" else "the label: the loss compares Yh with it; it has "
                "no gradient")
        return LocalRule(key, "a leaf (given)", f"{key} is {what}.", (), {}, (StagePointer("X", key, (0, s)),))
    consumer = next(n.label for n in NODES_BY_KEY.values() if key in n.inputs)
    grad = v[node.grad_name]
    cell = _largest(grad)
    return LocalRule(
        key, "a parameter (a leaf that learns)",
        f"{key}'s gradient arrives from {consumer} (see its rule); the update then steps {key} against it: "
        f"{key} ← {key} − η·{node.grad_name}.",
        (f"{cell_label(node.grad_name, cell)} = {num(float(grad[cell]))}" + (" (its largest entry)" if grad.size > 1
                                                                              else ""),),
        {"grad": grad}, (StagePointer(node.grad_name, node.grad_name, cell),))


def local_rule(matrices: Mapping[str, np.ndarray], node: str, sample: int | None) -> LocalRule:
    """Node ``node``'s rule with the numbers of ``sample`` (the first sample when the diagram shows means)."""
    s = 0 if sample is None else sample
    rule = {"W1·X": lambda: _multiply_first_layer(matrices, s), "+ b1": lambda: _add(matrices, s, 1),
            "ReLU": lambda: _relu(matrices, s), "W2·A1": lambda: _multiply_second_layer(matrices, s),
            "+ b2": lambda: _add(matrices, s, 2), "σ": lambda: _sigmoid(matrices, s),
            "loss": lambda: _loss(matrices, s)}.get(node, lambda: _leaf(matrices, node, s))()
    if sample is None:
        rule = replace(rule, note=(rule.note + " · " if rule.note else "") +
                       "the diagram shows means over the samples; this rule uses sample s1")
    return rule
