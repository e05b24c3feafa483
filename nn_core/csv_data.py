"""Reading a user's CSV into a ``Dataset``: every way a file can be wrong becomes a ``DataError`` whose
message a student can act on (never a traceback). Uploads are parsed as text only — never unpickled.

Two steps, because the user chooses in between: ``read_table`` checks the file itself (empty, binary,
encoding, ragged rows, size) and finds a header; ``build_dataset`` takes the chosen label column,
positive class and excluded columns and checks the data (numbers, missing values, classes, constants).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import Dataset

MISSING_MARKERS = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "missing"})
MIN_ROWS = 20  # fewer rows than this cannot give a meaningful train/test split
MIN_ROWS_PER_CLASS = 5  # a stratified split needs a few of each class on both sides
MAX_COLUMNS = 200
MAX_ROWS = 100_000
_ID_NAME = re.compile(r"(^|[^a-z])(id|identifier|index|code|number)([^a-z]|$)", re.IGNORECASE)


class DataError(ValueError):
    """A problem with the user's file, with a message in plain words that says what to do."""


@dataclass(frozen=True)
class CsvTable:
    """The file's cells as text, one column per header name; nothing interpreted yet."""

    columns: tuple[str, ...]
    cells: np.ndarray  # (rows, columns) of str, stripped
    has_header: bool
    delimiter: str

    @property
    def n_rows(self) -> int:
        return self.cells.shape[0]

    def numeric(self, column: str) -> np.ndarray:
        """The column as floats, NaN for missing markers and for text."""
        return _to_numbers(self.cells[:, self.columns.index(column)])

    def id_like_columns(self) -> list[str]:
        """Columns that look like record identifiers (named *id* or nearly all-distinct integers)."""
        found = []
        for column in self.columns:
            values = self.numeric(column)
            finite = values[np.isfinite(values)]
            named = bool(_ID_NAME.search(column)) and self.has_header
            integer_ids = (finite.size >= 0.9 * self.n_rows and finite.size > 0 and np.all(finite == np.round(finite))
                           and np.unique(finite).size >= 0.9 * self.n_rows)
            if named or integer_ids:
                found.append(column)
        return found

    def default_label_column(self) -> str:
        """A column named like a label (diagnosis, class, target, label), else the last column."""
        for column in self.columns:
            if column.strip().lower() in ("diagnosis", "class", "target", "label", "y", "outcome"):
                return column
        return self.columns[-1]

    def class_values(self, column: str) -> list[str]:
        """The distinct non-missing values of a column, as text, most frequent first."""
        values = self.cells[:, self.columns.index(column)]
        values = values[~_missing_mask(values)]
        unique, counts = np.unique(values, return_counts=True)
        return [str(v) for v in unique[np.argsort(-counts, kind="stable")]]

    def default_positive(self, column: str) -> str | None:
        """The rarer class is usually the one to detect (malignant, fraud, disease)."""
        values = self.class_values(column)
        return values[-1] if values else None


@dataclass(frozen=True)
class CsvDataset:
    """The network-ready data set plus the notes to show the user (rows dropped, columns ignored)."""

    dataset: Dataset
    notes: tuple[str, ...]
    rows_dropped: int
    label_column: str
    positive_class: str


def _missing_mask(values: np.ndarray) -> np.ndarray:
    return np.isin(np.char.lower(values.astype(str)), list(MISSING_MARKERS))


def _to_numbers(values: np.ndarray) -> np.ndarray:
    """Vectorized text -> float; missing markers and text become NaN (the caller tells them apart)."""
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float, copy=True)
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers


def _decode(data: bytes) -> str:
    if not data or not data.strip():
        raise DataError("The file is empty. Choose a CSV file with a row per sample and a column per feature.")
    if data[:4] in (b"PK\x03\x04",) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError("This looks like an Excel workbook, not a CSV. In Excel use File → Save As → "
                        "'CSV UTF-8 (comma delimited)' and upload that file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError("The file says it is UTF-16 text but cannot be read as such. "
                            "Save it again as 'CSV UTF-8'.") from None
    sample = data[:4096]
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    if b"\x00" in sample or control > 0.05 * len(sample):
        raise DataError("This file is not text (it contains binary bytes) — it is not a CSV. "
                        "Upload a comma-separated text file, e.g. exported with 'Save As → CSV'.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start} "
                        "cannot be read). Save it again as 'CSV UTF-8' (Excel: File → Save As → "
                        "CSV UTF-8).") from None


