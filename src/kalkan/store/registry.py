"""The coalition registry in the store: plain queries of cities, their districts, accession applications and
corrections, and their JSON-ready rows. The accession and correction use cases are in :mod:`kalkan.app.coalition`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from kalkan.core.coalition.vocabulary import AR6_LAND_REGIONS
from kalkan.errors import NotFoundError
from kalkan.store.models import AccessionApplication, City, CityFieldChange, DataVersion, District

MEMBER_STATUSES = ("founding", "member")
"""Membership statuses of the coalition's members (applicants and rejected cities are not members)."""


def isoformat_utc(value: dt.date | dt.datetime | None) -> str | None:
    """A stored date or time as ISO 8601 text, in UTC (SQLite drops the zone of the stored UTC times)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is None:  # SQLite drops the zone; stored as UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def city_row(city: City) -> dict[str, Any]:
    """The registry line of a city: identity, population (with year and source), GDP, membership."""
    return {
        "id": city.id,
        "name_en": city.name_en,
        "name_ru": city.name_ru,
        "name_local": city.name_local,
        "country_iso3": city.country_iso3,
        "lon": city.lon,
        "lat": city.lat,
        "population": city.population,
        "population_year": city.population_year,
        "population_source": city.population_source,
        "gdp_per_capita_usd": city.gdp_per_capita_usd,
        "gdp_year": city.gdp_year,
        "currency": city.currency,
        "ipcc_ar6_region": city.ipcc_ar6_region,
        "main_hazards": list(city.main_hazards),
        "membership_status": city.membership_status,
        "member_since": isoformat_utc(city.member_since),
    }


def current_districts(session: Session, city_id: str) -> list[District]:
    """The city's current districts, by name (empty when it has none)."""
    return list(
        session.scalars(
            select(District)
            .join(DataVersion, DataVersion.id == District.version_id)
            .where(District.city_id == city_id, DataVersion.is_current.is_(True))
            .order_by(District.name)
        )
    )


def city_detail(city: City) -> dict[str, Any]:
    """Everything the registry holds on a city, as JSON-ready values (geometries without coordinates)."""
    out = city_row(city)
    out.update(
        {
            "admin1": city.admin1,
            "geonameid": city.geonameid,
            "elevation_m": city.elevation_m,
            "population_alternatives": list(city.population_alternatives),
            "gdp_source": city.gdp_source,
            "ipcc_ar6_region_name": AR6_LAND_REGIONS.get(city.ipcc_ar6_region),
            "climate": city.climate,
            "rivers": list(city.rivers),
            "national_agencies": list(city.national_agencies),
            "sources": dict(city.sources),
            "geometries": [
                {"kind": g.kind, "area_km2": g.area_km2, "source": g.source, "licence": g.licence}
                for g in city.geometries
            ],
            "districts": [
                {"code": d.code, "name": d.name, "name_ru": d.name_ru, "source": d.source} for d in _districts_of(city)
            ],
            "notable_disasters": [
                {
                    "year": d.year,
                    "date": d.date,
                    "hazard": d.hazard,
                    "deaths": d.deaths,
                    "summary": d.summary,
                    "source": d.source,
                }
                for d in city.disasters
            ],
            "applications": [application_row(a) for a in city.applications],
        }
    )
    return out


def _districts_of(city: City) -> list[District]:
    session = object_session(city)
    return [] if session is None else current_districts(session, city.id)


def application_row(app: AccessionApplication) -> dict[str, Any]:
    """An accession application as JSON-ready values."""
    return {
        "id": app.id,
        "city_id": app.city_id,
        "applicant": app.applicant,
        "applied_at": isoformat_utc(app.applied_at),
        "status": app.status,
        "decided_by": app.decided_by,
        "decided_at": isoformat_utc(app.decided_at),
        "reason": app.reason,
    }


def list_cities(session: Session, *, status: str | None = None) -> list[City]:
    """Cities ordered by membership (founding, member, applicant, rejected), then English name."""
    query = select(City)
    if status is not None:
        query = query.where(City.membership_status == status)
    order = {"founding": 0, "member": 1, "applicant": 2, "rejected": 3}
    cities = list(session.scalars(query))
    return sorted(cities, key=lambda c: (order.get(c.membership_status, 9), c.name_en))


def get_city(session: Session, city_id: str) -> City:
    """The city with this id; :class:`NotFoundError` (``not_found.city``) naming the known ids otherwise."""
    city = session.get(City, city_id)
    if city is None:
        known = ", ".join(session.scalars(select(City.id).order_by(City.id)))
        raise NotFoundError(
            f"No city with id '{city_id}' in the registry.",
            hint=f"Known ids: {known or 'none'}. `kalkan cities list` shows them.",
            code="not_found.city",
            field="city",
        )
    return city


def field_change_row(change: CityFieldChange) -> dict[str, Any]:
    """A correction as JSON-ready values."""
    return {
        "field": change.field,
        "old_value": change.old_value.get("value"),
        "new_value": change.new_value.get("value"),
        "source": change.source,
        "changed_by": change.changed_by,
        "changed_at": isoformat_utc(change.changed_at),
    }


def field_changes(session: Session, city_id: str) -> list[dict[str, Any]]:
    """Every correction of the city's registry fields, oldest first."""
    get_city(session, city_id)
    return [
        field_change_row(c)
        for c in session.scalars(
            select(CityFieldChange).where(CityFieldChange.city_id == city_id).order_by(CityFieldChange.id)
        )
    ]
