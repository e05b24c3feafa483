"""The class store's contract, run against every backend (tests/class_store_backends.py): what a teacher may do,
what counts as an answer, what is refused and in which words, what expires, and that concurrent writers leave one
answer per student per round."""

from __future__ import annotations

import threading

import pytest

from class_store import ClassState, NewClass, Refusal
from class_store.codes import CODE_PATTERN, new_token, normalized_code, secret_matches
from class_store.records import CLASS_TTL_SECONDS, MAX_ANSWER_CHARS, REFUSALS
from tests.class_store_backends import BACKENDS, FakeClock

STEPS = 15


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=sorted(BACKENDS))
def store(request, tmp_path, clock):
    with BACKENDS[request.param](tmp_path, clock) as backend:
        yield backend


@pytest.fixture
def lesson(store) -> NewClass:
    created = store.create_class(STEPS)
    assert isinstance(created, NewClass)
    return created


def joined(store, code: str, count: int) -> list[str]:
    tokens = [new_token() for _ in range(count)]
    for token in tokens:
        assert isinstance(store.join(code, token), int)
    return tokens


def assert_refused(result, reason: str) -> None:
    assert isinstance(result, Refusal), result
    assert result.reason == reason
    assert result.message == REFUSALS[reason]


# ------------------------------------------------------------------------------------------------ creating
def test_a_new_class_starts_on_its_first_step_with_nobody(store):
    created = store.create_class(STEPS, first_step=4)
    state = created.state
    assert CODE_PATTERN.fullmatch(created.code)
    assert len(created.secret) >= 22  # 128 bits, url-safe base64
    assert (state.step, state.round, state.revealed, state.ended, state.students) == (4, 1, False, False, 0)
    assert store.state(created.code) == state
    assert store.is_teacher(created.code, created.secret)


def test_codes_and_secrets_differ_between_classes(store):
    classes = [store.create_class(STEPS) for _ in range(20)]
    assert len({c.code for c in classes}) == 20
    assert len({c.secret for c in classes}) == 20


def test_a_first_step_outside_the_lesson_is_refused(store):
    assert_refused(store.create_class(STEPS, first_step=0), "bad_step")
    assert_refused(store.create_class(STEPS, first_step=STEPS + 1), "bad_step")


def test_an_unknown_code_has_no_state(store):
    assert store.state("ABCDEFG") is None
    assert not store.is_teacher("ABCDEFG", "anything")
    assert_refused(store.join("ABCDEFG", new_token()), "unknown")
    assert store.versions(["ABCDEFG"]) == {}


def test_the_number_of_live_classes_is_bounded(store):
    store.max_classes = 3
    for _ in range(3):
        assert isinstance(store.create_class(STEPS), NewClass)
    assert_refused(store.create_class(STEPS), "too_many_classes")


# ------------------------------------------------------------------------------------------------ the teacher
@pytest.mark.parametrize("secret", [None, "", "wrong", "x" * 10_000])
def test_a_wrong_secret_controls_nothing(store, lesson, secret):
    before = store.state(lesson.code)
    assert not store.is_teacher(lesson.code, secret)
    for result in (store.move_to(lesson.code, secret, 2), store.second_round(lesson.code, secret),
                   store.reveal(lesson.code, secret), store.end(lesson.code, secret)):
        assert_refused(result, "not_teacher")
    assert store.state(lesson.code) == before


def test_another_class_secret_is_not_this_class_teacher(store, lesson):
    other = store.create_class(STEPS)
    assert not store.is_teacher(lesson.code, other.secret)
    assert_refused(store.move_to(lesson.code, other.secret, 2), "not_teacher")


def test_moving_opens_a_new_step_and_keeps_a_step_seen_before(store, lesson, clock):
    code, secret = lesson.code, lesson.secret
    assert isinstance(store.reveal(code, secret), ClassState)
    clock.advance(30)
    state = store.move_to(code, secret, 2)
    assert (state.step, state.round, state.revealed) == (2, 1, False)
    assert state.current.opened_at == clock.now
    back = store.move_to(code, secret, 1)
    assert (back.step, back.revealed) == (1, True)
    assert [s.step for s in store.step_states(code)] == [1, 2]


@pytest.mark.parametrize("step", [0, -1, STEPS + 1])
def test_moving_outside_the_lesson_is_refused(store, lesson, step):
    assert_refused(store.move_to(lesson.code, lesson.secret, step), "bad_step")
    assert store.state(lesson.code).step == 1


