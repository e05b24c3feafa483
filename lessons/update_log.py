"""The updates a learner applied on the step-through, written into the page address so a link shows them.

Each press of "Apply" runs ``count`` gradient-descent updates with the learning rate of that moment, so the
log is a list of (lr, count) runs, e.g. ``0.5*3,0.2*10``: replaying it from the same initial weights gives
the same weights again (full-batch gradient descent is deterministic).
"""

from __future__ import annotations

import math
import re

from lessons.settings import STEP_THROUGH

MAX_UPDATES = 5_000  # replaying more would make a link slow to open
MAX_RUNS = 100
LR_RANGE = STEP_THROUGH["fb_lr"].range  # the page's learning-rate slider
_RUN = re.compile(r"(\d+(?:\.\d+)?)\*(\d{1,5})")

UpdateRun = tuple[float, int]


def format_update_log(runs: list[UpdateRun]) -> str:
    """Runs → "0.5*3,0.2*10"; consecutive runs with the same learning rate are merged."""
    merged: list[list] = []
    for lr, count in runs:
        if merged and merged[-1][0] == lr:
            merged[-1][1] += count
        else:
            merged.append([lr, count])
    return ",".join(f"{lr:g}*{count}" for lr, count in merged)


def parse_update_log(text: str) -> tuple[list[UpdateRun], str | None]:
    """(runs, None) for a valid log, or ([], the problem in plain words) — never an exception."""
    if not text:
        return [], None
    parts = text.split(",")
    if len(text) > 2_000 or len(parts) > MAX_RUNS:
        return [], f"more than {MAX_RUNS} runs of updates"
    runs: list[UpdateRun] = []
    for part in parts:
        match = _RUN.fullmatch(part.strip())
        if match is None:
            return [], "expected runs like 0.5*3 (learning rate * number of updates), separated by commas"
        lr, count = float(match[1]), int(match[2])
        if not (math.isfinite(lr) and LR_RANGE[0] <= lr <= LR_RANGE[1]):
            return [], f"a learning rate of {match[1]} is outside {LR_RANGE[0]:g} to {LR_RANGE[1]:g}"
        if count < 1:
            return [], "a run of 0 updates"
        runs.append((lr, count))
    total = sum(count for _, count in runs)
    if total > MAX_UPDATES:
        return [], f"{total} updates in all; a link replays at most {MAX_UPDATES}"
    return runs, None
