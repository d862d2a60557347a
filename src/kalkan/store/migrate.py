"""Run Alembic migrations programmatically, so an installed Kalkan needs no alembic.ini."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from kalkan.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of Kalkan knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - a packaging error, not a user error
        raise RuntimeError(f"no Alembic revisions found in {MIGRATIONS_DIR}")
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(bind: Engine | Connection) -> str | None:
    """The database's schema revision, or None for an empty database."""
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    with bind.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_in(conn: Connection, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside the caller's transaction on ``conn``."""
    cfg = _config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a schema change, all or nothing.

    Why: SQLite changes a table's constraints by copying it, dropping the old table and renaming the copy;
    with foreign keys enforced, that DROP would cascade and delete the rows of every child table (the assets
    of an exposure set). So on SQLite foreign keys are switched off for the connection before the transaction
    begins (the pragma has no effect inside one), checked with ``PRAGMA foreign_key_check`` before the commit,
    and switched on again (SQLite's documented procedure for schema changes).
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise StoreError(
                            f"The schema change would leave {len(broken)} row(s) pointing at missing rows "
                            f"(first: table {broken[0][0]}, row {broken[0][1]}); nothing was changed.",
                            code="store.corrupt",
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction (all or nothing)."""
    with migration_transaction(engine) as conn:
        upgrade_in(conn, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` ("base" empties the database of Kalkan's tables)."""
    with migration_transaction(engine) as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
