"""The one place that decides a run "blew up", and the one set of words a learner reads about it.

Every lesson asks the same question — did the learning rate make the steps overshoot until the numbers
flew off? — but each measures a different thing, so each gets its threshold here, with its reason:

* ``loss_exploded`` — a loss on a fixed data set (the training page's full-set loss, the real-network
  landscape): not finite, or far above where the run started. Gradient descent with a sane learning rate
  never climbs 20× above its start; an overshooting one does within a few steps.
* ``past_ceiling`` — inside ``train`` on each *batch* loss: only the hard ceiling, because a single
  sample's loss is noisy (SGD) and may legitimately jump far above the first batch's. Past the ceiling
  the weights overflow to inf a few steps later, so ``train`` stops there to keep every number finite.
* ``escape_bounds`` — a ball on a toy surface: it left a generous box around the surface's domain
  (there is no data loss to compare, only a position).
"""

from __future__ import annotations

import numpy as np

# A mean cross-entropy this large means |Z2| ~ 1e8 on wrong answers: the weights are flying off.
LOSS_CEILING = 1e8
# A full-set loss above max(EXPLOSION_FLOOR, EXPLOSION_FACTOR × its starting value) has exploded. The floor
# keeps a run that starts with a tiny loss (an easy data set) from being called exploded at 0.2.
EXPLOSION_FACTOR = 20.0
EXPLOSION_FLOOR = 10.0
# A toy-surface ball has flown off once it is this many domain widths outside the domain.
ESCAPE_MARGIN = 1.0


def past_ceiling(loss: float) -> bool:
    """True when a (batch) loss is not a number or above ``LOSS_CEILING``: stop before the weights overflow."""
    return not loss <= LOSS_CEILING  # also true for nan


def loss_exploded(current: float, initial: float) -> bool:
    """True when a full-set loss is not finite, past the ceiling, or has grown far above its start."""
    return (not np.isfinite(current) or past_ceiling(current)
            or current > max(EXPLOSION_FLOOR, EXPLOSION_FACTOR * initial))


def escape_bounds(domain: tuple[float, float]) -> tuple[float, float]:
    """The box a toy-surface ball must stay in, ``ESCAPE_MARGIN`` domain widths around the domain."""
    low, high = domain
    width = high - low
    return low - ESCAPE_MARGIN * width, high + ESCAPE_MARGIN * width


def divergence_clause(step: int, *, event: str = "the loss exploded", unit: str = "iteration") -> str:
    """The short form, for a line among others: "the learning rate is too high: the ball flew off at step 7"."""
    return f"the learning rate is too high: {event} at {unit} {step}"


def divergence_message(step: int, lr: float, *, event: str = "the loss exploded", unit: str = "iteration") -> str:
    """The full form every page shows when a run blew up: where, why, and what to try."""
    return (f"The learning rate {lr:.3g} is too high: {event} at {unit} {step}. Each step overshoots the valley "
            "and lands higher up. Try a learning rate 10 times smaller.")
