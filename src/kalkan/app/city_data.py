"""A city's risk data: build a founding city's shipped exposure, facilities and grid districts and store them as
versions (the repositories that save and load them are in :mod:`kalkan.store.city_data`).

Shipped and illustrative data never replace what the city imported; identical shipped data add no version.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kalkan.app.city_exposure import admin1_exposure, city_exposure
from kalkan.app.city_extent import check_outline_country
from kalkan.app.city_outline import CityOutline, city_outline
from kalkan.catalog.cities import CITY_ADMIN1
from kalkan.core.digest import sha256_json
from kalkan.core.exposure.gem import outline_from_geojson
from kalkan.core.exposure.table import Exposure
from kalkan.core.geometry import KM_PER_DEGREE
from kalkan.errors import InputError
from kalkan.io.exposure import write_exposure
from kalkan.io.exposure_columns import atomic_target
from kalkan.io.facilities import illustrative_facilities
from kalkan.io.jsonfile import load_json_file
from kalkan.store.city_data import (
    current_exposure_set,
    exposure_digest,
    facilities_digest,
    facility_summary,
    save_districts,
    save_exposure,
    save_facilities,
)
from kalkan.store.registry import current_districts, get_city
from kalkan.store.versions import city_owns, current_version, describe

GRID_SOURCE = "Kalkan grid"
"""Prefix of the ``source`` of grid-cell districts, so that they can be told from (and never replace) real ones."""


def grid_district_rows(exposure: Exposure, cell_km: float, where: str) -> list[dict[str, Any]]:
    """The exposure's grid cells as district rows (square cells of ``cell_km`` km, WGS84), without ids."""
    if exposure.district is None:
        return []
    codes, first = np.unique(exposure.district.astype(str), return_index=True)
    half_lat = cell_km / 2 / KM_PER_DEGREE  # the grid's own spacing rule, so the squares tile
    rows = []
    for code, k in zip(codes.tolist(), first.tolist(), strict=True):
        if not code:
            continue
        x, y = float(exposure.lon[k]), float(exposure.lat[k])
        half_lon = half_lat / max(math.cos(math.radians(y)), 1e-6)
        ring = [[x - half_lon, y - half_lat], [x + half_lon, y - half_lat], [x + half_lon, y + half_lat],
                [x - half_lon, y + half_lat], [x - half_lon, y - half_lat]]  # fmt: skip
        rows.append(
            {
                "code": code,
                "name": f"grid {code} ({cell_km:g} km)",
                "name_ru": f"ячейка сетки {code} ({cell_km:g} км)",
                "geojson": json.dumps({"type": "Polygon", "coordinates": [ring]}),
                "source": f"{GRID_SOURCE}: {cell_km:g} km cells over the {where} (no sub-city districts in the "
                "shipped geodata)",
                "licence": "Apache-2.0 (Kalkan's derived grid)",
            }
        )
    return rows


def save_grid_districts(session: Session, city_id: str, exposure: Exposure, cell_km: float, where: str) -> int:
    """Record the exposure's grid cells as the city's districts (a ``derived`` version).

    Used where the shipped geodata has no sub-city districts: results aggregated "by district" are then by
    cell. The city's own districts are never superseded (nothing is written then); the same grid as the
    current one adds no version. Returns the cells written (0 when nothing was written).
    """
    get_city(session, city_id)
    if city_owns(session, city_id, "districts") is not None:
        return 0
    rows = grid_district_rows(exposure, cell_km, where)
    if not rows:
        return 0
    current = current_version(session, city_id, "districts")
    if current is not None and current.digest_sha256 == sha256_json(rows):
        return 0
    return save_districts(
        session, city_id, rows, origin="derived", source=f"{GRID_SOURCE}: {cell_km:g} km cells over the {where}"
    )


def build_gem_exposure(
    target: str,
    *,
    outline_path: Path | None = None,
    share: float | None = None,
    population: float | None = None,
    cell_km: float = 0.5,
    prefix: str | None = None,
    outline: CityOutline | None = None,
) -> tuple[Exposure, dict[str, Any]]:
    """GEM exposure of a founding city (its fixed unit and share, over ``outline`` or, without it, its
    shipped outline) or of any admin-1 unit (``target`` such as ``KZ-ALM``) spread over the GeoJSON outline at
    ``outline_path`` cut to the unit's country; returns it and its method record."""
    if target in CITY_ADMIN1:
        options = {"--outline": outline_path, "--share": share, "--population": population, "--prefix": prefix}
        given = [name for name, value in options.items() if value is not None]
        if given:
            raise InputError(
                f"{target} is a founding city: its outline and share are fixed (see docs/gem-exposure.md); "
                f"use its admin-1 id {CITY_ADMIN1[target][0]} with --outline/--share/--population to vary them.",
                code="input.options",
                field=given[0],
            )
        return city_exposure(target, cell_km, outline=outline)
    if outline_path is None:
        raise InputError(
            f"{target}: give --outline FILE.geojson, the area to spread the buildings over.",
            code="input.options",
            field="--outline",
        )
    data = load_json_file(outline_path)
    geometry = outline_from_geojson(data, str(outline_path))
    check_outline_country(geometry, target, str(outline_path))
    exposure, record = admin1_exposure(
        target.upper(), geometry, share=share, population=population, cell_km=cell_km, asset_prefix=prefix
    )
    record["outline_file"] = str(outline_path)
    return exposure, record


