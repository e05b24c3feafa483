"""AppTest smoke tests: the entry point runs, and every page it navigates to runs without exception."""

import pytest

from site_map import HOME, available_lessons


def test_home_runs_and_links_every_lesson(app_test):
    at = app_test()
    assert not at.exception
    assert at.title[0].value == "Backprop Lab"
    links = [element.proto.page for element in at.get("page_link")]
    assert len(links) == len(available_lessons())


@pytest.mark.parametrize("page", [HOME.path] + [lesson.path for lesson in available_lessons()])
def test_every_page_runs_without_exception(app_test, page):
    at = app_test(page)
    assert not at.exception, at.exception
