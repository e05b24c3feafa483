"""The shared class store: Redis (redis-py against any Redis ≥ 6), what replicas behind a balancer use together.

Every change is one Lua script, which Redis runs atomically: the checks (a live class, the teacher's secret, a
joined student, the class's current step and round, the reveal) and the write happen in one step, so two tabs of
one student answering on two replicas at the same moment still leave one answer, and a secret is never checked
in one round trip and acted on in another. Reads that need one key's fields are pipelined (one round trip);
``versions`` — the class watcher's read, four times a second per replica — is one pipelined round trip for any
number of classes.

What Redis holds, per class (the ``{CODE}`` hash tag keeps a class's keys together):
    bpl:{CODE}          hash: d (SHA-256 of the teacher secret), step, steps, ended, students, v, av, created, last
    bpl:{CODE}:s        hash: "<step>:r" round, "<step>:x" revealed, "<step>:o" when the round opened
    bpl:{CODE}:t        hash: SHA-256 of a student's token → the student's number
    bpl:{CODE}:a:<step> hash: "<round>:<student>" → "<correct>|<answered at>|<round opened at>|<value>"
    bpl:{CODE}:n        hash: "<step>:<round>" → how many answered
    bpl:{CODE}:r        set of the replicas that served the class
    bpl:classes         sorted set: code → last activity (the bound on live classes, and their sweep)
No secret and no token reaches Redis: only their digests, computed here.

Time comes from ``clock`` (the contract tests' fake clock works): a class is live while
``clock() - last activity <= CLASS_TTL_SECONDS``, checked inside every script; a Redis EXPIRE an hour longer is the
backstop that frees the keys of a class nobody touches again. Times travel as Python's own float text (``repr``)
and are compared in Lua but never printed by it (Lua's ``tostring`` keeps 14 digits).

Every connection problem — refused, timed out (1 s to connect, 2 s per command), Redis loading its AOF after a
restart, out of memory, a full disk — raises ``StoreUnavailable``: a page says "reconnecting" within a few seconds
instead of hanging; for half a second after one, every call says so at once (a hundred pages rerunning while Redis
is unreachable do not each wait for a timeout). A change that timed out may still run once Redis catches up, so
every change is safe to repeat: an answer replaces the same student's, a move lands on the same step, a join
gives the same number. A script error is a bug and is raised as it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import redis
import redis.exceptions as redis_errors
from redis.backoff import NoBackoff
from redis.commands.core import Script
from redis.retry import Retry

from class_store.codes import CODE_PATTERN, new_code, new_secret, secret_digest, secret_matches
from class_store.records import (
    CLASS_TTL_SECONDS,
    MAX_ANSWER_CHARS,
    MAX_ROUNDS,
    REPLICA_ID_CHARS,
    AnswerRecord,
    ClassState,
    NewClass,
    Refusal,
    StepState,
    StoreUnavailable,
    refusal,
)
from class_store.store import ClassStore

KEY_PREFIX = "bpl:"
INDEX_KEY = f"{KEY_PREFIX}classes"
CONNECT_TIMEOUT_S = 1.0  # a refused or unreachable Redis is said within ~1 s
COMMAND_TIMEOUT_S = 2.0  # a script takes well under a millisecond; 2 s means Redis is stuck or gone
POOL_WAIT_S = 2.0  # threads (Streamlit sessions) waiting for one of the pool's connections
# After a failure, calls fail at once for this long instead of each waiting for its own timeout: a class of a
# hundred pages rerunning while Redis is unreachable says "reconnecting" at once, not after seconds each.
DOWN_PAUSE_S = 0.5
MAX_CONNECTIONS = 32
BACKSTOP_SECONDS = CLASS_TTL_SECONDS + 3600  # Redis drops a forgotten class's keys an hour after it expired
CREATE_ATTEMPTS = 20  # codes already taken: at 500 classes of 2.2·10^10 codes, never more than one
# What means "Redis cannot serve now" rather than "this script is wrong". ConnectionError covers a refused or
# dropped connection, a wrong password and LOADING (Redis reading its AOF after a restart).
UNAVAILABLE_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis_errors.OutOfMemoryError,
                      redis_errors.ReadOnlyError, redis_errors.NoPermissionError, redis_errors.TryAgainError,
                      redis_errors.ClusterDownError, redis_errors.MasterDownError)
UNAVAILABLE_REPLIES = ("MISCONF", "BUSY", "NOREPLICAS")  # plain error replies of the same kind (a full disk…)


def class_key(code: str) -> str:
    return f"{KEY_PREFIX}{{{code}}}"


# ------------------------------------------------------------------------------------------------ the scripts
# KEYS[1] = the class's hash key, KEYS[2] = the index; ARGV[1] = now, ARGV[2] = the expiry cutoff (now - TTL),
# ARGV[3] = the code, ARGV[4] = the backstop seconds; each script's own arguments from ARGV[5] on.
PRELUDE = """
local key, index = KEYS[1], KEYS[2]
local now, cutoff, code, backstop = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])

