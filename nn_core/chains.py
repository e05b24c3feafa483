"""Any cell of the forward or backward pass unrolled into its chain of scalars, every number filled in.

A student who asks "why is dLoss_W1[h3,f2] = −0.0447?" gets the arithmetic: the sample sum, each term
with its factors, the ReLU′ 0/1 that kills some terms, and the sub-steps that produced each factor, down
to dLoss_Z2 = Yh − Y. The numbers are read from nn_core's own matrices (``forward``/``backward``), and
``Chain.total`` re-adds the terms, so a test can hold every chain to its cell.

Cells are given as 0-based numpy indices (row, col); labels are 1-based like the heatmaps' ticks
(h3 is row 2, f2 is column 1, s1 is the first sample). Row vectors drop their row index: W2[h3], Z2[s2],
b1[h3], b2, Loss.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from .network import (
    _cross_entropy_per_sample,
    backward,
    d_relu,
    d_sigmoid,
    forward,
    loss_gradient_wrt_yh,
    relu,
    sigmoid,
)

FORWARD_MATRICES: tuple[str, ...] = ("Z1", "A1", "Z2", "Yh", "Loss")
BACKWARD_MATRICES: tuple[str, ...] = (
    "dLoss_Yh", "dLoss_Z2", "dLoss_A1", "dLoss_W2", "dLoss_b2", "dLoss_Z1", "dLoss_W1", "dLoss_b1", "dLoss_A0",
)
UPDATE_MATRICES: tuple[str, ...] = ("new W1", "new b1", "new W2", "new b2")
GIVEN_MATRICES: tuple[str, ...] = ("X", "Y", "W1", "b1", "W2", "b2")
CHAIN_MATRICES: tuple[str, ...] = GIVEN_MATRICES + FORWARD_MATRICES + BACKWARD_MATRICES + UPDATE_MATRICES

# What rows and columns of each matrix count: h(idden), f(eature), s(ample); "" = a single row / column.
_AXES: dict[str, tuple[str, str]] = {
    "X": ("f", "s"), "Y": ("", "s"), "W1": ("h", "f"), "b1": ("h", ""), "W2": ("", "h"), "b2": ("", ""),
    "Z1": ("h", "s"), "A1": ("h", "s"), "Z2": ("", "s"), "Yh": ("", "s"), "Loss": ("", ""),
    "dLoss_Yh": ("", "s"), "dLoss_Z2": ("", "s"), "dLoss_A1": ("h", "s"), "dLoss_W2": ("", "h"),
    "dLoss_b2": ("", ""), "dLoss_Z1": ("h", "s"), "dLoss_W1": ("h", "f"), "dLoss_b1": ("h", ""),
    "dLoss_A0": ("f", "s"),
    "new W1": ("h", "f"), "new b1": ("h", ""), "new W2": ("", "h"), "new b2": ("", ""),
}


@dataclass(frozen=True)
class Factor:
    """One number in a product, e.g. X[f2,s3] = 0.53; ``note`` says where a 0/1 came from."""

    label: str
    value: float
    note: str = ""


@dataclass(frozen=True)
class Term:
    """One summand: the product of its factors (or a function of its one factor, for σ and ReLU).

    ``vanished`` marks a term that is 0 because a ReLU is off (Z1 ≤ 0) for its hidden unit and sample.
    """

    label: str
    factors: tuple[Factor, ...]
    value: float
    vanished: bool = False
    text: str = ""  # the arithmetic with numbers, when it is not just the product of the factors


@dataclass(frozen=True)
class Chain:
    """A cell written out: ``value`` is the matrix cell, ``total`` re-adds ``scale · Σ terms + offset``.

    ``operation`` says how the terms combine: "sum" (scaled sum of products), "product" (one term),
    "relu" / "sigmoid" (a function of the one factor), "given" (a leaf: data or parameter).
    ``steps`` are the chains of the factors (dLoss_Z1[h,s] inside dLoss_W1[h,f], …).
    """

    matrix: str
    cell: tuple[int, int]
    name: str
    value: float
    formula: str
    terms: tuple[Term, ...]
    operation: str = "sum"
    scale: float = 1.0
    scale_label: str = ""
    offset: Factor | None = None
    steps: tuple[Chain, ...] = ()

    @property
    def total(self) -> float:
        """The terms added up again (exactly rounded sum), times the scale, plus the offset."""
        total = math.fsum(term.value for term in self.terms) * self.scale
        return total + self.offset.value if self.offset is not None else total

    @property
    def vanished_count(self) -> int:
        return sum(term.vanished for term in self.terms)


@dataclass(frozen=True)
class ShownTerms:
    """The first k terms of a long sum, and what the rest add up to (so the total stays exact)."""

    shown: tuple[Term, ...]
    hidden_count: int
    hidden_sum: float
    hidden_vanished: int


def cell_label(matrix: str, cell: tuple[int, int]) -> str:
    """'dLoss_W1[h3,f2]' for cell (2, 1): 1-based labels like the heatmaps, trivial indices dropped."""
    row_axis, col_axis = _AXES[matrix]
    parts = [f"{axis}{index + 1}" for axis, index in zip((row_axis, col_axis), cell, strict=True) if axis]
    return f"{matrix}[{','.join(parts)}]" if parts else matrix


def parse_cell_label(text: str) -> tuple[str, tuple[int, int]]:
    """The inverse of ``cell_label``: 'dLoss_W1[h3,f2]' → ('dLoss_W1', (2, 1)), for a readable URL parameter.

    Raises ValueError for anything ``cell_label`` would not write.
    """
    match = re.fullmatch(r"\s*([^\[\]]+?)\s*(?:\[([^\]]*)\])?\s*", str(text))
    if not match or match.group(1) not in _AXES:
        raise ValueError(f"not a cell of a known matrix: {text!r}")
    matrix, inside = match.group(1), match.group(2)
    axes = [axis for axis in _AXES[matrix] if axis]
    parts = [part.strip() for part in inside.split(",")] if inside else []
    if len(parts) != len(axes):
        raise ValueError(f"{matrix} takes {len(axes)} index(es) ({', '.join(axes) or 'none'}): {text!r}")
    index = iter(parts)
    cell = []
    for axis in _AXES[matrix]:
        if not axis:
            cell.append(0)
            continue
        part = next(index)
        if not re.fullmatch(rf"{axis}[1-9]\d*", part):
            raise ValueError(f"expected {axis}1, {axis}2, … in {text!r}, got {part!r}")
        cell.append(int(part[1:]) - 1)
    return matrix, (cell[0], cell[1])


def short_number(value: float, digits: int = 3) -> str:
    """3 significant digits with a true minus sign; scientific only when tiny or huge."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = abs(value)
    text = f"{value:.{digits - 1}e}" if magnitude >= 1e4 or magnitude < 1e-3 else f"{value:.{digits}g}"
    return text.replace("-", "−")


