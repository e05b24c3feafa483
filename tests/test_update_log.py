"""The step-through's update log in the page address: round trip, merging, and every hostile value refused."""

from __future__ import annotations

import pytest

from lessons.update_log import MAX_UPDATES, format_update_log, parse_update_log


def test_round_trip_and_merging():
    text = format_update_log([(0.5, 1), (0.5, 1), (0.2, 10), (0.5, 3)])
    assert text == "0.5*2,0.2*10,0.5*3"
    assert parse_update_log(text) == ([(0.5, 2), (0.2, 10), (0.5, 3)], None)
    assert parse_update_log("") == ([], None)


@pytest.mark.parametrize("text", [
    "inf*3", "nan*2", "1e400*1", "-0.5*2", "0.5*-1", "0.5*0", "0*4", "6*1", "0.5", "0.5*2,", "*",
    "<b>0.5</b>*2", "[x](http://e.vil)*1", "0.5*2;0.5*2", "0.5*99999", ",".join(["0.5*1"] * 101), "0.5*1" * 500,
])
def test_hostile_values_are_refused_with_a_reason(text):
    runs, problem = parse_update_log(text)
    assert runs == [] and problem


def test_the_total_is_bounded():
    assert parse_update_log(f"0.5*{MAX_UPDATES}")[1] is None
    assert "at most" in parse_update_log(f"0.5*{MAX_UPDATES},0.2*1")[1]
