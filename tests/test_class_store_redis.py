"""What only the Redis backend promises (the contract itself runs on it in tests/test_class_store.py): replicas —
several store objects, several connection pools — share one class and still leave one answer per student per
round; every change is one atomic script (no read-modify-write from Python); a crash of Redis with its
append-only file loses at most the last second; an unreachable, stuck or restarting Redis raises StoreUnavailable
within a few seconds; Redis holds no teacher secret and no student token."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import redis

from class_store import NewClass, Refusal, StoreUnavailable
from class_store.codes import new_token
from class_store.config import REDIS_URL_VARIABLE, open_store
from class_store.records import CLASS_TTL_SECONDS
from class_store.redis_store import BACKSTOP_SECONDS, COMMAND_TIMEOUT_S, DOWN_PAUSE_S, RedisClassStore, class_key
from tests.class_store_backends import shared_redis_server
from tests.redis_server import DURABLE, RedisServer

STEPS = 15
QUICKLY_S = 3 * COMMAND_TIMEOUT_S  # "no page hangs more than a few seconds"


@pytest.fixture
def server() -> RedisServer:
    server = shared_redis_server()
    RedisClassStore(server.url)._redis.flushdb()
    return server


@pytest.fixture
def replicas(server):
    """Two stores on one Redis: what two replicas' processes hold."""
    stores = [RedisClassStore(server.url), RedisClassStore(server.url)]
    yield stores
    for store in stores:
        store.close()


def test_replicas_share_one_class(replicas):
    one, two = replicas
    created = one.create_class(STEPS)
    token = new_token()
    assert two.join(created.code, token) == 1
    assert two.is_teacher(created.code, created.secret)
    two.move_to(created.code, created.secret, 2)
    assert one.state(created.code).step == 2
    assert not isinstance(one.answer(created.code, token, 2, 1, "0.5", True), Refusal)
    assert two.answered(created.code, 2, 1) == 1
    assert one.versions([created.code]) == two.versions([created.code])
    assert one.shared and one.kind == "redis"


