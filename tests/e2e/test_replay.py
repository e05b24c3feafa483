"""Issue 13 in headless Chromium: after training, Play moves the replay client-side (the curve points and
the boundary change with no rerun); the presets show the gap open and close."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e
TALL = {"width": 1366, "height": 3000}
WAIT_MS = 60_000


def _replay(page: Page):
    return page.locator(".st-key-train_replay .js-plotly-plot")


def _moving_state(page: Page) -> dict:
    """Where the replay's moving parts are: the curve markers' iteration and the boundary's colours."""
    return _replay(page).evaluate("""el => {
        const markers = el.data.filter(t => t.mode === 'markers' && t.x && t.x.length === 1);
        const heat = el.data.find(t => t.type === 'heatmap');
        return {iterations: markers.map(t => Number(t.x[0])), boundary: JSON.stringify(heat.z).length
                ? JSON.stringify(heat.z).slice(0, 4000) : ''};
    }""")


def test_play_moves_the_curve_points_and_the_boundary_in_the_browser(page: Page, app_url: str, screenshot):
    page.set_viewport_size(TALL)
    page.goto(f"{app_url}/train_cancer?train_replay_on=true")  # the replay waits for its toggle; a link sets it
    wait_for_app_run(page)
    expect(_replay(page)).to_be_visible(timeout=WAIT_MS)
    start = _moving_state(page)
    assert start["iterations"] and set(start["iterations"]) == {0}
    screenshot("replay_start")
    messages_before = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: messages_before.append(frame)))
    _replay(page).get_by_text("4×").click()  # fastest speed, then play to the end
    _replay(page).get_by_text("▶ Play").click()
    page.wait_for_function(
        "() => { const el = document.querySelector('.st-key-train_replay .js-plotly-plot');"
        " return el.data.filter(t => t.mode === 'markers' && t.x && t.x.length === 1)"
        ".every(t => Number(t.x[0]) === 300); }", timeout=WAIT_MS)
    end = _moving_state(page)
    assert end["boundary"] != start["boundary"]
    assert not messages_before, "playing sent messages to the server"  # the replay is client-side
    assert_no_exception(page)
    screenshot("replay_end")


def test_the_presets_open_and_close_the_gap(page: Page, app_url: str, screenshot):
    page.set_viewport_size(TALL)
    page.goto(f"{app_url}/train_cancer")
    wait_for_app_run(page)
    page.get_by_role("button", name="See overfitting").click()
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile(r"Overfitting: the validation loss was lowest"))).to_be_visible(timeout=WAIT_MS)
    assert "train_optimizer=Adam" in page.url
    screenshot("preset_see_overfitting")
    page.get_by_role("button", name="Cure it").click()
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile(r"Early stopping ended the run"))).to_be_visible(timeout=WAIT_MS)
    assert "train_l2=3" in page.url
    assert_no_exception(page)
    screenshot("preset_cure_it")
