"""The city's outline: one answer to "where is the city?", used by everything that places things in it.

:func:`city_outline` gives, in this order:

1. the city's own current outline (``kalkan cities set-outline``: a ``city_outline`` geometry in an
   ``outline`` data version);
2. the shipped administrative boundary (Who's On First polygons: Osh, Dushanbe, Ashgabat);
3. the shipped urban extent (Natural Earth 1:50m urban areas, MODIS 2002-03) **clipped to the city's
   country** (Natural Earth 1:10m admin-0), because those footprints merge neighbouring settlements and can
   run across a border: Osh's reaches 40.99° N, half of it in Uzbekistan.

GEM exposure is spread over it (:func:`kalkan.app.city_exposure.city_exposure`), imports check their points
against it (:func:`kalkan.app.exposure_import.city_box`), ``kalkan city quality`` counts what lies outside
it and ``kalkan cities show`` names it with its source. :func:`founding_outline` is the same choice from the
shipped files alone, for a founding city outside any store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kalkan.core.digest import sha256_json
from kalkan.core.exposure.gem import outline_from_geojson
from kalkan.core.geometry import (
    clip_polygon,
    distance_outside_km,
    geometry_area_km2,
    points_in_geojson,
    polygon_problems,
)
from kalkan.errors import InputError, NotFoundError
from kalkan.io.cities import load_json
from kalkan.io.countries import country_outline
from kalkan.io.founding_cities import founding_city_data
from kalkan.store.models import City, CityGeometry
from kalkan.store.versions import current_version, new_version

SHIPPED_ORDER = ("admin_boundary", "urban_extent")
"""Shipped outlines in order of preference: an administrative boundary is the city; an urban extent is a
satellite footprint that may take in its neighbours."""

OUTLINE_AREA_KM2 = (1.0, 5000.0)
"""Plausible area of a city outline (km²): below 1 km² it is a block, not a city; the largest city areas of
the region are under 1,000 km² (Astana ~800, Almaty ~680) and 5,000 km² would be a province."""

LABELS = {
    "city_outline": "own outline",
    "admin_boundary": "administrative boundary",
    "urban_extent": "urban extent",
}


class _Geometry(Protocol):
    """A stored or shipped outline (:class:`CityGeometry` or :class:`CityGeometryRecord`)."""

    @property
    def kind(self) -> str: ...
    @property
    def geojson(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def licence(self) -> str: ...


@dataclass(frozen=True, slots=True)
class CityOutline:
    """The outline in use for a city: GeoJSON (Multi)Polygon in WGS84 degrees, its kind and area (km²), where it
    comes from, and whether it was clipped to the country (``clipped_from_km2``: the area before)."""

    city_id: str
    kind: str
    geometry: dict[str, Any]
    area_km2: float
    source: str
    licence: str
    country_iso3: str
    clipped_to_country: bool = False
    clipped_from_km2: float | None = None
    version: int | None = None

    @property
    def label(self) -> str:
        """Plain words: ``administrative boundary``, ``urban extent clipped to KGZ``, ``own outline
        (version 7)``."""
        text = LABELS[self.kind]
        if self.clipped_to_country:
            text += f" clipped to {self.country_iso3}"
        if self.version is not None:
            text += f" (version {self.version})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description (without coordinates)."""
        return {
            "kind": self.kind,
            "label": self.label,
            "area_km2": round(self.area_km2, 3),
            "source": self.source,
            "licence": self.licence,
            "country_iso3": self.country_iso3,
            "clipped_to_country": self.clipped_to_country,
            "area_before_clipping_km2": None if self.clipped_from_km2 is None else round(self.clipped_from_km2, 3),
            "version": self.version,
        }


@lru_cache(maxsize=32)
def _clipped(geojson: str, iso3: str) -> tuple[str, bool] | None:
    """(GeoJSON of the outline cut to the country, whether anything was cut), or None: nothing in the country."""
    country = country_outline(iso3)
    geometry = json.loads(geojson)
    if country is None:
        return geojson, False
    clipped = clip_polygon(geometry, country.geometry)
    if clipped is None:
        return None
    return (geojson, False) if clipped is geometry else (json.dumps(clipped, separators=(",", ":")), True)


def choose_outline(
    city_id: str, country_iso3: str, shipped: Iterable[_Geometry], own: tuple[CityGeometry, int] | None = None
) -> CityOutline | None:
    """The outline to use: the city's own (``(geometry, version number)``), else the shipped administrative
    boundary, else the shipped urban extent clipped to the country; None when there is none."""
    if own is not None:
        geometry, number = own
        data = json.loads(geometry.geojson)
        return CityOutline(city_id, "city_outline", data, geometry_area_km2(data), geometry.source, geometry.licence,
                           country_iso3, version=number)  # fmt: skip
    by_kind = {g.kind: g for g in shipped}
    for kind in SHIPPED_ORDER:
        g = by_kind.get(kind)
        if g is None:
            continue
        if kind == "admin_boundary":
            data = json.loads(g.geojson)
            return CityOutline(city_id, kind, data, geometry_area_km2(data), g.source, g.licence, country_iso3)
        clipped = _clipped(g.geojson, country_iso3)
        if clipped is None:
            continue
        text, cut = clipped
        data = json.loads(text)
        before = geometry_area_km2(json.loads(g.geojson)) if cut else None
        source = g.source + (f"; clipped to {country_iso3} (Natural Earth 1:10m admin-0)" if cut else "")
        return CityOutline(city_id, kind, data, geometry_area_km2(data), source, g.licence, country_iso3,
                           clipped_to_country=cut, clipped_from_km2=before)  # fmt: skip
    return None


