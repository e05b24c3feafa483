"""How much one server process may take on: heavy-work slots and open sessions — each setting declared once here.

Pure Python (no Streamlit). A setting comes from the server's environment, else from what the box really has:

- **Heavy-work slots** (``BACKPROP_LAB_HEAVY_SLOTS``): runs at a time in the server's work queue. Default: the CPUs
  the box may use — the cgroup's CPU quota (v2 ``cpu.max``; v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``),
  rounded up, never more than the cores this process may run on. A container limited to 2 CPUs on a 32-core node
  (Community Cloud, ``docker --cpus``, a Kubernetes limit) has 2 slots, not 32; a quota of 0.5 CPU has 1.
- **Open sessions** (``BACKPROP_LAB_MAX_SESSIONS``): browser tabs one server serves at once; one more is told "the
  class is full — try again in a minute". Default 200: a live class of 100 phones and a teacher with room for reloads
  and second tabs — and still room for other students while one address holds as many tabs as the balancer lets it
  (125, deploy/haproxy.cfg) — within the smallest Community Cloud box's 690 MB (README "How many students").
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be 1 or more")
    return value


@dataclass(frozen=True)
class ServerSetting:
    """One setting of the server, read from its environment: the variable, what it means, how it is parsed."""

    variable: str
    meaning: str
    parse: Callable[[str], int]
    largest: int

    def read(self, environ: Mapping[str, str] | None = None) -> int | None:
        """The value set in the environment, or None when unset; a bad value raises ValueError naming the variable."""
        raw = (os.environ if environ is None else environ).get(self.variable, "").strip()
        if not raw:
            return None
        try:
            value = self.parse(raw)
        except ValueError as problem:
            raise ValueError(f"{self.variable}={raw!r}: {self.meaning} must be a whole number from 1 to "
                             f"{self.largest} ({problem})") from None
        if value > self.largest:
            raise ValueError(f"{self.variable}={raw!r}: {self.meaning} must be a whole number from 1 to "
                             f"{self.largest}")
        return value


HEAVY_SLOTS = ServerSetting("BACKPROP_LAB_HEAVY_SLOTS", "the number of heavy runs at a time", _positive_int, 64)
MAX_SESSIONS = ServerSetting("BACKPROP_LAB_MAX_SESSIONS", "the number of open sessions", _positive_int, 10_000)
DEFAULT_MAX_SESSIONS = 200


# ------------------------------------------------------------------------------------------------ the box's CPUs


def cgroup_cpu_limit(root: Path = CGROUP_ROOT, self_cgroup: str | None = None) -> float | None:
    """The CPUs this process's cgroup may use (quota ÷ period), or None when it has no quota.

    ``self_cgroup`` is the text of /proc/self/cgroup: v2 has one line ``0::/path``; v1 has a line per controller
    hierarchy, the CPU one ``N:cpu,cpuacct:/path``. Inside a container the path is often ``/`` (its own namespace)
    while the files sit at the root of the mount, so the path is tried first, then the root. A quota of ``max`` or
    -1 means none; the tightest quota along the path up to the root wins (a parent's limit applies too).
    """
    if self_cgroup is None:
        try:
            self_cgroup = PROC_SELF_CGROUP.read_text()
        except OSError:
            return None
    limits = []
    for line in self_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # v2
            for folder in _along(root, path):
                limits.append(_v2_limit(folder / "cpu.max"))
        elif "cpu" in controllers.split(","):  # v1
            for mount in (root / controllers, root / "cpu", root / "cpu,cpuacct"):
                for folder in _along(mount, path):
                    limits.append(_v1_limit(folder))
    found = [limit for limit in limits if limit is not None]
    return min(found) if found else None


def _along(mount: Path, path: str) -> list[Path]:
    """The folder of ``path`` under ``mount`` and each of its parents up to ``mount`` itself."""
    folder = mount / path.strip("/")
    return [folder, *(parent for parent in folder.parents if parent == mount or mount in parent.parents)]


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _v2_limit(cpu_max: Path) -> float | None:
    text = _read(cpu_max)
    if not text:
        return None
    quota, _, period = text.partition(" ")
    if quota == "max":
        return None
    try:
        return int(quota) / int(period or "100000")
    except (ValueError, ZeroDivisionError):
        return None


def _v1_limit(folder: Path) -> float | None:
    quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    try:
        quota_us, period_us = int(quota or ""), int(period or "")
    except ValueError:
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def usable_cores() -> int:
    """The cores this process may be scheduled on (its affinity), not the host's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def heavy_slots(environ: Mapping[str, str] | None = None, *, root: Path = CGROUP_ROOT,
                self_cgroup: str | None = None, cores: int | None = None) -> int:
    """Heavy runs at a time: the explicit setting, else the cgroup's CPU quota rounded up (at least 1), never more
    than the usable cores."""
    explicit = HEAVY_SLOTS.read(environ)
    if explicit is not None:
        return explicit
    cores = usable_cores() if cores is None else cores
    quota = cgroup_cpu_limit(root, self_cgroup)
    return cores if quota is None else max(1, min(cores, math.ceil(quota - 1e-9)))


def max_sessions(environ: Mapping[str, str] | None = None) -> int:
    """Open sessions one server serves: the explicit setting, else DEFAULT_MAX_SESSIONS."""
    explicit = MAX_SESSIONS.read(environ)
    return DEFAULT_MAX_SESSIONS if explicit is None else explicit
