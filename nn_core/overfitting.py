"""Is this run overfitting? A reading of recorded training and validation loss curves.

Overfitting shows as the validation loss climbing back up from its minimum while the training loss keeps
falling: the network is memorizing the training rows, not learning what carries over to new ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The thresholds, in one place. The built-in validation set has 114 rows, so one row whose loss changes
# by 1 moves the mean by ~0.01 and a healthy run wobbles by a few per cent around its minimum (full-batch
# gd at lr 0.1 for 1000 iterations ends 5 % above it). A rise counts only when it is both
# - large relative to the minimum (at least 30 % above it), and
RISE_RATIO = 1.3
# - large in absolute terms (at least 0.02 nats), so that tiny losses (0.010 → 0.014) are not flagged;
RISE_ABSOLUTE = 0.02
# and only while the training loss still falls: at the end it must be at most half of what it was at
# the best validation iteration. If both losses rise, the run is unstable (learning rate), not overfitting.
TRAIN_FALL_RATIO = 0.5


def climbed(best_val: float, final_val: float) -> bool:
    """Whether a validation loss that bottomed out at ``best_val`` and ended at ``final_val`` has climbed back up:
    the one threshold (RISE_RATIO and RISE_ABSOLUTE) every page and lesson reads a curve by."""
    return final_val >= RISE_RATIO * best_val and final_val - best_val >= RISE_ABSOLUTE


@dataclass(frozen=True)
class OverfittingReading:
    """The verdict and the numbers behind it, so a page can say it in words and mark the curves."""

    overfits: bool
    best_iteration: int  # where the validation loss was lowest: the weights worth keeping
    best_val_loss: float
    final_val_loss: float
    train_loss_at_best: float
    final_train_loss: float

    @property
    def final_gap(self) -> float:
        """Validation minus training loss at the end: the generalization gap."""
        return self.final_val_loss - self.final_train_loss

    @property
    def message(self) -> str:
        if self.overfits:
            return (f"Overfitting: the validation loss was lowest ({self.best_val_loss:.3g}) at iteration "
                    f"{self.best_iteration} and has risen to {self.final_val_loss:.3g}, while the training loss "
                    f"kept falling ({self.train_loss_at_best:.3g} → {self.final_train_loss:.3g}). The network is "
                    "memorizing the training rows. Try weight decay (λ) or early stopping.")
        return (f"No overfitting: the validation loss ends at {self.final_val_loss:.3g}, close to its minimum "
                f"{self.best_val_loss:.3g} (iteration {self.best_iteration}).")


def overfitting_reading(steps: Sequence[int], train_loss: Sequence[float],
                        val_loss: Sequence[float]) -> OverfittingReading:
    """Judge recorded curves (same length, one entry per recorded iteration) with the thresholds above."""
    steps_a = np.asarray(steps)
    train = np.asarray(train_loss, dtype=float)
    val = np.asarray(val_loss, dtype=float)
    if not (len(steps_a) == len(train) == len(val)) or len(val) == 0:
        raise ValueError("steps, train_loss and val_loss must be non-empty and of the same length")
    finite = np.where(np.isfinite(val), val, np.inf)
    best = int(np.argmin(finite))
    best_val, final_val = float(val[best]), float(val[-1])
    train_best, train_final = float(train[best]), float(train[-1])
    rose = climbed(best_val, final_val)
    train_fell = train_final <= TRAIN_FALL_RATIO * train_best
    return OverfittingReading(overfits=bool(rose and train_fell), best_iteration=int(steps_a[best]),
                              best_val_loss=best_val, final_val_loss=final_val, train_loss_at_best=train_best,
                              final_train_loss=train_final)
