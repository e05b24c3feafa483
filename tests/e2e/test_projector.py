"""Issue 28 on a projector (1280×720 at 150 %: 853×480 CSS px at scale 1.5), a laptop (1366×768) and a phone
(390×844): every ball of the real network's landscape visibly moves at the page's defaults. A screenshot of each
view at each size goes to .artifacts/screenshots/projector-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import SCREENSHOT_DIR, assert_no_exception, wait_for_app_run, wait_for_charts
from tests.e2e.test_flaws_layout import VIEWPORTS

pytestmark = pytest.mark.e2e

# Each path of the real network's top view: the larger side of its bounding box as a share of the map's side
# (read from the figure Plotly drew in the page), and whether the map is square.
PATH_SPANS_JS = """() => {
  const gd = document.querySelector('.st-key-land_contour_chart .js-plotly-plot');
  const [x0, x1] = gd.layout.xaxis.range, [y0, y1] = gd.layout.yaxis.range;
  const ptp = values => Math.max(...values) - Math.min(...values);
  return {square: Math.abs((x1 - x0) - (y1 - y0)) < 1e-6 * (x1 - x0),
          spans: Object.fromEntries(gd._fullData.filter(t => t.mode === 'lines+markers')
            .map(t => [t.name, Math.max(ptp(Array.from(t.x)), ptp(Array.from(t.y))) / (x1 - x0)]))};
}"""


def _open(browser: Browser, app_url: str, size: str, path: str):
    context = browser.new_context(**VIEWPORTS[size])
    page = context.new_page()
    page.goto(f"{app_url}/{path}")
    wait_for_app_run(page)
    wait_for_charts(page)
    assert_no_exception(page)
    return context, page


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"projector-{name}.png"))


@pytest.mark.parametrize("size", ["projector"])
def test_every_ball_of_the_real_landscape_spans_five_percent_of_the_map(browser: Browser, app_url: str, size: str):
    context, page = _open(browser, app_url, size, "landscape?land_surface=real")
    try:
        chart = page.locator(".st-key-land_contour_chart")
        chart.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector('.st-key-land_contour_chart .js-plotly-plot')"
                               "?._fullData?.length > 3", timeout=60_000)
        drawn = page.evaluate(PATH_SPANS_JS)
        assert drawn["square"] and len(drawn["spans"]) == 3, drawn
        assert min(drawn["spans"].values()) >= 0.05, drawn["spans"]
        _shot(page, f"{size}-landscape-real-top-view")
        page.locator(".st-key-land_surface_chart").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        _shot(page, f"{size}-landscape-real-3d")
    finally:
        context.close()
