"""The rules of a live class, in pure Python: what counts as an answer to a step, how the class's answers are
summed up for the teacher, and when to suggest a second vote. The class store (class_store/) keeps the state and
enforces who may do what; the screens (streamlit_glue/live_class_view.py) draw what these functions return.

- An answer is validated against the step's ``Prediction`` before it reaches the store: a finite number within
  the step's range (a probability is between 0 and 1), one of the listed options, or a subset of the listed units.
  Stored as short JSON text; judged by ``guided_lesson.check`` — the same judge as a student alone.
- The distribution: numbers binned with wild values clipped into the edge bins, choices one bar per option,
  units how many picked each unit; the right ones marked.
- Peer instruction (Crouch & Mazur 2001): when 35–70 % of the first answers are right, discussion helps most —
  suggest "Discuss with your neighbour, then vote again".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from class_store.records import MAX_ANSWER_CHARS, MAX_ROUNDS, AnswerRecord, StepState
from file_formats.class_answers import ClassAnswerRow
from lessons.guided_lesson import CHOICE, NUMBER, STEPS, UNITS, LessonStep, Prediction, check
from viz.class_answers import AnswerBars, Answers, NumberHistogram, RoundCounts
from viz.style import format_number

# A number answered must be finite and within these bounds: ±1e6 for any step, tighter where the quantity is
# bounded (a probability; Yh − Y and its mean lie between −1 and 1).
NUMBER_LIMIT = 1e6
NUMBER_RANGES: Mapping[str, tuple[float, float]] = {"yh": (0.0, 1.0), "dloss_z2": (-1.0, 1.0),
                                                    "dloss_b2": (-1.0, 1.0)}
DISCUSS_LOW, DISCUSS_HIGH = 0.35, 0.70  # Crouch & Mazur: the first vote's share right where discussion helps most
MIN_ANSWERS_TO_SUGGEST = 3  # fewer answers than this say nothing about the class
MIN_BINS, MAX_BINS = 10, 16  # a number histogram's bars
NONE_LABEL = "none"


@dataclass(frozen=True)
class Answer:
    """A valid answer: its stored text, its value as the lesson's judge takes it, and whether it is right."""

    text: str
    response: float | str | frozenset[str]
    correct: bool


@dataclass(frozen=True)
class AnswerProblem:
    """Why a value is not an answer to the step, in plain words (never the value itself: it may be anything)."""

    message: str


def step_number_of(step: LessonStep) -> int:
    return STEPS.index(step) + 1


def number_range(step: LessonStep) -> tuple[float, float]:
    return NUMBER_RANGES.get(step.key, (-NUMBER_LIMIT, NUMBER_LIMIT))


# ------------------------------------------------------------------------------------------------ answers
def _as_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _bound(value: float) -> str:
    """A range's end as a student reads it: −1,000,000, 0, 1."""
    magnitude = f"{abs(value):,.0f}" if value.is_integer() else format_number(abs(value))
    return ("−" if value < 0 else "") + magnitude


def validate(step: LessonStep, prediction: Prediction, response: object) -> Answer | AnswerProblem:
    """The answer ``response`` (what the step's widget returned — or what a forged message made of it) as an
    Answer, or the problem with it."""
    if prediction.kind == NUMBER:
        number = _as_number(response)
        if number is None:
            return AnswerProblem("Type a number (digits, a decimal point and a sign only).")
        low, high = number_range(step)
        if not low <= number <= high:
            return AnswerProblem(f"This answer is a number between {_bound(low)} and {_bound(high)}.")
        value: float | str | frozenset[str] = number
        text = json.dumps(number)
    elif prediction.kind == CHOICE:
        if not isinstance(response, str) or response not in prediction.options:
            return AnswerProblem("Pick one of the answers listed.")
        value, text = response, json.dumps(response, ensure_ascii=False)
    elif prediction.kind == UNITS:
        if isinstance(response, (str, bytes)) or not isinstance(response, Iterable):
            return AnswerProblem("Pick the units from the list (or none).")
        chosen = list(response)
        if len(chosen) > len(prediction.options) or not all(isinstance(u, str) and u in prediction.options
                                                                 for u in chosen):
            return AnswerProblem("Pick the units from the list (or none).")
        value = frozenset(chosen)
        text = json.dumps(sorted(value), ensure_ascii=False)
    else:
        raise ValueError(f"unknown prediction kind {prediction.kind!r}")
    if len(text) > MAX_ANSWER_CHARS:
        return AnswerProblem("That answer is too long to be one of this question's answers.")
    return Answer(text, value, check(prediction, value).correct)


