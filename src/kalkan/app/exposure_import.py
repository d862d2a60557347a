"""Checks of a city's own exposure before it is stored: every asset near the city, every taxonomy modelled.

The file readers already refuse malformed values (negative costs, duplicated ids, wrong CRS, mixed
currencies) with the file, row and field. These checks need the city: assets far outside its outline
(swapped lon/lat, projected coordinates, another city's data) and taxonomy strings that no vulnerability model
of the hazards the city faces resolves. All problems are collected, one per asset and field; the import is all
or nothing unless the user keeps the valid assets and a rejects file.
"""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from kalkan.app.city_extent import city_extent
from kalkan.app.data_quality import EARTHQUAKE, PERIL_MODELS
from kalkan.app.taxonomy_mapping import unused_taxonomies, with_city_mapping
from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError
from kalkan.io.exposure_columns import atomic_target
from kalkan.io.facilities import RowError
from kalkan.io.vulnerability_csv import TaxonomyMapping
from kalkan.store.city_data import save_exposure, save_mapping
from kalkan.store.registry import get_city


def city_box(session: Session, city_id: str, margin_km: float) -> tuple[float, float, float, float, str]:
    """(lon_min, lon_max, lat_min, lat_max, description) of :func:`~kalkan.app.city_extent.city_extent`."""
    e = city_extent(session, city_id, margin_km)
    return e.lon_min, e.lon_max, e.lat_min, e.lat_max, e.description


def check_city_exposure(
    session: Session,
    city_id: str,
    exposure: Exposure,
    *,
    margin_km: float = 5.0,
    require_mapped: bool = True,
    mapping: TaxonomyMapping | None = None,
) -> list[RowError]:
    """Row errors (1-based asset order, as in the file) for assets outside the city and unmodelled taxonomies
    (``mapping``: the city's own taxonomy mapping, applied to the earthquake model)."""
    city = get_city(session, city_id)
    extent = city_extent(session, city_id, margin_km)
    errors: list[RowError] = []
    outside: NDArray[np.bool_] = extent.outside(exposure.lon, exposure.lat)
    for k in np.flatnonzero(outside):
        value = f"{exposure.lon[k]:.6g}, {exposure.lat[k]:.6g}"
        errors.append(RowError(int(k) + 1, f"asset {k + 1}", str(exposure.id[k]), "lon/lat", value, extent.expected))
    if require_mapped:
        models: dict[str, tuple[str, Any]] = {}  # one check per model, naming the hazards it serves
        for p in city.main_hazards:
            if p in PERIL_MODELS:
                description, loader = PERIL_MODELS[p]
                perils = models[description][0] + f"/{p}" if description in models else p
                models[description] = (perils, loader)
        for description, (peril, loader) in models.items():
            vset = loader(set(exposure.taxonomy.tolist()))
            if mapping and EARTHQUAKE in peril.split("/"):
                vset = with_city_mapping(vset, mapping)
            unmapped = {
                t for t in set(exposure.taxonomy.tolist()) if all(vset.resolve(lt, t) is None for lt in vset.mapping)
            }
            for k in np.flatnonzero(np.isin(exposure.taxonomy, list(unmapped))) if unmapped else []:
                errors.append(
                    RowError(
                        int(k) + 1,
                        f"asset {k + 1}",
                        str(exposure.id[k]),
                        "taxonomy",
                        str(exposure.taxonomy[k]),
                        f"a taxonomy that the {peril} model maps ({description})",
                    )
                )
    errors.sort(key=lambda e: (e.row, e.field))
    return errors


STORED_FIELDS = (
    "id, lon, lat, taxonomy, number, cost_structural, cost_nonstructural, cost_contents, occupants_day, "
    "occupants_night, occupants_transit, district, occupancy"
)
"""The fields of an asset the store keeps (:class:`kalkan.store.models.ExposureAsset`)."""


def unstored_fields(exposure: Exposure) -> list[str]:
    """Fields that hold values the store would drop: extra columns, critical types, explicit hazard sites."""
    dropped = []
    for name, values in exposure.extra.items():
        arr = np.asarray(values)
        if arr.dtype.kind == "f":
            if (~np.isnan(arr)).any():
                dropped.append(name)
        elif any(str(v).strip() for v in arr.tolist()):
            dropped.append(name)
    if exposure.critical_type is not None and any(str(v) for v in exposure.critical_type.tolist()):
        dropped.append("critical_type")
    if exposure.site_id is not None:
        dropped.append("site_id")
    return dropped


def check_storable(exposure: Exposure, source: str, *, drop_unstored: bool) -> None:
    """Refuse an exposure whose values the store cannot keep: unknown fields (unless ``drop_unstored`` says to
    drop them), no assets, or replacement costs whose total is not finite."""
    if len(exposure) == 0:
        raise InputError(f"{source}: no assets (the file has no data rows); nothing was imported.", code="input.empty")
    dropped = unstored_fields(exposure)
    if dropped and not drop_unstored:
        raise InputError(
            f"{source}: field(s) {', '.join(map(repr, dropped))} would be lost: the store keeps {STORED_FIELDS}.",
            hint="remove the fields (a misspelt cost or occupants column?), or pass --drop-unstored-fields to "
            "import without them.",
            code="input.unknown",
            field=dropped[0],
        )
    for kind, values in exposure.costs.items():
        total = float(np.sum(values))
        if not math.isfinite(total):
            raise InputError(
                f"{source}: the {kind} replacement costs add up to {total}; expected a finite total.",
                code="input.range",
                field=f"cost_{kind}",
            )


