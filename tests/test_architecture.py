"""The house's one-way arrows: nn_core imports neither Streamlit nor Plotly; viz imports no Streamlit."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(("package", "forbidden"), [("nn_core", ("streamlit", "plotly")), ("viz", ("streamlit",)),
                                                 ("lessons", ("streamlit", "plotly"))])
def test_layers_do_not_import_what_sits_above_them(package, forbidden):
    modules = sorted(path.stem for path in (ROOT / package).glob("*.py") if path.stem != "__init__")
    code = (f"import sys, importlib\nfor name in {modules!r}: importlib.import_module('{package}.' + name)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
