"""A city's building exposure from the GEM Global Exposure Model: read the admin-1 rows, choose the outline and
the share, spread them (:func:`kalkan.core.exposure.gem.build_city_exposure`) and record how.

The founding cities have a fixed GEM unit (:data:`kalkan.catalog.cities.CITY_GEM_UNIT`) and share (the whole unit,
or population / region residents); any other city is an admin-1 unit, a share or a population and an outline,
cut to the unit's country. GEM: CC BY-NC-SA 4.0, non-commercial use only.
"""

from __future__ import annotations

from typing import Any

from kalkan.app.city_outline import CityOutline, founding_outline
from kalkan.catalog.cities import CITY_GEM_UNIT
from kalkan.catalog.files import GEM_COUNTRY_ISO3
from kalkan.core.exposure.gem import (
    admin1_share,
    build_city_exposure,
    city_share,
    clip_to_country,
    exposure_record,
)
from kalkan.core.exposure.table import Exposure
from kalkan.core.geometry import geometry_area_km2
from kalkan.errors import InputError
from kalkan.io.countries import country_outline
from kalkan.io.founding_cities import read_founding_cities
from kalkan.io.gem_exposure import admin1_rows

__all__ = ["admin1_exposure", "city_exposure"]


def city_exposure(
    city_id: str, cell_km: float = 0.5, *, outline: CityOutline | None = None
) -> tuple[Exposure, dict[str, Any]]:
    """The GEM building exposure of a founding city, and a record of the method and numbers used.

    Dushanbe (``TJ-DU``) and Ashgabat (``TM-S``) are admin-1 units of their own: share 1. Osh (``KG-O``, Osh
    Region), Namangan (``UZ-NG``, Namangan Region) and Petropavlovsk (``KZ-SEV``, North Kazakhstan Region) are
    part of their region: share = city population (``founding_cities.json``) / region residents
    (:func:`kalkan.core.exposure.gem.city_share`). Outline: ``outline``, the city's outline from the store
    (:func:`kalkan.app.city_outline.city_outline`: its own, else its administrative boundary, else its urban extent
    clipped to its country), or without it the same choice from the shipped files
    (:func:`~kalkan.app.city_outline.founding_outline`); never across a border. Cells of ``cell_km`` km, uniform
    density (see :func:`~kalkan.core.exposure.gem.build_city_exposure`).
    """
    unit = CITY_GEM_UNIT.get(city_id)
    if unit is None:
        raise InputError(
            f"No GEM exposure mapping for city {city_id!r}; known: {', '.join(CITY_GEM_UNIT)}.",
            code="input.unknown",
            field="city",
        )
    facts = next((c for c in read_founding_cities() if c.id == city_id), None)
    if facts is None:
        raise InputError(f"City {city_id!r} is not among the founding cities.", code="input.unknown", field="city")
    if outline is None:
        outline = founding_outline(city_id)
    elif outline.city_id != city_id:
        raise InputError(
            f"The outline given for {city_id} is {outline.city_id}'s.", code="input.inconsistent", field="outline"
        )
    rows = admin1_rows(unit.admin1_id)
    population = int(facts.population.value)
    share, basis = city_share(rows, city_id=city_id, population=population, whole=unit.whole)
    exposure = build_city_exposure(rows, share, outline.geometry, cell_km, city_id=city_id)
    record = exposure_record(exposure, rows, share, basis, cell_km, asset_prefix=city_id)
    record.update(
        {
            "city_population": population,
            "city_population_year": facts.population.year,
            "city_population_source": facts.population.source,
            "outline_kind": outline.kind,
            "outline_label": outline.label,
            "outline_source": outline.source,
            "outline_area_km2": round(outline.area_km2, 3),
            "outline_clipped_to_country": outline.clipped_to_country,
            "outline_version": outline.version,
            "country_iso3": outline.country_iso3,
        }
    )
    return exposure, {"city_id": city_id, **record}


def admin1_exposure(
    id_1: str,
    outline_geojson: dict[str, Any],
    *,
    share: float | None = None,
    population: float | None = None,
    cell_km: float = 0.5,
    asset_prefix: str | None = None,
) -> tuple[Exposure, dict[str, Any]]:
    """The GEM exposure of any admin-1 unit (or a city within it), for a city that joins the coalition.

    Give at most one of ``share`` (in (0, 1]) or ``population`` (people; share = population / the unit's
    residents, :data:`~kalkan.core.exposure.gem.RESIDENTS_PROXY`); with neither the whole unit is taken.
    ``outline_geojson`` is the area the buildings are spread over (the city's urban extent). Asset ids start with
    ``asset_prefix`` (default: the admin-1 id in lower case). The outline is cut to the unit's country first
    (:func:`~kalkan.core.exposure.gem.clip_to_country`).
    """
    rows = admin1_rows(id_1)
    share, basis = admin1_share(rows, share=share, population=population)
    prefix = asset_prefix or id_1.lower()
    iso3 = GEM_COUNTRY_ISO3[id_1.split("-")[0]]
    area = geometry_area_km2(outline_geojson)
    country = country_outline(iso3)
    inside = clip_to_country(
        outline_geojson,
        None if country is None else country.geometry,
        f"{country.name if country is not None else iso3} ({iso3})",
        f"{prefix}'s outline",
    )
    exposure = build_city_exposure(rows, share, inside, cell_km, city_id=prefix)
    record = exposure_record(exposure, rows, share, basis, cell_km, asset_prefix=prefix)
    record["outline_area_km2"] = round(geometry_area_km2(inside), 3)
    record["outline_clipped_to_country"] = inside is not outline_geojson
    if inside is not outline_geojson:
        record["outline_area_before_clipping_km2"] = round(area, 3)
    record["country_iso3"] = iso3
    return exposure, record