local function keys_of(k)
  local found = {k, k .. ':s', k .. ':t', k .. ':n', k .. ':r'}
  for _, field in ipairs(redis.call('HKEYS', k .. ':s')) do
    local step = string.match(field, '^(%d+):r$')
    if step then table.insert(found, k .. ':a:' .. step) end
  end
  return found
end

local function drop(k, c)
  redis.call('DEL', unpack(keys_of(k)))
  redis.call('ZREM', index, c)
end

-- the class exists and its last activity is recent enough; an expired one is deleted on the way
local function live()
  local last = redis.call('HGET', key, 'last')
  if not last then return false end
  if tonumber(last) < cutoff then
    drop(key, code)
    return false
  end
  return true
end

-- a change: the last activity is now, the keys live on, a counter says what changed
local function touch(counter)
  if counter then redis.call('HINCRBY', key, counter, 1) end
  redis.call('HSET', key, 'last', now)
  redis.call('ZADD', index, now, code)
  for _, k in ipairs(keys_of(key)) do redis.call('EXPIRE', k, backstop) end
end

-- two digests compared without stopping at the first difference
local function same(a, b)
  if not a or not b or #a ~= #b or #a == 0 then return false end
  local diff = 0
  for i = 1, #a do diff = bit.bor(diff, bit.bxor(string.byte(a, i), string.byte(b, i))) end
  return diff == 0
end

local function state_reply(tag)
  local c = redis.call('HMGET', key, 'step', 'ended', 'students', 'v', 'av', 'created', 'last')
  local s = redis.call('HMGET', key .. ':s', c[1] .. ':r', c[1] .. ':x', c[1] .. ':o')
  return {tag, c[1], c[2], c[3], c[4], c[5], c[6], c[7], s[1], s[2], s[3]}
end

-- the teacher's checks, in the contract's order: a live class, the secret, not ended
local function teacher_refusal(digest)
  if not live() then return {'refused', 'unknown'} end
  if not same(redis.call('HGET', key, 'd'), digest) then return {'refused', 'not_teacher'} end
  if redis.call('HGET', key, 'ended') == '1' then return {'refused', 'ended'} end
  return nil
end

local function open_step(step)
  redis.call('HSETNX', key .. ':s', step .. ':r', '1')
  redis.call('HSETNX', key .. ':s', step .. ':x', '0')
  redis.call('HSETNX', key .. ':s', step .. ':o', now)
end
"""

# A teacher's script starts here: ARGV[5] is the digest of the secret the caller holds
TEACHER_CHECK = """
local refused = teacher_refusal(ARGV[5])
if refused then return refused end
"""

CREATE = """
-- ARGV[5] digest, ARGV[6] first step, ARGV[7] step count, ARGV[8] max classes
for _, old in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. ARGV[2])) do
  drop('%(prefix)s{' .. old .. '}', old)
