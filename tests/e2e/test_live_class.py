"""A live class in Chromium: a teacher at 1366×768 and three phone students at 390×844, each in a browser context of
their own (their own cookie jar), against one app server.

The walk: the teacher starts a class; the students join by link; two steps — the first with a second round
("Discuss with your neighbour, then vote again"), the second with one; every student's screen follows the teacher's
Next and every answer reaches the teacher's "k of n answered" within 2 s with nobody touching the other screens; no
verdict before **Show the class's answers**; the distribution chart; a student's reload is the same student with
the same answers; the teacher link opens the teacher's screen on a projector (853×480 at 150 %); a wrong teacher key
controls nothing; **End the class** tells the students and gives the summary and the CSV, whose rows are checked.
axe-core finds no serious or critical violation on the teacher's screen and a student's. Screenshots:
.artifacts/screenshots/live-*.png.
"""

from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from lessons.guided_lesson import STEPS
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOT_DIR, assert_no_exception, wait_for_app_run, wait_for_charts
from tests.e2e.test_accessibility import describe, serious_violations

pytestmark = pytest.mark.e2e
WAIT_MS = 90_000  # the 2-core machine is shared: page loads and first runs may be slow
# The goal is 2 s (a screen follows the teacher, a count follows an answer); bench/live_class.py measures it
# (p95 over 100 students). Here, beside another test worker, a screen must follow by itself — no phone polls and no
# one reloads — within 10 s; every latency is printed.
FOLLOW_S = 10.0
PROJECTOR = {"viewport": {"width": 853, "height": 480}, "device_scale_factor": 1.5}


def main(page: Page):
    return page.get_by_test_id("stMain")


def shoot(page: Page, name: str) -> None:
    """The whole main column (the window made as tall as the page for the shot)."""
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    page.wait_for_timeout(600)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
    page.set_viewport_size(viewport)


def within(seconds: float, what: str, locator) -> float:
    """Wait for ``locator`` to be visible; fail if it took longer than ``seconds``. Returns the seconds taken."""
    began = time.monotonic()
    locator.first.wait_for(state="visible", timeout=WAIT_MS)
    taken = time.monotonic() - began
    print(f"{what}: {taken:.2f} s")
    assert taken <= seconds, f"{what}: {taken:.2f} s (allowed ≤ {seconds} s)"
    return taken


def send(student: Page, answer: str, number: bool) -> None:
    if number:
        main(student).get_by_label("Your answer").fill(answer)
    else:
        main(student).get_by_test_id("stRadio").get_by_text(answer, exact=True).click()
    main(student).get_by_role("button", name="Send my answer").click()
    main(student).get_by_text("Answer sent — your teacher will show the answers.").wait_for(timeout=WAIT_MS)


def no_verdict(student: Page) -> None:
    text = main(student).inner_text()
    assert "Right." not in text and "Not quite" not in text and "Right:" not in text, text[:500]
    assert main(student).locator(".plotly-in-place").count() == 0  # no chart of anyone's answers


def audit(page: Page, where: str) -> None:
    wait_for_app_run(page, timeout=WAIT_MS)
    wait_for_charts(page, timeout=WAIT_MS)
    violations = serious_violations(page)
    assert not violations, f"axe-core, {where}: {len(violations)} serious/critical rule(s)\n{describe(violations)}"


@pytest.fixture
def contexts(browser):
    opened = []

    def new(**options):
        context = browser.new_context(**options)
        opened.append(context)
        return context.new_page()

    yield new
    for context in opened:
        context.close()


