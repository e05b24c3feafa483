"""One-click settings for the training page's overfitting lesson: first *see* it, then *cure* it.

Both start from the page's defaults (built-in data, 20 % stratified test rows, standardized, split seed 0,
15 hidden units, learning rate 0.1, full batch, 300 iterations, initialization seed 1) and change only
what the lesson is about, so a student can tell what made the difference. Verified on the built-in data
in tests/test_presets.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from lessons.settings import TRAINING
from lessons.training_run import RECORDS_PER_RUN, RowUse, RunConfig, row_use, run_training
from nn_core.data import Split
from nn_core.diagnostics import TrainingMonitor
from nn_core.network import Params, forward, loss, predict
from nn_core.overfitting import OverfittingReading


@dataclass(frozen=True)
class Preset:
    """Every setting the training page needs for one run; ``patience`` None = no early stopping."""

    label: str
    explanation: str
    hidden: int = TRAINING["train_hidden"].default  # every default is the training page's (lessons/settings.py)
    lr: float = TRAINING["train_lr"].default
    optimizer: str = TRAINING["train_optimizer"].default
    batch_size: int | None = None  # None = full batch
    iterations: int = TRAINING["train_iterations"].default
    l2: float = TRAINING["train_l2"].default
    patience: int | None = None  # evaluations without improvement before stopping
    eval_every: int = 5  # iterations between two validation evaluations (early stopping)
    test_size: float = TRAINING["train_test_size"].default
    stratify: bool = TRAINING["train_stratify"].default
    scaling: str = TRAINING["train_scaling"].default
    split_seed: int = TRAINING["train_split_seed"].default
    init_seed: int = TRAINING["train_seed"].default

    def settings(self) -> dict[str, object]:
        """The settings as a plain dict (e.g. to put in the URL or a settings export)."""
        return {key: value for key, value in asdict(self).items() if key not in ("label", "explanation")}


SEE_OVERFITTING = Preset(
    label="See overfitting",
    explanation=("Adam at learning rate 0.1 fits the 455 training rows almost perfectly: the training loss "
                 "falls to ~1e-4, but the validation loss bottoms out within about ten iterations and then climbs "
                 "to almost three times its minimum. The gap between the curves is the network memorizing the "
                 "training rows."),
    optimizer="adam",
)

CURE_IT = Preset(
    label="Cure it",
    explanation=("The same run with weight decay λ = 3 (large weights cost loss, so the network cannot make its "
                 "function steep enough to memorize) and early stopping (patience 50 iterations; the weights of "
                 "the best validation iteration are kept). Early stopping watches 20 % of the training rows, held "
                 "out from the updates, so the test rows still grade a model they did not choose. The validation "
                 "loss stays near its minimum and the gap stays closed."),
    optimizer="adam",
    l2=3.0,
    patience=10,
)

PRESETS: dict[str, Preset] = {"see_overfitting": SEE_OVERFITTING, "cure_it": CURE_IT}


@dataclass(frozen=True)
class PresetRun:
    """A preset trained on a split: the kept weights, the recorded curves and the overfitting reading, and the
    run on the split's test rows — the same rows for every preset, so two presets compare like with like."""

    params: Params  # the best validation iteration's weights when early stopping is on, else the last
    monitor: TrainingMonitor
    reading: OverfittingReading
    best_iteration: int | None  # early stopping's
    early_stop: int | None  # where early stopping ended the run (None: it did not)
    rows: RowUse
    test_curve: np.ndarray  # the loss on the test rows after every update (index = updates made)
    test_loss: float  # the kept weights' loss on the test rows
    test_accuracy: float  # the kept weights' share of test rows classified right (threshold 0.5)

    @property
    def kept_iteration(self) -> int:
        """The iteration whose weights the run kept: early stopping's best, else the last."""
        return self.best_iteration if self.best_iteration is not None else self.test_curve.size - 1


def preset_run_config(preset: Preset) -> RunConfig:
    """The run the training page makes of ``preset``: its patience, in iterations, becomes evaluations of the
    page's monitor (one every iterations / RECORDS_PER_RUN updates)."""
    evaluation_every = max(1, preset.iterations // RECORDS_PER_RUN)
    patience = -(-(preset.patience or 0) * preset.eval_every // evaluation_every)
    return RunConfig(hidden=preset.hidden, lr=preset.lr, iterations=preset.iterations, batch_size=preset.batch_size,
                     optimizer=preset.optimizer, init_seed=preset.init_seed, l2=preset.l2, patience=patience)


def run_preset(preset: Preset, split: Split) -> PresetRun:
    """Train ``preset`` on ``split`` exactly as the training page does (``lessons.training_run.run_training``),
    watching the test rows' loss at every update."""
    config = preset_run_config(preset)
    run = run_training(split, config, watch=(split.X_test, split.Y_test))
    return PresetRun(params=run.params, monitor=run.monitor, reading=run.overfitting,
                     best_iteration=run.best_iteration, early_stop=run.early_stop, rows=row_use(split, config),
                     test_curve=run.watched, test_loss=loss(forward(run.params, split.X_test), split.Y_test),
                     test_accuracy=float(np.mean(predict(run.params, split.X_test) == split.Y_test)))
