"""Reading a user's CSV into a ``Dataset``: every way a file can be wrong becomes a ``DataError`` whose
message a student can act on (never a traceback). Uploads are parsed as text only — never unpickled.

Two steps, because the user chooses in between: ``read_table`` checks the file itself (size, empty, binary,
encoding, ragged rows, cell length) and finds a header; ``build_dataset`` takes the chosen label column,
positive class and excluded columns and checks the data (numbers, missing values, classes, constants).

Memory is bounded by the file's size whatever its shape: cells are kept as individual Python strings in
object arrays (never a fixed-width text array, whose size is rows × columns × the longest cell), lines,
rows, columns and cells are capped while reading, and each limit stops the reading at once.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from nn_core.data import Dataset

MISSING_MARKERS = frozenset({"", "?", "na", "n/a", "nan", "null", "none", "missing"})
MIN_ROWS = 20  # fewer rows than this cannot give a meaningful train/test split
MIN_ROWS_PER_CLASS = 5  # a stratified split needs a few of each class on both sides
# The uploader's limit, in its own units: server.maxUploadSize = 5 is "5MB" to Streamlit's uploader, which counts
# 1 MB = 1,000,000 bytes (1,048,576 only in a browser on Windows), so 5 MB = 5,000,000 bytes, checked here too.
MAX_FILE_BYTES = 5_000_000
MAX_COLUMNS = 200
MAX_ROWS = 100_000
MAX_CELLS = 2_000_000  # data rows × columns (a header row is not counted): ~25 bytes of arrays per cell
MAX_CELL_CHARS = 500  # a measurement or a class label is short; a longer cell is almost always a broken quote
MAX_ROW_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS + 3)  # the longest row the two limits above allow (quotes, separator)
DELIMITERS = (",", ";", "\t", "|")
_INTERN_LIMIT = 4096  # per column, repeated short cells (1…10, '?', M/B) share one string object
_ID_NAME = re.compile(r"(^|[^a-z])(id|identifier|index|code|number)([^a-z]|$)", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?")
# The only characters float() accepts: decimal digits, white space, + - . _, the e of an exponent and the letters of
# 'inf', 'infinity' and 'nan'. A cell with any other is text, told by one C-level match per distinct cell instead of
# a ValueError raised for each (a 5 MB file of distinct non-Latin cells spent most of its ~10 s raising them).
_NUMBER_CHARACTERS = re.compile(r"[\d\s+\-._eEaAfFiInNtTyY]*")
_ID_SEPARATES = 0.8  # an excluded ID whose values alone reach this ROC AUC gets a warning


class DataError(ValueError):
    """A problem with the user's file, with a message in plain words that says what to do."""


@dataclass(frozen=True)
class CsvTable:
    """The file's cells as text (and, parsed once, as numbers), one column per header name."""

    columns: tuple[str, ...]
    cells: np.ndarray  # (rows, columns) object array of stripped str — one string per cell, no padding
    numbers: np.ndarray  # (rows, columns) float: NaN for missing markers and for text
    missing: np.ndarray  # (rows, columns) bool: a missing marker ('?', blank, NaN …)
    has_header: bool
    delimiter: str
    header_reason: str = ""  # why the first row was (not) taken as a header, in words
    notes: tuple[str, ...] = ()  # what reading did that the user should know (e.g. decimal commas)

    @property
    def n_rows(self) -> int:
        return self.cells.shape[0]

    def numeric(self, column: str) -> np.ndarray:
        """The column as floats, NaN for missing markers and for text."""
        return self.numbers[:, self.columns.index(column)].copy()

    def id_like_reasons(self) -> dict[str, str]:
        """Columns that look like record identifiers, each with the reason in words (for the page to show)."""
        found = {}
        for j, column in enumerate(self.columns):
            values = self.numbers[:, j]
            finite = values[np.isfinite(values)]
            if self.has_header and _ID_NAME.search(column):
                found[column] = f"its name '{column}' says it is an identifier"
                continue
            if finite.size == 0 or finite.size < 0.9 * self.n_rows or not np.all(finite == np.round(finite)):
                continue
            distinct = np.unique(finite).size
            if distinct >= 0.9 * self.n_rows:
                found[column] = (f"it holds whole numbers that are nearly all different ({distinct:,} distinct values "
                                 f"in {self.n_rows:,} rows), as record numbers are")
        return found

    def id_like_columns(self) -> list[str]:
        """Columns that look like record identifiers (named *id* or nearly all-distinct integers)."""
        return list(self.id_like_reasons())

    def default_label_column(self) -> str:
        """A column named like a label (diagnosis, class, target, label), else the last column."""
        for column in self.columns:
            if column.strip().lower() in ("diagnosis", "class", "target", "label", "y", "outcome"):
                return column
        return self.columns[-1]

    def class_values(self, column: str) -> list[str]:
        """The distinct non-missing values of a column, as text, most frequent first."""
        j = self.columns.index(column)
        counts = Counter(self.cells[~self.missing[:, j], j].tolist())
        return [str(value) for value, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]

    def default_positive(self, column: str) -> str | None:
        """The rarer class is usually the one to detect (malignant, fraud, disease)."""
        values = self.class_values(column)
        return values[-1] if values else None


