"""Read the river centre-lines and write the ILLUSTRATIVE flood-depth GeoTIFFs of
:mod:`kalkan.core.hazard.illustrative_floods`.

The rivers are a GeoJSON FeatureCollection of (Multi)LineStrings (the shipped Natural Earth 10m centre-lines,
:data:`kalkan.catalog.files.RIVERS_FILE`). A layer is a float32 GeoTIFF in EPSG:4326, deflate-compressed, nodata
-9999, water depth in m, tagged ``ILLUSTRATIVE`` so that no reader mistakes it for a flood model; the same
inputs give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import rasterio  # type: ignore[import-untyped]
from affine import Affine
from numpy.typing import NDArray

from kalkan.errors import InputError

NODATA = -9999.0
"""The nodata value of the layers (every cell has a depth; 0 m away from the rivers)."""


def read_river_features(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection of river centre-lines."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        code = "input.not_found" if isinstance(exc, FileNotFoundError) else "input.unreadable"
        raise InputError(f"{path}: cannot read the river centre-lines ({exc}).", code=code) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: cannot read the river centre-lines ({exc}).", code="input.syntax", row=exc.lineno
        ) from exc
    features = data.get("features", []) if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError(
            f"{path}: expected a GeoJSON FeatureCollection of river centre-lines.",
            code="input.syntax",
            field="features",
        )
    return [f for f in features if isinstance(f, dict)]


def write_depth_geotiff(
    path: Path,
    depth_m: NDArray[np.float32],
    *,
    west: float,
    north: float,
    cell_deg: float,
    tags: Mapping[str, str],
    description: str,
) -> Path:
    """Write one depth layer (rows north to south, m) with its ``tags`` and band ``description``."""
    height, width = depth_m.shape
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": Affine(cell_deg, 0.0, west, 0.0, -cell_deg, north), "nodata": NODATA,
        "compress": "deflate",
    }  # fmt: skip
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(depth_m, 1)
        ds.update_tags(**tags)
        ds.update_tags(1, units="m")
        ds.set_band_description(1, description)
    return path
