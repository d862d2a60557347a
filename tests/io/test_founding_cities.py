"""The shipped founding cities: facts, outlines, AR6 regions; an unknown city is refused by code and field."""

from __future__ import annotations

import json

import pytest

from kalkan.catalog.cities import CITY_ADMIN1, FOUNDING_CITIES, ILLUSTRATIVE_CITIES, SHIPPED_SERIES
from kalkan.catalog.sources import data_source
from kalkan.errors import NotFoundError
from kalkan.io.founding_cities import city_region, founding_city, founding_city_data, read_founding_cities
from tests.errors import expect_error


def test_city_regions() -> None:
    assert {c: city_region(c) for c in FOUNDING_CITIES} == {
        "petropavl": "WSB",
        "osh": "WCA",
        "dushanbe": "WCA",
        "ashgabat": "WCA",
        "namangan": "WCA",
    }
    with pytest.raises(NotFoundError) as info:
        city_region("atlantis")
    expect_error(info, "not_found.city", "city")
    assert "atlantis" in str(info.value)


def test_facts_are_those_of_the_shipped_file() -> None:
    raw = json.loads(data_source("founding_cities").paths()[0].read_text(encoding="utf-8"))
    facts = read_founding_cities()
    assert [c.id for c in facts] == [c["id"] for c in raw] == list(FOUNDING_CITIES)
    osh = founding_city("osh")
    expected = next(c for c in raw if c["id"] == "osh")
    assert (osh.population.value, osh.population.year) == (expected["population"], expected["population_year"])
    assert (osh.lon, osh.lat, osh.ipcc_ar6_region) == (expected["lon"], expected["lat"], expected["ipcc_ar6_region"])


def test_reference_data_has_an_outline_per_city_and_a_digest() -> None:
    cities, outlines, digest = founding_city_data()
    assert set(outlines) == {c.id for c in cities}
    assert all(outlines[c] for c in FOUNDING_CITIES)
    assert {g.kind for g in outlines["osh"]} == {"admin_boundary", "urban_extent"}
    assert len(digest) == 64 and digest == founding_city_data()[2]


def test_the_catalogue_covers_every_founding_city() -> None:
    """Each founding city has its GEM unit, its shipped daily series and its illustrative facility set."""
    assert set(CITY_ADMIN1) == set(SHIPPED_SERIES) == set(ILLUSTRATIVE_CITIES) == set(FOUNDING_CITIES)
    assert all(spec.city_id == city for city, spec in SHIPPED_SERIES.items())
