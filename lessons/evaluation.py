"""How the training lesson judges a model: metrics at a threshold, ROC points, scikit-learn baselines on the
same split, the article's batch-mode comparison, and the exports. Pure: the pages cache these in
``streamlit_glue.cached``."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)
from sklearn.neural_network import MLPClassifier

from nn_core.network import Params, init_params, predict_proba
from nn_core.training import steps_per_epoch, train

COMPARISON_LABELS = ("Full batch", "Mini-batch", "SGD")


@dataclass(frozen=True)
class ThresholdMetrics:
    """What a clinician reads off one threshold: the scores and the two kinds of mistakes."""

    threshold: float
    accuracy: float
    precision: float
    recall: float
    f1: float
    roc_auc: float
    matrix: np.ndarray  # [[TN, FP], [FN, TP]]

    @property
    def missed(self) -> int:
        return int(self.matrix[1, 0])

    @property
    def false_alarms(self) -> int:
        return int(self.matrix[0, 1])

    @property
    def false_positive_rate(self) -> float:
        negatives = self.matrix[0].sum()
        return float(self.matrix[0, 1] / negatives) if negatives else 0.0


def threshold_metrics(y_true: np.ndarray, proba: np.ndarray, threshold: float) -> ThresholdMetrics:
    """sklearn's metrics for the prediction Yh > threshold (the article's ``pred``)."""
    y_true = np.asarray(y_true).ravel().astype(int)
    proba = np.nan_to_num(np.asarray(proba, dtype=float).ravel(), nan=0.5)
    y_pred = (proba > threshold).astype(int)
    matrix = confusion_matrix(y_true, y_pred, labels=[0, 1])
    # one call for the three scores (three separate calls each repeat sklearn's input checks, ~5 ms apiece)
    precision, recall, f1, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=0)
    return ThresholdMetrics(
        threshold=threshold,
        accuracy=float(accuracy_score(y_true, y_pred)),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        roc_auc=float(roc_auc_score(y_true, proba)) if len(np.unique(y_true)) == 2 else float("nan"),
        matrix=matrix,
    )


def roc_points(y_true: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fpr, tpr, _ = roc_curve(np.asarray(y_true).ravel(), np.nan_to_num(np.asarray(proba, dtype=float).ravel()))
    return fpr, tpr


def baseline_scores(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
                    hidden: int, seed: int) -> dict[str, dict[str, float]]:
    """LogisticRegression and MLPClassifier(hidden) on the same split and scaling, threshold 0.5."""
    y_train, y_test = Y_train.ravel().astype(int), Y_test.ravel().astype(int)
    models = {
        "scikit-learn LogisticRegression": LogisticRegression(max_iter=2000),
        f"scikit-learn MLPClassifier ({hidden} ReLU units)": MLPClassifier(
            hidden_layer_sizes=(hidden,), activation="relu", max_iter=1000, random_state=seed),
    }
    scores = {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train.T, y_train)
        proba = model.predict_proba(X_test.T)[:, 1]
        metrics = threshold_metrics(y_test, proba, 0.5)
        scores[name] = {"accuracy": metrics.accuracy, "f1": metrics.f1, "roc_auc": metrics.roc_auc}
    return scores


def compare_batch_modes(X: np.ndarray, Y: np.ndarray, *, hidden: int, lr: float, iterations: int,
                        mini_batch_size: int, optimizer: str, seed: int) -> dict[str, np.ndarray]:
    """The article's closing comparison: the same start and the same number of updates in each mode."""
    params = init_params(X.shape[0], hidden, seed=seed)
    runs = {}
    for label, batch_size in zip(COMPARISON_LABELS, (None, mini_batch_size, 1), strict=True):
        _, losses = train(params, X, Y, lr=lr, iterations=iterations, batch_size=batch_size,
                          optimizer=optimizer, seed=seed)
        runs[label] = losses
    return runs


def updates_for(epochs: int, m: int, batch_size: int | None) -> int:
    """Epochs -> parameter updates for the chosen batch size."""
    return epochs * steps_per_epoch(m, batch_size)


def settings_json(settings: Mapping[str, object]) -> str:
    return json.dumps(dict(settings), indent=2, sort_keys=True, default=str)


def predict_test(params: Params, X_test: np.ndarray) -> np.ndarray:
    return predict_proba(params, X_test).ravel()


def trade_off_table(y_true: np.ndarray, proba: np.ndarray, positive_name: str,
                    thresholds: tuple[float, ...] = (0.5, 0.7, 0.9)) -> dict[str, list]:
    """The article's thresholds side by side: what a higher threshold gains (false alarms) and costs (misses)."""
    rows = [threshold_metrics(y_true, proba, t) for t in thresholds]
    return {
        "threshold": [row.threshold for row in rows],
        f"missed {positive_name} (false negatives)": [row.missed for row in rows],
        "false alarms (false positives)": [row.false_alarms for row in rows],
        "recall": [round(row.recall, 3) for row in rows],
        "precision": [round(row.precision, 3) for row in rows],
        "accuracy": [round(row.accuracy, 3) for row in rows],
    }


def baseline_table(ours: ThresholdMetrics, baselines: Mapping[str, Mapping[str, float]]) -> dict[str, list]:
    """This network at threshold 0.5 against the scikit-learn models, one row each."""
    return {
        "model": ["this network (threshold 0.5)", *baselines],
        "test accuracy": [round(ours.accuracy, 3), *(round(s["accuracy"], 3) for s in baselines.values())],
        "F1": [round(ours.f1, 3), *(round(s["f1"], 3) for s in baselines.values())],
        "ROC AUC": [round(ours.roc_auc, 3), *(round(s["roc_auc"], 3) for s in baselines.values())],
    }
