"""The landscape lesson's settings and words: defaults, choices, how a link carries them, what the page says.

Pure Python (no Streamlit) so the link rules are tested directly: ``settings_from_link`` checks every
value a shared address carries before any widget sees it, ``link_from_settings`` writes the short,
stable form back (keys, not labels; defaults left out). Old links that carried labels keep working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lessons.settings import LANDSCAPE, REAL_NETWORK
from lessons.url_values import ignored_note
from viz.style import format_number

SETTINGS = LANDSCAPE  # every range, option and default: lessons/settings.py
REAL = REAL_NETWORK
LANDSCAPES = dict(LANDSCAPE["land_surface"].options)
MODES = dict(LANDSCAPE["land_mode"].options)
DIRECTIONS = dict(LANDSCAPE["land_directions"].options)
LEARNING_RATES = list(LANDSCAPE["land_lr"].values)
DEFAULTS: dict[str, object] = LANDSCAPE.defaults


def settings_from_link(query: Mapping[str, Sequence[str]]) -> tuple[dict[str, object], list[str]]:
    """The settings a link asks for, and a note for every value it carried that had to be ignored
    (a repeated key too: ``land_seed=1&land_seed=2`` says two things, so neither is taken)."""
    settings, notes = {}, []
    for key, raws in query.items():
        if key not in LANDSCAPE:
            continue  # another page's setting
        value, problem = LANDSCAPE[key].parse_link(list(raws))
        if problem is None:
            settings[key] = value
        else:
            notes.append(ignored_note(key, ", ".join(raws), problem))
    return settings, notes


def link_from_settings(settings: Mapping[str, object]) -> dict[str, str | list[str]]:
    """The address form of every setting that differs from its default (keys, not labels)."""
    return {key: setting.link_text(settings.get(key, setting.default)) for key, setting in LANDSCAPE.items()
            if settings.get(key, setting.default) != setting.default}


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
    ("θ\\*", "the weights where the ball with the lowest loss ended: the point α = β = 0 of the slice (★ on the "
            "top view)."),
    ("δ and η", "the two directions the slice spreads along, each a full set of weights; α and β say how far along "
                "each a point of the map lies."),
    ("L(θ\\* + α·δ + β·η)", "the training loss of the weights at that point: the height of the surface."),
    ("PCA of the training path", "δ and η are the two directions that hold the most of every ball's movement "
                                 "(principal components of each ball's steps θ_t − θ_0, each path scaled to the "
                                 "same length so that a short one counts as much as a long one), so the paths lie "
                                 "almost in the slice. The map is the smallest square that holds every path."),
    ("Filter-normalized", "a random direction whose part for each hidden unit is scaled to the size of that "
                          "unit's own weights, so one step along it is as big as the weights for every unit."),
)


def slice_terms() -> str:
    """The terms of the slice as a Markdown list, one plain sentence each, and the paper as a link."""
    title, address = PAPER
    return ("\n".join(f"- **{term}**: {sentence}" for term, sentence in SLICE_TERMS)
            + f"\n\nThe method is from [{title}]({address}).")


def distances_in_words(labels: Sequence[str], travelled: Sequence[float], diverged: Sequence[bool],
                       n_params: int) -> str:
    """What the class should see on the real network's map: the balls started together and moved different
    distances (in all the weights, ‖θ_end − θ_0‖), and a short trail is a ball that moved less, not one the map
    hides. Balls that flew off are named apart (their distance says nothing)."""
    calm = sorted(((float(d), label) for label, d, wild in zip(labels, travelled, diverged, strict=True) if not wild),
                  reverse=True)
    wild = [label for label, flew in zip(labels, diverged, strict=True) if flew]
    if not calm:
        return "Every ball flew off: there is no path to compare."
    farthest = calm[0][0]
    if len(calm) == 1:
        text = f"**What to see:** the ball moved {format_number(farthest)} through the {n_params} weights."
    else:
        distances = "; ".join(f"{label}: {format_number(d)}" + (
            "" if d == farthest else f" ({format_number(farthest / d, 2)}× less)" if d > 0 else " (did not move)")
            for d, label in calm)
        text = (f"**What to see:** every ball starts at the same weights and takes the same number of steps, yet "
                f"they move different distances through the {n_params} weights — {distances}. The map is drawn "
                f"to hold every path, so a short trail is a ball that moved less, not one the map hides: press "
                f"▶ Play and watch the short trails creep downhill while the farthest ball crosses the map.")
    if wild:
        text += f" Flew off: {', '.join(wild)}."
    return text


def why_lines_differ(n_params: int) -> str:
    """Why the real loss (dotted) and the height under the ball (solid) are not the same line."""
    return ("**Why the dotted and solid lines differ:** the ball is drawn on the slice, at the point of the plane "
            f"closest to the real weights θ_t; θ_t also moved in the other {n_params - 2} directions, which the "
            "slice cannot show. They meet at θ*, where the slice passes through the weights")