def complete_matrices(values: Mapping[str, np.ndarray], lr: float | None = None) -> dict[str, np.ndarray]:
    """Every matrix a chain may read, by the article's names, computed by nn_core when missing.

    ``values`` needs X, Y, W1, b1, W2, b2; the page's ``collect_matrices`` output already has everything.
    With ``lr`` the "new *" parameters (one gradient step) are added when absent.
    """
    out = {name: np.atleast_2d(np.asarray(value, dtype=float)) for name, value in values.items()}
    params = {name: out[name] for name in ("W1", "b1", "W2", "b2")}
    if not all(name in out for name in ("Z1", "A1", "Z2", "Yh")):
        out.update(forward(params, out["X"]))
    if not all(name in out for name in BACKWARD_MATRICES):
        cache = {name: out[name] for name in ("Z1", "A1", "Z2", "Yh")}
        out.update(backward(params, out["X"], out["Y"], cache))
    if "Loss" not in out:
        out["Loss"] = np.array([[_cross_entropy_per_sample(out["Z2"], out["Y"]).sum() / out["Z2"].size]])
    if lr is not None:
        for name in ("W1", "b1", "W2", "b2"):
            out.setdefault(f"new {name}", out[name] - lr * out[f"dLoss_{name}"])
    return out


def sample_contributions(values: Mapping[str, np.ndarray], sample: int | None) -> dict[str, np.ndarray]:
    """One sample's share of each weight gradient: dLoss_Z1[h,s]·X[f,s] and dLoss_Z2[s]·A1[h,s].

    Their mean over the samples is dLoss_W1 / dLoss_W2, so ``sample=None`` returns the matrices themselves.
    A hidden unit whose ReLU is off for the sample contributes exactly 0 to every one of its weights.
    """
    v = complete_matrices(values)
    if sample is None:
        return {"dLoss_W1": v["dLoss_W1"], "dLoss_W2": v["dLoss_W2"]}
    return {"dLoss_W1": np.outer(v["dLoss_Z1"][:, sample], v["X"][:, sample]),
            "dLoss_W2": v["dLoss_Z2"][:, [sample]] * v["A1"][:, sample][np.newaxis, :]}


