"""The work budget: every lesson's normal use fits, the heaviest valid links are refused with a message that
names the setting and a value that fits — and that value does fit."""

from __future__ import annotations

import re

import pytest

from lessons.presets import PRESETS
from lessons.run_link import MAX_ITERATIONS
from lessons.work_budget import (
    LANDSCAPE_BUDGET,
    TRAINING_BUDGET,
    UPDATE_OVERHEAD,
    check_landscape,
    check_path,
    check_training,
    n_params,
    training_work,
)
from nn_core.training import steps_per_epoch

M_TRAIN, N_X = 455, 30  # the built-in data's training rows (default test fraction) and features


def _number_after(text: str, words: str) -> int:
    return int(re.search(rf"{words} ([\d,]+)", text).group(1).replace(",", ""))


def test_work_counts_rows_hidden_units_features_and_the_overhead_of_every_update():
    assert training_work(300, 455, 15, 30) == 300 * (455 * 15 * 32 + UPDATE_OVERHEAD)
    assert training_work(1, 1, 1, 1) == 3 + UPDATE_OVERHEAD


def test_every_run_of_the_built_in_data_fits():
    assert check_training(300, M_TRAIN, 15, N_X) is None
    for preset in PRESETS.values():
        assert check_training(preset.iterations, M_TRAIN, preset.hidden, N_X) is None
    # the sliders' far corners: 5,000 full-batch iterations and 100 epochs of SGD, both at 64 units
    assert check_training(5000, M_TRAIN, 64, N_X) is None
    assert check_training(100, M_TRAIN, 64, N_X, batch_size=1, per_epoch=True) is None
    # a run sent to the landscape at the article's 15 units keeps its whole path within budget up to the link's cap
    assert check_path(MAX_ITERATIONS, n_params(N_X, 15)) is None
    # the landscape lesson's largest scene: 101 × 101 grid, 300 steps, a five-ball sweep
    assert check_landscape(101, 300, 5) is None


def test_a_big_upload_is_refused_naming_what_fits():
    rows, features = 80_000, 25  # 2,000,000 cells: the upload's cell cap, 80 % of it for training
    problem = check_training(300, rows, 64, features)
    assert problem is not None
    for phrase in ("300 iterations", "80,000 rows per update", "64 hidden units", "25 features",
                   f"limit of {TRAINING_BUDGET / 1e9:.1f} G"):
        assert phrase in problem.message, (phrase, problem.message)
    fitting = _number_after(problem.message, "Use at most")
    assert 0 < fitting < 300
    assert check_training(fitting, rows, 64, features) is None  # the advice is right …
    assert check_training(fitting + 1, rows, 64, features) is not None  # … and the largest that fits
    hidden = _number_after(problem.message, "or at most")
    assert check_training(300, rows, hidden, features) is None and check_training(300, rows, hidden + 1,
                                                                                   features) is not None


def test_epochs_are_counted_with_their_updates_and_named_as_epochs():
    rows = 20_000  # SGD: 3 epochs fit
    per_epoch = steps_per_epoch(rows, 1)
    problem = check_training(100, rows, 64, 25, batch_size=1, per_epoch=True)
    assert problem is not None and f"100 epochs of {per_epoch:,} updates × 1 row per update" in problem.message
    fitting = _number_after(problem.message, "Use at most")
    assert fitting >= 1
    assert check_training(fitting, rows, 64, 25, batch_size=1, per_epoch=True) is None
    assert check_training(fitting + 1, rows, 64, 25, batch_size=1, per_epoch=True) is not None


@pytest.mark.parametrize("rows", [70_000, 80_000])
def test_when_even_one_epoch_is_too_much_the_message_names_what_would_fit(rows):
    """SGD on 70k+ uploaded training rows: one epoch is over budget, and the slider's minimum is 1. Never "use at
    most 0 epochs": the message names fewer rows, fewer hidden units (where that helps) and larger mini-batches,
    and each of them fits."""
    hidden, n_x = 15, 25
    problem = check_training(1, rows, hidden, n_x, batch_size=1, per_epoch=True, min_steps=1, batch_sizes=(2, 256))
    assert problem is not None
    text = problem.message
    assert "at most 0" not in text and "1 epochs" not in text and "Even 1 epoch is too much" in text
    fitting_rows = _number_after(text, "at most")
    assert 0 < fitting_rows < rows
    assert check_training(1, fitting_rows, hidden, n_x, batch_size=1, per_epoch=True) is None
    assert check_training(1, fitting_rows + 1, hidden, n_x, batch_size=1, per_epoch=True) is not None
    batch = _number_after(text, "mini-batches of")
    assert check_training(1, rows, hidden, n_x, batch_size=batch, per_epoch=True) is None
    assert check_training(1, rows, hidden, n_x, batch_size=batch - 1, per_epoch=True) is not None
    assert "hidden units" not in text.split("Even")[1]  # no hidden-unit count fits: the overhead per update rules


def test_one_step_that_fits_is_said_in_the_singular():
    rows = 4_000_000  # one full-batch update of 64 units × 25 features is 6.9 G units: one fits, two do not
    assert check_training(1, rows, 64, 25) is None
    problem = check_training(2, rows, 64, 25)
    assert problem is not None and problem.message.endswith("Use at most 1 iteration or at most 46 hidden units.")
    assert check_training(2, rows, 46, 25) is None and check_training(2, rows, 47, 25) is not None


def test_the_issues_heaviest_landscape_link_is_refused_for_its_path():
    params = n_params(N_X, 64)
    assert params == 64 * 30 + 64 + 64 + 1
    problem = check_path(5000, params)
    assert problem is not None and "5,001 points × 2,049 weights" in problem.message
    fitting = _number_after(problem.message, "use at most")
    assert check_path(fitting, params) is None and check_path(fitting + 1, params) is not None


@pytest.mark.parametrize("steps, fits", [(320, True), (321, False)])
def test_exactly_at_the_landscape_budget_is_allowed(steps, fits):
    assert LANDSCAPE_BUDGET == 100 * 100 * 320 * 5
    assert (check_landscape(100, steps, 5) is None) == fits
