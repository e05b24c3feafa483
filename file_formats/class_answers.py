"""The live class's answers as a CSV file for the teacher (the standard library's ``csv`` module).

One row per answer: the step (number and title), the round (1, or 2 after a second vote), the student's anonymous
number in the class (never their token: the file can be shared), the answer as the student reads it back, whether
it was right, and the seconds from the question opening to the answer. No names and no addresses exist to write.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

COLUMNS = ("step", "question", "round", "student", "answer", "right", "seconds")


@dataclass(frozen=True)
class ClassAnswerRow:
    step: int
    question: str
    round: int
    student: int
    answer: str
    right: bool
    seconds: float


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (=, +, -, @ first, unless it is a number)."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def class_answers_csv(rows: Iterable[ClassAnswerRow]) -> str:
    """The CSV text, header first, rows in the order given (the store's: step, round, student)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.step, _cell(row.question), row.round, row.student, _cell(row.answer),
                         "true" if row.right else "false", f"{row.seconds:.1f}"])
    return out.getvalue()
