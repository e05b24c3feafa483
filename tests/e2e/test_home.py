"""The home page in a real browser: it renders, links every lesson, and the navigation works."""

import pytest
from playwright.sync_api import Page, expect

from site_map import available_lessons
from tests.e2e.conftest import assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e


def test_home_page_renders_and_links_every_lesson(page: Page, app_url: str, screenshot):
    page.goto(app_url)
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="Backprop Lab").first).to_be_visible()
    main = page.get_by_test_id("stMain")
    for lesson in available_lessons():
        expect(main.get_by_role("link", name=lesson.title)).to_be_visible()
    assert_no_exception(page)
    screenshot("home")


def test_sidebar_navigation_reaches_every_lesson(page: Page, app_url: str, screenshot):
    page.goto(app_url)
    wait_for_app_run(page)
    nav = page.get_by_test_id("stSidebarNav")
    for lesson in available_lessons():
        nav.get_by_role("link", name=lesson.title).click()
        wait_for_app_run(page)
        assert_no_exception(page)
        expect(page.get_by_test_id("stMain")).to_be_visible()
    nav.get_by_role("link", name="Home").click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="Backprop Lab").first).to_be_visible()


def test_a_shared_link_as_first_visit_gets_the_real_navigation(page: Page, fresh_app_url: str, screenshot):
    """Regression: with the pages in a folder named ``pages/``, the first visit to a fresh server through a
    deep link fell back to Streamlit's legacy auto-discovered page list (file names, no wide layout)."""
    lessons = available_lessons()
    lesson = lessons[-1]
    url_path = lesson.path.rsplit("/", 1)[-1].removesuffix(".py")
    page.goto(f"{fresh_app_url}/{url_path}")
    wait_for_app_run(page)
    nav = page.get_by_test_id("stSidebarNav")
    for other in lessons:
        expect(nav.get_by_role("link", name=other.title)).to_be_visible()
    expect(nav.get_by_role("link", name="app")).to_have_count(0)
    assert_no_exception(page)
    screenshot("deep-link-first-visit")
