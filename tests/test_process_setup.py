"""Once per server process the app's long-lived objects are frozen out of the post-run garbage collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from streamlit_glue.process_setup import APP_PACKAGES, import_app_modules
from tests.conftest import ROOT

# In a fresh interpreter, so the test process itself is not frozen.
PROBE = """
import gc, json, sys
if sys.argv[1:] == ["on"]:  # Streamlit's post-run collection on, as it is by default (the project's config: off)
    from streamlit import config
    config.get_option("runner.postScriptGC")
    config.set_option("runner.postScriptGC", True)
from streamlit_glue.process_setup import freeze_startup_objects
before = len(gc.get_objects())
freeze_startup_objects()
frozen = gc.get_freeze_count()
freeze_startup_objects()
print(json.dumps({"before": before, "frozen": frozen, "again": gc.get_freeze_count(),
                  "tracked_after": len(gc.get_objects())}))
"""


def test_every_module_of_the_app_packages_is_imported():
    names = import_app_modules()
    expected = {f"{package}.{path.stem}" for package in APP_PACKAGES for path in (ROOT / package).glob("*.py")
                if path.stem != "__init__"}
    assert set(names) == expected
    assert all(name in sys.modules for name in names)


def test_the_first_call_freezes_the_imported_objects_and_later_calls_freeze_nothing_more():
    output = subprocess.run([sys.executable, "-c", PROBE, "on"], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=300).stdout
    counts = json.loads(output.strip().splitlines()[-1])
    assert counts["frozen"] > 100_000  # NumPy, SciPy, scikit-learn, pandas, Plotly and the app's own modules
    assert counts["again"] == counts["frozen"]  # a second run adds nothing to the frozen generation
    assert counts["tracked_after"] < counts["frozen"] / 20  # what a post-run collection still walks


def test_the_janitor_collects_when_sessions_went_and_not_otherwise(monkeypatch):
    """A round shuts down expired sessions and deletes orphaned files every time; it runs the cycle collector only
    when sessions were shut down or tabs closed (a full collection on every round of a busy server is waste)."""
    from streamlit_glue import process_setup

    calls: list[str] = []
    closed, open_now = [0], [5]
    monkeypatch.setattr(process_setup, "close_expired_sessions", lambda: calls.append("close") or closed[0])
    monkeypatch.setattr(process_setup, "forget_orphaned_files", lambda: calls.append("files"))
    monkeypatch.setattr(process_setup, "open_session_ids", lambda: set(range(open_now[0])))
    monkeypatch.setattr(process_setup.gc, "collect", lambda: calls.append("collect"))
    assert process_setup.janitor_round(5) == 5 and calls == ["close", "files"]
    calls.clear()
    open_now[0] = 3  # two tabs closed
    assert process_setup.janitor_round(5) == 3 and calls == ["close", "files", "collect"]
    calls.clear()
    closed[0], open_now[0] = 2, 4  # two expired sessions shut down while a tab opened
    assert process_setup.janitor_round(3) == 4 and calls == ["close", "files", "collect"]


def test_with_the_projects_config_nothing_is_frozen():
    """.streamlit/config.toml turns the post-run collection off (cheaper, measured): then there is nothing to freeze,
    and the first session's objects are never frozen with the libraries'."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    output = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True, timeout=300).stdout
    counts = json.loads(output.strip().splitlines()[-1])
    assert counts["frozen"] == 0 and counts["again"] == 0
