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
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geometry import KM_PER_DEGREE
from kalkan.errors import InputError
from kalkan.io.hazard_maps import MapSpec

__all__ = [
    "CELL_DEG",
    "ILLUSTRATIVE_LABEL",
    "MARGIN_KM",
    "RETURN_PERIODS",
    "RIVERS_FILE",
    "IllustrativeLayers",
    "city_rivers",
    "illustrative_depth_m",
    "write_illustrative_layers",
]

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
RIVERS_FILE = "geo/natural_earth/ne_10m_rivers_lake_centerlines_central_asia5.geojson"
FORMULA = (
    "depth_T(d) = D_T * max(0, 1 - d/W_T), D_T = 0.6 m * ln(T), W_T = 0.4 km * ln(T), d = distance to the "
    "Natural Earth 10m river centre-line (km)"
)


def illustrative_depth_m(distance_km: NDArray[np.float64], return_period_years: float) -> NDArray[np.float64]:
    """The toy depth (m) at ``distance_km`` from the centre-line for return period T (years); see module."""
    if not return_period_years > 1:
        raise InputError(f"Return period {return_period_years!r}: expected more than 1 year.")
    ln_t = math.log(return_period_years)
    d = np.asarray(distance_km, dtype=np.float64)
    return np.asarray(PEAK_DEPTH_M_PER_LN_T * ln_t * np.clip(1.0 - d / (HALF_WIDTH_KM_PER_LN_T * ln_t), 0.0, None))


@dataclass(frozen=True, slots=True)
class IllustrativeLayers:
    """The layers written for a city (none, with the reason, where no river is near)."""

    city_id: str
    label: str
    maps: tuple[MapSpec, ...]
    rivers: tuple[str, ...]
    bbox: tuple[float, float, float, float]
    outline_kind: str
    reason: str | None = None
    formula: str = FORMULA
    notes: tuple[str, ...] = field(default=())

    @property
    def available(self) -> bool:
        return bool(self.maps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "illustrative": True,
            "label": self.label,
            "city_id": self.city_id,
            "available": self.available,
            "reason": self.reason,
            "rivers": list(self.rivers),
            "bbox_lon_lat": list(self.bbox),
            "outline": self.outline_kind,
            "margin_km": MARGIN_KM,
            "cell_deg": CELL_DEG,
            "formula": self.formula,
            "files": {f"{m.return_period_years:g}": str(m.path) for m in self.maps},
            "crs": "EPSG:4326",
            "rivers_source": "Natural Earth 10m rivers and lake centre-lines (public domain), shipped in "
            f"kalkan/data/{RIVERS_FILE}",
        }


def _outline(city_id: str) -> tuple[str, dict[str, Any]]:
    from kalkan.app.reference_data import founding_city_data

    _, outlines, _ = founding_city_data()
    if city_id not in outlines:
        raise InputError(f"City {city_id!r} is not a founding city; known: {', '.join(outlines)}.")
    geoms = {g.kind: g for g in outlines[city_id]}
    chosen = geoms.get("urban_extent") or geoms.get("admin_boundary")
    if chosen is None:
        raise InputError(f"City {city_id!r} has no outline (urban extent or administrative boundary).")
    return chosen.kind, json.loads(chosen.geojson)


def _box(outline: dict[str, Any]) -> tuple[float, float, float, float]:
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


def city_rivers(
    city_id: str, rivers_path: Path | None = None
) -> tuple[str, tuple[float, float, float, float], list[tuple[str, NDArray[np.float64]]]]:
    """(outline kind, box, [(river name, its segments clipped to the box)]) of the Natural Earth rivers."""
    from kalkan.catalog.sources import data_root

    kind, outline = _outline(city_id)
    box = _box(outline)
    path = rivers_path if rivers_path is not None else data_root() / RIVERS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the river centre-lines ({exc}).") from exc
    found: list[tuple[str, NDArray[np.float64]]] = []
    for k, feature in enumerate(data.get("features", [])):
        lines = _lines(feature.get("geometry") or {})
        parts = [_clip_segments(line, box) for line in lines if len(line) >= 2]
        segments = np.vstack(parts) if parts else np.empty((0, 4))
        if len(segments):
            props = feature.get("properties") or {}
            name = " ".join(str(props.get("name_en") or props.get("name") or f"feature {k}").split())
            found.append((name, segments))
    return kind, box, found


def write_illustrative_layers(city_id: str, out_dir: Path, *, rivers_path: Path | None = None) -> IllustrativeLayers:
    """Write ``<city>_illustrative_depth_rp<T>.tif`` for T in :data:`RETURN_PERIODS` (or say why not)."""
    import rasterio  # type: ignore[import-untyped]
    from affine import Affine

    kind, box, rivers = city_rivers(city_id, rivers_path)
    if not rivers:
        return IllustrativeLayers(
            city_id, ILLUSTRATIVE_LABEL, (), (), box, kind,
            reason=f"no Natural Earth 10m river centre-line lies within {MARGIN_KM:g} km of {city_id}'s "
            f"{kind.replace('_', ' ')} (box {', '.join(f'{v:.3f}' for v in box)}); no illustrative layer is "
            "drawn (Kalkan never invents a river). Small urban rivers are not in Natural Earth.",
        )  # fmt: skip
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
    distance = _distance_km(gx, gy, seg_km)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = tuple(sorted({n for n, _ in rivers}))
    maps = []
    for t in RETURN_PERIODS:
        depth = illustrative_depth_m(distance, t).astype(np.float32)
        path = out_dir / f"{city_id}_illustrative_depth_rp{t}.tif"
        profile = {
            "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "float32",
            "crs": "EPSG:4326", "transform": Affine(CELL_DEG, 0.0, west, 0.0, -CELL_DEG, north), "nodata": -9999.0,
            "compress": "deflate",
        }  # fmt: skip
        with rasterio.open(path, "w", **profile) as ds:
            ds.write(depth, 1)
            ds.update_tags(
                ILLUSTRATIVE=ILLUSTRATIVE_LABEL,
                units="m",
                quantity="water depth",
                return_period_years=str(t),
                city_id=city_id,
                formula=FORMULA,
                rivers=", ".join(names),
                source="Kalkan illustrative_floods (synthetic); rivers: Natural Earth 10m (public domain)",
            )
            ds.update_tags(1, units="m")
            ds.set_band_description(1, f"ILLUSTRATIVE water depth (m), {t}-year return period")
        maps.append(MapSpec(float(t), path))
    return IllustrativeLayers(city_id, ILLUSTRATIVE_LABEL, tuple(maps), names, box, kind,
                              notes=("synthetic depths; not a flood model",))  # fmt: skip
