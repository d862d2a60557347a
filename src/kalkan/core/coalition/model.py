"""Plain values of the registry: what a city's facts are, independent of how they are stored."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PopulationFigure:
    """A population count with the year it refers to (None if the source gives none) and its source."""

    value: int
    year: int | None
    source: str


@dataclass(frozen=True, slots=True)
class DisasterRecord:
    """A notable past disaster; ``date`` is ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD) when known."""

    year: int
    hazard: str
    summary: str
    source: str
    date: str | None = None
    deaths: int | None = None


@dataclass(frozen=True, slots=True)
class CityGeometryRecord:
    """A city outline (GeoJSON geometry, WGS84) with its kind, area (km2), source and licence."""

    kind: str
    geojson: str
    area_km2: float
    source: str
    licence: str


@dataclass(frozen=True, slots=True)
class CityFacts:
    """The facts that describe a city in the registry; money in US dollars of ``gdp_year``."""

    id: str
    name_en: str
    name_ru: str
    country_iso3: str
    lon: float
    lat: float
    population: PopulationFigure
    ipcc_ar6_region: str
    currency: str
    main_hazards: tuple[str, ...]
    name_local: str | None = None
    admin1: str | None = None
    geonameid: int | None = None
    elevation_m: float | None = None
    population_alternatives: tuple[PopulationFigure, ...] = ()
    gdp_per_capita_usd: float | None = None
    gdp_year: int | None = None
    gdp_source: str | None = None
    climate: str | None = None
    rivers: tuple[str, ...] = ()
    national_agencies: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    disasters: tuple[DisasterRecord, ...] = ()
