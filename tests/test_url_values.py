"""The link checks take anything a person or a chat app can put in an address and never let it through."""

import pytest

from lessons.url_values import (
    SHOWN_CHARACTERS,
    ignored_note,
    parse_choice,
    parse_choices,
    parse_float,
    parse_int,
    parse_nearest,
)

HOSTILE = ["inf", "-inf", "Infinity", "1e400", "nan", "NaN", "", " ", "<b>7</b>", "**7**", "7; DROP", "0x10",
           "1_000", "5.0", "1e3", "٣", "7\x00", "9" * 5000, "[7](javascript:alert(1))"]


@pytest.mark.parametrize("raw", HOSTILE)
def test_parse_int_rejects_hostile_values(raw):
    value, problem = parse_int(raw, 0, 9999)
    assert value is None and problem == "not a whole number between 0 and 9999"


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("-0", 0), ("+42", 42), (" 9999 ", 9999)])
def test_parse_int_accepts_whole_numbers_in_range(raw, expected):
    assert parse_int(raw, 0, 9999) == (expected, None)


def test_parse_int_rejects_out_of_range_and_missing():
    assert parse_int("10000", 0, 9999)[0] is None
    assert parse_int("-1", 0, 9999)[0] is None
    assert parse_int(None, 0, 9999)[0] is None


@pytest.mark.parametrize("raw", ["inf", "1e400", "nan", "", "<i>1</i>", "1,5", "3" * 400 + "x", "2.5"])
def test_parse_float_rejects_non_finite_markup_and_out_of_range(raw):
    assert parse_float(raw, 0.0, 2.0) == (None, "not a number between 0 and 2")


def test_parse_float_accepts_decimals_and_normalises_negative_zero():
    assert parse_float("0.05", 0.0, 2.0) == (0.05, None)
    value, _ = parse_float("-0", 0.0, 2.0)
    assert value == 0.0 and str(value) == "0.0"
    assert parse_float("1e-1", 0.0, 2.0) == (0.1, None)


def test_parse_choice_takes_keys_and_old_labels_but_nothing_else():
    options, aliases = ["hills", "bowl"], {"Simple bowl": "bowl"}
    assert parse_choice("bowl", options, aliases) == ("bowl", None)
    assert parse_choice("Simple bowl", options, aliases) == ("bowl", None)
    assert parse_choice("simple BOWL", options, aliases) == ("bowl", None)
    for raw in ["real", "", "<script>", "bowl" * 300, None]:
        assert parse_choice(raw, options, aliases) == (None, "not one of hills, bowl")


def test_parse_nearest_maps_a_rounded_number_to_the_slider_option():
    options = [0.001, 0.00316, 0.01, 0.1, 3.16, 10.0]
    assert parse_nearest("3.16", options) == (3.16, None)
    assert parse_nearest("0.1", options) == (0.1, None)
    assert parse_nearest("0.2", options)[0] is None
    assert parse_nearest("inf", options)[0] is None
    assert parse_nearest("nan", options)[0] is None


def test_parse_choices_rejects_the_whole_list_for_one_unknown():
    options, aliases = ["gd", "adam"], {"Gradient descent": "gd"}
    assert parse_choices(["Gradient descent", "adam", "gd"], options, aliases) == (["gd", "adam"], None)
    assert parse_choices(["gd", "sgd"], options, aliases)[0] is None


def test_ignored_note_repeats_the_value_literally_and_briefly():
    assert ignored_note("land_seed", "inf", "not a whole number between 0 and 9999") == (
        "Ignored land_seed=inf from the link: not a whole number between 0 and 9999.")
    long_note = ignored_note("land_seed", "9" * 5000, "p")
    assert "9" * SHOWN_CHARACTERS + "…" in long_note and len(long_note) < 120
    assert "\x00" not in ignored_note("k", "a\x00b", "p")
