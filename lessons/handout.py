"""The guided lesson on paper: a printable page of its questions with room to answer (for a student without a
phone), and one with the answers, the numbers and the why (the teacher's notes).

Built from the lesson's own steps and the ``Prediction`` each step computes from nn_core's numbers — never a
second copy of the questions — as one self-contained HTML file (no script, nothing fetched). Every text is
escaped: it is ours, but it holds ``<``, ``&`` and quotes like any other text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from lessons.guided_lesson import CHOICE, NUMBER, LessonStep, Prediction
from viz.style import format_number

QUESTIONS_TITLE = "Backprop Lab — the guided lesson's questions"
ANSWERS_TITLE = "Backprop Lab — the guided lesson's answers"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; font-size: 12pt; line-height: 1.4; max-width: 46em; margin: 2em auto;
         padding: 0 1em; color: #111; }}
  h1 {{ font-size: 16pt; }}
  h2 {{ font-size: 13pt; margin: 0 0 0.3em; }}
  section {{ border-top: 1px solid #999; padding: 0.8em 0; break-inside: avoid; }}
  .setup {{ color: #333; }}
  .options {{ list-style: none; padding-left: 0; }}
  .options li::before {{ content: "☐ "; }}
  .answer-line {{ border-bottom: 1px solid #333; height: 1.8em; width: 12em; display: inline-block; }}
  .why-box {{ border: 1px solid #999; height: 4.5em; margin-top: 0.5em; }}
  .answer {{ font-weight: 600; }}
  @media print {{ body {{ margin: 0; max-width: none; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{intro}</p>
{sections}
</body>
</html>
"""

_QUESTIONS_INTRO = ("Predict first: write your answer to each question before the class sees the numbers. The "
                    "numbers in the questions are the ones the network computes in the lesson.")
_ANSWERS_INTRO = ("Each question with its answer and why, written from the numbers the network computed (the same "
                  "as the lesson's reveals).")


def _options(prediction: Prediction) -> str:
    items = [*prediction.options, "none of them"] if prediction.kind not in (NUMBER, CHOICE) else prediction.options
    return '<ul class="options">' + "".join(f"<li>{escape(option)}</li>" for option in items) + "</ul>"


def _room_to_answer(prediction: Prediction) -> str:
    if prediction.kind == NUMBER:
        return '<p>Your answer: <span class="answer-line"></span></p>'
    how = "Pick one:" if prediction.kind == CHOICE else "Tick every one that fits:"
    return f"<p>{how}</p>{_options(prediction)}"


def right_answer(prediction: Prediction) -> str:
    """The right answer as the lesson's reveal states it (a number to four digits, with what counts as right)."""
    if prediction.kind == NUMBER:
        return (f"{format_number(float(prediction.answer), 4)} "
                f"(within ±{format_number(prediction.tolerance)} counts as right)")
    if prediction.kind == CHOICE:
        return str(prediction.answer)
    return ", ".join(sorted(prediction.answer)) or "none"  # type: ignore[arg-type]


def _section(number: int, step: LessonStep, prediction: Prediction, with_answers: bool) -> str:
    parts = [f"<section>\n<h2>{number}. {escape(step.title)}</h2>",
             f'<p class="setup">{escape(step.text)}</p>',
             f"<p><strong>Question:</strong> {escape(prediction.prompt)}</p>"]
    if with_answers:
        parts += [f'<p>Answer: <span class="answer">{escape(right_answer(prediction))}</span></p>',
                  f"<p><strong>Why:</strong> {escape(prediction.why)}</p>"]
    else:
        parts += [_room_to_answer(prediction), '<p>Why (in a sentence):</p><div class="why-box"></div>']
    return "\n".join(parts) + "\n</section>"


def handout_html(steps: Sequence[tuple[LessonStep, Prediction]], *, with_answers: bool) -> str:
    """The questions (``with_answers`` False) or the answers page, one section per step in the lesson's order."""
    title = ANSWERS_TITLE if with_answers else QUESTIONS_TITLE
    sections = "\n".join(_section(number, step, prediction, with_answers)
                         for number, (step, prediction) in enumerate(steps, start=1))
    return _PAGE.format(title=escape(title), intro=escape(_ANSWERS_INTRO if with_answers else _QUESTIONS_INTRO),
                        sections=sections)
