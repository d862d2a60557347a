"""Open and describe the store, and check its schema; every use case gets its sessions from here.

Upgrading a database (the schema and the shipped reference data together) is a use case:
:func:`kalkan.app.database.upgrade_database`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from kalkan import config
from kalkan.errors import StoreError
from kalkan.store import migrate
from kalkan.store.engine import describe, make_engine, writing


class Store:
    """An open database at the current schema, handing out sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(writing(engine), expire_on_commit=False)
        self.readers = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return describe(self.engine.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose changes are committed together at the end, or not at all.

        On SQLite it takes the database's write lock when it begins, so two writers queue instead of failing
        half-way; a writer that waits past the busy timeout gets a :class:`StoreError` saying to retry. Use
        :meth:`read` for transactions that only read.
        """
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: it never waits for a writer (SQLite WAL) and is rolled back at the end,
        so nothing it does is kept."""
        with self.readers() as session:
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        self.engine.dispose()


def _check_schema(engine: Engine) -> None:
    rev = migrate.current_revision(engine)
    head = migrate.head_revision()
    where = describe(engine.url)
    refuse_unknown_revision(rev, where)
    if rev is None:
        raise StoreError(
            f"The database {where} has no Kalkan schema yet.",
            hint="Run `kalkan db upgrade` to create it and load the coalition's reference data.",
            code="store.schema",
        )
    if rev != head:
        raise StoreError(
            f"The database {where} is at schema revision {rev}; this Kalkan needs {head}.",
            hint="Run `kalkan db upgrade`.",
            code="store.schema",
        )


def refuse_unknown_revision(rev: str | None, where: str) -> None:
    """Refuse a database at a schema revision this Kalkan does not know (upgraded by a newer version)."""
    if rev is not None and rev not in migrate.known_revisions():
        raise StoreError(
            f"The database {where} is at schema revision {rev}, which this Kalkan does not know "
            "(it was upgraded by a newer version).",
            hint="Upgrade Kalkan, or point KALKAN_DATABASE_URL at another database.",
            code="store.schema",
        )


def open_store(url: str | None = None) -> Store:
    """Open the database at ``url`` (default: the configured one) and check its schema is current."""
    engine = make_engine(url or config.database_url(), create=False)
    try:
        _check_schema(engine)
    except Exception:
        engine.dispose()
        raise
    return Store(engine)


def database_configured() -> bool:
    """Whether a database is set up: ``KALKAN_DATABASE_URL`` is set, or the embedded SQLite file exists."""
    return bool(os.environ.get(config.DATABASE_URL_ENV, "").strip()) or config.default_sqlite_path().exists()


def optional_store() -> Store | None:
    """The configured store, or None when no database is set up at all (file-level commands then work without
    one). A database that is set up but cannot be used is an error, never silently skipped."""
    return open_store() if database_configured() else None


@contextmanager
def store_scope(url: str | None = None) -> Iterator[Store]:
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def downgrade_database(revision: str, url: str | None = None) -> tuple[str | None, str | None]:
    """Take the schema back to ``revision`` ("base" removes Kalkan's tables); returns (before, after)."""
    if revision != "base" and revision not in migrate.known_revisions():
        raise StoreError(
            f"Unknown schema revision {revision!r}; known: {', '.join(sorted(migrate.known_revisions()))}, base.",
            code="input.unknown",
            field="revision",
        )
    engine = make_engine(url or config.database_url(), create=False)
    try:
        before = migrate.current_revision(engine)
        migrate.downgrade(engine, revision)
        return before, migrate.current_revision(engine)
    finally:
        engine.dispose()


def database_info(url: str | None = None) -> dict[str, Any]:
    """Backend, schema revision and (on PostgreSQL) the PostGIS version, for `kalkan db current`."""
    engine = make_engine(url or config.database_url(), create=False)
    try:
        rev = migrate.current_revision(engine)
        info: dict[str, Any] = {
            "database": describe(engine.url),
            "backend": engine.dialect.name,
            "revision": rev,
            "head": migrate.head_revision(),
            "up_to_date": rev == migrate.head_revision(),
        }
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                info["server_version"] = conn.execute(text("SHOW server_version")).scalar()
                info["postgis"] = conn.execute(
                    text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
                ).scalar()
        else:
            with engine.connect() as conn:
                info["server_version"] = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
                info["journal_mode"] = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        return info
    finally:
        engine.dispose()
