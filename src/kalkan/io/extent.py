"""The area a city's own data must lie in: a lon/lat box, given to readers so they can refuse points elsewhere.

Why a box and a margin: a city's assets and facilities lie in and around its outlines (suburbs, a water plant
upstream), so the check is generous; it exists to catch the usual mistakes (swapped lon/lat, projected
coordinates, another city's file, a sign lost on a longitude), which put points hundreds or thousands of km
away. The services build the box from the store (:func:`kalkan.app.city_extent.city_extent`); the readers
only need this value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Extent"]


@dataclass(frozen=True, slots=True)
class Extent:
    """A box in WGS84 degrees (``lon_min``..``lon_max``, ``lat_min``..``lat_max``) and what it is, for messages."""

    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float
    description: str

    def outside(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
        """True where a point lies outside the box (NaN coordinates are outside)."""
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        inside = (x >= self.lon_min) & (x <= self.lon_max) & (y >= self.lat_min) & (y <= self.lat_max)
        out: NDArray[np.bool_] = ~inside
        return out

    @property
    def expected(self) -> str:
        """What a point must be, for messages."""
        return (
            f"a point {self.description}: lon {self.lon_min:.4f}..{self.lon_max:.4f}, "
            f"lat {self.lat_min:.4f}..{self.lat_max:.4f} (WGS84 degrees)"
        )
