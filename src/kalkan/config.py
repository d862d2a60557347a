"""Where Kalkan keeps its data, read from the environment at call time (never at import)."""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_URL_ENV = "KALKAN_DATABASE_URL"
DATA_DIR_ENV = "KALKAN_DATA_DIR"


def data_dir() -> Path:
    """The user's Kalkan data directory: ``$KALKAN_DATA_DIR`` or the platform's user data directory."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kalkan", appauthor=False))


def default_sqlite_path() -> Path:
    """The embedded default database file."""
    return data_dir() / "kalkan.sqlite3"


def database_url() -> str:
    """``$KALKAN_DATABASE_URL`` if set, else the embedded SQLite file in :func:`data_dir`."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{default_sqlite_path()}"
