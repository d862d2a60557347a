"""The catalogue: every shipped file it names exists and belongs to the dataset it says; per-city facts agree with
the shipped data they describe (read here with the csv and json modules, not with kalkan.io)."""

from __future__ import annotations

import csv
import json

import pytest

from kalkan.catalog import files
from kalkan.catalog.cities import (
    CITY_ADMIN1,
    CITY_CLIMATE_ZONE,
    CITY_GEM_UNIT,
    FOUNDING_CITIES,
    ILLUSTRATIVE_CITIES,
    NORMALS_CITY,
    SHIPPED_SERIES,
    cities_without_precipitation,
    illustrative_facilities_file,
)
from kalkan.catalog.sources import data_root, data_source

PATHS = sorted(files.SOURCE_OF)


@pytest.mark.parametrize("relative", PATHS)
def test_every_catalogued_file_exists_in_its_dataset(relative: str) -> None:
    assert files.shipped_path(relative).is_file(), relative
    assert relative in data_source(files.SOURCE_OF[relative]).files


def test_the_constants_are_catalogued() -> None:
    named = {v for k, v in vars(files).items() if k.endswith("_FILE") and isinstance(v, str)} - {
        files.JRC_CURVES_FILE, files.JRC_MAX_DAMAGE_FILE,
    }  # fmt: skip
    assert named <= set(files.SOURCE_OF)
    assert f"{files.JRC_DIR}/{files.JRC_CURVES_FILE}" in files.SOURCE_OF


def test_the_founding_cities_are_those_of_the_registry_file() -> None:
    raw = json.loads((data_root() / "cities" / "founding_cities.json").read_text(encoding="utf-8"))
    assert tuple(c["id"] for c in raw) == FOUNDING_CITIES
    countries = {c["country_iso3"] for c in raw}
    assert countries == {files.GEM_COUNTRY_ISO3[u.admin1_id.split("-")[0]] for u in CITY_GEM_UNIT.values()}


def test_gem_units_are_in_the_shipped_gem_files() -> None:
    """Each city's unit: its ID_1 and NAME_1 as in the Res file of its country."""
    for city, unit in CITY_GEM_UNIT.items():
        country = files.GEM_EXPOSURE_COUNTRIES[unit.admin1_id.split("-")[0]]
        path = data_root() / "gem_global_exposure_model" / "Central_Asia" / country / f"Exposure_Res_{country}_Adm1.csv"
        with path.open(newline="", encoding="utf-8-sig") as fh:
            names = {row["NAME_1"] for row in csv.DictReader(fh) if row["ID_1"] == unit.admin1_id}
        assert names == {unit.admin1_name}, city
        assert CITY_ADMIN1[city] == (unit.admin1_id, unit.whole)
    assert {c for c, u in CITY_GEM_UNIT.items() if u.whole} == {"dushanbe", "ashgabat"}


def test_shipped_series_and_their_precipitation() -> None:
    source = data_source("daily_temperature_series")
    for city, spec in SHIPPED_SERIES.items():
        assert spec.file in source.files and (data_root() / spec.file).is_file(), city
        header = (data_root() / spec.file).read_text(encoding="utf-8").splitlines()[0].lower()
        assert spec.has_precipitation == ("rain" in header or "precipitation" in header), city
    assert cities_without_precipitation() == ("ashgabat", "dushanbe")


def test_normals_cities_have_rows_and_every_city_a_climate_zone() -> None:
    with (data_root() / files.CLIMATE_NORMALS_FILE).open(newline="", encoding="utf-8") as fh:
        names = {row["city"] for row in csv.DictReader(fh)}
    assert set(NORMALS_CITY.values()) <= names
    assert set(CITY_CLIMATE_ZONE) == set(FOUNDING_CITIES)
    assert {zone for zone, _ in CITY_CLIMATE_ZONE.values()} <= {"continental", "arid"}


def test_illustrative_facility_files_are_catalogued() -> None:
    source = data_source("illustrative_facilities")
    assert [illustrative_facilities_file(c) for c in ILLUSTRATIVE_CITIES] == list(source.files)
