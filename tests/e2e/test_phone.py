"""Every page on a phone (390×844): the page never scrolls sideways (a wide matrix may scroll inside its own
box), no text in a chart overlaps other text, every button can be seen and pressed, no exception, and a
screenshot of the whole page to look at (.artifacts/screenshots/phone-<page>.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import PHONE, assert_no_exception, page_paths, wait_for_app_run, wait_for_charts

pytestmark = pytest.mark.e2e
WAIT_MS = 60_000

# The page itself: the document and Streamlit's main column (the element that scrolls the app).
SIDEWAYS_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return {document: [document.documentElement.scrollWidth, window.innerWidth],
          main: [main.scrollWidth, main.clientWidth]};
}"""

# Every button a user can see in the app's header and main column: HTML buttons, role=button elements and
# Plotly's own buttons (the animation's ▶ Play / ‖ Pause / speed buttons are SVG groups). Each one is
# scrolled to the middle of the window, then it must lie inside the window and be the element found at its
# own centre (nothing drawn over it). Skipped: elements not rendered (in a closed expander, a hidden tab)
# and the hover-only toolbars (Plotly's mode bar, a dataframe's stElementToolbar), which a tap brings up.
BUTTONS_JS = """() => {
  const scope = '[data-testid="stHeader"], [data-testid="stMain"]';
  const candidates = [...document.querySelectorAll(
    `:is(${scope}) :is(button, [role="button"], .updatemenu-button)`)]
    .filter(el => !el.closest('.modebar, [data-testid="stElementToolbar"]'))
    .filter(el => !el.closest('details:not([open])') || el.closest('summary'))
    .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
  const label = el => (el.getAttribute('aria-label') || el.textContent || el.getAttribute('data-testid') || el.tagName)
    .trim().replace(/\\s+/g, ' ').slice(0, 60);
  const problems = [];
  for (const el of candidates) {
    el.scrollIntoView({block: 'center', inline: 'center'});
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) { problems.push(`${label(el)}: drawn with no size`); continue; }
    if (r.left < -1 || r.right > innerWidth + 1 || r.top < -1 || r.bottom > innerHeight + 1) {
      problems.push(`${label(el)}: outside the window after scrolling to it (${Math.round(r.left)},` +
                    `${Math.round(r.top)} – ${Math.round(r.right)},${Math.round(r.bottom)})`);
      continue;
    }
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !(hit === el || el.contains(hit))) {
      const cover = hit ? (hit.closest('[data-testid]')?.getAttribute('data-testid') || hit.tagName) + ' ' +
                          label(hit.closest('.updatemenu-button, button') || hit) : 'nothing';
      problems.push(`${label(el)}: covered at its centre by ${cover}`);
    }
  }
  document.querySelector('[data-testid="stMain"]').scrollTo(0, 0);
  return {checked: candidates.map(label), problems};
}"""

# Text inside every drawn Plotly chart (titles, cell numbers, ticks, legends, buttons): no two pieces may
# overlap by more than 15 % of the smaller one (at 1366×768 every page has none).
OVERLAP_JS = """() => {
  const found = [];
  const charts = '[data-testid="stPlotlyChart"] .js-plotly-plot, .plotly-in-place.js-plotly-plot';
  document.querySelectorAll(charts).forEach((gd, index) => {
    if (gd.offsetParent === null) return;
    const name = `chart ${index + 1} (${(gd.querySelector('.gtitle')?.textContent || 'untitled').slice(0, 40)})`;
    const texts = [...gd.querySelectorAll('svg text')]
      .filter(t => t.textContent.trim() && t.getClientRects().length)
      .map(t => ({text: t.textContent.trim().slice(0, 30), r: t.getBoundingClientRect()}))
      .filter(t => t.r.width > 0 && t.r.height > 0);
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].r, b = texts[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > 2 && w * h > 0.15 * Math.min(a.width * a.height, b.width * b.height))
        found.push(`${name}: "${texts[i].text}" overlaps "${texts[j].text}"`);
    }
  });
  return found;
}"""

XFAIL: dict = {}  # page name -> a strict xfail marker with the reason, while a known phone problem is open


@pytest.mark.parametrize("name", [pytest.param(name, marks=XFAIL.get(name, ())) for name in page_paths()])
def test_page_works_on_a_phone(page: Page, app_url: str, screenshot, name: str):
    page.set_viewport_size(PHONE)
    page.goto(f"{app_url}/{page_paths()[name]}")
    wait_for_app_run(page, timeout=WAIT_MS)
    wait_for_charts(page, timeout=WAIT_MS)
    assert_no_exception(page)
    screenshot(f"phone-{name}", whole_app=True)
    wait_for_charts(page, timeout=WAIT_MS)  # back at 390×844 after the tall shot

    widths = page.evaluate(SIDEWAYS_JS)
    for part, (scroll_width, window_width) in widths.items():
        assert scroll_width <= window_width + 1, (
            f"{name}: the {part} scrolls sideways on a phone ({scroll_width} px of content in {window_width} px)")

    overlaps = page.evaluate(OVERLAP_JS)
    assert not overlaps, f"{name}: overlapping text in charts on a phone ({len(overlaps)} pairs):\n" + "\n".join(
        overlaps[:20])

    buttons = page.evaluate(BUTTONS_JS)
    assert buttons["checked"], f"{name}: no button found (at least the sidebar's own button should be there)"
    assert not buttons["problems"], f"{name}: buttons a phone user cannot press:\n" + "\n".join(buttons["problems"])
    assert_no_exception(page)
