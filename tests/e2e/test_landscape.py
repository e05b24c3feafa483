"""The landscape page in a real Chromium: pressing Play rolls the balls (read back from Plotly's graph
div and seen in before/after screenshots), every ball sits above the surface at the last frame, the
chart and ▶ Play fit the first screen, the player buttons never overlap on a phone, the page's own
content passes axe, and a diverging learning rate is explained, not crashed."""

import numpy as np
import pytest
from playwright.sync_api import Page, expect
from scipy.interpolate import RegularGridInterpolator

from tests.e2e.conftest import assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e

# The 3D view is drawn in place by streamlit_glue.plotly_in_place (a component, not an st.plotly_chart).
SURFACE = ".st-key-land_surface_chart .js-plotly-plot"
BALLS_JS = """() => {
  const graph = document.querySelector('.st-key-land_surface_chart .js-plotly-plot');
  return graph._fullData
    .filter(t => t.type === 'scatter3d' && !t.name.endsWith('(trail)') && !t.name.endsWith('(start)'))
    .map(t => [t.name, t.x[0], t.y[0]]);
}"""
STEP_JS = """() => {
  const graph = document.querySelector('.st-key-land_surface_chart .js-plotly-plot');
  const slider = graph._fullLayout.sliders[0];
  return [slider.active, slider.steps.length - 1];
}"""
SCENE_JS = """() => {
  const graph = document.querySelector('.st-key-land_surface_chart .js-plotly-plot');
  const surface = graph._fullData.find(t => t.type === 'surface');
  const balls = graph._fullData.filter(t => t.type === 'scatter3d' && !t.name.endsWith('(trail)')
                                          && !t.name.endsWith('(start)'));
  return {x: Array.from(surface.x), y: Array.from(surface.y), z: Array.from(surface.z, row => Array.from(row)),
          balls: balls.map(t => [t.name, t.x[0], t.y[0], t.z[0], t.marker.line.width])};
}"""


def _open_landscape(page: Page, app_url: str, query: str = "") -> None:
    if query:
        page.goto(f"{app_url}/landscape?{query}")
    else:
        page.goto(app_url)
        wait_for_app_run(page)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Loss landscape").click()
    wait_for_app_run(page)
    expect(page.locator(SURFACE)).to_be_visible(timeout=60_000)
    page.wait_for_function(f"() => document.querySelector('{SURFACE}')?._fullData?.length > 1", timeout=60_000)
    assert_no_exception(page)


def test_play_rolls_the_balls_down_the_surface(page: Page, app_url: str, screenshot):
    _open_landscape(page, app_url)
    chart = page.locator(".st-key-land_surface_chart")
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # let WebGL paint the first frame
    before = page.evaluate(BALLS_JS)
    assert len(before) == 3  # GD, momentum and Adam race by default
    before_png = chart.screenshot()
    screenshot("landscape-before-play")

    chart.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(f"({STEP_JS})()[0] > 5", timeout=60_000)  # ≥ 5 steps: every ball moved > 0.3
    after = page.evaluate(BALLS_JS)
    after_png = chart.screenshot()
    screenshot("landscape-after-play")

    moved = [abs(b[1] - a[1]) + abs(b[2] - a[2]) for a, b in zip(before, after, strict=True)]
    assert all(distance > 0.1 for distance in moved), (before, after)
    assert before_png != after_png
    assert_no_exception(page)


def test_diverging_learning_rate_is_explained(page: Page, app_url: str, screenshot):
    _open_landscape(page, app_url, "land_surface=Simple+bowl&land_lr=3.16")
    alerts = page.get_by_test_id("stAlert")
    expect(alerts.filter(has_text="flew off").first).to_be_visible(timeout=30_000)
    assert page.locator(".plotly-in-place").count() == 3  # the 3D view, the top view and the height chart
    page.locator(".st-key-land_contour_chart").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot("landscape-divergence")
    assert_no_exception(page)


def _play_to_the_end(page: Page) -> None:
    page.locator(".st-key-land_surface_chart").locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(f"(() => {{ const [active, last] = ({STEP_JS})(); return active === last; }})",
                           timeout=120_000)
    page.wait_for_timeout(800)


