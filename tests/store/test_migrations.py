"""Migrations upgrade and downgrade cleanly on both backends, and match the models exactly."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from kalkan.store import migrate
from kalkan.store.engine import make_engine
from kalkan.store.models import Base

TABLES = {
    "cities",
    "city_geometries",
    "districts",
    "disasters",
    "accession_applications",
    "runs",
    "reference_datasets",
}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_migrations_match_models(db_url: str) -> None:
    """Autogenerate finds nothing to add: the hand-written migrations are the models' schema."""
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_every_revision_downgrades(db_url: str) -> None:
    """Walk down one revision at a time from head: each downgrade step works on its own."""
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        revisions = sorted(migrate.known_revisions(), reverse=True)
        for rev in revisions:
            assert migrate.current_revision(engine) == rev
            migrate.downgrade(engine, "-1")
        assert migrate.current_revision(engine) is None
    finally:
        engine.dispose()


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_0005_keeps_every_row_and_versions_it(db_url: str) -> None:
    """Data stored at schema 0004 survive 0005 whole (no cascade when SQLite copies a table) and become
    version 1, 2, ... of their city, current; the way back keeps the current versions."""
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine, "0004")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO cities (id, name_en, name_ru, country_iso3, lon, lat, population, population_source, "
                    "population_alternatives, currency, ipcc_ar6_region, main_hazards, rivers, national_agencies, "
                    "sources, membership_status, created_at, updated_at) VALUES ('osh', 'Osh', 'Ош', 'KGZ', 72.8, "
                    "40.5, 300000, 'test', '[]', 'KGS', 'WCA', '[]', '[]', '[]', '{}', 'founding', :t, :t)"
                ),
                {"t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )
            conn.execute(
                text(
                    "INSERT INTO exposure_sets (id, city_id, source, licence, citation, currency, method, n_assets, "
                    "buildings, cost_structural, cost_nonstructural, cost_contents, occupants_day, occupants_night, "
                    "occupants_transit, loaded_at) VALUES (7, 'osh', 'my survey', 'CC BY', 'c', 'USD', "
                    '\'{"imported_from": "x.csv"}\', 2, 2, 3, 0, 0, 1, 1, 0, :t)'
                ),
                {"t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            )
            for k in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO exposure_assets (set_id, asset_id, lon, lat, taxonomy, number, cost_structural) "
                        "VALUES (7, :a, 72.8, 40.5, 'CR/LFINF', 1, 1.5)"
                    ),
                    {"a": f"a{k}"},
                )
            conn.execute(
                text(
                    "INSERT INTO taxonomy_mappings (set_id, position, taxonomy, conversion, weight) "
                    "VALUES (7, 0, 'brick', 'CR_LFINF-DUH_H1', 1.0)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO districts (city_id, code, name, source, licence) VALUES "
                    "('osh', 'g1', 'grid g1', 'Kalkan grid: 0.5 km', 'Apache-2.0')"
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert _rows(conn, "SELECT count(*) FROM exposure_assets WHERE set_id = 7") == [(2,)]
            versions = _rows(conn, "SELECT kind, version, origin FROM data_versions ORDER BY version")
            assert versions == [("exposure", 1, "city"), ("mapping", 2, "city"), ("districts", 3, "derived")]
            assert _rows(conn, "SELECT count(*) FROM data_versions WHERE is_current") == [(3,)]
            assert _rows(conn, "SELECT count(*) FROM taxonomy_mappings WHERE version_id IS NOT NULL") == [(1,)]
        migrate.downgrade(engine, "0004")
        with engine.connect() as conn:
            assert _rows(conn, "SELECT count(*) FROM exposure_assets") == [(2,)]
            assert _rows(conn, "SELECT set_id FROM taxonomy_mappings") == [(7,)]
            assert _rows(conn, "SELECT code FROM districts") == [("g1",)]
    finally:
        engine.dispose()
