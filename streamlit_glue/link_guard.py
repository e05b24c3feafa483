"""Check the values a link carries before any widget reads them (``bind="query-params"``).

Streamlit hands a bound widget whatever the address says: ``?train_seed=inf`` raised an OverflowError with a
traceback, and a value outside a widget's options was dropped without a word. Each key of the page's settings
registry (lessons/settings.py) is checked by its own parser:

- a value that fails is taken out of the address before the widget is created, and the page names it in a
  plain-text note (the raw value is the user's: never Markdown or HTML);
- a value that passes is written back in the form the widget reads (a bound widget reads its *label*:
  ``?train_scaling=minmax`` becomes ``Min-max``; Streamlit would otherwise drop it), so it is applied.

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


def guard_link(checks: Registry | Mapping[str, LinkCheck], extra: Mapping[str, LinkCheck] | None = None) -> list[str]:
    """Apply every registry value the link carries in the widget's form, drop the rest with a note each.

    ``checks`` is a lesson's settings registry, or plain checks for link values that are not settings (the
    presenter toggle, the guided lesson's step); ``extra`` adds such checks to a registry.
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
            reseed_link_value(key, None)
        elif key in registry:
            text = registry[key].link_text(value)
            if (text if isinstance(text, list) else [text]) != raws:
                reseed_link_value(key, text)
    for note in notes:
        st.warning(markdown_literal(note), icon=":material/link_off:")  # the raw value is the user's
    return notes
