"""The charts' text alternatives say the numbers the charts show."""

import numpy as np

from viz.text_alternatives import (
    describe_batch_modes,
    describe_confusion,
    describe_derivative,
    describe_gradient_flow,
    describe_loss_curves,
    describe_roc,
)


def test_loss_curves_name_start_end_and_the_best_validation_point():
    text = describe_loss_curves([0, 10, 20], [0.7, 0.3, 0.1], [0.72, 0.2, 0.25])
    assert "training loss from 0.7 to 0.1" in text
    assert "lowest 0.2 at iteration 10" in text


def test_confusion_counts_land_in_the_right_words():
    text = describe_confusion(np.array([[70, 2], [3, 39]]), ("benign", "malignant"), 0.5)
    assert "39 malignant found, 3 malignant missed, 70 benign correctly cleared, 2 false alarms" in text


def test_the_other_charts():
    assert "area under it 0.990" in describe_roc(0.99, 0.5, 0.05, 0.9) and "90%" in describe_roc(0.99, 0.5, 0.05, 0.9)
    flow = describe_gradient_flow([0, 5], {"layer 1": [1.0, 0.5]}, [0.0, 0.25])
    assert "layer 1 from 1 to 0.5" in flow and "25%" in flow
    batch = describe_batch_modes({"SGD": [1.0, 0.0, 1.0]})
    assert "SGD from 1 to 1, average jump between updates 1" in batch
    assert "slope 7" in describe_derivative(3.0, 1.0, 7.0, 6.0)
