"""A city's risk data in the store: repositories that save and load its building exposure, facility registry,
districts and taxonomy mapping, each save a new version of the city's data.

Saving creates a new version (:mod:`kalkan.store.versions`) in the caller's transaction and keeps the
previous one, so a failed import leaves the old data whole and a replaced one can be restored. Shipped and
illustrative data never replace what the city imported. Totals are kept with the set so that `kalkan cities
show --json` can be checked against the source without reading the assets. The use cases that build, import
and check these data are in :mod:`kalkan.app.city_data`, :mod:`kalkan.app.exposure_import` and
:mod:`kalkan.app.taxonomy_mapping`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kalkan.core.digest import sha256_json
from kalkan.core.exposure.facilities import Facility, FacilityTable
from kalkan.core.exposure.table import OCCUPANT_PERIODS, Exposure
from kalkan.errors import InputError
from kalkan.store.models import DataVersion as DataVersionModel
from kalkan.store.models import District, ExposureAsset, ExposureSet, FacilityRecord, TaxonomyMappingRow
from kalkan.store.registry import get_city
from kalkan.store.versions import current_version, new_version

STORED_COSTS = ("structural", "nonstructural", "contents")
"""Cost types the store keeps per asset; an exposure with any other is refused rather than cut down."""


BATCH = 20_000
"""Assets per INSERT batch (keeps the parameter lists of one statement bounded)."""


def _optional(values: np.ndarray[Any, Any] | None, k: int) -> float | None:
    if values is None:
        return None
    x = float(values[k])
    return None if math.isnan(x) else x


def _asset_rows(set_id: int, exposure: Exposure) -> Iterator[list[dict[str, Any]]]:
    costs = {k: exposure.costs.get(k) for k in STORED_COSTS}
    occupants = {p: exposure.occupants.get(p) for p in OCCUPANT_PERIODS}
    district = exposure.district
    occupancy = exposure.occupancy
    for start in range(0, len(exposure), BATCH):
        rows = []
        for k in range(start, min(start + BATCH, len(exposure))):
            row: dict[str, Any] = {
                "set_id": set_id,
                "asset_id": str(exposure.id[k]),
                "lon": float(exposure.lon[k]),
                "lat": float(exposure.lat[k]),
                "taxonomy": str(exposure.taxonomy[k]),
                "number": _optional(exposure.number, k),
                "district": (str(district[k]) or None) if district is not None else None,
                "occupancy": (str(occupancy[k]) or None) if occupancy is not None else None,
            }
            row.update({f"cost_{c}": _optional(v, k) for c, v in costs.items()})
            row.update({f"occupants_{p}": _optional(v, k) for p, v in occupants.items()})
            rows.append(row)
        yield rows


def exposure_digest(exposure: Exposure) -> str:
    """SHA-256 of an exposure's content (ids, places, taxonomies, values), so that loading the same shipped
    exposure twice adds no version."""
    h = hashlib.sha256()
    for values in (exposure.id, exposure.taxonomy, exposure.district, exposure.occupancy):
        if values is not None:
            h.update("\x1f".join(map(str, values.tolist())).encode())
    for name, arr in (("lon", exposure.lon), ("lat", exposure.lat), ("number", exposure.number),
                      *sorted(exposure.costs.items()), *sorted(exposure.occupants.items())):  # fmt: skip
        if arr is not None:
            h.update(name.encode())
            h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    h.update(f"{exposure.currency}:{exposure.price_year}".encode())
    return h.hexdigest()


def save_exposure(
    session: Session,
    city_id: str,
    exposure: Exposure,
    *,
    licence: str,
    citation: str,
    method: dict[str, Any],
    origin: str = "city",
    replace: bool = False,
    imported_from: str | None = None,
    digest: str | None = None,
) -> ExposureSet:
    """Store ``exposure`` as a new current version of the city's exposure (the previous one is kept).

    A city's own exposure is superseded only with ``replace``; shipped data never supersede it."""
    get_city(session, city_id)
    other = sorted(set(exposure.costs) - set(STORED_COSTS))
    if other:
        raise InputError(
            f"{exposure.source}: cost types {', '.join(other)} cannot be stored (the store keeps "
            f"{', '.join(STORED_COSTS)}); convert or drop them explicitly before importing.",
            code="input.unsupported",
            field=f"cost_{other[0]}",
        )
    if len(exposure) == 0:
        raise InputError(f"{exposure.source}: the exposure has no assets; nothing to store.", code="input.empty")
    change = new_version(
        session, city_id, "exposure", origin=origin, source=exposure.source, rows=len(exposure), replace=replace,
        licence=licence, imported_from=imported_from, digest=digest or exposure_digest(exposure),
    )  # fmt: skip

    def total(values: np.ndarray[Any, Any] | None) -> float:
        return 0.0 if values is None else float(np.nansum(values))

    record = ExposureSet(
        city_id=city_id,
        version_id=change.current.id,
        source=exposure.source,
        licence=licence,
        citation=citation,
        currency=exposure.currency,
        price_year=exposure.price_year,
        method=method,
        n_assets=len(exposure),
        buildings=total(exposure.number),
        cost_structural=round(total(exposure.costs.get("structural")), 2),
        cost_nonstructural=round(total(exposure.costs.get("nonstructural")), 2),
        cost_contents=round(total(exposure.costs.get("contents")), 2),
        occupants_day=total(exposure.occupants.get("day")),
        occupants_night=total(exposure.occupants.get("night")),
        occupants_transit=total(exposure.occupants.get("transit")),
    )
    session.add(record)
    session.flush()
    for rows in _asset_rows(record.id, exposure):
        session.execute(insert(ExposureAsset), rows)
    return record


