"""On PostgreSQL with PostGIS, the stored outlines are valid geometries with the areas Kalkan reports."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from kalkan.app.database import upgrade_database
from kalkan.store.database import Store, open_store


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[Store]:
    upgrade_database(postgres_url)
    store = open_store(postgres_url)
    with store.engine.begin() as conn:
        available = conn.execute(text("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")).scalar()
        if not available:
            store.close()
            if os.environ.get("KALKAN_REQUIRE_POSTGIS") == "1":
                pytest.fail("KALKAN_REQUIRE_POSTGIS=1 but the server has no PostGIS")
            pytest.skip("PostGIS is not installed on this PostgreSQL server")
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    yield store
    store.close()


@pytest.mark.postgres
def test_outlines_are_valid_postgis_geometries(pg_store: Store) -> None:
    """PostGIS's own geodesic area (WGS84 ellipsoid) agrees with Kalkan's spherical one within 0.5 %."""
    with pg_store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT city_id, kind, ST_IsValid(ST_GeomFromGeoJSON(geojson)), "
                "ST_Area(ST_GeomFromGeoJSON(geojson)::geography) / 1e6, area_km2 FROM city_geometries"
            )
        ).all()
    assert len(rows) == 8
    for city_id, kind, valid, area_ellipsoid, area_km2 in rows:
        assert valid, (city_id, kind)
        assert area_km2 == pytest.approx(area_ellipsoid, rel=0.005), (city_id, kind)