def test_a_live_class_of_three_phones(contexts, app_url: str):
    teacher = contexts(viewport=DESKTOP)
    teacher.goto(f"{app_url}/lesson")
    wait_for_app_run(teacher, timeout=WAIT_MS)
    main(teacher).get_by_role("button", name="Start a live class").click()
    expect(main(teacher).get_by_text("0 of 0 answered")).to_be_visible(timeout=WAIT_MS)
    query = parse_qs(urlsplit(teacher.url).query)
    assert set(query) <= {"class", "lesson_step"}, teacher.url  # nothing secret in the projected address
    code = query["class"][0]
    join_link = f"{app_url}/lesson?class={code}"
    expect(main(teacher).get_by_role("link", name=join_link)).to_have_attribute("href", join_link)
    expect(main(teacher).get_by_role("img", name=f"QR code of the join link {join_link}")).to_be_visible()

    students = []
    for _ in range(3):
        student = contexts(viewport=PHONE)
        student.goto(join_link)
        expect(main(student).get_by_text(f"Live class {code}")).to_be_visible(timeout=WAIT_MS)
        expect(main(student).get_by_role("heading", name=f"1. {STEPS[0].title}")).to_be_visible()
        students.append(student)
    numbers = [int(re.search(r"you are student (\d+)", main(s).inner_text()).group(1)) for s in students]
    assert sorted(numbers) == [1, 2, 3]
    expect(main(teacher).get_by_text("3 students joined")).to_be_visible(timeout=WAIT_MS)

    # step 1, round 1: two of three right (7 is the secant's slope): the moment for a second vote
    for student, answer in zip(students, ["7", "7", "5"], strict=True):
        send(student, answer, number=True)
    within(FOLLOW_S, "the last answer → 3 of 3 answered", main(teacher).get_by_text("3 of 3 answered"))
    expect(main(teacher).get_by_text("Crouch & Mazur")).to_be_visible()
    for student in students:
        no_verdict(student)
    assert "Right:" not in main(teacher).inner_text()  # the teacher's screen (the projector) shows no answer either

    main(teacher).get_by_role("button", name="Discuss with your neighbour, then vote again").click()
    for student in students:
        within(FOLLOW_S, "second round → the phone", main(student).get_by_text("Second vote"))
    for student in students:
        send(student, "7", number=True)
    within(FOLLOW_S, "round 2's last answer → the count", main(teacher).get_by_text("3 of 3 answered (second vote)"))
    for student in students:
        no_verdict(student)
    audit(students[2], "a student before the reveal")

    main(teacher).get_by_role("button", name="Show the class's answers").click()
    for student, verdict in zip(students, ["Round 2, you said: 7. Right."] * 3, strict=True):
        within(FOLLOW_S, "the reveal → the phone", main(student).get_by_text(verdict))
    expect(main(students[2]).get_by_text("Round 1, you said: 5. Not quite")).to_be_visible()
    expect(main(teacher).get_by_role("heading", name="Right: 67 % → 100 %")).to_be_visible(timeout=WAIT_MS)
    chart = main(teacher).locator(".plotly-in-place[aria-label^=\"Bar chart of the class's answers\"]")
    expect(chart).to_be_visible(timeout=WAIT_MS)
    assert "Round 1: 67 % right (2 of 3)" in chart.get_attribute("aria-label")
    wait_for_charts(teacher, timeout=WAIT_MS)
    shoot(teacher, "live-teacher-1366-distribution")
    # README's picture (docs/live-class-teacher.png): the question, the count of who answered, the two rounds
    teacher.evaluate("""() => { const main = document.querySelector('[data-testid=stMain]');
      const mark = [...main.querySelectorAll('h1, h2, h3')].find(h => h.textContent.startsWith('1. '));
      main.scrollBy(0, mark.getBoundingClientRect().top - 70); }""")
    teacher.wait_for_timeout(400)
    teacher.screenshot(path=str(SCREENSHOT_DIR / "live-teacher-1366-readme.png"))
    audit(teacher, "the teacher's screen with the distribution")
    wait_for_charts(students[0], timeout=WAIT_MS)
    shoot(students[0], "live-student-390-revealed")

    # a reload is the same student, with the same answers, not counted twice
    reloaded = students[2]
    reloaded.reload()
    expect(main(reloaded).get_by_text(f"you are student {numbers[2]}")).to_be_visible(timeout=WAIT_MS)
    expect(main(reloaded).get_by_text("Round 1, you said: 5. Not quite")).to_be_visible()
    expect(main(teacher).get_by_text("3 students joined")).to_be_visible()

    # the teacher link (shown once, folded away) opens the teacher's screen on the projector's browser
    main(teacher).get_by_text("Teacher link for another device — not for the projector").click()
    teacher_link = main(teacher).get_by_test_id("stCode").filter(has_text="teacher=").inner_text().strip()
    projector = contexts(**PROJECTOR)
    projector.goto(teacher_link.replace(urlsplit(teacher_link).netloc, urlsplit(app_url).netloc))
    expect(main(projector).get_by_role("button", name="Next").first).to_be_visible(timeout=WAIT_MS)
    assert "teacher" not in parse_qs(urlsplit(projector.url).query)

    # Next, from the projector's browser: every phone follows
    main(projector).get_by_role("button", name="Next").first.click()  # the top one (another is under the step)
    for student in students:
        within(FOLLOW_S, "Next → the phone", main(student).get_by_role("heading", name=f"2. {STEPS[1].title}"))
    expect(main(teacher).get_by_role("heading", name=f"2. {STEPS[1].title}")).to_be_visible(timeout=WAIT_MS)
    for student, answer in zip(students, ["(4, 5)", "(3, 5)", "(4, 5)"], strict=True):
        send(student, answer, number=False)
    within(FOLLOW_S, "step 2's last answer → the count", main(projector).get_by_text("3 of 3 answered"))
    shoot(projector, "live-teacher-projector-answered")
    main(projector).get_by_role("button", name="Show the class's answers").click()
    within(FOLLOW_S, "the reveal → the phone", main(students[1]).get_by_text("You said: (3, 5). Not quite"))
    expect(main(projector).get_by_role("heading", name="Right: 67 %")).to_be_visible(timeout=WAIT_MS)
    wait_for_charts(projector, timeout=WAIT_MS)
    shoot(projector, "live-teacher-projector-distribution")

    # a wrong teacher key: a plain message, no control, never echoed, and the class does not move
    intruder = contexts(viewport=PHONE)
    intruder.goto(f"{join_link}&teacher=not-the-key-0123456789")
    expect(main(intruder).get_by_text("That teacher link's key is not this class's")).to_be_visible(timeout=WAIT_MS)
    assert "not-the-key" not in main(intruder).inner_text() and "teacher" not in intruder.url
    for control in ("Next", "Previous", "Show the class's answers", "End the class…"):
        expect(main(intruder).get_by_role("button", name=control, exact=True)).to_have_count(0)
    expect(main(students[0]).get_by_role("heading", name=f"2. {STEPS[1].title}")).to_be_visible()

    # End the class: the students are told, the teacher gets the summary and the answers
    main(teacher).get_by_role("button", name="End the class…").click()
    teacher.get_by_role("button", name="End the class", exact=True).click()
    expect(main(teacher).get_by_text(f"Live class {code} has ended")).to_be_visible(timeout=WAIT_MS)
    for student in students:
        within(FOLLOW_S, "the end → the phone", main(student).get_by_text("This live class has ended."))
    shoot(teacher, "live-teacher-1366-ended")
    with teacher.expect_download(timeout=WAIT_MS) as download:
        main(teacher).get_by_role("button", name="Download the class's answers").click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    answered = sorted((r["step"], r["round"], int(r["student"]), r["answer"], r["right"]) for r in rows)
    s1, s2, s3 = numbers
    assert answered == sorted([
        ("1", "1", s1, "7", "true"), ("1", "1", s2, "7", "true"), ("1", "1", s3, "5", "false"),
        ("1", "2", s1, "7", "true"), ("1", "2", s2, "7", "true"), ("1", "2", s3, "7", "true"),
        ("2", "1", s1, "(4, 5)", "true"), ("2", "1", s2, "(3, 5)", "false"), ("2", "1", s3, "(4, 5)", "true")])
    assert all(float(r["seconds"]) >= 0 for r in rows) and {r["question"] for r in rows} == {STEPS[0].title,
                                                                                            STEPS[1].title}
    for page in (teacher, *students, projector, intruder):
        assert_no_exception(page)