def chain_for_cell(matrix: str, cell: tuple[int, int], values: Mapping[str, np.ndarray],
                   lr: float | None = None) -> Chain:
    """The chain of scalars behind ``matrix[cell]`` (0-based), for every matrix in ``CHAIN_MATRICES``.

    ``values`` holds at least X, Y, W1, b1, W2, b2 (anything missing is computed by nn_core); ``lr`` is
    needed only for the "new *" matrices of the update.
    """
    if matrix not in _BUILDERS:
        raise KeyError(f"no chain for {matrix!r}; known: {', '.join(CHAIN_MATRICES)}")
    if matrix.startswith("new ") and lr is None:
        raise ValueError(f"the update {matrix!r} needs the learning rate lr")
    v = complete_matrices(values, lr)
    row, col = int(cell[0]), int(cell[1])
    rows, cols = v[matrix].shape
    if not (0 <= row < rows and 0 <= col < cols):
        raise IndexError(f"{matrix} is {rows}×{cols}; cell {cell} is outside it")
    return _BUILDERS[matrix](v, row, col, lr)


# --- builders, one per matrix ---------------------------------------------------------------------------

def _f(matrix: str, v: Mapping[str, np.ndarray], row: int, col: int, note: str = "") -> Factor:
    return Factor(cell_label(matrix, (row, col)), float(v[matrix][row, col]), note)


def _relu_prime(v: Mapping[str, np.ndarray], h: int, s: int) -> Factor:
    z = float(v["Z1"][h, s])
    value = float(d_relu(np.array(z)))
    note = f"Z1 = {short_number(z)} > 0, unit on" if value else f"Z1 = {short_number(z)} ≤ 0, unit off"
    return Factor(f"ReLU′(Z1[h{h + 1},s{s + 1}])", value, note)


def _cross_entropy_text(y: float, yh: float) -> str:
    return f"−[{_num(y)}·log {_num(yh)} + (1 − {_num(y)})·log(1 − {_num(yh)})]"


def _given(v, row, col, lr, matrix):
    what = "data" if matrix in ("X", "Y") else "a parameter"
    name = cell_label(matrix, (row, col))
    factor = _f(matrix, v, row, col)
    return Chain(matrix, (row, col), name, factor.value, f"{name} is {what}: given, not computed",
                 (Term(name, (factor,), factor.value),), "given")


