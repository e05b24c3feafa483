"""The work budget: every lesson's normal use fits, the heaviest valid links are refused with a message that
names the setting and a value that fits — and that value does fit."""

from __future__ import annotations

import re

import pytest

from lessons.evaluation import updates_for
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

M_TRAIN = 455  # the built-in data's training rows at the default test fraction


def _number_after(text: str, words: str) -> int:
    return int(re.search(rf"{words} ([\d,]+)", text).group(1).replace(",", ""))


def test_work_counts_rows_hidden_units_and_the_overhead_of_every_update():
    assert training_work(300, 455, 15) == 300 * (455 * 15 + UPDATE_OVERHEAD)
    assert training_work(1, 1, 1) == 1 + UPDATE_OVERHEAD


def test_defaults_and_presets_fit():
    assert check_training(300, M_TRAIN, 15) is None
    for preset in PRESETS.values():
        assert check_training(preset.iterations, M_TRAIN, preset.hidden) is None
    # the training page's default SGD and mini-batch runs (20 epochs) and the slider's longest full-batch run at 15
    assert check_training(20, 1, 15, updates_per_step=steps_per_epoch(M_TRAIN, 1), step_word="epochs") is None
    assert check_training(20, 32, 15, updates_per_step=steps_per_epoch(M_TRAIN, 32), step_word="epochs") is None
    assert check_training(5000, M_TRAIN, 15) is None
    # a run sent to the landscape at the article's 15 units keeps its whole path within budget up to the link's cap
    assert check_path(MAX_ITERATIONS, n_params(30, 15)) is None
    # the landscape lesson's largest scene: 101 × 101 grid, 300 steps, a five-ball sweep
    assert check_landscape(101, 300, 5) is None


@pytest.mark.parametrize("hidden, iterations", [(64, 5000), (17 + 1, 5000)])
def test_the_heaviest_full_batch_runs_are_refused_naming_what_fits(hidden, iterations):
    problem = check_training(iterations, M_TRAIN, hidden)
    assert problem is not None
    assert f"{iterations:,} iterations" in problem.message and f"{hidden} hidden units" in problem.message
    assert f"limit of {TRAINING_BUDGET / 1e6:.1f} M" in problem.message
    fitting = _number_after(problem.message, "Use at most")
    assert fitting < iterations
    assert check_training(fitting, M_TRAIN, hidden) is None  # the advice is right …
    assert check_training(fitting + 1, M_TRAIN, hidden) is not None  # … and the largest that fits


def test_sgd_is_counted_in_epochs_with_its_per_update_overhead():
    per_epoch = steps_per_epoch(M_TRAIN, 1)
    problem = check_training(100, 1, 64, updates_per_step=per_epoch, step_word="epochs")
    assert problem is not None and "100 epochs of 455 updates × 1 row per update" in problem.message
    fitting = _number_after(problem.message, "Use at most")
    assert check_training(fitting, 1, 64, updates_per_step=per_epoch, step_word="epochs") is None
    assert check_training(fitting + 1, 1, 64, updates_per_step=per_epoch, step_word="epochs") is not None
    assert updates_for(fitting, M_TRAIN, 1) * (64 + UPDATE_OVERHEAD) <= TRAINING_BUDGET


def test_the_issues_heaviest_landscape_link_is_refused_for_its_path():
    params = n_params(30, 64)
    assert params == 64 * 30 + 64 + 64 + 1
    problem = check_path(5000, params)
    assert problem is not None and "5,001 points × 2,049 weights" in problem.message
    fitting = _number_after(problem.message, "use at most")
    assert check_path(fitting, params) is None and check_path(fitting + 1, params) is not None


def test_exactly_at_the_budget_is_allowed():
    assert check_landscape(100, 320, 5) is None and LANDSCAPE_BUDGET == 100 * 100 * 320 * 5
    assert check_landscape(100, 321, 5) is not None
