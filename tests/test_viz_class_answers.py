"""The class's answers drawn (viz/class_answers.py): the counts on the bars, the right ones marked in text and
colour, the right value and its band on a number chart, the clipped answers at the edges, two rounds side by side,
and a text alternative that says the same numbers."""

from __future__ import annotations

from viz.class_answers import (
    OTHER_COLOR,
    RIGHT_COLOR,
    AnswerBars,
    NumberHistogram,
    RoundCounts,
    answers_figure,
    describe_answers,
)

CHOICES = AnswerBars(("up", "down", "<b>same</b>"), (False, True, False),
                     (RoundCounts("Round 1: 52 % right", 13, 25, (8, 13, 4)),
                      RoundCounts("Round 2: 71 % right", 17, 24, (5, 17, 2))), "Right: 52 % → 71 %")
NUMBERS = NumberHistogram((0.1, 0.16, 0.22, 0.28), 0.19, 0.03,
                          (RoundCounts("Round 1: 40 % right", 2, 5, (1, 2, 0), below=1, above=1),), "Right: 40 %")


def test_choice_bars_carry_the_counts_and_the_right_one_is_marked_in_text_and_colour():
    fig = answers_figure(CHOICES).to_dict()
    bars = [trace for trace in fig["data"] if trace["type"] == "bar"]
    assert len(bars) == 2  # a panel per round
    assert [list(bar["y"]) for bar in bars] == [[8, 13, 4], [5, 17, 2]]
    assert list(bars[0]["x"]) == ["up", "down ✓", "&lt;b&gt;same&lt;/b&gt;"]  # an option is drawn as written
    assert list(bars[0]["marker"]["color"]) == [OTHER_COLOR, RIGHT_COLOR, OTHER_COLOR]
    assert bars[0]["xaxis"] != bars[1]["xaxis"]  # side by side, not stacked into one
    titles = [annotation["text"] for annotation in fig["layout"]["annotations"]]
    assert titles == ["Round 1: 52 % right", "Round 2: 71 % right"]  # short: each sits over half a phone
    assert "text" not in fig["layout"].get("title", {})  # the page says "Right: 52 % → 71 %" above the chart


def test_one_round_is_one_panel_with_its_share_in_the_title():
    one = AnswerBars(CHOICES.labels, CHOICES.right, CHOICES.rounds[:1], "Right: 52 %")
    fig = answers_figure(one).to_dict()
    assert len(fig["data"]) == 1
    assert fig["layout"]["title"]["text"] == "Round 1: 52 % right (13 of 25)"


def test_a_number_chart_marks_the_truth_and_its_band_and_counts_the_clipped_at_the_edges():
    fig = answers_figure(NUMBERS).to_dict()
    bins, edges = fig["data"]
    assert [round(x, 2) for x in bins["x"]] == [0.13, 0.19, 0.25] and list(bins["y"]) == [1, 2, 0]
    assert list(bins["marker"]["color"]) == [OTHER_COLOR, RIGHT_COLOR, OTHER_COLOR]
    assert list(edges["y"]) == [1, 1] and list(edges["text"]) == ["below 0.1", "above 0.28"]
    assert edges["x"][0] < 0.1 < 0.28 < edges["x"][1]
    shapes = fig["layout"]["shapes"]
    band = next(s for s in shapes if s["type"] == "rect")
    line = next(s for s in shapes if s["type"] == "line")
    assert (round(band["x0"], 4), round(band["x1"], 4)) == (0.16, 0.22)
    assert line["x0"] == line["x1"] == 0.19
    assert fig["layout"]["title"]["text"] == "Round 1: 40 % right (2 of 5)"
    assert fig["layout"]["xaxis"]["title"]["text"] == "answer (right: 0.19 ± 0.03)"


def test_the_text_alternative_says_the_same_numbers():
    text = describe_answers(CHOICES)
    assert "Right: 52 % → 71 %" in text
    assert "Round 1: 52 % right (13 of 25): up: 8; down (right): 13; <b>same</b>: 4." in text
    assert "Round 2: 71 % right (17 of 24): up: 5; down (right): 17; <b>same</b>: 2." in text
    numbers = describe_answers(NUMBERS)
    assert "The right value is 0.19; answers within ±0.03 count as right." in numbers
    assert "below 0.1: 1; 0.1 to 0.16: 1; 0.16 to 0.22: 2; above 0.28: 1." in numbers
