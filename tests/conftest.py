"""Shared fixtures: the project root, AppTest runs of the entry point, and the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SHARED_DATA = ROOT.parent / "shared" / "data"
UCI_CSV = SHARED_DATA / "breast-cancer-wisconsin-original.csv"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
APPTEST_TIMEOUT = 120  # seconds per script run: imports of sklearn and plotly are slow on a 2-core machine


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_data outlives an AppTest within one pytest process; start every test cold."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def app_test():
    """A factory: an AppTest of the entry point, switched to ``page`` (e.g. "app_pages/landscape.py") and run."""
    from streamlit.testing.v1 import AppTest

    def open_page(page: str | None = None, query_params: dict[str, str] | None = None):
        """Like a deep link: the link's values reach the page they are for (a browser opening /lesson?… runs that
        page, never the home page with the lesson's keys, which home would name as not its own)."""
        at = AppTest.from_file(str(APP), default_timeout=APPTEST_TIMEOUT)
        at.query_params.update(query_params or {})
        if page is not None:
            at.switch_page(page)
        return at.run()

    return open_page


@pytest.fixture(scope="session")
def split():
    """The built-in data, 20 % test rows, split seed 0, standardized: the split most unit tests train on."""
    from nn_core.data import load_cancer, split_and_scale

    return split_and_scale(load_cancer(), test_size=0.2, seed=0)


@pytest.fixture
def sklearn_breast_cancer_csv() -> Path:
    """scikit-learn's own shipped copy of the Wisconsin data: a first line of counts and class names
    (``569,30,malignant,benign``), no header, 30 features and the target (0 = malignant, 1 = benign)."""
    import sklearn

    return Path(sklearn.__file__).parent / "datasets" / "data" / "breast_cancer.csv"


@pytest.fixture
def uci_csv() -> Path:
    """The UCI original Wisconsin file from ../shared/data; skips in a fresh clone, required in CI."""
    if not UCI_CSV.is_file():
        if IN_CI:
            pytest.fail(f"CI=true but the shared test file is missing: {UCI_CSV}")
        pytest.skip(f"{UCI_CSV} is absent (a fresh clone without ../shared); this test needs the real UCI file")
    return UCI_CSV