def _z1(v, h, s, lr=None):
    n_x = v["X"].shape[0]
    terms = tuple(Term(f"f{f + 1}", (_f("W1", v, h, f), _f("X", v, f, s)), float(v["W1"][h, f] * v["X"][f, s]))
                  for f in range(n_x))
    name = cell_label("Z1", (h, s))
    return Chain("Z1", (h, s), name, float(v["Z1"][h, s]),
                 f"{name} = Σ_f W1[h{h + 1},f]·X[f,s{s + 1}] + b1[h{h + 1}]", terms,
                 offset=_f("b1", v, h, 0))


def _a1(v, h, s, lr=None):
    z = _f("Z1", v, h, s)
    name = cell_label("A1", (h, s))
    value = float(relu(np.array(z.value)))
    return Chain("A1", (h, s), name, float(v["A1"][h, s]), f"{name} = ReLU(Z1[h{h + 1},s{s + 1}]) = max(Z1, 0)",
                 (Term("ReLU", (z,), value, vanished=z.value <= 0),), "relu", steps=(_z1(v, h, s),))


def _z2(v, _row, s, lr=None):
    n_h = v["W2"].shape[1]
    terms = tuple(Term(f"h{h + 1}", (_f("W2", v, 0, h), _f("A1", v, h, s)), float(v["W2"][0, h] * v["A1"][h, s]),
                       vanished=bool(v["Z1"][h, s] <= 0)) for h in range(n_h))
    name = cell_label("Z2", (0, s))
    return Chain("Z2", (0, s), name, float(v["Z2"][0, s]), f"{name} = Σ_h W2[h]·A1[h,s{s + 1}] + b2", terms,
                 offset=_f("b2", v, 0, 0), steps=tuple(_a1(v, h, s) for h in range(n_h)))


def _yh(v, _row, s, lr=None):
    z = _f("Z2", v, 0, s)
    name = cell_label("Yh", (0, s))
    return Chain("Yh", (0, s), name, float(v["Yh"][0, s]), f"{name} = σ(Z2[s{s + 1}]) = 1 / (1 + e^(−Z2))",
                 (Term("σ", (z,), float(sigmoid(np.array(z.value)))),), "sigmoid", steps=(_z2(v, 0, s),))


def _loss(v, _row, _col, lr=None):
    m = v["Z2"].shape[1]
    per_sample = _cross_entropy_per_sample(v["Z2"], v["Y"])[0]
    terms = tuple(Term(f"s{s + 1}", (_f("Y", v, 0, s), _f("Yh", v, 0, s)), float(per_sample[s]),
                       text=_cross_entropy_text(float(v["Y"][0, s]), float(v["Yh"][0, s])))
                  for s in range(m))
    return Chain("Loss", (0, 0), "Loss", float(v["Loss"][0, 0]),
                 "Loss = (1/m) Σ_s −[Y[s]·log Yh[s] + (1 − Y[s])·log(1 − Yh[s])]", terms,
                 scale=1.0 / m, scale_label=f"1/{m}")


def _dloss_yh(v, _row, s, lr=None):
    z, y = v["Z2"][:, [s]], float(v["Y"][0, s])
    # −Y/Yh and (1 − Y)/(1 − Yh), each from nn_core's own stable form (label 1 and label 0)
    minus_y_over_yh = y * float(loss_gradient_wrt_yh(z, np.ones_like(z))[0, 0])
    one_minus_y_over = (1.0 - y) * float(loss_gradient_wrt_yh(z, np.zeros_like(z))[0, 0])
    yf, yhf = _f("Y", v, 0, s), _f("Yh", v, 0, s)
    name = cell_label("dLoss_Yh", (0, s))
    return Chain("dLoss_Yh", (0, s), name, float(v["dLoss_Yh"][0, s]),
                 f"{name} = −Y[s{s + 1}]/Yh[s{s + 1}] + (1 − Y[s{s + 1}])/(1 − Yh[s{s + 1}])",
                 (Term("−Y/Yh", (yf, yhf), minus_y_over_yh, text=f"−{_num(y)}/{_num(yhf.value)}"),
                  Term("(1 − Y)/(1 − Yh)", (yf, yhf), one_minus_y_over,
                       text=f"(1 − {_num(y)})/(1 − {_num(yhf.value)})")))


