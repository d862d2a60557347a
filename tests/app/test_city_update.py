"""`kalkan cities update`: corrections of registry fields with their source, kept through reference refreshes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kalkan.app.coalition import update_city
from kalkan.app.database import upgrade_database
from kalkan.app.reference_data import founding_city_data, load_reference_data
from kalkan.errors import InputError, NotFoundError
from kalkan.store.database import Store, open_store
from kalkan.store.models import City, CityFieldChange, ReferenceDataset
from kalkan.store.registry import field_changes
from tests.app.test_city_data import kalkan
from tests.errors import expect_error

SHIPPED_OSH = json.loads(
    (Path(__file__).resolve().parents[2] / "src/kalkan/data/cities/founding_cities.json").read_text()
)[1]


def test_correction_is_applied_recorded_and_sourced(store: Store) -> None:
    assert SHIPPED_OSH["id"] == "osh"
    with store.transaction() as session:
        changes = update_city(session, "osh", ["population=350000", "elevation_m=1010"],
                              source="Osh city statistics 2026", by="A. Analyst")  # fmt: skip
    fields = [c["field"] for c in changes]
    assert fields == ["population", "elevation_m", "population_source", "elevation_source"]
    by_field = {c["field"]: c for c in changes}
    assert by_field["population"]["old_value"] == SHIPPED_OSH["population"]
    assert by_field["population"]["new_value"] == 350000
    assert by_field["elevation_m"]["old_value"] == SHIPPED_OSH["elevation_m"]
    assert by_field["population_source"]["new_value"] == "Osh city statistics 2026"  # no value without its source
    assert by_field["population"]["changed_by"] == "A. Analyst"
    with store.transaction() as session:
        city = session.get_one(City, "osh")
        assert city.population == 350000 and city.elevation_m == 1010.0
        assert city.population_source == "Osh city statistics 2026"
        assert city.sources["elevation_source"] == "Osh city statistics 2026"
        assert city.sources["population_source"] == "Osh city statistics 2026"
        assert session.scalars(select(CityFieldChange)).all()
    with store.transaction() as session:  # the same value again: nothing new
        assert update_city(session, "osh", ["population=350000"], source="again") == []


@pytest.mark.parametrize(
    ("assignment", "field"),
    [
        ("lat=95", "lat"),
        ("population=-3", "population"),
        ("population=1.5", "population"),
        ("main_hazards=earthquake;meteor", "main_hazards"),
        ("ipcc_ar6_region=XYZ", "ipcc_ar6_region"),
        ("gdp_year=", "gdp_per_capita_usd"),  # GDP needs its price year: the schema's own rule
        ("country_iso3=UZB", "country_iso3"),
        ("name_en", "name_en"),
    ],
)
def test_values_are_checked_like_the_founding_cities_file(store: Store, assignment: str, field: str) -> None:
    with store.transaction() as session, pytest.raises(InputError) as info:
        update_city(session, "osh", [assignment], source="s")
    assert field in str(info.value)
    with store.transaction() as session:
        assert session.get_one(City, "osh").population == SHIPPED_OSH["population"]
        assert field_changes(session, "osh") == []


def test_a_source_is_required_and_the_city_must_exist(store: Store) -> None:
    with store.transaction() as session, pytest.raises(InputError) as info:
        update_city(session, "osh", ["population=1"], source="  ")
    expect_error(info, "input.missing", "--source")
    with store.transaction() as session, pytest.raises(NotFoundError):
        update_city(session, "atlantis", ["population=1"], source="s")


def test_a_refresh_of_the_shipped_data_keeps_the_correction(db_url: str) -> None:
    upgrade_database(db_url)
    store = open_store(db_url)
    try:
        with store.transaction() as session:
            update_city(session, "osh", ["population=350000", "rivers=Ak-Buura;Kurshab"], source="census 2026")
        with store.transaction() as session:  # as if a newer Kalkan shipped other files
            session.get_one(ReferenceDataset, "founding_cities").digest_sha256 = "0" * 64
        cities, outlines, _ = founding_city_data()
        with store.transaction() as session:
            report = load_reference_data(session, (cities, outlines, "f" * 64))
        assert [d.action for d in report] == ["updated"]
        with store.transaction() as session:
            osh = session.get_one(City, "osh")
            assert osh.population == 350000 and osh.rivers == ["Ak-Buura", "Kurshab"]
            assert osh.population_source == "census 2026"
            assert osh.name_en == SHIPPED_OSH["name_en"]  # uncorrected fields follow the shipped data
            dushanbe = session.get_one(City, "dushanbe")
            assert dushanbe.population == 1228400
    finally:
        store.close()


def test_cli_update_and_show(sqlite_url: str) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    done = kalkan(sqlite_url, "cities", "update", "osh", "--set", "population=350000", "--source", "census 2026",
                  "--by", "Osh city hall", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [c["field"] for c in json.loads(done.stdout)] == ["population", "population_source"]
    shown = json.loads(kalkan(sqlite_url, "cities", "show", "osh", "--json").stdout)
    assert shown["population"] == 350000
    first = shown["corrections"][0]
    assert first["source"] == "census 2026" and first["changed_by"] == "Osh city hall"
    text = kalkan(sqlite_url, "cities", "show", "osh").stdout
    assert "corrected: population" in text and "census 2026" in text
    upgraded = kalkan(sqlite_url, "db", "upgrade")
    assert upgraded.returncode == 0
    assert json.loads(kalkan(sqlite_url, "cities", "show", "osh", "--json").stdout)["population"] == 350000
    bad = kalkan(sqlite_url, "cities", "update", "osh", "--set", "lat=95", "--source", "x")
    assert bad.returncode == 2 and "'lat'" in bad.stderr and "Traceback" not in bad.stderr
