"""Redis killed and restarted in the middle of a class, measured at the class store (no browsers): which answers a
crash loses with the append-only file written every second (deploy/run-local's and kubernetes.yaml's setting).

A class of N students, each a thread with its own store object (as if every student were on a replica of their
own), answers the current question again and again at random moments (a second answer replaces the first). The
answer a student last saw acknowledged is what they believe the class has. Redis is SIGKILLed mid-class (a crash,
not a shutdown: nothing is flushed) and started again on the same port and folder after a pause; a student whose
answer was refused ("the class store is unavailable") sends it again, as the screen tells them to. Then for every
student: is the answer in the store the last one they saw acknowledged? If not, it was lost, and when it was sent
before the crash says whether that is within the promised last second. The teacher's count ("k of n answered")
must equal the rows stored.

    python -m bench.redis_restart                 # 100 students, 20 s, Redis killed at 10 s, back after 2 s
    python -m bench.redis_restart --students 30 --seconds 8 --kill-at 4
    python -m bench.redis_restart --appendfsync off      # no append-only file: the measure sees every answer lost

A SIGKILLed redis-server loses nothing it acknowledged even with everysec: Redis write()s the append-only file
before it answers, so the operating system holds it; "everysec" is how often it is fsynced, which matters when the
machine itself goes down (power, kernel) — then up to the last second is lost. This benchmark kills the process,
as a crash of Redis or its container does; it cannot pull a machine's plug.

A benchmark, not a test: the figures depend on the machine and its disk; say the load average with them.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.servers import free_port
from class_store import Refusal, StoreUnavailable
from class_store.codes import new_token
from class_store.redis_store import RedisClassStore

READY_S = 30


@dataclass
class Student:
    token: str
    acknowledged: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time sent, value)
    refused: int = 0  # answers the store could not take (Redis down): sent again
    refusal: str | None = None  # the store said no (e.g. the class is gone): the student stops


class Redis:
    def __init__(self, port: int, folder: Path, fsync: str) -> None:
        binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin")
        if binary is None:
            raise SystemExit("redis-server is not installed (apt-get install redis-server)")
        persistence = ["--appendonly", "no"] if fsync == "off" else ["--appendonly", "yes", "--appendfsync", fsync]
        self.command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
                        *persistence, "--daemonize", "no"]
        self.url = f"redis://127.0.0.1:{port}/0"
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        """Start it; seconds until it answers (replaying its append-only file)."""
        began = time.monotonic()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        probe = RedisClassStore(self.url)
        try:
            while time.monotonic() - began < READY_S:
                try:
                    probe.versions(["AAAAAAA"])
                    return time.monotonic() - began
                except StoreUnavailable:
                    time.sleep(0.02)
        finally:
            probe.close()
        raise SystemExit(f"redis-server did not answer in {READY_S} s; see {self.log}")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def student_loop(url: str, code: str, student: Student, until: float, gap: tuple[float, float],
                 rng: random.Random, gate: threading.Event) -> None:
    store = RedisClassStore(url)
    pending: str | None = None
    try:
        while time.monotonic() < until:
            gate.wait()  # closed while the store is looked at right after the restart
            value = pending or f"{rng.random():.6f}"
            sent = time.monotonic()
            try:
                result = store.answer(code, student.token, 1, 1, value, False)
            except StoreUnavailable:
                student.refused += 1
                pending = value  # "send it again"
                time.sleep(0.2)
                continue
            if isinstance(result, Refusal):
                student.refusal = result.reason
                return
            student.acknowledged.append((sent, value))
            pending = None
            time.sleep(rng.uniform(*gap))
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the class answers")
    parser.add_argument("--kill-at", type=float, default=10.0, help="seconds into the class Redis is SIGKILLed")
    parser.add_argument("--down", type=float, default=2.0, help="seconds before Redis is started again")
    parser.add_argument("--gap", type=float, default=1.0, help="mean seconds between one student's answers")
    parser.add_argument("--appendfsync", choices=["everysec", "always", "off"], default="everysec",
                        help="off: no append-only file at all (what the measure sees when everything is lost)")
    args = parser.parse_args(argv)
    if not 0 < args.kill_at < args.seconds or not 1 <= args.students <= 400:
        parser.error("--kill-at must fall inside --seconds; 1 to 400 students")

    folder = Path(tempfile.mkdtemp(prefix="bench-redis-restart-"))
    redis = Redis(free_port(), folder, args.appendfsync)
    redis.start()
    teacher = RedisClassStore(redis.url)
    try:
        created = teacher.create_class(15)
        students = [Student(new_token()) for _ in range(args.students)]
        for student in students:
            teacher.join(created.code, student.token)
        rng = random.Random(1)
        gate = threading.Event()
        gate.set()
        began = time.monotonic()
        until = began + args.seconds
        threads = [threading.Thread(target=student_loop, args=(redis.url, created.code, student, until,
                                                                (0.0, 2 * args.gap), random.Random(rng.random()),
                                                                gate))
                   for student in students]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, began + args.kill_at - time.monotonic()))
        killed_at = time.monotonic()
        redis.kill()
        time.sleep(args.down)
        gate.clear()
        replay = redis.start()
        back_at = time.monotonic()
        numbers = {student.token: teacher.student_number(created.code, student.token) for student in students}
        kept = {record.student: record.value for record in teacher.answers(created.code, 1)}
        counted_after_crash = teacher.answered(created.code, 1, 1)
        gate.set()
        for thread in threads:
            thread.join()

        lost_ages = []  # per student who lost answers: how long before the crash the first lost one was sent
        for student in students:
            before = [(at, value) for at, value in student.acknowledged if at < killed_at]
            later = {value for at, value in student.acknowledged if at >= killed_at}
            held = kept.get(numbers[student.token])
            if not before or held == before[-1][1] or held in later:
                continue
            held_at = [at for at, value in before if value == held]
            lost_ages.append(killed_at - min(at for at, _ in before if not held_at or at > held_at[-1]))
        final = {record.student: record.value for record in teacher.answers(created.code, 1)}
        final_ok = all(final.get(numbers[student.token]) == student.acknowledged[-1][1]
                       for student in students if student.acknowledged)
        counted = teacher.answered(created.code, 1, 1)
        sent = sum(len(student.acknowledged) for student in students)
        before_crash = sum(1 for student in students for at, _ in student.acknowledged if at < killed_at)
        load = os.getloadavg()
        print(f"{args.students} students answering for {args.seconds:g} s (one answer each every ~{args.gap:g} s, "
              f"a new answer replaces the last); Redis appendfsync {args.appendfsync}, SIGKILLed at "
              f"{args.kill_at:g} s, started again after {args.down:g} s (replayed its file in {replay:.2f} s)")
        print(f"answers acknowledged: {sent} ({before_crash} before the crash); refused while Redis was down and "
              f"sent again: {sum(student.refused for student in students)}")
        refusals = [student.refusal for student in students if student.refusal]
        if refusals:
            print(f"students the store refused after the restart: {len(refusals)} ({', '.join(sorted(set(refusals)))})")
        print(f"right after the restart: students whose last answer before the crash is in the store: "
              f"{args.students - len(lost_ages)}/{args.students}; the teacher's count {counted_after_crash} = rows "
              f"{len(kept)}: {counted_after_crash == len(kept)}")
        if lost_ages:
            print(f"students who lost their last answer(s): {len(lost_ages)}; the first lost one was sent "
                  f"{min(lost_ages):.2f}–{max(lost_ages):.2f} s before the crash (promise: within ~1 s)")
        print(f"at the end: every student's last acknowledged answer stored: {final_ok}; the teacher's count "
              f"{counted} = rows {len(final)}: {counted == len(final)}; the class answered again "
              f"{back_at - killed_at:.2f} s after the crash")
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        teacher.close()
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