def _dloss_z2(v, _row, s, lr=None):
    name = cell_label("dLoss_Z2", (0, s))
    yh, y = _f("Yh", v, 0, s), _f("Y", v, 0, s)
    sigma_prime = float(d_sigmoid(v["Z2"][:, [s]])[0, 0])
    return Chain("dLoss_Z2", (0, s), name, float(v["dLoss_Z2"][0, s]),
                 f"{name} = Yh[s{s + 1}] − Y[s{s + 1}]  (= dLoss_Yh·σ′(Z2), σ′ = {short_number(sigma_prime)})",
                 (Term("", (yh,), yh.value, text=f"Yh[s{s + 1}]"), Term("", (y,), -y.value, text=f"−Y[s{s + 1}]")))


def _dloss_a1(v, h, s, lr=None):
    name = cell_label("dLoss_A1", (h, s))
    w, g = _f("W2", v, 0, h), _f("dLoss_Z2", v, 0, s)
    return Chain("dLoss_A1", (h, s), name, float(v["dLoss_A1"][h, s]),
                 f"{name} = W2[h{h + 1}]·dLoss_Z2[s{s + 1}]", (Term("", (w, g), w.value * g.value),), "product",
                 steps=(_dloss_z2(v, 0, s),))


def _dloss_z1(v, h, s, lr=None):
    name = cell_label("dLoss_Z1", (h, s))
    a, r = _f("dLoss_A1", v, h, s), _relu_prime(v, h, s)
    return Chain("dLoss_Z1", (h, s), name, float(v["dLoss_Z1"][h, s]),
                 f"{name} = dLoss_A1[h{h + 1},s{s + 1}]·ReLU′(Z1[h{h + 1},s{s + 1}])",
                 (Term("", (a, r), a.value * r.value, vanished=r.value == 0),), "product",
                 steps=(_dloss_a1(v, h, s),))


def _mean_over_samples(matrix, v, row, col, formula, factors_for, vanished_for, step_for) -> Chain:
    m = v["X"].shape[1]
    terms = []
    for s in range(m):
        factors = factors_for(s)
        terms.append(Term(f"s{s + 1}", factors, float(np.prod([f.value for f in factors])), vanished_for(s)))
    return Chain(matrix, (row, col), cell_label(matrix, (row, col)), float(v[matrix][row, col]), formula,
                 tuple(terms), scale=1.0 / m, scale_label=f"1/{m}",
                 steps=tuple(step_for(s) for s in range(m)) if step_for else ())


def _dloss_w2(v, _row, h, lr=None):
    return _mean_over_samples(
        "dLoss_W2", v, 0, h, f"dLoss_W2[h{h + 1}] = (1/m) Σ_s dLoss_Z2[s]·A1[h{h + 1},s]",
        lambda s: (_f("dLoss_Z2", v, 0, s), _f("A1", v, h, s)), lambda s: bool(v["Z1"][h, s] <= 0),
        lambda s: _dloss_z2(v, 0, s))


def _dloss_b2(v, _row, _col, lr=None):
    return _mean_over_samples("dLoss_b2", v, 0, 0, "dLoss_b2 = (1/m) Σ_s dLoss_Z2[s]",
                              lambda s: (_f("dLoss_Z2", v, 0, s),), lambda s: False, lambda s: _dloss_z2(v, 0, s))


def _dloss_w1(v, h, f, lr=None):
    return _mean_over_samples(
        "dLoss_W1", v, h, f, f"dLoss_W1[h{h + 1},f{f + 1}] = (1/m) Σ_s dLoss_Z1[h{h + 1},s]·X[f{f + 1},s]",
        lambda s: (_f("dLoss_Z1", v, h, s), _f("X", v, f, s)), lambda s: bool(v["Z1"][h, s] <= 0),
        lambda s: _dloss_z1(v, h, s))


