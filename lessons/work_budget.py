"""How much work a run asks for, checked before it starts: one link must not be able to sink a shared server.

Pure Python (no Streamlit). A run's work is counted in *units*: one training row through one hidden unit's
weights, forward and backward, per input feature (rows × hidden × (features + 2) per update). Measured on the
2-core development machine (busy, one BLAS thread — see streamlit_glue.work_queue): a full-batch run of 5,000
iterations × 455 rows × 64 hidden units × 30 features (4.7 G units) took 1.5 s of CPU, ~0.3 ns a unit; an SGD
run of 45,500 one-row updates took 4.2 s, so every update also costs a fixed overhead worth ``UPDATE_OVERHEAD``
units (Python, small arrays) whatever its size.

Every run of the built-in data fits (its heaviest, SGD for 100 epochs at 64 units, is ~7 G); the budget bounds
uploads (up to 2,000,000 cells) and the path a run carried to the landscape keeps, with a message that names
the setting and the largest value that fits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nn_core.training import steps_per_epoch

UPDATE_OVERHEAD = 150_000  # units: the fixed cost of one update (~50 µs), measured as above
TRAINING_BUDGET = 10_000_000_000  # units: about 3–5 s of one core; the defaults use 0.2 G
# A run carried to the landscape keeps θ after every update for its path and PCA: (updates + 1) × weights
# float64 numbers, and mapping it peaks at about four times that (measured: 10.2 M numbers → 330 MB peak).
PATH_NUMBERS_BUDGET = 3_000_000  # ~24 MB of path, ~100 MB at the peak
# Landscape lesson: grid points × steps × balls (the lesson's largest, 101² × 300 × 5, is 15.3 M).
LANDSCAPE_BUDGET = 16_000_000


@dataclass(frozen=True)
class OverBudget:
    """Why a run is refused, in plain words: the work asked for, the limit, and what would fit."""

    message: str


def training_work(iterations: int, rows_per_update: int, hidden: int, n_x: int) -> int:
    """Units of a training run: every update pays rows × hidden units × (features + 2) plus the fixed overhead."""
    return iterations * (rows_per_update * hidden * (n_x + 2) + UPDATE_OVERHEAD)


def _millions(value: float) -> str:
    return f"{value / 1e6:,.1f} M" if value < 1e9 else f"{value / 1e9:,.1f} G"


def _count(count: int, plural: str) -> str:
    """"1 epoch", "3 epochs": ``plural`` is the word for many."""
    return f"{count:,} {plural[:-1] if count == 1 and plural.endswith('s') else plural}"


def _largest(low: int, high: int, fits: Callable[[int], bool]) -> int | None:
    """The largest value in [low, high] that fits (``fits`` true up to some value, false after), or None."""
    if high < low or not fits(low):
        return None
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def check_training(steps: int, m_train: int, hidden: int, n_x: int, *, batch_size: int | None = None,
                   per_epoch: bool = False, min_steps: int = 1,
                   batch_sizes: tuple[int, int] | None = None) -> OverBudget | None:
    """None when the run fits TRAINING_BUDGET, else a message that names what would fit.

    ``steps`` is what the learner set: iterations (one update each, on ``min(batch_size, m_train)`` rows, all of
    them when ``batch_size`` is None) or, with ``per_epoch``, epochs of ``steps_per_epoch`` updates. The message
    names the most steps that fit, if at least ``min_steps`` (the slider's minimum) do; and the most hidden
    units, the most training rows, and (for mini-batches, within ``batch_sizes``) the smallest batch that fit —
    so a run too big even at the minimum still hears what would work.
    """
    def work(steps: int = steps, rows: int = m_train, hidden: int = hidden, batch: int | None = batch_size) -> int:
        per_update = rows if batch is None else min(batch, rows)
        updates = steps * (steps_per_epoch(rows, batch) if per_epoch else 1)
        return training_work(updates, per_update, hidden, n_x)

    def fits(**change: int) -> bool:
        return work(**change) <= TRAINING_BUDGET

    if fits():
        return None
    step_word = "epochs" if per_epoch else "iterations"
    per_update = m_train if batch_size is None else min(batch_size, m_train)
    per_step = steps_per_epoch(m_train, batch_size) if per_epoch else 1
    asked = (f"This run is too big for a shared server: {_count(steps, step_word)}"
             + (f" of {per_step:,} updates" if per_step > 1 else "")
             + f" × {_count(per_update, 'rows')} per update × {_count(hidden, 'hidden units')} × "
             f"{_count(n_x, 'features')} is "
             f"{_millions(work())} units of work (each update also costs {UPDATE_OVERHEAD:,}), over the limit of "
             f"{_millions(TRAINING_BUDGET)}.")
    fitting_hidden = _largest(1, hidden - 1, lambda h: fits(hidden=h))
    hidden_hint = "" if fitting_hidden is None else f" or at most {_count(fitting_hidden, 'hidden units')}"
    fitting_steps = _largest(min_steps, steps - 1, lambda n: fits(steps=n))
    if fitting_steps is not None:
        return OverBudget(f"{asked} Use at most {_count(fitting_steps, step_word)}{hidden_hint}.")
    ways = [] if fitting_hidden is None else [f"at most {_count(fitting_hidden, 'hidden units')}"]
    fitting_rows = _largest(1, m_train - 1, lambda rows: fits(rows=rows))
    if fitting_rows is not None:
        ways.append(f"at most {_count(fitting_rows, 'training rows')} (a larger test fraction, or a smaller file)")
    if batch_size is not None and batch_sizes is not None:
        larger = [size for size in range(max(batch_size + 1, batch_sizes[0]), batch_sizes[1] + 1)
                  if fits(batch=size)]
        if larger:
            ways.append(f"mini-batches of {larger[0]} rows or more (fewer updates per epoch)")
    return OverBudget(f"{asked} Even {_count(min_steps, step_word)} is too much here. Any one of these would fit: "
                      + "; ".join(ways) + ".")


def check_path(iterations: int, n_params: int) -> OverBudget | None:
    """A run drawn on the landscape keeps its whole path: (iterations + 1) × n_params numbers."""
    numbers = (iterations + 1) * n_params
    if numbers <= PATH_NUMBERS_BUDGET:
        return None
    fitting = PATH_NUMBERS_BUDGET // n_params - 1
    return OverBudget(
        f"This run's path is too long to map on a shared server: {iterations + 1:,} points × {n_params:,} weights "
        f"is {_millions(numbers)} numbers, over the limit of {_millions(PATH_NUMBERS_BUDGET)}. With this network, "
        f"use at most {fitting:,} iterations (or fewer hidden units).")


def landscape_work(grid: int, steps: int, balls: int) -> int:
    """Grid points × steps × balls: the landscape lesson's measure of one scene."""
    return grid * grid * steps * balls


def check_landscape(grid: int, steps: int, balls: int) -> OverBudget | None:
    work = landscape_work(grid, steps, balls)
    if work <= LANDSCAPE_BUDGET:
        return None
    fitting_steps = LANDSCAPE_BUDGET // (grid * grid * balls)
    return OverBudget(
        f"This landscape is too big for a shared server: a {grid} × {grid} grid × {steps} steps × {balls} balls is "
        f"{_millions(work)}, over the limit of {_millions(LANDSCAPE_BUDGET)}. Use at most {fitting_steps} steps, "
        "a coarser grid or fewer balls.")


def n_params(n_x: int, hidden: int) -> int:
    """W1, b1, W2, b2 of the article's network: n_h·n_x + n_h + n_h + 1."""
    return hidden * n_x + 2 * hidden + 1


# ------------------------------------------------------------------------------------------------ the page's extras

MLP_MAX_EPOCHS = 1000  # lessons.evaluation.baseline_scores: MLPClassifier(max_iter=1000), Adam on batches of 200
MLP_BATCH = 200
LOGISTIC_PASSES = 2000  # LogisticRegression(max_iter=2000): each lbfgs step is a pass over the rows


def _most(limit: int, fits) -> int:
    """The largest n in 0..limit with fits(n) (fits true up to some n, false after); 0 when none does."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def _ways(options: list[str]) -> str:
    return (" It fits with " + "; or ".join(options) + ".") if options else ""


def comparison_work(updates: int, m_train: int, mini_batch: int, hidden: int, n_x: int) -> int:
    """The batch-mode comparison: three networks of ``updates`` updates each, on all rows, on a mini-batch, on one."""
    return sum(training_work(updates, rows, hidden, n_x) for rows in (m_train, min(mini_batch, m_train), 1))


def check_comparison(updates: int, m_train: int, mini_batch: int, hidden: int, n_x: int) -> OverBudget | None:
    """None when the comparison fits TRAINING_BUDGET, else a message naming the updates, hidden units or training
    rows that would fit (only those that do: never "at most 0")."""
    work = comparison_work(updates, m_train, mini_batch, hidden, n_x)
    if work <= TRAINING_BUDGET:
        return None
    options = []
    if (fitting := _most(updates - 1, lambda n: comparison_work(n, m_train, mini_batch, hidden, n_x)
                         <= TRAINING_BUDGET)) >= 1:
        options.append(f"at most {fitting:,} updates (fewer iterations or epochs)")
    if (fitting := _most(hidden - 1, lambda h: comparison_work(updates, m_train, mini_batch, h, n_x)
                         <= TRAINING_BUDGET)) >= 1:
        options.append(f"at most {fitting} hidden units")
    if (fitting := _most(m_train - 1, lambda m: comparison_work(updates, m, mini_batch, hidden, n_x)
                         <= TRAINING_BUDGET)) >= 2:
        options.append(f"at most {fitting:,} training rows (a larger test fraction, or a smaller file)")
    return OverBudget(
        f"This comparison is too big for a shared server: three networks of {updates:,} updates each — on all "
        f"{m_train:,} training rows, on mini-batches of {min(mini_batch, m_train)} and on one row — × {hidden} hidden "
        f"units × {n_x} features is {_millions(work)} units of work, over the limit of {_millions(TRAINING_BUDGET)}."
        + _ways(options))


def baselines_work(m_train: int, hidden: int, n_x: int) -> int:
    """scikit-learn's two models at their iteration caps: the MLP's epochs (every row through the hidden units, and a
    fixed cost per batch) and the logistic regression's passes over the rows."""
    batches = -(-m_train // MLP_BATCH)
    return (MLP_MAX_EPOCHS * (m_train * hidden * (n_x + 2) + batches * UPDATE_OVERHEAD)
            + LOGISTIC_PASSES * m_train * (n_x + 1))


def check_baselines(m_train: int, hidden: int, n_x: int) -> OverBudget | None:
    """None when fitting scikit-learn's models may take no more than TRAINING_BUDGET, else what would fit."""
    work = baselines_work(m_train, hidden, n_x)
    if work <= TRAINING_BUDGET:
        return None
    options = []
    if (fitting := _most(hidden - 1, lambda h: baselines_work(m_train, h, n_x) <= TRAINING_BUDGET)) >= 1:
        options.append(f"at most {fitting} hidden units")
    if (fitting := _most(m_train - 1, lambda m: baselines_work(m, hidden, n_x) <= TRAINING_BUDGET)) >= 2:
        options.append(f"at most {fitting:,} training rows (a larger test fraction, or a smaller file)")
    return OverBudget(
        f"Fitting scikit-learn's models is too big for a shared server here: the MLPClassifier may train up to "
        f"{MLP_MAX_EPOCHS:,} epochs × {m_train:,} training rows × {hidden} hidden units × {n_x} features, "
        f"{_millions(work)} units of work with the logistic regression, over the limit of "
        f"{_millions(TRAINING_BUDGET)}." + _ways(options))
