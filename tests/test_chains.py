"""Every cell's chain of scalars adds up to the cell nn_core computed, for random shapes and numbers."""

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core.chains import (
    BACKWARD_MATRICES,
    CHAIN_MATRICES,
    FORWARD_MATRICES,
    UPDATE_MATRICES,
    cell_label,
    chain_for_cell,
    complete_matrices,
    parse_cell_label,
    render_chain,
    sample_contributions,
    short_number,
    shown_terms,
)
from nn_core.network import backward, forward, init_params
from nn_core.training import train

TOLERANCE = 1e-12


def make_example(n_x: int, n_h: int, m: int, seed: int, zero_z1: bool = False):
    """Random X (order 1), binary Y, the article's initial weights with random biases."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    params = init_params(n_x, n_h, seed=seed % 1000)
    params["b1"] = rng.normal(scale=0.3, size=(n_h, 1))
    params["b2"] = rng.normal(scale=0.3, size=(1, 1))
    if zero_z1:  # a hidden unit with Z1 exactly 0 on a sample: ReLU′(0) must count as 0
        X[:, 0] = 0.0
        params["b1"][0, 0] = 0.0
    return params, X, Y


examples = st.builds(make_example, n_x=st.integers(1, 7), n_h=st.integers(1, 8), m=st.integers(1, 20),
                     seed=st.integers(0, 10_000), zero_z1=st.booleans())


def reference(params, X, Y, lr):
    """The matrices straight from nn_core, independently of chains.complete_matrices."""
    cache = forward(params, X)
    grads = backward(params, X, Y, cache)
    updated, losses = train(params, X, Y, lr=lr, iterations=1)
    return {"X": X, "Y": Y, **params, **cache, **grads, "Loss": np.array([[losses[0]]]),
            **{f"new {name}": value for name, value in updated.items()}}


@settings(max_examples=25, deadline=None)
@given(example=examples, lr=st.floats(0.01, 5.0))
def test_every_chain_totals_its_cell(example, lr):
    params, X, Y = example
    ref = reference(params, X, Y, lr)
    for matrix in CHAIN_MATRICES:
        values = complete_matrices({**params, "X": X, "Y": Y}, lr)
        expected = np.atleast_2d(ref[matrix])
        chains = [chain_for_cell(matrix, cell, values, lr) for cell in np.ndindex(expected.shape)]
        assert len(chains) == expected.size
        for chain in chains:
            cell = expected[chain.cell]
            assert abs(chain.value - cell) <= TOLERANCE, (matrix, chain.cell)
            assert abs(chain.total - cell) <= TOLERANCE * max(1.0, abs(cell)), (matrix, chain.cell, chain.total, cell)


@settings(max_examples=25, deadline=None)
@given(example=examples)
def test_terms_vanish_exactly_where_the_relu_is_off(example):
    params, X, Y = example
    values = {**params, "X": X, "Y": Y}
    Z1 = forward(params, X)["Z1"]
    off = Z1 <= 0
    n_h, m = Z1.shape
    for h in range(n_h):
        for f in range(X.shape[0]):
            chain = chain_for_cell("dLoss_W1", (h, f), values)
            assert [t.vanished for t in chain.terms] == list(off[h])
            assert all(t.value == 0 for t in chain.terms if t.vanished)
        for s in range(m):
            dz1 = chain_for_cell("dLoss_Z1", (h, s), values)
            relu_prime = dz1.terms[0].factors[1]
            assert relu_prime.value == (0.0 if off[h, s] else 1.0)
            assert dz1.terms[0].vanished == off[h, s]
            assert chain_for_cell("A1", (h, s), values).terms[0].vanished == off[h, s]
        for matrix in ("dLoss_b1", "dLoss_W2"):
            chain = chain_for_cell(matrix, (h, 0) if matrix == "dLoss_b1" else (0, h), values)
            assert [t.vanished for t in chain.terms] == list(off[h])
    for s in range(m):
        assert [t.vanished for t in chain_for_cell("Z2", (0, s), values).terms] == list(off[:, s])


def test_dloss_w1_chain_goes_down_to_yh_minus_y():
    params, X, Y = make_example(3, 4, 5, seed=3)
    chain = chain_for_cell("dLoss_W1", (2, 1), {**params, "X": X, "Y": Y})
    assert chain.name == "dLoss_W1[h3,f2]" and chain.scale == pytest.approx(1 / 5)
    assert [t.label for t in chain.terms] == ["s1", "s2", "s3", "s4", "s5"]
    assert [f.label for f in chain.terms[0].factors] == ["dLoss_Z1[h3,s1]", "X[f2,s1]"]
    dz1 = chain.steps[0]
    assert dz1.matrix == "dLoss_Z1" and dz1.steps[0].matrix == "dLoss_A1"
    dz2 = dz1.steps[0].steps[0]
    assert dz2.matrix == "dLoss_Z2" and dz2.name == "dLoss_Z2[s1]"
    Yh = forward(params, X)["Yh"]
    assert [t.value for t in dz2.terms] == [Yh[0, 0], -Y[0, 0]]


def test_shown_terms_keep_the_exact_total():
    params, X, Y = make_example(2, 3, 40, seed=5)
    chain = chain_for_cell("dLoss_W1", (1, 0), {**params, "X": X, "Y": Y})
    part = shown_terms(chain, 4)
    assert len(part.shown) == 4 and part.hidden_count == 36
    assert sum(t.value for t in part.shown) + part.hidden_sum == pytest.approx(sum(t.value for t in chain.terms))
    assert part.hidden_vanished == sum(t.vanished for t in chain.terms[4:])
    lines = render_chain(chain, max_terms=4, max_depth=1)
    assert any(line.strip().startswith("… 36 more terms") for line in lines)
    assert lines[-1].strip().startswith("= (1/40)·") and short_number(chain.value) in lines[-1]
    assert shown_terms(chain, None).hidden_count == 0


def test_rendering_marks_vanished_terms_and_relu_prime():
    params, X, Y = make_example(2, 3, 6, seed=11)
    values = {**params, "X": X, "Y": Y}
    Z1 = forward(params, X)["Z1"]
    h, s = map(int, np.argwhere(Z1 <= 0)[0])
    lines = render_chain(chain_for_cell("dLoss_W1", (h, 0), values), max_terms=None, max_depth=2)
    vanished = [line for line in lines if line.strip().startswith(f"s{s + 1}:")]
    assert vanished and "✗" in vanished[0]
    assert any(f"ReLU′(Z1[h{h + 1},s{s + 1}]) = 0" in line for line in lines)


def test_labels_and_numbers():
    assert cell_label("dLoss_W1", (2, 1)) == "dLoss_W1[h3,f2]"
    assert cell_label("W2", (0, 3)) == "W2[h4]"
    assert cell_label("b2", (0, 0)) == "b2"
    assert cell_label("new b1", (1, 0)) == "new b1[h2]"
    assert short_number(-0.04471) == "−0.0447"
    assert short_number(0.0) == "0"
    assert short_number(1.5e-5) == "1.50e−05"


def test_sample_contributions_average_to_the_weight_gradients():
    params, X, Y = make_example(4, 5, 7, seed=2)
    values = {**params, "X": X, "Y": Y}
    grads = backward(params, X, Y, forward(params, X))
    shares = [sample_contributions(values, s) for s in range(7)]
    for name in ("dLoss_W1", "dLoss_W2"):
        np.testing.assert_allclose(np.mean([share[name] for share in shares], axis=0), grads[name], atol=1e-14)
        np.testing.assert_array_equal(sample_contributions(values, None)[name], grads[name])
    off = forward(params, X)["Z1"][:, 3] <= 0
    assert np.all(shares[3]["dLoss_W1"][off] == 0) and np.all(shares[3]["dLoss_W2"][0, off] == 0)


def test_bad_requests_are_refused():
    params, X, Y = make_example(2, 2, 3, seed=0)
    values = {**params, "X": X, "Y": Y}
    with pytest.raises(KeyError):
        chain_for_cell("Z3", (0, 0), values)
    with pytest.raises(IndexError):
        chain_for_cell("Z1", (2, 0), values)
    with pytest.raises(ValueError, match="learning rate"):
        chain_for_cell("new W1", (0, 0), values)


def test_matrix_lists_cover_the_pass():
    assert set(FORWARD_MATRICES) == {"Z1", "A1", "Z2", "Yh", "Loss"}
    assert {"dLoss_W1", "dLoss_b1", "dLoss_Z1"} <= set(BACKWARD_MATRICES)
    assert set(UPDATE_MATRICES) == {"new W1", "new b1", "new W2", "new b2"}


@pytest.mark.parametrize("matrix", CHAIN_MATRICES)
def test_cell_labels_parse_back_for_every_matrix(matrix):
    params, X, Y = make_example(3, 4, 5, seed=1)
    shape = np.shape(reference(params, X, Y, 0.5)[matrix])
    for row in range(shape[0]):
        for col in range(shape[1]):
            assert parse_cell_label(cell_label(matrix, (row, col))) == (matrix, (row, col))


@pytest.mark.parametrize("text", ["dLoss_W1[h3]", "dLoss_W1[f2,h3]", "W2[h0]", "Z9[s1]", "b2[h1]", "Loss[s1]",
                                  "dLoss_W1[h3,f2", ""])
def test_bad_cell_labels_are_refused(text):
    with pytest.raises(ValueError):
        parse_cell_label(text)


def test_rendering_depth_counts_levels_of_the_chain():
    params, X, Y = make_example(3, 4, 5, seed=3)
    chain = chain_for_cell("dLoss_W1", (2, 1), {**params, "X": X, "Y": Y})
    text = "\n".join(render_chain(chain, max_terms=1))  # default: down to dLoss_Z2 = Yh − Y
    assert "dLoss_Z1[h3,s1] =" in text and "dLoss_A1[h3,s1] =" in text and "dLoss_Z2[s1] = Yh[s1] − Y[s1]" in text
    shallow = "\n".join(render_chain(chain, max_terms=1, max_depth=2))
    assert "dLoss_Z1[h3,s1] =" in shallow and "dLoss_A1[h3,s1] =" not in shallow
    assert "where" not in "\n".join(render_chain(chain, max_depth=1))


def _factors(chain):
    """Every factor of a chain and of the chains of its factors (its steps), the offset included."""
    for term in chain.terms:
        yield from term.factors
    if chain.offset is not None:
        yield chain.offset
    for step in chain.steps:
        yield from _factors(step)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_factor_is_the_cell_its_label_names(seed):
    """A factor's label is what a learner reads its number as: ReLU′(Z1[h2,s3]) is unit 2's gate on sample 3. A
    label that swapped unit and sample kept every total right (the product is the same number), so each label is
    read back here and its cell looked up."""
    params, X, Y = make_example(3, 4, 5, seed)  # 4 units, 5 samples: a swapped label names another cell
    lr = 0.5
    v = complete_matrices({"X": X, "Y": Y, **params}, lr)
    for matrix in CHAIN_MATRICES:
        rows, cols = v[matrix].shape
        for cell in itertools.product(range(rows), range(cols)):
            chain = chain_for_cell(matrix, cell, v, lr=lr)
            assert chain.name == cell_label(matrix, cell) and chain.value == v[matrix][cell]
            for factor in _factors(chain):
                if factor.label == "−η":
                    assert factor.value == -lr
                    continue
                gate = re.fullmatch(r"ReLU′\((.+)\)", factor.label)
                name, (row, col) = parse_cell_label(gate.group(1) if gate else factor.label)
                assert row < v[name].shape[0] and col < v[name].shape[1], (matrix, cell, factor.label)
                expected = float(v[name][row, col] > 0) if gate else float(v[name][row, col])
                assert factor.value == expected, (matrix, cell, factor.label)


def _chains(chain):
    yield chain
    for step in chain.steps:
        yield from _chains(step)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_formula_indexes_each_matrix_by_its_own_axes_at_the_chains_cell(seed):
    """A chain's formula as the learner reads it: every matrix in it indexed by that matrix's axes (b1 by unit, X by
    feature and sample), and every concrete index of the chain's own axes the chain's cell (Z1[h2,s3] = Σ_f
    W1[h2,f]·X[f,s3] + b1[h2]; a b1[s3] survived the issue-29 mutation run)."""
    from nn_core.chains import _AXES

    params, X, Y = make_example(3, 4, 5, seed)
    lr = 0.5
    v = complete_matrices({"X": X, "Y": Y, **params}, lr)
    checked = 0
    for matrix in CHAIN_MATRICES:
        rows, cols = v[matrix].shape
        for cell in itertools.product(range(rows), range(cols)):
            for chain in _chains(chain_for_cell(matrix, cell, v, lr=lr)):
                own = dict(zip(_AXES[chain.matrix], (chain.cell[0] + 1, chain.cell[1] + 1), strict=True))
                for name, inside in re.findall(r"([A-Za-z][A-Za-z_0-9]*)\[([^\]]*)\]", chain.formula):
                    parts = [part.strip() for part in inside.split(",")]
                    letters = [re.fullmatch(r"([a-z])(\d*)", part) for part in parts]
                    assert all(letters), (chain.formula, inside)
                    assert [m.group(1) for m in letters] == [axis for axis in _AXES[name] if axis], (
                        chain.formula, name)
                    for m in letters:
                        if m.group(2):
                            assert own.get(m.group(1)) == int(m.group(2)), (chain.name, chain.formula)
                            checked += 1
    assert checked > 100
