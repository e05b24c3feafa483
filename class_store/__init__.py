"""A live class's state behind one interface (``ClassStore``), with no Streamlit: the embedded SQLite default and
the Redis backend that replicas share. See store.py for the contract, records.py for what it hands out."""

from class_store.config import open_store
from class_store.records import (
    AnswerRecord,
    ClassState,
    NewClass,
    Refusal,
    StepState,
    StoreUnavailable,
)
from class_store.store import ClassStore

__all__ = ["AnswerRecord", "ClassState", "ClassStore", "NewClass", "Refusal", "StepState", "StoreUnavailable",
           "open_store"]