end
if redis.call('EXISTS', key) == 1 and live() then return {'taken'} end
if redis.call('ZCARD', index) >= tonumber(ARGV[8]) then return {'refused', 'too_many_classes'} end
redis.call('HSET', key, 'd', ARGV[5], 'step', ARGV[6], 'steps', ARGV[7], 'ended', '0', 'students', '0',
           'v', '1', 'av', '0', 'created', now)
open_step(ARGV[6])
touch(nil)
return state_reply('ok')
"""

MOVE_TO = TEACHER_CHECK + """
-- ARGV[6] step
local step = tonumber(ARGV[6])
if step < 1 or step > tonumber(redis.call('HGET', key, 'steps')) then return {'refused', 'bad_step'} end
if redis.call('HGET', key, 'step') == ARGV[6] then return state_reply('ok') end
open_step(ARGV[6])
redis.call('HSET', key, 'step', ARGV[6])
touch('v')
return state_reply('ok')
"""

SECOND_ROUND = TEACHER_CHECK + """
local step = redis.call('HGET', key, 'step')
local s = redis.call('HMGET', key .. ':s', step .. ':r', step .. ':x')
if s[1] ~= '1' or s[2] ~= '0' then return {'refused', 'bad_round'} end
redis.call('HSET', key .. ':s', step .. ':r', '2', step .. ':o', now)
touch('v')
return state_reply('ok')
"""

REVEAL = TEACHER_CHECK + """
local step = redis.call('HGET', key, 'step')
if redis.call('HGET', key .. ':s', step .. ':x') == '1' then return state_reply('ok') end
redis.call('HSET', key .. ':s', step .. ':x', '1')
touch('v')
return state_reply('ok')
"""

END = TEACHER_CHECK + """
redis.call('HSET', key, 'ended', '1')
touch('v')
return state_reply('ok')
"""

JOIN = """
-- ARGV[5] token digest, ARGV[6] max students
if not live() then return {'refused', 'unknown'} end
local known = redis.call('HGET', key .. ':t', ARGV[5])
if known then return {'ok', known} end
if redis.call('HGET', key, 'ended') == '1' then return {'refused', 'ended'} end
local students = tonumber(redis.call('HGET', key, 'students'))
if students >= tonumber(ARGV[6]) then return {'refused', 'full'} end
local number = tostring(students + 1)
redis.call('HSET', key .. ':t', ARGV[5], number)
redis.call('HSET', key, 'students', number)
touch('av')
return {'ok', number}
"""

ANSWER = """
-- ARGV[5] token digest, ARGV[6] step, ARGV[7] round, ARGV[8] value, ARGV[9] correct (0/1), ARGV[10] max bytes
if #ARGV[8] > tonumber(ARGV[10]) then return {'refused', 'too_long'} end
if not live() then return {'refused', 'unknown'} end
if redis.call('HGET', key, 'ended') == '1' then return {'refused', 'ended'} end
local student = redis.call('HGET', key .. ':t', ARGV[5])
if not student then return {'refused', 'not_joined'} end
local step = redis.call('HGET', key, 'step')
local s = redis.call('HMGET', key .. ':s', step .. ':r', step .. ':x', step .. ':o')
if ARGV[6] ~= step or ARGV[7] ~= s[1] then return {'refused', 'moved_on'} end
if s[2] == '1' then return {'refused', 'closed'} end
local entry = ARGV[9] .. '|' .. now .. '|' .. s[3] .. '|' .. ARGV[8]
if redis.call('HSET', key .. ':a:' .. step, ARGV[7] .. ':' .. student, entry) == 1 then
  redis.call('HINCRBY', key .. ':n', step .. ':' .. ARGV[7], 1)
