"""Small geodesy helpers on WGS84 lon/lat coordinates (degrees)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

EARTH_MEAN_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius R1 (Moritz 2000, Geodetic Reference System 1980), km."""


def ring_area_km2(ring: Sequence[Sequence[float]]) -> float:
    """Area of a closed lon/lat ring on the sphere, km2 (unsigned).

    Uses the line-integral formula of Chamberlain & Duquette (2007), "Some algorithms for polygons on a
    sphere", JPL Publication 07-03: A = R^2/2 * |sum (lon[i+1] - lon[i-1]) * sin(lat[i])|. On the mean
    sphere this is within about 0.5 % of the WGS84 ellipsoidal area at these latitudes.
    """
    n = len(ring)
    if n < 4:
        return 0.0
    pts = list(ring[:-1]) if tuple(ring[0]) == tuple(ring[-1]) else list(ring)
    m = len(pts)
    total = 0.0
    for i in range(m):
        lon_prev = math.radians(pts[i - 1][0])
        lon_next = math.radians(pts[(i + 1) % m][0])
        total += (lon_next - lon_prev) * math.sin(math.radians(pts[i][1]))
    return abs(total) * EARTH_MEAN_RADIUS_KM**2 / 2.0


def geometry_area_km2(geometry: dict[str, Any]) -> float:
    """Area of a GeoJSON Polygon or MultiPolygon (holes subtracted), km2; 0 for points and lines."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return 0.0
    area = 0.0
    for rings in polygons:
        if rings:
            area += ring_area_km2(rings[0]) - sum(ring_area_km2(r) for r in rings[1:])
    return area
