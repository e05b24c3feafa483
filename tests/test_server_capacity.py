"""Slots from the box's real CPU (cgroup v2 cpu.max, v1 cfs quota / period, or an explicit setting) and the session
cap, read from fake cgroup trees and environments."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons.server_capacity import (
    DEFAULT_MAX_SESSIONS,
    HEAVY_SLOTS,
    MAX_SESSIONS,
    cgroup_cpu_limit,
    heavy_slots,
    max_sessions,
)


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def test_v2_quota_of_two_cpus_on_a_32_core_node_gives_two_slots(tmp_path):
    _write(tmp_path, "cpu.max", "200000 100000")
    assert cgroup_cpu_limit(tmp_path, "0::/\n") == 2.0
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/\n", cores=32) == 2


def test_v2_half_a_cpu_gives_one_slot_and_a_fractional_quota_rounds_up(tmp_path):
    _write(tmp_path, "cpu.max", "50000 100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/", cores=32) == 1
    _write(tmp_path, "cpu.max", "150000 100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/", cores=32) == 2
    _write(tmp_path, "cpu.max", "300000 100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/", cores=32) == 3


def test_v2_no_quota_means_the_usable_cores(tmp_path):
    _write(tmp_path, "cpu.max", "max 100000")
    assert cgroup_cpu_limit(tmp_path, "0::/") is None
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/", cores=6) == 6
    assert heavy_slots({}, root=tmp_path / "no-cgroup-here", self_cgroup="0::/", cores=3) == 3


def test_v2_a_nested_cgroup_and_a_tighter_parent(tmp_path):
    """The process's own cgroup is a path below the mount; a parent's quota limits it too."""
    own = "kubepods.slice/pod-1/container-2"
    _write(tmp_path, f"{own}/cpu.max", "max 100000")
    _write(tmp_path, "kubepods.slice/pod-1/cpu.max", "100000 100000")
    assert cgroup_cpu_limit(tmp_path, f"0::/{own}\n") == 1.0
    _write(tmp_path, f"{own}/cpu.max", "400000 100000")
    _write(tmp_path, "kubepods.slice/pod-1/cpu.max", "max 100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup=f"0::/{own}", cores=32) == 4


def test_v2_inside_a_container_namespace_the_files_sit_at_the_mount_root(tmp_path):
    _write(tmp_path, "cpu.max", "250000 100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/", cores=16) == 3


def test_v1_cfs_quota_and_period(tmp_path):
    v1 = "12:pids:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n"
    _write(tmp_path, "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "150000")
    _write(tmp_path, "cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000")
    assert cgroup_cpu_limit(tmp_path, v1) == 1.5
    assert heavy_slots({}, root=tmp_path, self_cgroup=v1, cores=32) == 2
    _write(tmp_path, "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1")
    assert cgroup_cpu_limit(tmp_path, v1) is None
    assert heavy_slots({}, root=tmp_path, self_cgroup=v1, cores=32) == 32


def test_v1_a_cpu_only_hierarchy_in_a_container(tmp_path):
    _write(tmp_path, "cpu/cpu.cfs_quota_us", "100000")
    _write(tmp_path, "cpu/cpu.cfs_period_us", "100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup="1:cpu:/\n", cores=8) == 1


def test_a_quota_above_the_usable_cores_gives_the_cores(tmp_path):
    _write(tmp_path, "cpu.max", "800000 100000")
    assert heavy_slots({}, root=tmp_path, self_cgroup="0::/", cores=2) == 2


def test_an_explicit_setting_overrides_the_quota_and_a_bad_one_is_named(tmp_path):
    _write(tmp_path, "cpu.max", "200000 100000")
    assert heavy_slots({HEAVY_SLOTS.variable: "5"}, root=tmp_path, self_cgroup="0::/", cores=2) == 5
    for bad in ("0", "-2", "two", "1.5", "65"):
        with pytest.raises(ValueError, match=HEAVY_SLOTS.variable):
            heavy_slots({HEAVY_SLOTS.variable: bad}, root=tmp_path, self_cgroup="0::/", cores=2)
    assert heavy_slots({HEAVY_SLOTS.variable: "  "}, root=tmp_path, self_cgroup="0::/", cores=8) == 2


def test_the_session_cap_leaves_room_for_a_live_class_and_can_be_set():
    assert max_sessions({}) == DEFAULT_MAX_SESSIONS >= 100 + 1 + 20 + 20  # 100 phones, the teacher, reloads, others
    assert max_sessions({MAX_SESSIONS.variable: "40"}) == 40
    with pytest.raises(ValueError, match=MAX_SESSIONS.variable):
        max_sessions({MAX_SESSIONS.variable: "0"})
