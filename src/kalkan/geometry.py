"""Small geodesy helpers on WGS84 lon/lat coordinates (degrees)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

KM_PER_DEGREE = 111.2
"""Kilometres per degree of latitude (rounded; spherical Earth): the spacing rule of Kalkan's lon/lat grids."""

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


def points_in_geojson(
    geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Which points lie inside a GeoJSON (Multi)Polygon (holes excluded): even-odd ray test, vectorised.

    Planar in lon/lat degrees, like the grid the GEM exposure is built on; a point exactly on an edge may go
    either way.
    """
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    kind = geometry.get("type")
    polygons = (
        [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"] if kind == "MultiPolygon" else []
    )
    inside = np.zeros(x.shape, dtype=bool)
    for rings in polygons:
        odd = np.zeros(x.shape, dtype=bool)
        for ring in rings:  # exterior and holes alike: even-odd excludes the holes
            r = np.asarray(ring, dtype=np.float64)[:, :2]
            if r.shape[0] < 3:
                continue
            if not np.array_equal(r[0], r[-1]):
                r = np.vstack([r, r[:1]])
            for (a, b), (c, d) in itertools.pairwise(r):
                if b == d:
                    continue  # a horizontal edge never crosses a horizontal ray
                crosses = ((b > y) != (d > y)) & (x < (c - a) * (y - b) / (d - b) + a)
                odd ^= crosses
        inside |= odd
    return inside


def near_edge(
    geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64], tolerance_deg: float
) -> NDArray[np.bool_]:
    """Which points lie within ``tolerance_deg`` (planar, degrees) of an edge of a GeoJSON (Multi)Polygon."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    kind = geometry.get("type")
    polygons = (
        [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"] if kind == "MultiPolygon" else []
    )
    best = np.full(x.shape, np.inf)
    for rings in polygons:
        for ring in rings:
            r = np.asarray(ring, dtype=np.float64)[:, :2]
            for (a, b), (c, d) in itertools.pairwise(r):
                vx, vy = c - a, d - b
                length2 = vx * vx + vy * vy
                t = np.zeros(x.shape) if length2 == 0 else np.clip(((x - a) * vx + (y - b) * vy) / length2, 0, 1)
                best = np.minimum(best, np.hypot(x - a - t * vx, y - b - t * vy))
    return best <= tolerance_deg
