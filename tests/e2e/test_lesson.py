"""The guided lesson in a real browser, the way a lecture runs it: the presenter view on a 1280×720 projector at
150 % (853×480 CSS px at scale 1.5), every step from 1 to the end by Next, an answer committed at each (one wrong,
one right), the reveal only after the commit; a deep link; Start over; a clicker's keys; a phone.

Every step is a slide, before the answer and after it, at 853×480, 1280×720 and 1920×1080 (the same tab resized):
the main column does not scroll (its scrollHeight fits its clientHeight), no box scrolls sideways, text is 16 CSS
px or more and chart text 12 or more (font size × the zoom the chart is drawn at), a clickable chart is never
zoomed, no chart text overlaps other text, no text is cut (a chart's text inside its chart, a matrix inside its
box, no label shortened to "…"). Screenshots of every step at the projector size, before and after the answer:
.artifacts/screenshots/lesson-projector-step<k>-question.png and -answer.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lessons.guided_lesson import CHOICE, NUMBER, STEP_COUNT, STEPS
from streamlit_glue.lesson_slide import MIN_TEXT_PX, TOUCH_TARGET_PX
from tests.e2e.conftest import (
    PHONE,
    SCREENSHOT_DIR,
    act_and_wait_for_rerun,
    assert_no_exception,
    wait_for_app_run,
    wait_for_charts,
)
from tests.e2e.test_phone import OVERLAP_JS, SIDEWAYS_JS

pytestmark = pytest.mark.e2e
WAIT_MS = 90_000  # the 2-core machine is shared
PROJECTOR = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}
SLIDE_SIZES = ({"width": 853, "height": 480}, {"width": 1280, "height": 720}, {"width": 1920, "height": 1080})
MIN_CHART_TEXT_PX = 12

# Text that does not fit where it is drawn: a chart's SVG text outside its chart, a matrix wider than its box,
# or a label Streamlit shortened with an ellipsis.
CUT_JS = """() => {
  const cut = [];
  document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot').forEach((gd, index) => {
    if (gd.offsetParent === null) return;
    const svg = gd.querySelector('svg.main-svg');
    if (!svg) return;
    const box = svg.getBoundingClientRect();
    gd.querySelectorAll('svg text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0) return;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        cut.push(`chart ${index + 1}: "${t.textContent.trim().slice(0, 30)}" outside its chart`);
    });
  });
  document.querySelectorAll('[data-testid="stMain"] [class*="st-key-scroll_"]').forEach(box => {
    if (box.scrollWidth > box.clientWidth + 1) cut.push(`${box.className.match(/st-key-\\S+/)}: wider than its box`);
  });
  document.querySelectorAll('[data-testid="stMain"] *').forEach(el => {
    if (getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1)
      cut.push(`"${el.textContent.trim().slice(0, 30)}" shortened with an ellipsis`);
  });
  return cut;
}"""

# One screen: the main column's content height against its window (Streamlit scrolls inside stMain), every box
# that could scroll sideways, the smallest text (font size × the zoom it is drawn at: CSS zoom of a chart), and
# the zoom of every clickable chart.
SLIDE_JS = """([minText, minChartText]) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const size = el => parseFloat(getComputedStyle(el).fontSize) * (el.currentCSSZoom || 1);
  const small = [], sideways = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || !shown(el)) continue;
    const limit = el.closest('svg') ? minChartText : minText;
    if (size(el) < limit - 0.05) small.push(`"${text.slice(0, 30)}" ${size(el).toFixed(1)} px (< ${limit})`);
  }
  main.querySelectorAll('*').forEach(el => {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1 && shown(el))
      sideways.push(`${el.className || el.tagName}: ${el.scrollWidth} px in ${el.clientWidth}`);
  });
  const clickable = [...main.querySelectorAll('.plotly-in-place[data-clickable]')].filter(shown);
  return {height: [main.scrollHeight, main.clientHeight], width: [main.scrollWidth, main.clientWidth], small, sideways,
          zoomedClickable: clickable.filter(box => Math.abs(box.currentCSSZoom - 1) > 0.001)
            .map(box => `${box.getAttribute('aria-label').slice(0, 40)}: ${box.currentCSSZoom}`),
          clickable: clickable.length};
}"""

# The slide has settled when its height and every chart's zoom and height stay the same for a moment.
SETTLED_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return [main.scrollHeight, ...[...document.querySelectorAll('.plotly-in-place')]
    .map(box => `${box.style.zoom}/${box.getBoundingClientRect().height.toFixed(0)}`)].join(' ');
}"""