def _dloss_b1(v, h, _col, lr=None):
    return _mean_over_samples(
        "dLoss_b1", v, h, 0, f"dLoss_b1[h{h + 1}] = (1/m) Σ_s dLoss_Z1[h{h + 1},s]",
        lambda s: (_f("dLoss_Z1", v, h, s),), lambda s: bool(v["Z1"][h, s] <= 0), lambda s: _dloss_z1(v, h, s))


def _dloss_a0(v, f, s, lr=None):
    n_h = v["W1"].shape[0]
    terms = tuple(Term(f"h{h + 1}", (_f("W1", v, h, f), _f("dLoss_Z1", v, h, s)),
                       float(v["W1"][h, f] * v["dLoss_Z1"][h, s]), vanished=bool(v["Z1"][h, s] <= 0))
                  for h in range(n_h))
    name = cell_label("dLoss_A0", (f, s))
    return Chain("dLoss_A0", (f, s), name, float(v["dLoss_A0"][f, s]),
                 f"{name} = Σ_h W1[h,f{f + 1}]·dLoss_Z1[h,s{s + 1}]", terms,
                 steps=tuple(_dloss_z1(v, h, s) for h in range(n_h)))


def _update(param: str):
    def build(v, row, col, lr):
        matrix = f"new {param}"
        old, grad = _f(param, v, row, col), _f(f"dLoss_{param}", v, row, col)
        name = cell_label(matrix, (row, col))
        step = _BUILDERS[f"dLoss_{param}"](v, row, col, lr)
        # old + (−(η·g)) rounds exactly like old − η·g, so the total is the updated cell
        terms = (Term("before", (old,), old.value),
                 Term("step", (Factor("−η", -float(lr)), grad), -(float(lr) * grad.value)))
        return Chain(matrix, (row, col), name, float(v[matrix][row, col]),
                     f"{name} = {old.label} − η·{grad.label}", terms, steps=(step,))
    return build


_BUILDERS = {
    **{name: partial(_given, matrix=name) for name in GIVEN_MATRICES},
    "Z1": _z1, "A1": _a1, "Z2": _z2, "Yh": _yh, "Loss": _loss,
    "dLoss_Yh": _dloss_yh, "dLoss_Z2": _dloss_z2, "dLoss_A1": _dloss_a1, "dLoss_W2": _dloss_w2,
    "dLoss_b2": _dloss_b2, "dLoss_Z1": _dloss_z1, "dLoss_W1": _dloss_w1, "dLoss_b1": _dloss_b1,
    "dLoss_A0": _dloss_a0,
    **{f"new {name}": _update(name) for name in ("W1", "b1", "W2", "b2")},
}


# --- text -----------------------------------------------------------------------------------------------

def shown_terms(chain: Chain, max_terms: int | None = None) -> ShownTerms:
    """The first ``max_terms`` terms and a summary of the rest (their count and exact sum)."""
    if max_terms is None or len(chain.terms) <= max_terms:
        return ShownTerms(chain.terms, 0, 0.0, 0)
    rest = chain.terms[max_terms:]
    return ShownTerms(chain.terms[:max_terms], len(rest), math.fsum(t.value for t in rest),
                      sum(t.vanished for t in rest))


def _num(value: float) -> str:
    text = short_number(value)
    return f"({text})" if text.startswith("−") else text


VANISHED = "✗ vanishes: ReLU off (Z1 ≤ 0)"


def _term_text(term: Term) -> str:
    """'label = numbers = value' for one term, the vanishing marked."""
    if term.text:
        text = f"{term.text} = {short_number(term.value)}"
    else:
        labels = " · ".join(f.label for f in term.factors)
        numbers = " · ".join(_num(f.value) for f in term.factors)
        text = f"{labels} = {numbers} = {short_number(term.value)}" if len(term.factors) > 1 \
            else f"{labels} = {short_number(term.value)}"
    prefix = f"{term.label}: " if term.label else ""
    return prefix + text + (f"   {VANISHED}" if term.vanished else "")


