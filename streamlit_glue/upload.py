"""The training page's "Upload a CSV" panel: the file, its header, label and ID columns, then the split.

Every problem a user's file can have ends here as a plain ``st.error`` and ``st.stop()``; nothing escapes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from nn_core.csv_data import DataError, build_dataset
from nn_core.data import Split, split_and_scale
from streamlit_glue.cached import cached_table

HEADER_CHOICES = {"auto": "Detect the header", "header": "Is a header", "data": "Is data (no header)"}
CANNOT_USE = "**This file cannot be used.** "


@dataclass(frozen=True)
class UploadedData:
    split: Split
    class_names: tuple[str, str]
    label: str


def shown_class_name(value: str) -> str:
    """"missed 4" reads badly: numeric class values are shown as "class 4"."""
    return f"class {value}" if value.lstrip("-").replace(".", "", 1).isdigit() else value


def uploaded_data(*, test_size: float, seed: int, stratify: bool, scaling: str) -> UploadedData:
    """Draw the upload panel and return the split, or stop the page with a message that names the problem."""
    st.header("Your CSV")
    uploaded = st.file_uploader("CSV file: one row per sample, one column per feature, one label column",
                                key="train_upload")
    if uploaded is None:
        st.info("Upload a CSV to train on it — for example the UCI original Wisconsin file "
                "(no header, an ID column, '?' for missing values, classes 2 and 4).")
        st.stop()
    raw = uploaded.getvalue()
    file_key = hashlib.sha256(raw).hexdigest()[:10]
    header_choice = st.radio("First row", list(HEADER_CHOICES), horizontal=True, key=f"train_header_{file_key}",
                             format_func=HEADER_CHOICES.get)
    try:
        table = cached_table(raw, {"auto": None, "header": True, "data": False}[header_choice])
    except DataError as error:
        st.error(CANNOT_USE + str(error))
        st.stop()
    column_a, column_b, column_c = st.columns(3)
    label_column = column_a.selectbox("Label column", table.columns,
                                      index=table.columns.index(table.default_label_column()),
                                      key=f"train_label_{file_key}")
    class_values = table.class_values(label_column)[:20]
    if not class_values:
        st.error(f"{CANNOT_USE}The label column '{label_column}' is empty (only missing values). "
                 "Choose the column that holds the classes.")
        st.stop()
    positive_default = table.default_positive(label_column)
    positive = column_b.selectbox("Positive class (label 1, e.g. malignant)", class_values,
                                  index=class_values.index(positive_default) if positive_default in class_values else 0,
                                  key=f"train_positive_{file_key}_{label_column}")
    exclude = column_c.multiselect("Exclude columns (IDs)", [c for c in table.columns if c != label_column],
                                   default=[c for c in table.id_like_columns() if c != label_column],
                                   key=f"train_exclude_{file_key}_{label_column}")
    try:
        built = build_dataset(table, label_column, positive, exclude)
        split = split_and_scale(built.dataset, test_size=test_size, seed=seed, stratify=stratify, scaling=scaling)
    except DataError as error:
        st.error(CANNOT_USE + str(error))
        st.stop()
    except ValueError as error:  # sklearn refusing a split, e.g. a class too small for the test fraction
        st.error(f"**The rows cannot be split into training and test sets:** {error}")
        st.stop()
    class_names = tuple(shown_class_name(name) for name in built.dataset.class_names)
    st.caption(f"{built.dataset.X.shape[0]} rows used · {len(split.feature_names)} features · "
               f"header {'found' if table.has_header else 'not found'} · label '{label_column}', "
               f"1 = '{class_names[1]}', 0 = '{class_names[0]}'")
    for note in built.notes:
        st.info(note)
    return UploadedData(split, class_names,
                        f"{uploaded.name}: {len(split.feature_names)} features, positive class '{positive}'")
