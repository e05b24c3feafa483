"""The presenter view zooms a chart by what it is — one that takes no clicks — never by its key's name: under CSS
zoom Plotly maps a click to the wrong point (a click on Z1[h2, s3] picked Z1[h2, s4])."""

from __future__ import annotations

import re

import pytest

from streamlit_glue import plotly_in_place
from streamlit_glue.plotly_in_place import ZOOMABLE_CHART
from streamlit_glue.presenter import PRESENTER_CSS


def _zoomed_selectors(css: str) -> list[str]:
    """Every selector of a rule that sets ``zoom`` (inside a media query too)."""
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    return [selector.strip() for selectors, body in rules if re.search(r"(^|[;\s])zoom\s*:", body)
            for selector in selectors.split(",")]


def test_the_presenter_view_zooms_no_chart_by_css():
    """Issue 28's slides: no CSS rule zooms a chart; a slide's FillRoom (plotly_in_place) zooms only a fixed-size
    chart that takes no clicks (tests/e2e/test_lesson.py checks every clickable chart on every slide has zoom 1)."""
    from streamlit_glue.lesson_slide import SLIDE_CSS, THUMBS_CSS

    assert not _zoomed_selectors(PRESENTER_CSS + SLIDE_CSS + THUMBS_CSS)
    assert "box.hasAttribute('data-clickable') || !fixed(box.__figure.layout)" in plotly_in_place._JS
    assert ZOOMABLE_CHART == ".plotly-in-place:not([data-clickable])"


def test_the_zoom_rule_reader_sees_a_rule_by_a_keys_name():
    """The reader itself: the old rule (by key name) is a zoomed selector that is not ZOOMABLE_CHART."""
    old = ('[class*="st-key-lesson_"]:not(.st-key-lesson_graph) .plotly-in-place { zoom: 1.3; }\n'
           '@media (min-width: 1400px) {\n  .x .plotly-in-place { zoom: 1.6; }\n}')
    assert _zoomed_selectors(old) == ['[class*="st-key-lesson_"]:not(.st-key-lesson_graph) .plotly-in-place',
                                      ".x .plotly-in-place"]


@pytest.mark.parametrize(("on_click", "clickable"), [(None, False), (lambda: None, True)])
def test_a_chart_says_whether_it_takes_clicks(monkeypatch, on_click, clickable):
    """What the browser marks data-clickable (the attribute ZOOMABLE_CHART excludes) is whether the chart has an
    on_click, whatever its key."""
    drawn = []
    monkeypatch.setattr(plotly_in_place, "_component", lambda **kwargs: drawn.append(kwargs))
    monkeypatch.setattr(plotly_in_place, "plotly_source", lambda: ("/plotly.js", False))
    plotly_in_place.plotly_chart_in_place('{"data": [], "layout": {}}', key="lesson_any", alt="a chart",
                                          on_click=on_click)
    assert drawn[0]["data"]["clickable"] is clickable
    assert "toggleAttribute('data-clickable', !!data.clickable)" in plotly_in_place._JS
