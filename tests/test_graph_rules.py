"""Each node's local rule: its numbers are nn_core's (random shapes), ReLU's gate is Z1 > 0, σ's factor is
Yh(1 − Yh), an add gate's bias sum is the article's dLoss_b, and every pointer names a real stage and cell."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.graph_rules import local_rule
from lessons.stages import STAGE_KEYS
from nn_core.chains import parse_cell_label
from nn_core.graph import GRAPH_NODES
from tests.test_chains import make_example
from tests.test_graph import core_matrices

shapes = st.tuples(st.integers(1, 6), st.integers(1, 8), st.integers(1, 16), st.integers(0, 10_000), st.booleans())
CLOSE = {"rtol": 1e-10, "atol": 1e-12}


@settings(max_examples=30, deadline=None)
@given(shapes, st.data())
def test_every_rules_numbers_are_the_cores(shape, data):
    params, X, Y = make_example(*shape[:4], zero_z1=shape[4])
    v = core_matrices(params, X, Y)
    s = data.draw(st.integers(0, X.shape[1] - 1))
    m = X.shape[1]

    relu = local_rule(v, "ReLU", s).numbers
    np.testing.assert_array_equal(relu["passes"], v["Z1"][:, s] > 0)  # Z1 exactly 0 blocks (zero_z1, sample 0)
    np.testing.assert_array_equal(relu["outgoing"], v["dLoss_Z1"][:, s])
    np.testing.assert_array_equal(relu["incoming"], v["dLoss_A1"][:, s])

    sigma = local_rule(v, "σ", s).numbers
    np.testing.assert_allclose(sigma["factor"], (v["Yh"] * (1 - v["Yh"]))[0], **CLOSE)
    np.testing.assert_allclose(sigma["outgoing"], v["dLoss_Z2"][0], rtol=1e-7, atol=1e-9)  # the article's chain
    np.testing.assert_array_equal(sigma["Yh − Y"], v["dLoss_Z2"][0])

    add1 = local_rule(v, "+ b1", s).numbers
    np.testing.assert_allclose(add1["dLoss_b1"], v["dLoss_b1"], **CLOSE)
    np.testing.assert_array_equal(add1["to W1·X"], v["dLoss_Z1"][:, s])
    add2 = local_rule(v, "+ b2", s).numbers
    np.testing.assert_allclose(add2["dLoss_b2"], v["dLoss_b2"], **CLOSE)

    mul1 = local_rule(v, "W1·X", s)
    np.testing.assert_allclose(mul1.numbers["dLoss_W1"], v["dLoss_W1"], **CLOSE)
    np.testing.assert_allclose(mul1.numbers["share"], np.outer(v["dLoss_Z1"][:, s], X[:, s]), **CLOSE)
    (pointer,) = mul1.see
    np.testing.assert_allclose(mul1.numbers["cell shares"].sum() / m, v["dLoss_W1"][pointer.cell], **CLOSE)

    mul2 = local_rule(v, "W2·A1", s).numbers
    np.testing.assert_allclose(mul2["to A1"], v["dLoss_A1"][:, s], **CLOSE)
    np.testing.assert_allclose(mul2["dLoss_W2"], v["dLoss_W2"], **CLOSE)
    np.testing.assert_array_equal(local_rule(v, "loss", s).numbers["dLoss_Yh"], v["dLoss_Yh"][0])

    for node in GRAPH_NODES:  # every pointer opens a real stage on a cell of a matrix it shows
        for pointer in local_rule(v, node.key, s).see:
            assert pointer.stage in STAGE_KEYS
            matrix, cell = parse_cell_label(pointer.label)
            assert (matrix, cell) == (pointer.matrix, pointer.cell)
            assert cell[0] < np.atleast_2d(v[matrix]).shape[0] and cell[1] < np.atleast_2d(v[matrix]).shape[1]


def test_the_relu_rule_names_the_units_it_passes_and_blocks():
    params, X, Y = make_example(3, 4, 5, 3, zero_z1=True)  # sample s1: h1 has Z1 exactly 0
    v = core_matrices(params, X, Y)
    rule = local_rule(v, "ReLU", 0)
    on = [f"h{h + 1}" for h in range(4) if v["Z1"][h, 0] > 0]
    off = [f"h{h + 1}" for h in range(4) if not v["Z1"][h, 0] > 0]
    assert "h1" in off
    assert rule.note == f"passes: {', '.join(on) or 'none'}; blocked: {', '.join(off)}"
    assert [line.split(":")[0] for line in rule.lines if "blocked" in line] == off
    assert rule.see[0].label == "dLoss_Z1[h1,s1]"  # the first blocked unit's cell


def test_the_sigmoid_rule_shows_why_the_chain_is_yh_minus_y():
    params, X, Y = make_example(3, 4, 5, 3)
    v = core_matrices(params, X, Y)
    text = "\n".join(local_rule(v, "σ", 1).lines)
    assert "Yh(1 − Yh)" in text and "Yh − Y" in text and "slope cancels" in text
    assert local_rule(v, "W1·X", 1).lines[-1].startswith("X gets dLoss_Z1 times W1")  # dX: not needed, said so


def test_with_the_means_shown_the_rule_uses_the_first_sample_and_says_so():
    params, X, Y = make_example(3, 4, 5, 3)
    v = core_matrices(params, X, Y)
    rule = local_rule(v, "+ b1", None)
    assert "uses sample s1" in rule.note
    np.testing.assert_array_equal(rule.numbers["incoming"], v["dLoss_Z1"][:, 0])
