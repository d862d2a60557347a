"""Country outlines and which country a point lies in, from the shipped Natural Earth admin-0 polygons (public
domain), by ISO 3166-1 alpha-3 code.

A city's outline must lie in its country, and GEM exposure is never spread across a border: these polygons say
where the country is. They also check that an accession request's coordinates lie in the country it declares:
the usual mistakes (latitude and longitude swapped, a sign lost, another city's coordinates) put a point in
another country or in the sea. The five coalition countries come from the 1:10m outlines, every other country
from the 1:110m outlines; a point is accepted within :data:`TOLERANCE_KM` of its country's outline, because both are
generalised (the 1:110m coastlines and borders are off by up to tens of km) and a city centre can sit on a
border river.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geometry import KM_PER_DEGREE, points_in_geojson
from kalkan.errors import InputError
from kalkan.io.jsonfile import load_json_file

__all__ = [
    "TOLERANCE_KM",
    "Country",
    "CountryOutline",
    "check_points_in_country",
    "countries",
    "country_at",
    "country_outline",
    "distance_to_country_km",
    "iso3_from_iso2",
]

TOLERANCE_KM = {"10m": 10.0, "110m": 60.0}
"""How far outside its country's outline a city's point may lie, by the outline's scale (km)."""
DETAILED = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


@dataclass(frozen=True)
class Country:
    """One country's outline: ISO 3166-1 alpha-3 code, English name, GeoJSON geometry and its scale."""

    iso3: str
    name: str
    geometry: dict[str, Any]
    scale: str

    @property
    def tolerance_km(self) -> float:
        return TOLERANCE_KM[self.scale]

    @property
    def source(self) -> str:
        return f"Natural Earth 1:{self.scale[:-1]}m admin-0 outline of {self.name} ({self.iso3}), public domain"


CountryOutline = Country
"""The name the outline code uses for a :class:`Country` (one type)."""


def country_outline(iso3: str) -> Country | None:
    """The outline of country ``iso3`` (the 1:10m one for the coalition's five), or None when Natural Earth's
    layers have none (a few small states)."""
    return countries().get(iso3.upper())


@cache
def countries() -> dict[str, Country]:
    """Every country Kalkan has an outline for, by ISO3 code (the 10m outline where there is one)."""
    folder = Path(str(resources.files("kalkan") / "data" / "geo" / "natural_earth"))
    out: dict[str, Country] = {}
    world = load_json_file(folder / "ne_110m_admin0_world_lowres.geojson")
    for feature in world["features"]:
        props = feature["properties"]
        iso3 = str(props.get("iso_a3") or "")
        if len(iso3) == 3 and iso3.isalpha():
            out[iso3] = Country(iso3, str(props.get("name") or iso3), feature["geometry"], "110m")
    detailed = load_json_file(folder / "ne_10m_admin0_central_asia5.geojson")
    for feature in detailed["features"]:
        props = feature["properties"]
        iso3 = str(props["ADM0_A3"])
        out[iso3] = Country(iso3, str(props.get("NAME_EN") or props.get("NAME") or iso3), feature["geometry"], "10m")
    return out


def _segments(geometry: dict[str, Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Start and end points (lon, lat) of every edge of a (Multi)Polygon's rings."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    starts, ends = [], []
    for rings in polygons:
        for ring in rings:
            r = np.asarray(ring, dtype=np.float64)[:, :2]
            starts.append(r[:-1])
            ends.append(r[1:])
    return np.vstack(starts), np.vstack(ends)


def distance_to_country_km(country: Country, lon: float, lat: float) -> float:
    """0 inside the outline, else the distance (km, local equirectangular) to its nearest edge."""
    if points_in_geojson(country.geometry, np.array([lon]), np.array([lat]))[0]:
        return 0.0
    a, b = _segments(country.geometry)
    kx = KM_PER_DEGREE * math.cos(math.radians(lat))
    ax, ay = (a[:, 0] - lon) * kx, (a[:, 1] - lat) * KM_PER_DEGREE
    bx, by = (b[:, 0] - lon) * kx, (b[:, 1] - lat) * KM_PER_DEGREE
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = np.clip(np.where(length2 > 0, -(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0), 0.0, 1.0)
    return float(np.sqrt((ax + t * dx) ** 2 + (ay + t * dy) ** 2).min())


def country_at(lon: float, lat: float) -> Country | None:
    """The country whose outline contains the point (the 10m outlines first), or None (sea, Antarctica's
    edge, a country Natural Earth's 110m layer leaves out)."""
    x, y = np.array([lon]), np.array([lat])
    ordered = sorted(countries().values(), key=lambda c: c.scale != "10m")
    for country in ordered:
        if points_in_geojson(country.geometry, x, y)[0]:
            return country
    return None


@cache
def _iso2_to_iso3() -> dict[str, str]:
    folder = Path(str(resources.files("kalkan") / "data" / "geo" / "natural_earth"))
    detailed = load_json_file(folder / "ne_10m_admin0_central_asia5.geojson")
    return {str(f["properties"]["ISO_A2"]): str(f["properties"]["ADM0_A3"]) for f in detailed["features"]}


def iso3_from_iso2(iso2: str) -> str | None:
    """The ISO3 code of one of the five coalition countries from its ISO2 code (``KZ`` -> ``KAZ``), else None."""
    return _iso2_to_iso3().get(iso2.upper())


def check_points_in_country(lon: NDArray[np.float64], lat: NDArray[np.float64], iso3: str, where: str) -> None:
    """Refuse points (an outline's vertices) that lie farther than the tolerance outside a country, naming the
    first such point and the country it falls in."""
    country = countries().get(iso3)
    if country is None:
        return
    step = max(1, lon.size // 200)  # an outline's shape, not every vertex: at most ~200 distance checks
    for x, y in zip(lon[::step], lat[::step], strict=True):
        off = distance_to_country_km(country, float(x), float(y))
        if off > country.tolerance_km:
            found = country_at(float(x), float(y))
            falls = f"in {found.name} ({found.iso3})" if found is not None else "in no country (sea?)"
            raise InputError(
                f"{where}: the point ({x:g}, {y:g}) is {off:,.0f} km outside {country.name} ({iso3}), {falls}; "
                f"expected an outline in {country.name} in WGS84 longitude/latitude (are lon and lat swapped?).",
                code="input.outside",
            )
