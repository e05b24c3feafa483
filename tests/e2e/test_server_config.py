"""Server safety settings of .streamlit/config.toml, read the way Streamlit reads them, and seen in a browser:
an uncaught exception shows a friendly message, not a traceback with the server's paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT
from tests.e2e.conftest import running_app, wait_for_app_run

READ_CONFIG = """
import json
from streamlit import config
print(json.dumps({key: config.get_option(key) for key in
                  ("client.showErrorDetails", "server.maxUploadSize", "browser.gatherUsageStats",
                   "server.fileWatcherType")}))
"""
GENERIC_MESSAGE = "This app has encountered an error"


def test_project_config_hides_error_details_caps_uploads_and_watches_no_files():
    """No file watcher: it walks every imported module after each run (see config.toml). Streamlit reads
    $CWD/.streamlit/config.toml; STREAMLIT_* variables would override it, so none are passed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    output = subprocess.run([sys.executable, "-c", READ_CONFIG], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True, timeout=120).stdout
    options = json.loads(output.strip().splitlines()[-1])
    assert options == {"client.showErrorDetails": "none", "server.maxUploadSize": 5,
                       "browser.gatherUsageStats": False, "server.fileWatcherType": "none"}


@pytest.mark.e2e
def test_an_uncaught_exception_shows_no_server_paths(page: Page, chromium_path, tmp_path, screenshot):
    """A page that raises (as ?land_seed=inf once did: an OverflowError), served with the project's config."""
    script = tmp_path / "raises_on_purpose.py"
    script.write_text(
        "import streamlit as st\n"
        "st.title('Before the error')\n"
        "raise OverflowError(f'cannot convert float infinity to integer (raised in {__file__})')\n")
    with running_app(script) as url:
        page.goto(url)
        wait_for_app_run(page)
        exception = page.get_by_test_id("stException")
        expect(exception).to_be_visible(timeout=30_000)
        expect(exception).to_contain_text(GENERIC_MESSAGE)
        shown = page.get_by_test_id("stApp").inner_text()
        screenshot("error-details-hidden")
    for secret in (str(script), str(tmp_path), str(ROOT), "Traceback", 'File "', "OverflowError", "infinity"):
        assert secret not in shown, f"the browser shows {secret!r}:\n{shown}"
