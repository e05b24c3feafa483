"""Model export: weights + scaling + names + threshold + settings in a plain .npz that predicts on raw rows."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from file_formats.model_io import PLAIN_NUMPY_USE, ModelFileError, SavedModel, export_model, load_model
from nn_core.data import load_cancer, split_and_scale
from nn_core.network import init_params, predict_proba
from nn_core.training import train
from tests.conftest import ROOT

SETTINGS = {"hidden": 8, "lr": 0.1, "optimizer": "gd", "data": "built-in <b>Wisconsin</b>"}


@pytest.fixture(scope="module")
def cancer():
    return load_cancer()


def _trained(cancer, scaling: str, seed: int = 0):
    split = split_and_scale(cancer, seed=seed, scaling=scaling)
    params, _ = train(init_params(30, 8, seed=1), split.X_train, split.Y_train, lr=0.1, iterations=150)
    raw = split_and_scale(cancer, seed=seed, scaling="none")  # the same split, unscaled: rows as a user has them
    np.testing.assert_array_equal(raw.Y_test, split.Y_test)
    return split, params, raw.X_test.T


def _export(split, params, threshold: float = 0.7) -> bytes:
    return export_model(params, scaling=split.scaling, feature_names=split.feature_names,
                        class_names=("benign", "malignant"), threshold=threshold, settings=SETTINGS)


@pytest.mark.parametrize("scaling", ["standard", "minmax", "none"])
def test_round_trip_predicts_the_test_set_from_raw_rows(tmp_path, cancer, scaling):
    split, params, raw_test_rows = _trained(cancer, scaling)
    path = tmp_path / "model.npz"
    path.write_bytes(_export(split, params))
    model = load_model(path)
    assert isinstance(model, SavedModel)
    expected = predict_proba(params, split.X_test).ravel()
    np.testing.assert_allclose(model.predict_proba_raw(raw_test_rows), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(model.predict_raw(raw_test_rows), (expected > 0.7).astype(int))
    assert model.feature_names == split.feature_names and model.class_names == ("benign", "malignant")
    assert model.threshold == 0.7 and model.settings == SETTINGS and model.scaling.method == scaling
    assert load_model(path.read_bytes()).threshold == 0.7  # bytes work as well as a path


def test_the_file_holds_only_plain_arrays(cancer):
    split, params, _ = _trained(cancer, "standard")
    with np.load(io.BytesIO(_export(split, params)), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    assert {array.dtype.kind for array in arrays.values()} <= {"f", "i", "U"}
    assert arrays["W1"].shape == (8, 30) and arrays["scale_offset"].shape == (30,)
    assert arrays["feature_names"][0] == "mean radius" and json.loads(str(arrays["settings_json"]))["hidden"] == 8
    np.testing.assert_allclose(arrays["scale_offset"], split.scaling.offset)


def test_a_single_raw_row_and_a_wrong_width_are_handled(cancer):
    split, params, raw_test_rows = _trained(cancer, "minmax")
    model = load_model(_export(split, params))
    assert model.predict_proba_raw(raw_test_rows[0]).shape == (1,)
    with pytest.raises(ValueError, match="30 raw measurements"):
        model.predict_proba_raw(raw_test_rows[:, :29])


def _rewrite(data: bytes, **changes) -> bytes:
    """The same .npz with some arrays replaced (None removes one); pickled arrays are allowed in here."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    for name, value in changes.items():
        if value is None:
            arrays.pop(name)
        else:
            arrays[name] = value
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_bad_files_are_refused_in_plain_words(tmp_path, cancer):
    split, params, _ = _trained(cancer, "standard")
    good = _export(split, params)
    weights_only = io.BytesIO()
    np.savez(weights_only, **params)
    text_zip = io.BytesIO()
    with zipfile.ZipFile(text_zip, "w") as archive:
        archive.writestr("W1.npy", "not an array")
    cases = [
        (b"W1,b1\n1,2\n", "not an .npz archive"),
        (text_zip.getvalue(), "'W1.npy' is not a NumPy array"),
        (_rewrite(good, W1=np.array([{"evil": 1}], dtype=object)), "Python objects (pickled data)"),
        (_rewrite(good, settings_json=np.array(["x", 1], dtype=object)), "Python objects (pickled data)"),
        (weights_only.getvalue(), "older weights-only export"),
        (_rewrite(good, scale_offset=None), "lacks scale_offset"),
        (_rewrite(good, b1=np.zeros((7, 1))), "'b1' has shape (7, 1)"),
        (_rewrite(good, feature_names=np.array(["a", "b"])), "'feature_names' has shape (2,)"),
        (_rewrite(good, scale_divisor=np.zeros(30)), "divisor is 0"),
        (_rewrite(good, threshold=np.array(1.5)), "threshold 1.5"),
        (_rewrite(good, W2=np.full((1, 8), np.nan)), "'W2' holds NaN"),
        (_rewrite(good, class_names=np.array([1.0, 2.0])), "'class_names' should be text"),
        (_rewrite(good, scaling=np.array("robust")), "scaling 'robust'"),
        (_rewrite(good, settings_json=np.array("{not json")), "not valid JSON"),
        (_rewrite(good, format=np.array("something-else")), "not a backprop-lab-model file"),
        (_rewrite(good, W1=np.asarray(params["W1"]) * 1e306), "'W1' holds a weight of size"),
        (_rewrite(good, b2=np.array([[2e6]])), "'b2' holds a weight of size 2e+06; a trained network's weights stay "
                                               "below 1e+06"),
        (_rewrite(good, format_version=np.array(1.9)), "format version 1.9 is not a whole number"),
        (_rewrite(good, format_version=np.array(1.0)), "format version 1.0 is not a whole number"),
        (_rewrite(good, format_version=np.array(2)), "format version 2 is unknown (this app reads version 1)"),
        (_rewrite(good, format_version=np.array([1, 1])), "format version of shape (2,) is not a whole number"),
        (_rewrite(good, W2=np.full((1, 8), 2**62, dtype=np.int64)), "'W2' should hold floating-point numbers but "
                                                                     "holds int64"),
        (_rewrite(good, threshold=np.array(1)), "'threshold' should hold floating-point numbers"),
    ]
    for data, phrase in cases:
        path = tmp_path / "model.npz"
        path.write_bytes(data)
        with pytest.raises(ModelFileError) as error:
            load_model(path)
        assert phrase in str(error.value), (phrase, str(error.value))
        assert str(error.value).startswith("This model file cannot be used")


