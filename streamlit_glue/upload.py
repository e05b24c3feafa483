"""The training page's "Upload a CSV" panel: the file, its header, label and ID columns, then the split.

Every problem a user's file can have ends here as a plain ``st.error`` and ``st.stop()``; nothing escapes.

Memory (a class may upload at once): a parsed table holds every cell as a Python string (10–100 MB for a
5 MB file), so it is never kept. A session keeps what the panel's widgets need (``TableSummary``: names,
a few class values, ID-like columns: kilobytes) and the split data (two float arrays of rows × features: 16 MB
at the cell cap) — not the built data set beside it; when a choice changes, the file is read again from the bytes
the uploader holds anyway (≤ 5 MB). Measured in tests/test_upload_memory.py: ≤ 50 MB held per session. Reading a
file holds every cell as a string for a moment (~100 MB at the cell cap), so it waits for one of the server's slots
(``work_queue.queued``): ten students uploading at once read two files at a time, not ten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from file_formats.csv_data import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    CsvTable,
    DataError,
    IdColumn,
    build_dataset,
    read_table,
)
from nn_core.data import Split, split_and_scale
from streamlit_glue.work_queue import queued
from viz.text import markdown_literal

HEADER_CHOICES = {"auto": "Detect the header", "header": "Is a header", "data": "Is data (no header)"}
CANNOT_USE = "**This file cannot be used.** "
T = TypeVar("T")


@dataclass(frozen=True)
class UploadedData:
    split: Split
    class_names: tuple[str, str]  # as shown: "class 4" for a numeric label
    raw_class_names: tuple[str, str]  # as in the file: what an exported model predicts
    label: str
    file_sha256: str  # the file's content: a second file of the same name is other data (its own run, export)


SHOWN_CLASS_VALUES = 20  # the positive-class choice lists at most this many values of the label column


@dataclass(frozen=True)
class TableSummary:
    """What the panel's widgets need from a parsed file — not its cells."""

    columns: tuple[str, ...]
    default_label: str
    class_values: dict[str, tuple[str, ...]]  # per column: its most frequent values, at most SHOWN_CLASS_VALUES
    default_positive: dict[str, str | None]
    id_like: tuple[str, ...]
    has_header: bool
    header_reason: str

    @classmethod
    def of(cls, table: CsvTable) -> TableSummary:
        values = {column: tuple(table.class_values(column)) for column in table.columns}
        return cls(table.columns, table.default_label_column(),
                   {column: shown[:SHOWN_CLASS_VALUES] for column, shown in values.items()},
                   {column: shown[-1] if shown else None for column, shown in values.items()},
                   tuple(table.id_like_columns()), table.has_header, table.header_reason)


# What the panel keeps in this session, the second made from the choices the first offers: the file's summary and
# its split data. Keyed by the file's content (never its name) and the choices; a new key drops what it and every
# later stage held *before* the new value is made (the old arrays go first), and the work waits for one of the
# server's slots (``queued``).
_KEPT = ("train_table", "train_data")


def _kept(stage: str, key: tuple, make: Callable[[], T]) -> T:
    """This session's one kept value of ``stage`` for ``key``: made when the key changes, else reused. Not
    st.cache_data: an upload is one student's; a file that fails raises DataError and nothing is kept."""
    kept = st.session_state.get(stage)
    if kept is None or kept[0] != key:
        for later in _KEPT[_KEPT.index(stage):]:
            st.session_state.pop(later, None)
        st.session_state[stage] = (key, queued(make))
    return st.session_state[stage][1]


@dataclass(frozen=True)
class BuiltSummary:
    """What the panel shows of the network-ready data once it is split — not its arrays (the split has those)."""

    rows: int
    class_names: tuple[str, str]
    notes: tuple[str, ...]
    excluded_ids: tuple[IdColumn, ...]


def _table_summary(raw: bytes, header: bool | None) -> TableSummary:
    return TableSummary.of(read_table(raw, header=header))


def _split_data(raw: bytes, header: bool | None, label: str, positive: str, exclude: list[str],
                **split_settings) -> tuple[BuiltSummary, Split]:
    """The split data for these choices. The built data set is not kept beside its split (that doubled a session's
    memory: 2 × 12 MB at 85,000 rows × 19 features): a change of the split's settings reads the file again."""
    built = build_dataset(read_table(raw, header=header), label, positive, exclude)
    summary = BuiltSummary(built.dataset.X.shape[0], tuple(built.dataset.class_names), built.notes,
                           built.excluded_ids)
    return summary, split_and_scale(built.dataset, **split_settings)


