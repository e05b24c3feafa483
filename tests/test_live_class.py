"""The live class's rules (lessons/live_class.py): what counts as an answer to a step, the class's distribution,
the share right per round, when to suggest a second vote, the end-of-class summary and the download's rows."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from class_store.records import MAX_ANSWER_CHARS, AnswerRecord, StepState
from file_formats.class_answers import COLUMNS, class_answers_csv
from lessons import live_class as rules
from lessons.guided_lesson import CHOICE, NUMBER, STEPS, UNITS, Prediction
from viz.class_answers import AnswerBars, NumberHistogram

BY_KEY = {step.key: step for step in STEPS}
WARM_UP, YH, Z1, DLOSS_Z1 = BY_KEY["warm_up"], BY_KEY["yh"], BY_KEY["z1"], BY_KEY["dloss_z1"]
NUMBER_Q = Prediction("What is the slope?", NUMBER, 7.0, "because", tolerance=0.05)
PROBABILITY_Q = Prediction("What is Yh?", NUMBER, 0.2, "because", tolerance=0.03)
CHOICE_Q = Prediction("Which shape?", CHOICE, "(4, 5)", "because", options=("(4, 5)", "(3, 5)", "(5, 4)"))
UNITS_Q = Prediction("Which units?", UNITS, frozenset({"h1", "h3"}), "because", options=("h1", "h2", "h3", "h4"))


def record(step: int, round_: int, student: int, text: str, correct: bool, seconds: float = 4.0) -> AnswerRecord:
    return AnswerRecord(step, round_, student, text, correct, seconds)


def answered(step, prediction, values, round_=1, first_student=1) -> list[AnswerRecord]:
    """Records as the store would hold them: each value validated and encoded by the rules."""
    number = rules.step_number_of(step)
    records = []
    for student, value in enumerate(values, start=first_student):
        answer = rules.validate(step, prediction, value)
        assert isinstance(answer, rules.Answer), (value, answer)
        records.append(record(number, round_, student, answer.text, answer.correct))
    return records


# ------------------------------------------------------------------------------------------------ validating
@pytest.mark.parametrize("value", [7, 7.0, -3.25, 0, 1e6, -1e6, np.float64(2.5), np.int64(3)])
def test_a_finite_number_within_range_is_an_answer(value):
    answer = rules.validate(WARM_UP, NUMBER_Q, value)
    assert isinstance(answer, rules.Answer)
    assert answer.response == float(value) and json.loads(answer.text) == float(value)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e6 * 1.0001, -2e6, 1e308, True, False, "7", None,
                                   [7], {"n": 7}, b"7"])
def test_anything_else_is_not_a_number_answer(value):
    problem = rules.validate(WARM_UP, NUMBER_Q, value)
    assert isinstance(problem, rules.AnswerProblem)
    assert problem.message in ("Type a number (digits, a decimal point and a sign only).",
                               "This answer is a number between −1,000,000 and 1,000,000.")  # never the value


def test_a_probability_is_between_0_and_1_both_included():
    assert isinstance(rules.validate(YH, PROBABILITY_Q, 0.0), rules.Answer)
    assert isinstance(rules.validate(YH, PROBABILITY_Q, 1.0), rules.Answer)
    for outside in (-0.0001, 1.0001, 5.0):
        problem = rules.validate(YH, PROBABILITY_Q, outside)
        assert isinstance(problem, rules.AnswerProblem)
        assert problem.message == "This answer is a number between 0 and 1."


def test_a_number_is_judged_by_the_lessons_own_check_tolerance_included():
    assert rules.validate(WARM_UP, NUMBER_Q, 7.05).correct
    assert rules.validate(WARM_UP, NUMBER_Q, 6.95).correct
    assert not rules.validate(WARM_UP, NUMBER_Q, 7.06).correct
    assert not rules.validate(WARM_UP, NUMBER_Q, 6.9).correct


def test_a_choice_must_be_one_of_the_options():
    answer = rules.validate(Z1, CHOICE_Q, "(4, 5)")
    assert isinstance(answer, rules.Answer) and answer.correct and json.loads(answer.text) == "(4, 5)"
    assert not rules.validate(Z1, CHOICE_Q, "(3, 5)").correct
    for forged in ("(4,5)", "<b>(4, 5)</b>", "", 0, None, ["(4, 5)"], "(4, 5)" * 100):
        problem = rules.validate(Z1, CHOICE_Q, forged)
        assert isinstance(problem, rules.AnswerProblem)
        assert problem.message == "Pick one of the answers listed."


def test_units_are_a_subset_of_the_listed_units_and_none_is_an_answer():
    answer = rules.validate(DLOSS_Z1, UNITS_Q, ["h3", "h1"])
    assert answer.response == frozenset({"h1", "h3"}) and answer.correct and json.loads(answer.text) == ["h1", "h3"]
    assert rules.validate(DLOSS_Z1, UNITS_Q, ("h1", "h1", "h3")).response == frozenset({"h1", "h3"})
    none = rules.validate(DLOSS_Z1, UNITS_Q, [])
    assert none.response == frozenset() and not none.correct and none.text == "[]"
    for forged in ("h1", ["h5"], ["h1", "h1", "h1", "h1", "h1"], [1], None, 3, ["h1", None]):
        assert isinstance(rules.validate(DLOSS_Z1, UNITS_Q, forged), rules.AnswerProblem), forged


def test_every_encoded_answer_is_short_and_decodes_to_itself():
    for step, prediction, value in ((WARM_UP, NUMBER_Q, -123456.789012345), (Z1, CHOICE_Q, "(5, 4)"),
                                    (DLOSS_Z1, UNITS_Q, ["h1", "h2", "h3", "h4"]), (DLOSS_Z1, UNITS_Q, [])):
        answer = rules.validate(step, prediction, value)
        assert len(answer.text) <= MAX_ANSWER_CHARS
        assert rules.decode(step, prediction, answer.text) == answer.response


@pytest.mark.parametrize("text", ["", "[", "NaN", "Infinity", "1e400", '"h1"', '{"n": 7}', "[" * 100_000, "true",
                                  '"not an option"', '["h9"]'])
def test_text_that_is_no_valid_answer_decodes_to_nothing(text):
    for step, prediction in ((WARM_UP, NUMBER_Q), (Z1, CHOICE_Q), (DLOSS_Z1, UNITS_Q)):
        assert rules.decode(step, prediction, text) is None


def test_answers_read_back_as_a_student_typed_them():
    assert rules.answer_text(NUMBER_Q, 7.0) == "7"
    assert rules.answer_text(PROBABILITY_Q, 0.194240003) == "0.1942"
    assert rules.answer_text(CHOICE_Q, "(3, 5)") == "(3, 5)"
    assert rules.answer_text(UNITS_Q, frozenset({"h3", "h1"})) == "h1, h3"
    assert rules.answer_text(UNITS_Q, frozenset()) == "none"


def test_every_step_of_the_lesson_accepts_its_own_right_answer():
    from streamlit_glue.guided_lesson_view import step_inputs

    for step in STEPS:
        prediction = step.predict(step_inputs(step))
        answer = rules.validate(step, prediction, prediction.answer)
        assert isinstance(answer, rules.Answer) and answer.correct, step.key


# ------------------------------------------------------------------------------------------------ share right
def test_share_right_counts_only_the_step_and_round_asked():
    records = [*answered(WARM_UP, NUMBER_Q, [7, 7, 3]),                     # step 1, round 1: 2 of 3
               *answered(WARM_UP, NUMBER_Q, [7, 7, 7, 1], round_=2),         # step 1, round 2: 3 of 4
               *answered(YH, PROBABILITY_Q, [0.2, 0.2, 0.2, 0.2, 0.2])]      # step 3: 5 of 5
    assert rules.share_right(records, 1, 1) == rules.RoundShare(2, 3)
    assert rules.share_right(records, 1, 2) == rules.RoundShare(3, 4)
    assert rules.share_right(records, 3, 1) == rules.RoundShare(5, 5)
    assert rules.share_right(records, 2, 1) == rules.RoundShare(0, 0)
    assert rules.RoundShare(0, 0).percent() == "—"
    assert rules.RoundShare(13, 25).percent() == "52 %"
    assert rules.change_text([rules.RoundShare(13, 25), rules.RoundShare(17, 24)]) == "Right: 52 % → 71 %"


@pytest.mark.parametrize(("right", "answered_", "students", "suggested"), [
    (7, 20, 20, True),     # 35 %: the band's lower end is in
    (14, 20, 20, True),    # 70 %: the upper end too
    (10, 20, 20, True),
    (6, 20, 20, False),    # 30 %
    (15, 20, 20, False),   # 75 %
    (349, 1000, 1000, False),
    (701, 1000, 1000, False),
    (1, 2, 2, False),      # 50 %, but two answers say nothing
    (2, 3, 3, True),       # 67 % of 3
    (2, 4, 10, False),     # fewer than half the class answered
    (2, 5, 10, True),
    (0, 0, 0, False),
])
def test_a_second_vote_is_suggested_when_35_to_70_percent_of_the_first_are_right(right, answered_, students,
                                                                                 suggested):
    assert rules.discussion_suggested(rules.RoundShare(right, answered_), students) is suggested


# ------------------------------------------------------------------------------------------------ distributions
def test_choices_one_bar_per_option_the_right_one_marked_and_rounds_apart():
    records = [*answered(Z1, CHOICE_Q, ["(4, 5)", "(3, 5)", "(3, 5)", "(5, 4)"]),
               *answered(Z1, CHOICE_Q, ["(4, 5)", "(4, 5)", "(4, 5)", "(3, 5)"], round_=2)]
    chart = rules.distribution(Z1, CHOICE_Q, records)
    assert isinstance(chart, AnswerBars)
    assert chart.labels == CHOICE_Q.options and chart.right == (True, False, False)
    assert [r.counts for r in chart.rounds] == [(1, 2, 1), (3, 1, 0)]
    assert [r.long_title for r in chart.rounds] == ["Round 1: 25 % right (1 of 4)", "Round 2: 75 % right (3 of 4)"]
    assert chart.title == "Right: 25 % → 75 %"


def test_a_step_with_no_answer_yet_has_one_empty_round():
    chart = rules.distribution(Z1, CHOICE_Q, answered(WARM_UP, NUMBER_Q, [7]))  # another step's answer
    assert [r.counts for r in chart.rounds] == [(0, 0, 0)] and chart.title == "Right: —"


def test_units_count_each_unit_picked_and_none():
    records = answered(DLOSS_Z1, UNITS_Q, [["h1", "h3"], ["h1"], [], ["h1", "h2", "h3", "h4"], ["h3", "h1"]])
    chart = rules.distribution(DLOSS_Z1, UNITS_Q, records)
    assert chart.labels == ("h1", "h2", "h3", "h4", "none")
    assert chart.right == (True, False, True, False, False)
    assert chart.rounds[0].counts == (4, 1, 3, 1, 1)
    assert chart.rounds[0].long_title == "Round 1: 40 % right (2 of 5)"  # exactly the right set: 2 of 5
    assert "exactly the right set" in chart.title


def test_numbers_bin_around_the_truth_and_count_every_answer_once():
    values = [0.2, 0.21, 0.19, 0.5, 0.55, 0.7, 0.0, 1.0, 0.25]
    chart = rules.distribution(YH, PROBABILITY_Q, answered(YH, PROBABILITY_Q, values))
    assert isinstance(chart, NumberHistogram)
    counts = chart.rounds[0]
    assert sum(counts.counts) + counts.below + counts.above == len(values)
    edges = np.array(chart.edges)
    assert np.allclose(np.diff(edges), edges[1] - edges[0])
    # one bin is centred on the right value: the three right answers are in one bar
    centre = int(np.argmin(np.abs((edges[:-1] + edges[1:]) / 2 - 0.2)))
    assert math.isclose((edges[centre] + edges[centre + 1]) / 2, 0.2)
    assert counts.counts[centre] == 3
    assert (chart.truth, chart.tolerance) == (0.2, 0.03)


def test_a_few_wild_numbers_are_clipped_into_the_edge_bins_instead_of_swamping_the_chart():
    bulk = [6.9, 7.0, 7.0, 7.1, 7.3, 6.5, 8.0, 7.0, 6.0, 7.5]
    chart = rules.distribution(WARM_UP, NUMBER_Q, answered(WARM_UP, NUMBER_Q, [*bulk, 1e6, -1e6, 500]))
    counts = chart.rounds[0]
    assert (counts.below, counts.above) == (1, 2)
    assert sum(counts.counts) == len(bulk)
    assert chart.edges[0] > 0 and chart.edges[-1] < 20  # the chart shows the bulk, not ±1e6
    assert sum(n > 0 for n in counts.counts) >= 3  # the bulk is spread over several bars, not crushed into one


def test_without_wild_values_nothing_is_clipped():
    values = [1.0, 3.0, 7.0, 9.5, 12.0, 6.8]
    chart = rules.distribution(WARM_UP, NUMBER_Q, answered(WARM_UP, NUMBER_Q, values))
    assert (chart.rounds[0].below, chart.rounds[0].above) == (0, 0)
    assert sum(chart.rounds[0].counts) == len(values)


def test_both_rounds_of_numbers_share_the_same_bins():
    records = [*answered(YH, PROBABILITY_Q, [0.5, 0.6, 0.2]), *answered(YH, PROBABILITY_Q, [0.2, 0.2, 0.21], round_=2)]
    chart = rules.distribution(YH, PROBABILITY_Q, records)
    assert len(chart.rounds) == 2
    assert [sum(r.counts) for r in chart.rounds] == [3, 3]
    assert chart.rounds[1].long_title == "Round 2: 100 % right (3 of 3)"


def test_a_stored_value_that_is_no_answer_is_left_out_of_the_chart_but_not_of_the_count():
    records = [*answered(Z1, CHOICE_Q, ["(4, 5)"]), record(2, 1, 9, '"(9, 9)"', False)]
    chart = rules.distribution(Z1, CHOICE_Q, records)
    assert chart.rounds[0].counts == (1, 0, 0)
    assert chart.rounds[0].long_title == "Round 1: 50 % right (1 of 2)"


# ------------------------------------------------------------------------------------------------ the end
def test_the_summary_has_a_row_per_step_seen_with_both_rounds():
    records = [*answered(WARM_UP, NUMBER_Q, [7, 7, 3]), *answered(WARM_UP, NUMBER_Q, [7, 7, 7], round_=2),
               *answered(Z1, CHOICE_Q, ["(4, 5)", "(5, 4)"], first_student=2)]
    states = [StepState(1, 2, True, 0.0), StepState(2, 1, True, 0.0), StepState(4, 1, False, 0.0)]
    summaries = rules.step_summaries(records, states)
    assert [(s.step, s.answered, s.first, s.second) for s in summaries] == [
        (1, 3, rules.RoundShare(2, 3), rules.RoundShare(3, 3)),
        (2, 2, rules.RoundShare(1, 2), None),
        (4, 0, rules.RoundShare(0, 0), None)]
    columns = rules.summary_columns(summaries)
    assert columns["Right, round 1"] == ["2 of 3 (67 %)", "1 of 2 (50 %)", "0 of 0 (—)"]
    assert columns["Right, round 2"] == ["3 of 3 (100 %)", "—", "—"]
    assert columns["Question"][1] == Z1.title


def test_the_download_has_one_row_per_answer_with_the_anonymous_number_and_no_token():
    records = [*answered(YH, PROBABILITY_Q, [0.2, 0.9]), record(3, 2, 1, "0.21", True, 12.345),
               record(3, 2, 2, "0.5", False, 30.04),
               *answered(Z1, CHOICE_Q, ["(5, 4)"], first_student=2)]
    rows = rules.csv_rows(records, {3: PROBABILITY_Q, 2: CHOICE_Q})
    text = class_answers_csv(rows)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(COLUMNS)
    assert parsed[1:] == [["3", YH.title, "1", "1", "0.2", "true", "4.0"],
                          ["3", YH.title, "1", "2", "0.9", "false", "4.0"],
                          ["3", YH.title, "2", "1", "0.21", "true", "12.3"],
                          ["3", YH.title, "2", "2", "0.5", "false", "30.0"],
                          ["2", Z1.title, "1", "2", "(5, 4)", "false", "4.0"]]


def test_the_download_never_starts_a_cell_with_a_formula():
    from file_formats.class_answers import ClassAnswerRow

    text = class_answers_csv([ClassAnswerRow(1, "=HYPERLINK(1)", 1, 1, "-0.5", True, 1.0),
                              ClassAnswerRow(1, "+x", 1, 2, "@y", False, 1.0)])
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert rows[0][1] == "'=HYPERLINK(1)" and rows[0][4] == "-0.5"  # a negative number stays a number
    assert rows[1][1] == "'+x" and rows[1][4] == "'@y"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-40, 40), min_size=1, max_size=30), st.sampled_from([0.5, 1.0, 0.25, 0.05]),
       st.integers(-4, 4))
def test_every_number_answer_is_counted_once_in_a_bin_or_an_edge_bar(halves, tolerance, truth):
    """Answers on a bin edge, on the chart's ends, or far outside: each in exactly one bar."""
    question = Prediction("?", NUMBER, float(truth), "because", tolerance=tolerance)
    values = [h / 2 for h in halves]
    chart = rules.distribution(WARM_UP, question, answered(WARM_UP, question, values))
    counts = chart.rounds[0]
    assert sum(counts.counts) + counts.below + counts.above == len(values)
    assert counts.below == sum(v < chart.edges[0] for v in values)
    assert counts.above == sum(v > chart.edges[-1] for v in values)
