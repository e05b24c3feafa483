"""Issue 20 in headless Chromium: a click on the ReLU node of the computation graph shows its local rule with
the numbers (which units pass, which are blocked)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e
WAIT_MS = 30_000
GRAPH = ".st-key-fb_graph .js-plotly-plot"


def test_a_click_on_an_op_shows_its_local_rule(page: Page, app_url: str, screenshot):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{app_url}/forward_backward?fb_stage=dLoss_Z1")
    wait_for_app_run(page)
    graph = page.locator(GRAPH)
    expect(graph).to_be_visible(timeout=WAIT_MS)
    graph.scroll_into_view_if_needed()
    x, y = graph.evaluate("""el => {
        const t = el._fullData[0], k = t.customdata.findIndex(row => row[0] === 'ReLU');
        const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis, box = el.getBoundingClientRect();
        return [box.left + xa._offset + xa.d2p(t.x[k]), box.top + ya._offset + ya.d2p(t.y[k])];
    }""")
    page.mouse.click(x, y)
    wait_for_app_run(page)
    expect(page.get_by_text("a switch: routes the gradient or blocks it")).to_be_visible(timeout=WAIT_MS)
    rule = page.locator(".stCode").filter(has_text="incoming from W2·A1").inner_text()
    assert re.search(r"h1: Z1 = \S+ (> 0 → passes|≤ 0 → blocked)", rule)
    assert page.locator(GRAPH).evaluate(  # the graph frames the node whose rule is shown
        "el => el.layout.shapes.some(s => s.line && s.line.dash === 'dot')")
    assert_no_exception(page)
    screenshot("computation_graph_relu_rule")
