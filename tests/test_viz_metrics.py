"""Confusion matrix and ROC figures: labelled benign / malignant, the current threshold marked."""

from __future__ import annotations

import numpy as np

from viz.metrics import confusion_matrix_figure, roc_figure


def test_confusion_matrix_is_labelled_and_names_each_mistake():
    matrix = np.array([[70, 2], [3, 39]])
    fig = confusion_matrix_figure(matrix, ("benign", "malignant"), threshold=0.7)
    heatmap = fig.data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), matrix)
    assert list(heatmap.x) == ["predicted benign", "predicted malignant"]
    assert list(heatmap.y) == ["true benign", "true malignant"]
    assert "missed<br>malignant" in heatmap.text[1][0] and "<b>3</b>" in heatmap.text[1][0]
    assert "false alarm" in heatmap.text[0][1] and "<b>2</b>" in heatmap.text[0][1]
    assert "0.70" in fig.layout.title.text


def test_confusion_matrix_uses_the_data_set_class_names():
    fig = confusion_matrix_figure(np.array([[1, 2], [3, 4]]), ("2", "4"))
    assert list(fig.data[0].x) == ["predicted 2", "predicted 4"]


def test_roc_curve_marks_the_current_threshold():
    fpr, tpr = np.array([0, 0, 0.1, 1]), np.array([0, 0.8, 1, 1])
    fig = roc_figure(fpr, tpr, 0.98, current_fpr=0.1, current_tpr=1.0, threshold=0.35)
    curve, marker = fig.data[1], fig.data[2]
    np.testing.assert_allclose(curve.x, fpr)
    np.testing.assert_allclose(curve.y, tpr)
    assert "0.980" in curve.name
    assert list(marker.x) == [0.1] and list(marker.y) == [1.0] and "0.35" in marker.name