end
touch('av')
return {'ok', student, s[3]}
"""

STATE = """
if not live() then return {'none'} end
return state_reply('ok')
"""

MY_ANSWERS = """
-- ARGV[5] token digest, ARGV[6] max rounds
if not live() then return {} end
local student = redis.call('HGET', key .. ':t', ARGV[5])
if not student then return {} end
local found = {}
for _, field in ipairs(redis.call('HKEYS', key .. ':s')) do
  local step = string.match(field, '^(%d+):r$')
  if step then
    for round = 1, tonumber(ARGV[6]) do
      local entry = redis.call('HGET', key .. ':a:' .. step, round .. ':' .. student)
      if entry then table.insert(found, step .. ':' .. round .. ':' .. student); table.insert(found, entry) end
    end
  end
end
return found
"""

ALL_ANSWERS = """
-- ARGV[5] the step, or '' for every step
if not live() then return {} end
local found = {}
for _, field in ipairs(redis.call('HKEYS', key .. ':s')) do
  local step = string.match(field, '^(%d+):r$')
  if step and (ARGV[5] == '' or ARGV[5] == step) then
    local entries = redis.call('HGETALL', key .. ':a:' .. step)
    for i = 1, #entries, 2 do
      table.insert(found, step .. ':' .. entries[i]); table.insert(found, entries[i + 1])
    end
  end
