"""Site values on a regular lon/lat grid written as a GeoTIFF (EPSG:4326), one band per quantity.

Why: hazard maps at a return period are computed at sites; when the sites are a regular grid (as those of
``kalkan eq curves --city``), a raster is what GIS users open. The grid is inferred from the sites themselves:
the spacing is the smallest step between distinct longitudes (latitudes), and every site must sit on a node
within 1 % of a step, and at least 4 sites must cover a quarter of the cells; cells without a site are nodata
(NaN). Sites that are not on a grid are not forced
onto one: :func:`grid_of` returns None and the caller says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio  # type: ignore[import-untyped]
from affine import Affine
from numpy.typing import NDArray

from kalkan.errors import InputError
from kalkan.io.exposure_columns import atomic_target

Floats = NDArray[np.float64]
ON_NODE_TOLERANCE = 0.01
"""Largest offset of a site from its grid node, as a fraction of the grid step (coordinates rounded to 1e-5°
stay on their node)."""
MIN_SITES = 4
MIN_FILL = 0.25
"""A grid needs at least this many sites, covering at least this share of its cells."""


@dataclass(frozen=True, slots=True)
class Grid:
    """A regular grid: west/north edges of the first cell (degrees), steps (degrees), size and each site's cell."""

    west: float
    north: float
    dx: float
    dy: float
    width: int
    height: int
    col: NDArray[np.int64]
    row: NDArray[np.int64]


def _step(values: Floats) -> float | None:
    u = np.unique(np.round(values, 9))
    if u.size < 2:
        return None
    d = np.diff(u)
    return float(d[d > 0].min())


def grid_of(lon: Floats, lat: Floats) -> Grid | None:
    """The regular grid the sites lie on, or None when they do not (or are fewer than 2 x 2 distinct nodes)."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    dx, dy = _step(lon), _step(lat)
    if dx is None or dy is None:
        return None
    x0, y1 = float(lon.min()), float(lat.max())
    fx, fy = (lon - x0) / dx, (y1 - lat) / dy
    col, row = np.rint(fx).astype(np.int64), np.rint(fy).astype(np.int64)
    if np.abs(fx - col).max() > ON_NODE_TOLERANCE or np.abs(fy - row).max() > ON_NODE_TOLERANCE:
        return None
    if np.unique(np.column_stack([col, row]), axis=0).shape[0] != lon.size:
        return None
    width, height = int(col.max()) + 1, int(row.max()) + 1
    if lon.size < MIN_SITES or lon.size < MIN_FILL * width * height:
        return None  # a few scattered sites are not a map
    return Grid(x0 - dx / 2, y1 + dy / 2, dx, dy, width, height, col, row)


def write_grid_geotiff(
    grid: Grid,
    values: Floats,
    bands: Sequence[str],
    path: Path,
    *,
    unit: str,
    tags: Mapping[str, str] | None = None,
) -> Path:
    """Write ``values`` (sites x bands) on ``grid`` as a float32 GeoTIFF with NaN nodata, atomically; each band's
    description is its name, and the file carries ``units`` and the given ``tags``."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape != (grid.col.size, len(bands)):
        raise InputError(
            f"{path}: expected {grid.col.size} sites x {len(bands)} band(s) of values; got {v.shape}.",
            code="input.inconsistent",
        )
    data = np.full((len(bands), grid.height, grid.width), np.nan, dtype=np.float32)
    data[:, grid.row, grid.col] = v.T
    with atomic_target(path, "GeoTIFF") as tmp, rasterio.open(
        tmp, "w", driver="GTiff", width=grid.width, height=grid.height, count=len(bands), dtype="float32",
        crs="EPSG:4326", transform=Affine(grid.dx, 0.0, grid.west, 0.0, -grid.dy, grid.north), nodata=np.nan,
    ) as dst:  # fmt: skip
        dst.write(data)
        dst.update_tags(units=unit, **dict(tags or {}))
        for i, name in enumerate(bands, start=1):
            dst.set_band_description(i, name)
            dst.update_tags(i, units=unit)
    return Path(path)