def test_a_second_round_only_from_an_unrevealed_first(store, lesson, clock):
    code, secret = lesson.code, lesson.secret
    clock.advance(12)
    state = store.second_round(code, secret)
    assert (state.round, state.revealed, state.current.opened_at) == (2, False, clock.now)
    assert_refused(store.second_round(code, secret), "bad_round")
    store.move_to(code, secret, 2)
    store.reveal(code, secret)
    assert_refused(store.second_round(code, secret), "bad_round")


def test_version_changes_for_what_every_screen_shows_and_not_for_answers(store, lesson):
    code, secret = lesson.code, lesson.secret
    versions = [store.state(code).version]
    for change in (lambda: store.move_to(code, secret, 2), lambda: store.second_round(code, secret),
                   lambda: store.reveal(code, secret), lambda: store.end(code, secret)):
        change()
        versions.append(store.state(code).version)
    assert all(after > before for before, after in zip(versions, versions[1:], strict=False))


def test_answers_version_changes_for_joins_and_answers_only(store, lesson):
    code = lesson.code
    start = store.state(code)
    [token] = joined(store, code, 1)
    after_join = store.state(code)
    store.answer(code, token, 1, 1, "0.5", True)
    after_answer = store.state(code)
    assert start.answers_version < after_join.answers_version < after_answer.answers_version
    assert start.version == after_join.version == after_answer.version
    assert store.versions([code, "ABCDEFG"]) == {code: (after_answer.version, after_answer.answers_version)}


def test_staying_on_the_same_step_changes_nothing(store, lesson):
    before = store.state(lesson.code)
    assert store.move_to(lesson.code, lesson.secret, 1) == before


def test_an_ended_class_takes_no_moves_joins_or_answers(store, lesson):
    code, secret = lesson.code, lesson.secret
    [token] = joined(store, code, 1)
    assert store.end(code, secret).ended
    assert_refused(store.move_to(code, secret, 2), "ended")
    assert_refused(store.reveal(code, secret), "ended")
    assert_refused(store.join(code, new_token()), "ended")
    assert store.join(code, token) == 1  # a student already in it still finds their place (the summary)
    assert_refused(store.answer(code, token, 1, 1, "1", True), "ended")


# ------------------------------------------------------------------------------------------------ students
def test_joining_numbers_students_and_a_second_join_is_the_same_student(store, lesson):
    a, b = new_token(), new_token()
    assert store.join(lesson.code, a) == 1
    assert store.join(lesson.code, b) == 2
    assert store.join(lesson.code, a) == 1
    assert store.student_number(lesson.code, b) == 2
    assert store.student_number(lesson.code, new_token()) is None
    assert store.state(lesson.code).students == 2


def test_the_number_of_students_is_bounded(store, lesson):
    store.max_students = 2
    joined(store, lesson.code, 2)
    assert_refused(store.join(lesson.code, new_token()), "full")


def test_an_answer_counts_once_per_student_per_round_and_the_last_one_stands(store, lesson, clock):
    code = lesson.code
    a, b = joined(store, code, 2)
    clock.advance(7.5)
    first = store.answer(code, a, 1, 1, "0.1", False)
    assert (first.student, first.value, first.correct, first.seconds) == (1, "0.1", False, 7.5)
    clock.advance(1)
    store.answer(code, a, 1, 1, "0.5", True)
    store.answer(code, b, 1, 1, "0.4", False)
    assert store.answered(code, 1, 1) == 2
    mine = store.my_answers(code, a)
    assert [(r.step, r.round, r.value, r.correct, r.seconds) for r in mine] == [(1, 1, "0.5", True, 8.5)]


def test_round_two_answers_are_counted_apart_from_round_one(store, lesson):
    code, secret = lesson.code, lesson.secret
    a, b = joined(store, code, 2)
    store.answer(code, a, 1, 1, "x", False)
    store.answer(code, b, 1, 1, "y", True)
    store.second_round(code, secret)
    assert_refused(store.answer(code, a, 1, 1, "y", True), "moved_on")  # round 1 is over
    store.answer(code, a, 1, 2, "y", True)
    assert (store.answered(code, 1, 1), store.answered(code, 1, 2)) == (2, 1)
    assert [(r.round, r.student, r.value) for r in store.answers(code, 1)] == [(1, 1, "x"), (1, 2, "y"), (2, 1, "y")]


def test_answers_for_another_step_or_round_or_after_the_reveal_are_refused(store, lesson):
    code, secret = lesson.code, lesson.secret
    [token] = joined(store, code, 1)
    assert_refused(store.answer(code, token, 2, 1, "1", True), "moved_on")  # not the class's step
    assert_refused(store.answer(code, token, 1, 2, "1", True), "moved_on")  # no round 2 yet
    store.reveal(code, secret)
    assert_refused(store.answer(code, token, 1, 1, "1", True), "closed")
    assert store.answered(code, 1, 1) == 0


