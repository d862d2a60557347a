"""`kalkan db upgrade` loads the founding cities exactly as the shipped files state them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kalkan.app.database import upgrade_database
from kalkan.catalog import sources as data_sources
from kalkan.core.coalition.vocabulary import FOUNDING_DATE
from kalkan.errors import InputError
from kalkan.store.database import Store, open_store
from kalkan.store.engine import make_engine
from kalkan.store.models import City, CityGeometry, Disaster, ReferenceDataset

SHIPPED = data_sources.data_root()


def _source_cities() -> list[dict[str, Any]]:
    """The shipped facts read with plain json, independent of Kalkan's reader."""
    cities: list[dict[str, Any]] = json.loads((SHIPPED / "cities" / "founding_cities.json").read_text())
    return cities


def test_founding_cities_match_the_source_file(store: Store) -> None:
    source = {c["id"]: c for c in _source_cities()}
    with store.transaction() as session:
        cities = {c.id: c for c in session.scalars(select(City))}
        assert set(cities) == {"petropavl", "osh", "dushanbe", "ashgabat", "namangan"} == set(source)
        for cid, city in cities.items():
            src = source[cid]
            assert city.population == src["population"]
            assert city.population_year == src["population_year"]
            assert city.population_source == src["population_source"]
            assert city.gdp_per_capita_usd == src["gdp_per_capita_usd"]
            assert city.gdp_year == src["gdp_year"]
            assert (city.lon, city.lat) == (src["lon"], src["lat"])
            assert city.name_ru == src["name_ru"]
            assert city.ipcc_ar6_region == src["ipcc_ar6_region"]
            assert city.main_hazards == src["main_hazards"]
            assert city.membership_status == "founding"
            assert city.member_since == FOUNDING_DATE
            assert len(city.disasters) == len(src["notable_disasters"])
        assert {c.currency for c in cities.values()} == {"KZT", "KGS", "TJS", "TMT", "UZS"}
        assert cities["dushanbe"].population == 1228400


def test_outlines_and_their_areas(store: Store) -> None:
    """Areas computed on the sphere agree with the areas the sources publish (NE area_sqkm, WOF area_m2)."""
    geo = SHIPPED / "geo"
    ne = json.loads((geo / "cities" / "coalition_cities_urban_extent_ne50m.geojson").read_text())
    wof = json.loads((geo / "whosonfirst" / "wof_coalition_city_geometries.geojson").read_text())
    published = {("urban_extent", f["properties"]["city_id"]): f["properties"]["area_sqkm"] for f in ne["features"]}
    for f in wof["features"]:
        if f["geometry"]["type"] != "Point":
            published[("admin_boundary", f["properties"]["city_id"])] = f["properties"]["area_m2"] / 1e6
    with store.transaction() as session:
        rows = {(g.kind, g.city_id): g for g in session.scalars(select(CityGeometry))}
    assert set(rows) == set(published)
    assert ("admin_boundary", "petropavl") not in rows  # WOF has only a point for Petropavl
    for key, area in published.items():
        assert rows[key].area_km2 == pytest.approx(area, rel=0.01), key
        assert rows[key].licence


def test_upgrade_is_idempotent(db_url: str) -> None:
    first = upgrade_database(db_url)
    second = upgrade_database(db_url)
    assert [d.action for d in first.datasets] == ["loaded"]
    assert [d.action for d in second.datasets] == ["present"]
    assert second.revision_before == second.revision_after
    store = open_store(db_url)
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(City)) == 5
        expected = sum(len(c["notable_disasters"]) for c in _source_cities())
        assert session.scalar(select(func.count()).select_from(Disaster)) == expected
    store.close()


def test_changed_shipped_data_refreshes_the_founding_cities(db_url: str) -> None:
    upgrade_database(db_url)
    store = open_store(db_url)
    with store.transaction() as session:
        record = session.get(ReferenceDataset, "founding_cities")
        assert record is not None
        record.digest_sha256 = "0" * 64  # as if a newer Kalkan shipped other files
        session.get_one(City, "osh").population = 1
    report = upgrade_database(db_url)
    assert [d.action for d in report.datasets] == ["updated"]
    with store.transaction() as session:
        assert session.get_one(City, "osh").population == 333600
        assert session.scalar(select(func.count()).select_from(CityGeometry)) == 8
    store.close()


@pytest.fixture
def broken_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped data folder that tests may damage; Kalkan reads it instead."""
    root = tmp_path / "data"
    shutil.copytree(SHIPPED, root)
    monkeypatch.setattr(data_sources, "data_root", lambda: root)
    return root


def _count_tables(db_url: str) -> list[str]:
    from sqlalchemy import inspect

    engine = make_engine(db_url)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_malformed_city_file_names_file_city_and_field(db_url: str, broken_data: Path) -> None:
    path = broken_data / "cities" / "founding_cities.json"
    cities = json.loads(path.read_text())
    cities[2]["population"] = -5
    path.write_text(json.dumps(cities))
    with pytest.raises(InputError) as info:
        upgrade_database(db_url)
    msg = str(info.value)
    assert str(path) in msg and "city #3 ('dushanbe')" in msg and "'population'" in msg
    assert "positive" in msg or "between 1" in msg
    assert _count_tables(db_url) == []  # nothing was written, not even the schema


def test_missing_city_file(db_url: str, broken_data: Path) -> None:
    (broken_data / "cities" / "founding_cities.json").unlink()
    with pytest.raises(InputError, match=r"founding_cities\.json: file not found"):
        upgrade_database(db_url)
    assert _count_tables(db_url) == []


def test_invalid_json_city_file(db_url: str, broken_data: Path) -> None:
    (broken_data / "cities" / "founding_cities.json").write_text('[{"id": "osh",')
    with pytest.raises(InputError, match=r"not valid JSON at line 1"):
        upgrade_database(db_url)


def test_failure_during_load_rolls_back_schema_and_data(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the schema was created inside the transaction leaves the database empty."""
    from kalkan.app import reference_data

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(reference_data, "apply_facts", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        upgrade_database(db_url)
    assert _count_tables(db_url) == []
