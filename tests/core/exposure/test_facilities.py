"""Facility records and tables: validation naming field and facility, and the Exposure they become."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import numpy as np
import pytest

from kalkan.core.exposure.facilities import CAPACITY_UNITS, Facility, FacilityTable, to_exposure
from kalkan.core.exposure.table import CRITICAL_TYPES
from kalkan.errors import InputError
from tests.errors import expect_error


def facility(**changes: Any) -> Facility:
    values: dict[str, Any] = {
        "id": "H1",
        "name": "Hospital",
        "type": "hospital",
        "lon": 72.8,
        "lat": 40.5,
        "construction_class": "CR+CIP/LWAL+CDL/HBET:3-/COM",
        "replacement_cost_usd": 1e6,
        "price_year": 2021,
        "occupants_day": 100.0,
        "occupants_night": 40.0,
        "backup_power": True,
        "backup_water": False,
        "capacity": 120.0,
        "year_built": 1976,
        "condition": 3,
        "last_inspection": date(2024, 5, 1),
    }
    values.update(changes)
    return Facility(**values)


def test_every_critical_type_has_a_capacity_unit() -> None:
    assert set(CAPACITY_UNITS) == set(CRITICAL_TYPES)
    assert facility().capacity_unit == "beds"
    assert facility(type="school").capacity_unit == "pupils"
    assert facility(type="water_plant").capacity_unit == "people_served"
    assert facility(type="shelter").capacity_unit == "persons"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("type", "spaceport", "input.unknown"),
        ("type", "", "input.missing"),
        ("lon", 500000.0, "input.range"),
        ("lat", -91.0, "input.range"),
        ("lat", "north", "input.type"),
        ("condition", 6, "input.range"),
        ("condition", 0, "input.range"),
        ("condition", 2.5, "input.type"),
        ("capacity", -1.0, "input.range"),
        ("replacement_cost_usd", float("nan"), "input.range"),
        ("occupants_day", -3.0, "input.range"),
        ("year_built", 3000, "input.range"),
        ("price_year", 1500, "input.range"),
        ("construction_class", " ", "input.missing"),
        ("name", "", "input.missing"),
        ("name", 7, "input.type"),
        ("capacity_unit", "pupils", "input.inconsistent"),
        ("last_inspection", "2024-05-01", "input.type"),
        ("backup_power", "yes", "input.type"),
    ],
)
def test_bad_values_name_the_field_and_the_facility(field: str, value: Any, code: str) -> None:
    with pytest.raises(InputError) as info:
        facility(**{field: value})
    assert "'H1'" in expect_error(info, code, field).message  # the facility


def test_out_of_range_coordinates_suggest_reprojecting() -> None:
    with pytest.raises(InputError) as info:
        facility(lon=435000.0)
    assert "EPSG:4326" in expect_error(info, "input.range", "lon").message  # the CRS to reproject to


def table(*facilities: Facility) -> FacilityTable:
    return FacilityTable.from_facilities(facilities or (facility(), facility(id="S1", type="school", capacity=None)))


def test_table_round_trips_facilities() -> None:
    t = table()
    assert len(t) == 2
    assert list(t) == [facility(), facility(id="S1", type="school", capacity=None)]
    assert np.isnan(t.capacity[1])
    assert t.capacity_unit.tolist() == ["beds", "pupils"]


def test_table_refuses_duplicate_ids_and_mixed_price_years() -> None:
    with pytest.raises(InputError) as info:
        table(facility(), facility())
    assert "'H1'" in expect_error(info, "input.duplicate", "id", 2).message
    with pytest.raises(InputError) as info:
        table(facility(), facility(id="H2", price_year=2020))
    assert "2020" in expect_error(info, "input.inconsistent", "price_year").message


def test_table_validates_its_arrays() -> None:
    t = table()
    fields = {f.name: getattr(t, f.name) for f in dataclasses.fields(t)}
    with pytest.raises(InputError) as info:
        FacilityTable(**{**fields, "condition": np.array([3, 9])})
    expect_error(info, "input.range", "condition")
    with pytest.raises(InputError) as info:
        FacilityTable(**{**fields, "lat": np.array([1.0])})
    expect_error(info, "input.inconsistent", "lat")


def test_to_exposure_gives_critical_types_costs_and_occupants() -> None:
    t = table(facility(), facility(id="B1", type="bridge", replacement_cost_usd=5e6, occupants_day=0.0))
    e = to_exposure(t)
    assert e.id.tolist() == ["H1", "B1"]
    assert e.critical_type is not None
    assert e.critical_type.tolist() == ["hospital", "bridge"]
    assert list(e.costs) == ["structural"]
    assert e.costs["structural"].tolist() == [1e6, 5e6]
    assert e.occupants["day"].tolist() == [100.0, 0.0]
    assert e.occupants["night"].tolist() == [40.0, 40.0]
    assert e.taxonomy.tolist() == ["CR+CIP/LWAL+CDL/HBET:3-/COM"] * 2
    assert e.price_year == 2021
    assert e.currency == "USD"
    assert e.extra["backup_power"].tolist() == [True, True]
