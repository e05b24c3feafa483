"""Every key a link carries is applied or named (streamlit_glue/link_guard.py): a key no page reads — a typo, a
zero-width character inside a known key — is named in a plain note on every page and leaves the address; a value
given twice is named, not silently replaced by the last one."""

from __future__ import annotations

import pytest

from lessons.run_link import RUN_PARAM
from streamlit_glue.link_guard import UNKNOWN_KEY

PAGES = {"home": None, "lesson": "app_pages/lesson.py", "forward_backward": "app_pages/forward_backward.py",
         "train_cancer": "app_pages/train_cancer.py", "landscape": "app_pages/landscape.py"}
ZERO_WIDTH = "\u200b"


def _notes(at) -> list[str]:
    """Every link note on the page, as the reader sees it (Markdown escapes removed)."""
    shown = [element.value for element in at.warning] + [element.value for element in at.text]
    return [value.replace("\\", "").removeprefix("⚠ ") for value in shown if "from the link" in value]


def _open(app_test, page: str | None, query: dict[str, str]):
    at = app_test(page, query_params=query)
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("key", "shown"), [("train_hiden", "train_hiden"),
                                            (f"fb_{ZERO_WIDTH}seed", "fb_\ufffdseed"),
                                            (f"land_{ZERO_WIDTH}seed", "land_\ufffdseed")])
def test_a_key_no_page_reads_is_named_and_leaves_the_address(app_test, page, key, shown):
    at = _open(app_test, PAGES[page], {key: "8", "present": "true"})
    assert _notes(at) == [f"Ignored {shown}=8 from the link: {UNKNOWN_KEY}."]  # present=true is not named
    assert key not in at.query_params
    assert at.query_params.get("present") in ("true", ["true"])  # an app-wide key is every page's


def test_the_pages_own_keys_are_not_called_unknown(app_test):
    at = _open(app_test, PAGES["train_cancer"], {"train_hidden": "8"})
    assert not _notes(at)
    at = _open(app_test, PAGES["landscape"], {"land_seed": "3", RUN_PARAM: "hidden:15"})
    assert not [note for note in _notes(at) if UNKNOWN_KEY in note]


def test_a_run_given_twice_is_named_not_replaced_by_the_last(app_test):
    from lessons.run_link import encode_run
    from streamlit_glue.training_controls import TrainingControls

    controls = TrainingControls("builtin", 0.2, True, "standard", 0, 15, 0.1, "full", 32, 100, "gd", 1)
    one = encode_run(controls.run_spec(controls.run_config(455), None))
    two = encode_run(controls.run_spec(controls.run_config(455), None)).replace("hidden:15", "hidden:8")
    at = app_test()
    at.query_params[RUN_PARAM] = [one, two]
    at.switch_page(PAGES["landscape"]).run()
    assert not at.exception, at.exception
    notes = _notes(at)
    assert any(note.startswith(f"Ignored {RUN_PARAM}=") and note.endswith("expected one value.") for note in notes)
    assert not any("Your run from the training page" in header.value for header in at.header)
    assert RUN_PARAM not in at.query_params


def test_a_teachers_secret_is_read_by_the_live_class_never_echoed_as_unknown(app_test):
    at = _open(app_test, PAGES["lesson"], {"teacher": "s3cret-teacher-key", "train_hiden": "8"})
    shown = " ".join(element.value for kind in ("warning", "text", "markdown", "error", "info", "caption")
                     for element in at.get(kind))
    assert "s3cret" not in shown
    assert f"Ignored train_hiden=8 from the link: {UNKNOWN_KEY}." in _notes(at)  # other keys are still named