def load_exposure(session: Session, city_id: str) -> Exposure:
    """The city's stored exposure, as the engine's :class:`Exposure` (assets in stored order)."""
    record = current_exposure_set(session, city_id)
    if record is None:
        raise InputError(
            f"City '{city_id}' has no exposure in the store.",
            hint=f"Run `kalkan city load {city_id}` (founding cities) or `kalkan city import-exposure`.",
            code="not_found.data",
            field="exposure",
        )
    columns = [
        ExposureAsset.asset_id, ExposureAsset.lon, ExposureAsset.lat, ExposureAsset.taxonomy, ExposureAsset.number,
        *(getattr(ExposureAsset, f"cost_{c}") for c in STORED_COSTS),
        *(getattr(ExposureAsset, f"occupants_{p}") for p in OCCUPANT_PERIODS),
        ExposureAsset.district, ExposureAsset.occupancy,
    ]  # fmt: skip
    rows = session.execute(select(*columns).where(ExposureAsset.set_id == record.id).order_by(ExposureAsset.id)).all()
    cols = list(zip(*rows, strict=True))

    def floats(values: tuple[Any, ...]) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    n_cost = len(STORED_COSTS)
    costs = {c: floats(cols[5 + j]) for j, c in enumerate(STORED_COSTS) if any(v is not None for v in cols[5 + j])}
    occupants = {
        p: floats(cols[5 + n_cost + j])
        for j, p in enumerate(OCCUPANT_PERIODS)
        if any(v is not None for v in cols[5 + n_cost + j])
    }
    return Exposure(
        id=np.array(cols[0], dtype=object),
        lon=floats(cols[1]),
        lat=floats(cols[2]),
        taxonomy=np.array(cols[3], dtype=object),
        number=floats(cols[4]),
        costs=costs,
        occupants=occupants,
        district=np.array([v or "" for v in cols[-2]], dtype=object),
        occupancy=np.array([v or "" for v in cols[-1]], dtype=object),
        currency=record.currency,
        price_year=record.price_year,
        source=f"store: {city_id} exposure ({record.source})",
    )


def current_exposure_set(session: Session, city_id: str) -> ExposureSet | None:
    """The city's current exposure set (None when it has none)."""
    get_city(session, city_id)
    version = current_version(session, city_id, "exposure")
    if version is None:
        return None
    return session.scalars(select(ExposureSet).where(ExposureSet.version_id == version.id)).one()