def write_exposure_with_provenance(
    exposure: Exposure, output: Path, record: dict[str, Any], *, published_as: Path | None = None
) -> tuple[Path, Path]:
    """Write ``exposure`` (format from the suffix) and ``<output>.provenance.json`` beside it, each atomically;
    the record says where the data come from, under which licence, and how they were made. ``published_as``:
    where the user will find the exposure (when ``output`` is in a run's work folder), named in the record."""
    written = write_exposure(exposure, output)
    shown = written if published_as is None else Path(published_as).parent / written.name
    provenance = written.with_name(written.name + ".provenance.json")
    with atomic_target(provenance, "provenance record") as tmp:
        Path(tmp).write_text(json.dumps({**record, "exposure_file": str(shown)}, indent=2) + "\n", encoding="utf-8")
    return written, provenance


def load_founding_city(session: Session, city_id: str, cell_km: float = 0.5) -> dict[str, Any]:
    """Store a founding city's shipped risk data in the caller's transaction: its GEM exposure on a grid of
    ``cell_km`` km over the city's outline (:func:`kalkan.app.city_outline.city_outline`: its own, else its
    administrative boundary, else its urban extent clipped to its country), the grid cells as districts, and its
    ILLUSTRATIVE facility set.

    What the city imported itself is never replaced: each kind the city owns is skipped and reported. Shipped
    data identical to the current version add nothing; changed shipped data become a new version (the old one
    kept). The report says, per kind, ``loaded``, ``present`` or ``kept (the city's own ...)``."""
    if city_id not in CITY_ADMIN1:
        raise InputError(
            f"No shipped risk data for {city_id!r}; shipped: {', '.join(CITY_ADMIN1)}.",
            hint="Other cities: `kalkan city build-exposure` then `kalkan city import-exposure`.",
            code="not_found.data",
            field="city",
        )
    exposure, record = city_exposure(city_id, cell_km, outline=city_outline(session, city_id))
    actions: dict[str, str] = {}
    own = city_owns(session, city_id, "exposure")
    if own is not None:
        actions["exposure"] = f"kept (the city's own: {describe(own)})"
    else:
        digest = exposure_digest(exposure)
        current = current_version(session, city_id, "exposure")
        if current is not None and current.digest_sha256 == digest:
            actions["exposure"] = "present"
        else:
            save_exposure(session, city_id, exposure, licence=record["licence"], citation=record["citation"],
                          method=record, origin="shipped", digest=digest)  # fmt: skip
            actions["exposure"] = "loaded"
    table = illustrative_facilities(city_id)
    own = city_owns(session, city_id, "facilities")
    if own is not None:
        actions["facilities"] = f"kept (the city's own: {describe(own)})"
    else:
        current = current_version(session, city_id, "facilities")
        if current is not None and current.digest_sha256 == facilities_digest(table):
            actions["facilities"] = "present"
        else:
            save_facilities(session, city_id, table, origin="illustrative")
            actions["facilities"] = "loaded"
    own = city_owns(session, city_id, "districts")
    n_districts = save_grid_districts(session, city_id, exposure, cell_km, str(record["outline_label"]))
    if own is not None:
        actions["districts"] = f"kept (the city's own: {describe(own)})"
    else:
        actions["districts"] = "loaded" if n_districts else "present"
    facilities = facility_summary(session, city_id)
    exposure_now = current_exposure_set(session, city_id)
    districts = current_districts(session, city_id)
    return {
        "city_id": city_id,
        "assets": exposure_now.n_assets if exposure_now is not None else 0,
        "facilities": facilities["count"],
        "illustrative_facilities": facilities["all_illustrative"],
        "grid_districts": sum(1 for d in districts if d.source.startswith(GRID_SOURCE)),
        "districts": len(districts),
        "actions": actions,
    }
