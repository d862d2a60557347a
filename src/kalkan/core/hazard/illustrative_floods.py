"""ILLUSTRATIVE flood-depth layers for the demo, drawn around Natural Earth river centre-lines.

No flood map of the five cities is in the shared data (no DEM, no discharge offline: see
``shared/data/dem/README.md`` and ``hydrology/README.md``). So that the flood chain (maps -> HazardSet ->
JRC losses -> climate shift) can be shown end to end, this module draws **synthetic** depth maps, labelled
``ILLUSTRATIVE (synthetic, not a flood model)`` in the GeoTIFF tags, the HazardSet source and every
summary. They are not flood hazard: no terrain, no discharge, no defences, and a 1:10m centre-line.

Toy formula (documented in ``docs/flood-hazard-maps.md``), at distance d (km) from the nearest river
centre-line, for return period T (years)::

    depth_T(d) = D_T * max(0, 1 - d / W_T),   D_T = 0.6 m * ln(T),   W_T = 0.4 km * ln(T)

so the centre-line depth is 1.38 / 2.35 / 2.76 / 3.73 m and the flooded half-width 0.92 / 1.56 / 1.84 /
2.49 km for T = 10 / 50 / 100 / 500 years; depths grow with T at every cell (monotone maps). Rivers: the
Natural Earth 10m centre-lines (shipped, public domain) inside the bounding box of the city's urban extent
(its administrative outline where it has no urban extent) widened by :data:`MARGIN_KM`. A city with none
gets no layer and the reason; a river is never invented. Grid: EPSG:4326, :data:`CELL_DEG` degrees, the
same box. Deterministic: the same inputs give the same files, byte for byte.

This module is the geometry and the formula; reading the rivers and writing the GeoTIFFs are
:mod:`kalkan.io.illustrative_flood_maps`, and the use case that chooses the city's outline and writes the
layers is :func:`kalkan.app.illustrative_floods.write_illustrative_layers`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geometry import KM_PER_DEGREE
from kalkan.errors import InputError

__all__ = [
    "CELL_DEG",
    "FORMULA",
    "ILLUSTRATIVE_LABEL",
    "MARGIN_KM",
    "RETURN_PERIODS",
    "DepthGrid",
    "depth_grid",
    "illustrative_depth_m",
    "no_river_reason",
    "outline_box",
    "rivers_in_box",
]

Box = tuple[float, float, float, float]
"""west, south, east, north (degrees)."""

ILLUSTRATIVE_LABEL = "ILLUSTRATIVE (synthetic, not a flood model)"
RETURN_PERIODS = (10, 50, 100, 500)
"""Return periods (years) of the layers."""
MARGIN_KM = 5.0
"""How far beyond the city outline's bounding box a river is looked for and the grid extends, km."""
CELL_DEG = 0.0025
"""Grid spacing, degrees (about 280 m north-south)."""
PEAK_DEPTH_M_PER_LN_T = 0.6
"""D_T = this x ln(T): depth on the centre-line, m."""
HALF_WIDTH_KM_PER_LN_T = 0.4
"""W_T = this x ln(T): distance at which the depth reaches 0, km."""
FORMULA = (
    "depth_T(d) = D_T * max(0, 1 - d/W_T), D_T = 0.6 m * ln(T), W_T = 0.4 km * ln(T), d = distance to the "
    "Natural Earth 10m river centre-line (km)"
)


def illustrative_depth_m(distance_km: NDArray[np.float64], return_period_years: float) -> NDArray[np.float64]:
    """The toy depth (m) at ``distance_km`` from the centre-line for return period T (years); see module."""
    if not return_period_years > 1:
        raise InputError(
            f"Return period {return_period_years!r}: expected more than 1 year.",
            code="input.range",
            field="return_period_years",
        )
    ln_t = math.log(return_period_years)
    d = np.asarray(distance_km, dtype=np.float64)
    return np.asarray(PEAK_DEPTH_M_PER_LN_T * ln_t * np.clip(1.0 - d / (HALF_WIDTH_KM_PER_LN_T * ln_t), 0.0, None))


def outline_box(outline: dict[str, Any]) -> Box:
    """The bounding box of a GeoJSON (Multi)Polygon widened by :data:`MARGIN_KM` on every side (degrees)."""
    kind = outline.get("type")
    polygons = [outline["coordinates"]] if kind == "Polygon" else outline["coordinates"]
    points = np.vstack([np.asarray(ring, dtype=np.float64)[:, :2] for rings in polygons for ring in rings])
    west, south = points.min(axis=0)
    east, north = points.max(axis=0)
    lat0 = (south + north) / 2
    dlat = MARGIN_KM / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat0)), 1e-6)
    return float(west - dlon), float(south - dlat), float(east + dlon), float(north + dlat)


