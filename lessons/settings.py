"""Every setting of every lesson, declared once: key, label, range or options, default, link form, help.

The way TF Playground's ``state.ts`` declares its state. The widgets (streamlit_glue), the link checks
(streamlit_glue/link_guard.py, lessons/landscape_settings.py) and the run link (lessons/run_link.py) all
read these three registries, so a setting's range lives here and nowhere else:

- ``TRAINING``: the training page (``train_*``), bound to the address with ``bind="query-params"``;
- ``STEP_THROUGH``: the forward & backward page (``fb_*``), bound the same way;
- ``LANDSCAPE``: the landscape page (``land_*``), kept in session state and written to the address by
  ``lessons.landscape_settings.link_from_settings`` (keys, not labels).

A widget bound to the address stores its *label* there (Streamlit 1.67 writes the ``format_func`` text of
an option, and drops a value that is not one of those texts). So a setting knows its ``link_text``: the
text its widget reads. A link may carry the key or the label (any case); the link check turns what it
accepts into that text, so every accepted value is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from lessons.stages import STAGE_KEYS
from lessons.url_values import parse_choice, parse_choices, parse_float, parse_int, parse_nearest
from nn_core.data import SCALINGS
from nn_core.gradcheck import METHODS
from nn_core.network import PARAM_NAMES
from nn_core.optimizers import OPTIMIZER_LABELS
from nn_core.surfaces import DOMAIN, SURFACES
from viz.style import format_number

Kind = Literal["int", "float", "nearest", "choice", "choices", "bool"]
Parsed = tuple[object | None, str | None]

SEED_RANGE = (0, 9999)  # every seed of every page: split, initialization, example, noise


def next_seed(seed: int) -> int:
    """The seed after ``seed`` ("New example"), wrapping from the top of SEED_RANGE to its bottom."""
    low, high = SEED_RANGE
    return low + (seed + 1 - low) % (high - low + 1)


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Setting:
    """One setting: what it is called, what it may hold, how a link carries it.

    ``kind``: "int" / "float" (a range ``low`` … ``high`` with ``step``), "nearest" (one of ``values``, a
    select slider), "choice" / "choices" (keys of ``options``, key → label), "bool" (a toggle).
    ``address``: "label" when the page address holds the widget's label (a bound widget), "key" when the
    page writes the short key itself. ``short``: the field name in a run link (``land_run=hidden:15;…``).
    """

    key: str
    label: str
    kind: Kind
    default: object
    low: float | None = None
    high: float | None = None
    step: float | None = None
    values: tuple[float, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)
    short: str | None = None
    help: str | None = None
    address: Literal["label", "key"] = "label"
    format: Callable[[object], str] | None = None  # how a number of ``values`` is shown (and written, if bound)

    @property
    def range(self) -> tuple[float, float]:
        return self.low, self.high

    def with_options(self, names: Sequence[str]) -> Setting:
        """A choice setting whose options are only known at run time (the data set's feature names)."""
        return replace(self, options={name: name for name in names})

    def show(self, value: object) -> str:
        """The text a widget shows for ``value`` (its ``format_func``)."""
        if self.kind in ("choice", "choices"):
            return self.options.get(value, str(value))
        return self.format(value) if self.format else _plain(value)

    def parse(self, raw: str | None) -> Parsed:
        """One raw value of a link → (value, None) or (None, the problem in plain words)."""
        if self.kind == "int":
            return parse_int(raw, int(self.low), int(self.high))
        if self.kind == "float":
            return parse_float(raw, self.low, self.high)
        if self.kind == "bool":
            value, problem = parse_choice(raw, ["true", "false"], {"1": "true", "0": "false"})
            return (None, problem) if problem else (value == "true", None)
        if self.kind == "nearest":
            shown = {self.show(v).casefold(): v for v in self.values}
            if raw is not None and raw.strip().casefold() in shown:
                return shown[raw.strip().casefold()], None
            return parse_nearest(raw, self.values)
        return parse_choice(raw, list(self.options), {label: key for key, label in self.options.items()})

    def parse_link(self, raws: Sequence[str]) -> Parsed:
        """Every raw value a link carries under this key (a repeated key is a problem, except for "choices")."""
        if self.kind == "choices":
            return parse_choices(list(raws), list(self.options), {label: key for key, label in self.options.items()})
        if len(raws) != 1:
            return None, "expected one value"
        return self.parse(raws[0])

    def link_text(self, value: object) -> str | list[str]:
        """What the page address holds for ``value`` (the text a bound widget reads and writes)."""
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "choices":
            return [str(v) if self.address == "key" else self.show(v) for v in value]
        if self.kind in ("choice", "nearest") and self.address == "label":
            return self.show(value)
        return _plain(value)


class Registry(dict):
    """One lesson's settings by key (a dict, in the order the page draws them)."""

    def __init__(self, settings: Sequence[Setting]):
        super().__init__((setting.key, setting) for setting in settings)

    @property
    def defaults(self) -> dict[str, object]:
        return {key: setting.default for key, setting in self.items()}

    def with_options(self, key: str, names: Sequence[str]) -> Registry:
        """This registry with the run-time options of ``key`` (the data set's feature names)."""
        return Registry([setting.with_options(names) if setting.key == key else setting for setting in self.values()])

    def by_short(self) -> dict[str, Setting]:
        return {setting.short: setting for setting in self.values() if setting.short}


def _l2_text(value: float) -> str:
    return "off" if value == 0 else f"{value:g}"


# ------------------------------------------------------------------------------------------- the training page
TRAINING_VIEWS = {"plane": "All features, on a plane", "two": "Two features"}
TRAINING = Registry([
    Setting("train_source", "Data set", "choice", "builtin",
            options={"builtin": "Built-in Wisconsin data", "upload": "Upload a CSV"}),
    Setting("train_test_size", "Test fraction", "float", 0.2, 0.1, 0.5, 0.05, short="test",
            help="Share of the rows held out to judge the model (and drawn as the validation curve)."),
    Setting("train_stratify", "Stratified split", "bool", True, short="strat",
            help="Keep the share of each class the same in the training and test sets."),
    Setting("train_scaling", "Scaling", "choice", "standard", short="scale",
            options=dict(zip(SCALINGS, ("Standardize", "Min-max", "None"), strict=True)),
            help="Standardize: mean 0, sd 1. Min-max: each feature to [0, 1], as the article did. Fitted on the "
                 "training rows only — feature engineering matters, says the article."),
    Setting("train_split_seed", "Split seed", "int", 0, *SEED_RANGE, 1, short="split"),
    Setting("train_features", "Features", "choices", None),  # options: the data set's names (with_options)
    Setting("train_hidden", "Hidden units", "int", 15, 1, 64, 1, short="hidden",
            help="The article uses 15 ReLU units."),
    Setting("train_lr", "Learning rate", "nearest", 0.1, short="lr", format=format_number,
            values=(0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
            help="Log scale. Too high and the loss explodes."),
    Setting("train_batch_mode", "Batch mode", "choice", "full",
            options={"full": "Full batch", "mini": "Mini-batch", "sgd": "SGD"}),
    Setting("train_batch_size", "Mini-batch size", "int", 32, 2, 256, 1),
    Setting("train_iterations", "Iterations", "int", 300, 10, 5000, 10,
            help="One iteration = one forward, one backward, one update on all the rows."),
    Setting("train_epochs", "Epochs", "int", 20, 1, 100, 1,
            help="One epoch = one pass over the training rows, cut into batches."),
    Setting("train_optimizer", "Optimizer", "choice", "gd", short="opt", options=OPTIMIZER_LABELS),
    Setting("train_seed", "Initialization seed", "int", 1, *SEED_RANGE, 1, short="init",
            help="The article's nInit uses np.random.seed(1)."),
    Setting("train_l2", "Weight decay λ (L2)", "nearest", 0.0, short="l2", format=_l2_text,
            values=(0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
            help="Adds (λ / 2m)·(‖W1‖² + ‖W2‖²) to the loss, so large weights cost: the network cannot make its "
                 "function steep enough to memorize the training rows."),
    Setting("train_patience", "Early stopping: patience (iterations)", "int", 0, 0, 500, 10,
            help="Stop when the validation loss has not improved for this many iterations, and keep the weights of "
                 "its best iteration. 0 = off."),
    Setting("train_threshold", "Decision threshold: call a tumour malignant when Yh >", "float", 0.5, 0.05, 0.95,
            0.01, help="Moving it re-uses the trained model: no retraining."),
    Setting("train_replay_on", "Replay each run with its decision boundary", "bool", False,
            help="Play the run back in the browser: the boundary, the loss curves and the confusion counts move "
                 "together. Each new run then takes a little longer to show."),
    Setting("train_view", "Decision boundary", "choice", "plane", options=TRAINING_VIEWS),
])

# ------------------------------------------------------------------------------------- the forward & backward page
CHECK_H = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7)  # the gradient check's nudges
WARMUP_H = (2.0, 1.0, 0.5, 0.1, 0.01, 0.001)  # the derivative warm-up's nudges
GRADCHECK_METHOD_LABELS = {"forward": "forward (f(x+h) − f(x)) / h — the article's",
                           "central": "centred (f(x+h) − f(x−h)) / 2h"}
STEP_THROUGH = Registry([
    Setting("fb_x", "x", "float", 3.0, -4.0, 4.0, 0.5),
    Setting("fb_dh", "h (the nudge)", "nearest", 1.0, values=WARMUP_H, format=str,
            help="Move right to shrink h: the secant turns into the tangent."),
    Setting("fb_features", "Input features (2 to 6)", "choices",  # options: the data's names (with_options)
            ["mean radius", "mean texture", "worst concave points"]),
    Setting("fb_m", "Samples m", "int", 5, 2, 16, 1),
    Setting("fb_hidden", "Hidden units", "int", 4, 2, 8, 1),
    Setting("fb_seed", "Seed", "int", 1, *SEED_RANGE, 1),
    Setting("fb_lr", "Learning rate η", "float", 0.5, 0.01, 5.0, 0.01),
    Setting("fb_stage", "Stage", "choice", STAGE_KEYS[0], options={key: key for key in STAGE_KEYS}),
    Setting("fb_h", "h", "nearest", 1e-3, values=CHECK_H, format=lambda v: f"{v:g}",
            help="The article uses h = 0.001. Too big: the slope is measured over a curved stretch. Too small: "
                 "rounding errors of the loss dominate."),
    Setting("fb_gc_method", "Heatmaps for", "choice", "forward",
            options={method: GRADCHECK_METHOD_LABELS[method] for method in METHODS}),
    Setting("fb_gc_param", "Parameter", "choice", "W1", options={name: name for name in PARAM_NAMES},
            help="The table above the heatmaps compares all four; the heatmaps show one at a time."),
])

# ------------------------------------------------------------------------------------------- the landscape page
REAL_NETWORK = "real"
DEFAULT_SURFACE = "hills"
_START = SURFACES[DEFAULT_SURFACE].suggested_start  # the page opens with its surface's "Suggested start"
LANDSCAPE = Registry([replace(setting, address="key") for setting in [  # kept in session state, not bound
    Setting("land_surface", "Landscape", "choice", DEFAULT_SURFACE,
            options={**{key: surface.label for key, surface in SURFACES.items()},
                     REAL_NETWORK: "The real network (cancer data)"}),
    Setting("land_mode", "Balls", "choice", "race",
            options={"race": "Race optimizers", "sweep": "Learning-rate sweep"},
            help="Race: one ball per optimizer from the same start. Sweep: five gradient-descent balls at ¼×, ½×, "
                 "1×, 2× and 4× the chosen learning rate."),
    Setting("land_optimizers", "Optimizers (each one a ball)", "choices", ["gd", "momentum", "adam"],
            options=OPTIMIZER_LABELS, help="GD is plain gradient descent, the article's. Learning-rate sweep mode "
                                           "uses plain gradient descent only."),
    Setting("land_lr", "Learning rate (log scale)", "nearest", 0.1, format=format_number,
            values=tuple(float(f"{lr:.3g}") for lr in np.logspace(-3, 1, 25))),  # 0.001 … 10, geometric
    Setting("land_steps", "Steps", "int", 100, 10, 300, 10),
    Setting("land_seed", "Seed (noise, random directions, initial weights)", "int", 0, *SEED_RANGE, 1),
    Setting("land_noise", "Gradient noise (imitates mini-batch / SGD)", "float", 0.0, 0.0, 2.0, 0.05,
            help="Adds Gaussian noise of this size to every gradient."),
    Setting("land_x0", "Start x", "float", _START[0], *DOMAIN, 0.05),
    Setting("land_y0", "Start y", "float", _START[1], *DOMAIN, 0.05),
    Setting("land_directions", "Directions of the slice", "choice", "pca",  # the paths lie in the PCA plane
            options={"random": "Filter-normalized random (Li et al. 2018)", "pca": "PCA of the training path"}),
    Setting("land_resolution", "Grid resolution (points per side)", "int", 41, 11, 101, 10),
    Setting("land_batch", "Mini-batch size (gradient noise)", "choice", "full batch",
            options={size: size for size in ("full batch", "128", "32", "8", "1")},
            help="Smaller batches give noisier gradients; 1 is SGD."),
]])
