"""User text in a real browser: markdown_literal and plotly_literal show it as typed, with nothing fetched."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_exception, running_app, wait_for_app_run
from tests.e2e.literal_text_app import HOSTILE

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def literal_app_url(chromium_path) -> Iterator[str]:
    with running_app("tests/e2e/literal_text_app.py") as url:
        yield url


def test_hostile_text_is_shown_as_typed(page: Page, literal_app_url: str, screenshot):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(literal_app_url)
    wait_for_app_run(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=60_000)
    assert_no_exception(page)
    blocks = page.locator("[data-testid='stMarkdownContainer'], [data-testid='stCaptionContainer']")
    shown = [blocks.nth(i).inner_text().replace("\u200b", "").strip() for i in range(blocks.count())]
    for text in HOSTILE:
        typed = text.replace("\n", " ")
        assert f"Column ⚠️ {typed} ends" in shown, (typed, shown)  # the page's own markup still works
        assert shown.count(typed) >= 2, (typed, shown)  # st.info and st.caption
    main = page.get_by_test_id("stMain")
    for tag in ("img", "a", "em", "code", "h1", "li", ".katex", "span.stMarkdownColoredText"):
        assert main.locator(f"[data-testid='stMarkdownContainer'] {tag}").count() == 0, tag
    assert main.locator("[data-testid='stMarkdownContainer'] strong").count() == len(HOSTILE)  # only "Column"
    ticks = [tick.text_content() for tick in page.locator("g.xtick text, g.ytick text").all()]
    # the confusion matrix writes its labels on two lines ("predicted<br>B"): one text element, two tspans
    assert sorted(ticks) == sorted(["predicted<b>B</b>", "predicteda&amp;<i>M</i>", "true<b>B</b>",
                                    "truea&amp;<i>M</i>"]), ticks
    assert not [url for url in requested if re.search(r"127\.0\.0\.1:9/|example\.(com|org)", url)]
    screenshot("literal_text")
