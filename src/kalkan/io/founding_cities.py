"""Read the founding cities shipped with Kalkan: their registry facts and their outlines, validated.

The files are datasets of ``data/sources.json`` (``founding_cities``, ``coalition_city_anchors``,
``wof_city_geometries``); the facts are checked by :func:`kalkan.io.cities.read_cities` and the outlines by
:func:`kalkan.io.cities.read_city_outlines`. Every use case that needs a founding city's facts outside a store
(GEM exposure, climate indicators, illustrative floods) reads them here.
"""

from __future__ import annotations

from kalkan.catalog.sources import data_source
from kalkan.core.coalition.model import CityFacts, CityGeometryRecord
from kalkan.errors import NotFoundError
from kalkan.io.cities import read_cities, read_city_outlines
from kalkan.io.digest import sha256_files

ReferenceData = tuple[list[CityFacts], dict[str, list[CityGeometryRecord]], str]
"""The founding cities' facts, their outlines by city id, and the digest of the files they come from."""

REFERENCE_SOURCES = ("founding_cities", "coalition_city_anchors", "wof_city_geometries")
"""The datasets (``data/sources.json`` ids) the founding cities are read from."""


def read_founding_cities() -> list[CityFacts]:
    """The registry facts of the founding cities (``data/cities/founding_cities.json``), validated."""
    return read_cities(data_source("founding_cities").paths()[0])


def _read_outlines(cities: list[CityFacts]) -> dict[str, list[CityGeometryRecord]]:
    anchors = data_source("coalition_city_anchors")
    wof = data_source("wof_city_geometries")
    admin = read_city_outlines(
        wof.paths()[0],
        kind="admin_boundary",
        source="Who's On First city record (" + wof.origin + ")",
        licence=wof.licence,
    )
    extent = read_city_outlines(
        anchors.paths()[1],
        kind="urban_extent",
        source="Natural Earth 50m urban areas (MODIS 2002-03 footprint), polygon containing the city point",
        licence="Public domain (Natural Earth)",
    )
    outlines: dict[str, list[CityGeometryRecord]] = {c.id: [] for c in cities}
    for by_city in (admin, extent):
        for cid, geom in by_city.items():
            if cid in outlines:
                outlines[cid].append(geom)
    return outlines


def reference_digest() -> str:
    """SHA-256 of every file the founding cities are read from (a changed file means a newer Kalkan)."""
    paths = []
    for sid in REFERENCE_SOURCES:
        paths.extend(data_source(sid).paths())
    return sha256_files(paths)


def founding_city_data() -> ReferenceData:
    """The founding cities' facts and outlines, validated, with the digest of the files they come from."""
    cities = read_founding_cities()
    return cities, _read_outlines(cities), reference_digest()


def founding_city(city_id: str) -> CityFacts:
    """The registry facts of one founding city; an unknown id is a :class:`NotFoundError` naming the known ones."""
    cities = read_founding_cities()
    for city in cities:
        if city.id == city_id:
            return city
    raise NotFoundError(
        f"Unknown city {city_id!r}: the founding cities are {', '.join(c.id for c in cities)}.",
        code="not_found.city",
        field="city",
    )


def city_region(city_id: str) -> str:
    """The AR6 reference region of a founding city (field ``ipcc_ar6_region`` of the registry data)."""
    return founding_city(city_id).ipcc_ar6_region
