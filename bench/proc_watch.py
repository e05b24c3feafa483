"""Server CPU and memory read from /proc (Linux): a process and its descendants, sampled a few times a second.

CPU is utime + stime + cutime + cstime (/proc/<pid>/stat) summed over the tree: a child's time moves into its
parent's cutime when it is reaped, so the sum never drops. Memory is the sum of VmRSS (/proc/<pid>/status).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.2
RESCAN_SECONDS = 1.0  # how often the tree is walked again for new children
# "Idle": at most QUIET_SHARE of one core over QUIET_WINDOW seconds (Streamlit at rest uses well under 1 %).
QUIET_WINDOW = 2.0
QUIET_SHARE = 0.05


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic()
    cpu: float  # seconds of CPU used so far by the watched processes
    rss: int  # bytes resident now


def parse_stat(text: str) -> tuple[int, float]:
    """(parent pid, CPU seconds incl. reaped children) from the text of /proc/<pid>/stat. The command name (2nd
    field) is in parentheses and may hold spaces, so fields are counted after the last ')'."""
    fields = text[text.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17
    return int(fields[1]), sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def parse_rss(text: str) -> int:
    """VmRSS in bytes from the text of /proc/<pid>/status (0 for a zombie, which has none)."""
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def children_of(pids: set[int]) -> dict[int, int]:
    """Every process whose parent chain reaches one of ``pids``: {pid: parent}."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (text := _read(entry / "stat")) is not None:
            with contextlib.suppress(ValueError, IndexError):
                parents[int(entry.name)] = parse_stat(text)[0]
    found: dict[int, int] = {}
    frontier = set(pids)
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier and pid not in found}
        found.update({pid: parents[pid] for pid in frontier})
    return found


def command_line(pid: int) -> str:
    text = _read(PROC / str(pid) / "cmdline")
    return (text or "").replace("\0", " ").strip()


class ProcessTree:
    """A root process and its descendants; with ``only``, just the processes whose command line it accepts
    (e.g. the Streamlit replicas under deploy/run-local, not HAProxy or the shell)."""

    def __init__(self, root: int, only: Callable[[str], bool] | None = None) -> None:
        self.root = root
        self.only = only
        self.pids: list[int] = []
        self.rescan()

    def rescan(self) -> None:
        candidates = [self.root, *children_of({self.root})]
        self.pids = [pid for pid in candidates if self.only is None or self.only(command_line(pid))]

    def sample(self) -> Sample:
        cpu, rss = 0.0, 0
        for pid in self.pids:
            stat, status = _read(PROC / str(pid) / "stat"), _read(PROC / str(pid) / "status")
            if stat is None or status is None:
                continue
            cpu += parse_stat(stat)[1]
            rss += parse_rss(status)
        return Sample(time.monotonic(), cpu, rss)


def quiet_since(samples: Sequence[Sample], after: float, window: float = QUIET_WINDOW,
                share: float = QUIET_SHARE) -> float | None:
    """The first sample time ≥ ``after`` from which the next ``window`` seconds used at most ``share`` of one
    core, or None if the samples show no such stretch (yet)."""
    for start_index, start in enumerate(samples):
        if start.at < after:
            continue
        for end in samples[start_index + 1:]:
            if end.at - start.at >= window:
                if end.cpu - start.cpu <= share * (end.at - start.at):
                    return start.at
                break
    return None


def cpu_at(samples: Sequence[Sample], moment: float) -> float:
    """CPU seconds used by ``moment``: the last sample taken at or before it (the first one if none is)."""
    chosen = samples[0]
    for sample in samples:
        if sample.at > moment:
            break
        chosen = sample
    return chosen.cpu


class Watch:
    """Samples a ProcessTree every SAMPLE_SECONDS in the running event loop until stopped."""

    def __init__(self, tree: ProcessTree) -> None:
        self.tree = tree
        self.samples: list[Sample] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        rescanned = time.monotonic()
        while True:
            if time.monotonic() - rescanned >= RESCAN_SECONDS:
                self.tree.rescan()
                rescanned = time.monotonic()
            self.samples.append(self.tree.sample())
            await asyncio.sleep(SAMPLE_SECONDS)

    def start(self) -> None:
        self.samples = [self.tree.sample()]
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.samples.append(self.tree.sample())

    def peak_rss(self, since: float = 0.0) -> int:
        return max((sample.rss for sample in self.samples if sample.at >= since), default=0)

    async def until_quiet(self, after: float, limit: float) -> float | None:
        """Wait (at most ``limit`` seconds past ``after``) until the tree has been quiet for a window; returns when
        the quiet began, or None if it never did."""
        while True:
            found = quiet_since(self.samples, after)
            if found is not None or time.monotonic() > after + limit + QUIET_WINDOW:
                return found
            await asyncio.sleep(SAMPLE_SECONDS)
