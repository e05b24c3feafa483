"""One run, three views: the training page's run carried to the landscape page in one link parameter.

``land_run=hidden:15;lr:0.1;opt:gd;it:300;batch:full;init:1;l2:0;test:0.2;split:0;strat:1;scale:standard;feat:all``
— readable, and every field checked like any value a link carries (``lessons.url_values``). The landscape
page retrains exactly that run (same data split, initial weights, optimizer and batches: training is
deterministic) and draws its path on the PCA plane of its own trajectory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lessons.settings import TRAINING
from lessons.url_values import parse_int

RUN_PARAM = "land_run"
# θ after every update is kept for the path: bounded by the training page's own iteration slider
MAX_ITERATIONS = int(TRAINING["train_iterations"].high)
N_FEATURES = 30  # the built-in data; an upload cannot travel in a link


@dataclass(frozen=True)
class RunSpec:
    """Everything that decides a built-in-data run of the training page."""

    hidden: int
    lr: float
    optimizer: str
    iterations: int
    batch_size: int | None  # None: full batch
    init_seed: int
    l2: float
    test_size: float
    split_seed: int
    stratify: bool
    scaling: str
    features: tuple[int, ...] | None  # None: all 30

    @property
    def label(self) -> str:
        batch = "full batch" if self.batch_size is None else f"batches of {self.batch_size}"
        return (f"your run: {self.hidden} hidden units, {self.optimizer}, lr {self.lr:g}, {self.iterations} updates, "
                f"{batch}" + (f", λ = {self.l2:g}" if self.l2 else ""))


def encode_run(spec: RunSpec) -> str:
    features = "all" if spec.features is None else ",".join(str(i) for i in spec.features)
    return ";".join([
        f"hidden:{spec.hidden}", f"lr:{spec.lr:g}", f"opt:{spec.optimizer}", f"it:{spec.iterations}",
        f"batch:{'full' if spec.batch_size is None else spec.batch_size}", f"init:{spec.init_seed}",
        f"l2:{spec.l2:g}", f"test:{spec.test_size:g}", f"split:{spec.split_seed}", f"strat:{int(spec.stratify)}",
        f"scale:{spec.scaling}", f"feat:{features}"])


def _features(raw: str) -> tuple[tuple[int, ...] | None, str | None]:
    if raw == "all":
        return None, None
    chosen = []
    for part in raw.split(","):
        index, problem = parse_int(part, 0, N_FEATURES - 1)
        if problem:
            return None, f"feat: {problem}"
        chosen.append(index)
    if len(set(chosen)) != len(chosen):
        return None, "feat: a feature appears twice"
    return tuple(chosen), None


def _field_checks() -> dict[str, Callable[[str], tuple[object | None, str | None]]]:
    """Each field's check: the training page's own setting where there is one (lessons/settings.py)."""
    checks: dict[str, Callable[[str], tuple[object | None, str | None]]] = {
        short: setting.parse for short, setting in TRAINING.by_short().items()}
    checks["it"] = lambda v: parse_int(v, 1, MAX_ITERATIONS)
    checks["batch"] = lambda v: (None, None) if v == "full" else parse_int(v, 1, int(TRAINING["train_batch_size"].high))
    checks["feat"] = _features
    return checks


def parse_run(raw: str) -> tuple[RunSpec | None, str | None]:
    """(spec, None) or (None, the problem in plain words) — never an exception."""
    fields = {}
    for part in raw.split(";"):
        key, sep, value = part.partition(":")
        if not sep or key in fields:
            return None, "expected fields like hidden:15;lr:0.1;… each once"
        fields[key] = value.strip()
    checks = _field_checks()
    if set(fields) != set(checks):
        missing = sorted(set(checks) - set(fields)) or sorted(set(fields) - set(checks))
        return None, f"fields missing or unknown: {', '.join(missing)}"
    values = {}
    for key, check in checks.items():
        value, problem = check(fields[key])
        if problem:
            return None, f"{key}: {problem}" if not problem.startswith(key) else problem
        values[key] = value
    return RunSpec(hidden=values["hidden"], lr=values["lr"], optimizer=values["opt"], iterations=values["it"],
                   batch_size=values["batch"], init_seed=values["init"], l2=values["l2"], test_size=values["test"],
                   split_seed=values["split"], stratify=values["strat"], scaling=values["scale"],
                   features=values["feat"]), None