TALLEST: dict[str, float] = {}  # the tallest slide in screens, per size (printed at the end of the lecture)


def settle(page: Page) -> None:
    """Charts drawn and the slide still for 250 ms (that wait also lets WebGL paint, so none is added for it)."""
    wait_for_charts(page, timeout=WAIT_MS, paint_ms=0)
    before = page.evaluate(SETTLED_JS)
    for _ in range(20):
        page.wait_for_timeout(250)
        now = page.evaluate(SETTLED_JS)
        if now == before:
            return
        before = now
        wait_for_charts(page, timeout=WAIT_MS, paint_ms=0)


def check_layout(page: Page, where: str) -> None:
    """Run right after settle(): the charts are drawn and still, so no time is added for them to paint."""
    wait_for_charts(page, timeout=WAIT_MS, paint_ms=0)
    assert_no_exception(page)
    overlaps = page.evaluate(OVERLAP_JS)
    assert not overlaps, f"{where}: overlapping chart text:\n" + "\n".join(overlaps[:20])
    cut = page.evaluate(CUT_JS)
    assert not cut, f"{where}: text cut off:\n" + "\n".join(cut[:20])
    for part, (content, window) in page.evaluate(SIDEWAYS_JS).items():
        assert content <= window + 1, f"{where}: the {part} scrolls sideways ({content} px in {window} px)"


def check_slide(page: Page, where: str) -> None:
    """At each of the three sizes: one screen, nothing sideways, text large enough, clickable charts unzoomed."""
    original = page.viewport_size
    try:
        for size in SLIDE_SIZES:
            if page.viewport_size != size:
                page.set_viewport_size(size)
            settle(page)
            at = f"{where} at {size['width']}×{size['height']}"
            found = page.evaluate(SLIDE_JS, [MIN_TEXT_PX, MIN_CHART_TEXT_PX])
            content, window = found["height"]
            name = f"{size['width']}×{size['height']}"
            TALLEST[name] = max(TALLEST.get(name, 0.0), content / window)
            assert content <= window + 1, f"{at}: the step is {content} px tall in a {window} px window"
            assert found["width"][0] <= found["width"][1] + 1, f"{at}: the page scrolls sideways {found['width']}"
            assert not found["sideways"], f"{at}: a box scrolls sideways: {found['sideways'][:5]}"
            assert not found["small"], f"{at}: text too small:\n" + "\n".join(found["small"][:15])
            assert not found["zoomedClickable"], f"{at}: a clickable chart is zoomed: {found['zoomedClickable']}"
            check_layout(page, at)
    finally:
        page.set_viewport_size(original)
        settle(page)


def shoot(page: Page, name: str) -> None:
    """The window as the class sees it (the slide is one screen; check_slide says so)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"))


@pytest.fixture
def projector(browser):
    context = browser.new_context(**PROJECTOR)
    yield context.new_page()
    context.close()


def main(page: Page):
    return page.get_by_test_id("stMain")


def next_button(page: Page):
    """The Next at the top of the step (a second one sits under the step)."""
    return main(page).get_by_role("button", name="Next").first


def commit(page: Page) -> None:
    act_and_wait_for_rerun(page, main(page).get_by_role("button", name="Commit my answer").click, timeout=WAIT_MS)


def answer(page: Page, kind: str, value: str | None = None) -> None:
    """Give an answer the way a student does: type a number, or click a choice (units: none at all)."""
    if kind == NUMBER:
        field = main(page).get_by_label("Your answer")
        field.fill(value or "0.5")
    elif kind == CHOICE:
        options = main(page).get_by_test_id("stRadio")
        (options.get_by_text(value, exact=True) if value else options.get_by_test_id("stRadioOption").first).click()


NUMBER_STEPS, UNITS_STEPS = {"warm_up", "yh", "dloss_z2", "dloss_w2"}, {"dloss_z1", "landscape"}


def answer_something(page: Page, step_key: str) -> None:
    """Any answer of the step's kind (units: none at all, which is an answer too)."""
    if step_key in NUMBER_STEPS:
        answer(page, NUMBER)
    elif step_key not in UNITS_STEPS:
        answer(page, CHOICE)