def city_outline(session: Session, city_id: str) -> CityOutline | None:
    """The outline of a city in the store (see the module docstring); None when it has none at all."""
    city = session.get(City, city_id)
    if city is None:
        raise NotFoundError(
            f"No city with id '{city_id}' in the registry.",
            hint="`kalkan cities list` shows them.",
            code="not_found.city",
            field="city",
        )
    version = current_version(session, city_id, "outline")
    own = None
    if version is not None:
        geometry = session.scalars(select(CityGeometry).where(CityGeometry.version_id == version.id)).one()
        own = (geometry, version.version)
    shipped = session.scalars(
        select(CityGeometry).where(CityGeometry.city_id == city_id, CityGeometry.version_id.is_(None))
    ).all()
    return choose_outline(city_id, city.country_iso3, shipped, own)


def founding_outline(city_id: str) -> CityOutline:
    """The outline of a founding city from the shipped files alone (no store: no city's own outline)."""
    cities, outlines, _ = founding_city_data()
    facts = next((c for c in cities if c.id == city_id), None)
    if facts is None:
        raise InputError(
            f"{city_id!r} is not a founding city; known: {', '.join(c.id for c in cities)}.",
            code="input.unknown",
            field="city",
        )
    outline = choose_outline(city_id, facts.country_iso3, outlines.get(city_id, []))
    if outline is None:
        raise InputError(
            f"City {city_id!r} has no outline (administrative boundary or urban extent).",
            code="not_found.data",
            field="outline",
        )
    return outline


# --- a city's own outline -----------------------------------------------------------------------------------


def check_outline(
    geometry: dict[str, Any], *, where: str, country_iso3: str, centre: tuple[float, float] | None
) -> float:
    """Refuse an outline that is not a valid polygon, lies outside the country (beyond the tolerance of its
    outline), does not contain the city centre or has an implausible area; returns its area (km²)."""
    problems = polygon_problems(geometry)
    if problems:
        raise InputError(
            f"{where}: not a valid outline: " + "; ".join(problems[:10]) + ".", code="input.type", field="geometry"
        )
    country = country_outline(country_iso3)
    rings = [np.asarray(r, dtype=np.float64)[:, :2] for p in _polygon_list(geometry) for r in p]
    points = np.vstack(rings)
    if country is not None:
        off = distance_outside_km(country.geometry, points[:, 0], points[:, 1])
        worst = int(np.argmax(off))
        if off[worst] > country.tolerance_km:
            raise InputError(
                f"{where}: the point ({points[worst, 0]:.6g}, {points[worst, 1]:.6g}) lies {off[worst]:,.1f} km "
                f"outside {country.name} ({country.iso3}); expected an outline in the city's country, within "
                f"{country.tolerance_km:g} km of its {country.source} (lon/lat swapped? another city's file?).",
                code="input.outside",
                field="coordinates",
            )
    if centre is not None and not points_in_geojson(geometry, np.array([centre[0]]), np.array([centre[1]]))[0]:
        raise InputError(
            f"{where}: the outline does not contain the city centre ({centre[0]:.5f}, {centre[1]:.5f}).",
            hint="If the registry's centre is wrong, correct it first: `kalkan cities update CITY --set lon=... "
            "--set lat=... --source ...`.",
            code="input.outside",
            field="coordinates",
        )
    area = geometry_area_km2(geometry)
    lo, hi = OUTLINE_AREA_KM2
    if not lo <= area <= hi:
        raise InputError(
            f"{where}: area {area:,.2f} km²; expected a city outline of {lo:g} to {hi:,.0f} km².",
            code="input.range",
            field="geometry",
        )
    return area


def _polygon_list(geometry: dict[str, Any]) -> list[Any]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])


def set_city_outline(
    session: Session,
    city_id: str,
    geometry: dict[str, Any],
    *,
    source: str,
    licence: str,
    imported_from: str | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """Store ``geometry`` as the city's own outline (a new ``outline`` version; the previous one is kept and a
    city's own earlier outline is superseded only with ``replace``). Checked first (:func:`check_outline`)."""
    city = session.get(City, city_id)
    if city is None:
        raise NotFoundError(
            f"No city with id '{city_id}' in the registry.",
            hint="`kalkan cities list` shows them.",
            code="not_found.city",
            field="city",
        )
    where = imported_from or "outline"
    area = check_outline(geometry, where=where, country_iso3=city.country_iso3, centre=(city.lon, city.lat))
    before = city_outline(session, city_id)
    n_polygons = len(_polygon_list(geometry))
    change = new_version(
        session, city_id, "outline", origin="city", source=source, rows=n_polygons, replace=replace,
        licence=licence, imported_from=imported_from, digest=sha256_json(geometry),
    )  # fmt: skip
    record = CityGeometry(
        city_id=city_id,
        version_id=change.current.id,
        kind="city_outline",
        geojson=json.dumps(geometry, separators=(",", ":")),
        area_km2=round(area, 3),
        source=source,
        licence=licence,
    )
    session.add(record)
    session.flush()
    after = city_outline(session, city_id)
    assert after is not None
    return {
        "city_id": city_id,
        "version": change.current.version,
        "superseded_version": None if change.superseded is None else change.superseded.version,
        "outline": after.as_dict(),
        "previous_outline": None if before is None else before.as_dict(),
        "polygons": n_polygons,
    }


def read_outline_file(path: Path) -> dict[str, Any]:
    """The (Multi)Polygon of a GeoJSON file: a geometry, a Feature or a FeatureCollection of one feature."""
    return outline_from_geojson(load_json(path), str(path))
