"""The one divergence rule: each threshold at its edge, and the words every page shows."""

from __future__ import annotations

import math

from nn_core.divergence import (
    EXPLOSION_FACTOR,
    EXPLOSION_FLOOR,
    LOSS_CEILING,
    divergence_clause,
    divergence_message,
    escape_bounds,
    loss_exploded,
    past_ceiling,
)


def test_the_ceiling_itself_is_still_a_number_we_train_on():
    assert not past_ceiling(LOSS_CEILING)
    assert past_ceiling(LOSS_CEILING * (1 + 1e-12))
    assert past_ceiling(math.nan) and past_ceiling(math.inf)


def test_a_loss_explodes_above_the_larger_of_floor_and_factor_times_start():
    start = 0.7
    edge = max(EXPLOSION_FLOOR, EXPLOSION_FACTOR * start)
    assert not loss_exploded(edge, start)
    assert loss_exploded(edge * 1.001, start)
    big_start = 2.0  # factor × start beats the floor
    assert not loss_exploded(EXPLOSION_FACTOR * big_start, big_start)
    assert loss_exploded(EXPLOSION_FACTOR * big_start + 0.01, big_start)
    assert loss_exploded(-math.inf, start)


def test_escape_bounds_are_one_domain_width_around_the_domain():
    assert escape_bounds((-2.0, 3.0)) == (-7.0, 8.0)


def test_one_set_of_words():
    assert divergence_clause(7, event="the ball flew off", unit="step") == (
        "the learning rate is too high: the ball flew off at step 7")
    message = divergence_message(12, 10.0)
    assert message.startswith("The learning rate 10 is too high: the loss exploded at iteration 12.")
    assert "10 times smaller" in message


def test_the_thresholds_in_literal_numbers():
    """Written out, not derived from the constants: changing a threshold must fail a test."""
    assert not past_ceiling(1e8) and past_ceiling(1.0000001e8)
    assert not loss_exploded(10.0, 0.1) and loss_exploded(10.01, 0.1)  # the floor, 10, wins over 20 × 0.1
    assert not loss_exploded(14.0, 0.7) and loss_exploded(14.01, 0.7)  # 20 × 0.7 = 14 beats the floor
    assert not loss_exploded(9.99, 0.4) and loss_exploded(10.001, 0.4)
    assert escape_bounds((-3.0, 3.0)) == (-9.0, 9.0)
