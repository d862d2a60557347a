"""Country outlines from the shipped Natural Earth admin-0 polygons (public domain), by ISO 3166-1 alpha-3 code.

A city's outline must lie in its country, and GEM exposure is never spread across a border: these polygons say
where the country is. The five coalition countries come from the 1:10m polygons, every other country from the
1:110m ones. Both are generalised and show de-facto borders (Natural Earth's own caveat), so a check against
them allows :attr:`CountryOutline.tolerance_km`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from kalkan.errors import InputError
from kalkan.services.data_sources import data_source

__all__ = ["TOLERANCE_KM", "CountryOutline", "country_outline"]

DATASET = "natural_earth_admin0"
TOLERANCE_KM = {"10m": 10.0, "110m": 60.0}
"""How far outside a country's outline a point may lie and still count as in the country, by the outline's
scale (km): 1:10m borders are drawn to about 1 km but simplified along rivers and mountain crests; 1:110m
borders and coasts are off by tens of km."""


@dataclass(frozen=True, slots=True)
class CountryOutline:
    """One country's outline: ISO3 code, English name, GeoJSON (Multi)Polygon (WGS84) and its scale."""

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


@cache
def _outlines() -> dict[str, CountryOutline]:
    paths = {p.name: p for p in data_source(DATASET).paths()}
    out: dict[str, CountryOutline] = {}
    try:
        world = json.loads(paths["ne_110m_admin0_world_lowres.geojson"].read_text(encoding="utf-8"))
        detailed = json.loads(paths["ne_10m_admin0_central_asia5.geojson"].read_text(encoding="utf-8"))
    except (OSError, KeyError, json.JSONDecodeError) as exc:  # a broken installation, not user input
        raise InputError(f"The shipped Natural Earth admin-0 outlines cannot be read ({exc}).") from exc
    for feature in world["features"]:
        props = feature["properties"]
        iso3 = str(props.get("iso_a3") or "")
        if len(iso3) == 3 and iso3.isalpha():
            out[iso3] = CountryOutline(iso3, str(props.get("name") or iso3), feature["geometry"], "110m")
    for feature in detailed["features"]:
        props = feature["properties"]
        iso3 = str(props["ADM0_A3"])
        out[iso3] = CountryOutline(iso3, str(props.get("NAME_EN") or iso3), feature["geometry"], "10m")
    return out


def country_outline(iso3: str) -> CountryOutline | None:
    """The outline of country ``iso3`` (the 1:10m one for the coalition's five), or None when Natural Earth's
    layers have none (a few small states)."""
    return _outlines().get(iso3.upper())
