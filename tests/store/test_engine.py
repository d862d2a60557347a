"""Connection handling: SQLite pragmas, and one clear message for each bad database."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from kalkan.app.database import upgrade_database
from kalkan.errors import StoreError
from kalkan.store.database import open_store
from kalkan.store.engine import make_engine, parse_url


def test_sqlite_is_wal_with_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "not a valid database URL"),
        ("mysql://user@localhost/kalkan", "Unsupported database 'mysql'"),
        ("sqlite://", "in-memory SQLite"),
        ("sqlite:///:memory:", "in-memory SQLite"),
    ],
)
def test_bad_urls(url: str, fragment: str) -> None:
    with pytest.raises(StoreError, match=fragment) as info:
        parse_url(url)
    assert "KALKAN_DATABASE_URL" in str(info.value)


def test_postgresql_url_gets_psycopg_driver() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_password_is_masked_in_errors() -> None:
    with pytest.raises(StoreError) as info:
        parse_url("oracle://scott:tiger@db/orcl")
    assert "tiger" not in str(info.value)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_unreachable_postgresql() -> None:
    port = _closed_port()
    with pytest.raises(StoreError) as info:
        make_engine(f"postgresql://kalkan:secret@127.0.0.1:{port}/kalkan")
    msg = str(info.value)
    assert f"Cannot connect to PostgreSQL at 127.0.0.1:{port}" in msg
    assert "secret" not in msg
    assert "server is running" in msg


def test_corrupt_sqlite_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kalkan.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="not a usable SQLite database") as info:
        upgrade_database(f"sqlite:///{path}")
    assert "Move the file aside" in str(info.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kalkan.sqlite3"]


def test_missing_sqlite_file_is_not_created_by_readers(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite3"
    with pytest.raises(StoreError, match="kalkan db upgrade"):
        open_store(f"sqlite:///{path}")
    assert not path.exists()


def test_empty_database_asks_for_upgrade(db_url: str) -> None:
    make_engine(db_url).dispose()
    with pytest.raises(StoreError, match="has no Kalkan schema yet"):
        open_store(db_url)


def test_database_from_a_newer_kalkan_is_refused(db_url: str) -> None:
    upgrade_database(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StoreError, match="does not know"):
        open_store(db_url)
    with pytest.raises(StoreError, match="does not know"):
        upgrade_database(db_url)
