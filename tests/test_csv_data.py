"""CSV upload validation: every bad file from the issue gets a plain-words DataError; good files parse."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import numpy as np
import pytest

from file_formats.csv_data import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MIN_ROWS,
    DataError,
    build_dataset,
    load_csv,
    read_table,
)
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


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


XLSX_LIKE = _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                  "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"<worksheet/>"})
ZIPPED_CSV = _zip({"cancer.csv": _table(_numeric_rows(), HEADER)})

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
    ("damaged zip", b"PK\x03\x04" + bytes(200), "ZIP archive (an Excel .xlsx workbook is one too)"),
    ("zip archive renamed .csv", ZIPPED_CSV, "ZIP archive holding 1 file(s) ('cancer.csv')"),
    ("excel workbook", XLSX_LIKE, "Excel workbook (.xlsx)"),
    ("cell too long", _table(_with(_numeric_rows(), 6, 1, "7" * 600), HEADER),
     f"Row 8, column 2 holds a cell of 600 characters; this page takes cells of at most {MAX_CELL_CHARS}"),
    ("unclosed quote", _table(_numeric_rows(), HEADER) + b'1,"2,3,0\n' + b"4,5,6,1\n" * 20_000,
     "unclosed quote"),
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


def test_scikit_learns_shipped_csv_with_its_line_of_counts_trains_as_it_is(sklearn_breast_cancer_csv):
    data = sklearn_breast_cancer_csv.read_bytes()
    assert data.startswith(b"569,30,malignant,benign\n")
    table = read_table(data)
    assert table.notes[0].startswith("The first line ('569,30,malignant,benign') was skipped")
    assert not table.has_header and table.n_rows == 569 and len(table.columns) == 31
    built = load_csv(data)
    assert built.dataset.X.shape == (569, 30) and built.label_column == "column 31"  # Dataset: rows × features
    assert int(built.dataset.y.sum()) == 212  # positive = the rarer class, 0 = malignant in scikit-learn's file
    split = split_and_scale(built.dataset, seed=0)
    params, losses = train(init_params(30, 15, seed=1), split.X_train, split.Y_train, lr=0.1, iterations=300)
    assert losses[-1] < losses[0] and np.mean(predict(params, split.X_test) == split.Y_test) > 0.93


def test_a_first_line_shorter_than_a_ragged_table_is_not_skipped():
    """Only a first line above two agreeing rows is taken for a line of counts: a ragged file still fails."""
    data = b"a,b\n1,2,3\n4,5\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(30))
    with pytest.raises(DataError, match="irregular"):
        read_table(data)


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


# ------------------------------------------------------------------ issue 9: memory bounded by the file's size
PEAK_LIMIT_MIB = 200


def _hostile(rows: int, long_cell: int) -> bytes:
    """The issue's shapes: ``rows`` × 3 short cells, one of them in the middle ``long_cell`` characters long."""
    lines = ["1,2,0"] * rows
    lines[rows // 2] = "1," + "x" * long_cell + ",0"
    return ("\n".join(lines) + "\n").encode()


def _fill_to_limit(make_row) -> bytes:
    """Rows from ``make_row(i)`` until the file would pass the 5 MB upload limit (or the row limit)."""
    lines, size = [], 0
    for i in range(MAX_ROWS + 1):
        line = (make_row(i) + "\n").encode()
        if size + len(line) > MAX_FILE_BYTES:
            break
        lines.append(line)
        size += len(line)
    return b"".join(lines)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
WORST_FILES = {
    # many short distinct text cells: the most string objects per byte of file
    "two-letter text cells": lambda: _fill_to_limit(
        lambda i: ",".join(_ALNUM[(i * 16 + j) % 62] + _ALNUM[(i * 7 + j * 3) % 62] for j in range(17)) + f",{i % 2}"),
    # one-character cells outside Latin-1 (3 UTF-8 bytes, a fresh 80-byte string each)
    "non-Latin one-character cells": lambda: _fill_to_limit(
        lambda i: ",".join(chr(0x800 + (i * 17 + j * 5) % 50_000) for j in range(19)) + f",{i % 2}"),
    # ordinary numbers over the maximum number of columns: a large table that parses and builds
    "numbers, 200 columns": lambda: _fill_to_limit(
        lambda i: ",".join(f"{(i * j) % 997 / 7:.3f}" for j in range(199)) + f",{i % 2}"),
    # empty cells cost one byte of file each: stopped by the cell limit
    "empty cells, 200 columns": lambda: _fill_to_limit(lambda i: "," * 199 + str(i % 2)),
}


def _page_steps(data: bytes) -> object:
    """What the training page does with an upload: read it, propose the defaults, build the data set."""
    try:
        table = read_table(data)
        label = table.default_label_column()
        table.class_values(label)
        return build_dataset(table, label, table.default_positive(label),
                             [c for c in table.id_like_columns() if c != label])
    except DataError as error:
        return error


def _peak_and_held_mib(data: bytes) -> tuple[float, float, object]:
    """Peak memory the page steps add while running, and what they still hold once the result is dropped."""
    tracemalloc.start()
    try:
        result = _page_steps(data)
        summary = str(result)[:200]
        _, peak = tracemalloc.get_traced_memory()
        del result
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20, held / 2**20, summary


@pytest.mark.parametrize(("rows", "long_cell", "size_kb"), [(5_000, 131_000, 161), (50_000, 1_000, 301),
                                                          (100_000, 131_000, 731)],
                         ids=["180 KB, one 131,000-character cell", "301 KB, one 1,000-character cell",
                              "725 KB, one 131,000-character cell"])
def test_the_issues_hostile_files_are_refused_in_little_memory(tmp_path, rows, long_cell, size_kb):
    """Before: 7.3 GiB, 1.1 GiB and 146 GiB; now the long cell is refused while reading, naming its place."""
    path = tmp_path / "hostile.csv"
    path.write_bytes(_hostile(rows, long_cell))
    assert round(path.stat().st_size / 1000) == size_kb
    peak, held, summary = _peak_and_held_mib(path.read_bytes())
    assert peak < 20 and held < 1, (peak, held)
    assert f"Row {rows // 2 + 1}, column 2 holds a cell of {long_cell:,} characters" in summary, summary
    assert f"at most {MAX_CELL_CHARS} characters" in summary


@pytest.mark.parametrize("shape", list(WORST_FILES))
def test_a_file_within_the_upload_limit_raises_peak_memory_by_at_most_200_mb(tmp_path, shape):
    path = tmp_path / "big.csv"
    path.write_bytes(WORST_FILES[shape]())
    assert MAX_FILE_BYTES - 2_000 < path.stat().st_size <= MAX_FILE_BYTES
    peak, held, summary = _peak_and_held_mib(path.read_bytes())
    assert peak <= PEAK_LIMIT_MIB, (shape, peak, summary)
    assert held < 1, (shape, held)


def test_each_size_limit_says_the_limit_and_the_number_found(tmp_path):
    cases = [
        (b"1,0\n" * (MAX_FILE_BYTES // 4 + 1000), ["5.0 MB", "at most 5 MB"]),
        (b"1,0\n" * (MAX_ROWS + 500), ["about 100,501 rows", f"at most {MAX_ROWS:,}"]),
        (b"1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1\n" * (MAX_CELLS // 25 + 10),
         [f"more than {MAX_CELLS:,} cells", "× 25 columns"]),
        (("1," * (MAX_COLUMNS + 1) + "0\n").encode() * 30, [f"{MAX_COLUMNS + 2} columns", f"at most {MAX_COLUMNS}"]),
        (b"1,2,0\n" * 30 + b"3," + b"9" * 200_000 + b",1\n",
         ["Row 31, column 2 holds a cell of 200,000 characters", f"at most {MAX_CELL_CHARS}"]),
    ]
    for data, phrases in cases:
        path = tmp_path / "limit.csv"
        path.write_bytes(data)
        with pytest.raises(DataError) as error:
            read_table(path.read_bytes())
        for phrase in phrases:
            assert phrase in str(error.value), (phrase, str(error.value))


# ------------------------------------------------------------------ issue 9: messages that were wrong
def test_a_zip_is_not_called_an_excel_workbook_but_an_xlsx_is(tmp_path):
    for name, data, expected, wrong in [("archive.csv", ZIPPED_CSV, "ZIP archive holding 1 file(s)", "Excel workbook"),
                                        ("book.csv", XLSX_LIKE, "Excel workbook (.xlsx)", "ZIP archive")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DataError) as error:
            read_table(path.read_bytes())
        assert expected in str(error.value) and wrong not in str(error.value), str(error.value)


def test_semicolons_with_decimal_commas_are_read_as_numbers(tmp_path):
    """A European spreadsheet export: ';' between columns, ',' before the decimals."""
    rows = _numeric_rows(40)
    lines = ["radius;texture;area;label"] + [";".join(f"{v}".replace(".", ",") for v in row) for row in rows]
    path = tmp_path / "europe.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(path.read_bytes())
    assert table.delimiter == ";" and table.has_header and table.columns == tuple(HEADER)
    result = load_csv(path.read_bytes())
    np.testing.assert_array_equal(result.dataset.X, np.array([row[:3] for row in rows], dtype=float))
    assert any("Decimal commas were read as decimal points in 120 cells" in note for note in result.notes)


def test_a_headerless_first_row_with_a_question_mark_is_data(tmp_path, uci_csv):
    """'?' is a missing value, so a first row of numbers and '?' is a row of data, not a header."""
    lines = uci_csv.read_text().splitlines()
    first_gap = next(i for i, line in enumerate(lines) if "?" in line)
    path = tmp_path / "gap_first.csv"
    path.write_text("\n".join([lines[first_gap], *lines[:first_gap], *lines[first_gap + 1:]]) + "\n")
    table = read_table(path.read_bytes())
    assert not table.has_header and table.n_rows == 699 and table.columns[0] == "column 1"
    assert "only numbers and missing values" in table.header_reason
    result = load_csv(path.read_bytes())
    assert result.rows_dropped == 16 and result.dataset.X.shape == (683, 9)


def test_an_id_like_integer_column_is_named_with_its_reason_and_can_be_put_back(tmp_path):
    """The only predictive feature is a whole number that is distinct in every row: excluded, but said in words."""
    rng = np.random.default_rng(3)
    size = rng.permutation(np.arange(100, 200))
    noise = rng.normal(size=(100, 2)).round(3)
    rows = [[int(s), *n, int(s >= 150)] for s, n in zip(size, noise.tolist(), strict=True)]
    path = tmp_path / "sizes.csv"
    path.write_bytes(_table(rows, ["size", "noise a", "noise b", "label"]))
    result = load_csv(path.read_bytes())
    assert "size" not in result.dataset.feature_names
    [excluded] = result.excluded_ids
    assert excluded.name == "size" and "nearly all different (100 distinct values in 100 rows)" in excluded.reason
    assert excluded.auc == pytest.approx(1.0)
    assert "Column 'size' was left out" in excluded.message and "put it back" in excluded.message
    assert "separates the classes well (ROC AUC 1.00)" in excluded.message
    table = read_table(path.read_bytes())
    back = build_dataset(table, "label", "1", exclude=[])  # the one click back: nothing excluded
    assert back.dataset.feature_names[0] == "size" and back.excluded_ids == ()


def test_the_uci_id_column_is_named_as_an_id_without_the_warning(uci_csv):
    [excluded] = load_csv(uci_csv.read_bytes()).excluded_ids
    assert excluded.name == "column 1" and "645 distinct values in 699 rows" in excluded.reason
    assert excluded.auc is not None and excluded.auc < 0.8 and "separates" not in excluded.message


def test_decimal_commas_in_a_comma_separated_file_are_named(tmp_path):
    """Quoted "1,5" in a ','-separated file is ambiguous (thousands?): not guessed, but said in words."""
    rows = _numeric_rows(40)
    lines = ["radius,texture,area,label"] + [",".join(f'"{v}"'.replace(".", ",") for v in row[:3]) + f",{row[3]}"
                                             for row in rows]
    path = tmp_path / "quoted_commas.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_csv(path.read_bytes())
    assert "No numeric feature" in str(error.value) and "decimal comma ('1,5')" in str(error.value)
