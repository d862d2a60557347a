"""Write the ILLUSTRATIVE flood-depth layers of a founding city (synthetic, not a flood model).

The city's outline is its shipped urban extent, else its administrative boundary; the rivers are the shipped
Natural Earth 10m centre-lines within :data:`~kalkan.core.hazard.illustrative_floods.MARGIN_KM` of it; the
depths are the toy formula of :mod:`kalkan.core.hazard.illustrative_floods`. A city with no river near it gets no
layer and the reason: a river is never invented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kalkan.catalog.files import RIVERS_FILE, shipped_path
from kalkan.core.hazard.illustrative_floods import (
    CELL_DEG,
    FORMULA,
    ILLUSTRATIVE_LABEL,
    MARGIN_KM,
    RETURN_PERIODS,
    Box,
    depth_grid,
    no_river_reason,
    outline_box,
    rivers_in_box,
)
from kalkan.errors import InputError
from kalkan.io.founding_cities import founding_city_data
from kalkan.io.hazard_maps import MapSpec
from kalkan.io.illustrative_flood_maps import read_river_features, write_depth_geotiff

__all__ = ["ILLUSTRATIVE_LABEL", "IllustrativeLayers", "city_rivers", "write_illustrative_layers"]

OUTLINE_ORDER = ("urban_extent", "admin_boundary")
"""The shipped outline the rivers are looked for around, in order of preference."""


@dataclass(frozen=True, slots=True)
class IllustrativeLayers:
    """The layers written for a city (none, with the reason, where no river is near)."""

    city_id: str
    label: str
    maps: tuple[MapSpec, ...]
    rivers: tuple[str, ...]
    bbox: Box
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
    _, outlines, _ = founding_city_data()
    if city_id not in outlines:
        raise InputError(
            f"City {city_id!r} is not a founding city; known: {', '.join(outlines)}.",
            code="input.unknown",
            field="city",
        )
    geoms = {g.kind: g for g in outlines[city_id]}
    chosen = next((geoms[k] for k in OUTLINE_ORDER if k in geoms), None)
    if chosen is None:
        raise InputError(
            f"City {city_id!r} has no outline (urban extent or administrative boundary).",
            code="not_found.data",
            field="outline",
        )
    return chosen.kind, json.loads(chosen.geojson)


def city_rivers(city_id: str, rivers_path: Path | None = None) -> tuple[str, Box, list[tuple[str, Any]]]:
    """(outline kind, box, [(river name, its segments clipped to the box)]) of the Natural Earth rivers."""
    kind, outline = _outline(city_id)
    box = outline_box(outline)
    path = rivers_path if rivers_path is not None else shipped_path(RIVERS_FILE)
    return kind, box, rivers_in_box(read_river_features(path), box)


def write_illustrative_layers(city_id: str, out_dir: Path, *, rivers_path: Path | None = None) -> IllustrativeLayers:
    """Write ``<city>_illustrative_depth_rp<T>.tif`` for T in :data:`RETURN_PERIODS` (or say why not)."""
    kind, box, rivers = city_rivers(city_id, rivers_path)
    if not rivers:
        return IllustrativeLayers(city_id, ILLUSTRATIVE_LABEL, (), (), box, kind,
                                  reason=no_river_reason(city_id, kind, box))  # fmt: skip
    grid = depth_grid(box, rivers)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = tuple(sorted({n for n, _ in rivers}))
    maps = []
    for t in RETURN_PERIODS:
        path = out_dir / f"{city_id}_illustrative_depth_rp{t}.tif"
        tags = {
            "ILLUSTRATIVE": ILLUSTRATIVE_LABEL,
            "units": "m",
            "quantity": "water depth",
            "return_period_years": str(t),
            "city_id": city_id,
            "formula": FORMULA,
            "rivers": ", ".join(names),
            "source": "Kalkan illustrative_floods (synthetic); rivers: Natural Earth 10m (public domain)",
        }
        write_depth_geotiff(path, grid.depth_m(t), west=grid.west, north=grid.north, cell_deg=CELL_DEG, tags=tags,
                            description=f"ILLUSTRATIVE water depth (m), {t}-year return period")  # fmt: skip
        maps.append(MapSpec(float(t), path))
    return IllustrativeLayers(city_id, ILLUSTRATIVE_LABEL, tuple(maps), names, box, kind,
                              notes=("synthetic depths; not a flood model",))  # fmt: skip
