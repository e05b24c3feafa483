"""The landscape lesson's settings and words: defaults, choices, how a link carries them, what the page says.

Pure Python (no Streamlit) so the link rules are tested directly: ``settings_from_link`` checks every
value a shared address carries before any widget sees it, ``link_from_settings`` writes the short,
stable form back (keys, not labels; defaults left out). Old links that carried labels keep working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lessons.url_values import ignored_note, parse_choice, parse_choices, parse_float, parse_int, parse_nearest
from nn_core.optimizers import OPTIMIZER_LABELS, OPTIMIZERS
from nn_core.surfaces import DOMAIN, SURFACES

REAL = "real"
LANDSCAPES = {**{key: surface.label for key, surface in SURFACES.items()}, REAL: "The real network (cancer data)"}
MODES = {"race": "Race optimizers", "sweep": "Learning-rate sweep"}
LEARNING_RATES = [float(f"{lr:.3g}") for lr in np.logspace(-3, 1, 25)]  # 0.001 … 10, geometric
BATCH_SIZES = ["full batch", "128", "32", "8", "1"]
DIRECTIONS = {"random": "Filter-normalized random (Li et al. 2018)", "pca": "PCA of the training path"}
SEED_RANGE = (0, 9999)
STEPS_RANGE = (10, 300)
RESOLUTION_RANGE = (11, 101)
NOISE_RANGE = (0.0, 2.0)
DEFAULTS: dict[str, object] = {
    "land_surface": "hills", "land_mode": "race", "land_optimizers": ["gd", "momentum", "adam"], "land_lr": 0.1,
    "land_steps": 100, "land_seed": 0, "land_noise": 0.0, "land_x0": -2.2, "land_y0": 0.8,
    "land_directions": "pca", "land_resolution": 41, "land_batch": "full batch",
}


def _inverse(labels: Mapping[str, str]) -> dict[str, str]:
    return {label: key for key, label in labels.items()}


_SINGLE = {
    "land_surface": lambda raw: parse_choice(raw, list(LANDSCAPES), _inverse(LANDSCAPES)),
    "land_mode": lambda raw: parse_choice(raw, list(MODES), _inverse(MODES)),
    "land_lr": lambda raw: parse_nearest(raw, LEARNING_RATES),
    "land_steps": lambda raw: parse_int(raw, *STEPS_RANGE),
    "land_seed": lambda raw: parse_int(raw, *SEED_RANGE),
    "land_noise": lambda raw: parse_float(raw, *NOISE_RANGE),
    "land_x0": lambda raw: parse_float(raw, *DOMAIN),
    "land_y0": lambda raw: parse_float(raw, *DOMAIN),
    "land_directions": lambda raw: parse_choice(raw, list(DIRECTIONS), _inverse(DIRECTIONS)),
    "land_resolution": lambda raw: parse_int(raw, *RESOLUTION_RANGE),
    "land_batch": lambda raw: parse_choice(raw, BATCH_SIZES),
}


def settings_from_link(query: Mapping[str, Sequence[str]]) -> tuple[dict[str, object], list[str]]:
    """The settings a link asks for, and a note for every value it carried that had to be ignored."""
    settings, notes = {}, []
    for key, raws in query.items():
        if key == "land_optimizers":
            value, problem = parse_choices(list(raws), list(OPTIMIZERS), _inverse(OPTIMIZER_LABELS))
        elif key in _SINGLE:
            value, problem = _SINGLE[key](raws[-1] if raws else "")
        else:
            continue  # another page's setting
        if problem is None:
            settings[key] = value
        else:
            notes.append(ignored_note(key, ", ".join(raws), problem))
    return settings, notes


def link_from_settings(settings: Mapping[str, object]) -> dict[str, str | list[str]]:
    """The address form of every setting that differs from its default."""
    link: dict[str, str | list[str]] = {}
    for key, default in DEFAULTS.items():
        value = settings.get(key, default)
        if value != default:
            link[key] = list(value) if isinstance(value, list) else f"{value:g}" if isinstance(value, float) else str(
                value)
    return link


def outside_slider(rates: Sequence[float]) -> list[float]:
    """The sweep's learning rates that the slider cannot show (the sweep goes 4× past either end)."""
    return [rate for rate in rates if not LEARNING_RATES[0] <= rate <= LEARNING_RATES[-1]]


PLAYER_HELP = ("▶ Play rolls the balls along their trails (○ marks each start), ‖ Pause stops them, the step "
               "slider scrubs, 0.5× … 4× play at other speeds. Drag to turn the view.")
PCA_FALLBACK = ("PCA directions need a training path that did not fly off; every ball diverged, so this slice "
                "uses random filter-normalized directions instead.")
RANDOM_SHADOW = ("Random directions are almost perpendicular to the training path in this many dimensions, so "
                 "the path's shadow is short; switch to PCA directions to see the plane training moved in.")


def slice_description(n_params: int, m: int, grid: int) -> str:
    """What the real network's 3D view is a picture of."""
    return (f"The network has {n_params} weights; this is a flat slice through the best weights θ* found, "
            f"L(θ* + α·δ + β·η) on the {m} training samples, {grid} × {grid} grid. Every ball trains from the "
            "same initial weights. " + PLAYER_HELP)


PAPER = ("Li et al. 2018, “Visualizing the Loss Landscape of Neural Nets”", "https://arxiv.org/abs/1712.09913")
# One plain sentence per term of the real network's slice (shown beside the 3D view).
SLICE_TERMS = (
    ("θ\\*", "the weights where the ball with the lowest loss ended: the centre of the slice, α = β = 0."),
    ("δ and η", "the two directions the slice spreads along, each a full set of weights; α and β say how far along "
                "each a point of the map lies."),
    ("L(θ\\* + α·δ + β·η)", "the training loss of the weights at that point: the height of the surface."),
    ("PCA of the training path", "δ and η are the two directions in which the balls' weights moved most "
                                 "(principal components of θ_t − θ\\*), so the paths lie almost in the slice."),
    ("Filter-normalized", "a random direction whose part for each hidden unit is scaled to the size of that "
                          "unit's own weights, so one step along it is as big as the weights for every unit."),
)


def slice_terms() -> str:
    """The terms of the slice as a Markdown list, one plain sentence each, and the paper as a link."""
    title, address = PAPER
    return ("\n".join(f"- **{term}**: {sentence}" for term, sentence in SLICE_TERMS)
            + f"\n\nThe method is from [{title}]({address}).")


def why_lines_differ(n_params: int) -> str:
    """Why the real loss (dotted) and the height under the ball (solid) are not the same line."""
    return ("**Why the dotted and solid lines differ:** the ball is drawn on the slice, at the point of the plane "
            f"closest to the real weights θ_t; θ_t also moved in the other {n_params - 2} directions, which the "
            "slice cannot show. They meet at θ*, where the slice passes through the weights")
