"""The city-facts reader: precise errors for each bad field, and never an unexpected exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.errors import CODES, InputError
from kalkan.io.cities import parse_city, read_cities, read_city_outlines
from tests.errors import expect_error

GOOD: dict[str, Any] = {
    "id": "almaty",
    "name_en": "Almaty",
    "name_ru": "Алматы",
    "country_iso3": "KAZ",
    "lon": 76.95,
    "lat": 43.25,
    "population": 2000000,
    "population_year": 2024,
    "population_source": "test",
    "ipcc_ar6_region": "ECA",
    "main_hazards": ["earthquake"],
}


def test_good_city() -> None:
    city = parse_city(GOOD, "f.json, city #1")
    assert city.currency == "KZT"
    assert city.population.value == 2000000 and city.population.year == 2024


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"id": "Almaty City"}, "id", "input.type"),
        ({"id": None}, "id", "input.missing"),
        ({"population": -5}, "population", "input.range"),
        ({"population": 1.5}, "population", "input.type"),
        ({"population": True}, "population", "input.type"),
        ({"lon": 200}, "lon", "input.range"),
        ({"lat": float("nan")}, "lat", "input.range"),
        ({"lat": "43.25"}, "lat", "input.type"),
        ({"country_iso3": "kz"}, "country_iso3", "input.type"),
        ({"ipcc_ar6_region": "XYZ"}, "ipcc_ar6_region", "input.unknown"),
        ({"main_hazards": ["tsunamis"]}, "main_hazards", "input.unknown"),
        ({"name_ru": ""}, "name_ru", "input.missing"),
        ({"name_ru": "x" * 201}, "name_ru", "input.too_large"),
        ({"population_source": None}, "population_source", "input.missing"),
        ({"country_iso3": "FRA"}, "currency", "input.missing"),
        ({"lattitude": 43.2}, "lattitude", "input.unknown"),
    ],
)
def test_bad_fields_are_named(change: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        parse_city({**GOOD, **change}, "f.json, city #1", 1)
    assert expect_error(info, code, field, 1).message.startswith("f.json, city #1")


def test_gdp_needs_its_year_and_source() -> None:
    with pytest.raises(InputError) as info:
        parse_city({**GOOD, "gdp_per_capita_usd": 1000}, "f")
    expect_error(info, "input.missing", "gdp_year", None)
    with pytest.raises(InputError) as info:
        parse_city({**GOOD, "gdp_per_capita_usd": 1000, "gdp_year": 2023}, "f")
    expect_error(info, "input.missing", "gdp_source")


def test_disaster_errors_point_at_the_entry() -> None:
    bad = {**GOOD, "notable_disasters": [{"year": 2020, "hazard": "flood", "summary": "s", "source": "x"}]}
    with pytest.raises(InputError) as info:
        parse_city(bad, "f")
    assert (
        "notable_disasters[0]" in expect_error(info, "input.unknown", "notable_disasters[0].hazard").message
    )  # the entry
    bad_date = {
        **GOOD,
        "notable_disasters": [
            {"year": 2020, "date": "2019-05-01", "hazard": "earthquake", "summary": "s", "source": "x"}
        ],
    }
    with pytest.raises(InputError) as info:
        parse_city(bad_date, "f")
    assert (
        "2020" in expect_error(info, "input.inconsistent", "notable_disasters[0].date").message
    )  # the year the date must be in


def test_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(json.dumps([GOOD, GOOD]))
    with pytest.raises(InputError) as info:
        read_cities(path)
    assert "'almaty'" in expect_error(info, "input.duplicate", "id", 2).message


def test_empty_and_non_json(tmp_path: Path) -> None:
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    with pytest.raises(InputError) as info:
        read_cities(empty)
    assert "e.json" in expect_error(info, "input.empty").message
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError) as info:
        read_cities(binary)
    assert "b.json" in expect_error(info, "input.encoding", None, 1).message


def test_outline_reader_rejects_lines(tmp_path: Path) -> None:
    path = tmp_path / "o.geojson"
    feature = {
        "type": "Feature",
        "properties": {"city_id": "x"},
        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(InputError) as info:
        read_city_outlines(path, kind="urban_extent", source="s", licence="l")
    assert "'LineString'" in expect_error(info, "input.type", "geometry", 1).message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from([*sorted(GOOD), "notable_disasters", "population_alternatives", "gdp_per_capita_usd"]),
    value=json_values,
)
def test_any_value_gives_a_city_or_an_input_error(field: str, value: Any) -> None:
    """Property: whatever JSON value a field holds, the reader returns a valid city or raises InputError."""
    try:
        city = parse_city({**GOOD, field: value}, "f")
    except InputError as exc:
        error = exc
    else:
        assert -180 <= city.lon <= 180 and -90 <= city.lat <= 90
        assert city.population.value >= 1
        return
    assert error.message.startswith("f") and error.code in CODES and error.field is not None


@given(st.dictionaries(st.text(max_size=12), json_values, max_size=8))
def test_any_object_gives_a_city_or_an_input_error(obj: dict[str, Any]) -> None:
    error: InputError | None = None
    try:
        parse_city(obj, "f", 3)
    except InputError as exc:
        error = exc
    assert error is None or (error.code in CODES and error.row == 3)
