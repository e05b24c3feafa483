"""What a live class is made of, as the store hands it out: plain frozen records, no behaviour.

A class moves through the guided lesson's steps at the teacher's pace. Each step has one question and up to two
rounds of answers (vote, discuss with your neighbour, vote again); the teacher reveals a step's answers once,
after the last round. ``version`` changes whenever something every screen must show changes (the step, the
round, the reveal, the end); ``answers_version`` whenever an answer or a new student arrives (the teacher's
"k of n answered"). A screen compares them with what it last drew to know whether to draw again.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bounds: a class is a lecture hall, not the internet.
CLASS_TTL_SECONDS = 12 * 3600  # a class expires 12 h after its last activity
MAX_STUDENTS_PER_CLASS = 400
MAX_CLASSES = 500  # live (unexpired) classes per store
MAX_ANSWER_CHARS = 512  # an answer's encoded text (a number, an option, a few unit names)
MAX_ROUNDS = 2  # vote, then (after discussion) vote again
REPLICA_ID_CHARS = 64


@dataclass(frozen=True)
class StepState:
    """One step of a class: which round it is in, whether its answers are shown, when its current round opened."""

    step: int
    round: int  # 1, or 2 after "Discuss with your neighbour, then vote again"
    revealed: bool  # the teacher showed the class's answers (every round of the step)
    opened_at: float  # when the current round's question opened (unix seconds)


@dataclass(frozen=True)
class ClassState:
    """A class as every screen needs it: its code, where it is, and the two change counters."""

    code: str
    step: int  # the lesson step (1-based) the class is on
    current: StepState  # that step's state
    ended: bool
    students: int  # how many students have joined
    version: int
    answers_version: int
    created_at: float
    last_activity: float

    @property
    def round(self) -> int:
        return self.current.round

    @property
    def revealed(self) -> bool:
        return self.current.revealed


@dataclass(frozen=True)
class AnswerRecord:
    """One student's answer in one round of one step. ``student`` is the anonymous number given at joining
    (1, 2, …), never the student's token; ``value`` is the answer as lessons.live_class encodes it."""

    step: int
    round: int
    student: int
    value: str
    correct: bool
    seconds: float  # after the round's question opened


@dataclass(frozen=True)
class NewClass:
    """A class just created: the code students join with, and the teacher's secret (shown to the teacher only;
    the store keeps only its hash)."""

    code: str
    secret: str
    state: ClassState


@dataclass(frozen=True)
class Refusal:
    """Why the store did not do what was asked, in words a user can read (never the user's own text)."""

    reason: str  # one of REFUSALS' keys
    message: str


REFUSALS = {
    "unknown": "There is no live class with that code (it may have expired: a class ends 12 hours after its last "
               "activity).",
    "ended": "This live class has ended.",
    "not_teacher": "That is not this class's teacher key: nothing was changed.",
    "full": "This live class is full: it has as many students as one class can hold.",
    "too_many_classes": "The server holds as many live classes as it can; try again later.",
    "not_joined": "You are not in this class: open the class link again to join.",
    "moved_on": "The class has moved on to another question: your answer was not counted.",
    "closed": "The answers to this question are already shown: your answer was not counted.",
    "bad_step": "There is no such step in the lesson.",
    "bad_round": "This step has no further round.",
    "too_long": "That answer is too long to be one of this question's answers.",
    "bad_replica": "That server name is not valid.",
}


def refusal(reason: str) -> Refusal:
    return Refusal(reason, REFUSALS[reason])


class StoreUnavailable(RuntimeError):
    """The class store cannot be reached (Redis down, the data file unwritable): say "reconnecting", never crash."""
