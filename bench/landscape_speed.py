"""Seconds for a 101 × 101 loss landscape of the trained network on the cancer training set, against a
per-point loop over nn_core.forward measured in the same run (the peer). Prints the ratio.

Run with ``python -m bench.landscape_speed``. Target: ≤ 0.25 s and ≥ 5× the loop on a 2-core machine.
Numbers on a shared machine are noisy: the best of several repeats is reported for both.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nn_core import init_params, load_cancer, split_and_scale
from nn_core.landscape import (
    Plane,
    filter_normalized_directions,
    loss_on_plane,
    point_on_plane,
    record_trajectory,
    unflatten_params,
)
from nn_core.network import forward, loss
from streamlit_glue.process_setup import limit_blas_threads


def loss_on_plane_loop(plane: Plane, X: np.ndarray, Y: np.ndarray, alphas, betas) -> np.ndarray:
    """The peer and the tests' reference: one nn_core.forward per grid point, the way one would first write it."""
    out = np.empty((len(betas), len(alphas)))
    for i, beta in enumerate(betas):
        for j, alpha in enumerate(alphas):
            out[i, j] = loss(forward(point_on_plane(plane, alpha, beta), X), Y)
    return out


def best_seconds(run, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--resolution", type=int, default=101)
    parser.add_argument("--hidden", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-repeats", type=int, default=2)
    args = parser.parse_args()
    limit_blas_threads()  # as the app's server does (one BLAS thread per run)

    split = split_and_scale(load_cancer(), test_size=0.2, seed=0)
    X, Y = split.X_train, split.Y_train
    start = init_params(X.shape[0], args.hidden, seed=1)
    trajectory, _ = record_trajectory(start, X, Y, lr=0.5, iterations=100)
    plane = filter_normalized_directions(unflatten_params(trajectory[-1], start), seed=0)
    axis = np.linspace(-1.0, 1.0, args.resolution)

    vectorized = loss_on_plane(plane, X, Y, axis, axis)  # warm-up, and the result we check against the loop
    loop = loss_on_plane_loop(plane, X, Y, axis, axis)
    max_difference = float(np.abs(vectorized - loop).max())

    fast = best_seconds(lambda: loss_on_plane(plane, X, Y, axis, axis), args.repeats)
    slow = best_seconds(lambda: loss_on_plane_loop(plane, X, Y, axis, axis), args.loop_repeats)
    n_x, m = X.shape
    print(f"grid {args.resolution} × {args.resolution} = {args.resolution**2} points; "
          f"network {n_x} → {args.hidden} → 1; "
          f"m = {m} training samples")
    print(f"  nn_core.landscape.loss_on_plane (vectorized): {fast:.3f} s   (target ≤ 0.25 s)")
    print(f"  per-point loop over nn_core.forward:          {slow:.3f} s")
    print(f"  ratio loop / vectorized: {slow / fast:.1f}×   (target ≥ 5×)")
    print(f"  largest difference between the two: {max_difference:.1e}")


if __name__ == "__main__":
    main()