def _lines(geometry: dict[str, Any]) -> list[NDArray[np.float64]]:
    kind = geometry.get("type")
    if kind == "LineString":
        return [np.asarray(geometry["coordinates"], dtype=np.float64)[:, :2]]
    if kind == "MultiLineString":
        return [np.asarray(line, dtype=np.float64)[:, :2] for line in geometry["coordinates"]]
    return []


def _clip_segments(line: NDArray[np.float64], box: tuple[float, float, float, float]) -> NDArray[np.float64]:
    """The parts of a polyline's segments inside an axis-aligned box (Liang-Barsky), as (n, 4) x0 y0 x1 y1."""
    west, south, east, north = box
    a, b = line[:-1], line[1:]
    d = b - a
    t0 = np.zeros(len(a))
    t1 = np.ones(len(a))
    keep = np.ones(len(a), dtype=bool)
    for p, q in ((-d[:, 0], a[:, 0] - west), (d[:, 0], east - a[:, 0]),
                 (-d[:, 1], a[:, 1] - south), (d[:, 1], north - a[:, 1])):  # fmt: skip
        parallel = p == 0
        keep &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t0 = np.where(~parallel & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~parallel & (p > 0), np.minimum(t1, r), t1)
    keep &= t0 <= t1
    start = a + t0[:, None] * d
    end = a + t1[:, None] * d
    return np.hstack([start, end])[keep]


def _distance_km(x: NDArray[np.float64], y: NDArray[np.float64], segments: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distance from each point to the nearest segment (planar, same units as the inputs)."""
    best = np.full(x.shape, np.inf)
    for x0, y0, x1, y1 in segments:
        vx, vy = x1 - x0, y1 - y0
        length2 = vx * vx + vy * vy
        t = np.zeros(x.shape) if length2 == 0 else np.clip(((x - x0) * vx + (y - y0) * vy) / length2, 0.0, 1.0)
        best = np.minimum(best, np.hypot(x - x0 - t * vx, y - y0 - t * vy))
    return best


def rivers_in_box(features: Iterable[dict[str, Any]], box: Box) -> list[tuple[str, NDArray[np.float64]]]:
    """[(river name, its segments clipped to the box as (n, 4) x0 y0 x1 y1)] of GeoJSON line features that cross
    ``box``; a feature without a name is ``feature <k>`` (its position)."""
    found: list[tuple[str, NDArray[np.float64]]] = []
    for k, feature in enumerate(features):
        lines = _lines(feature.get("geometry") or {})
        parts = [_clip_segments(line, box) for line in lines if len(line) >= 2]
        segments = np.vstack(parts) if parts else np.empty((0, 4))
        if len(segments):
            props = feature.get("properties") or {}
            name = " ".join(str(props.get("name_en") or props.get("name") or f"feature {k}").split())
            found.append((name, segments))
    return found


def no_river_reason(city_id: str, outline_kind: str, box: Box) -> str:
    """Why a city gets no illustrative layer: no river centre-line near it (a river is never invented)."""
    return (
        f"no Natural Earth 10m river centre-line lies within {MARGIN_KM:g} km of {city_id}'s "
        f"{outline_kind.replace('_', ' ')} (box {', '.join(f'{v:.3f}' for v in box)}); no illustrative layer is "
        "drawn (Kalkan never invents a river). Small urban rivers are not in Natural Earth."
    )


@dataclass(frozen=True, slots=True)
class DepthGrid:
    """The grid of the layers (EPSG:4326, cells of :data:`CELL_DEG` from the box's north-west corner) and each
    cell centre's distance to the nearest river centre-line (km, ``height`` x ``width``)."""

    west: float
    north: float
    width: int
    height: int
    distance_km: NDArray[np.float64]

    def depth_m(self, return_period_years: float) -> NDArray[np.float32]:
        """The layer of return period T: :func:`illustrative_depth_m` of every cell, float32 (m)."""
        return illustrative_depth_m(self.distance_km, return_period_years).astype(np.float32)


def depth_grid(box: Box, rivers: list[tuple[str, NDArray[np.float64]]]) -> DepthGrid:
    """The grid over ``box`` and the distances of its cells to the ``rivers`` (local planar km at the box's
    mean latitude)."""
    west, south, east, north = box
    width = math.ceil((east - west) / CELL_DEG)
    height = math.ceil((north - south) / CELL_DEG)
    lon = west + (np.arange(width) + 0.5) * CELL_DEG
    lat = north - (np.arange(height) + 0.5) * CELL_DEG
    lat0 = (south + north) / 2
    kx = KM_PER_DEGREE * math.cos(math.radians(lat0))
    ky = KM_PER_DEGREE
    segments = np.vstack([s for _, s in rivers])
    seg_km = np.column_stack([(segments[:, 0] - west) * kx, (segments[:, 1] - south) * ky,
                              (segments[:, 2] - west) * kx, (segments[:, 3] - south) * ky])  # fmt: skip
    gx, gy = np.meshgrid((lon - west) * kx, (lat - south) * ky)
    return DepthGrid(west, north, width, height, _distance_km(gx, gy, seg_km))
