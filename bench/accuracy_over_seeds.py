"""Test accuracy over split seeds 0–4 (20 % stratified test rows, standardized on the training rows) for
the training page's defaults, the two lesson presets, and scikit-learn's LogisticRegression and
MLPClassifier on the very same splits. Prints one row per model: the mean and each seed.

"cure it" is run twice: as the page runs it (early stopping watches 20 % of the training rows, held out from
the updates; the test rows are seen only once, at the end) and, for comparison, as the page ran it before
(early stopping watched the test rows, which made its test accuracy optimistic: the rows that picked the
stopping point also graded it).

Run with ``python -m bench.accuracy_over_seeds``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from lessons.presets import CURE_IT, SEE_OVERFITTING, preset_run_config, run_preset
from lessons.training_run import RECORDS_PER_RUN
from nn_core import init_params, load_cancer, predict, split_and_scale, train
from nn_core.data import Split
from nn_core.training import train_with_early_stopping

SEEDS = range(5)


def accuracy(predicted: np.ndarray, split: Split) -> float:
    return float(np.mean(np.asarray(predicted).ravel() == split.Y_test.ravel()))


def defaults(split: Split) -> float:
    """The training page's defaults: 15 hidden, lr 0.1, full batch, 300 iterations, gd, init seed 1."""
    params, _ = train(init_params(split.X_train.shape[0], 15, seed=1), split.X_train, split.Y_train, lr=0.1,
                      iterations=300)
    return accuracy(predict(params, split.X_test), split)


def see_overfitting(split: Split) -> float:
    return accuracy(predict(run_preset(SEE_OVERFITTING, split).params, split.X_test), split)


def cure_it_as_the_page(split: Split) -> float:
    return accuracy(predict(run_preset(CURE_IT, split).params, split.X_test), split)


def cure_it_stopping_on_test_rows(split: Split) -> float:
    """The same run, but early stopping watches the test rows it is then graded on (the page before)."""
    config = preset_run_config(CURE_IT)
    run = train_with_early_stopping(
        init_params(split.X_train.shape[0], config.hidden, seed=config.init_seed), split.X_train, split.Y_train,
        validation=(split.X_test, split.Y_test), patience=config.patience,
        eval_every=max(1, config.iterations // RECORDS_PER_RUN), lr=config.lr, iterations=config.iterations,
        optimizer=config.optimizer, seed=config.init_seed, l2=config.l2)
    return accuracy(predict(run.params, split.X_test), split)


def sklearn_model(make: Callable[[], object]) -> Callable[[Split], float]:
    def score(split: Split) -> float:
        model = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(split.X_train.T, split.Y_train.ravel().astype(int))
        return accuracy(model.predict(split.X_test.T), split)
    return score


MODELS: dict[str, Callable[[Split], float]] = {
    "defaults (gd, lr 0.1, 300 it.)": defaults,
    "preset: see overfitting": see_overfitting,
    "preset: cure it (stops on held-out train rows: the page)": cure_it_as_the_page,
    "preset: cure it (stops on the test rows: optimistic)": cure_it_stopping_on_test_rows,
    "LogisticRegression": sklearn_model(lambda: LogisticRegression(max_iter=2000)),
    "MLPClassifier (15 ReLU, seed 1)": sklearn_model(
        lambda: MLPClassifier(hidden_layer_sizes=(15,), activation="relu", max_iter=1000, random_state=1)),
}


def main() -> None:
    dataset = load_cancer()
    splits = [split_and_scale(dataset, test_size=0.2, seed=seed, stratify=True, scaling="standard") for seed in SEEDS]
    width = max(map(len, MODELS))
    print(f"test accuracy, built-in data, 20 % stratified test rows, standardized; split seeds {list(SEEDS)}")
    print(f"{'model':<{width}}   mean   " + "  ".join(f"seed {seed}" for seed in SEEDS))
    for name, score in MODELS.items():
        scores = [score(split) for split in splits]
        print(f"{name:<{width}}  {np.mean(scores):.3f}  " + "  ".join(f" {value:.3f} " for value in scores))


if __name__ == "__main__":
    main()
