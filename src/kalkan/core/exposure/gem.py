"""Building exposure of a city from the GEM Global Exposure Model for Central Asia (Adm1 totals).

The public GEM files give, per first-level admin unit (oblast, region, capital city) and building class,
the number of buildings, replacement costs (2021 USD) and occupants, but no locations. A city's exposure is
taken as a ``share`` of every building class of its admin-1 unit and spread over a regular grid of cells
inside the city's outline **with uniform density** (equal parts per cell): no population or building grid
is available offline, so this is the simplest assumption, and it is stated in the result. Costs are split in
whole cents by the largest-remainder rule, so that city totals equal ``share`` x the GEM totals to the cent.

Data: Yepes-Estrada C. et al. (2023) Global Building Exposure Model for Earthquake Risk Assessment, Earthquake
Spectra, doi:10.1177/87552930231194048; Pittore, Haas & Silva (2020) for Central Asia. CC BY-NC-SA 4.0:
non-commercial use only.

This module is the arithmetic, on rows and outlines given to it; reading the GEM files is
:mod:`kalkan.io.gem_exposure`, and choosing a city's unit, outline and share is the use case
:mod:`kalkan.app.city_exposure` (the founding cities' units are in :data:`kalkan.catalog.cities.CITY_GEM_UNIT`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.exposure.table import OCCUPANT_PERIODS, Exposure
from kalkan.core.geometry import clip_polygon, grid_in_polygon
from kalkan.errors import InputError

GEM_COST_TYPES = ("structural", "nonstructural", "contents")
GEM_PRICE_YEAR = 2021
GEM_SOURCE = "GEM Global Exposure Model v2023.1.1, Central Asia Adm1 (CC BY-NC-SA 4.0)"

RESIDENTS_PROXY = "sum of OCCUPANTS_PER_ASSET_NIGHT of the admin-1 unit's residential (Res) rows"


@dataclass(frozen=True, slots=True)
class GemExposureRow:
    """One building class of one admin-1 unit; costs in whole US cents of 2021, occupants in people.

    Read by :func:`kalkan.io.gem_exposure.read_gem_adm1`; ``source`` and ``line`` say where it comes from."""

    id_1: str
    name_1: str
    occupancy: str
    taxonomy: str
    buildings: float
    cost_structural_cents: int
    cost_nonstructural_cents: int
    cost_contents_cents: int
    occupants_day: float
    occupants_night: float
    occupants_transit: float
    source: str
    line: int

    def cost_cents(self, cost_type: str) -> int:
        """The replacement cost of ``cost_type`` (structural, nonstructural or contents), in US cents."""
        return int(getattr(self, f"cost_{cost_type}_cents"))

    def occupants(self, period: str) -> float:
        """People present at ``period`` (day, night or transit)."""
        return float(getattr(self, f"occupants_{period}"))


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` (>= 0) into whole parts proportional to integer ``weights``, summing exactly to ``total``.

    Each part is ``floor(total * w / sum(w))`` plus one for the ``total - sum(floors)`` largest remainders
    (ties to the earlier weight), hence within one unit of its ideal value (Hamilton's method). Exact integer
    arithmetic: no rounding error, whatever the magnitudes.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("largest_remainder: total and weights must be >= 0.")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total:
            raise ValueError("largest_remainder: a positive total cannot be split over zero weights.")
        return [0] * len(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(parts)
    for k in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        parts[k] += 1
    return parts


def _split_equally(total: int, n: int, start: int) -> NDArray[np.int64]:
    """``total`` in ``n`` whole parts differing by at most one; the extra units go to cells from ``start`` on."""
    base, extra = divmod(total, n)
    parts = np.full(n, base, dtype=np.int64)
    parts[(start + np.arange(extra)) % n] += 1
    return parts


def _outline_polygons(outline: dict[str, Any]) -> list[NDArray[np.float64]]:
    kind = outline.get("type") if isinstance(outline, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise InputError(
            f"Outline: GeoJSON type {kind!r}; expected a Polygon or MultiPolygon.",
            code="input.unsupported",
            field="type",
        )
    polys = [outline["coordinates"]] if kind == "Polygon" else outline["coordinates"]
    try:
        rings = [np.asarray(p[0], dtype=np.float64) for p in polys]
    except (TypeError, ValueError, IndexError) as exc:
        raise InputError(
            "Outline: coordinates are not rings of [lon, lat] pairs.", code="input.type", field="coordinates"
        ) from exc
    if not rings or any(r.ndim != 2 or r.shape[0] < 3 or r.shape[1] < 2 for r in rings):
        raise InputError(
            "Outline: coordinates are not rings of at least 3 [lon, lat] pairs.", code="input.type", field="coordinates"
        )
    return rings


def _centroid(rings: list[NDArray[np.float64]]) -> tuple[float, float]:
    """Area-weighted centroid of the exterior rings (shoelace), or the mean vertex for degenerate rings."""
    area_sum = cx = cy = 0.0
    for ring in rings:
        x, y = ring[:, 0], ring[:, 1]
        x2, y2 = np.roll(x, -1), np.roll(y, -1)
        cross = x * y2 - x2 * y
        a = float(cross.sum()) / 2
        area_sum += a
        cx += float(((x + x2) * cross).sum()) / 6
        cy += float(((y + y2) * cross).sum()) / 6
    if abs(area_sum) < 1e-15:
        pts = np.vstack(rings)
        return float(pts[:, 0].mean()), float(pts[:, 1].mean())
    return cx / area_sum, cy / area_sum


def _cells(outline: dict[str, Any], cell_km: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rings = _outline_polygons(outline)
    lon, lat = grid_in_polygon(outline, cell_km)
    if lon.size == 0:
        x, y = _centroid(rings)
        lon, lat = np.array([round(x, 5)]), np.array([round(y, 5)])
    return lon, lat


def build_city_exposure(
    rows: Sequence[GemExposureRow], share: float, outline_geojson: dict[str, Any], cell_km: float = 0.5, *, city_id: str
) -> Exposure:
    """``share`` of every building class of one admin-1 unit, spread uniformly over a grid inside an outline.

    ``rows``: the GEM rows of one admin-1 unit (:func:`kalkan.io.gem_exposure.admin1_rows`); ``share`` in
    (0, 1]; ``outline_geojson``: a GeoJSON (Multi)Polygon in WGS84 degrees; ``cell_km``: grid spacing (km).
    One asset per (cell, building class), with the GEM taxonomy string, occupancy ``res``/``com``/``ind``,
    district = cell id (``cell-0042``), number of buildings (fractional), structural/nonstructural/contents
    costs in USD of 2021 and day/night/transit occupants. Cells are the points of
    :func:`kalkan.core.geometry.grid_in_polygon`; an outline too small for any grid point gets one cell
    at its centroid. **Uniform density**: every cell gets an equal part (no population grid offline).
    Totals equal ``share`` x the GEM totals: costs to the cent (whole cents, largest-remainder rule, first
    across building classes, then equally across cells), buildings and occupants up to float rounding.
    """
    if not city_id:
        raise InputError(
            "build_city_exposure: give a city_id (used in asset ids).", code="input.missing", field="city_id"
        )
    if not rows:
        raise InputError(f"{city_id}: no GEM exposure rows to build from.", code="input.empty", field="rows")
    units = sorted({r.id_1 for r in rows})
    if len(units) != 1:
        raise InputError(
            f"{city_id}: GEM rows of several admin-1 units {units}; give the rows of one unit.",
            code="input.inconsistent",
            field="ID_1",
        )
    if not (isinstance(share, (int, float)) and math.isfinite(share) and 0 < share <= 1):
        raise InputError(f"{city_id}: share {share!r}; expected a number in (0, 1].", code="input.range", field="share")
    if not (math.isfinite(cell_km) and cell_km > 0):
        raise InputError(
            f"{city_id}: cell size {cell_km!r} km; expected a number > 0.", code="input.range", field="cell_km"
        )
    lon, lat = _cells(outline_geojson, cell_km)
    n_cells, n_rows = lon.size, len(rows)
    width = max(4, len(str(n_cells - 1)))
    cell_ids = np.array([f"cell-{c:0{width}d}" for c in range(n_cells)], dtype=object)
    exact_share = Fraction(share)

    costs: dict[str, NDArray[np.float64]] = {}
    for cost_type in GEM_COST_TYPES:
        row_cents = [r.cost_cents(cost_type) for r in rows]
        city_cents = round(exact_share * sum(row_cents))
        per_row = largest_remainder(city_cents, row_cents)
        grid = np.empty((n_cells, n_rows), dtype=np.int64)  # cell-major: asset k = cell * n_rows + row
        start = 0
        for j, cents in enumerate(per_row):
            grid[:, j] = _split_equally(cents, n_cells, start)
            start = (start + cents % n_cells) % n_cells
        costs[cost_type] = grid.ravel().astype(np.float64) / 100.0

    def spread(values: list[float]) -> NDArray[np.float64]:
        return np.tile(np.asarray(values, dtype=np.float64) * share / n_cells, n_cells)

    occ_code = [r.occupancy.lower() for r in rows]
    return Exposure(
        id=np.array(
            [f"{city_id}-{cell}-{occ_code[j]}-{j:03d}" for cell in cell_ids for j in range(n_rows)], dtype=object
        ),
        lon=np.repeat(lon, n_rows),
        lat=np.repeat(lat, n_rows),
        taxonomy=np.tile(np.array([r.taxonomy for r in rows], dtype=object), n_cells),
        costs=costs,
        number=spread([r.buildings for r in rows]),
        occupants={p: spread([r.occupants(p) for r in rows]) for p in OCCUPANT_PERIODS},
        district=np.repeat(cell_ids, n_rows),
        occupancy=np.tile(np.array(occ_code, dtype=object), n_cells),
        currency="USD",
        price_year=GEM_PRICE_YEAR,
        source=f"{GEM_SOURCE}: {units[0]} x {share:.6g}, {cell_km:g} km cells ({city_id})",
    )


def region_residents(rows: Sequence[GemExposureRow]) -> float:
    """Residents of an admin-1 unit, by proxy: :data:`RESIDENTS_PROXY` (people at night in dwellings)."""
    return float(sum(r.occupants_night for r in rows if r.occupancy == "Res"))


def city_share(rows: Sequence[GemExposureRow], *, city_id: str, population: float, whole: bool) -> tuple[float, str]:
    """(share, basis): the part of an admin-1 unit's buildings that is a city's.

    A city that is the ``whole`` unit (Dushanbe, Ashgabat) takes all of it: share 1. A city that is part of its
    region takes its ``population`` (people) over the region's residents, a proxy (:data:`RESIDENTS_PROXY`): that
    assumes the city has the region's building mix per resident (urban and rural classes alike), which the Adm1
    files cannot refine."""
    if whole:
        return 1.0, "whole admin-1 unit (the city is an admin-1 unit of its own)"
    id_1 = rows[0].id_1 if rows else "?"
    residents = region_residents(rows)
    if residents <= 0:
        raise InputError(
            f"{id_1}: the GEM files give no residents; cannot derive {city_id}'s share.",
            code="input.empty",
            field="OCCUPANTS_PER_ASSET_NIGHT",
        )
    share = population / residents
    if not 0 < share <= 1:
        raise InputError(
            f"{city_id}: population {population:.0f} / {id_1} residents {residents:.0f} = {share:.4f}; "
            "expected a share in (0, 1].",
            code="input.range",
            field="population",
        )
    return share, f"city population / region residents; residents proxy: {RESIDENTS_PROXY}"


def exposure_record(
    exposure: Exposure,
    rows: Sequence[GemExposureRow],
    share: float,
    basis: str,
    cell_km: float,
    *,
    asset_prefix: str,
) -> dict[str, Any]:
    """The method, the numbers used and the totals of a GEM-derived exposure (shown with the data): the costs in
    USD of 2021 rounded to the cent, buildings and occupants as sums."""
    n_cells = len(set(exposure.district.tolist())) if exposure.district is not None else 0
    assert exposure.number is not None
    totals: dict[str, float] = {"buildings": float(np.sum(exposure.number))}
    totals.update({f"cost_{k}_usd": round(float(v.sum()), 2) for k, v in exposure.costs.items()})
    totals.update({f"occupants_{k}": float(v.sum()) for k, v in exposure.occupants.items()})
    return {
        "method": (
            "share of every building class of the GEM admin-1 unit, spread with uniform density (equal parts) "
            "over a regular grid of cells inside the outline; costs split in whole cents (largest remainder)"
        ),
        "source": GEM_SOURCE,
        "licence": "CC BY-NC-SA 4.0 (non-commercial, share-alike)",
        "citation": "Yepes-Estrada C. et al. (2023) Earthquake Spectra, doi:10.1177/87552930231194048",
        "asset_prefix": asset_prefix,
        "admin1_id": rows[0].id_1,
        "admin1_name": rows[0].name_1,
        "share": share,
        "share_basis": basis,
        "region_residents": region_residents(rows),
        "region_residents_proxy": RESIDENTS_PROXY,
        "cell_km": cell_km,
        "n_cells": n_cells,
        "n_building_classes": len(rows),
        "n_assets": len(exposure),
        "currency": "USD",
        "price_year": GEM_PRICE_YEAR,
        "totals": totals,
    }


def outline_from_geojson(data: Any, origin: str) -> dict[str, Any]:
    """The one (Multi)Polygon of a GeoJSON geometry, Feature or one-feature FeatureCollection (WGS84 degrees)."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else "no"
            raise InputError(
                f"{origin}: a FeatureCollection with {count} features; expected exactly one outline.",
                code="input.inconsistent",
                field="features",
            )
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    kind = data.get("type") if isinstance(data, dict) else type(data).__name__
    if kind not in ("Polygon", "MultiPolygon"):
        raise InputError(
            f"{origin}: geometry type {kind!r}; expected a Polygon or MultiPolygon in WGS84 degrees.",
            code="input.unsupported",
            field="type",
        )
    assert isinstance(data, dict)
    try:
        points = np.vstack([ring[:, :2] for ring in _outline_polygons(data)])
    except InputError as exc:
        raise InputError(f"{origin}: {exc.message}", code=exc.code, field=exc.field) from exc
    lon, lat = points[:, 0], points[:, 1]
    if not (np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)):
        raise InputError(
            f"{origin}: coordinates outside lon [-180, 180] / lat [-90, 90]; the outline must be in WGS84 degrees "
            "(reproject it to EPSG:4326).",
            code="input.range",
            field="coordinates",
        )
    return data


