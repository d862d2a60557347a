"""Shared fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``KALKAN_TEST_POSTGRES_URL`` (an admin URL; `make test` starts a throwaway
server and sets it). Each test gets a fresh database there, dropped afterwards. Without the variable the
PostgreSQL cases are skipped, unless ``KALKAN_REQUIRE_POSTGRES=1`` (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kalkan.app.database import upgrade_database
from kalkan.store.database import Store, open_store

PG_ENV = "KALKAN_TEST_POSTGRES_URL"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the real user data directory or database."""
    monkeypatch.setenv("KALKAN_DATA_DIR", str(tmp_path_factory.mktemp("kalkan-data")))
    monkeypatch.delenv("KALKAN_DATABASE_URL", raising=False)


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        if os.environ.get("KALKAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"KALKAN_REQUIRE_POSTGRES=1 but {PG_ENV} is not set")
        return None
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; dropped after the test."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL server for this test")
    name = f"kalkan_test_{uuid.uuid4().hex[:12]}"
    admin_url = make_url(admin).set(drivername="postgresql+psycopg")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kalkan.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kalkan.sqlite3'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An upgraded database with the founding cities loaded, on each backend."""
    upgrade_database(db_url)
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def env_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point KALKAN_DATABASE_URL (as a user would) at an empty database on each backend."""
    monkeypatch.setenv("KALKAN_DATABASE_URL", db_url)
    return db_url
