"""Issue 28 on a projector (1280×720 at 150 %: 853×480 CSS px at scale 1.5, presenter view), a laptop (1366×768) and
a phone (390×844): the forward & backward page's buttons show their whole labels, its matrices, diagram and graph
write no text under 12 CSS px, "Apply this update" sits right under the update's matrices, the computation graph is
laid out for the column (no box that scrolls sideways, the loss node on screen); every ball of the real network's
landscape visibly moves at the page's defaults. Screenshots go to .artifacts/screenshots/projector-*.png."""

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


# Buttons of the main column whose label is cut ("Pre…"): an element inside that is wider than it shows.
CUT_BUTTONS_JS = """() => [...document.querySelectorAll('[data-testid=stMain] button')]
  .filter(button => button.offsetParent !== null && button.textContent.trim())
  .filter(button => [...button.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
  .map(button => button.textContent.trim())"""
# The smallest text a chart writes, in CSS px as shown (its font size times the scale it is drawn at).
SMALLEST_TEXT_JS = """selector => {
  const gd = document.querySelector(selector);
  const svg = gd.querySelector('svg.main-svg');
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  const sizes = [...gd.querySelectorAll('svg text')].filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => [parseFloat(getComputedStyle(t).fontSize) * scale, t.textContent.trim().slice(0, 20)]);
  return sizes.reduce((a, b) => (b[0] < a[0] ? b : a), [Infinity, ''])
}"""
# The computation graph: its drawn width, the column's, whether anything around it scrolls sideways, and the loss
# node's right edge on the screen.
GRAPH_FIT_JS = """() => {
  const gd = document.querySelector('.st-key-fb_graph .js-plotly-plot');
  const column = document.querySelector('.st-key-fb_graph');
  const scrolls = [];
  for (let e = gd; e && e !== document.body; e = e.parentElement)
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') scrolls.push(e.className);
  const data = gd._fullData[0], k = data.customdata.findIndex(row => row[0] === 'loss');
  const xa = gd._fullLayout.xaxis, box = gd.getBoundingClientRect();
  return {drawn: gd._fullLayout.width, column: column.clientWidth, scrolls,
          loss_right: box.left + xa._offset + xa.d2p(data.x[k]) + 40, window: window.innerWidth};
}"""


def _wait_for_chart(page, key: str) -> None:
    page.wait_for_function(f"() => document.querySelector('.st-key-{key} .js-plotly-plot')?._fullLayout",
                           timeout=60_000)


FORWARD_BACKWARD_SIZES = {"projector": "present=true&", "laptop": "", "phone": ""}


@pytest.mark.parametrize("size", list(FORWARD_BACKWARD_SIZES))
def test_forward_backward_fits_a_projector_a_laptop_and_a_phone(browser: Browser, app_url: str, size: str):
    query = FORWARD_BACKWARD_SIZES[size] + "fb_stage=update&fb_cell=dLoss_W1%5Bh2%2Cf1%5D"
    context, page = _open(browser, app_url, size, f"forward_backward?{query}")
    try:
        problems = []
        for key in ("fb_stage_chart", "fb_diagram", "fb_graph"):
            _wait_for_chart(page, key)
        cut = page.evaluate(CUT_BUTTONS_JS)
        if cut:
            problems.append(f"cut button labels: {cut}")
        for key in ("fb_stage_chart", "fb_diagram", "fb_graph"):
            size_px, text = page.evaluate(SMALLEST_TEXT_JS, f".st-key-{key} .js-plotly-plot")
            if size_px < 12 - 0.05:
                problems.append(f"{key}: {text!r} at {size_px:.1f} CSS px")
        # "Apply this update" right under the update's matrices (it was below the diagram, the chain and the graph)
        chart = page.locator(".st-key-fb_stage_chart .js-plotly-plot").bounding_box()
        apply = page.get_by_role("button", name="Apply this update → next forward pass").bounding_box()
        if not 0 <= apply["y"] - (chart["y"] + chart["height"]) <= 160:
            problems.append(f"Apply at {apply['y']:.0f}, the matrices end at {chart['y'] + chart['height']:.0f}")
        page.locator(".st-key-fb_graph").scroll_into_view_if_needed()
        graph = page.evaluate(GRAPH_FIT_JS)
        if graph["drawn"] > graph["column"] or graph["scrolls"] or graph["loss_right"] > graph["window"]:
            problems.append(f"the graph does not fit: {graph}")
        _shot(page, f"{size}-forward-backward-graph")
        page.get_by_role("button", name="Apply this update → next forward pass").scroll_into_view_if_needed()
        _shot(page, f"{size}-forward-backward-apply")
        page.get_by_role("heading", name="Step through").scroll_into_view_if_needed()
        _shot(page, f"{size}-forward-backward-nav")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


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


@pytest.mark.parametrize("size", list(FORWARD_BACKWARD_SIZES))
def test_every_ball_of_the_real_landscape_spans_five_percent_of_the_map(browser: Browser, app_url: str, size: str):
    context, page = _open(browser, app_url, size, f"landscape?{FORWARD_BACKWARD_SIZES[size]}land_surface=real")
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
