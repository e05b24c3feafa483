"""The landscape page in a real Chromium: pressing Play rolls the balls (read back from Plotly's graph
div and seen in before/after screenshots), and a diverging learning rate is explained, not crashed."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e

BALLS_JS = """() => {
  const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return graph._fullData
    .filter(t => t.type === 'scatter3d' && !t.name.endsWith('(trail)'))
    .map(t => [t.name, t.x[0], t.y[0]]);
}"""
TRAIL_LENGTH_JS = """() => {
  const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return Math.max(...graph._fullData.filter(t => t.type === 'scatter3d').map(t => t.x.length));
}"""


def _open_landscape(page: Page, app_url: str, query: str = "") -> None:
    if query:
        page.goto(f"{app_url}/landscape?{query}")
    else:
        page.goto(app_url)
        wait_for_app_run(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Loss landscape").click()
    wait_for_app_run(page)
    expect(page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first).to_be_visible(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot')?._fullData?.length > 1",
        timeout=60_000)
    assert_no_exception(page)


def test_play_rolls_the_balls_down_the_surface(page: Page, app_url: str, screenshot):
    _open_landscape(page, app_url)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # let WebGL paint the first frame
    before = page.evaluate(BALLS_JS)
    assert len(before) == 3  # GD, momentum and Adam race by default
    before_png = chart.screenshot()
    screenshot("landscape-before-play")

    chart.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(f"({TRAIL_LENGTH_JS})() > 5", timeout=60_000)  # ≥ 5 steps: every ball moved > 0.3
    after = page.evaluate(BALLS_JS)
    after_png = chart.screenshot()
    screenshot("landscape-after-play")

    moved = [abs(b[1] - a[1]) + abs(b[2] - a[2]) for a, b in zip(before, after, strict=True)]
    assert all(distance > 0.1 for distance in moved), (before, after)
    assert before_png != after_png
    assert_no_exception(page)


def test_diverging_learning_rate_is_explained(page: Page, app_url: str, screenshot):
    _open_landscape(page, app_url, "land_surface=Simple+bowl&land_lr=3.16")
    alerts = page.get_by_test_id("stAlert")
    expect(alerts.filter(has_text="flew off").first).to_be_visible(timeout=30_000)
    assert page.get_by_test_id("stPlotlyChart").count() == 3
    page.get_by_test_id("stPlotlyChart").nth(1).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot("landscape-divergence")
    assert_no_exception(page)