def render_chain(chain: Chain, *, max_terms: int | None = 6, max_depth: int = 4, indent: str = "  ") -> list[str]:
    """The chain as plain-text lines (unicode, 3 significant digits), sub-steps indented below it.

    Sums longer than ``max_terms`` show their first terms and "… n more terms (sum …)"; the total line
    is always the exact total of all terms. ``max_depth`` is how many levels of chains are written: 4 takes
    dLoss_W1 down through dLoss_Z1 and dLoss_A1 to dLoss_Z2 = Yh − Y; 1 is the cell's own sum only.
    """
    return _render(chain, max_terms, max_depth, indent, 0)


def _render(chain: Chain, max_terms, max_depth, indent, depth) -> list[str]:
    pad, inner = indent * depth, indent * (depth + 1)
    op = chain.operation
    if op == "given":
        return [pad + f"{chain.name} = {short_number(chain.value)}  ({chain.formula.split(' is ')[1]})"]
    lines = [pad + chain.formula]
    if op in ("relu", "sigmoid"):
        term = chain.terms[0]
        fn = "ReLU" if op == "relu" else "σ"
        note = "   (Z1 ≤ 0: the unit is off)" if term.vanished else ""
        lines.append(inner + f"= {fn}({short_number(term.factors[0].value)}) = {short_number(term.value)}{note}")
    elif op == "product":
        term = chain.terms[0]
        lines.append(inner + f"= {' · '.join(_num(f.value) for f in term.factors)} = {short_number(term.value)}")
        lines += [inner + f"  {f.label} = {short_number(f.value)}  ({f.note})" for f in term.factors if f.note]
        if term.vanished:
            lines.append(inner + "  ✗ vanishes: ReLU′ = 0 blocks the gradient")
    else:
        part = shown_terms(chain, max_terms)
        lines += [inner + _term_text(term) for term in part.shown]
        if part.hidden_count:
            cut = f", {part.hidden_vanished} of them vanish" if part.hidden_vanished else ""
            lines.append(inner + f"… {part.hidden_count} more terms (they add up to {short_number(part.hidden_sum)}"
                                 f"{cut})")
        if chain.offset is not None:
            lines.append(inner + f"+ {chain.offset.label} = {short_number(chain.offset.value)}")
        summed = math.fsum(t.value for t in chain.terms)
        if chain.scale_label:
            arithmetic = f"({chain.scale_label})·{_num(summed)}"
        elif len(chain.terms) <= 4:
            arithmetic = " + ".join(_num(t.value) for t in chain.terms)
        else:
            arithmetic = short_number(summed)
        if chain.offset is not None:
            arithmetic += f" + {_num(chain.offset.value)}"
        vanished = (f"   ({chain.vanished_count} of {len(chain.terms)} terms vanish: ReLU off)"
                    if chain.vanished_count else "")
        lines.append(inner + f"= {arithmetic} = {short_number(chain.total)}{vanished}")
    if depth // 2 + 1 < max_depth and chain.steps:  # each level of sub-steps is indented twice
        steps = chain.steps if max_terms is None else chain.steps[:max_terms]
        lines.append(inner + "where")
        for step in steps:
            lines += _render(step, max_terms, max_depth, indent, depth + 2)
        if len(chain.steps) > len(steps):
            lines.append(inner + indent + f"… {len(chain.steps) - len(steps)} more")
    return lines


__all__: Sequence[str] = (
    "CHAIN_MATRICES", "Chain", "Factor", "ShownTerms", "Term", "cell_label", "chain_for_cell",
    "parse_cell_label",
    "complete_matrices", "render_chain", "sample_contributions", "short_number", "shown_terms",
)
