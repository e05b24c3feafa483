"""Check the values a link carries before any widget reads them (``bind="query-params"``).

Streamlit hands a bound widget whatever the address says: ``?train_seed=inf`` raised an OverflowError with a
traceback, and a value outside a widget's options was dropped without a word. Each key of the page's settings
registry (lessons/settings.py) is checked by its own parser:

- a value that fails is taken out of the address before the widget is created, and the page names it in a
  plain-text note (the raw value is the user's: never Markdown or HTML);
- a value that passes is written back in the form the widget reads (a bound widget reads its *label*:
  ``?train_scaling=minmax`` becomes ``Min-max``; Streamlit would otherwise drop it), so it is applied;
- a key the page does not know (``train_hiden=8``, a key with a zero-width character in it) is named in a note
  too, and taken out of the address: every key a link carries is applied or named.

Changing what a bound widget is seeded from takes Streamlit's query-param binding internals
(streamlit_internals.reseed_link_value, forget_link_values).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import streamlit as st

from lessons.settings import Registry
from lessons.url_values import ignored_note
from streamlit_glue.streamlit_internals import forget_link_values, reseed_link_value
from viz.text import markdown_literal

# parser(raw values of the key) -> problem or None: for link values that are not settings (a cell, a log)
LinkCheck = Callable[[list[str]], "str | None"]

PRESENT_KEY = "present"  # the presenter view (presenter.py): app.py checks it, every page accepts it
APP_WIDE_KEYS: tuple[str, ...] = (PRESENT_KEY,)
UNKNOWN_KEY = "not a setting of this page"


def single(parse: Callable[[str], tuple[object | None, str | None]]) -> LinkCheck:
    """A check for a one-value key from a ``parse_*`` function of ``lessons.url_values``."""
    def check(raws: list[str]) -> str | None:
        if len(raws) != 1:
            return "expected one value"
        return parse(raws[0])[1]
    return check


def forget_link(keep: Collection[str] = ()) -> None:
    """Empty the page address except the keys in ``keep``, and what bound widgets are seeded from (Start over)."""
    forget_link_values(keep)


def drop_from_link(key: str) -> None:
    """Take ``key`` out of the page address (and out of what bound widgets are seeded from)."""
    reseed_link_value(key, None)


def unknown_key_notes(known: Collection[str]) -> list[str]:
    """A note for every key of the address that is neither in ``known`` nor app-wide, each taken out of the address
    (so a shared link never carries it on). The key is the user's text: the note shows it like a value."""
    notes = []
    for key in [key for key in st.query_params if key not in known and key not in APP_WIDE_KEYS]:
        notes.append(ignored_note(key, ",".join(st.query_params.get_all(key)), UNKNOWN_KEY))
        drop_from_link(key)
    return notes


def write_link(values: Mapping[str, str | list[str]], owned: Collection[str]) -> None:
    """Make the address hold ``values`` for the keys in ``owned`` (a key of ``owned`` not in ``values`` leaves),
    touching no other key. (``st.query_params.from_dict`` would clear every key, a widget's bound ones — the
    presenter view — included, and cannot put those back.)"""
    for key in [key for key in st.query_params if key in owned and key not in values]:
        del st.query_params[key]
    for key, value in values.items():
        if st.query_params.get_all(key) != (value if isinstance(value, list) else [value]):
            st.query_params[key] = value


def show_notes(notes: list[str]) -> None:
    for note in notes:
        st.warning(markdown_literal(note), icon=":material/link_off:")  # the raw value is the user's


def guard_link(checks: Registry | Mapping[str, LinkCheck], extra: Mapping[str, LinkCheck] | None = None, *,
               whole_page: bool = True, read_elsewhere: Collection[str] = ()) -> list[str]:
    """Apply every registry value the link carries in the widget's form, drop the rest with a note each.

    ``checks`` is a lesson's settings registry, or plain checks for link values that are not settings (the
    presenter toggle, the guided lesson's step); ``extra`` adds such checks to a registry. ``whole_page``: these
    are all the keys the page reads (besides the app-wide ones), so any other key is named and dropped; app.py's
    check of the app-wide keys alone says False. ``read_elsewhere``: keys the page reads and checks itself, never
    echoed in a note (a live class's teacher secret).
    """
    if not isinstance(checks, Registry):
        checks, extra = Registry([]), {**checks, **(extra or {})}
    registry = checks
    notes = []
    for key in [*registry, *(extra or {})]:
        if key not in st.query_params:
            continue
        raws = st.query_params.get_all(key)
        if key in registry:
            value, problem = registry[key].parse_link(raws)
        else:
            value, problem = None, extra[key](raws)
        if problem is not None:
            notes.append(ignored_note(key, ",".join(raws), problem))
            drop_from_link(key)
        elif key in registry:
            text = registry[key].link_text(value)
            if (text if isinstance(text, list) else [text]) != raws:
                reseed_link_value(key, text)
    if whole_page:
        notes += unknown_key_notes([*registry, *(extra or {}), *read_elsewhere])
    show_notes(notes)
    return notes
