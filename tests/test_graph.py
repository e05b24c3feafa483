"""The computation graph's nodes hold nn_core's own values and gradients, for random shapes."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core.graph import GRAPH_EDGES, GRAPH_NODES, NODES_BY_KEY, node_grad, node_value
from nn_core.network import backward, forward, loss
from tests.test_chains import make_example

shapes = st.tuples(st.integers(1, 6), st.integers(1, 8), st.integers(1, 16), st.integers(0, 10_000))


def core_matrices(params, X, Y) -> dict[str, np.ndarray]:
    cache = forward(params, X)
    return {"X": X, "Y": Y, **params, **cache, **backward(params, X, Y, cache), "Loss": np.array([[loss(cache, Y)]])}


@settings(max_examples=30, deadline=None)
@given(shapes)
def test_every_node_holds_the_cores_value_and_grad(shape):
    params, X, Y = make_example(*shape)
    v = core_matrices(params, X, Y)
    expected_value = {"X": X, "W1": v["W1"], "W1·X": v["Z1"] - v["b1"], "b1": v["b1"], "+ b1": v["Z1"],
                      "ReLU": v["A1"], "W2": v["W2"], "W2·A1": v["Z2"] - v["b2"], "b2": v["b2"], "+ b2": v["Z2"],
                      "σ": v["Yh"], "Y": Y, "loss": v["Loss"]}
    expected_grad = {"X": None, "W1": v["dLoss_W1"], "W1·X": v["dLoss_Z1"], "b1": v["dLoss_b1"],
                     "+ b1": v["dLoss_Z1"], "ReLU": v["dLoss_A1"], "W2": v["dLoss_W2"], "W2·A1": v["dLoss_Z2"],
                     "b2": v["dLoss_b2"], "+ b2": v["dLoss_Z2"], "σ": v["dLoss_Yh"], "Y": None, "loss": np.ones((1, 1))}
    for node in GRAPH_NODES:
        np.testing.assert_allclose(node_value(v, node.key), expected_value[node.key], rtol=1e-12, atol=1e-12,
                                   err_msg=node.key)
        grad = node_grad(v, node.key)
        if expected_grad[node.key] is None:
            assert grad is None, node.key
        else:
            np.testing.assert_array_equal(grad, expected_grad[node.key], err_msg=node.key)


def test_the_graph_is_the_articles_forward_pass():
    assert GRAPH_EDGES == (("W1", "W1·X"), ("X", "W1·X"), ("W1·X", "+ b1"), ("b1", "+ b1"), ("+ b1", "ReLU"),
                           ("W2", "W2·A1"), ("ReLU", "W2·A1"), ("W2·A1", "+ b2"), ("b2", "+ b2"), ("+ b2", "σ"),
                           ("σ", "loss"), ("Y", "loss"))
    assert [NODES_BY_KEY[key].value_name for key in ("+ b1", "ReLU", "+ b2", "σ", "loss")] == \
        ["Z1", "A1", "Z2", "Yh", "Loss"]
