"""Where a city's own data may lie: the box around its outline (:func:`kalkan.app.city_outline.city_outline`),
widened by a margin in km.

One function for every import that places points in a city (exposure assets, critical facilities), so that
both refuse the same mistakes in the same words.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kalkan.app.city_outline import city_outline
from kalkan.core.geometry import KM_PER_DEGREE
from kalkan.errors import InputError
from kalkan.io.countries import check_points_in_country, iso3_from_iso2
from kalkan.io.extent import Extent
from kalkan.store.registry import get_city

__all__ = ["DEFAULT_MARGIN_KM", "check_outline_country", "city_extent"]

DEFAULT_MARGIN_KM = 5.0
"""How far beyond the box around a city's outlines its data may lie by default (suburbs, utilities)."""


def city_extent(session: Session, city_id: str, margin_km: float = DEFAULT_MARGIN_KM) -> Extent:
    """The bounding box of the city's outline (its own, else its administrative boundary, else its urban extent
    clipped to its country) widened by ``margin_km`` (km), or a box of ``margin_km`` around the city centre when
    it has no outline."""
    if not (math.isfinite(margin_km) and 0 <= margin_km <= 1000):
        raise InputError(
            f"--margin-km {margin_km!r}: expected a distance from 0 to 1000 km.",
            code="input.range",
            field="--margin-km",
        )
    city = get_city(session, city_id)
    outline = city_outline(session, city_id)
    if outline is not None:
        geometry = outline.geometry
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        points = [(float(x), float(y)) for polygon in polygons for x, y, *_ in polygon[0]]
    else:
        points = [(city.lon, city.lat)]
    lons, lats = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    dlat = margin_km / KM_PER_DEGREE
    dlon = margin_km / (KM_PER_DEGREE * max(math.cos(math.radians(float(lats.mean()))), 1e-6))
    what = f"the box around {city_id}'s {outline.label}" if outline is not None else f"{city_id}'s centre"
    return Extent(
        float(lons.min() - dlon),
        float(lons.max() + dlon),
        float(lats.min() - dlat),
        float(lats.max() + dlat),
        f"within {margin_km:g} km of {what}",
    )


def check_outline_country(geometry: dict[str, Any], admin1_id: str, where: str) -> None:
    """An outline for a GEM admin-1 unit (``KZ-ALM``) must lie in that unit's country (within the tolerance
    of the Natural Earth outline): a swapped or shifted outline would spread the unit's buildings elsewhere."""
    iso3 = iso3_from_iso2(admin1_id.split("-", 1)[0])
    if iso3 is None:
        return
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    points = np.vstack([np.asarray(rings[0], dtype=np.float64)[:, :2] for rings in polygons])
    check_points_in_country(points[:, 0], points[:, 1], iso3, where)
