"""The article's forward pass as a computation graph, the way micrograd draws one: every operation is a node
that holds its value and its gradient, as the article's dLoss_* matrices hold it.

X, W1 → ``W1·X`` → ``+ b1`` (Z1) → ``ReLU`` (A1); W2, A1 → ``W2·A1`` → ``+ b2`` (Z2) → ``σ`` (Yh); Yh, Y → the loss.
Values and gradients are read from nn_core's own ``forward`` / ``backward`` matrices (the only products computed
here are W1·X and W2·A1, which the article never names). Gradients follow the article's conventions: per
sample for the activations (dLoss_Z1, dLoss_A1, …), averaged over the m samples for the parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

DATA, PARAMETER, OPERATION, LOSS = "data", "parameter", "operation", "loss"


@dataclass(frozen=True)
class GraphNode:
    """One node: ``label`` as the article writes it; ``value_name`` / ``grad_name`` are the article's matrices
    (None where the article has no name: W1·X, W2·A1, and the gradients it never needs, X's and Y's)."""

    key: str
    label: str
    kind: str
    inputs: tuple[str, ...]
    value_name: str | None
    grad_name: str | None
    per_sample: bool  # one column per sample (X, Z1, …) rather than a parameter shared by all samples


GRAPH_NODES: tuple[GraphNode, ...] = (
    GraphNode("X", "X", DATA, (), "X", None, True),
    GraphNode("W1", "W1", PARAMETER, (), "W1", "dLoss_W1", False),
    GraphNode("W1·X", "W1·X", OPERATION, ("W1", "X"), None, "dLoss_Z1", True),
    GraphNode("b1", "b1", PARAMETER, (), "b1", "dLoss_b1", False),
    GraphNode("+ b1", "+ b1", OPERATION, ("W1·X", "b1"), "Z1", "dLoss_Z1", True),
    GraphNode("ReLU", "ReLU", OPERATION, ("+ b1",), "A1", "dLoss_A1", True),
    GraphNode("W2", "W2", PARAMETER, (), "W2", "dLoss_W2", False),
    GraphNode("W2·A1", "W2·A1", OPERATION, ("W2", "ReLU"), None, "dLoss_Z2", True),
    GraphNode("b2", "b2", PARAMETER, (), "b2", "dLoss_b2", False),
    GraphNode("+ b2", "+ b2", OPERATION, ("W2·A1", "b2"), "Z2", "dLoss_Z2", True),
    GraphNode("σ", "σ", OPERATION, ("+ b2",), "Yh", "dLoss_Yh", True),
    GraphNode("Y", "Y", DATA, (), "Y", None, True),
    GraphNode("loss", "loss", LOSS, ("σ", "Y"), "Loss", None, False),
)
NODES_BY_KEY: dict[str, GraphNode] = {node.key: node for node in GRAPH_NODES}
# Every edge of the graph as (from, to), in the order of the forward pass.
GRAPH_EDGES: tuple[tuple[str, str], ...] = tuple((source, node.key) for node in GRAPH_NODES for source in node.inputs)


def node_value(matrices: Mapping[str, np.ndarray], key: str) -> np.ndarray:
    """The node's value: the article's matrix by name, or the product W1·X / W2·A1 the article adds b to."""
    if key == "W1·X":
        return matrices["W1"] @ matrices["X"]
    if key == "W2·A1":
        return matrices["W2"] @ matrices["A1"]
    return np.atleast_2d(matrices[NODES_BY_KEY[key].value_name])


def node_grad(matrices: Mapping[str, np.ndarray], key: str) -> np.ndarray | None:
    """The node's gradient as the article computes it — per sample for the activations (each column the slope of
    that sample's own loss, m times its slope in the mean loss), of the mean loss for the parameters; 1 for the
    loss itself; None for X and Y, whose gradients nothing needs (data is not learned). An add gate hands its
    gradient on unchanged, so W1·X has dLoss_Z1."""
    if key == "loss":
        return np.ones((1, 1))
    name = NODES_BY_KEY[key].grad_name
    return None if name is None else np.atleast_2d(matrices[name])
