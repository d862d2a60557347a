"""HazardSet: a set of events (each with an annual frequency) and their intensity at a set of sites.

Intensity is a CSR matrix, events x sites, float32 by default (half the memory) or float64 when the
input is float64 (as CLIMADA's hazards are, and as 1e-9 agreement with CLIMADA needs). A zero entry means
"no intensity" (the event does not reach the site). Scenario runs are a HazardSet with one event per
realisation and frequency 1/N. Coordinates are WGS84 lon/lat degrees; frequencies are events per year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kalkan.errors import InputError

PERILS: dict[str, str] = {
    "earthquake": "Earthquake ground shaking",
    "flood": "Flood (any)",
    "riverine_flood": "River flood",
    "snowmelt_flood": "Snowmelt flood",
    "flash_flood": "Flash flood",
    "mudflow": "Mudflow / debris flow",
    "landslide": "Landslide",
    "heat": "Heat",
    "cold": "Cold",
    "drought": "Drought",
    "wind": "Wind",
}

# Intensity-measure families and the units Kalkan accepts for each. "SA(0.3)" belongs to family "SA".
IMT_UNITS: dict[str, tuple[str, ...]] = {
    "PGA": ("g",),
    "SA": ("g",),
    "PGV": ("cm/s",),
    "PGD": ("cm",),
    "MMI": ("MMI",),
    "depth": ("m",),
    "flow_depth": ("m",),
    "velocity": ("m/s",),
    "momentum_flux": ("m3/s2",),
    "displacement": ("m",),
    "heat_days": ("days",),
    "cold_days": ("days",),
    "heat_index": ("degC",),
    "temperature": ("degC",),
    "spei": ("1",),
    "wind_speed": ("m/s",),
}

_SA = re.compile(r"^SA\((\d+(\.\d+)?)\)$")


def imt_family(imt: str) -> str:
    """The family of an intensity measure type: ``SA(0.3)`` -> ``SA``; other names are their own family."""
    return "SA" if _SA.match(imt) else imt


def check_imt_unit(imt: str, unit: str, where: str) -> None:
    """Raise :class:`InputError` unless ``unit`` is a unit Kalkan knows for ``imt``."""
    family = imt_family(imt)
    if family not in IMT_UNITS or imt == "SA":
        known = ", ".join(sorted([*(k for k in IMT_UNITS if k != "SA"), "SA(T) with the period T in s"]))
        raise InputError(
            f"{where}: unknown intensity measure {imt!r}; expected one of {known}.", code="input.unknown", field="imt"
        )
    if unit not in IMT_UNITS[family]:
        raise InputError(
            f"{where}: unit {unit!r} is not a unit of {imt}; expected {' or '.join(IMT_UNITS[family])}.",
            code="input.inconsistent",
            field="unit",
        )


def _as_csr(matrix: Any, where: str, *, copy: bool = True) -> sparse.csr_matrix:
    if not sparse.issparse(matrix):
        raise InputError(
            f"{where}: intensity must be a scipy sparse matrix (events x sites).", code="input.type", field="intensity"
        )
    # A copy: the HazardSet must not share arrays the caller can still change (or be reordered here). Readers
    # that built the matrix themselves hand it over instead (``owns_intensity``), which halves peak memory.
    csr = sparse.csr_matrix(matrix, copy=copy)
    if csr.dtype not in (np.float32, np.float64):
        csr = csr.astype(np.float32)
    csr.sort_indices()
    # has_canonical_format: sorted and no duplicates, checked in C without allocating.
    if csr.nnz and not csr.has_canonical_format:
        row = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        dup = (np.diff(row) == 0) & (np.diff(csr.indices) == 0)
        if dup.any():
            k = int(np.flatnonzero(dup)[0])
            raise InputError(
                f"{where}: event row {int(row[k])}, site {int(csr.indices[k])} is stored twice in the intensity "
                "matrix; "
                "each (event, site) may have one value.",
                code="input.duplicate",
                field="intensity",
                row=int(row[k]),
            )
    return csr


@dataclass(frozen=True, slots=True, eq=False)
class HazardSet:
    """Events x sites intensities of one peril and one intensity measure (see module docstring)."""

    peril: str
    imt: str
    unit: str
    site_lon: NDArray[np.float64]
    site_lat: NDArray[np.float64]
    event_id: NDArray[np.int64]
    frequency: NDArray[np.float64]
    intensity: sparse.csr_matrix
    site_vs30: NDArray[np.float64] | None = None
    event_name: NDArray[np.str_] | None = None
    event_year: NDArray[np.int64] | None = None
    realisation: NDArray[np.int64] | None = None
    source: str = field(default="<memory>", compare=False)
    owns_intensity: bool = field(default=False, repr=False, compare=False)
    """True when the caller hands over a matrix nobody else holds (file readers): it is then not copied."""

    def __post_init__(self) -> None:
        self.validate()

    @property
    def n_events(self) -> int:
        return int(self.intensity.shape[0])

    @property
    def n_sites(self) -> int:
        return int(self.intensity.shape[1])

    @property
    def nnz(self) -> int:
        """Number of stored (event, site) intensities."""
        return int(self.intensity.nnz)

    @property
    def data_dtype(self) -> np.dtype[Any]:
        dtype: np.dtype[Any] = np.dtype(self.intensity.dtype)
        return dtype

    def validate(self) -> None:
        """Check shapes, units and values; every error names the source and the offending field."""
        where = self.source
        if self.peril not in PERILS:
            raise InputError(
                f"{where}: unknown peril {self.peril!r}; expected one of {', '.join(PERILS)}.",
                code="input.unknown",
                field="peril",
            )
        check_imt_unit(self.imt, self.unit, where)
        object.__setattr__(self, "intensity", _as_csr(self.intensity, where, copy=not self.owns_intensity))
        for name in ("site_lon", "site_lat", "frequency"):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))
        object.__setattr__(self, "event_id", _integers(self.event_id, where, "event_id"))
        for name in ("event_year", "realisation"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _integers(getattr(self, name), where, name))
        if self.site_vs30 is not None:
            object.__setattr__(self, "site_vs30", np.ascontiguousarray(self.site_vs30, dtype=np.float64))
        n_e, n_s = self.intensity.shape
        if n_e == 0:
            raise InputError(
                f"{where}: the event set is empty (0 events); a hazard needs at least one event.", code="input.empty"
            )
        if n_s == 0:
            raise InputError(f"{where}: the hazard has no sites.", code="input.empty")
        for name, expected in (
            ("site_lon", n_s),
            ("site_lat", n_s),
            ("event_id", n_e),
            ("frequency", n_e),
        ):
            size = getattr(self, name).shape
            if size != (expected,):
                raise InputError(
                    f"{where}: '{name}' has shape {size}; expected ({expected},) to match intensity.",
                    code="input.inconsistent",
                    field=name,
                )
        for name, arr, expected in (
            ("site_vs30", self.site_vs30, n_s),
            ("event_name", self.event_name, n_e),
            ("event_year", self.event_year, n_e),
            ("realisation", self.realisation, n_e),
        ):
            if arr is not None and np.shape(arr) != (expected,):
                raise InputError(
                    f"{where}: '{name}' has shape {np.shape(arr)}; expected ({expected},).",
                    code="input.inconsistent",
                    field=name,
                )
        if not (np.all(np.abs(self.site_lon) <= 180) and np.all(np.abs(self.site_lat) <= 90)):
            bad = int(np.flatnonzero((np.abs(self.site_lon) > 180) | (np.abs(self.site_lat) > 90))[0])
            raise InputError(
                f"{where}: site {bad} has lon/lat outside [-180, 180] x [-90, 90] (or NaN).",
                code="input.outside",
                field="site_lon",
            )
        _check_finite_nonneg(self.frequency, where, "frequency", "events per year")
        data = self.intensity.data
        if data.size:
            _check_finite_nonneg(data, where, "intensity", self.unit, matrix=self.intensity)
        if np.unique(self.event_id).size != n_e:
            raise InputError(
                f"{where}: 'event_id' has duplicated ids; each event needs its own id.",
                code="input.duplicate",
                field="event_id",
            )
        if self.site_vs30 is not None and not np.all(np.asarray(self.site_vs30) > 0):
            raise InputError(
                f"{where}: 'site_vs30' must be positive (m/s) at every site.", code="input.range", field="site_vs30"
            )

    def events(self, start: int, stop: int) -> HazardSet:
        """The events ``start:stop`` as a HazardSet sharing the site arrays (a block of a stream)."""

        def cut(arr: NDArray[Any] | None) -> NDArray[Any] | None:
            return None if arr is None else arr[start:stop]

        return HazardSet(
            peril=self.peril,
            imt=self.imt,
            unit=self.unit,
            site_lon=self.site_lon,
            site_lat=self.site_lat,
            site_vs30=self.site_vs30,
            event_id=self.event_id[start:stop],
            frequency=self.frequency[start:stop],
            intensity=self.intensity[start:stop],
            event_name=cut(self.event_name),
            event_year=cut(self.event_year),
            realisation=cut(self.realisation),
            source=f"{self.source}[events {start}:{stop}]",
        )


def _integers(values: Any, where: str, name: str) -> NDArray[np.int64]:
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{where}: '{name}' at position {k} is {float(arr[k])}; expected a whole number.",
                code="input.type",
                field=name,
                row=k,
            )
    elif arr.dtype.kind not in "iu":
        raise InputError(f"{where}: '{name}' must hold whole numbers, not {arr.dtype}.", code="input.type", field=name)
    return np.ascontiguousarray(arr, dtype=np.int64)


def _check_finite_nonneg(
    values: NDArray[Any], where: str, name: str, unit: str, *, matrix: sparse.csr_matrix | None = None
) -> None:
    bad = ~np.isfinite(values) | (values < 0)
    if not bad.any():
        return
    k = int(np.flatnonzero(bad)[0])
    row = k
    if matrix is not None:
        row = int(np.searchsorted(matrix.indptr, k, side="right") - 1)
        pos = f"event row {row}, site {int(matrix.indices[k])}"
    else:
        pos = f"position {k}"
    raise InputError(
        f"{where}: '{name}' at {pos} is {float(values[k])}; expected a finite, non-negative value in {unit} "
        f"({int(bad.sum())} such value(s) in all).",
        code="input.range",
        field=name,
        row=row,
    )
