"""Issue 19's layout flaws on a projector (1280×720 at 150 %: 853×480 CSS px at scale 1.5), a phone (390×844) and
a laptop (1366×768): no chart text is cut at its chart's edge (the diagram's input names, axis titles), Plotly's
toolbar never sits on a chart title, the optimizer chips are whole, and the 3D view's ▶ Play shows without
scrolling on a laptop. A screenshot of each page at each size goes to .artifacts/screenshots/layout-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, assert_no_exception, wait_for_app_run, wait_for_charts

pytestmark = pytest.mark.e2e

VIEWPORTS = {
    "projector": {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5},
    "phone": {"viewport": PHONE},
    "laptop": {"viewport": DESKTOP},
}
PAGES = {
    "forward_backward": "forward_backward?fb_stage=dLoss_W1&fb_cell=dLoss_W1%5Bh2%2Cf1%5D",
    "landscape_real": "landscape?land_surface=real&land_resolution=21",
    "train_cancer": "train_cancer",
}

# Text of every drawn Plotly chart that reaches past its chart's left or right edge (cut when drawn).
CUT_JS = """() => {
  const cut = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot, .plotly-in-place.js-plotly-plot')
    .forEach(gd => {
      if (gd.offsetParent === null) return;
      const box = gd.querySelector('svg.main-svg').getBoundingClientRect();
      gd.querySelectorAll('svg text').forEach(t => {
        const r = t.getBoundingClientRect();
        if (!t.textContent.trim() || r.width === 0) return;
        if (r.left < box.left - 1 || r.right > box.right + 1)
          cut.push(`${(gd.querySelector('.gtitle')?.textContent || '').slice(0, 30)}:` +
                   ` "${t.textContent.trim().slice(0, 30)}" (${Math.round(r.left - box.left)} … ` +
                   `${Math.round(r.right - box.left)} of ${Math.round(box.width)} px)`);
      });
    });
  return cut;
}"""

# A visible Plotly toolbar that overlaps its chart's title.
TOOLBAR_ON_TITLE_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
  const bar = gd.querySelector('.modebar'), title = gd.querySelector('.gtitle');
  if (!bar || !title || getComputedStyle(bar).display === 'none' || !title.textContent.trim()) return [];
  const a = bar.getBoundingClientRect(), b = title.getBoundingClientRect();
  const overlap = Math.min(a.right, b.right) > Math.max(a.left, b.left)
    && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
  return overlap && a.width > 0 ? [title.textContent.trim()] : [];
})"""

# Each chip of the optimizer multiselect: its text whole and the chip inside the box.
CHIPS_JS = """() => {
  const box = document.querySelector('.st-key-land_optimizers');
  if (!box) return ['no optimizer box'];
  const edge = box.getBoundingClientRect().right;
  return [...box.querySelectorAll('[data-baseweb="tag"]')].flatMap(tag => {
    const text = tag.querySelector('span') || tag;
    return text.scrollWidth > text.clientWidth + 1 || tag.getBoundingClientRect().right > edge
      ? [tag.textContent.trim()] : [];
  });
}"""


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_no_cut_chart_text_no_toolbar_on_titles(browser: Browser, app_url: str, size: str):
    context = browser.new_context(**VIEWPORTS[size])
    page = context.new_page()
    try:
        page.goto(app_url)
        wait_for_app_run(page)
        problems = []
        for name, path in PAGES.items():
            page.goto(f"{app_url}/{path}")
            wait_for_app_run(page)
            wait_for_charts(page)
            assert_no_exception(page)
            if name == "landscape_real" and size == "laptop":
                play = page.locator(".updatemenu-button").filter(has_text="Play").first
                box = play.bounding_box()
                assert box is not None and box["y"] + box["height"] <= DESKTOP["height"], f"▶ Play at {box}"
            if name == "landscape_real":
                problems += [f"{name}: chip cut: {chip}" for chip in page.evaluate(CHIPS_JS)]
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            for chart in page.locator(".plotly-in-place.js-plotly-plot, [data-testid=stPlotlyChart]").all():
                chart.scroll_into_view_if_needed()  # charts below the fold draw when they come into view
            wait_for_charts(page)
            problems += [f"{name}: cut: {text}" for text in page.evaluate(CUT_JS)]
            if size == "phone":
                problems += [f"{name}: toolbar on the title {t!r}" for t in page.evaluate(TOOLBAR_ON_TITLE_JS)]
            page.locator("[data-testid=stMain]").evaluate("el => el.scrollTo(0, 0)")
            page.screenshot(path=str(SCREENSHOT_DIR / f"layout-{size}-{name}.png"))
        assert not problems, "\n".join(problems)
    finally:
        context.close()