def test_a_lecture_runs_from_the_first_step_to_the_last(projector: Page, app_url: str):
    page = projector
    page.goto(f"{app_url}/lesson?present=true")
    wait_for_app_run(page, timeout=WAIT_MS)
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1, "the presenter view folds the sidebar away"
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == f"{MIN_TEXT_PX}px"

    # step 1, wrong (the tangent's slope is not the secant's): the explanation appears only after the commit
    expect(main(page).get_by_text("Predict first")).to_be_visible()
    expect(main(page).get_by_text("the secant's slope")).to_have_count(0)
    check_slide(page, "step 1, the question")
    shoot(page, "lesson-projector-step01-question")
    answer(page, NUMBER, "6")
    expect(main(page).get_by_text("the secant's slope")).to_have_count(0)  # typed, not committed
    commit(page)
    expect(main(page).get_by_text(re.compile(r"You said: 6\. Not quite — it is 7"))).to_be_visible()
    expect(main(page).get_by_text(re.compile("the secant's slope; the tangent's is"))).to_be_visible()
    check_slide(page, "step 1 revealed")
    # the verdict's words take its box's whole width (no room kept for the icon a slide hides)
    words, box = page.evaluate("""() => {
      const a = document.querySelector('[data-testid=stMain] [data-testid=stAlertContainer]');
      return [a.querySelector('[data-testid=stMarkdownContainer]').getBoundingClientRect().width,
              a.firstElementChild.getBoundingClientRect().width]; }""")
    assert words >= box - 1, f"the verdict's words are {words:.0f} px wide in a {box:.0f} px box"
    shoot(page, "lesson-projector-step01-answer")

    for number in range(2, STEP_COUNT + 1):
        act_and_wait_for_rerun(page, next_button(page).click, timeout=WAIT_MS)
        step = STEPS[number - 1]
        expect(main(page).get_by_role("heading", name=f"{number}. {step.title}")).to_be_visible()
        assert f"lesson_step={number}" in page.url
        expect(main(page).get_by_text(re.compile("^You said"))).to_have_count(0)
        check_slide(page, f"step {number}, the question")
        shoot(page, f"lesson-projector-step{number:02d}-question")
        if number == 2:
            answer(page, CHOICE, "(4, 5)")  # right
        else:
            answer_something(page, step.key)
        commit(page)
        verdict = main(page).get_by_text(re.compile("^You said"))
        expect(verdict).to_be_visible()
        if number == 2:
            expect(main(page).get_by_text("You said: (4, 5). Right.")).to_be_visible()
        check_slide(page, f"step {number} revealed")
        shoot(page, f"lesson-projector-step{number:02d}-answer")
        if step.key == "dloss_z1":  # the computation graph takes clicks: it shares the slide, never zoomed
            act_and_wait_for_rerun(page, main(page).get_by_role("radio", name="Computation graph").click
                                   if main(page).get_by_role("radio", name="Computation graph").count()
                                   else main(page).get_by_role("button", name="Computation graph").click,
                                   timeout=WAIT_MS)
            settle(page)
            found = page.evaluate(SLIDE_JS, [MIN_TEXT_PX, MIN_CHART_TEXT_PX])
            assert found["clickable"] == 1 and not found["zoomedClickable"], found
            shoot(page, f"lesson-projector-step{number:02d}-graph")
    expect(next_button(page)).to_be_disabled()
    print("tallest step, in screens:", {size: round(screens, 2) for size, screens in TALLEST.items()})


