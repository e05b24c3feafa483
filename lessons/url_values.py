"""Values that arrive in a page address (``?key=value``), checked before a widget sees them.

A shared link is typed by people and mangled by chat apps, so anything may arrive: ``inf``, ``1e400``,
``nan``, markup, a label instead of a key, a thousand characters. Every parser returns
``(value, None)`` or ``(None, problem)``; ``ignored_note`` turns a problem into the sentence a page
shows (as plain text, never as Markdown or HTML: the raw value is the user's, not ours).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

Parsed = tuple[object | None, str | None]
# Longest raw value a note repeats; the rest is cut with an ellipsis.
SHOWN_CHARACTERS = 40
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?")


def parse_int(raw: str | None, low: int, high: int) -> tuple[int | None, str | None]:
    """A whole number in [low, high], written as digits ("-0" is 0; "5.0", "1e3", "inf" are not)."""
    problem = f"not a whole number between {low} and {high}"
    if raw is None or not _WHOLE_NUMBER.fullmatch(raw.strip()):
        return None, problem
    value = int(raw.strip())
    return (value, None) if low <= value <= high else (None, problem)


def parse_float(raw: str | None, low: float, high: float) -> tuple[float | None, str | None]:
    """A finite decimal number in [low, high] ("nan", "inf" and "1e400", which overflows to inf, are not)."""
    problem = f"not a number between {low:g} and {high:g}"
    if raw is None or not _DECIMAL.fullmatch(raw.strip()):
        return None, problem
    value = float(raw.strip())
    if not math.isfinite(value) or not low <= value <= high:
        return None, problem
    return value + 0.0, None  # + 0.0 turns -0.0 into 0.0


def parse_choice(raw: str | None, options: Sequence[str],
                 aliases: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """One of ``options`` (the short keys a link should carry), or an alias such as the label an older
    link carried (``{"Simple bowl": "bowl"}``); aliases match without regard to case."""
    problem = "not one of " + ", ".join(options)
    if raw is None:
        return None, problem
    text = raw.strip()
    if text in options:
        return text, None
    folded = {alias.casefold(): key for alias, key in (aliases or {}).items()}
    folded.update({key.casefold(): key for key in options})
    key = folded.get(text.casefold())
    return (key, None) if key is not None else (None, problem)


def parse_nearest(raw: str | None, options: Sequence[float], rel_tol: float = 0.01) -> tuple[float | None, str | None]:
    """The option of a select slider that a number in a link means (within ``rel_tol``: a link may carry
    "0.1" for 0.1 or "3.16" for 3.162…)."""
    value, problem = parse_float(raw, min(options), max(options))
    if value is None:
        return None, f"not one of the values {min(options):g} … {max(options):g}"
    nearest = min(options, key=lambda option: abs(option - value))
    if math.isclose(nearest, value, rel_tol=rel_tol, abs_tol=1e-12):
        return nearest, None
    return None, f"not one of the values {min(options):g} … {max(options):g}"


def parse_choices(raws: Sequence[str], options: Sequence[str],
                  aliases: Mapping[str, str] | None = None) -> tuple[list[str] | None, str | None]:
    """Several of ``options`` (a multiselect's repeated ``key=a&key=b``); any unknown one rejects the lot,
    so a link never silently means something else than it says."""
    chosen = []
    for raw in raws:
        key, problem = parse_choice(raw, options, aliases)
        if key is None:
            return None, problem
        if key not in chosen:
            chosen.append(key)
    return chosen, None


def shown(raw: str) -> str:
    """The raw value as a note repeats it: at most SHOWN_CHARACTERS, control characters replaced."""
    clean = "".join(ch if ch.isprintable() else "\ufffd" for ch in raw)
    return clean if len(clean) <= SHOWN_CHARACTERS else clean[:SHOWN_CHARACTERS] + "…"


def ignored_note(key: str, raw: str, problem: str) -> str:
    """"Ignored land_seed=inf from the link: not a whole number between 0 and 9999." (plain text; the key may be
    the user's too, shown the same way)"""
    return f"Ignored {shown(key)}={shown(raw)} from the link: {problem}."