def decode(step: LessonStep, prediction: Prediction, text: str) -> float | str | frozenset[str] | None:
    """A stored answer's value, or None if the text is not a valid answer to the step (then it is not shown)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return None
    answer = validate(step, prediction, raw if prediction.kind != UNITS or isinstance(raw, list) else None)
    return answer.response if isinstance(answer, Answer) else None


def answer_text(prediction: Prediction, response: float | str | Iterable[str]) -> str:
    """An answer as the student reads it back: 0.7311, "up", "h1, h3" (or "none")."""
    if prediction.kind == NUMBER:
        return format_number(float(response), 4)  # type: ignore[arg-type]
    if prediction.kind == CHOICE:
        return str(response)
    return ", ".join(sorted(response)) or NONE_LABEL  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ the class's answers
@dataclass(frozen=True)
class RoundShare:
    right: int
    answered: int

    @property
    def share(self) -> float | None:
        return self.right / self.answered if self.answered else None

    def percent(self) -> str:
        return "—" if self.share is None else f"{round(100 * self.share)} %"


def in_round(records: Iterable[AnswerRecord], step: int, round_: int) -> list[AnswerRecord]:
    return [r for r in records if r.step == step and r.round == round_]


def share_right(records: Iterable[AnswerRecord], step: int, round_: int) -> RoundShare:
    chosen = in_round(records, step, round_)
    return RoundShare(sum(r.correct for r in chosen), len(chosen))


def discussion_suggested(first: RoundShare, students: int) -> bool:
    """Whether to suggest "Discuss with your neighbour, then vote again": 35–70 % of the first round right
    (both ends included), once enough have answered — at least 3, and at least half the class."""
    enough = first.answered >= max(MIN_ANSWERS_TO_SUGGEST, math.ceil(students / 2))
    return enough and first.share is not None and DISCUSS_LOW <= first.share <= DISCUSS_HIGH


def change_text(shares: Sequence[RoundShare]) -> str:
    """"Right: 52 %" or, after a second round, "Right: 52 % → 71 %"."""
    return "Right: " + " → ".join(share.percent() for share in shares)


def _round(round_: int, share: RoundShare, counts: tuple[int, ...], below: int = 0, above: int = 0) -> RoundCounts:
    return RoundCounts(f"Round {round_}: {share.percent()} right", share.right, share.answered, counts, below, above)


def _chart_range(step: LessonStep, values: np.ndarray, truth: float, tolerance: float) -> tuple[float, float]:
    """The chart's range: every answer within a plausible window around the right value — ±max(10 tolerances,
    2 × |the right value|, 1), inside the step's own range — and at least ±3 tolerances around it. Answers outside
    the window (a typo of 1e6, a wild guess) are counted in the edge bars instead of squeezing everyone else."""
    reach = max(10 * tolerance, 2 * abs(truth), 1.0)
    bounds = number_range(step)
    window = (max(bounds[0], truth - reach), min(bounds[1], truth + reach))
    low, high = max(window[0], truth - 3 * tolerance), min(window[1], truth + 3 * tolerance)
    inside = values[(values >= window[0]) & (values <= window[1])]
    if inside.size:
        low, high = min(low, float(inside.min())), max(high, float(inside.max()))
    if not high > low:  # a tolerance of 0 and nothing else to show
        low, high = low - 1.0, high + 1.0
    margin = 0.08 * (high - low)  # the answers and the truth never sit on the chart's edge
    return max(window[0], low - margin), min(window[1], high + margin)


def _bin_edges(low: float, high: float, truth: float, tolerance: float) -> np.ndarray:
    """Equal bins covering [low, high], one of them centred on the right value (so the right answers are not split
    between two bars by an edge on the truth): as wide as the tolerance band where that makes at most MAX_BINS
    bars, at most as wide as MIN_BINS bars allow."""
    span = high - low
    width = max(span / MAX_BINS, min(span / MIN_BINS, 2 * tolerance if tolerance > 0 else span))
    first = math.floor((low - truth) / width - 0.5)
    last = math.ceil((high - truth) / width - 0.5)
    return truth + (np.arange(first, last + 1) + 0.5) * width


def distribution(step: LessonStep, prediction: Prediction, records: Sequence[AnswerRecord]) -> Answers:
    """The class's answers to ``step`` for the chart: a round per chart panel (two after a second vote)."""
    number = step_number_of(step)
    rounds = sorted({r.round for r in records if r.step == number}) or [1]
    shares = [share_right(records, number, round_) for round_ in rounds]
    values = {round_: [v for v in (decode(step, prediction, r.value) for r in in_round(records, number, round_))
                       if v is not None] for round_ in rounds}
    title = change_text(shares)
    if prediction.kind == NUMBER:
        truth, tolerance = float(prediction.answer), prediction.tolerance  # type: ignore[arg-type]
        every = np.array([v for round_values in values.values() for v in round_values], dtype=float)
        low, high = _chart_range(step, every, truth, tolerance)
        edges = _bin_edges(low, high, truth, tolerance)
        low, high = float(edges[0]), float(edges[-1])
        counts = []
        for round_, share in zip(rounds, shares, strict=True):
            answered = np.array(values[round_], dtype=float)
            inside = answered[(answered >= low) & (answered <= high)]
            counts.append(_round(round_, share, tuple(int(n) for n in np.histogram(inside, bins=edges)[0]),
                                 below=int(np.sum(answered < low)), above=int(np.sum(answered > high))))
        return NumberHistogram(tuple(float(e) for e in edges), truth, tolerance, tuple(counts), title)
    if prediction.kind == CHOICE:
        labels = tuple(prediction.options)
        right = tuple(option == prediction.answer for option in labels)
        counts = [_round(round_, share, tuple(values[round_].count(o) for o in labels))
                  for round_, share in zip(rounds, shares, strict=True)]
        return AnswerBars(labels, right, tuple(counts), title)
    # units: how many picked each unit, and how many picked none at all
    labels = (*prediction.options, NONE_LABEL)
    truth_set = prediction.answer  # type: ignore[assignment]
    right = (*(unit in truth_set for unit in prediction.options), not truth_set)
    counts = [_round(round_, share, (*(sum(unit in v for v in values[round_]) for unit in prediction.options),
                                     sum(not v for v in values[round_])))
              for round_, share in zip(rounds, shares, strict=True)]
    return AnswerBars(labels, right, tuple(counts), title + " (exactly the right set)", axis_title="unit picked")


