"""Widgets drawn from a lesson's settings registry (lessons/settings.py): label, range, step, options, help.

A setting whose address form is its label (``address="label"``) is bound to the page address
(``bind="query-params"``) and gets its default here; a landscape setting (``address="key"``) takes its value
from session state, where the page puts the link's values and the defaults.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lessons.settings import Setting


def _common(setting: Setting, extra: dict[str, Any]) -> dict[str, Any]:
    common: dict[str, Any] = {"key": setting.key, "help": setting.help}
    if setting.address == "label":
        common["bind"] = "query-params"
    common.update(extra)
    return common


def _default(setting: Setting) -> dict[str, Any]:
    return {"value": setting.default} if setting.address == "label" else {}


def slider(setting: Setting, where: Any = st, **extra: Any) -> Any:
    """A range setting ("int" / "float") as a slider; ``label`` in ``extra`` words it for the data at hand."""
    label = extra.pop("label", setting.label)
    return where.slider(label, setting.low, setting.high, step=setting.step, **_default(setting),
                        **_common(setting, extra))


def number_input(setting: Setting, where: Any = st, **extra: Any) -> int:
    """A whole-number setting (a seed) as a number box."""
    return int(where.number_input(setting.label, int(setting.low), int(setting.high), step=int(setting.step),
                                  **_default(setting), **_common(setting, extra)))


def select_slider(setting: Setting, where: Any = st, **extra: Any) -> Any:
    """A "nearest" setting (a few numbers, e.g. learning rates on a log scale) or a choice, left to right."""
    options = list(setting.values) if setting.kind == "nearest" else list(setting.options)
    return where.select_slider(setting.label, options, format_func=setting.show, **_default(setting),
                               **_common(setting, extra))


def choice(setting: Setting, where: Any = st, *, widget: str = "selectbox", **extra: Any) -> Any:
    """A "choice" setting as a selectbox or a radio, showing labels."""
    options = list(setting.options)
    index = {"index": options.index(setting.default)} if setting.address == "label" else {}
    draw = where.radio if widget == "radio" else where.selectbox
    return draw(setting.label, options, format_func=setting.show, **index, **_common(setting, extra))


def multiselect(setting: Setting, where: Any = st, **extra: Any) -> list:
    """A "choices" setting; ``extra`` may carry ``default`` when it depends on the data, and ``format_func``
    for shorter chips than the options' labels (the labels stay what a link may spell)."""
    return where.multiselect(setting.label, list(setting.options), format_func=extra.pop("format_func", setting.show),
                             **_common(setting, extra))


def toggle(setting: Setting, where: Any = st, **extra: Any) -> bool:
    return where.toggle(setting.label, **_default(setting), **_common(setting, extra))
