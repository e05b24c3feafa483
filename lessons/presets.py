"""One-click settings for the training page's overfitting lesson: first *see* it, then *cure* it.

Both start from the page's defaults (built-in data, 20 % stratified test rows, standardized, split seed 0,
15 hidden units, learning rate 0.1, full batch, 300 iterations, initialization seed 1) and change only
what the lesson is about, so a student can tell what made the difference. Verified on the built-in data
in tests/test_presets.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lessons.settings import TRAINING
from nn_core.data import Split
from nn_core.diagnostics import TrainingMonitor
from nn_core.network import Params, init_params
from nn_core.overfitting import OverfittingReading, overfitting_reading
from nn_core.training import EarlyStopping, train


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
                 "function steep enough to memorize) and early stopping (patience 10 evaluations, one every 5 "
                 "iterations; the weights of the best validation iteration are kept). The validation loss stays "
                 "near its minimum and the gap stays closed."),
    optimizer="adam",
    l2=3.0,
    patience=10,
)

PRESETS: dict[str, Preset] = {"see_overfitting": SEE_OVERFITTING, "cure_it": CURE_IT}


@dataclass(frozen=True)
class PresetRun:
    """A preset trained on a split: the kept weights, the recorded curves and the overfitting reading."""

    params: Params  # the best validation iteration's weights when early stopping is on, else the last
    monitor: TrainingMonitor
    stopper: EarlyStopping | None
    reading: OverfittingReading


def run_preset(preset: Preset, split: Split) -> PresetRun:
    """Train ``preset`` on ``split`` (test rows as the validation curve, as on the training page), recording
    every ``eval_every`` iterations; early stopping shares those evaluations."""
    params0 = init_params(split.X_train.shape[0], preset.hidden, seed=preset.init_seed)
    monitor = TrainingMonitor(split.X_train, split.Y_train, split.X_test, split.Y_test, l2=preset.l2)
    monitor.record(0, params0)
    stopper = None
    if preset.patience is not None:
        stopper = EarlyStopping(split.X_test, split.Y_test, patience=preset.patience, eval_every=preset.eval_every)
        stopper.observe(0, params0, monitor.val_loss[0])

    def on_evaluation(step: int, params: Params, current: float) -> bool:
        stop = monitor(step, params, current)
        if stopper is not None:
            stop = stopper.observe(step, params, monitor.val_loss[-1]) or stop
        return stop

    trained, losses = train(params0, split.X_train, split.Y_train, lr=preset.lr, iterations=preset.iterations,
                            batch_size=preset.batch_size, optimizer=preset.optimizer, seed=preset.init_seed,
                            l2=preset.l2, callback=on_evaluation, callback_every=preset.eval_every)
    if monitor.steps[-1] != len(losses):
        monitor.record(len(losses), trained)
    kept = stopper.restore(trained) if stopper is not None else trained
    return PresetRun(params=kept, monitor=monitor, stopper=stopper,
                     reading=overfitting_reading(monitor.steps, monitor.train_loss, monitor.val_loss))