@dataclass(frozen=True)
class IdColumn:
    """A column left out of the features because it looks like a record ID — said in words, with a way back."""

    name: str
    reason: str  # why it looks like an ID
    auc: float | None  # how well its values alone separate the classes (ROC AUC, 0.5 = not at all)

    @property
    def message(self) -> str:
        """The sentence for the page: which column, why, and what to do if it is a real measurement."""
        text = (f"Column '{self.name}' was left out of the features because {self.reason}. If it is a real "
                "measurement, put it back as a feature.")
        if self.auc is not None and self.auc >= _ID_SEPARATES:
            text += (f" On its own it separates the classes well (ROC AUC {self.auc:.2f}): either it is a real "
                     "feature, or the rows are sorted by class and the IDs give the answer away.")
        return text


@dataclass(frozen=True)
class CsvDataset:
    """The network-ready data set plus the notes to show the user (rows dropped, columns ignored)."""

    dataset: Dataset
    notes: tuple[str, ...]
    rows_dropped: int
    label_column: str
    positive_class: str
    excluded_ids: tuple[IdColumn, ...] = ()  # excluded columns that look like IDs, each with its reason


def _is_missing(cell: str) -> bool:
    return cell in MISSING_MARKERS or (len(cell) <= 7 and cell.lower() in MISSING_MARKERS)