def _sniff_delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _looks_like_header(first: list[str], body: np.ndarray) -> bool:
    """A header has text where the rows below have numbers (or it repeats no value of its column)."""
    first_numeric = np.isfinite(_to_numbers(np.array(first, dtype=object)))
    if first_numeric.all():
        return False
    if body.shape[0] == 0:
        return not first_numeric.any()
    body_numeric = np.isfinite(_to_numbers(body.ravel())).reshape(body.shape).mean(axis=0) > 0.5
    text_over_numbers = (~first_numeric & body_numeric).any()
    all_text_and_unseen = not first_numeric.any() and not any(
        first[j] in set(body[:, j].tolist()) for j in range(len(first)))
    return bool(text_over_numbers or all_text_and_unseen)


def read_table(data: bytes, header: bool | None = None) -> CsvTable:
    """Check the file as a file and split it into cells. ``header=None`` detects a header row."""
    text = _decode(data)
    if text.lstrip()[:1] in ("{", "[", "<"):
        raise DataError("This file looks like JSON, HTML or XML, not a CSV table. Upload comma-separated text: "
                        "a row per sample, a column per feature.")
    delimiter = _sniff_delimiter(text)
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    except csv.Error as error:
        raise DataError(f"This file cannot be read as CSV ({error}). Check that it is a plain comma-separated "
                        "table.") from None
    if not rows:
        raise DataError("The file is empty. Choose a CSV file with a row per sample and a column per feature.")
    widths = np.array([len(row) for row in rows])
    n_columns = int(np.bincount(widths).argmax())
    if n_columns < 2:
        raise DataError("The file has only one column, so it is not a table of features and a label. "
                        "A CSV needs at least two columns separated by commas (or ; or tabs).")
    if n_columns > MAX_COLUMNS:
        raise DataError(f"The file has {n_columns} columns; this page takes at most {MAX_COLUMNS}. "
                        "Keep the most useful features and upload again.")
    ragged = np.flatnonzero(widths != n_columns)
    if ragged.size:
        row = int(ragged[0])
        raise DataError(f"Row {row + 1} has {widths[row]} fields but most rows have {n_columns}; this is not a "
                        f"regular CSV table ({ragged.size} irregular row(s)). Check for stray commas or quotes.")
    if len(rows) > MAX_ROWS + 1:
        raise DataError(f"The file has {len(rows)} rows; this page takes at most {MAX_ROWS:,}. "
                        "Upload a sample of the rows.")
    cells = np.char.strip(np.array(rows, dtype=str))
    if header is None:
        header = _looks_like_header(rows[0], cells[1:])
    if header:
        names = [name.strip() or f"column {j + 1}" for j, name in enumerate(rows[0])]
        names = [name if names.count(name) == 1 else f"{name} ({j + 1})" for j, name in enumerate(names)]
        cells = cells[1:]
    else:
        names = [f"column {j + 1}" for j in range(n_columns)]
    if cells.shape[0] < MIN_ROWS:
        raise DataError(f"The file has only {cells.shape[0]} data rows; at least {MIN_ROWS} are needed to train "
                        "and still keep a test set.")
    return CsvTable(columns=tuple(names), cells=cells, has_header=bool(header), delimiter=delimiter)


