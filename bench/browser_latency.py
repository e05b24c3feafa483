"""Input → "app idle and charts drawn" in headless Chromium, for every slider and step button of every page,
against a bare Streamlit page (one slider, one small Plotly line chart) measured in the same run.

Run with ``python -m bench.browser_latency`` (all lesson pages) or ``--page landscape`` (one page).
It starts ``streamlit run app.py`` and the bare page on free ports (bench/servers.py; E2E_PORT_RANGE is respected),
drives Debian's Chromium at 1366×768 and prints, per control: page, control, median seconds, the ratio to the bare
page, the median time of the last websocket frame (when the server was done sending; the rest is drawing) and the
median bytes received over the websocket (median and largest sample). Target of issue 10: every ratio ≤ 3. A
benchmark, not a test: timings depend on the machine and its load, the ratio to the bare page of the same run is
what counts.

The landscape page also gets rows for its "Landscape" choice: selecting the real network (the first time for
each seed: the server trains one network per ball and maps the loss on the slice — before each sample the seed
is set to a value not used yet, in the "Start, noise, seed" expander), going back to the toy surface, and
selecting the real network again (the same seed: cached on the server, so the difference is the computation).

Bytes: Streamlit keeps the messages a browser has seen and sends a short reference when a rerun produces one
again, so going back to a value already shown (every second notch here) sends little; the largest sample is
the notch to a value not shown yet.

One sample: a slider notch is focus on the thumb + ArrowRight or ArrowLeft (alternating, so the value stays
in range); a button is a click. The clock starts just before the input and stops at the last sign of work —
the moment the script state went back to notRunning or the last Plotly draw (plotly_afterplot, or a DOM
change inside a chart), whichever is later — confirmed by QUIET_MS (600) ms of quiet with no Plotly redraw pending.
A chart out of view that waits to be redrawn until it is scrolled to (plotly_in_place's defer_offscreen: the
landscape's top view and height chart at 1366×768) does no work and so adds nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import bare_page_server, streamlit_server  # noqa: E402
from lessons.landscape_settings import LANDSCAPES, REAL  # noqa: E402
from site_map import available_lessons  # noqa: E402

QUIET_MS = 600
VIEWPORT = {"width": 1366, "height": 768}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
# Buttons that step or rerun a lesson, in an order that keeps each one enabled (Next before Previous). Play,
# Pause and the speed buttons are Plotly's, animated in the browser with no rerun; Stop exists only mid-run.
STEP_BUTTONS = ("Next", "Previous", "Reset", "New example", "Apply 1 update", "Apply 10 updates", "Train",
                "Use this surface's suggested start")

# Injected before any page script: records when the script state last changed and when a chart last drew.
WATCH_JS = """(() => {
  const lat = window.__lat = {reran: false, notRunningAt: 0, chartAt: 0};
  const stamp = () => { lat.chartAt = performance.now(); };
  const hooked = new WeakSet();
  const hook = () => document.querySelectorAll('.js-plotly-plot').forEach(gd => {
    if (!hooked.has(gd) && typeof gd.on === 'function') { hooked.add(gd); gd.on('plotly_afterplot', stamp); }
  });
  const start = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { setTimeout(start, 20); return; }
    new MutationObserver(() => {
      if (app.getAttribute('data-test-script-state') === 'running') lat.reran = true;
      else lat.notRunningAt = performance.now();
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    new MutationObserver(records => {
      hook();
      for (const r of records) {
        const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        if (el && el.closest('[data-testid="stPlotlyChart"], .plotly-in-place')) { stamp(); break; }
      }
    }).observe(document.body, {subtree: true, childList: true});
    setInterval(hook, 100);
  };
  start();
})();"""
IDLE_JS = """(quiet, needRerun = true) => {
  const lat = window.__lat;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!lat || (needRerun && !lat.reran) || !app) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if ([...document.querySelectorAll('.js-plotly-plot')].some(gd => (gd._promises && gd._promises.length)
      || gd._transitioning)) return false;
  const last = Math.max(lat.notRunningAt, lat.chartAt);
  return performance.now() - last > quiet ? last : false;
}"""
SLIDERS = ":is([data-testid='stMain'], [data-testid='stSidebar']) :is([role='slider'], input[type='range'])"
SLIDER_LABELS_JS = """(selector) => [...document.querySelectorAll(selector)].map(thumb => {
  const box = thumb.closest('[data-testid="stSlider"]') || thumb.parentElement;
  const label = box.querySelector('[data-testid="stWidgetLabel"]');
  return {label: (label ? label.textContent : thumb.getAttribute('aria-label') || '?').trim(),
          visible: thumb.getClientRects().length > 0 && !thumb.closest('details:not([open])'),
          atMax: thumb.tagName === 'INPUT' ? thumb.value === thumb.max
                 : thumb.getAttribute('aria-valuenow') === thumb.getAttribute('aria-valuemax')};
})"""


@dataclass
class Row:
    page: str
    control: str
    seconds: list[float] = field(default_factory=list)
    last_frame: list[float] = field(default_factory=list)
    received: list[int] = field(default_factory=list)
    missed: int = 0
    note: str = ""


class Wire:
    """Bytes and the time of the last frame received over the page's websockets."""

    def __init__(self, page: Page) -> None:
        self.bytes = 0
        self.last = 0.0
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        self.bytes += len(payload)
        self.last = time.perf_counter()

    def reset(self) -> None:
        self.bytes, self.last = 0, 0.0


