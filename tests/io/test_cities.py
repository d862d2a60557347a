"""The city-facts reader: precise errors for each bad field, and never an unexpected exception."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.errors import InputError
from kalkan.io.cities import parse_city, read_cities, read_city_outlines

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
    ("change", "field", "expected"),
    [
        ({"id": "Almaty City"}, "id", "lower-case identifier"),
        ({"population": -5}, "population", "whole number between 1"),
        ({"population": 1.5}, "population", "whole number"),
        ({"population": True}, "population", "whole number"),
        ({"lon": 200}, "lon", "between -180"),
        ({"lat": float("nan")}, "lat", "number between -90"),
        ({"country_iso3": "kz"}, "country_iso3", "ISO 3166-1 alpha-3"),
        ({"ipcc_ar6_region": "XYZ"}, "ipcc_ar6_region", "AR6 land region"),
        ({"main_hazards": ["tsunamis"]}, "main_hazards", "unknown value(s) 'tsunamis'"),
        ({"name_ru": ""}, "name_ru", "non-empty text"),
        ({"population_source": None}, "population_source", "non-empty text"),
        ({"country_iso3": "FRA"}, "currency", "no national currency on file for FRA"),
    ],
)
def test_bad_fields_are_named(change: dict[str, Any], field: str, expected: str) -> None:
    with pytest.raises(InputError) as info:
        parse_city({**GOOD, **change}, "f.json, city #1")
    msg = str(info.value)
    assert msg.startswith("f.json, city #1")
    assert f"'{field}'" in msg
    assert expected in msg


def test_gdp_needs_its_year_and_source() -> None:
    with pytest.raises(InputError, match="price year"):
        parse_city({**GOOD, "gdp_per_capita_usd": 1000}, "f")


def test_disaster_errors_point_at_the_entry() -> None:
    bad = {**GOOD, "notable_disasters": [{"year": 2020, "hazard": "flood", "summary": "s", "source": "x"}]}
    with pytest.raises(InputError, match=r"notable_disasters\[0\], field 'hazard'"):
        parse_city(bad, "f")
    bad_date = {
        **GOOD,
        "notable_disasters": [
            {"year": 2020, "date": "2019-05-01", "hazard": "earthquake", "summary": "s", "source": "x"}
        ],
    }
    with pytest.raises(InputError, match="in the year 2020"):
        parse_city(bad_date, "f")


def test_duplicate_ids_in_one_file(tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(json.dumps([GOOD, GOOD]))
    with pytest.raises(InputError, match="id 'almaty' is used twice"):
        read_cities(path)


def test_empty_and_non_json(tmp_path: Path) -> None:
    empty = tmp_path / "e.json"
    empty.write_text("[]")
    with pytest.raises(InputError, match="holds no city"):
        read_cities(empty)
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="UTF-8"):
        read_cities(binary)


def test_outline_reader_rejects_lines(tmp_path: Path) -> None:
    path = tmp_path / "o.geojson"
    feature = {
        "type": "Feature",
        "properties": {"city_id": "x"},
        "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(InputError, match="feature #1: geometry type 'LineString'"):
        read_city_outlines(path, kind="urban_extent", source="s", licence="l")


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
        message = str(exc)
    else:
        assert -180 <= city.lon <= 180 and -90 <= city.lat <= 90
        assert city.population.value >= 1
        return
    assert message.startswith("f")


@given(st.dictionaries(st.text(max_size=12), json_values, max_size=8))
def test_any_object_gives_a_city_or_an_input_error(obj: dict[str, Any]) -> None:
    with contextlib.suppress(InputError):
        parse_city(obj, "f")
