"""Load the reference data shipped with Kalkan (the founding cities and their outlines) into a store.

Idempotent: each dataset is recorded in ``reference_datasets`` with the digest of its files; a dataset
already loaded with the same digest is left alone, one whose files changed (a newer Kalkan) is refreshed. A
refresh never undoes a city's corrections of its registry fields (``kalkan cities update``, kept in
``city_field_changes``): they are applied again over the shipped facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kalkan import __version__
from kalkan.core.coalition.model import CityFacts
from kalkan.core.coalition.vocabulary import FOUNDING_DATE
from kalkan.io.founding_cities import ReferenceData, founding_city_data
from kalkan.store.models import City, CityFieldChange, CityGeometry, Disaster, ReferenceDataset

FOUNDING_DATASET = "founding_cities"


@dataclass(frozen=True, slots=True)
class DatasetLoad:
    """What loading one shipped dataset did: ``loaded`` rows, or skipped because already present."""

    id: str
    action: str  # "loaded", "updated" or "present"
    rows: int


__all__ = [
    "COLUMN_FIELDS",
    "FOUNDING_DATASET",
    "LIST_FIELDS",
    "ReferenceData",
    "apply_facts",
    "facts_document",
    "field_of",
    "founding_city_data",
    "load_reference_data",
    "reapply_corrections",
    "set_city_field",
]


def apply_facts(city: City, facts: CityFacts) -> None:
    """Copy validated facts onto a City row (used for loading and for accession applications)."""
    city.name_en = facts.name_en
    city.name_ru = facts.name_ru
    city.name_local = facts.name_local
    city.country_iso3 = facts.country_iso3
    city.admin1 = facts.admin1
    city.geonameid = facts.geonameid
    city.lon = facts.lon
    city.lat = facts.lat
    city.elevation_m = facts.elevation_m
    city.population = facts.population.value
    city.population_year = facts.population.year
    city.population_source = facts.population.source
    city.population_alternatives = [
        {"value": p.value, "year": p.year, "source": p.source} for p in facts.population_alternatives
    ]
    city.gdp_per_capita_usd = facts.gdp_per_capita_usd
    city.gdp_year = facts.gdp_year
    city.gdp_source = facts.gdp_source
    city.currency = facts.currency
    city.ipcc_ar6_region = facts.ipcc_ar6_region
    city.main_hazards = list(facts.main_hazards)
    city.climate = facts.climate
    city.rivers = list(facts.rivers)
    city.national_agencies = list(facts.national_agencies)
    city.sources = dict(facts.sources)
    city.disasters = [
        Disaster(year=d.year, date=d.date, hazard=d.hazard, summary=d.summary, deaths=d.deaths, source=d.source)
        for d in facts.disasters
    ]


COLUMN_FIELDS = (
    "name_en", "name_ru", "name_local", "admin1", "geonameid", "lon", "lat", "elevation_m", "population",
    "population_year", "population_source", "gdp_per_capita_usd", "gdp_year", "gdp_source", "currency",
    "ipcc_ar6_region", "climate",
)  # fmt: skip
"""Registry fields that are columns of :class:`City` under the same name."""
LIST_FIELDS = ("main_hazards", "rivers", "national_agencies")


def facts_document(city: City) -> dict[str, Any]:
    """A stored city as a founding-cities JSON object (the schema :func:`kalkan.io.cities.parse_city` checks)."""
    doc: dict[str, Any] = {"id": city.id, "country_iso3": city.country_iso3, **dict(city.sources)}
    doc.update({name: getattr(city, name) for name in COLUMN_FIELDS})
    doc.update({name: list(getattr(city, name)) for name in LIST_FIELDS})
    doc["population_alternatives"] = list(city.population_alternatives)
    doc["notable_disasters"] = [
        {k: v for k, v in (("year", d.year), ("date", d.date), ("hazard", d.hazard), ("summary", d.summary),
                           ("deaths", d.deaths), ("source", d.source)) if v is not None}
        for d in city.disasters
    ]  # fmt: skip
    return {k: v for k, v in doc.items() if v is not None}


def field_of(city: City, field: str) -> Any:
    """The current value of a registry field (a column, a list or a ``*_source`` entry)."""
    if field in COLUMN_FIELDS:
        return getattr(city, field)
    if field in LIST_FIELDS:
        return list(getattr(city, field))
    return dict(city.sources).get(field)


def set_city_field(city: City, field: str, value: Any) -> None:
    """Set one registry field (a column, a list, or a ``*_source`` entry of ``sources``; the population and GDP
    sources are both)."""
    if field in COLUMN_FIELDS:
        setattr(city, field, value)
    elif field in LIST_FIELDS:
        setattr(city, field, list(value or []))
    elif not field.endswith("_source"):
        raise ValueError(f"not a registry field: {field!r}")
    if field.endswith("_source"):
        sources = dict(city.sources)  # a new dict, so that the JSON column is seen as changed
        if value is None:
            sources.pop(field, None)
        else:
            sources[field] = value
        city.sources = sources


def reapply_corrections(session: Session, city: City) -> list[str]:
    """Set every corrected field back to its latest correction (``city_field_changes``) after the shipped facts
    were applied: a refresh of the reference data never undoes a city's correction. Returns the fields."""
    changes = session.scalars(
        select(CityFieldChange).where(CityFieldChange.city_id == city.id).order_by(CityFieldChange.id)
    ).all()
    latest = {c.field: c for c in changes}
    for field, change in latest.items():
        set_city_field(city, field, change.new_value.get("value"))
    return sorted(latest)


def load_reference_data(session: Session, reference: ReferenceData | None = None) -> list[DatasetLoad]:
    """Load or refresh the founding cities; returns what was done (within the caller's transaction)."""
    cities, outlines, digest = reference if reference is not None else founding_city_data()
    record = session.get(ReferenceDataset, FOUNDING_DATASET)
    if record is not None and record.digest_sha256 == digest:
        return [DatasetLoad(FOUNDING_DATASET, "present", record.rows)]
    existing = {c.id: c for c in session.scalars(select(City).where(City.id.in_([c.id for c in cities])))}
    for facts in cities:
        row = existing.get(facts.id)
        if row is None:
            row = City(id=facts.id, membership_status="founding", member_since=FOUNDING_DATE)
            session.add(row)
        else:
            row.membership_status = "founding"
            row.member_since = FOUNDING_DATE
        apply_facts(row, facts)
        reapply_corrections(session, row)
        if row.geometries:  # delete the old outlines first: (city_id, kind) is unique
            row.geometries.clear()
            session.flush()
        row.geometries = [
            CityGeometry(kind=g.kind, geojson=g.geojson, area_km2=g.area_km2, source=g.source, licence=g.licence)
            for g in outlines[facts.id]
        ]
    action = "loaded" if record is None else "updated"
    if record is None:
        record = ReferenceDataset(id=FOUNDING_DATASET)
        session.add(record)
    record.digest_sha256 = digest
    record.code_version = __version__
    record.rows = len(cities)
    session.flush()
    return [DatasetLoad(FOUNDING_DATASET, action, len(cities))]
