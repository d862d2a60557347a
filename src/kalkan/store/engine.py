"""Open a database from a URL and turn connection failures into messages a user can act on."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from kalkan.config import DATABASE_URL_ENV
from kalkan.errors import StoreError

_URL_HELP = (
    f"Set {DATABASE_URL_ENV} to sqlite:////absolute/path/kalkan.sqlite3 or "
    "postgresql://USER:PASSWORD@HOST:PORT/DBNAME, or unset it to use the embedded SQLite database."
)


def parse_url(raw: str) -> URL:
    """Parse and normalise a database URL; only SQLite and PostgreSQL (psycopg 3) are supported."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise StoreError(
            f"{DATABASE_URL_ENV} is not a valid database URL: {raw!r}.",
            hint=_URL_HELP,
            code="store.config",
            field=DATABASE_URL_ENV,
        ) from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.get_driver_name() not in ("psycopg", "psycopg2") or url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(
            f"Unsupported database {backend!r} in {url.render_as_string(hide_password=True)}.",
            hint=_URL_HELP,
            code="store.config",
            field=DATABASE_URL_ENV,
        )
    elif url.database in (None, "", ":memory:"):
        raise StoreError(
            "An in-memory SQLite database cannot hold Kalkan's data between commands.",
            hint=_URL_HELP,
            code="store.config",
            field=DATABASE_URL_ENV,
        )
    return url


def describe(url: URL) -> str:
    """The URL as safe to print: the password is masked."""
    return url.render_as_string(hide_password=True)


BUSY_TIMEOUT_ENV = "KALKAN_SQLITE_BUSY_TIMEOUT_MS"
"""How long (ms) a SQLite connection waits for another process's write lock before giving up (default 10 s)."""
DEFAULT_BUSY_TIMEOUT_MS = 10_000
BEGIN_OPTION = "kalkan_sqlite_begin"
"""Execution option naming how a SQLite transaction begins: ``IMMEDIATE`` (takes the write lock at once) for
transactions that write, absent (a deferred ``BEGIN``) for reads. See :func:`writing`."""
_BUSY = ("database is locked", "database is busy", "database table is locked")


def busy_timeout_ms() -> int:
    """The busy timeout from ``$KALKAN_SQLITE_BUSY_TIMEOUT_MS`` (a whole number of ms), else 10 000."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_MS
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 3_600_000:
        raise StoreError(
            f"{BUSY_TIMEOUT_ENV}={raw!r}: expected a whole number of milliseconds from 0 to 3600000.",
            code="store.config",
            field=BUSY_TIMEOUT_ENV,
        )
    return value


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that DDL (migrations)
    # is transactional too; see _sqlite_begin.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        cur.execute("PRAGMA journal_mode=WAL")
    finally:
        cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A transaction that will write takes the write lock up front (BEGIN IMMEDIATE): in WAL mode a deferred
    # transaction that reads first and writes later fails at once with "database is locked" when another
    # process wrote in between, without waiting for the busy timeout. Reads stay deferred, so they never wait
    # for a writer.
    mode = conn.get_execution_options().get(BEGIN_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def writing(engine: Engine) -> Engine:
    """``engine`` whose transactions take SQLite's write lock when they begin (no effect on PostgreSQL)."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (or the driver error inside it) says that another connection holds SQLite's lock."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and any(text in str(orig).lower() for text in _BUSY)


def busy_error(url: URL) -> StoreError:
    """The message for a database another process keeps locked past the busy timeout."""
    return StoreError(
        f"The database {url.database} is busy: another Kalkan process is writing to it and did not finish within "
        f"{busy_timeout_ms() / 1000:g} s. Nothing was changed by this command.",
        hint=f"Retry when the other command has finished (or set {BUSY_TIMEOUT_ENV} to wait longer).",
        code="store.busy",
    )


def _sqlite_error(context: Any) -> None:
    # Turn SQLite's "database is locked" (after the busy timeout) into a message a user can act on.
    if is_busy(context.original_exception):
        raise busy_error(context.engine.url) from context.original_exception


def make_engine(raw_url: str, *, create: bool = True) -> Engine:
    """Create an engine for ``raw_url`` and check that the database answers.

    SQLite files get WAL journaling (readers never block the writer), foreign-key enforcement and
    transactional DDL on every connection. With ``create=False`` a missing SQLite file is an error
    rather than a new empty database. Raises :class:`StoreError` with a precise cause when the
    database cannot be used.
    """
    url = parse_url(raw_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database)).expanduser()
        if not create and not path.exists():
            raise StoreError(
                f"There is no Kalkan database at {path}.",
                hint="Run `kalkan db upgrade` to create it and load the coalition's reference data.",
                code="store.unreachable",
            )
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"Cannot create the directory {path.parent} for the SQLite database: {exc.strerror}.",
                    hint=_URL_HELP,
                    code="store.unreachable",
                ) from exc
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_error)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
        except NoSuchModuleError as exc:  # pragma: no cover - psycopg is a dependency
            raise StoreError(
                f"No driver for {describe(url)}.", hint="pip install 'psycopg[binary]'", code="store.config"
            ) from exc
    check_connection(engine)
    return engine


def check_connection(engine: Engine) -> None:
    """Run a trivial query so a wrong URL, a dead server or a corrupt file fails here, clearly."""
    url = engine.url
    try:
        with engine.connect() as conn:
            if url.get_backend_name() == "sqlite":
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                if str(mode).lower() != "wal":  # pragma: no cover - only on filesystems without shm
                    raise StoreError(
                        f"SQLite refused WAL mode for {url.database} (got {mode}).", code="store.unreachable"
                    )
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            else:
                conn.execute(text("SELECT 1"))
    except StoreError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        raise _connection_error(url, exc) from exc
    except sqlite3.DatabaseError as exc:  # raised unwrapped from the connect hook
        engine.dispose()
        raise _corrupt_sqlite(url, str(exc)) from exc
    except DatabaseError as exc:
        engine.dispose()
        if isinstance(exc.orig, sqlite3.DatabaseError):
            raise _corrupt_sqlite(url, str(exc.orig)) from exc
        raise StoreError(f"The database at {describe(url)} failed: {exc.orig}", code="store.unreachable") from exc


def _connection_error(url: URL, exc: OperationalError) -> StoreError:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if url.get_backend_name() == "sqlite":
        if "not a database" in detail or "malformed" in detail:
            return _corrupt_sqlite(url, detail)
        return StoreError(
            f"Cannot open the SQLite database {url.database}: {detail}.", hint=_URL_HELP, code="store.unreachable"
        )
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return StoreError(
        f"Cannot connect to PostgreSQL at {where} (database {url.database!r}, URL {describe(url)}): {detail}",
        hint="Check that the server is running and reachable, that the database exists and the credentials "
        f"are right, or unset {DATABASE_URL_ENV} to use the embedded SQLite database.",
        code="store.unreachable",
    )


def _corrupt_sqlite(url: URL, detail: str) -> StoreError:
    return StoreError(
        f"{url.database} is not a usable SQLite database ({detail}). It may be corrupt or another kind of "
        "file; Kalkan left it untouched.",
        hint="Move the file aside (or restore a backup) and run `kalkan db upgrade` to create a new database.",
        code="store.corrupt",
    )