# ------------------------------------------------------------------------------------------------ the end of the class
@dataclass(frozen=True)
class StepSummary:
    """One step of an ended class, as the teacher's summary table shows it."""

    step: int
    title: str
    answered: int  # students who answered in any round
    first: RoundShare
    second: RoundShare | None  # None: no second round on this step


def step_summaries(records: Sequence[AnswerRecord], step_states: Sequence[StepState]) -> list[StepSummary]:
    """Every step the class went through, in step order."""
    summaries = []
    for state in step_states:
        answered = len({r.student for r in records if r.step == state.step})
        second = share_right(records, state.step, 2) if state.round >= MAX_ROUNDS else None
        summaries.append(StepSummary(state.step, STEPS[state.step - 1].title, answered,
                                     share_right(records, state.step, 1), second))
    return summaries


def summary_columns(summaries: Sequence[StepSummary]) -> dict[str, list]:
    """The summary as table columns (viz.text.markdown_table)."""
    def cell(share: RoundShare | None) -> str:
        return "—" if share is None else f"{share.right} of {share.answered} ({share.percent()})"

    return {"Step": [s.step for s in summaries], "Question": [s.title for s in summaries],
            "Answered": [s.answered for s in summaries], "Right, round 1": [cell(s.first) for s in summaries],
            "Right, round 2": [cell(s.second) for s in summaries]}


def csv_rows(records: Iterable[AnswerRecord], predictions: Mapping[int, Prediction]) -> list[ClassAnswerRow]:
    """The class's answers as the download's rows (step, round, anonymous student number, answer as read back,
    right, seconds after the question opened). ``predictions``: step number → its Prediction."""
    rows = []
    for record in records:
        step = STEPS[record.step - 1]
        prediction = predictions[record.step]
        value = decode(step, prediction, record.value)
        rows.append(ClassAnswerRow(record.step, step.title, record.round, record.student,
                                   "" if value is None else answer_text(prediction, value), record.correct,
                                   record.seconds))
    return rows