def admin1_share(
    rows: Sequence[GemExposureRow], *, share: float | None = None, population: float | None = None
) -> tuple[float, str]:
    """(share, basis) of an admin-1 unit's buildings for a city that joins the coalition: ``share`` as given (in
    (0, 1]), or ``population`` (people) over the unit's residents (:data:`RESIDENTS_PROXY`), or, with neither, the
    whole unit. Giving both is refused."""
    id_1 = rows[0].id_1 if rows else "?"
    if share is not None and population is not None:
        raise InputError("Give a share or a population, not both.", code="input.options", field="--population")
    if population is not None:
        residents = region_residents(rows)
        if not (math.isfinite(population) and population > 0):
            raise InputError(
                f"Population {population!r}; expected a number of people > 0.", code="input.range", field="--population"
            )
        if residents <= 0:
            raise InputError(
                f"{id_1}: the GEM files give no residents; give --share instead of --population.",
                code="input.empty",
                field="--population",
            )
        value = population / residents
        if value > 1:
            raise InputError(
                f"{id_1}: population {population:,.0f} people is more than the unit's {residents:,.0f} residents "
                f"in the GEM files (share {value:.4f}); give --share 1 to take the whole unit.",
                code="input.range",
                field="--population",
            )
        return value, f"population {population:,.0f} people / {residents:,.0f} region residents ({RESIDENTS_PROXY})"
    if share is not None:
        return share, "share given by the user"
    return 1.0, "whole admin-1 unit (no share or population given)"


def clip_to_country(
    outline_geojson: dict[str, Any], country_geometry: dict[str, Any] | None, country: str, what: str
) -> dict[str, Any]:
    """The part of an outline inside its country's outline (``country_geometry``, a GeoJSON (Multi)Polygon; the
    outline itself when it lies wholly inside, or when the country has no outline): buildings are never spread
    across a border. Refused when nothing of it is in the country (``country`` names it: "Kyrgyzstan (KGZ)")."""
    if country_geometry is None:
        return outline_geojson
    clipped = clip_polygon(outline_geojson, country_geometry)
    if clipped is None:
        raise InputError(
            f"{what} lies wholly outside {country}; expected an outline in the country of the GEM admin-1 unit, in "
            "WGS84 longitude/latitude.",
            code="input.outside",
            field="outline",
        )
    return clipped