def _cell_number(cell: str) -> float:
    """float of a cell; NaN for missing markers, text and infinities (the missing mask tells them apart)."""
    try:
        value = float(cell)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _parse_column(cells: np.ndarray, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """One column's numbers and missing mask, without a fixed-width copy; counts the decimal commas read.

    Fast path: numpy calls ``float`` on every cell in C. Otherwise each distinct cell is parsed once and
    the results are mapped onto the column (also in C), so the Python-level work is per distinct value.
    """
    try:
        numbers = cells.astype(float)
        missing = np.zeros(cells.size, dtype=bool)
        odd = np.flatnonzero(~np.isfinite(numbers))  # 'nan' is a missing marker, 'inf' is text
        missing[odd] = [_is_missing(cells[i]) for i in odd]
        numbers[odd] = np.nan
        return numbers, missing, 0
    except (ValueError, TypeError):
        pass
    distinct = set(cells)
    maybe_numbers = set(filter(_NUMBER_CHARACTERS.fullmatch, distinct))
    text = distinct - maybe_numbers  # float() would raise for each of these: found in C instead, without raising
    values: dict[str, float] = dict.fromkeys(text, math.nan)
    missing_cells: set[str] = set(filter(_is_missing, filter(str.isascii, text)))  # the markers are ASCII
    commas: set[str] = set()
    for cell in maybe_numbers:  # one pass over the distinct cells, the function call inlined: this is the hot loop
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            value = math.nan
            if _is_missing(cell):
                missing_cells.add(cell)
        values[cell] = value
    if decimal_comma:
        for cell in filter(_DECIMAL_COMMA.fullmatch, text - missing_cells):
            values[cell] = _cell_number(cell.replace(",", "."))
            commas.add(cell)
    numbers = np.fromiter(map(values.__getitem__, cells), dtype=float, count=cells.size)
    missing = np.fromiter(map(missing_cells.__contains__, cells), dtype=bool, count=cells.size)
    n_commas = int(np.fromiter(map(commas.__contains__, cells), dtype=bool, count=cells.size).sum()) if commas else 0
    return numbers, missing, n_commas


def _describe_zip(data: bytes) -> str:
    """Say what a ZIP-based file is, reading only the archive's directory (nothing is extracted)."""
    save_as = ("Open it in your spreadsheet program and use File → Save As → 'CSV UTF-8 (comma delimited)', "
               "then upload that file.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
        return ("This file starts like a ZIP archive (an Excel .xlsx workbook is one too), but it is damaged and it "
                "is not a CSV. Upload a comma-separated text file, e.g. exported with 'Save As → CSV'.")
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return f"This is an Excel workbook (.xlsx), not a CSV. {save_as}"
    if "[Content_Types].xml" in names and any(name.startswith(("word/", "ppt/")) for name in names):
        return "This is a Word or PowerPoint file, not a CSV table. Upload a CSV file of numbers."
    if "mimetype" in names and "content.xml" in names:
        return f"This is an OpenDocument file (e.g. a LibreOffice .ods spreadsheet), not a CSV. {save_as}"
    shown = ", ".join(f"'{name}'" for name in names[:3]) + (" …" if len(names) > 3 else "")
    return (f"This is a ZIP archive holding {len(names)} file(s) ({shown}), not a CSV. Unzip it and upload the CSV "
            "file inside.")


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise DataError(f"The file is {len(data) / 1e6:.1f} MB ({len(data):,} bytes); this page takes files of at "
                        f"most {MAX_FILE_BYTES / 1e6:.0f} MB ({MAX_FILE_BYTES:,} bytes). Upload a sample of the rows.")
    if not data or data.isspace():
        raise DataError("The file is empty. Choose a CSV file with a row per sample and a column per feature.")
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        raise DataError(_describe_zip(data))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError("This is an Office file in the old binary format (an Excel .xls workbook, or a Word .doc), "
                        "not a CSV. In Excel use File → Save As → 'CSV UTF-8 (comma delimited)' and upload that file.")
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


def _numeric_share(rows: list[list[str]], decimal_comma: bool) -> float:
    cells = [cell.strip() for row in rows for cell in row]
    if not cells:
        return 0.0
    good = sum(1 for cell in cells if _is_missing(cell) or math.isfinite(_cell_number(cell))
               or (decimal_comma and _DECIMAL_COMMA.fullmatch(cell) is not None))
    return good / len(cells)


def _detect_delimiter(text: str) -> str:
    """The separator that splits the first lines into the same number (≥ 2) of the most number-like cells.

    Numbers decide between ``,`` and ``;``: '1,5;2,3' splits evenly both ways, but only ``;`` gives numbers
    (with decimal commas), as a European spreadsheet export does.
    """
    head = text[:65536]
    if len(text) > len(head) and "\n" in head:
        head = head[:head.rfind("\n")]
    lines = [line for line in head.splitlines() if line.strip()][:50]
    best, best_key = ",", None
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        widths = Counter(len(row) for row in rows)
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        consistent = count / len(rows)
        key = (consistent >= 0.9, _numeric_share(rows[1:] or rows, delimiter != ","), consistent, width)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


class _LongLine(Exception):
    def __init__(self, line_number: int, line: str | None, chars: int) -> None:
        super().__init__(line_number)
        self.line_number, self.line, self.chars = line_number, line, chars


def _bounded_lines(text: str, budget: list[int]) -> Iterator[str]:
    """The text's lines, lazily; stops (``_LongLine``) when one row would exceed ``MAX_ROW_CHARS``.

    ``budget[0]`` counts the characters of the row being read; the reader resets it after each row, so a
    stray quote that joins thousands of lines into one cell stops early instead of filling memory.
    """
    start, number = 0, 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        number += 1
        length = end - start
        if length > MAX_ROW_CHARS:
            raise _LongLine(number, text[start:end], length)
        budget[0] += length
        if budget[0] > MAX_ROW_CHARS:
            raise _LongLine(number, None, budget[0])
        yield text[start:end]
        start = end


def _cell_too_long(row: int, column: int, length: int) -> DataError:
    return DataError(f"Row {row}, column {column} holds a cell of {length:,} characters; this page takes cells of "
                     f"at most {MAX_CELL_CHARS} characters (a measurement or a class label is short). Check that "
                     "this is the right file: an unclosed quote (\") joins the lines after it into one cell.")


def _too_many_columns(width: int, row: int) -> DataError:
    return DataError(f"The file has {width:,} columns (row {row}); this page takes at most {MAX_COLUMNS}. "
                     "Keep the most useful features and upload again.")


def _long_line_error(error: _LongLine, row: int, delimiter: str) -> DataError:
    if error.line is not None:
        run = re.search(f"[^{re.escape(delimiter)}\r\n]{{{MAX_CELL_CHARS + 1},}}", error.line)
        if run is not None:
            return _cell_too_long(row, error.line.count(delimiter, 0, run.start()) + 1, run.end() - run.start())
        width = error.line.count(delimiter) + 1
        if width > MAX_COLUMNS:
            return _too_many_columns(width, row)
        return DataError(f"Line {error.line_number} is {error.chars:,} characters long; this page takes rows of at "
                         f"most {MAX_ROW_CHARS:,} characters ({MAX_COLUMNS} cells of {MAX_CELL_CHARS}).")
    return DataError(f"Row {row} (up to line {error.line_number}) runs over more than {MAX_ROW_CHARS:,} characters; "
                     f"this page takes rows of at most {MAX_ROW_CHARS:,} ({MAX_COLUMNS} cells of {MAX_CELL_CHARS}). "
                     "An unclosed quote (\") joins the lines after it into one cell: check the file near that line.")


def _split_cells(text: str, delimiter: str) -> np.ndarray:
    """The non-blank rows as an object array of stripped strings, checking every limit while reading.

    Rows are moved into per-column lists in blocks (stripped, and repeated short cells shared, in C), so
    at most one block of the reader's row lists exists at a time.
    """
    columns: list[list[str]] = []
    pools: list[dict[str, str]] = []
    block: list[list[str]] = []
    widths: Counter[int] = Counter()
    first_irregular: tuple[int, int] | None = None
    budget = [0]
    n_rows = 0

    def flush() -> None:
        if not block:
            return
        for column, pool, cells in zip(columns, pools, zip(*block, strict=True), strict=True):
            stripped = list(map(str.strip, cells))
            column.extend(map(pool.setdefault if len(pool) < _INTERN_LIMIT else pool.get, stripped, stripped))
        block.clear()

    reader = csv.reader(_bounded_lines(text, budget), delimiter=delimiter)
    try:
        for row in reader:
            budget[0] = 0
            if not "".join(row).strip():
                continue
            n_rows += 1
            if len(row) > MAX_COLUMNS:
                raise _too_many_columns(len(row), n_rows)
            if n_rows > MAX_ROWS + 1:
                raise DataError(f"The file has about {text.count(chr(10)) + 1:,} rows; this page takes at most "
                                f"{MAX_ROWS:,}. Upload a sample of the rows.")
            if (n_rows - 1) * len(row) > MAX_CELLS:  # the first row may be a header
                raise DataError(f"The file has more than {MAX_CELLS:,} cells (rows × columns: about "
                                f"{text.count(chr(10)) + 1:,} rows × {len(row)} columns); this page takes at most "
                                f"{MAX_CELLS:,}. Upload fewer rows or columns.")
            widths[len(row)] += 1
            if not columns:
                columns = [[] for _ in row]
                pools = [{} for _ in row]
            if len(row) != len(columns):
                first_irregular = first_irregular or (n_rows, len(row))
                continue
            if max(map(len, row)) > MAX_CELL_CHARS:
                j = next(j for j, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS)
                raise _cell_too_long(n_rows, j + 1, len(row[j]))
            block.append(row)
            if len(block) >= 4096:
                flush()
        flush()
    except _LongLine as error:
        raise _long_line_error(error, n_rows + 1, delimiter) from None
    except csv.Error as error:
        raise DataError(f"This file cannot be read as CSV ({error}, near line {reader.line_num}). Check that it is "
                        "a plain comma-separated table.") from None
    if not n_rows:
        raise DataError("The file is empty. Choose a CSV file with a row per sample and a column per feature.")
    n_columns = widths.most_common(1)[0][0]
    if n_columns < 2:
        raise DataError("The file has only one column, so it is not a table of features and a label. "
                        "A CSV needs at least two columns separated by commas (or ; or tabs).")
    if first_irregular is not None or n_columns != len(columns):
        irregular = n_rows - widths[n_columns]
        row, width = first_irregular if len(columns) == n_columns else (1, len(columns))
        raise DataError(f"Row {row} has {width} fields but most rows have {n_columns}; this is not a regular CSV "
                        f"table ({irregular} irregular row(s)). Check for stray commas or quotes.")
    cells = np.empty((len(columns[0]), n_columns), dtype=object)
    for j in range(n_columns):
        cells[:, j] = columns[j]
        columns[j] = []  # free each column's list as soon as it is copied
    return cells


def _leading_line(text: str, delimiter: str) -> tuple[str, str] | None:
    """(the first line, the text after it) when the first line is not part of the table: fewer or more cells
    than the two rows below it, which agree with each other — e.g. scikit-learn's shipped CSVs start with a
    line of counts and class names (``569,30,malignant,benign``) above 31 columns of numbers."""
    lines = []
    rest = text
    while len(lines) < 3 and rest:
        line, _, rest = rest.partition("\n")
        if line.strip():
            lines.append((line, rest))
    if len(lines) < 3 or len(lines[0][0]) > MAX_CELL_CHARS * MAX_COLUMNS:
        return None
    widths = [len(next(csv.reader([line], delimiter=delimiter), [])) for line, _ in lines]
    if widths[0] != widths[1] and widths[1] == widths[2] and widths[1] >= 2:
        return lines[0][0].strip(), lines[0][1]
    return None


def _header_verdict(first: np.ndarray, numbers: np.ndarray, missing: np.ndarray,
                    cells: np.ndarray) -> tuple[bool, str]:
    """Is the first row a header? A header has text (not numbers, not missing markers like '?') where the
    rows below have numbers, or it is all text that never repeats below."""
    first_numeric = np.isfinite(numbers[0])
    first_text = ~first_numeric & ~missing[0]
    if not first_text.any():
        extra = " and missing values ('?', blank …)" if missing[0].any() else ""
        return False, f"the first row holds only numbers{extra}, so it is data"
    if numbers.shape[0] == 1:
        return not first_numeric.any(), "the file has a single row"
    body_numeric = np.isfinite(numbers[1:]).mean(axis=0) > 0.5
    over = np.flatnonzero(first_text & body_numeric)
    if over.size:
        shown = ", ".join(f"'{first[j]}'" for j in over[:3])
        return True, f"the first row holds text ({shown}) above columns of numbers"
    if not first_numeric.any() and not any((cells[1:, j] == first[j]).any() for j in np.flatnonzero(first_text)):
        return True, "the first row holds only text that never appears again below it"
    return False, "the first row looks like the rows below it"


def read_table(data: bytes, header: bool | None = None) -> CsvTable:
    """Check the file as a file and split it into cells. ``header=None`` detects a header row."""
    text = _decode(data)
    first_char = re.search(r"\S", text)
    if first_char is None:
        raise DataError("The file is empty. Choose a CSV file with a row per sample and a column per feature.")
    if text[first_char.start()] in "{[<":
        raise DataError("This file looks like JSON, HTML or XML, not a CSV table. Upload comma-separated text: "
                        "a row per sample, a column per feature.")
    if "\n" not in text and "\r" in text:  # old Mac line ends
        text = text.replace("\r", "\n")
    delimiter = _detect_delimiter(text)
    notes = []
    if (leading := _leading_line(text, delimiter)) is not None:
        line, text = leading
        shown = line if len(line) <= 60 else line[:60] + "…"
        notes.append(f"The first line ('{shown}') was skipped: it has a different number of cells from the rows "
                     "below it, so it is not a header or a sample (scikit-learn's data files start with such a "
                     "line of counts and class names).")
    cells = _split_cells(text, delimiter)
    del text
    numbers = np.empty(cells.shape)
    missing = np.empty(cells.shape, dtype=bool)
    commas = 0
    for j in range(cells.shape[1]):
        numbers[:, j], missing[:, j], found = _parse_column(cells[:, j], decimal_comma=delimiter != ",")
        commas += found
    first = cells[0].copy()
    verdict, reason = _header_verdict(first, numbers, missing, cells)
    if header is None:
        header = verdict
    else:
        reason = "you said so"
    if header:
        names = [name or f"column {j + 1}" for j, name in enumerate(first.tolist())]
        names = [name if names.count(name) == 1 else f"{name} ({j + 1})" for j, name in enumerate(names)]
        cells, numbers, missing = cells[1:], numbers[1:], missing[1:]
        commas -= int(sum(1 for cell in first if _DECIMAL_COMMA.fullmatch(cell))) if delimiter != "," else 0
    else:
        names = [f"column {j + 1}" for j in range(cells.shape[1])]
    if cells.shape[0] < MIN_ROWS:
        raise DataError(f"The file has only {cells.shape[0]} data rows; at least {MIN_ROWS} are needed to train "
                        "and still keep a test set.")
    if commas:
        separator = {";": "semicolons (;)", "\t": "tabs", "|": "bars (|)"}[delimiter]
        notes.append(f"Decimal commas were read as decimal points in {commas:,} cells (e.g. '1,5' = 1.5): the columns "
                     f"are separated by {separator}, as in a European spreadsheet export.")
    return CsvTable(columns=tuple(names), cells=cells, numbers=numbers, missing=missing, has_header=bool(header),
                    delimiter=delimiter, header_reason=reason, notes=tuple(notes))


def build_dataset(table: CsvTable, label_column: str, positive_class: str | None = None,
                  exclude: Sequence[str] = ()) -> CsvDataset:
    """Turn the chosen columns into numbers: label 1 = ``positive_class``, every other column a feature."""
    if label_column not in table.columns:
        raise DataError(f"There is no column called {label_column!r}.")
    notes: list[str] = list(table.notes)
    label_index = table.columns.index(label_column)
    label_cells = table.cells[:, label_index]
    feature_columns = [c for c in table.columns if c != label_column and c not in set(exclude)]
    if not feature_columns:
        raise DataError("No feature column is left: every column other than the label is excluded. "
                        "Keep at least one numeric column as a feature.")

    indices = [table.columns.index(c) for c in feature_columns]
    missing = table.missing[:, indices]
    numbers = table.numbers[:, indices]
    text = ~missing & np.isnan(numbers)
    all_text = text.sum(axis=0) == (~missing).sum(axis=0)
    all_missing = missing.all(axis=0)
    keep = ~(all_text | all_missing)
    comma_numbers = [j for j in np.flatnonzero(all_text & ~all_missing)
                     if _DECIMAL_COMMA.fullmatch(table.cells[int(np.flatnonzero(text[:, j])[0]), indices[j]])]
    comma_hint = (" They hold numbers written with a decimal comma ('1,5'), which a comma-separated file cannot tell "
                  "from a column break: export the file with ';' between columns, or with decimal points."
                  if comma_numbers and table.delimiter == "," else "")
    if not keep.any():
        raise DataError("No numeric feature: every feature column holds text or is empty. The network needs "
                        "numbers — choose a file with numeric measurements (the label may be text)." + comma_hint)
    for j in np.flatnonzero(all_missing):
        notes.append(f"Column '{feature_columns[j]}' is empty and was ignored.")
    for j in np.flatnonzero(all_text & ~all_missing):
        hint = comma_hint if j in comma_numbers else ""
        notes.append(f"Column '{feature_columns[j]}' holds text, not numbers, and was ignored.{hint}")
    mixed = np.flatnonzero(text.any(axis=0) & keep)
    if mixed.size:
        j = int(mixed[0])
        i = int(np.flatnonzero(text[:, j])[0])
        raise DataError(f"Column '{feature_columns[j]}' mixes numbers and text: row {i + 1} holds "
                        f"'{table.cells[i, indices[j]][:40]}'. Fix that cell, mark it missing with '?', or exclude "
                        "the column.")
    feature_columns = [c for c, k in zip(feature_columns, keep, strict=True) if k]
    numbers, missing = numbers[:, keep], missing[:, keep]

    label_missing = table.missing[:, label_index]
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
    reasons = table.id_like_reasons()
    kept_rows = ~bad_rows
    excluded_ids = tuple(
        IdColumn(name, reasons[name], _separation(table.numbers[kept_rows, table.columns.index(name)], y))
        for name in dict.fromkeys(exclude) if name in reasons and name != label_column)
    return CsvDataset(dataset=dataset, notes=tuple(notes), rows_dropped=dropped, label_column=label_column,
                      positive_class=positive_class, excluded_ids=excluded_ids)


def _separation(values: np.ndarray, y: np.ndarray) -> float | None:
    """How well one column alone separates the classes: ROC AUC folded to [0.5, 1] (None if it cannot say)."""
    finite = np.isfinite(values)
    if finite.sum() < 2 or np.unique(y[finite]).size < 2:
        return None
    auc = float(roc_auc_score(y[finite], values[finite]))
    return max(auc, 1.0 - auc)


def load_csv(data: bytes, *, header: bool | None = None, label_column: str | None = None,
             positive_class: str | None = None, exclude: Sequence[str] | None = None) -> CsvDataset:
    """Both steps with the defaults the page proposes: label = last column, ID-like columns excluded."""
    table = read_table(data, header=header)
    label = label_column or table.default_label_column()
    excluded = [c for c in table.id_like_columns() if c != label] if exclude is None else list(exclude)
    return build_dataset(table, label, positive_class, excluded)