def test_a_clickers_keys_pace_a_live_class(contexts, app_url: str):
    """The teacher's → / PageDown and ← / PageUp (the focus on the page, not on a widget) move the class: two phones
    follow by themselves (the class watcher) within FOLLOW_S, and a key pressed in a field that uses it moves
    nobody."""
    teacher = contexts(viewport=DESKTOP)
    teacher.goto(f"{app_url}/lesson")
    wait_for_app_run(teacher, timeout=WAIT_MS)
    main(teacher).get_by_role("button", name="Start a live class").click()
    expect(main(teacher).get_by_text("0 of 0 answered")).to_be_visible(timeout=WAIT_MS)
    code = parse_qs(urlsplit(teacher.url).query)["class"][0]
    students = []
    for _ in range(2):
        student = contexts(viewport=PHONE)
        student.goto(f"{app_url}/lesson?class={code}")
        expect(main(student).get_by_role("heading", name=f"1. {STEPS[0].title}")).to_be_visible(timeout=WAIT_MS)
        students.append(student)
    expect(main(teacher).get_by_text("2 students joined")).to_be_visible(timeout=WAIT_MS)
    teacher.wait_for_function("() => typeof window.__clickerKeys === 'function'", timeout=WAIT_MS)  # listening

    def on_step(number: int, what: str) -> None:
        heading = f"{number}. {STEPS[number - 1].title}"
        for student in students:
            within(FOLLOW_S, f"{what} → the phone", main(student).get_by_role("heading", name=heading))
        expect(main(teacher).get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT_MS)

    for key, number in (("ArrowRight", 2), ("PageDown", 3), ("PageUp", 2), ("ArrowLeft", 1)):
        teacher.evaluate("() => document.activeElement && document.activeElement.blur()")
        assert teacher.evaluate("() => document.activeElement === document.body")
        teacher.keyboard.press(key)
        on_step(number, key)
        if number == 3:
            wait_for_charts(teacher, timeout=WAIT_MS)
            shoot(teacher, "live-keys-teacher-1366-step3")
            wait_for_app_run(students[0], timeout=WAIT_MS)
            shoot(students[0], "live-keys-student-390-step3")

    # the teacher on a phone (the teacher link): Next under the step, reached by scrolling down, moves the class
    main(teacher).get_by_text("Teacher link for another device — not for the projector").click()
    teacher_link = main(teacher).get_by_test_id("stCode").filter(has_text="teacher=").inner_text().strip()
    pocket = contexts(viewport=PHONE)
    pocket.goto(teacher_link.replace(urlsplit(teacher_link).netloc, urlsplit(app_url).netloc))
    expect(main(pocket).get_by_role("button", name="Show the class's answers")).to_be_visible(timeout=WAIT_MS)
    wait_for_app_run(pocket, timeout=WAIT_MS)
    wait_for_charts(pocket, timeout=WAIT_MS)
    main(pocket).evaluate("main => main.scrollTo({top: main.scrollHeight, behavior: 'instant'})")
    pocket.wait_for_timeout(300)
    bottom_next = main(pocket).get_by_role("button", name="Next").last
    box = bottom_next.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    bottom_next.click()
    on_step(2, "the teacher's Next under the step, on a phone")
    expect(main(pocket).get_by_role("heading", name=f"2. {STEPS[1].title}")).to_be_visible(timeout=WAIT_MS)
    shoot(pocket, "live-keys-teacher-390-after-bottom-next")
    main(pocket).evaluate("main => main.scrollTo({top: main.scrollHeight, behavior: 'instant'})")
    pocket.wait_for_timeout(300)
    main(pocket).get_by_role("button", name="Previous").last.click()
    on_step(1, "the teacher's Previous under the step, on a phone")

    # a widget that uses the arrow keys itself keeps them: the toggle under the QR code
    main(teacher).get_by_role("switch", name="QR code as large as the screen").focus()
    teacher.keyboard.press("ArrowRight")
    teacher.keyboard.press("PageDown")
    teacher.wait_for_timeout(3000)  # the phones had followed within this before
    for page in (teacher, pocket, *students):
        wait_for_app_run(page, timeout=WAIT_MS)
        expect(main(page).get_by_role("heading", name=f"1. {STEPS[0].title}")).to_be_visible()
        assert_no_exception(page)
