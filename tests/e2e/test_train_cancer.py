"""The training page in headless Chromium: defaults train live, the threshold moves the matrix, the UCI
original file trains through the upload, a too-high learning rate and a bad CSV get plain messages."""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from bench.classroom import Lesson, Scenario, Target, run_class
from lessons.server_capacity import heavy_slots
from tests.e2e.conftest import assert_no_exception, wait_for_app_run

pytestmark = pytest.mark.e2e
TALL = {"width": 1400, "height": 4200}  # the main column scrolls; a tall window puts the whole page on one shot


def _open(page: Page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    wait_for_app_run(page)
    return time.perf_counter() - started


def _charts_drawn(page: Page, count: int) -> None:
    """Plotly draws after the script finishes; on a busy machine give it time before a screenshot."""
    expect(page.locator(".js-plotly-plot")).to_have_count(count, timeout=60_000)
    page.wait_for_timeout(500)


def test_defaults_train_and_threshold_moves_the_matrix(page: Page, app_url: str, screenshot):
    page.set_viewport_size(TALL)
    seconds = _open(page, f"{app_url}/train_cancer")
    expect(page.get_by_text(re.compile(r"Trained 300 iterations in"))).to_be_visible()
    assert_no_exception(page)
    _charts_drawn(page, 4)  # loss, confusion matrix, ROC, gradient flow (the replay waits for its toggle)
    # the progress bar is set later in the same run
    expect(page.get_by_text("iteration 300 / 300")).to_be_visible(timeout=30_000)
    print(f"\nopen page + train with defaults, end to end: {seconds:.2f} s")

    started = time.perf_counter()
    page.get_by_role("button", name="Train", exact=True).click()
    wait_for_app_run(page)
    print(f"Train button, end to end: {time.perf_counter() - started:.2f} s")
    _charts_drawn(page, 4)
    screenshot("train_cancer_defaults")

    confusion = page.locator(".st-key-train_confusion .js-plotly-plot")
    before = confusion.inner_text()
    thumb = page.get_by_test_id("stSlider").filter(has_text="Decision threshold").get_by_role("slider")
    thumb.focus()
    thumb.press("End")  # one keypress, one rerun: the threshold jumps to its maximum, 0.95
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSlider").filter(has_text="Decision threshold")).to_contain_text("0.95")
    expect(page.get_by_text(re.compile(r"Trained 300 iterations"))).to_be_visible()  # no retraining message change
    assert confusion.inner_text() != before
    assert "train_threshold=0.95" in page.url
    assert_no_exception(page)
    _charts_drawn(page, 4)
    screenshot("train_cancer_threshold")


HEAVY_RUN = "train_batch_mode=SGD&train_epochs=100&train_hidden=64"  # 45,500 updates: ~3 s alone on a quiet core


def _heavy_link(app_url: str, seed: int) -> str:
    """A heavy run on a link nobody has trained yet (a seed no other test uses)."""
    return f"{app_url}/train_cancer?{HEAVY_RUN}&train_seed={seed}"


def test_stop_while_waiting_for_a_slot_cancels_and_train_then_runs(page: Page, app_url: str, screenshot):
    """The server runs one heavy job per core. With the queue full of other students' runs, this student's run
    waits in line, says so, and its Stop works; pressing Train afterwards gets a slot and trains. (A run that waits
    on purpose: a run alone ends in ~2 s, too soon to press Stop reliably in the middle of it.)"""
    others = 3 * heavy_slots()  # bench/classroom.py's protocol-level students, each on a heavy link of its own
    target = Target("others", app_url, Lesson("train_cancer", HEAVY_RUN + "&train_seed={seed}"), None)
    with ThreadPoolExecutor(max_workers=1) as pool:  # its own event loop: pytest-playwright's runs in this thread
        class_done = pool.submit(asyncio.run, run_class(target, Scenario("others", others, 0.0, heavy=True),
                                                        seed=910, think=(0.0, 0.0), timeout=120))
        page.wait_for_timeout(1500)  # their runs have taken the slots and the line
        page.set_viewport_size(TALL)
        page.goto(_heavy_link(app_url, 9199))
        waiting = page.get_by_text(re.compile(r"Waiting for a free slot — (you are next|\d+ ahead)"))
        expect(waiting).to_be_visible(timeout=30_000)
        screenshot("train_cancer_waiting_for_a_slot")
        page.get_by_test_id("stMain").get_by_role("button", name="Stop", exact=True).click()
        expect(page.get_by_text("Stopped before training began.")).to_be_visible(timeout=30_000)
        expect(waiting).to_have_count(0)
        assert_no_exception(page)
        page.get_by_test_id("stMain").get_by_role("button", name="Train", exact=True).click()
        expect(page.get_by_text(re.compile(r"iteration 45500 / 45500"))).to_be_visible(timeout=120_000)
        assert_no_exception(page)
        assert class_done.result(timeout=180).errors == []


def test_uci_upload_trains(page: Page, app_url: str, screenshot, uci_csv):
    page.set_viewport_size(TALL)
    _open(page, f"{app_url}/train_cancer?train_source=Upload+a+CSV")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(uci_csv))
    expect(page.get_by_text("16 of 699 rows had missing values")).to_be_visible(timeout=60_000)
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile(r"Trained 300 iterations"))).to_be_visible()
    assert page.get_by_test_id("stAlertContentError").count() == 0
    accuracy = float(page.get_by_test_id("stMetric").filter(has_text="Accuracy").get_by_test_id(
        "stMetricValue").inner_text())
    assert accuracy >= 0.94
    assert_no_exception(page)
    _charts_drawn(page, 4)
    screenshot("train_cancer_uci_upload")


