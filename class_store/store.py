"""The one interface to a live class's state. Pages and screens never touch a database; they call these methods.

Two backends keep the same contract (tests/test_class_store.py runs one suite against both):
- ``SqliteClassStore``: the default, one file in the app's data folder, nothing to set up — a single server
  (Community Cloud) keeps its classes across a restart;
- a Redis backend, chosen when ``REDIS_URL`` is set: what replicas behind a balancer share.

Every rule that protects the class is enforced here, not by hiding a button: only the teacher's secret moves,
reveals or ends a class; an answer counts only for a joined student, on the class's current step and round,
before the reveal, one per student per round (a second replaces the first). What a user can cause comes back
as a ``Refusal`` with plain words; an unreachable store raises ``StoreUnavailable``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from class_store.records import (
    MAX_CLASSES,
    MAX_STUDENTS_PER_CLASS,
    AnswerRecord,
    ClassState,
    NewClass,
    Refusal,
    StepState,
)


class ClassStore(ABC):
    """A live class's state. ``shared``: whether several server processes (replicas) see the same classes.
    ``max_students`` / ``max_classes``: the bounds every backend enforces (an instance may lower them: tests)."""

    kind: str = ""
    shared: bool = False
    max_students: int = MAX_STUDENTS_PER_CLASS
    max_classes: int = MAX_CLASSES

    # ---------------------------------------------------------------------------------------------- the teacher
    @abstractmethod
    def create_class(self, step_count: int, first_step: int = 1) -> NewClass | Refusal:
        """A new class on ``first_step`` of a lesson of ``step_count`` steps; its secret is returned once."""

    @abstractmethod
    def is_teacher(self, code: str, secret: str | None) -> bool:
        """Whether ``secret`` is the class's teacher secret (constant-time; False for an unknown class)."""

    @abstractmethod
    def move_to(self, code: str, secret: str | None, step: int) -> ClassState | Refusal:
        """The class goes to ``step``. A step seen before keeps its round and reveal; a new one opens round 1."""

    @abstractmethod
    def second_round(self, code: str, secret: str | None) -> ClassState | Refusal:
        """Round 2 of the current step (only from round 1, before the reveal): everyone answers again."""

    @abstractmethod
    def reveal(self, code: str, secret: str | None) -> ClassState | Refusal:
        """Show the current step's answers (both rounds): students' verdicts unlock, answering closes."""

    @abstractmethod
    def end(self, code: str, secret: str | None) -> ClassState | Refusal:
        """End the class: nothing more can be answered or moved; its answers stay readable until it expires."""

    # ---------------------------------------------------------------------------------------------- students
    @abstractmethod
    def join(self, code: str, token: str) -> int | Refusal:
        """The student's number in the class (1, 2, …); joining again with the same token gives the same number."""

    @abstractmethod
    def student_number(self, code: str, token: str) -> int | None:
        """The number of the student with ``token``, or None if that token has not joined."""

    @abstractmethod
    def answer(self, code: str, token: str, step: int, round: int, value: str,
               correct: bool) -> AnswerRecord | Refusal:
        """Count a joined student's answer to the current step and round (replacing their earlier one in that round).
        ``value`` is already validated against the step's question by the caller (lessons.live_class)."""

    # ---------------------------------------------------------------------------------------------- reading
    @abstractmethod
    def state(self, code: str) -> ClassState | None:
        """The class, or None if there is no such class (never created, or expired)."""

    @abstractmethod
    def step_states(self, code: str) -> list[StepState]:
        """Every step the class has been on, in step order."""

    @abstractmethod
    def answered(self, code: str, step: int, round: int) -> int:
        """How many students have answered that round of that step."""

    @abstractmethod
    def answers(self, code: str, step: int) -> list[AnswerRecord]:
        """Every answer to ``step`` (both rounds). Callers decide who may see them (students: after the reveal)."""

    @abstractmethod
    def my_answers(self, code: str, token: str) -> list[AnswerRecord]:
        """The answers of the student with ``token``, every step and round."""

    @abstractmethod
    def all_answers(self, code: str) -> list[AnswerRecord]:
        """Every answer of the class, by step, round and student (the teacher's download)."""

    @abstractmethod
    def versions(self, codes: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(version, answers_version) of each live class among ``codes``: one cheap read for the class watcher."""

    # ---------------------------------------------------------------------------------------------- servers
    @abstractmethod
    def note_replica(self, code: str, replica: str) -> frozenset[str]:
        """Record that ``replica`` (a server process's id) served this class; returns every replica recorded. A
        store that is not shared seeing more than one is how a teacher learns that replicas split the class."""

    def close(self) -> None:  # noqa: B027 (optional: a backend without connections has nothing to release)
        """Release connections (tests; a server keeps its store for its lifetime)."""
