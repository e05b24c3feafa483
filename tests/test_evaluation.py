"""lessons.evaluation: the scores a clinician reads, equal to scikit-learn's one-score functions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score

from lessons.evaluation import threshold_metrics, trade_off_table


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.77, 0.95])
def test_threshold_metrics_equal_sklearns_separate_scores(seed, threshold):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 60)
    proba = np.clip(0.35 * y + rng.uniform(0, 0.65, 60), 0, 1)
    pred = (proba > threshold).astype(int)  # the article's strict ">"
    got = threshold_metrics(y, proba, threshold)
    assert got.accuracy == accuracy_score(y, pred)
    assert got.precision == precision_score(y, pred, zero_division=0)
    assert got.recall == recall_score(y, pred, zero_division=0)
    assert got.f1 == f1_score(y, pred, zero_division=0)
    assert got.roc_auc == roc_auc_score(y, proba)
    np.testing.assert_array_equal(got.matrix, confusion_matrix(y, pred, labels=[0, 1]))


def test_a_probability_equal_to_the_threshold_is_not_positive():
    got = threshold_metrics(np.array([0, 1]), np.array([0.5, 0.5]), 0.5)
    np.testing.assert_array_equal(got.matrix, [[1, 0], [1, 0]])
    assert got.precision == 0 and got.recall == 0  # no positive prediction: zero, not a warning


def test_trade_off_table_higher_threshold_never_more_false_alarms():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    proba = np.clip(0.4 * y + rng.uniform(0, 0.6, 200), 0, 1)
    table = trade_off_table(y, proba, "malignant")
    alarms, missed = table["false alarms (false positives)"], table["missed malignant (false negatives)"]
    assert alarms == sorted(alarms, reverse=True) and missed == sorted(missed)