def test_deep_link_and_a_bad_step(page: Page, app_url: str):
    page.goto(f"{app_url}/lesson?lesson_step=9")
    wait_for_app_run(page, timeout=WAIT_MS)
    expect(main(page).get_by_role("heading", name=f"9. {STEPS[8].title}")).to_be_visible()
    expect(main(page).get_by_text("which hidden units pass NO gradient back", exact=False)).to_be_visible()
    page.goto(f"{app_url}/lesson?lesson_step=99")
    wait_for_app_run(page, timeout=WAIT_MS)
    expect(main(page).get_by_text(re.compile("lesson_step.*99"))).to_be_visible()
    expect(main(page).get_by_role("heading", name=f"1. {STEPS[0].title}")).to_be_visible()
    assert_no_exception(page)


def test_start_over_resets_the_whole_app(page: Page, app_url: str):
    nav = page.get_by_test_id("stSidebarNav")
    page.goto(f"{app_url}/forward_backward")  # another page's state in this session: one update applied
    wait_for_app_run(page, timeout=WAIT_MS)
    act_and_wait_for_rerun(page, main(page).get_by_role("button", name="Apply 1 update").click, timeout=WAIT_MS)
    expect(main(page).get_by_text("after 1 update(s)", exact=False)).to_be_visible()

    nav.get_by_role("link", name="Guided lesson").click()
    wait_for_app_run(page, timeout=WAIT_MS)
    act_and_wait_for_rerun(page, next_button(page).click, timeout=WAIT_MS)
    answer(page, CHOICE, "(3, 5)")
    commit(page)
    expect(main(page).get_by_text(re.compile("You said: \\(3, 5\\)\\. Not quite"))).to_be_visible()
    assert "lesson_step=2" in page.url

    act_and_wait_for_rerun(page, main(page).get_by_role("button", name="Start over").click, timeout=WAIT_MS)
    expect(main(page).get_by_role("heading", name=f"1. {STEPS[0].title}")).to_be_visible()
    assert "lesson_step" not in page.url
    act_and_wait_for_rerun(page, next_button(page).click, timeout=WAIT_MS)
    expect(main(page).get_by_text("Predict first")).to_be_visible()  # the class's answer is gone
    expect(main(page).get_by_text(re.compile("^You said"))).to_have_count(0)

    nav.get_by_role("link", name="Forward & backward pass").click()
    wait_for_app_run(page, timeout=WAIT_MS)
    expect(main(page).get_by_text("after 0 update(s)", exact=False)).to_be_visible()
    assert_no_exception(page)


def heading_number(page: Page) -> int:
    return int(main(page).get_by_role("heading", level=2).first.inner_text().split(".")[0])


def test_a_clickers_keys_move_the_step(page: Page, app_url: str):
    """→ / PageDown = Next, ← / PageUp = Previous, anywhere on the page but in a field that uses the key."""
    page.goto(f"{app_url}/lesson?lesson_step=3")
    wait_for_app_run(page, timeout=WAIT_MS)
    page.wait_for_function("() => typeof window.__clickerKeys === 'function'", timeout=WAIT_MS)  # listening
    for key, number in (("ArrowRight", 4), ("PageDown", 5), ("PageUp", 4), ("ArrowLeft", 3)):
        act_and_wait_for_rerun(page, lambda key=key: page.keyboard.press(key), timeout=WAIT_MS)
        assert f"lesson_step={number}" in page.url, key
        expect(main(page).get_by_role("heading", name=f"{number}. {STEPS[number - 1].title}")).to_be_visible()
    field = main(page).get_by_label("Your answer")  # step 3 asks for a number
    field.fill("0.5")
    field.press("ArrowLeft")  # moves the caret, not the lesson
    field.press("PageUp")
    page.wait_for_timeout(1500)
    wait_for_app_run(page, timeout=WAIT_MS)
    assert "lesson_step=3" in page.url and heading_number(page) == 3


