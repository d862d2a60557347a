"""Connection handling: SQLite pragmas, and one clear message for each bad database."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from kalkan.app.database import upgrade_database
from kalkan.errors import StoreError
from kalkan.store.database import open_store
from kalkan.store.engine import BUSY_TIMEOUT_ENV, busy_timeout_ms, make_engine, parse_url
from tests.errors import expect_error


def test_sqlite_is_wal_with_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["not a url", "mysql://user@localhost/kalkan", "sqlite://", "sqlite:///:memory:"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(StoreError) as info:
        parse_url(url)
    expect_error(info, "store.config", "KALKAN_DATABASE_URL")
    assert info.value.hint is not None and "KALKAN_DATABASE_URL" in info.value.hint  # the variable to set


def test_bad_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw in ("soon", "-1", "3600001"):
        monkeypatch.setenv(BUSY_TIMEOUT_ENV, raw)
        with pytest.raises(StoreError) as info:
            busy_timeout_ms()
        assert repr(raw) in expect_error(info, "store.config", BUSY_TIMEOUT_ENV).message
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "250")
    assert busy_timeout_ms() == 250


def test_postgresql_url_gets_psycopg_driver() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_password_is_masked_in_errors() -> None:
    with pytest.raises(StoreError) as info:
        parse_url("oracle://scott:tiger@db/orcl")
    assert "tiger" not in expect_error(info, "store.config").message


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
    assert f"127.0.0.1:{port}" in expect_error(info, "store.unreachable").message  # where it tried
    assert "secret" not in msg


def test_corrupt_sqlite_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "kalkan.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError) as info:
        upgrade_database(f"sqlite:///{path}")
    assert str(path) in expect_error(info, "store.corrupt").message
    assert info.value.hint is not None and "kalkan db upgrade" in info.value.hint  # the command to run
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kalkan.sqlite3"]


def test_missing_sqlite_file_is_not_created_by_readers(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite3"
    with pytest.raises(StoreError) as info:
        open_store(f"sqlite:///{path}")
    assert str(path) in expect_error(info, "store.unreachable").message
    assert info.value.hint is not None and "kalkan db upgrade" in info.value.hint
    assert not path.exists()


def test_empty_database_asks_for_upgrade(db_url: str) -> None:
    make_engine(db_url).dispose()
    with pytest.raises(StoreError) as info:
        open_store(db_url)
    expect_error(info, "store.schema")
    assert info.value.hint is not None and "kalkan db upgrade" in info.value.hint


def test_database_from_a_newer_kalkan_is_refused(db_url: str) -> None:
    upgrade_database(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StoreError) as info:
        open_store(db_url)
    assert "9999" in expect_error(info, "store.schema").message
    with pytest.raises(StoreError) as info:
        upgrade_database(db_url)
    assert "9999" in expect_error(info, "store.schema").message