def test_only_joined_students_answer(store, lesson):
    assert_refused(store.answer(lesson.code, new_token(), 1, 1, "1", True), "not_joined")
    assert_refused(store.answer("ABCDEFG", new_token(), 1, 1, "1", True), "unknown")


def test_an_answer_longer_than_any_answer_is_refused(store, lesson):
    [token] = joined(store, lesson.code, 1)
    assert_refused(store.answer(lesson.code, token, 1, 1, "9" * (MAX_ANSWER_CHARS + 1), False), "too_long")
    assert isinstance(store.answer(lesson.code, token, 1, 1, "9" * MAX_ANSWER_CHARS, False), object)
    assert store.answered(lesson.code, 1, 1) == 1


def test_all_answers_are_in_step_round_student_order(store, lesson):
    code, secret = lesson.code, lesson.secret
    a, b = joined(store, code, 2)
    store.answer(code, b, 1, 1, "b1", True)
    store.answer(code, a, 1, 1, "a1", False)
    store.move_to(code, secret, 3)
    store.answer(code, a, 3, 1, "a3", True)
    assert [(r.step, r.round, r.student, r.value) for r in store.all_answers(code)] == [
        (1, 1, 1, "a1"), (1, 1, 2, "b1"), (3, 1, 1, "a3")]


# ------------------------------------------------------------------------------------------------ expiry
def test_a_class_expires_12_hours_after_its_last_activity(store, lesson, clock):
    code = lesson.code
    [token] = joined(store, code, 1)
    clock.advance(CLASS_TTL_SECONDS - 60)
    store.answer(code, token, 1, 1, "1", True)  # activity: the clock starts again
    clock.advance(CLASS_TTL_SECONDS - 60)
    assert store.state(code) is not None
    clock.advance(120)
    assert store.state(code) is None
    assert store.versions([code]) == {}
    assert not store.is_teacher(code, lesson.secret)
    assert_refused(store.join(code, token), "unknown")
    assert store.all_answers(code) == []


def test_expired_classes_do_not_count_against_the_bound(store, clock):
    store.max_classes = 2
    store.create_class(STEPS)
    store.create_class(STEPS)
    clock.advance(CLASS_TTL_SECONDS + 1)
    assert isinstance(store.create_class(STEPS), NewClass)


# ------------------------------------------------------------------------------------------------ replicas
def test_the_store_records_the_replicas_that_served_a_class(store, lesson):
    assert store.note_replica(lesson.code, "r1") == {"r1"}
    assert store.note_replica(lesson.code, "r2") == {"r1", "r2"}
    assert store.note_replica(lesson.code, "r1") == {"r1", "r2"}
    assert store.note_replica("ABCDEFG", "r1") == frozenset()


# ------------------------------------------------------------------------------------------------ at the same time
def test_two_tabs_of_one_student_answering_at_once_leave_one_answer(store, lesson):
    code = lesson.code
    [token] = joined(store, code, 1)
    start = threading.Barrier(8)

    def send(value: str) -> None:
        start.wait()
        store.answer(code, token, 1, 1, value, value == "3")

    threads = [threading.Thread(target=send, args=(str(i),)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.answered(code, 1, 1) == 1
    [record] = store.answers(code, 1)
    assert record.value in {str(i) for i in range(8)}
    assert record.correct == (record.value == "3")


def test_a_class_answering_at_once_is_counted_whole(store, lesson):
    code = lesson.code
    tokens = joined(store, code, 60)
    before = store.state(code).answers_version
    start = threading.Barrier(len(tokens))

    def send(token: str) -> None:
        start.wait()
        assert not isinstance(store.answer(code, token, 1, 1, "1", True), Refusal)

    threads = [threading.Thread(target=send, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.answered(code, 1, 1) == 60
    assert store.state(code).answers_version == before + 60
    assert sorted(r.student for r in store.answers(code, 1)) == list(range(1, 61))


# ------------------------------------------------------------------------------------------------ codes
@pytest.mark.parametrize(("raw", "code"), [("abc-defg", "ABCDEFG"), (" ABC DEFG ", "ABCDEFG"), ("ABCDEF", None),
                                           ("ABCDEF0", None), ("ABCDEFGH", None), ("<b>x</b>", None), (None, None),
                                           ("A" * 1000, None)])
def test_codes_are_read_forgivingly_but_only_in_their_form(raw, code):
    assert normalized_code(raw) == code


def test_secrets_are_compared_by_digest():
    from class_store.codes import secret_digest

    assert secret_matches("s3cret", secret_digest("s3cret"))
    assert not secret_matches("s3cret ", secret_digest("s3cret"))
    assert not secret_matches(None, secret_digest(""))
