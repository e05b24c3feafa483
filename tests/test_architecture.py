"""The house's one-way arrows, read from the source (no imports run, so it takes milliseconds):

    app_pages → streamlit_glue → lessons → viz → nn_core

nn_core is the article's math (NumPy, SciPy, scikit-learn); viz draws it with Plotly; lessons says what each
lesson shows and how it judges, without Streamlit; streamlit_glue holds caches and session state; a page
never imports another page.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PROJECT_PACKAGES = ("nn_core", "viz", "lessons", "streamlit_glue", "app_pages")
FORBIDDEN: dict[str, set[str]] = {
    "nn_core": {"viz", "lessons", "streamlit_glue", "app_pages", "streamlit", "plotly", "site_map"},
    "viz": {"lessons", "streamlit_glue", "app_pages", "streamlit", "site_map"},
    "lessons": {"streamlit_glue", "app_pages", "streamlit", "site_map"},
    "streamlit_glue": {"app_pages"},
    "app_pages": {"app_pages"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level names a module imports (``from a.b import c`` → "a"); relative imports stay in-package."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_package_is_checked():
    assert set(FORBIDDEN) == set(PROJECT_PACKAGES)
    for package in PROJECT_PACKAGES:
        assert list((ROOT / package).glob("*.py")), f"{package}/ holds no module"


@pytest.mark.parametrize("package", PROJECT_PACKAGES)
def test_imports_point_one_way(package):
    wrong = {f"{path.relative_to(ROOT)} imports {name}"
             for path in sorted((ROOT / package).glob("*.py"))
             for name in imported_packages(path) & FORBIDDEN[package]}
    assert not wrong, sorted(wrong)


def test_the_checker_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import numpy as np\nfrom streamlit.runtime import caching\nfrom . import sibling\n")
    assert imported_packages(module) == {"numpy", "streamlit"}
