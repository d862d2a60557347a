"""The benchmark case ``hazard.npz`` written by ``climada_bench.py`` (EQ: PGA in g; FL: depth in m)."""

from __future__ import annotations

from pathlib import Path

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError
from kalkan.io.hazard.checks import (
    PathLike,
    as_float64,
    as_int64,
    csr_from_parts,
    npz_array,
    npz_text,
    open_npz,
    plausible,
    quoted_names,
)

# Benchmark case haz_type -> (peril, IMT, unit): the two hazards climada_bench.py generates.
CASE_HAZ_TYPES: dict[str, tuple[str, str, str]] = {
    "EQ": ("earthquake", "PGA", "g"),
    "FL": ("flood", "depth", "m"),
}


_CASE_REQUIRED = (
    "data",
    "indices",
    "indptr",
    "shape",
    "frequency",
    "event_id",
    "centroid_lon",
    "centroid_lat",
    "haz_type",
    "units",
)


def load_case_hazard(path: PathLike) -> HazardSet:
    """Read the ``hazard.npz`` of a ``climada_bench.py`` case (EQ: PGA in g; FL: depth in m).

    The arrays are kept as stored (float64 intensity), so results can be compared with CLIMADA's to 1e-9.
    """
    p = Path(path)
    where = str(p)
    with open_npz(p) as npz:
        missing = [name for name in _CASE_REQUIRED if name not in npz.files]
        if missing:
            raise InputError(
                f"{where}: missing array(s) {quoted_names(missing)} of a benchmark case hazard.npz.",
                code="input.missing",
                field=missing[0],
            )
        haz_type = npz_text(npz, "haz_type", where)
        units = npz_text(npz, "units", where)
        if haz_type not in CASE_HAZ_TYPES:
            known = ", ".join(f"{k} ({v[0]}, {v[1]} in {v[2]})" for k, v in CASE_HAZ_TYPES.items())
            raise InputError(
                f"{where}: haz_type {haz_type!r} is not supported; supported: {known}.",
                code="input.unsupported",
                field="haz_type",
            )
        peril, imt, unit = CASE_HAZ_TYPES[haz_type]
        if units != unit:
            raise InputError(
                f"{where}: units {units!r} do not match haz_type {haz_type} ({imt} in {unit!r}).",
                code="input.inconsistent",
                field="units",
            )
        intensity = csr_from_parts(
            npz_array(npz, "data", where),
            npz_array(npz, "indices", where),
            npz_array(npz, "indptr", where),
            npz_array(npz, "shape", where),
            where,
            "intensity",
            strict_dtype=False,
        )
        return plausible(
            HazardSet(
                peril=peril,
                imt=imt,
                unit=unit,
                site_lon=as_float64(npz_array(npz, "centroid_lon", where), where, "centroid_lon"),
                site_lat=as_float64(npz_array(npz, "centroid_lat", where), where, "centroid_lat"),
                event_id=as_int64(npz_array(npz, "event_id", where), where, "event_id"),
                frequency=as_float64(npz_array(npz, "frequency", where), where, "frequency"),
                intensity=intensity,
                source=where,
                owns_intensity=True,
            )
        )
