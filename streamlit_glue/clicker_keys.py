"""The keys a presentation clicker sends, heard on the whole page: → or PageDown for the next step, ← or PageUp
for the previous one.

A tiny ``st.components.v2`` component: its script listens on the document (it draws nothing) and reports
"next" or "previous" as a trigger; Python then calls ``on_move(+1 or -1)`` before the rerun. A key is left alone
while the focus is somewhere that uses it itself — a text or number field, the step slider, a radio group, a
chart — or with a modifier held (Alt+← is the browser's Back), or when it repeats (a held key would race through
the lesson).

(Streamlit 1.67's ``st.button(shortcut=...)`` takes one key per button and fires while a slider has the focus,
so ← on the focused step slider would move two steps: hence this listener.)
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from streamlit_glue.streamlit_internals import keyed

NEXT_KEYS = ("ArrowRight", "PageDown")
PREVIOUS_KEYS = ("ArrowLeft", "PageUp")
KEYS_HELP = "→ or PageDown (a presentation clicker) goes to the next step, ← or PageUp to the previous one."

# Where the focus keeps its own use of the arrow and page keys.
_OWN_KEYS = ("input, textarea, select, [contenteditable=''], [contenteditable='true'], [role='slider'], "
             "[role='radiogroup'], [role='radio'], [role='tablist'], [role='listbox'], [role='combobox'], "
             "[role='spinbutton'], [role='menu'], [role='grid'], .js-plotly-plot")

_JS = """
export default function ({ data, setTriggerValue }) {
  const onKey = (event) => {
    if (event.defaultPrevented || event.repeat) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const move = data.next.includes(event.key) ? 'next' : data.previous.includes(event.key) ? 'previous' : null;
    if (!move) return;
    const focus = document.activeElement;
    if (focus && focus !== document.body && focus.closest && focus.closest(data.own_keys)) return;
    event.preventDefault();  // PageDown would also scroll the page
    setTriggerValue('move', move);
  };
  // one listener per page, this render's: a rerun draws the component again
  if (window.__clickerKeys) document.removeEventListener('keydown', window.__clickerKeys);
  window.__clickerKeys = onKey;
  document.addEventListener('keydown', onKey);
  return () => {
    document.removeEventListener('keydown', onKey);
    if (window.__clickerKeys === onKey) window.__clickerKeys = null;
  };
}
"""

_component = st.components.v2.component("backprop_lab.clicker_keys", js=_JS)


def clicker_keys(key: str, on_move: Callable[[int], None]) -> None:
    """Listen for the clicker's keys on this page; ``on_move(1)`` for next, ``on_move(-1)`` for previous."""

    def moved() -> None:
        move = getattr(st.session_state.get(key), "move", None)
        if move in ("next", "previous"):
            on_move(1 if move == "next" else -1)

    # our own CSS (only our key): the listener takes no room on the page
    st.html(f"<style>{keyed(key)} {{ display: none; }}</style>")
    _component(data={"next": list(NEXT_KEYS), "previous": list(PREVIOUS_KEYS), "own_keys": _OWN_KEYS},
               key=key, on_move_change=moved)
