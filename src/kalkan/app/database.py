"""Bring a database (new or old) to this Kalkan: the schema and the shipped reference data, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kalkan import config
from kalkan.app.reference_data import DatasetLoad, load_reference_data
from kalkan.io.founding_cities import founding_city_data
from kalkan.store import migrate
from kalkan.store.database import refuse_unknown_revision
from kalkan.store.engine import describe, make_engine, writing


@dataclass(frozen=True, slots=True)
class UpgradeReport:
    """What `kalkan db upgrade` did: the database, its schema revision before and after, the datasets loaded."""

    url: str
    revision_before: str | None
    revision_after: str
    datasets: list[DatasetLoad] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as `kalkan db upgrade --json` prints it."""
        return {
            "database": self.url,
            "revision_before": self.revision_before,
            "revision_after": self.revision_after,
            "datasets": [{"id": d.id, "action": d.action, "rows": d.rows} for d in self.datasets],
        }


def upgrade_database(url: str | None = None) -> UpgradeReport:
    """Bring a database (new or old) to the current schema and load missing shipped reference data.

    The shipped data is read and validated first; then the schema change and the data load happen in
    one transaction, so a failure anywhere leaves the database exactly as it was. Running it again on an
    up-to-date database changes nothing.
    """
    reference = founding_city_data()
    engine = make_engine(url or config.database_url(), create=True)
    try:
        with migrate.migration_transaction(writing(engine)) as conn:
            before = migrate.current_revision(conn)
            refuse_unknown_revision(before, describe(engine.url))
            migrate.upgrade_in(conn, "head")
            with Session(bind=conn) as session:
                loads = load_reference_data(session, reference)
                session.flush()
        return UpgradeReport(describe(engine.url), before, migrate.head_revision(), loads)
    finally:
        engine.dispose()