@pytest.mark.parametrize("query", ["land_surface=hills", "land_surface=real&land_resolution=21&land_steps=40"])
def test_every_ball_sits_above_the_surface_at_the_last_frame(page: Page, app_url: str, screenshot, query):
    page.set_viewport_size({"width": 1366, "height": 768})
    _open_landscape(page, app_url, query)
    _play_to_the_end(page)
    scene = page.evaluate(SCENE_JS)
    mesh = RegularGridInterpolator((np.array(scene["y"]), np.array(scene["x"])), np.array(scene["z"]))
    z_span = float(np.ptp(scene["z"]))
    assert len(scene["balls"]) == 3
    for name, x, y, z, outline in scene["balls"]:
        assert z > float(mesh([[y, x]])[0]) + 0.01 * z_span, (name, x, y, z)
        assert outline >= 2, name
    screenshot("landscape-last-frame-real" if "real" in query else "landscape-last-frame-hills")
    assert_no_exception(page)


def test_chart_and_play_fit_the_first_screen_at_1366x768(page: Page, app_url: str):
    page.set_viewport_size({"width": 1366, "height": 768})
    _open_landscape(page, app_url)
    page.evaluate("() => window.scrollTo(0, 0)")
    play = page.locator(".st-key-land_surface_chart").locator(".updatemenu-button").filter(has_text="Play").first
    box = play.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    chart = page.locator(".st-key-land_surface_chart").bounding_box()
    assert chart["y"] < 768 / 2, chart  # the 3D view starts in the upper half of the first screen
    # The top view and the height chart are drawn once: their margins already hold the legend, the colour bar and
    # the tick labels, so Plotly never grew one (each growth redraws the whole chart, 0.2-0.9 s per rerun before).
    two_d = ".st-key-land_contour_chart .js-plotly-plot, .st-key-land_loss_chart .js-plotly-plot"
    pushed = page.evaluate(f"""() => [...document.querySelectorAll('{two_d}')]
      .map(gd => ['l', 'r', 't', 'b']
        .filter(side => gd._fullLayout._size[side] > gd._fullLayout.margin[side] + 1))""")
    assert pushed == [[], []], pushed


def test_phone_player_buttons_do_not_overlap_and_page_content_passes_axe(page: Page, app_url: str, screenshot):
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": 390, "height": 844})
    _open_landscape(page, app_url, "land_mode=race")  # by address: on a phone the navigation is folded away
    chart = page.locator(".st-key-land_surface_chart")
    chart.scroll_into_view_if_needed()
    boxes = [button.bounding_box() for button in chart.locator(".updatemenu-button").all()]
    assert len(boxes) == 6
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left["x"] + left["width"] <= right["x"] + 0.5, (left, right)  # one row, side by side
    assert all(box["x"] + box["width"] <= 390 for box in boxes)
    pause = chart.locator(".updatemenu-button").filter(has_text="Pause").first
    chart.locator(".updatemenu-button").filter(has_text="Play").first.click()
    pause.click()  # reachable: nothing covers it
    screenshot("landscape-phone")
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)
        violations = Axe().run(page, context={"include": [["[data-testid='stMain']"]]}).response["violations"]
        serious = [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], (width, serious)


def _steps_to_300(page: Page, longer_than: int) -> None:
    """Press End on the Steps slider (300 steps) and wait until the 3D view's trails are longer than ``longer_than``
    points."""
    thumb = page.get_by_test_id("stSlider").filter(has_text="Steps").get_by_role("slider")
    thumb.focus()
    thumb.press("End")
    wait_for_app_run(page)
    page.wait_for_function(f"""() => document.querySelector('{SURFACE}')._fullData
        .filter(t => t.name.endsWith('(trail)')).every(t => t.x.length > {longer_than})""", timeout=30_000)


def test_a_slider_updates_the_3d_view_in_place_with_its_text_alternative(page: Page, app_url: str):
    """st.plotly_chart rebuilds a chart whose figure changed (a new WebGL context, ~1 s in this browser); the
    landscape's 3D view keeps its element and Plotly.react redraws the balls in it."""
    page.set_viewport_size({"width": 1366, "height": 768})
    _open_landscape(page, app_url, "land_steps=100")
    page.evaluate(f"() => {{ document.querySelector('{SURFACE}').__marked = true; }}")
    label_before = page.locator(".st-key-land_surface_chart [role='figure']").get_attribute("aria-label")
    trails_before = page.evaluate(f"""() => document.querySelector('{SURFACE}')._fullData
        .filter(t => t.name.endsWith('(trail)')).map(t => t.x.length)""")
    _steps_to_300(page, longer_than=max(trails_before))
    assert page.evaluate(f"() => document.querySelector('{SURFACE}').__marked === true")  # the same element
    label_after = page.locator(".st-key-land_surface_chart [role='figure']").get_attribute("aria-label")
    assert label_before.startswith("3D view of the surface") and label_after != label_before
    titles = page.evaluate(f"() => [...document.querySelectorAll('{SURFACE} .modebar-btn')]"
                           ".map(button => button.getAttribute('data-title'))")
    assert "Zoom" in titles and not any("Share" in title for title in titles)  # nothing uploads the figure
    assert_no_exception(page)


