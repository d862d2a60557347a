"""Assign assets to hazard sites: by explicit site index, or to the nearest site by great-circle distance.

Nothing is dropped silently: the result lists every asset left unassigned (beyond the maximum distance,
or with an explicit index of -1) so that the caller reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from kalkan.core.geodesy import EARTH_RADIUS_KM
from kalkan.errors import InputError


@dataclass(frozen=True, slots=True)
class Assignment:
    """``site[j]`` is the hazard-site index of asset j (-1: unassigned); distances in km (0 if explicit)."""

    site: NDArray[np.int64]
    distance_km: NDArray[np.float64]
    method: str
    max_distance_km: float | None

    @property
    def unassigned(self) -> NDArray[np.int64]:
        """Positions of the assets that no site covers."""
        return np.flatnonzero(self.site < 0)


def _unit_vectors(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def nearest_sites(
    asset_lon: NDArray[np.float64],
    asset_lat: NDArray[np.float64],
    site_lon: NDArray[np.float64],
    site_lat: NDArray[np.float64],
    max_distance_km: float,
) -> Assignment:
    """Nearest site by great-circle distance on Kalkan's sphere (:mod:`kalkan.core.geodesy`), within
    ``max_distance_km``.

    Uses a k-d tree on 3-D unit vectors: the chord length is a monotone function of the great-circle
    angle, so the nearest by chord is the nearest on the sphere (exact, no planar approximation).
    """
    if not max_distance_km > 0:
        raise InputError(
            f"The maximum assignment distance must be positive (km), got {max_distance_km}.",
            code="input.range",
            field="max_distance_km",
        )
    tree = cKDTree(_unit_vectors(site_lon, site_lat))
    chord, index = tree.query(_unit_vectors(asset_lon, asset_lat), k=1)
    angle = 2.0 * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))
    distance = angle * EARTH_RADIUS_KM
    site = np.where(distance <= max_distance_km, index, -1).astype(np.int64)
    return Assignment(site, distance, "nearest", max_distance_km)


def explicit_sites(site: NDArray[np.int64], n_sites: int, *, where: str) -> Assignment:
    """Sites given per asset (-1 = none); out-of-range indices are an error naming the first asset."""
    site = np.ascontiguousarray(site, dtype=np.int64)
    bad = (site < -1) | (site >= n_sites)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: asset #{k + 1} is assigned to site {int(site[k])}, but the hazard has sites 0-{n_sites - 1} "
            "(-1 means no site).",
            code="input.range",
            field="site_id",
            row=k + 1,
        )
    return Assignment(site, np.zeros(site.shape[0]), "explicit", None)
