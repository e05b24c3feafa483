"""The two lesson presets do what they promise on the built-in data: "see overfitting" opens the gap
between the training and validation curves, "cure it" keeps it closed (split seeds 0–4)."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.presets import CURE_IT, PRESETS, SEE_OVERFITTING, Preset, run_preset
from nn_core import forward, load_cancer, loss, predict, split_and_scale
from nn_core.training import validation_columns


def split_for(preset: Preset, seed: int):
    return split_and_scale(load_cancer(), test_size=preset.test_size, seed=seed, stratify=preset.stratify,
                           scaling=preset.scaling)


@pytest.mark.parametrize("seed", range(5))
def test_see_overfitting_opens_the_gap_and_cure_it_closes_it(seed):
    seen = run_preset(SEE_OVERFITTING, split_for(SEE_OVERFITTING, seed))
    cured = run_preset(CURE_IT, split_for(CURE_IT, seed))
    assert seen.reading.overfits, seen.reading
    assert not cured.reading.overfits, cured.reading
    assert seen.reading.final_gap > 0.1
    assert cured.reading.final_gap < 0.1
    assert cured.reading.final_val_loss < seen.reading.final_val_loss
    assert cured.early_stop is not None  # early stopping did act
    split = split_for(CURE_IT, seed)
    # it watched training rows held out from the updates, never the test rows
    fit, held_out = validation_columns(split.Y_train)
    assert cured.rows.held_out and (cured.rows.fit, cured.rows.validation) == (fit.size, held_out.size)
    assert cured.monitor.Y_train.shape[1] == fit.size and cured.monitor.Y_val.shape[1] == held_out.size
    kept_val = loss(forward(cured.params, split.X_train[:, held_out]), split.Y_train[:, held_out])
    assert kept_val == pytest.approx(min(cured.monitor.val_loss), abs=1e-12)
    assert not seen.rows.held_out and seen.rows.validation == split.Y_test.shape[1]
    # honest test accuracy (bench.accuracy_over_seeds: 0.921–0.982 over seeds 0–4, mean 0.958)
    assert np.mean(predict(cured.params, split.X_test) == split.Y_test) >= 0.92


def test_on_the_default_split_the_gap_is_the_issues_picture():
    seen = run_preset(SEE_OVERFITTING, split_for(SEE_OVERFITTING, 0))
    assert seen.reading.final_val_loss > 2.5 * seen.reading.best_val_loss  # 0.12 → 0.35
    assert seen.reading.final_train_loss < 1e-3


def test_presets_change_only_what_the_lesson_is_about():
    defaults = Preset(label="", explanation="").settings()
    assert {k for k, v in SEE_OVERFITTING.settings().items() if defaults[k] != v} == {"optimizer"}
    assert {k for k, v in CURE_IT.settings().items() if defaults[k] != v} == {"optimizer", "l2", "patience"}
    assert set(PRESETS.values()) == {SEE_OVERFITTING, CURE_IT}
