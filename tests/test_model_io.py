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
        (_rewrite(good, threshold=np.array(1.0)), "threshold 1.0 is not between 0 and 1"),  # every row label 0
        (_rewrite(good, threshold=np.array(0.0)), "threshold 0.0 is not between 0 and 1"),  # every row label 1
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


def _padded(data: bytes, name: str, size: int) -> bytes:
    """The same archive with one more member of ``size`` zero bytes (it packs to almost nothing)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member))
        header = io.BytesIO()
        np.lib.format.write_array(header, np.zeros(size // 8))
        target.writestr(name, header.getvalue())
    return buffer.getvalue()


def test_files_that_would_predict_nonsense_are_refused_in_words(cancer):
    """Each of these loaded before and then predicted NaN (offset 1e308), blew raw rows up past what can be computed
    (divisor 1e-300), flipped every feature (a negative divisor), named both answers alike, or unpacked 45 MB."""
    split, params, raw_rows = _trained(cancer, "standard")
    good = _export(split, params)
    offset, divisor = split.scaling.offset, split.scaling.divisor
    cases = [
        (_rewrite(good, scale_offset=np.full(30, 1e308)), "a scaling offset is 1e+308"),
        (_rewrite(good, scale_divisor=np.full(30, 1e-300)), "a scaling divisor is 1e-300"),
        (_rewrite(good, scale_divisor=-divisor), f"a scaling divisor is {float(np.min(-divisor)):g}: a spread is "
                                                 "always positive"),
        (_rewrite(good, scale_divisor=np.zeros(30)), "a scaling divisor is 0"),
        (_rewrite(good, class_names=np.array(["benign", "benign"])), "both classes are called 'benign'"),
        (_rewrite(good, class_names=np.array(["", "malignant"])), "a class name is empty"),
        (_rewrite(good, scaling=np.array("none")), "its scaling is 'none' but its offsets and divisors are not"),
        (_padded(good, "padding.npy", 45 * 2**20), "it holds 'padding.npy'"),
        (_padded(_rewrite(good, settings_json=None), "settings_json.npy", 45 * 2**20), "45.0 MB unpacked"),
    ]
    for data, phrase in cases:
        assert len(data) < 1024 * 1024  # each is a small file: only its content is wrong
        with pytest.raises(ModelFileError) as error:
            load_model(data)
        assert phrase in str(error.value), (phrase, str(error.value))
    # what the refused values would have done
    with np.errstate(all="ignore"):
        nan_model = load_model(good)
        nan_scaling = type(nan_model.scaling)("standard", np.full(30, 1e308), divisor)
        assert np.all(np.isnan(predict_proba(params, nan_scaling.apply(raw_rows).T)))
    # the limits leave every model this app trains loadable, at the edge too
    edge = _rewrite(good, scale_offset=np.full(30, 1e15), scale_divisor=np.full(30, 1e-15))
    assert np.all(np.isfinite(load_model(edge).predict_proba_raw(raw_rows)))
    assert load_model(good).scaling.offset.tolist() == offset.tolist()


def test_an_export_that_could_not_be_loaded_is_refused_in_words(cancer):
    split, params, _ = _trained(cancer, "standard")
    wild = type(split.scaling)("standard", np.full(30, 1e20), split.scaling.divisor)
    with pytest.raises(ValueError, match="cannot be exported: a scaling offset is 1e\\+20"):
        export_model(params, scaling=wild, feature_names=split.feature_names, class_names=("benign", "malignant"),
                     threshold=0.5, settings=SETTINGS)
