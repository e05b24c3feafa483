"""A server's limits as a browser meets them: the class-is-full message when a server's places are taken (and the
way in once a tab closes), and the model download made on the click (its address is the session's)."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from playwright.sync_api import Browser, expect

from bench.servers import streamlit_server
from lessons.server_capacity import MAX_SESSIONS
from tests.conftest import ROOT
from tests.e2e.conftest import PHONE, SCREENSHOT_DIR, wait_for_app_run


@pytest.mark.e2e
def test_a_tab_beyond_the_servers_places_is_told_the_class_is_full_and_gets_in_once_one_closes(browser: Browser,
                                                                                                chromium_path):
    env = {**os.environ, MAX_SESSIONS.variable: "2"}
    with streamlit_server(ROOT / "app.py", env=env) as server:
        tabs = []
        for _ in range(3):
            context = browser.new_context(viewport=PHONE)
            page = context.new_page()
            page.goto(server.url)
            wait_for_app_run(page)
            tabs.append((context, page))
        for _, page in tabs[:2]:
            expect(page.get_by_role("heading", name="Backprop Lab").first).to_be_visible()
        third = tabs[2][1]
        expect(third.get_by_text("The class is full — try again in a minute.")).to_be_visible()
        expect(third.get_by_role("heading", name="Backprop Lab")).to_have_count(0)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        third.screenshot(path=str(SCREENSHOT_DIR / "class-is-full-phone.png"))
        tabs[0][0].close()  # a student closes their tab
        third.wait_for_timeout(1500)
        third.get_by_role("button", name="Try again").click()
        expect(third.get_by_role("heading", name="Backprop Lab").first).to_be_visible(timeout=60_000)
        for context, _ in tabs[1:]:
            context.close()


@pytest.mark.e2e
def test_the_model_download_is_made_on_the_click(page, app_url):
    page.goto(f"{app_url}/train_cancer")
    wait_for_app_run(page)
    button = page.get_by_role("button", name="Model (.npz)")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    data = download.value.path().read_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as model:
        assert {"W1", "b1", "W2", "b2"} <= set(model.files)
    assert download.value.suggested_filename == "backprop_lab_model.npz"