def test_a_header_that_promises_a_huge_array_is_refused_before_reading(cancer):
    split, params, _ = _trained(cancer, "standard")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_export(split, params))) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "W1.npy":
                content = content.replace(b"(8, 30)", b"(800000000, 30)")
            target.writestr(member.filename, content)
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(buffer.getvalue())


def test_a_weight_just_inside_the_stated_magnitude_loads(cancer):
    split, params, _ = _trained(cancer, "standard")
    assert load_model(_rewrite(_export(split, params), b2=np.array([[1e6]]))).params["b2"][0, 0] == 1e6


def test_the_readme_and_page_snippet_uses_the_file_with_plain_numpy_and_matches_the_app(tmp_path, monkeypatch, cancer):
    """The exact text shown on the page and in the README, run against an exported file: no code from here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert PLAIN_NUMPY_USE in readme
    split, params, raw_test_rows = _trained(cancer, "minmax")
    (tmp_path / "backprop_lab_model.npz").write_bytes(_export(split, params, threshold=0.6))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(PLAIN_NUMPY_USE, "README snippet", "exec"), namespace)  # noqa: S102 — our own text, on purpose
    assert [line for line in PLAIN_NUMPY_USE.splitlines() if "import" in line] == ["import numpy as np"]
    proba, labels = namespace["predict"](raw_test_rows)
    model = load_model(tmp_path / "backprop_lab_model.npz")
    np.testing.assert_allclose(proba, model.predict_proba_raw(raw_test_rows), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(labels, model.predict_raw(raw_test_rows))
    assert 0 < labels.sum() < len(labels)  # both classes: the threshold is really applied