def exposure_summary(session: Session, city_id: str) -> dict[str, Any] | None:
    """Totals and provenance of the city's exposure (None when it has none), for display and checks."""
    record = current_exposure_set(session, city_id)
    if record is None:
        return None
    cost_total = record.cost_structural + record.cost_nonstructural + record.cost_contents
    money_key = "replacement_cost_usd" if record.currency == "USD" else f"replacement_cost_{record.currency.lower()}"
    version = session.get_one(DataVersionModel, record.version_id)
    return {
        "version": version.version,
        "origin": version.origin,
        "assets": record.n_assets,
        "buildings": record.buildings,
        money_key: round(cost_total, 2),
        "structural": record.cost_structural,
        "nonstructural": record.cost_nonstructural,
        "contents": record.cost_contents,
        "currency": record.currency,
        "price_year": record.price_year,
        "occupants_day": record.occupants_day,
        "occupants_night": record.occupants_night,
        "occupants_transit": record.occupants_transit,
        "source": record.source,
        "licence": record.licence,
        "citation": record.citation,
        "method": record.method,
        "loaded_at": record.loaded_at.isoformat(),
    }


def facilities_digest(table: FacilityTable) -> str:
    """SHA-256 of a registry's content, so that loading the same shipped registry twice adds no version."""
    return sha256_json([[getattr(f, name) for name in Facility.__slots__] for f in table])


def save_facilities(
    session: Session,
    city_id: str,
    table: FacilityTable,
    *,
    origin: str | None = None,
    replace: bool = False,
    imported_from: str | None = None,
) -> int:
    """Store ``table`` as a new current version of the city's facility registry (the previous one is kept);
    returns the count. ``origin`` defaults to ``illustrative`` for an all-illustrative table, else ``city``.
    An empty registry is refused: it would replace the city's facilities with nothing."""
    get_city(session, city_id)
    facilities = list(table)
    if not facilities:
        raise InputError(f"{table.origin}: no facilities (only a header?); nothing was stored.", code="input.empty")
    if origin is None:
        origin = "illustrative" if all(f.illustrative for f in facilities) else "city"
    change = new_version(
        session, city_id, "facilities", origin=origin, source=table.origin, rows=len(facilities), replace=replace,
        imported_from=imported_from, digest=facilities_digest(table),
    )  # fmt: skip
    rows = []
    for f in facilities:
        rows.append(
            {
                "city_id": city_id,
                "version_id": change.current.id,
                "facility_id": f.id,
                "name": f.name,
                "type": f.type,
                "lon": f.lon,
                "lat": f.lat,
                "capacity": f.capacity,
                "capacity_unit": f.capacity_unit,
                "construction_class": f.construction_class,
                "year_built": f.year_built,
                "condition": f.condition,
                "last_inspection": f.last_inspection,
                "backup_power": f.backup_power,
                "backup_water": f.backup_water,
                "responsible_agency": f.responsible_agency,
                "replacement_cost_usd": f.replacement_cost_usd,
                "price_year": f.price_year,
                "occupants_day": f.occupants_day,
                "occupants_night": f.occupants_night,
                "illustrative": f.illustrative,
                "source": f.source or table.origin,
            }
        )
    session.execute(insert(FacilityRecord), rows)
    return len(rows)


def current_facility_version_id(session: Session, city_id: str) -> int:
    """The id of the city's current facility-registry version (-1 when it has none: matches no row)."""
    version = current_version(session, city_id, "facilities")
    return -1 if version is None else version.id


def facility_summary(session: Session, city_id: str) -> dict[str, Any]:
    """Count by type, how many are illustrative, and the worst-condition facilities, for display."""
    get_city(session, city_id)
    vid = current_facility_version_id(session, city_id)
    by_type = dict(
        session.execute(
            select(FacilityRecord.type, func.count())
            .where(FacilityRecord.version_id == vid)
            .group_by(FacilityRecord.type)
            .order_by(FacilityRecord.type)
        ).all()
    )
    illustrative = session.scalar(
        select(func.count()).where(FacilityRecord.version_id == vid, FacilityRecord.illustrative.is_(True))
    )
    poor = session.scalars(
        select(FacilityRecord.facility_id)
        .where(FacilityRecord.version_id == vid, FacilityRecord.condition <= 2)
        .order_by(FacilityRecord.facility_id)
    ).all()
    inspected = session.scalar(select(func.min(FacilityRecord.last_inspection)).where(FacilityRecord.version_id == vid))
    total = sum(by_type.values())
    version = current_version(session, city_id, "facilities")
    return {
        "version": None if version is None else version.version,
        "origin": None if version is None else version.origin,
        "count": total,
        "by_type": by_type,
        "illustrative": int(illustrative or 0),
        "all_illustrative": total > 0 and illustrative == total,
        "poor_condition": list(poor),
        "oldest_inspection": inspected.isoformat() if isinstance(inspected, date) else None,
    }


