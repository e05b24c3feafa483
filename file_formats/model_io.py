"""A trained model a user can take away: weights plus everything needed to apply them to raw measurements.

``export_model`` writes an .npz of plain arrays only (floats and unicode strings; settings as a JSON string),
so ``np.load(..., allow_pickle=False)`` opens it anywhere. ``load_model`` reads one back — checking every
array before use and refusing pickled objects, missing arrays and wrong shapes with a plain message — and
returns a ``SavedModel`` that scales raw rows the way the training rows were scaled, then runs the network.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from file_formats.csv_data import DataError
from nn_core.data import SCALINGS, FeatureScaling
from nn_core.network import PARAM_NAMES, Params, predict_proba

FORMAT = "backprop-lab-model"
FORMAT_VERSION = 1
MAX_MODEL_BYTES = 50 * 1024 * 1024  # 64 hidden units × 200 features is ~100 KB; anything far larger is not ours
# Everything a model holds, unpacked: 64 units × 200 features, 200 names of 500 characters and the settings are
# under 1 MB. A member padded to 45 MB (it packs to almost nothing) is refused before it is read.
MAX_ARRAYS_BYTES = 4 * 1024 * 1024
# The scaling a model applies to raw measurements, (raw − offset) / divisor. A spread is positive; scikit-learn
# turns one below ~2.2e-15 into 1, so a trained model's divisor is never smaller than MIN_DIVISOR. An offset or a
# divisor beyond MAX_SCALE (raw values of 10^15 and more) pushes scaled rows through the weights to overflow:
# an offset of 1e308 made every probability NaN.
MIN_DIVISOR, MAX_SCALE = 1e-15, 1e15
# Largest |weight| a model file may hold. Trained on scaled inputs, the network's weights stay within a few
# tens (a diverged run is stopped long before 1e6); a weight of 1e6 already saturates every unit it feeds.
MAX_WEIGHT_MAGNITUDE = 1e6

# The few lines that use an exported model with plain NumPy and no code from this repository (shown on the
# training page and in the README; tests/test_model_io.py runs exactly this text against an exported file).
PLAIN_NUMPY_USE = """\
import numpy as np

model = np.load("backprop_lab_model.npz", allow_pickle=False)  # plain arrays, never a pickle


def predict(rows):
    \"\"\"rows: raw measurements, one row per tumour, columns in the order of model["feature_names"].\"\"\"
    X = ((np.asarray(rows, dtype=float) - model["scale_offset"]) / model["scale_divisor"]).T  # scaled, (n_x, m)
    A1 = np.maximum(0, model["W1"] @ X + model["b1"])  # hidden layer: ReLU
    Z2 = model["W2"] @ A1 + model["b2"]
    Yh = 0.5 * (1 + np.tanh(Z2 / 2))  # the sigmoid 1 / (1 + e^-Z2), without overflow
    labels = (Yh > model["threshold"]).astype(int)  # 1 = model["class_names"][1]
    return Yh.ravel(), labels.ravel()
