"""Check the values a link carries before any widget reads them (``bind="query-params"``).

Streamlit hands a bound widget whatever the address says: ``?train_seed=inf`` raised an OverflowError with a
traceback, and a value outside a widget's options was dropped without a word. Each key of the page's settings
registry (lessons/settings.py) is checked by its own parser:

- a value that fails is taken out of the address before the widget is created, and the page names it in a
  plain-text note (the raw value is the user's: never Markdown or HTML);
- a value that passes is written back in the form the widget reads (a bound widget reads its *label*:
  ``?train_scaling=minmax`` becomes ``Min-max``; Streamlit would otherwise drop it), so it is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from lessons.settings import Registry
from lessons.url_values import ignored_note
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


def _rewrite_param(key: str, value: str | list[str] | None) -> None:
    """Replace (or, with None, drop) ``key`` in the address *and* in what bound widgets are seeded from.

    Streamlit 1.67 seeds a bound widget from the query string of the page load, not from st.query_params,
    so changing the key alone is not enough; ``set_initial_query_params_from_current`` is the method
    Streamlit itself uses to re-seed after a page change (tests/test_page_*.py fail if that ever changes).
    """
    with get_session_state().query_params() as query_params:
        if query_params.is_bound(key):  # the widget already owns it (a later run): nothing to seed
            return
        del query_params[key]
        if value is not None:
            query_params[key] = value
        query_params.set_initial_query_params_from_current()


def forget_link(keep: Collection[str] = ()) -> None:
    """Empty the page address except the keys in ``keep``, and what bound widgets are seeded from (Start over).

    ``remove_param`` is what Streamlit itself uses to drop a bound widget's value from the address (a plain
    ``del`` refuses bound keys); without it a bound widget whose state was cleared is seeded from the address
    again (tests/test_page_lesson.py fails if that changes).
    """
    with get_session_state().query_params() as query_params:
        for key in [key for key in query_params if key not in keep]:
            query_params.remove_param(key)
        query_params.set_initial_query_params_from_current()


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
            _rewrite_param(key, None)
        elif key in registry:
            text = registry[key].link_text(value)
            if (text if isinstance(text, list) else [text]) != raws:
                _rewrite_param(key, text)
    for note in notes:
        st.warning(markdown_literal(note), icon=":material/link_off:")  # the raw value is the user's
    return notes
