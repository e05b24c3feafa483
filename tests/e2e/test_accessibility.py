"""axe-core on every page at a laptop and a phone size, and after each lesson's main interaction:
0 serious or critical violations.

axe-core is the copy bundled in the axe-playwright-python package, injected with page.evaluate; every request
that leaves the app's server is aborted and recorded, and a test fails if there was one. One app server and
one browser tab per viewport serve the whole module.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    act_and_wait_for_rerun,
    assert_no_exception,
    guard_external_requests,
    page_paths,
    wait_for_app_run,
    wait_for_charts,
)

pytestmark = pytest.mark.e2e

VIEWPORTS = {"1366x768": DESKTOP, "390x844": PHONE}
BLOCKING = ("serious", "critical")
AXE = Axe()
WAIT_MS = 60_000  # the 2-core machine is shared; a rerun can take seconds under load


def serious_violations(page: Page) -> list[dict]:
    results = AXE.run(page)
    return [violation for violation in results.response["violations"] if violation["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Rule id, impact, what it means, and every failing element's selector with its HTML."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            selector = " >> ".join(str(part) for part in node["target"])
            lines.append(f"    {selector}\n        {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("        " + node["failureSummary"].replace("\n", " ")[:300])
    return "\n".join(lines)


@pytest.fixture(scope="module")
def tabs(browser, app_url):
    """One tab per viewport for the whole module, each with its record of requests that left the app."""
    contexts, opened = [], {}
    for name, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport)
        outside = guard_external_requests(context, app_url)
        contexts.append(context)
        opened[name] = (context.new_page(), outside)
    yield opened
    for context in contexts:
        context.close()


def audit(page: Page, outside: list[str], where: str) -> None:
    wait_for_app_run(page, timeout=WAIT_MS)
    wait_for_charts(page, timeout=WAIT_MS)
    assert_no_exception(page)
    violations = serious_violations(page)
    assert not violations, f"axe-core, {where}: {len(violations)} serious/critical rule(s)\n{describe(violations)}"
    assert not outside, f"requests left the app's server ({where}): {outside}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", page_paths())
def test_page_has_no_serious_violations(tabs, app_url: str, name: str, viewport: str):
    page, outside = tabs[viewport]
    page.goto(f"{app_url}/{page_paths()[name]}")
    audit(page, outside, f"{name} page at {viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_backward_stage_has_no_serious_violations(tabs, app_url: str, viewport: str):
    page, outside = tabs[viewport]
    page.goto(f"{app_url}/forward_backward?fb_stage=dLoss_Z1")
    wait_for_app_run(page, timeout=WAIT_MS)
    expect(page.get_by_test_id("stMain").get_by_text(re.compile("dLoss_Z1")).first).to_be_visible(timeout=WAIT_MS)
    assert "fb_stage=dLoss_Z1" in page.url
    audit(page, outside, f"forward_backward at the dLoss_Z1 stage, {viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_finished_training_has_no_serious_violations(tabs, app_url: str, viewport: str):
    page, outside = tabs[viewport]
    page.goto(f"{app_url}/train_cancer")
    wait_for_app_run(page, timeout=WAIT_MS)
    train = page.get_by_test_id("stMain").get_by_role("button", name="Train", exact=True)
    act_and_wait_for_rerun(page, train.click, timeout=WAIT_MS)
    audit(page, outside, f"train_cancer after a training run, {viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_played_landscape_has_no_serious_violations(tabs, app_url: str, viewport: str):
    page, outside = tabs[viewport]
    page.goto(f"{app_url}/landscape")
    wait_for_app_run(page, timeout=WAIT_MS)
    wait_for_charts(page, timeout=WAIT_MS)
    chart = page.locator(".st-key-land_surface_chart")  # the 3D view, drawn in place
    # Plotly fires plotly_animated once the whole sequence of frames has been shown
    chart.locator(".js-plotly-plot").evaluate(
        "gd => { window.__played = false; gd.on('plotly_animated', () => { window.__played = true; }); }")
    chart.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function("() => window.__played === true", timeout=120_000)
    audit(page, outside, f"landscape after ▶ Play ran to the end, {viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_revealed_lesson_step_has_no_serious_violations(tabs, app_url: str, viewport: str):
    """The guided lesson after an answer: the verdict, the explanation, the matrices, then the network diagram picked
    above them (step 9 asks with toggle pills, which no other page uses); on the laptop also as a slide (presenter
    view)."""
    page, outside = tabs[viewport]
    page.goto(f"{app_url}/lesson?lesson_step=9")
    wait_for_app_run(page, timeout=WAIT_MS)
    audit(page, outside, f"lesson step 9 before the answer, {viewport}")
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="h1").click()  # a pill
    act_and_wait_for_rerun(page, main.get_by_role("button", name="Commit my answer").click, timeout=WAIT_MS)
    expect(main.get_by_text(re.compile("^You said: h1"))).to_be_visible(timeout=WAIT_MS)
    audit(page, outside, f"lesson step 9 revealed, {viewport}")
    act_and_wait_for_rerun(page, main.get_by_text("The network", exact=True).click, timeout=WAIT_MS)
    expect(main.get_by_text("a silent hidden unit passes no gradient back", exact=False)).to_be_visible()
    audit(page, outside, f"lesson step 9 revealed, its network diagram, {viewport}")
    if viewport == "1366x768":
        page.goto(f"{app_url}/lesson?lesson_step=9&present=true")
        audit(page, outside, "lesson step 9 as a slide (presenter view), 1366x768")
