"""The Exposure table: columnar (one NumPy array per field), immutable, validated on construction.

Money is in ``currency`` (US dollars by default) of ``price_year`` (GEM's exposure model is 2021 USD);
coordinates WGS84 lon/lat degrees; occupants are people present at each period of the day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.errors import InputError

COST_TYPES = ("structural", "nonstructural", "contents", "total")
"""Replacement cost types, as in OpenQuake exposure models (``business_interruption`` is not modelled).
``total`` is a replacement value not split by component (CLIMADA's ``value``, the plain case format); it
cannot be combined with the component types, which would count the same value twice."""

OCCUPANT_PERIODS = ("day", "night", "transit")
"""Periods of the day for which occupants are given (OpenQuake: day, night, transit)."""

CRITICAL_TYPES = (
    "hospital",
    "clinic",
    "school",
    "kindergarten",
    "university",
    "fire_station",
    "police",
    "emergency_centre",
    "shelter",
    "government",
    "power_plant",
    "substation",
    "water_plant",
    "sewage_plant",
    "pumping_station",
    "bridge",
    "telecom",
    "fuel_depot",
    "dam",
)

Strings = NDArray[np.object_]
Floats = NDArray[np.float64]


def _strings(values: Any, n: int, default: str = "") -> Strings:
    if values is None:
        return np.full(n, default, dtype=object)
    arr = np.asarray(values, dtype=object)
    return np.array(["" if v is None else str(v) for v in arr], dtype=object) if arr.size else arr


@dataclass(frozen=True, slots=True, eq=False)
class Exposure:
    """Assets at risk; every array has one entry per asset (see module docstring for units)."""

    id: Strings
    lon: Floats
    lat: Floats
    taxonomy: Strings
    costs: Mapping[str, Floats]
    number: Floats | None = None
    occupants: Mapping[str, Floats] = field(default_factory=dict)
    district: Strings | None = None
    occupancy: Strings | None = None
    critical_type: Strings | None = None
    site_id: NDArray[np.int64] | None = None
    extra: Mapping[str, NDArray[Any]] = field(default_factory=dict)
    currency: str = "USD"
    price_year: int | None = None
    source: str = field(default="<memory>", compare=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha()):
            raise InputError(
                f"{self.source}: currency {self.currency!r}; expected an ISO 4217 code such as USD.",
                code="input.type",
                field="currency",
            )
        if self.price_year is not None and not 1800 <= int(self.price_year) <= 2200:
            raise InputError(
                f"{self.source}: price year {self.price_year}; expected a year such as 2021.",
                code="input.range",
                field="price_year",
            )
        self.validate()

    def __len__(self) -> int:
        return int(self.id.shape[0])

    @property
    def n_assets(self) -> int:
        return len(self)

    def validate(self) -> None:
        """Check lengths, coordinates, ids and non-negative values; errors name source, field and asset."""
        where = self.source
        ids = _strings(self.id, 0)
        n = ids.shape[0]
        object.__setattr__(self, "id", ids)
        for name in ("lon", "lat"):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))
        object.__setattr__(self, "taxonomy", _strings(self.taxonomy, n))
        object.__setattr__(
            self, "number", np.ones(n) if self.number is None else np.asarray(self.number, dtype=np.float64)
        )
        for name in ("district", "occupancy", "critical_type"):
            object.__setattr__(self, name, _strings(getattr(self, name), n))
        costs = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in self.costs.items()}
        occupants = {k: np.ascontiguousarray(v, dtype=np.float64) for k, v in self.occupants.items()}
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "occupants", occupants)
        if not costs:
            raise InputError(
                f"{where}: no replacement cost column; expected at least one of {', '.join(COST_TYPES)}.",
                code="input.missing",
                field="cost_structural",
            )
        unknown = [k for k in costs if k not in COST_TYPES]
        if unknown:
            raise InputError(
                f"{where}: unknown cost type(s) {unknown}; expected {', '.join(COST_TYPES)}.",
                code="input.unknown",
                field=f"cost_{unknown[0]}",
            )
        if "total" in costs and len(costs) > 1:
            raise InputError(
                f"{where}: a 'total' replacement value cannot be combined with {sorted(set(costs) - {'total'})}.",
                code="input.inconsistent",
                field="cost_total",
            )
        unknown = [k for k in occupants if k not in OCCUPANT_PERIODS]
        if unknown:
            raise InputError(
                f"{where}: unknown occupancy period(s) {unknown}; expected {', '.join(OCCUPANT_PERIODS)}.",
                code="input.unknown",
                field=f"occupants_{unknown[0]}",
            )
        columns: dict[str, NDArray[Any]] = {
            "lon": self.lon,
            "lat": self.lat,
            "taxonomy": self.taxonomy,
            "number": self.number,  # type: ignore[dict-item]
            "district": self.district,  # type: ignore[dict-item]
            "occupancy": self.occupancy,  # type: ignore[dict-item]
            "critical_type": self.critical_type,  # type: ignore[dict-item]
            **{f"cost_{k}": v for k, v in costs.items()},
            **{f"occupants_{k}": v for k, v in occupants.items()},
        }
        clash = sorted(set(self.extra) & (set(columns) | {"id", "site_id", "currency", "price_year"}))
        if clash:
            raise InputError(
                f"{where}: extra field(s) {clash} have the names of core fields; rename them.",
                code="input.duplicate",
                field=clash[0],
            )
        columns.update({f"extra:{k}": v for k, v in self.extra.items()})
        if self.site_id is not None:
            raw = np.asarray(self.site_id)
            if raw.dtype.kind == "f" and not np.all(np.isfinite(raw) & (raw == np.round(raw))):
                k = int(np.flatnonzero(~(np.isfinite(raw) & (raw == np.round(raw))))[0])
                raise InputError(
                    f"{where}: asset #{k + 1}, field 'site_id' is {raw[k]}; expected a whole number.",
                    code="input.type",
                    field="site_id",
                    row=k + 1,
                )
            site = np.ascontiguousarray(raw, dtype=np.int64)
            if site.size and site.min() < -1:
                k = int(np.flatnonzero(site < -1)[0])
                raise InputError(
                    f"{where}: asset #{k + 1}, field 'site_id' is {int(site[k])}; expected >= 0 (or -1).",
                    code="input.range",
                    field="site_id",
                    row=k + 1,
                )
            object.__setattr__(self, "site_id", site)
            columns["site_id"] = site
        for name, arr in columns.items():
            if np.shape(arr) != (n,):
                raise InputError(
                    f"{where}: column '{name}' has {np.shape(arr)} values for {n} assets.",
                    code="input.inconsistent",
                    field=name,
                )
        if n and len(set(ids.tolist())) != n:  # a set is ~10x faster than sorting a million strings
            uniq, counts = np.unique(ids, return_counts=True)
            if (counts > 1).any():
                dup = uniq[counts > 1][0]
                raise InputError(
                    f"{where}: asset id {dup!r} appears {int(counts[counts > 1][0])} times; ids must be unique.",
                    code="input.duplicate",
                    field="id",
                )
        if n:
            empty = np.flatnonzero(ids == "")
            if empty.size:
                raise InputError(
                    f"{where}: asset #{int(empty[0]) + 1} has an empty id.",
                    code="input.missing",
                    field="id",
                    row=int(empty[0]) + 1,
                )
        bad = ~(np.abs(self.lon) <= 180) | ~(np.abs(self.lat) <= 90)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{where}: asset {ids[k]!r} has lon/lat ({self.lon[k]}, {self.lat[k]}); expected WGS84 degrees "
                "within [-180, 180] x [-90, 90]. Is the file in another coordinate reference system?",
                code="input.range",
                field="lon" if not abs(self.lon[k]) <= 180 else "lat",
                row=k + 1,
            )
        numeric: dict[str, NDArray[np.float64]] = {"number": np.asarray(self.number, dtype=np.float64)}
        numeric.update({f"cost_{k}": v for k, v in costs.items()})
        numeric.update({f"occupants_{k}": v for k, v in occupants.items()})
        for name, arr in numeric.items():
            bad = ~np.isfinite(arr) | (arr < 0)
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{where}: asset {ids[k]!r}, field '{name}' is {float(arr[k])}; expected a finite value >= 0.",
                    code="input.range",
                    field=name,
                    row=k + 1,
                )

    def total_cost(self) -> Floats:
        """Sum of all cost types per asset, in ``currency`` of ``price_year``."""
        total: Floats = np.sum(np.vstack(list(self.costs.values())), axis=0)
        return total

    def take(self, index: NDArray[np.int64]) -> Exposure:
        """A new Exposure with the assets at ``index`` (in that order)."""

        def pick(arr: NDArray[Any] | None) -> NDArray[Any] | None:
            return None if arr is None else arr[index]

        return Exposure(
            id=self.id[index],
            lon=self.lon[index],
            lat=self.lat[index],
            taxonomy=self.taxonomy[index],
            costs={k: v[index] for k, v in self.costs.items()},
            number=pick(self.number),
            occupants={k: v[index] for k, v in self.occupants.items()},
            district=pick(self.district),
            occupancy=pick(self.occupancy),
            critical_type=pick(self.critical_type),
            site_id=pick(self.site_id),
            extra={k: v[index] for k, v in self.extra.items()},
            currency=self.currency,
            price_year=self.price_year,
            source=self.source,
        )