def build_dataset(table: CsvTable, label_column: str, positive_class: str | None = None,
                  exclude: Sequence[str] = ()) -> CsvDataset:
    """Turn the chosen columns into numbers: label 1 = ``positive_class``, every other column a feature."""
    if label_column not in table.columns:
        raise DataError(f"There is no column called {label_column!r}.")
    notes: list[str] = []
    label_cells = table.cells[:, table.columns.index(label_column)]
    feature_columns = [c for c in table.columns if c != label_column and c not in set(exclude)]
    if not feature_columns:
        raise DataError("No feature column is left: every column other than the label is excluded. "
                        "Keep at least one numeric column as a feature.")

    raw = table.cells[:, [table.columns.index(c) for c in feature_columns]]
    missing = _missing_mask(raw)
    numbers = _to_numbers(raw.ravel()).reshape(raw.shape)
    text = ~missing & np.isnan(numbers)
    all_text = text.sum(axis=0) == (~missing).sum(axis=0)
    all_missing = missing.all(axis=0)
    keep = ~(all_text | all_missing)
    if not keep.any():
        raise DataError("No numeric feature: every feature column holds text or is empty. The network needs "
                        "numbers — choose a file with numeric measurements (the label may be text).")
    for j in np.flatnonzero(all_missing):
        notes.append(f"Column '{feature_columns[j]}' is empty and was ignored.")
    for j in np.flatnonzero(all_text & ~all_missing):
        notes.append(f"Column '{feature_columns[j]}' holds text, not numbers, and was ignored.")
    mixed = np.flatnonzero(text.any(axis=0) & keep)
    if mixed.size:
        j = int(mixed[0])
        i = int(np.flatnonzero(text[:, j])[0])
        raise DataError(f"Column '{feature_columns[j]}' mixes numbers and text: row {i + 1} holds "
                        f"'{raw[i, j][:40]}'. Fix that cell, mark it missing with '?', or exclude the column.")
    feature_columns = [c for c, k in zip(feature_columns, keep, strict=True) if k]
    numbers, missing = numbers[:, keep], missing[:, keep]

    label_missing = _missing_mask(label_cells)
    if label_missing.all():
        raise DataError(f"The label column '{label_column}' is empty (only missing values). "
                        "Choose the column that holds the classes.")
    bad_rows = missing.any(axis=1) | label_missing
    dropped = int(bad_rows.sum())
    if dropped:
        remaining = table.n_rows - dropped
        if remaining < MIN_ROWS:
            raise DataError(f"{dropped} of {table.n_rows} rows have missing values ('?', blank or NaN); only "
                            f"{remaining} complete rows remain, fewer than the {MIN_ROWS} needed. "
                            "Fill the gaps or exclude the columns with the most missing values.")
        notes.append(f"{dropped} of {table.n_rows} rows had missing values ('?', blank or NaN) and were dropped; "
                     f"{remaining} rows remain.")
    numbers, label_cells = numbers[~bad_rows], label_cells[~bad_rows]

    classes, counts = np.unique(label_cells, return_counts=True)
    if classes.size < 2:
        raise DataError(f"The label column '{label_column}' has a single class ('{classes[0]}'): there is "
                        "nothing to tell apart. Choose a column with exactly two values.")
    if classes.size > 2:
        shown = ", ".join(f"'{c}'" for c in classes[:6]) + (" …" if classes.size > 6 else "")
        raise DataError(f"The label column '{label_column}' has {classes.size} different values ({shown}); "
                        "this network has one sigmoid output and needs exactly two classes. "
                        "Choose another label column.")
    if counts.min() < MIN_ROWS_PER_CLASS:
        raise DataError(f"Class '{classes[counts.argmin()]}' has only {counts.min()} rows; each class needs at "
                        f"least {MIN_ROWS_PER_CLASS} so both the training and the test set contain it.")
    if positive_class is None or positive_class not in classes:
        positive_class = str(classes[counts.argmin()])
    negative_class = str(classes[classes != positive_class][0])

    constant = np.ptp(numbers, axis=0) == 0
    if constant.all():
        raise DataError("Every feature column is constant (the same value in every row), so no feature can "
                        "tell the classes apart.")
    for j in np.flatnonzero(constant):
        notes.append(f"Column '{feature_columns[j]}' is constant (always {numbers[0, j]:g}) and was ignored.")
    feature_columns = [c for c, k in zip(feature_columns, ~constant, strict=True) if k]
    numbers = numbers[:, ~constant]

    y = (label_cells == positive_class).astype(int)
    dataset = Dataset(X=numbers, y=y, feature_names=tuple(feature_columns),
                      class_names=(negative_class, positive_class))
    return CsvDataset(dataset=dataset, notes=tuple(notes), rows_dropped=dropped, label_column=label_column,
                      positive_class=positive_class)


def load_csv(data: bytes, *, header: bool | None = None, label_column: str | None = None,
             positive_class: str | None = None, exclude: Sequence[str] | None = None) -> CsvDataset:
    """Both steps with the defaults the page proposes: label = last column, ID-like columns excluded."""
    table = read_table(data, header=header)
    label = label_column or table.default_label_column()
    excluded = [c for c in table.id_like_columns() if c != label] if exclude is None else list(exclude)
    return build_dataset(table, label, positive_class, excluded)