def test_one_student_answering_on_two_replicas_at_once_leaves_one_answer_every_time(replicas):
    one, two = replicas
    created = one.create_class(STEPS)
    for attempt in range(1, 16):  # a race a read-modify-write would lose sometimes: try it many times
        token = new_token()
        one.join(created.code, token)
        start = threading.Barrier(8)

        def send(store, value: str, token=token, start=start) -> None:
            start.wait()
            store.answer(created.code, token, 1, 1, value, value == "3")

        threads = [threading.Thread(target=send, args=(replicas[i % 2], str(i))) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert one.answered(created.code, 1, 1) == attempt
        assert len(two.answers(created.code, 1)) == attempt


@pytest.mark.parametrize("change", ["create", "join", "answer", "move_to", "second_round", "reveal", "end"])
def test_every_change_is_one_atomic_command(server, change):
    """Each change reaches Redis as one command (its script): the checks and the write cannot be split."""
    store = RedisClassStore(server.url)

    def changes(created: NewClass) -> dict:
        token = new_token()
        store.join(created.code, token)
        code, secret = created.code, created.secret
        return {
            "create": lambda: store.create_class(STEPS),
            "join": lambda: store.join(code, new_token()),
            "answer": lambda: store.answer(code, token, 1, 1, "1", True),
            "move_to": lambda: store.move_to(code, secret, 2),
            "second_round": lambda: store.second_round(code, secret),
            "reveal": lambda: store.reveal(code, secret),
            "end": lambda: store.end(code, secret),
        }

    changes(store.create_class(STEPS))[change]()  # Redis learns the script (SCRIPT LOAD) once per restart
    calls = changes(store.create_class(STEPS))
    sent: list[str] = []
    execute = store._redis.execute_command

    def counted(*args, **options):
        sent.append(str(args[0]))
        return execute(*args, **options)

    store._redis.execute_command = counted
    result = calls[change]()
    assert not isinstance(result, Refusal), result
    assert sent == ["EVALSHA"], f"{change} sent {sent}"
    store.close()


def a_class_with_an_answer(store: RedisClassStore) -> tuple[NewClass, str]:
    created = store.create_class(STEPS)
    token = new_token()
    store.join(created.code, token)
    store.answer(created.code, token, 1, 1, "0.5", True)
    return created, token


def test_redis_holds_digests_not_secrets_or_tokens(server):
    store = RedisClassStore(server.url)
    created, token = a_class_with_an_answer(store)
    client = store._redis
    stored = " ".join(f"{key} {client.dump(key)!r}" for key in client.keys("*"))
    assert created.code in stored  # the check can see what is stored
    assert created.secret not in stored
    assert token not in stored
    store.close()


def test_every_key_of_a_class_has_a_backstop_expiry(server):
    store = RedisClassStore(server.url)
    created, _ = a_class_with_an_answer(store)
    store.note_replica(created.code, "r1")
    keys = store._redis.keys(f"{class_key(created.code)}*")
    assert len(keys) == 6  # the class, steps, students, answers of step 1, counts, replicas
    for key in keys:
        assert CLASS_TTL_SECONDS < store._redis.ttl(key) <= BACKSTOP_SECONDS, key
    store.close()


def test_a_crash_of_redis_with_its_append_only_file_loses_at_most_the_last_second(tmp_path):
    redis_server = RedisServer(tmp_path / "redis", DURABLE).start()
    store = RedisClassStore(redis_server.url)
    try:
        created = store.create_class(STEPS)
        tokens = [new_token() for _ in range(5)]
        for number, token in enumerate(tokens):
            store.join(created.code, token)
            store.answer(created.code, token, 1, 1, str(number), number % 2 == 0)
        store.reveal(created.code, created.secret)
        state, answers = store.state(created.code), store.all_answers(created.code)
        time.sleep(1.5)  # appendfsync everysec: the writes are on disk now
        redis_server.kill()

        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.state(created.code)
        assert time.monotonic() - started < QUICKLY_S

        redis_server.start()  # same port, same folder: Redis replays its append-only file
        assert until_available(lambda: store.state(created.code)) == state  # the same store object reconnects
        assert store.all_answers(created.code) == answers
        assert store.is_teacher(created.code, created.secret)
        assert store.join(created.code, tokens[0]) == 1
    finally:
        store.close()
        redis_server.stop()


def until_available(call, seconds: float = 10):
    """What a page sees once Redis is back: the call's result (a page rerun by the watcher retries like this)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_redis_that_refuses_connections_raises_store_unavailable_at_once():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = RedisClassStore(f"redis://127.0.0.1:{port}/0")
    for call in (lambda: store.create_class(STEPS), lambda: store.state("ABCDEFG"),
                 lambda: store.versions(["ABCDEFG"]), lambda: store.answer("ABCDEFG", new_token(), 1, 1, "1", True)):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            call()
        assert time.monotonic() - started < 1.5


def test_a_redis_that_never_answers_raises_store_unavailable_within_seconds():
    """A listening socket that accepts and stays silent: a stuck Redis, a wrong service on the port. Then, for a
    moment, every page's call says so at once instead of each waiting for its own timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    store = RedisClassStore(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.state("ABCDEFG")
        assert time.monotonic() - started < QUICKLY_S
        started = time.monotonic()
        for _ in range(20):
            with pytest.raises(StoreUnavailable):
                store.versions(["ABCDEFG"])
        assert time.monotonic() - started < DOWN_PAUSE_S
    finally:
        store.close()
        listener.close()


def test_a_busy_redis_raises_store_unavailable_within_seconds(server):
    """Redis stuck in one long command (DEBUG SLEEP): the page says so instead of waiting for it."""
    store = RedisClassStore(server.url)
    created = store.create_class(STEPS)
    sleeper = redis.Redis.from_url(server.url, socket_timeout=30)
    blocker = threading.Thread(target=lambda: sleeper.execute_command("DEBUG", "SLEEP", str(COMMAND_TIMEOUT_S + 1.5)))
    blocker.start()
    time.sleep(0.2)
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.move_to(created.code, created.secret, 2)
        assert time.monotonic() - started < QUICKLY_S
    finally:
        blocker.join()
        sleeper.close()
    # It serves again once Redis does. The move that timed out may have run after all (Redis had queued it): a
    # teacher who presses Next again lands on the same step — every change is safe to repeat.
    assert until_available(lambda: store.state(created.code)).step in (1, 2)
    assert store.move_to(created.code, created.secret, 2).step == 2
    store.close()


def test_codes_that_cannot_be_codes_never_reach_redis(server):
    store = RedisClassStore(server.url)
    sent: list[tuple] = []
    store._redis.execute_command = lambda *args, **options: sent.append(args)
    assert store.state("bpl:{X}*") is None
    assert isinstance(store.join("*", new_token()), Refusal)
    assert store.versions(["}{", "a" * 500]) == {}
    assert store.note_replica("x", "r1") == frozenset()
    assert sent == []


def test_open_store_picks_redis_when_redis_url_is_set(server):
    store = open_store({REDIS_URL_VARIABLE: server.url})
    assert isinstance(store, RedisClassStore)
    assert isinstance(store.create_class(STEPS), NewClass)
    store.close()


def test_a_malformed_redis_url_is_store_unavailable():
    with pytest.raises(StoreUnavailable):
        RedisClassStore("http://not-redis")
