"""µs per full-batch training iteration (455 × 30 → 15 → 1, cancer data), against two peers measured
in the same run: scikit-learn's MLPClassifier (same architecture, full-batch plain SGD) and a literal
transcription of the article's loop. Prints ratios; run with ``python -m bench.train_speed``."""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from bench.article_loop import article_gd
from nn_core import init_params, load_cancer, split_and_scale, train


def best_seconds_per_iteration(runs: dict, iterations: int, repeats: int) -> dict[str, float]:
    """Best of ``repeats`` rounds per contender, per iteration. The contenders take turns within each
    round, so a busy moment on the machine hits all of them rather than one."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run(iterations)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: seconds / iterations for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    split = split_and_scale(load_cancer(), test_size=0.2, seed=0)
    X, Y = split.X_train, split.Y_train
    n_x, m = X.shape
    params = init_params(n_x, 15, seed=1)
    # At lr = 0.01 the article's literal loop stays finite for the whole run (at 0.1 it returns nan
    # from iteration ~380 on, when Yh rounds to exactly 1), so all three do the same real work.
    lr = 0.01

    def ours(iterations: int) -> None:
        train(params, X, Y, lr=lr, iterations=iterations)

    def article(iterations: int) -> None:
        _, losses = article_gd(params, X, Y, lr, iterations)
        if not np.isfinite(losses).all():
            raise RuntimeError("the article's loop went nan: the timing would not be like for like")

    def sklearn_mlp(iterations: int) -> None:
        model = MLPClassifier(
            hidden_layer_sizes=(15,), activation="relu", solver="sgd", learning_rate_init=lr, momentum=0.0,
            nesterovs_momentum=False, alpha=0.0, batch_size=m, max_iter=iterations, shuffle=False,
            tol=0.0, n_iter_no_change=iterations + 1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X.T, Y.ravel())

    runs = {"nn_core.train": ours, "article loop": article, "sklearn MLPClassifier": sklearn_mlp}
    for run in runs.values():
        run(50)  # warm-up
    results = best_seconds_per_iteration(runs, args.iterations, args.repeats)

    print(f"full-batch training, {m} samples × {n_x} features → 15 hidden → 1, "
          f"{args.iterations} iterations, best of {args.repeats}")
    for name, seconds in results.items():
        print(f"  {name:<22} {seconds * 1e6:8.1f} µs/iteration")
    ours_s = results["nn_core.train"]
    print(f"speed-up vs MLPClassifier: {results['sklearn MLPClassifier'] / ours_s:.2f}×")
    print(f"speed-up vs article loop:  {results['article loop'] / ours_s:.2f}×")


if __name__ == "__main__":
    main()