def write_rejects(exposure: Exposure, errors: list[RowError], path: str | os.PathLike[str]) -> Path:
    """The rejected assets (id, lon, lat, taxonomy) with their problems, atomically; written even when empty."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(str(e))
    target = Path(path)
    with atomic_target(target, "rejects CSV") as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "id", "lon", "lat", "taxonomy", "error"])
        for row, problems in sorted(by_row.items()):
            k = row - 1
            writer.writerow([row, exposure.id[k], exposure.lon[k], exposure.lat[k], exposure.taxonomy[k],
                             "; ".join(problems)])  # fmt: skip
    return target


def report(errors: list[RowError], n_assets: int, source: str, limit: int = 20) -> str:
    """The refusal message: counts, the first ``limit`` problems, and what to do."""
    rows = len({e.row for e in errors})
    lines = [f"{source}: {len(errors)} problem(s) in {rows} of {n_assets} asset(s); nothing was imported."]
    lines += [f"  {e}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more")
    lines.append("Fix them, or import the valid assets with --keep-valid (the others go to a rejects CSV).")
    return "\n".join(lines)


def summary_of(errors: list[RowError]) -> dict[str, Any]:
    """Counts by field, for --json and logs."""
    fields: dict[str, int] = {}
    for e in errors:
        fields[e.field] = fields.get(e.field, 0) + 1
    return {"problems": len(errors), "assets": len({e.row for e in errors}), "by_field": fields}


def import_city_exposure(
    session: Session,
    city_id: str,
    exposure: Exposure,
    source: Path,
    *,
    licence: str,
    citation: str,
    margin_km: float = 5.0,
    require_mapped: bool = True,
    keep_valid: bool = False,
    rejects_path: Path | None = None,
    mapping: TaxonomyMapping | None = None,
    mapping_source: Path | None = None,
    replace: bool = False,
    drop_unstored: bool = False,
) -> dict[str, Any]:
    """Check ``exposure`` (read from ``source``) against the city and store it in the caller's transaction.

    Any problem refuses the whole file (InputError listing them) unless ``keep_valid``: then the valid assets
    are stored and the others written to ``rejects_path`` (default ``<source>.rejects.csv``). ``mapping`` (read
    from ``mapping_source`` by :func:`kalkan.app.taxonomy_mapping.check_mapping_file`) is the city's own
    taxonomy mapping: taxonomies it maps count as modelled, and it is stored as the city's current mapping.
    Both become new versions; the city's own previous ones are superseded only with ``replace`` (and kept).
    Fields the store does not keep are refused unless ``drop_unstored``.
    """
    check_storable(exposure, str(source), drop_unstored=drop_unstored)
    errors = check_city_exposure(
        session, city_id, exposure, margin_km=margin_km, require_mapped=require_mapped, mapping=mapping
    )
    rejected = {e.row for e in errors}
    if errors and not keep_valid:
        first = errors[0]
        raise InputError(
            report(errors, len(exposure), str(source)),
            code="input.outside" if first.field == "lon/lat" else "input.unknown",
            field=first.field,
            row=first.row,
        )
    written = None
    if keep_valid:
        written = write_rejects(exposure, errors, rejects_path or source.with_name(source.name + ".rejects.csv"))
        keep = np.array([k for k in range(len(exposure)) if k + 1 not in rejected], dtype=np.int64)
        if keep.size == 0:
            raise InputError(f"{source}: no valid asset to store; see {written}.", code="input.empty")
        exposure = exposure.take(keep)
    method: dict[str, Any] = {"imported_from": str(source), "rejected_assets": len(rejected)}
    provenance = source.with_name(source.name + ".provenance.json")
    if provenance.is_file():  # written by `kalkan city build-exposure`: the file is GEM's estimate, spread
        try:
            method["provenance"] = json.loads(provenance.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            method["provenance_unreadable"] = f"{provenance}: {exc}"
    if mapping:
        method["taxonomy_mapping"] = str(mapping_source) if mapping_source else "given"
    save_exposure(session, city_id, exposure, licence=licence, citation=citation, method=method, origin="city",
                  replace=replace, imported_from=str(source))  # fmt: skip
    mapping_rows = 0
    if mapping:
        mapping_rows = save_mapping(
            session, city_id, mapping, source=f"taxonomy mapping {mapping_source.name if mapping_source else 'given'}",
            replace=replace, imported_from=str(mapping_source) if mapping_source else None,
        )  # fmt: skip
    return {
        "city_id": city_id,
        "stored_assets": len(exposure),
        "currency": exposure.currency,
        "price_year": exposure.price_year,
        "replacement_cost": sum(float(v.sum()) for v in exposure.costs.values()),
        "rejected_assets": len(rejected),
        **summary_of(errors),
        "rejects_file": None if written is None else str(written),
        "taxonomy_mapping_rows": mapping_rows,
        "unused_mapping_taxonomies": unused_taxonomies(mapping or {}, exposure.taxonomy.tolist()),
    }
