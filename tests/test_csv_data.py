"""CSV upload validation: every bad file from the issue gets a plain-words DataError; good files parse."""

from __future__ import annotations

import numpy as np
import pytest

from nn_core.csv_data import MAX_COLUMNS, MIN_ROWS, DataError, build_dataset, load_csv, read_table
from nn_core.data import split_and_scale
from nn_core.network import init_params, predict
from nn_core.training import train


def _table(rows: list[list[object]], header: list[str] | None = None, sep: str = ",") -> bytes:
    lines = ([sep.join(header)] if header else []) + [sep.join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _numeric_rows(n: int = 40, seed: int = 0) -> list[list[object]]:
    """n rows: three numeric features and a 0/1 label that depends on the first feature."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).round(3)
    y = (X[:, 0] + 0.3 * rng.normal(size=n) > 0).astype(int)
    y[:5], y[5:10] = 0, 1  # both classes, always at least 5 of each
    return [[*x, label] for x, label in zip(X.tolist(), y.tolist(), strict=True)]


def _with(rows, row, column, value):
    rows = [list(r) for r in rows]
    rows[row][column] = value
    return rows


HEADER = ["radius", "texture", "area", "label"]

# (case id, file bytes, a phrase the message must contain). The same table drives the page test.
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "empty"),
    ("only blank lines", b"\n \n\t\n", "empty"),
    ("no numeric feature", _table([["alice", "paris", i % 2] for i in range(30)], ["name", "city", "label"]),
     "No numeric feature"),
    ("non-numeric cell", _table(_with(_numeric_rows(), 7, 1, "abc"), HEADER), "mixes numbers and text"),
    ("too few rows left after missing values",
     _table([_with(_numeric_rows(), i, 0, "?")[i] if i < 25 else r for i, r in enumerate(_numeric_rows())], HEADER),
     "complete rows remain"),
    ("empty label column", _table([[*r[:3], "?"] for r in _numeric_rows()], HEADER), "is empty"),
    ("single class", _table([[*r[:3], 1] for r in _numeric_rows()], HEADER), "single class"),
    ("more than two classes", _table([[*r[:3], i % 3] for i, r in enumerate(_numeric_rows())], HEADER),
     "3 different values"),
    ("all features constant", _table([[1, 2, 3, i % 2] for i in range(30)], HEADER), "constant"),
    ("too few rows", _table(_numeric_rows()[:10], HEADER), f"at least {MIN_ROWS}"),
    ("too few rows of a class", _table([[*r[:3], int(i < 2)] for i, r in enumerate(_numeric_rows())], HEADER),
     "has only 2 rows"),
    ("too many columns", _table([list(range(MAX_COLUMNS + 50))] * 30), f"{MAX_COLUMNS + 50} columns"),
    ("only one column", _table([[i] for i in range(30)], ["value"]), "only one column"),
    ("binary bytes", bytes(range(256)) * 8, "not text"),
    ("excel workbook", b"PK\x03\x04" + bytes(200), "Excel"),
    ("bad encoding", "taille,poids,étiquette\n".encode("latin-1") + _table(_numeric_rows(), None), "not UTF-8"),
    ("json, not csv", b'{"radius": [1, 2, 3], "label": [0, 1, 0]}', "not a CSV"),
    ("ragged rows", _table(_numeric_rows(), HEADER) + b"1,2\n", "irregular"),
]


@pytest.mark.parametrize(("case", "data", "phrase"), BAD_FILES, ids=[case for case, _, _ in BAD_FILES])
def test_bad_file_gets_a_plain_words_message(tmp_path, case, data, phrase):
    path = tmp_path / "upload.csv"
    path.write_bytes(data)  # a real file on disk, read back the way an upload arrives: as bytes
    with pytest.raises(DataError) as error:
        load_csv(path.read_bytes())
    message = str(error.value)
    assert phrase.lower() in message.lower(), message
    assert "Traceback" not in message and len(message) > 30


def test_missing_values_are_dropped_and_counted(tmp_path):
    rows = _numeric_rows(40)
    rows = _with(_with(_with(rows, 3, 0, "?"), 11, 1, ""), 20, 2, "NaN")
    path = tmp_path / "gaps.csv"
    path.write_bytes(_table(rows, HEADER))
    result = load_csv(path.read_bytes())
    assert result.rows_dropped == 3
    assert result.dataset.X.shape == (37, 3)
    assert any("3 of 40 rows" in note for note in result.notes)
    assert np.isfinite(result.dataset.X).all()


def test_a_constant_column_is_dropped_with_a_note():
    rows = [[*r[:3], 7, r[3]] for r in _numeric_rows()]
    result = load_csv(_table(rows, ["radius", "texture", "area", "flat", "label"]))
    assert result.dataset.feature_names == ("radius", "texture", "area")
    assert any("'flat' is constant" in note for note in result.notes)


def test_header_is_detected_and_absence_of_header_too():
    rows = _numeric_rows()
    with_header = read_table(_table(rows, HEADER))
    without = read_table(_table(rows))
    assert with_header.has_header and with_header.columns == tuple(HEADER) and with_header.n_rows == 40
    assert not without.has_header and without.columns[0] == "column 1" and without.n_rows == 40
    forced = read_table(_table(rows, HEADER), header=False)  # the user says: the first row is data
    assert forced.n_rows == 41
    with pytest.raises(DataError, match="mixes numbers and text"):
        build_dataset(forced, forced.columns[-1], "1", [])


def test_text_label_id_column_and_semicolons_like_the_kaggle_export():
    rows = [[9000 + i, "M" if r[3] else "B", *r[:3]] for i, r in enumerate(_numeric_rows(60))]
    data = b"\xef\xbb\xbf" + _table(rows, ["id", "diagnosis", "radius", "texture", "area"], sep=";")  # UTF-8 BOM
    table = read_table(data)
    assert table.delimiter == ";" and table.columns[0] == "id"
    assert table.id_like_columns() == ["id"] and table.default_label_column() == "diagnosis"
    result = load_csv(data)
    assert result.dataset.feature_names == ("radius", "texture", "area")
    assert set(result.dataset.class_names) == {"B", "M"}
    positive = result.dataset.class_names[1]
    assert result.dataset.y.sum() == sum(1 for r in rows if r[1] == positive)


def test_a_text_feature_column_is_ignored_with_a_note():
    rows = [[*r[:3], "note", r[3]] for r in _numeric_rows()]
    result = load_csv(_table(rows, ["radius", "texture", "area", "comment", "label"]))
    assert "comment" not in result.dataset.feature_names
    assert any("'comment' holds text" in note for note in result.notes)


def test_the_uci_original_file_parses_and_trains(uci_csv):
    """No header, ID column first, '?' in bare nuclei, classes 2 / 4 — the article's own file."""
    table = read_table(uci_csv.read_bytes())
    assert not table.has_header and table.n_rows == 699
    assert table.id_like_columns() == ["column 1"]
    result = load_csv(uci_csv.read_bytes())
    assert result.rows_dropped == 16 and result.dataset.X.shape == (683, 9)
    assert result.dataset.class_names == ("2", "4") and result.dataset.y.sum() == 239
    accuracies = []
    for seed in range(5):
        split = split_and_scale(result.dataset, seed=seed)
        params, _ = train(init_params(9, 15, seed=1), split.X_train, split.Y_train, lr=0.1, iterations=300)
        accuracies.append(float((predict(params, split.X_test) == split.Y_test).mean()))
    assert np.mean(accuracies) >= 0.95, accuracies
