"""Check the values a link carries before any widget reads them (``bind="query-params"``).

Streamlit hands a bound widget whatever the address says: ``?train_seed=inf`` raised an OverflowError with a
traceback, and a value outside a widget's options was dropped without a word. Each page lists its keys with
a parser from ``lessons.url_values``; a value that fails is taken out of the address before the widget is
created and the page says so in plain text (the raw value is the user's: never Markdown or HTML).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

from lessons.url_values import ignored_note
from viz.text import markdown_literal

# parser(raw values of the key) -> problem or None
LinkCheck = Callable[[list[str]], "str | None"]


def single(parse: Callable[[str], tuple[object | None, str | None]]) -> LinkCheck:
    """A check for a one-value key from a ``parse_*`` function of ``lessons.url_values``."""
    def check(raws: list[str]) -> str | None:
        if len(raws) != 1:
            return "expected one value"
        return parse(raws[0])[1]
    return check


def _forget_param(key: str) -> None:
    """Take ``key`` out of the address *and* out of what bound widgets are seeded from.

    Streamlit 1.67 seeds a bound widget from the query string of the page load, not from st.query_params,
    so deleting the key alone is not enough; ``set_initial_query_params_from_current`` is the method
    Streamlit itself uses to re-seed after a page change (tests/test_page_*.py fail if that ever changes).
    """
    with get_session_state().query_params() as query_params:
        del query_params[key]
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


def guard_link(checks: Mapping[str, LinkCheck]) -> list[str]:
    """Drop every checked key whose value fails; return the notes (also shown on the page as plain text)."""
    notes = []
    for key, check in checks.items():
        if key not in st.query_params:
            continue
        raws = st.query_params.get_all(key)
        problem = check(raws)
        if problem is not None:
            notes.append(ignored_note(key, ",".join(raws), problem))
            _forget_param(key)
    for note in notes:
        st.warning(markdown_literal(note), icon=":material/link_off:")  # the raw value is the user's
    return notes
