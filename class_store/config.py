"""Which class store a server uses, read from its environment — declared here once.

- ``REDIS_URL`` set (``redis://host:6379/0``): the Redis backend, which replicas behind a balancer share.
- otherwise: the SQLite file ``classes.sqlite3`` in ``BACKPROP_LAB_DATA_DIR`` (default: ``.data/`` in the project
  folder, created on first use; Community Cloud and a plain ``streamlit run app.py`` need nothing set up).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from class_store.records import StoreUnavailable
from class_store.sqlite_store import SqliteClassStore
from class_store.store import ClassStore

REDIS_URL_VARIABLE = "REDIS_URL"
DATA_DIR_VARIABLE = "BACKPROP_LAB_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".data"
SQLITE_FILE = "classes.sqlite3"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    configured = environ.get(DATA_DIR_VARIABLE, "").strip()
    return Path(configured) if configured else DEFAULT_DATA_DIR


def open_store(environ: Mapping[str, str] | None = None) -> ClassStore:
    """The store this server's environment names (raises StoreUnavailable when it cannot be opened)."""
    environ = os.environ if environ is None else environ
    url = environ.get(REDIS_URL_VARIABLE, "").strip()
    if url:
        try:
            from class_store.redis_store import RedisClassStore
        except ImportError as error:  # the Redis backend or redis-py missing: say so, never fall back silently
            message = f"{REDIS_URL_VARIABLE} is set but the Redis backend cannot load ({error})"
            raise StoreUnavailable(message) from error
        return RedisClassStore(url)
    return SqliteClassStore(data_dir(environ) / SQLITE_FILE)