def load_facilities(session: Session, city_id: str) -> FacilityTable:
    """The city's stored facility registry as a :class:`FacilityTable` (ordered by facility id; may be empty)."""
    get_city(session, city_id)
    vid = current_facility_version_id(session, city_id)
    records = session.scalars(
        select(FacilityRecord).where(FacilityRecord.version_id == vid).order_by(FacilityRecord.facility_id)
    ).all()
    facilities = [
        Facility(
            id=r.facility_id, name=r.name, type=r.type, lon=r.lon, lat=r.lat,
            construction_class=r.construction_class, replacement_cost_usd=r.replacement_cost_usd,
            price_year=r.price_year, occupants_day=r.occupants_day, occupants_night=r.occupants_night,
            backup_power=r.backup_power, backup_water=r.backup_water, capacity=r.capacity,
            capacity_unit=r.capacity_unit, year_built=r.year_built, condition=r.condition,
            last_inspection=r.last_inspection, responsible_agency=r.responsible_agency,
            illustrative=r.illustrative, source=r.source,
        )
        for r in records
    ]  # fmt: skip
    return FacilityTable.from_facilities(facilities, origin=f"store: {city_id} facilities")


def save_districts(
    session: Session,
    city_id: str,
    rows: list[dict[str, Any]],
    *,
    origin: str,
    source: str,
    replace: bool = False,
    imported_from: str | None = None,
    licence: str | None = None,
) -> int:
    """Store district rows (code, name, name_ru, geojson, source, licence) as a new current version of the
    city's districts (the previous one is kept); returns how many."""
    change = new_version(
        session, city_id, "districts", origin=origin, source=source, rows=len(rows), replace=replace,
        imported_from=imported_from, licence=licence, digest=sha256_json(rows),
    )  # fmt: skip
    session.execute(insert(District), [{**r, "city_id": city_id, "version_id": change.current.id} for r in rows])
    return len(rows)


def save_mapping(
    session: Session,
    city_id: str,
    mapping: Mapping[str, tuple[tuple[str, float], ...]],
    *,
    source: str,
    replace: bool = False,
    imported_from: str | None = None,
) -> int:
    """Store the mapping as a new current version of the city's taxonomy mapping (the previous one is kept;
    a city's own mapping is superseded only with ``replace``); returns the number of rows."""
    triples = [(t, fid, w) for t, entries in mapping.items() for fid, w in entries]
    change = new_version(
        session, city_id, "mapping", origin="city", source=source, rows=len(triples), replace=replace,
        imported_from=imported_from, digest=sha256_json(triples),
    )  # fmt: skip
    rows = [
        TaxonomyMappingRow(version_id=change.current.id, position=i, taxonomy=t, conversion=fid, weight=w)
        for i, (t, fid, w) in enumerate(triples)
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def load_mapping(session: Session, city_id: str) -> dict[str, tuple[tuple[str, float], ...]] | None:
    """The city's own current mapping (None when it has none)."""
    version = current_version(session, city_id, "mapping")
    if version is None:
        return None
    rows = session.execute(
        select(TaxonomyMappingRow.taxonomy, TaxonomyMappingRow.conversion, TaxonomyMappingRow.weight)
        .where(TaxonomyMappingRow.version_id == version.id)
        .order_by(TaxonomyMappingRow.position)
    ).all()
    if not rows:
        return None
    out: dict[str, list[tuple[str, float]]] = {}
    for taxonomy, conversion, weight in rows:
        out.setdefault(taxonomy, []).append((conversion, float(weight)))
    return {t: tuple(v) for t, v in out.items()}