def find_chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit("Debian's chromium is needed: apt-get install chromium")


# Every chart on the page has been drawn by Plotly and has no draw pending (a chart's element exists before Plotly
# has loaded and drawn it). The e2e tests wait for the same.
CHARTS_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"], .plotly-in-place')]
  .filter(chart => chart.offsetParent !== null)
  .every(chart => {
    const gd = chart.classList.contains('plotly-in-place') ? chart : chart.querySelector('.js-plotly-plot');
    return gd && gd._fullLayout && !(gd._promises && gd._promises.length) && !gd._transitioning;
  })"""


def open_page(page: Page, url: str) -> None:
    """Load a page and wait until its first run is over, its title (h1) is there and every chart is drawn. (On a
    server's first visit the navigation run and the page's run can be more than QUIET_MS apart; and the quiet
    alone passed before Plotly had loaded, so the first sample of a control used to include drawing every chart.)"""
    page.goto(url)
    page.wait_for_function(IDLE_JS, arg=QUIET_MS, timeout=120_000, polling=100)
    page.locator("[data-testid='stMain'] h1").first.wait_for(timeout=120_000)
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=120_000, polling=100)
    page.wait_for_function(f"() => ({IDLE_JS})({QUIET_MS}, false)", timeout=120_000, polling=100)


class NoRerun(Exception):
    """The input started no script run (a slider at its end, a control that does nothing)."""


def sample(page: Page, wire: Wire, act) -> tuple[float, float, int]:
    """One input and its wait; returns (seconds to idle, seconds to the last websocket frame, bytes)."""
    page.evaluate("() => { window.__lat.reran = false; }")
    wire.reset()
    started_py = time.perf_counter()
    started = page.evaluate("() => performance.now()")
    act()
    try:
        page.wait_for_function("() => window.__lat.reran", timeout=15_000, polling=50)
    except PlaywrightTimeout as error:
        raise NoRerun from error
    done = page.wait_for_function(IDLE_JS, arg=QUIET_MS, timeout=120_000, polling=50).json_value()
    last_frame = wire.last - started_py if wire.last else float("nan")
    return (done - started) / 1000, last_frame, wire.bytes


def record(row: Row, page: Page, wire: Wire, act) -> None:
    try:
        seconds, last_frame, received = sample(page, wire, act)
    except NoRerun:
        row.missed += 1
        row.note = f"{row.missed} input(s) started no rerun within 15 s"
        return
    row.seconds.append(seconds)
    row.last_frame.append(last_frame)
    row.received.append(received)
    print(f"  {row.page} · {row.control}: {seconds:.3f} s, {received / 1000:.1f} KB", file=sys.stderr, flush=True)


def measure_sliders(page: Page, wire: Wire, name: str, samples: int) -> list[Row]:
    rows = []
    for index, info in enumerate(page.evaluate(SLIDER_LABELS_JS, SLIDERS)):
        row = Row(name, f"slider: {info['label']}")
        rows.append(row)
        if not info["visible"]:
            row.note = "hidden (closed expander or tab): not measured"
            continue
        thumb = page.locator(SLIDERS).nth(index)
        keys = ["ArrowLeft", "ArrowRight"] if info["atMax"] else ["ArrowRight", "ArrowLeft"]
        for n in range(2 * samples):  # until `samples` inputs reran (a missed one is counted in the note)
            if len(row.seconds) == samples:
                break

            def notch(thumb=thumb, key=keys[n % 2]):
                thumb.focus()
                page.keyboard.press(key)
            record(row, page, wire, notch)
    return rows


def measure_buttons(page: Page, wire: Wire, name: str, samples: int) -> list[Row]:
    rows = []
    main = page.get_by_test_id("stMain")
    for label in STEP_BUTTONS:
        button = main.get_by_role("button", name=label, exact=True)
        if button.count() == 0:
            continue
        row = Row(name, f"button: {label}")
        rows.append(row)
        for _ in range(2 * samples):
            if len(row.seconds) == samples:
                break
            if button.first.is_disabled():
                row.note = "disabled after some clicks"
                break
            record(row, page, wire, button.first.click)
    return rows


REAL_LANDSCAPE = LANDSCAPES[REAL]
TOY_LANDSCAPE = LANDSCAPES["hills"]


def measure_landscape_choice(page: Page, wire: Wire, name: str, samples: int) -> list[Row]:
    """Landscape → the real network (a new seed each time, then the same one again) and back to a toy surface."""
    first = Row(name, "select: the real network (new seed: trains + maps)")
    back = Row(name, "select: back to a toy surface")
    again = Row(name, "select: the real network again (cached)")
    main = page.get_by_test_id("stMain")

    def choose(label: str):
        def act():
            main.get_by_test_id("stSelectbox").filter(has_text="Landscape").first.click()
            page.get_by_role("option", name=label, exact=True).click()
        return act

    def set_seed(seed: int) -> None:
        expander = main.get_by_test_id("stExpander").filter(has_text="Start, noise, seed").first
        if expander.locator("details").first.get_attribute("open") is None:
            expander.locator("summary").first.click()
        field = expander.get_by_test_id("stNumberInput").locator("input").first
        field.fill(str(seed))
        try:
            sample(page, wire, lambda: field.press("Enter"))
        except NoRerun:  # a rerun too short for React to show "running": the seed is in the field all the same
            page.wait_for_function(IDLE_JS, arg=QUIET_MS, timeout=120_000, polling=50)

    for n in range(samples):
        set_seed(1001 + n)  # the bench's own server has mapped no slice for this seed yet
        for row, label in ((first, REAL_LANDSCAPE), (back, TOY_LANDSCAPE), (again, REAL_LANDSCAPE),
                           (back, TOY_LANDSCAPE)):
            record(row, page, wire, choose(label))
    return [first, again, back]


def run(pages: list[str], samples: int) -> None:
    chromium = find_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        with bare_page_server() as bare, streamlit_server(ROOT / "app.py") as app:
            bare_url, app_url = bare.url, app.url
            context = browser.new_context(viewport=VIEWPORT)
            context.add_init_script(WATCH_JS)
            page = context.new_page()
            wire = Wire(page)

            open_page(page, bare_url)
            rows = measure_sliders(page, wire, "bare page", max(samples, 5))
            bare_median = statistics.median(rows[0].seconds)
            for name in pages:
                open_page(page, f"{app_url}/{name}")
                rows += measure_sliders(page, wire, name, samples)
                rows += measure_buttons(page, wire, name, samples)
                if name == "landscape":
                    rows += measure_landscape_choice(page, wire, name, samples)
            context.close()
        browser.close()
    report(rows, bare_median, samples)


def report(rows: list[Row], bare_median: float, samples: int) -> None:
    print(f"\nInput → app idle and charts drawn, headless Chromium {VIEWPORT['width']}×{VIEWPORT['height']}, "
          f"median of {samples}+ samples; bare page (one slider, one Plotly line): {bare_median:.3f} s\n")
    header = (f"{'page':<18} {'control':<52} {'median s':>9} {'× bare':>7} {'last frame s':>13} {'KB median':>10} "
              f"{'KB max':>8}")
    print(header)
    print("-" * len(header))
    for row in rows:
        if not row.seconds:
            print(f"{row.page:<18} {row.control[:52]:<52} {'—':>9} {'':>7} {'':>13} {'':>10} {'':>8}  {row.note}")
            continue
        median = statistics.median(row.seconds)
        frames = [value for value in row.last_frame if value == value]
        last_frame = f"{statistics.median(frames):.3f}" if frames else "—"
        print(f"{row.page:<18} {row.control[:52]:<52} {median:>9.3f} {median / bare_median:>7.1f} {last_frame:>13} "
              f"{statistics.median(row.received) / 1000:>10.1f} {max(row.received) / 1000:>8.1f}  {row.note}".rstrip())
    worst = max((statistics.median(r.seconds) / bare_median for r in rows if r.seconds and r.page != "bare page"),
                default=float("nan"))
    print(f"\nworst ratio to the bare page: {worst:.1f}× (target ≤ 3×)")


def main() -> None:
    lessons = [lesson.url_path for lesson in available_lessons()]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", choices=lessons, action="append",
                        help="measure only this page (repeatable); default: every lesson page")
    parser.add_argument("--samples", type=int, default=3, help="samples per control (at least 3)")
    args = parser.parse_args()
    run(args.page or lessons, max(args.samples, 3))


if __name__ == "__main__":
    main()