def test_too_high_learning_rate_and_bad_csv_get_plain_messages(page: Page, app_url: str, screenshot, tmp_path):
    page.set_viewport_size(TALL)
    _open(page, f"{app_url}/train_cancer?train_lr=10&train_replay_on=true")
    expect(page.get_by_text(re.compile(r"the loss exploded"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"learning rate 10 is too high"))).to_be_visible()
    assert_no_exception(page)
    _charts_drawn(page, 4)  # the replay is on, but a run that blew up has none
    expect(page.locator(".js-plotly-plot").first).to_contain_text("loss exploded")  # the mark where it stopped
    screenshot("train_cancer_divergence")

    bad = tmp_path / "photo.csv"
    bad.write_bytes(bytes(range(256)) * 16)
    _open(page, f"{app_url}/train_cancer?train_source=Upload+a+CSV")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    expect(page.get_by_text(re.compile(r"This file is not text"))).to_be_visible(timeout=60_000)
    assert_no_exception(page)
    screenshot("train_cancer_bad_csv")


def test_the_feature_selection_lives_in_the_page_address(page: Page, app_url: str, browser):
    """The page says every setting lives in the address: remove a feature, open the link elsewhere, 29 stay."""
    page.set_viewport_size(TALL)
    _open(page, f"{app_url}/train_cancer")
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Features")
    box.get_by_role("button", name=re.compile(r"Remove mean radius")).first.click()
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile(r"455 training rows × 29 features"))).to_be_visible()
    link = page.url
    assert "train_features=" in link
    other = browser.new_page(viewport=TALL)  # a second session, as a colleague who got the link
    try:
        _open(other, link)
        expect(other.get_by_text(re.compile(r"455 training rows × 29 features"))).to_be_visible()
        assert_no_exception(other)
    finally:
        other.close()


def test_on_a_phone_a_links_settings_are_applied_or_named_in_the_page_body(page: Page, app_url: str, screenshot):
    """390×844: the settings are in the page (no » sidebar to find), a link's keys become the widgets' labels
    (Streamlit reads labels from the address), and a value that is not applied is named as plain text."""
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, f"{app_url}/train_cancer?train_scaling=minmax&train_optimizer=adam&train_batch_mode=mini"
                "&train_view=%3Cscript%3Ex%3C/script%3E&train_replay_on=true")
    for key, label in (("train_scaling", "Min-max"), ("train_optimizer", "Adam"), ("train_batch_mode", "Mini-batch")):
        assert f"{key}={label}" in page.url, page.url
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("combobox", name="Scaling")).to_have_value("Min-max")
    expect(main.get_by_role("slider", name="Hidden units")).to_be_attached()
    expect(main.get_by_role("slider", name="Mini-batch size")).to_be_attached()  # drawn for mini-batches only
    note = "Ignored train_view=<script>x</script> from the link: not one of plane, two."
    expect(main.get_by_text(note)).to_be_visible()
    assert page.locator("script", has_text="x").count() == 0
    assert_no_exception(page)
    screenshot("train_cancer_phone_link")