end
return found
"""

NOTE_REPLICA = """
-- ARGV[5] replica
if not live() then return {} end
redis.call('SADD', key .. ':r', ARGV[5])
redis.call('EXPIRE', key .. ':r', backstop)
return redis.call('SMEMBERS', key .. ':r')
"""

STEP_STATES = """
if not live() then return {} end
return redis.call('HGETALL', key .. ':s')
"""

ANSWERED = """
-- ARGV[5] "<step>:<round>"
if not live() then return '0' end
return redis.call('HGET', key .. ':n', ARGV[5]) or '0'
"""

STUDENT_NUMBER = """
-- ARGV[5] token digest
if not live() then return false end
return redis.call('HGET', key .. ':t', ARGV[5])
"""

IS_TEACHER = """
if not live() then return false end
return redis.call('HGET', key, 'd')
"""


def _script_source(body: str) -> str:
    return PRELUDE + body.replace("%(prefix)s", KEY_PREFIX)


# ------------------------------------------------------------------------------------------------ the store
class RedisClassStore(ClassStore):
    kind = "redis"
    shared = True

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self._clock = clock
        try:
            pool = redis.BlockingConnectionPool.from_url(
                url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_S, decode_responses=True,
                socket_connect_timeout=CONNECT_TIMEOUT_S, socket_timeout=COMMAND_TIMEOUT_S,
                # one immediate retry on a connection error: a pooled connection that died with a Redis restart
                # is replaced once; a timeout is not retried (the command may have run)
                retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)))
        except ValueError as error:  # a malformed URL
            raise StoreUnavailable(f"REDIS_URL cannot be used ({error})") from error
        self._redis = redis.Redis(connection_pool=pool)
        self._scripts: dict[str, Script] = {}
        self._scripts_lock = threading.Lock()
        self._down_until = 0.0  # time.monotonic() before which Redis is taken to be still down

    # ---------------------------------------------------------------------------------------------- plumbing
    @contextmanager
    def _reaching_redis(self) -> Iterator[None]:
        """Redis's own failures as StoreUnavailable (with no address or password in the words)."""
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("the Redis class store could not be reached a moment ago")
        try:
            yield
        except UNAVAILABLE_ERRORS as error:
            self._down_until = time.monotonic() + DOWN_PAUSE_S
            raise StoreUnavailable(f"the Redis class store cannot serve now ({type(error).__name__})") from error
        except redis.ResponseError as error:
            if str(error).split(" ", 1)[0] in UNAVAILABLE_REPLIES:
                self._down_until = time.monotonic() + DOWN_PAUSE_S
                raise StoreUnavailable(f"the Redis class store cannot serve now ({str(error)[:80]})") from error
            raise

    def _run(self, body: str, code: str, *args: object) -> object:
        """One script on one class, atomically; Redis keeps it by its SHA-1 (reloaded after a restart)."""
        script = self._scripts.get(body)
        if script is None:
            with self._scripts_lock:
                script = self._scripts.setdefault(body, self._redis.register_script(_script_source(body)))
        now = self._clock()
        with self._reaching_redis():
            return script(keys=[class_key(code), INDEX_KEY],
                          args=[repr(now), repr(now - CLASS_TTL_SECONDS), code, BACKSTOP_SECONDS, *args])

    @staticmethod
    def _state(reply: list, code: str) -> ClassState:
        _, step, ended, students, version, answers_version, created, last, round_, revealed, opened = reply
        return ClassState(code, int(step), StepState(int(step), int(round_), revealed == "1", float(opened)),
                          ended == "1", int(students), int(version), int(answers_version), float(created),
                          float(last))

    def _state_or_refusal(self, reply: list, code: str) -> ClassState | Refusal:
        return refusal(reply[1]) if reply[0] == "refused" else self._state(reply, code)

    @staticmethod
    def _answers(flat: list[str]) -> list[AnswerRecord]:
        """Records from the scripts' "<step>:<round>:<student>", "<correct>|<at>|<opened>|<value>" pairs."""
        records = []
        for where, entry in zip(flat[::2], flat[1::2], strict=True):
            step, round_, student = (int(part) for part in where.split(":"))
            correct, answered_at, opened_at, value = entry.split("|", 3)
            records.append(AnswerRecord(step, round_, student, value, correct == "1",
                                        max(0.0, float(answered_at) - float(opened_at))))
        return sorted(records, key=lambda record: (record.step, record.round, record.student))

    # ---------------------------------------------------------------------------------------------- the teacher
    def create_class(self, step_count: int, first_step: int = 1) -> NewClass | Refusal:
        if not 1 <= first_step <= step_count:
            return refusal("bad_step")
        secret = new_secret()
        for _ in range(CREATE_ATTEMPTS):
            code = new_code()
            reply = self._run(CREATE, code, secret_digest(secret), first_step, step_count, self.max_classes)
            if reply[0] == "refused":
                return refusal(reply[1])
            if reply[0] == "ok":
                return NewClass(code, secret, self._state(reply, code))
        raise StoreUnavailable(f"no free class code in {CREATE_ATTEMPTS} tries")  # never at 34 bits

    def _teacher(self, body: str, code: str, secret: str | None, *args: object) -> ClassState | Refusal:
        if not CODE_PATTERN.fullmatch(code):
            return refusal("unknown")
        # the secret never leaves this process: Redis compares its digest (an impossible one for no secret)
        digest = secret_digest(secret) if secret and len(secret) <= 256 else ""
        return self._state_or_refusal(self._run(body, code, digest, *args), code)

    def is_teacher(self, code: str, secret: str | None) -> bool:
        if not CODE_PATTERN.fullmatch(code):
            return False
        digest = self._run(IS_TEACHER, code)
        return bool(digest) and secret_matches(secret, digest)

    def move_to(self, code: str, secret: str | None, step: int) -> ClassState | Refusal:
        return self._teacher(MOVE_TO, code, secret, int(step))

    def second_round(self, code: str, secret: str | None) -> ClassState | Refusal:
        return self._teacher(SECOND_ROUND, code, secret)

    def reveal(self, code: str, secret: str | None) -> ClassState | Refusal:
        return self._teacher(REVEAL, code, secret)

    def end(self, code: str, secret: str | None) -> ClassState | Refusal:
        return self._teacher(END, code, secret)

    # ---------------------------------------------------------------------------------------------- students
    def join(self, code: str, token: str) -> int | Refusal:
        if not CODE_PATTERN.fullmatch(code):
            return refusal("unknown")
        reply = self._run(JOIN, code, secret_digest(token), self.max_students)
        return refusal(reply[1]) if reply[0] == "refused" else int(reply[1])

    def student_number(self, code: str, token: str) -> int | None:
        if not CODE_PATTERN.fullmatch(code):
            return None
        number = self._run(STUDENT_NUMBER, code, secret_digest(token))
        return None if number is None else int(number)

    def answer(self, code: str, token: str, step: int, round: int, value: str,
               correct: bool) -> AnswerRecord | Refusal:
        if len(value) > MAX_ANSWER_CHARS:
            return refusal("too_long")
        if not CODE_PATTERN.fullmatch(code):
            return refusal("unknown")
        now = self._clock()
        # the length in characters is checked above; Lua counts bytes (UTF-8: at most 4 per character)
        reply = self._run(ANSWER, code, secret_digest(token), int(step), int(round), value, int(bool(correct)),
                          4 * MAX_ANSWER_CHARS)
        if reply[0] == "refused":
            return refusal(reply[1])
        return AnswerRecord(int(step), int(round), int(reply[1]), value, bool(correct), max(0.0, now - float(reply[2])))

    # ---------------------------------------------------------------------------------------------- reading
    def state(self, code: str) -> ClassState | None:
        if not CODE_PATTERN.fullmatch(code):
            return None
        reply = self._run(STATE, code)
        return None if reply[0] == "none" else self._state(reply, code)

    def step_states(self, code: str) -> list[StepState]:
        if not CODE_PATTERN.fullmatch(code):
            return []
        flat = self._run(STEP_STATES, code)
        fields = dict(zip(flat[::2], flat[1::2], strict=True))
        steps = sorted(int(field.split(":")[0]) for field in fields if field.endswith(":r"))
        return [StepState(step, int(fields[f"{step}:r"]), fields[f"{step}:x"] == "1", float(fields[f"{step}:o"]))
                for step in steps]

    def answered(self, code: str, step: int, round: int) -> int:
        if not CODE_PATTERN.fullmatch(code):
            return 0
        return int(self._run(ANSWERED, code, f"{int(step)}:{int(round)}"))

    def answers(self, code: str, step: int) -> list[AnswerRecord]:
        if not CODE_PATTERN.fullmatch(code):
            return []
        return self._answers(self._run(ALL_ANSWERS, code, int(step)))

    def my_answers(self, code: str, token: str) -> list[AnswerRecord]:
        if not CODE_PATTERN.fullmatch(code):
            return []
        return self._answers(self._run(MY_ANSWERS, code, secret_digest(token), MAX_ROUNDS))

    def all_answers(self, code: str) -> list[AnswerRecord]:
        if not CODE_PATTERN.fullmatch(code):
            return []
        return self._answers(self._run(ALL_ANSWERS, code, ""))

    def versions(self, codes: Iterable[str]) -> dict[str, tuple[int, int]]:
        codes = [code for code in dict.fromkeys(codes) if CODE_PATTERN.fullmatch(code)]
        if not codes:
            return {}
        pipeline = self._redis.pipeline(transaction=False)
        for code in codes:
            pipeline.hmget(class_key(code), "v", "av", "last")
        cutoff = self._clock() - CLASS_TTL_SECONDS
        with self._reaching_redis():
            replies = pipeline.execute()
        return {code: (int(version), int(answers_version))
                for code, (version, answers_version, last) in zip(codes, replies, strict=True)
                if last is not None and float(last) >= cutoff}

    # ---------------------------------------------------------------------------------------------- servers
    def note_replica(self, code: str, replica: str) -> frozenset[str]:
        if not replica or len(replica) > REPLICA_ID_CHARS:
            raise ValueError(f"a replica id is 1 to {REPLICA_ID_CHARS} characters")
        if not CODE_PATTERN.fullmatch(code):
            return frozenset()
        return frozenset(self._run(NOTE_REPLICA, code, replica))

    def close(self) -> None:
        self._redis.close()
        self._redis.connection_pool.disconnect()