def limits_help() -> str:
    """The upload limits in the uploader's own units: Streamlit's uploader counts 1 MB = 1,000,000 bytes."""
    return (f"Up to {MAX_FILE_BYTES / 1e6:g} MB ({MAX_FILE_BYTES:,} bytes), {MAX_ROWS:,} rows, {MAX_COLUMNS} columns, "
            f"{MAX_CELLS:,} cells (rows × columns, e.g. {MAX_ROWS:,} × {MAX_CELLS // MAX_ROWS}) and "
            f"{MAX_CELL_CHARS} characters per cell. Commas, semicolons, tabs or bars between cells; decimal commas "
            "are fine.")


def _put_back(exclude_key: str, column: str) -> None:
    """One click: an ID-like column the reader left out becomes a feature again."""
    st.session_state[exclude_key] = [name for name in st.session_state.get(exclude_key, []) if name != column]


def shown_class_name(value: str) -> str:
    """"missed 4" reads badly: numeric class values are shown as "class 4"."""
    return f"class {value}" if value.lstrip("-").replace(".", "", 1).isdigit() else value


def uploaded_data(*, test_size: float, seed: int, stratify: bool, scaling: str) -> UploadedData:
    """Draw the upload panel and return the split, or stop the page with a message that names the problem."""
    st.header("Your CSV")
    uploaded = st.file_uploader("CSV file: one row per sample, one column per feature, one label column",
                                key="train_upload",
                                help=limits_help())
    if uploaded is None:
        st.info("Upload a CSV to train on it — for example the UCI original Wisconsin file "
                "(no header, an ID column, '?' for missing values, classes 2 and 4).")
        st.stop()
    raw = uploaded.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    file_key = digest[:10]  # the widgets' keys: a new file gets new choices
    header_choice = st.radio("First row", list(HEADER_CHOICES), horizontal=True, key=f"train_header_{file_key}",
                             format_func=HEADER_CHOICES.get)
    header = {"auto": None, "header": True, "data": False}[header_choice]
    try:
        table = _kept("train_table", (digest, header), lambda: _table_summary(raw, header))
    except DataError as error:
        st.error(CANNOT_USE + markdown_literal(str(error)))
        st.stop()
    column_a, column_b, column_c = st.columns(3)
    label_column = column_a.selectbox("Label column", table.columns,
                                      index=table.columns.index(table.default_label),
                                      key=f"train_label_{file_key}")
    class_values = list(table.class_values[label_column])
    if not class_values:
        st.error(f"{CANNOT_USE}The label column '{markdown_literal(label_column)}' is empty (only missing values). "
                 "Choose the column that holds the classes.")
        st.stop()
    positive_default = table.default_positive[label_column]
    positive = column_b.selectbox("Positive class (label 1, e.g. malignant)", class_values,
                                  index=class_values.index(positive_default) if positive_default in class_values else 0,
                                  key=f"train_positive_{file_key}_{label_column}")
    exclude_key = f"train_exclude_{file_key}_{label_column}"
    exclude = column_c.multiselect("Exclude columns (IDs)", [c for c in table.columns if c != label_column],
                                   default=[c for c in table.id_like if c != label_column],
                                   key=exclude_key, help="Left out by default: columns that look like row IDs "
                                   "(a whole number on nearly every row, all different). Remove one to use it.")
    try:
        split_settings = {"test_size": test_size, "seed": seed, "stratify": stratify, "scaling": scaling}
        built, split = _kept("train_data", (digest, header, label_column, positive, tuple(exclude),
                                            *split_settings.values()),
                             lambda: _split_data(raw, header, label_column, positive, exclude, **split_settings))
    except DataError as error:
        st.error(CANNOT_USE + markdown_literal(str(error)))
        st.stop()
    except ValueError as error:  # sklearn refusing a split, e.g. a class too small for the test fraction
        st.error(f"**The rows cannot be split into training and test sets:** {markdown_literal(str(error))}")
        st.stop()
    class_names = tuple(shown_class_name(name) for name in built.class_names)
    st.caption(markdown_literal(
        f"{built.rows} rows used · {len(split.feature_names)} features · header "
        f"{'found' if table.has_header else 'not found'} ({table.header_reason}) · label '{label_column}', "
        f"1 = '{class_names[1]}', 0 = '{class_names[0]}'"))
    for note in built.notes:
        st.info(markdown_literal(note))
    for id_column in built.excluded_ids:
        note_column, button_column = st.columns([4, 1], vertical_alignment="center")
        note_column.info(markdown_literal(id_column.message))
        button_column.button("Use it as a feature", key=f"train_use_{exclude_key}_{id_column.name}",
                             on_click=_put_back, args=(exclude_key, id_column.name),
                             help=f"Removes '{id_column.name}' from the excluded columns.")
    return UploadedData(split, class_names, built.class_names,
                        f"{uploaded.name}: {len(split.feature_names)} features, positive class '{positive}'", digest)
