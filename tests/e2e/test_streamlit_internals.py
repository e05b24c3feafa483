"""The browser side of streamlit_glue/streamlit_internals.py's CSS selectors: the elements our CSS styles are where
the selectors say, in the page Streamlit draws (the unit side, tests/test_streamlit_internals.py, reads the bundle)."""

import pytest
from playwright.sync_api import Page

from streamlit_glue.plotly_in_place import ZOOMABLE_CHART
from streamlit_glue.streamlit_internals import by_test_id, keyed, keyed_content
from tests.e2e.conftest import wait_for_app_run, wait_for_charts
from tests.test_streamlit_internals import changed

pytestmark = pytest.mark.e2e

# what our CSS styles (presenter view, layout): each must find its element on the forward & backward page
STYLED_TEST_IDS = ("stApp", "stMain", "stMainBlockContainer", "stMarkdownContainer", "stSidebar")


def test_the_selectors_of_our_css_find_streamlits_elements(page: Page, app_url: str):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/forward_backward")
    wait_for_app_run(page)
    wait_for_charts(page)
    for test_id in STYLED_TEST_IDS:
        assert page.locator(by_test_id(test_id)).count() >= 1, changed(f'data-testid="{test_id}"', "our CSS")
    box = page.locator(keyed("scroll_fb_stage_chart"))
    assert box.count() == 1, changed("the class st-key-<key> on st.container(key=…)", "our CSS")
    content = page.locator(keyed_content("scroll_fb_stage_chart"))
    assert content.count() == 1 and content.locator(".plotly-in-place").count() == 1, changed(
        "st.container(key=…)'s elements one div below its keyed element (.st-key-<key> > div)",
        "a wide chart keeping its width in its own scrolling box")
    assert content.evaluate("el => el.getBoundingClientRect().width") >= box.evaluate(
        "el => el.getBoundingClientRect().width") - 1, "the content box does not fill its keyed container"
    # a chart says whether it takes clicks (the presenter view zooms only ZOOMABLE_CHART): the stage chart does, the
    # page's other charts (the loss history, the diagram's neighbours) are a mix, so both kinds are found
    assert content.locator(".plotly-in-place[data-clickable]").count() == 1
    assert content.locator(ZOOMABLE_CHART).count() == 0
    assert page.locator(ZOOMABLE_CHART).count() >= 1
