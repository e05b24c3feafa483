"""The forward/backward page in headless Chromium: Next through every stage (a screenshot of each), a
teacher's deep link to one stage, the warm-up, updates and the gradient check."""

import re

import pytest
from playwright.sync_api import Page, expect

from lessons.stages import STAGE_KEYS, STAGES
from tests.e2e.conftest import assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e

TALL = {"width": 1400, "height": 1900}  # Streamlit scrolls inside the app: a full-page shot needs a tall window
WAIT_MS = 30_000  # the 2-core machine is shared; a rerun can take seconds under load


def open_page(page: Page, app_url: str, query: str = "") -> None:
    """Through the home page first: the navigation is built there, then the deep link is followed."""
    page.set_viewport_size(TALL)
    page.goto(app_url)
    wait_for_app_run(page)
    if query:
        page.goto(f"{app_url}/forward_backward?{query}")
    else:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Forward & backward pass").click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="Forward & backward pass")).to_be_visible(timeout=WAIT_MS)


def stage_chart(page: Page):
    """The stage's equation figure (drawn in place, see streamlit_glue.plotly_in_place)."""
    return page.locator(".st-key-fb_stage_chart")


def test_next_through_every_stage_with_screenshots(page: Page, app_url: str, screenshot):
    open_page(page, app_url)
    next_button = page.get_by_role("button", name="Next", exact=True)
    for position, stage in enumerate(STAGES):
        expect(page.get_by_role("heading", name=stage.title, exact=True)).to_be_visible(timeout=WAIT_MS)
        if position:
            assert f"fb_stage={stage.key}" in page.url
        chart = stage_chart(page)
        expect(chart.locator(".js-plotly-plot")).to_be_visible(timeout=20_000)
        # every matrix cell prints its number: at least one text node per drawn cell of the first panel
        expect(chart.locator("g.hm text, .textpoint, text").first).to_be_visible(timeout=WAIT_MS)
        assert chart.locator("text").count() >= 4
        assert_no_exception(page)
        screenshot(f"forward_backward_{position + 1:02d}_{stage.key.replace(' ', '_')}")
        if position + 1 < len(STAGES):
            next_button.click()
            wait_for_app_run(page)
    expect(next_button).to_be_disabled(timeout=WAIT_MS)
    page.get_by_role("button", name="Reset", exact=True).click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name=STAGES[0].title, exact=True)).to_be_visible(timeout=WAIT_MS)


def test_teacher_link_warm_up_updates_and_gradient_check(page: Page, app_url: str, screenshot):
    open_page(page, app_url, "fb_stage=dLoss_Z1&fb_m=6&fb_dh=0.001")
    stage = STAGES[STAGE_KEYS.index("dLoss_Z1")]
    expect(page.get_by_role("heading", name=stage.title, exact=True)).to_be_visible(timeout=WAIT_MS)
    progress = f"Stage {STAGE_KEYS.index('dLoss_Z1') + 1} of {len(STAGES)}"
    expect(page.get_by_text(progress)).to_be_visible(timeout=WAIT_MS)
    assert "fb_m=6" in page.url and "fb_stage=dLoss_Z1" in page.url
    assert_no_exception(page)
    screenshot("forward_backward_link_dLoss_Z1")

    page.get_by_text("Warm-up: what a derivative measures").click()
    wait_for_app_run(page)
    # at x = 3 with h = 0.001 the secant's slope is 6.001 (the tangent's is 6): read from the chart's legend
    expect(page.locator(".js-plotly-plot").get_by_text(re.compile(r"secant.*= 6\.001"))).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Apply 10 updates").click()
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile(r"Iteration 10, loss"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"^PASS"))).to_be_visible(timeout=WAIT_MS)
    assert_no_exception(page)
    screenshot("forward_backward_warmup_updates_check")


STAGE_NUMBERS_JS = """() => [...document.querySelectorAll('.st-key-fb_stage_chart text')].map(t => t.textContent)"""


def test_apply_this_update_at_the_update_stage_shows_the_next_forward_pass(page: Page, app_url: str, screenshot):
    """The button lives in the step-through fragment and moves the stage to Z1: the whole page must redraw with
    the new weights (caption, Z1's numbers, the loss history), not only the fragment."""
    open_page(page, app_url, "fb_stage=Z1&fb_updates=0.5*1")  # what the page must show after the click
    expect(page.get_by_text(re.compile(r"after 1 update\(s\)"))).to_be_visible(timeout=WAIT_MS)
    expect(stage_chart(page).locator(".js-plotly-plot")).to_be_visible(timeout=WAIT_MS)
    expected_z1 = page.evaluate(STAGE_NUMBERS_JS)

    open_page(page, app_url, "fb_stage=update")
    expect(page.get_by_text(re.compile(r"after 0 update\(s\)"))).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="Apply this update → next forward pass").click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name=STAGES[STAGE_KEYS.index("Z1")].title, exact=True)).to_be_visible(
        timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"after 1 update\(s\)"))).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text(re.compile(r"Iteration 1, loss"))).to_be_visible(timeout=WAIT_MS)
    history = page.locator(".st-key-fb_history_chart [role=figure]")
    expect(history).to_have_attribute("aria-label", re.compile(r"at iteration 1\.$"), timeout=WAIT_MS)
    # Z1's numbers are those of the weights after one update (the deep link above drew them)
    page.wait_for_function(f"expected => JSON.stringify(({STAGE_NUMBERS_JS})()) === JSON.stringify(expected)",
                           arg=expected_z1, timeout=WAIT_MS)
    assert_no_exception(page)
    screenshot("forward_backward_apply_this_update")
