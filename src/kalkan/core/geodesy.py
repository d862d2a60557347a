"""The Earth of Kalkan: one sphere, and the great-circle formulas every distance and area is measured with.

Kalkan measures on a sphere of radius :data:`EARTH_RADIUS_KM`, OpenQuake hazardlib's (``geodetic.EARTH_RADIUS``),
so that the source-to-site distances its ground-motion models see are OpenQuake's to the last digit; the same
sphere serves asset-to-site distances, catalogue declustering windows and polygon areas (its radius is within
1.4 ppm of the IUGG mean radius R1 = 6371.0088 km, far below the error of taking the Earth for a sphere).
Longitudes and latitudes are WGS84 degrees read on that sphere; depths are km, positive downwards.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

EARTH_RADIUS_KM = 6371.0
"""Radius of Kalkan's spherical Earth (OpenQuake hazardlib's ``geodetic.EARTH_RADIUS``), km."""


def to_ecef_km(lon: ArrayLike, lat: ArrayLike, depth_km: ArrayLike = 0.0) -> Floats:
    """Earth-centred Cartesian coordinates (km, shape ``(..., 3)``) of points on the sphere at a depth (km)."""
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    r = EARTH_RADIUS_KM - np.asarray(depth_km, dtype=np.float64)
    lam, phi, r = np.broadcast_arrays(lam, phi, r)
    cos_phi = np.cos(phi)
    return np.stack([r * cos_phi * np.cos(lam), r * cos_phi * np.sin(lam), r * np.sin(phi)], axis=-1)


def geodetic_distance_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Floats:
    """Great-circle distance on the sphere (haversine formula; Sinnott 1984, *Sky & Telescope* 68(2):159), km."""
    l1, p1, l2, p2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def azimuth_deg(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Floats:
    """Initial great-circle azimuth from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    l1, p1, l2, p2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    dl = l2 - l1
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0, dtype=np.float64)


def destination(lon: float, lat: float, azimuth: float, distance_km: float) -> tuple[float, float]:
    """The point ``distance_km`` from (lon, lat) along the great circle leaving it at ``azimuth`` (degrees)."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(azimuth), distance_km / EARTH_RADIUS_KM
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * sin_phi2
    )
    lon2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return lon2, math.degrees(phi2)


def cross_track_km(lon0: float, lat0: float, azimuth: float, lon: ArrayLike, lat: ArrayLike) -> Floats:
    """Signed distance (km) from points to the great circle through (lon0, lat0) leaving at ``azimuth``.

    Positive on the right of the direction of travel. Cross-track formula d = R asin(sin(d13/R) sin(a13 - a12))
    (Williams, E., *Aviation Formulary* v1.47), the distance to an arc OpenQuake uses for Rx, Ry0 and Rjb.
    """
    d13 = geodetic_distance_km(lon0, lat0, lon, lat) / EARTH_RADIUS_KM
    a13 = np.radians(azimuth_deg(lon0, lat0, lon, lat))
    s = np.sin(d13) * np.sin(a13 - math.radians(azimuth))
    return np.asarray(EARTH_RADIUS_KM * np.arcsin(np.clip(s, -1.0, 1.0)), dtype=np.float64)


def angle_difference_deg(a: float, b: float) -> float:
    """Smallest absolute difference between two azimuths, degrees."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


__all__ = [
    "EARTH_RADIUS_KM",
    "angle_difference_deg",
    "azimuth_deg",
    "cross_track_km",
    "destination",
    "geodetic_distance_km",
    "to_ecef_km",
]