def test_the_real_network_sweep_legend_stays_clear_of_the_axis_title(page: Page, app_url: str, screenshot):
    """Ten legend entries under the loss chart: the legend used to sit at a fraction of the plot's height, which
    put it on the "step" axis title once the legend left the plot short."""
    from tests.e2e.test_phone import OVERLAP_JS

    page.set_viewport_size({"width": 1366, "height": 1800})
    _open_landscape(page, app_url, "land_surface=real&land_mode=sweep&land_resolution=21&land_steps=40")
    page.locator(".st-key-land_loss_chart").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.st-key-land_loss_chart .js-plotly-plot')?._fullLayout",
                           timeout=60_000)
    entries = page.locator(".st-key-land_loss_chart .legend .traces").count()
    assert entries == 10
    assert page.evaluate(OVERLAP_JS) == []
    screenshot("landscape-real-sweep-legend")
    assert_no_exception(page)


def test_charts_out_of_view_are_redrawn_when_they_come_into_view(page: Page, app_url: str):
    """A slider notch redraws the 3D view at once; the top view and the height chart below the first screen keep
    their figure until they come into view (then they draw the newest one); their text alternatives are new at
    once."""
    page.set_viewport_size({"width": 1366, "height": 768})
    _open_landscape(page, app_url, "land_steps=100")
    top_view = ".st-key-land_contour_chart .js-plotly-plot"
    page.wait_for_function(f"() => document.querySelector('{top_view}')?._fullData", timeout=60_000)
    lengths_js = f"""() => document.querySelector('{top_view}')._fullData
        .filter(t => t.mode === 'lines+markers').map(t => t.x.length)"""
    before = page.evaluate(lengths_js)
    alt_before = page.locator(".st-key-land_contour_chart [role='figure']").get_attribute("aria-label")
    page.evaluate("() => window.scrollTo(0, 0)")
    assert page.locator(".st-key-land_contour_chart").bounding_box()["y"] > 768  # below the first screen
    _steps_to_300(page, longer_than=max(before))
    page.wait_for_timeout(500)
    assert page.evaluate(lengths_js) == before  # not redrawn out of view
    assert page.evaluate(f"() => document.querySelector('{top_view}').dataset.stale") == "1"
    alt_after = page.locator(".st-key-land_contour_chart [role='figure']").get_attribute("aria-label")
    assert alt_after != alt_before  # the text alternative describes the new paths already
    page.locator(".st-key-land_contour_chart").scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({lengths_js})().every(n => n > {max(before)})", timeout=30_000)
    assert page.evaluate(f"() => document.querySelector('{top_view}').dataset.stale") is None
    assert_no_exception(page)


def test_switching_to_the_real_network_keeps_the_charts_below_and_draws_them_in_view(page: Page, app_url: str):
    """The charts under the 3D view are the same elements after the landscape is switched (updated in place, not
    built anew: the real network's work notice has its own reserved place above them), and they show the real
    network's top view once scrolled to."""
    page.set_viewport_size({"width": 1366, "height": 768})
    _open_landscape(page, app_url, "land_steps=40&land_resolution=21")
    page.wait_for_function("() => document.querySelector('.st-key-land_contour_chart .js-plotly-plot')?._fullData",
                           timeout=60_000)
    page.evaluate("() => document.querySelectorAll('.plotly-in-place').forEach(box => { box.__marked = true; })")
    page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="Landscape").first.click()
    page.get_by_role("option", name="The real network (cancer data)", exact=True).click()
    page.wait_for_function(f"""() => document.querySelector('{SURFACE}')
        .getAttribute('aria-label').startsWith('3D view of the training loss')""", timeout=60_000)
    wait_for_app_run(page)
    kept = page.evaluate("""() => [...document.querySelectorAll('.plotly-in-place')].map(box => [
        box.closest('[class*=st-key-]').className.match(/st-key-(\\w+)/)[1], box.__marked === true])""")
    assert kept == [["land_surface_chart", True], ["land_contour_chart", True], ["land_loss_chart", True]], kept
    page.locator(".st-key-land_contour_chart").scroll_into_view_if_needed()
    page.wait_for_function("""() => document.querySelector('.st-key-land_contour_chart .js-plotly-plot')
        ._fullLayout.title.text.includes('θ*')""", timeout=30_000)
    assert_no_exception(page)