"""
_TEXT_ARRAYS = ("format", "scaling", "feature_names", "class_names", "settings_json")
_NUMBER_ARRAYS = ("format_version", *PARAM_NAMES, "scale_offset", "scale_divisor", "threshold")
_MEMBERS = {f"{name}.npy" for name in (*_TEXT_ARRAYS, *_NUMBER_ARRAYS)}


class ModelFileError(DataError):
    """A model file that cannot be used, with a message in plain words."""


@dataclass(frozen=True)
class SavedModel:
    """A loaded model: the network, the scaling of its inputs, and what its inputs and outputs mean."""

    params: Params
    scaling: FeatureScaling
    feature_names: tuple[str, ...]
    class_names: tuple[str, str]  # label 0, label 1
    threshold: float
    settings: dict[str, object]

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    def _checked_rows(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=float)
        if rows.ndim == 1:
            rows = rows.reshape(1, -1)
        if rows.ndim != 2 or rows.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} raw measurements ({', '.join(self.feature_names)})"
                             f", one row per sample; got an array of shape {rows.shape}")
        return rows

    def predict_proba_raw(self, rows: np.ndarray) -> np.ndarray:
        """P(class 1) for raw measurement rows (m, n_x), as a user has them: scaled as in training, then the net."""
        scaled = self.scaling.apply(self._checked_rows(rows))
        return predict_proba(self.params, np.ascontiguousarray(scaled.T)).ravel()

    def predict_raw(self, rows: np.ndarray) -> np.ndarray:
        """0/1 per raw row at the saved threshold (1 = ``class_names[1]``), shape (m,)."""
        return (self.predict_proba_raw(rows) > self.threshold).astype(int)


def scaling_problem(method: str, offset: np.ndarray, divisor: np.ndarray) -> str | None:
    """Why a scaling would make a model predict nonsense (NaN, or the same for every row), or None."""
    if np.any(divisor <= 0):
        return f"a scaling divisor is {float(np.min(divisor)):g}: a spread is always positive."
    if method == "none" and (np.any(offset != 0) or np.any(divisor != 1)):
        return "its scaling is 'none' but its offsets and divisors are not 0 and 1."
    largest = float(np.max(np.abs(offset), initial=0.0))
    if largest > MAX_SCALE:
        return (f"a scaling offset is {largest:.3g}; scaled against it, measurements of ordinary size pass through "
                f"the weights as numbers too large to compute with (the limit is {MAX_SCALE:g}).")
    smallest, widest = float(np.min(divisor, initial=1.0)), float(np.max(divisor, initial=1.0))
    if smallest < MIN_DIVISOR or widest > MAX_SCALE:
        odd = smallest if smallest < MIN_DIVISOR else widest
        return (f"a scaling divisor is {odd:.3g}; a spread of measurements lies between {MIN_DIVISOR:g} and "
                f"{MAX_SCALE:g} (a smaller one blows ordinary measurements up past what can be computed).")
    return None


def export_model(params: Params, *, scaling: FeatureScaling, feature_names: Sequence[str],
                 class_names: Sequence[str], threshold: float, settings: Mapping[str, object]) -> bytes:
    """The .npz bytes: W1, b1, W2, b2, the scaling, names, threshold and settings — plain arrays only.
    Raises ValueError (in plain words) for a model that ``load_model`` would refuse."""
    n_h, n_x = np.shape(params["W1"])
    if len(feature_names) != n_x or np.shape(scaling.offset) != (n_x,) or np.shape(scaling.divisor) != (n_x,):
        raise ValueError(f"W1 takes {n_x} features but there are {len(feature_names)} names and scaling for "
                         f"{np.size(scaling.offset)}")
    if len(class_names) != 2:
        raise ValueError("class_names must name label 0 and label 1")
    problem = scaling_problem(scaling.method, np.asarray(scaling.offset, dtype=float),
                              np.asarray(scaling.divisor, dtype=float))
    if problem is not None:
        raise ValueError(f"This model cannot be exported: {problem}")
    arrays = {
        "format": np.array(FORMAT), "format_version": np.array(FORMAT_VERSION),
        **{name: np.array(params[name], dtype=float) for name in PARAM_NAMES},
        "scaling": np.array(scaling.method), "scale_offset": np.asarray(scaling.offset, dtype=float),
        "scale_divisor": np.asarray(scaling.divisor, dtype=float),
        "feature_names": np.array([str(name) for name in feature_names], dtype=str),
        "class_names": np.array([str(name) for name in class_names], dtype=str),
        "threshold": np.array(float(threshold)),
        "settings_json": np.array(json.dumps(dict(settings), sort_keys=True, default=str)),
    }
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _refuse(message: str) -> ModelFileError:
    return ModelFileError(f"This model file cannot be used: {message}")


def _check_members(archive: zipfile.ZipFile) -> None:
    """Look at each array's header before anything is read: no objects (pickles), no size beyond the file."""
    members = archive.infolist()
    for member in members:
        if member.filename not in _MEMBERS:
            raise _refuse(f"it holds '{member.filename}', which a Backprop Lab model does not have.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_ARRAYS_BYTES:
        raise _refuse(f"its arrays would take {unpacked / 2**20:.1f} MB unpacked; a Backprop Lab model takes less than "
                      f"{MAX_ARRAYS_BYTES // 2**20} MB.")
    for member in members:
        with archive.open(member) as handle:
            try:
                version = np.lib.format.read_magic(handle)
                shape, _, dtype = (np.lib.format.read_array_header_1_0(handle) if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0(handle))
            except ValueError:
                raise _refuse(f"'{member.filename}' is not a NumPy array.") from None
        if dtype.hasobject:
            raise _refuse(f"'{member.filename}' holds Python objects (pickled data), which this app never loads. "
                          "Use the .npz exported by the training page.")
        if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > member.file_size:
            raise _refuse(f"'{member.filename}' is damaged (its header promises more data than it holds).")


def _arrays(source: bytes | str | Path) -> dict[str, np.ndarray]:
    data = Path(source).read_bytes() if isinstance(source, str | Path) else bytes(source)
    if len(data) > MAX_MODEL_BYTES:
        raise _refuse(f"the file is {len(data) / 2**20:.1f} MB; a Backprop Lab model is far smaller.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError):
        raise _refuse("it is not an .npz archive. Use the 'Model (.npz)' file exported by the training page.") from None
    except ValueError as error:  # e.g. numpy refusing an object array, a damaged array
        raise _refuse(f"an array cannot be read ({error}).") from None


def _shown(array: np.ndarray) -> str:
    return str(array.item()) if array.size == 1 else f"of shape {array.shape}"


def load_model(source: bytes | str | Path) -> SavedModel:
    """Read an exported model (bytes or a path), checking every array; raises ``ModelFileError`` in plain words."""
    arrays = _arrays(source)
    missing = [name for name in (*_TEXT_ARRAYS, *_NUMBER_ARRAYS) if name not in arrays]
    if missing:
        only_weights = set(arrays) == set(PARAM_NAMES) or set(arrays) == {*PARAM_NAMES, "threshold"}
        hint = (" It looks like an older weights-only export, which lacks the scaling and names needed to predict "
                "on raw measurements." if only_weights else "")
        raise _refuse(f"it lacks {', '.join(missing)}.{hint}")
    for name in _TEXT_ARRAYS:
        if arrays[name].dtype.kind != "U":
            raise _refuse(f"'{name}' should be text but holds {arrays[name].dtype}.")
    if str(arrays["format"]) != FORMAT:
        raise _refuse(f"it is not a {FORMAT} file.")
    version = arrays["format_version"]
    if version.shape != () or version.dtype.kind not in "iu":
        raise _refuse(f"its format version {_shown(version)} is not a whole number (this app reads version "
                      f"{FORMAT_VERSION}).")
    if int(version) != FORMAT_VERSION:
        raise _refuse(f"its format version {int(version)} is unknown (this app reads version {FORMAT_VERSION}).")
    for name in _NUMBER_ARRAYS[1:]:
        if arrays[name].dtype.kind != "f":
            raise _refuse(f"'{name}' should hold floating-point numbers but holds {arrays[name].dtype}.")
        if not np.all(np.isfinite(arrays[name])):
            raise _refuse(f"'{name}' holds NaN or infinite values.")
    for name in PARAM_NAMES:
        largest = float(np.max(np.abs(arrays[name]), initial=0.0))
        if largest > MAX_WEIGHT_MAGNITUDE:
            raise _refuse(f"'{name}' holds a weight of size {largest:.3g}; a trained network's weights stay below "
                          f"{MAX_WEIGHT_MAGNITUDE:g}.")

    W1, b1, W2, b2 = (arrays[name].astype(float) for name in PARAM_NAMES)
    if W1.ndim != 2:
        raise _refuse(f"W1 should be a matrix (hidden units × features) but has shape {W1.shape}.")
    n_h, n_x = W1.shape
    expected = {"b1": (n_h, 1), "W2": (1, n_h), "b2": (1, 1), "scale_offset": (n_x,), "scale_divisor": (n_x,),
                "feature_names": (n_x,), "class_names": (2,), "threshold": ()}
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise _refuse(f"'{name}' has shape {arrays[name].shape}; with W1 of shape {W1.shape} it must be {shape}.")
    threshold = float(arrays["threshold"])
    if not 0.0 < threshold < 1.0:
        raise _refuse(f"the threshold {threshold} is not between 0 and 1.")
    method = str(arrays["scaling"])
    if method not in SCALINGS:
        raise _refuse(f"the scaling '{method}' is not one of {', '.join(SCALINGS)}.")
    if (problem := scaling_problem(method, arrays["scale_offset"], arrays["scale_divisor"])) is not None:
        raise _refuse(problem)
    negative, positive = (str(name) for name in arrays["class_names"])
    if not negative.strip() or not positive.strip():
        raise _refuse("a class name is empty: the model's answers would have no name.")
    if negative == positive:
        raise _refuse(f"both classes are called '{negative}': the model's two answers could not be told apart.")
    try:
        settings = json.loads(str(arrays["settings_json"]))
    except json.JSONDecodeError:
        raise _refuse("its settings are not valid JSON.") from None
    if not isinstance(settings, dict):
        raise _refuse("its settings are not a JSON object.")
    return SavedModel(
        params={"W1": W1, "b1": b1, "W2": W2, "b2": b2},
        scaling=FeatureScaling(method, arrays["scale_offset"].astype(float), arrays["scale_divisor"].astype(float)),
        feature_names=tuple(str(name) for name in arrays["feature_names"]),
        class_names=(negative, positive),
        threshold=threshold, settings=settings)