ZOOMED_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
  .filter(el => Math.abs((el.currentCSSZoom || 1) - 1) > 0.001).length"""


def test_a_phone_on_the_teachers_link_gets_the_phone_layout(browser, app_url: str):
    """present=true on a 390 px screen: the phone's text size, nothing zoomed, nothing sideways, the page no taller
    than without it, and Next at the bottom of the step."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        heights = {}
        for query in ("lesson_step=2", "lesson_step=2&present=true"):
            page.goto(f"{app_url}/lesson?{query}")
            wait_for_app_run(page, timeout=WAIT_MS)
            wait_for_charts(page, timeout=WAIT_MS)  # the page has its full height
            assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px", query
            assert page.evaluate(ZOOMED_JS) == 0, query
            for part, (content, window) in page.evaluate(SIDEWAYS_JS).items():
                assert content <= window + 1, f"{query}: the {part} scrolls sideways ({content} px in {window} px)"
            heights[query] = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        assert heights["lesson_step=2&present=true"] <= 1.05 * heights["lesson_step=2"], heights
        # a thumb's targets, 44 × 44 at least: each option's label (the one around its radio input)
        targets = main(page).get_by_test_id("stRadio").locator("label:has(input[type=radio])")
        assert targets.count() == 4
        for index in range(4):
            box = targets.nth(index).bounding_box()
            assert box["width"] >= TOUCH_TARGET_PX and box["height"] >= TOUCH_TARGET_PX, (index, box)

        page.get_by_test_id("stMain").evaluate("main => main.scrollTo({top: main.scrollHeight, behavior: 'instant'})")
        page.wait_for_timeout(300)
        bottom_next = main(page).get_by_role("button", name="Next").last
        box = bottom_next.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        act_and_wait_for_rerun(page, bottom_next.click, timeout=WAIT_MS)
        assert "lesson_step=3" in page.url

        page.goto(f"{app_url}/lesson?lesson_step=9")  # pills: which units pass no gradient
        wait_for_app_run(page, timeout=WAIT_MS)
        pills = main(page).get_by_role("button", name=re.compile(r"^h\d$"))
        assert pills.count() == 4
        for index in range(4):
            box = pills.nth(index).bounding_box()
            assert box["width"] >= TOUCH_TARGET_PX and box["height"] >= TOUCH_TARGET_PX, (index, box)
    finally:
        context.close()


def test_a_swipe_over_the_3d_view_scrolls_a_phone_unless_rotating_is_on(browser, app_url: str):
    """The landscape step on a phone: a thumb swiping up over the 3D view scrolls the page (the view does not
    catch it) until "Rotate the 3D view" is on."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    cdp = context.new_cdp_session(page)

    def swipe_scrolls() -> bool:
        """A finger on the 3D view's middle moving 150 px (toward the side the page can scroll to), as touch events
        (CDP's synthesized scroll gesture scrolled nothing here, not even over plain text)."""
        chart = main(page).locator(".plotly-in-place").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box = chart.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        top, room = page.evaluate("(() => { const m = document.querySelector('[data-testid=stMain]'); "
                                  "return [m.scrollTop, m.scrollHeight - m.clientHeight]; })()")
        dy = 150 if top > room / 2 else -150  # a finger moving down scrolls the page up
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for k in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y + dy * k / 10}]})
            page.wait_for_timeout(16)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        for _ in range(30):  # a busy machine (two test workers) may take a while to scroll: up to 3 s
            page.wait_for_timeout(100)
            if abs(page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") - top) > 50:
                return True
        return False

    try:
        page.goto(f"{app_url}/lesson?lesson_step={STEP_COUNT}")
        wait_for_app_run(page, timeout=WAIT_MS)
        wait_for_charts(page, timeout=WAIT_MS)
        assert swipe_scrolls(), "a swipe over the 3D view did not scroll the page"
        toggle = main(page).get_by_text("Rotate the 3D view")
        act_and_wait_for_rerun(page, toggle.click, timeout=WAIT_MS)
        wait_for_charts(page, timeout=WAIT_MS)
        assert not swipe_scrolls(), "with rotating on, the 3D view should take the swipe"
    finally:
        context.close()
