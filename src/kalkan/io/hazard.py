"""Read and write hazard event sets: Kalkan's own NPZ format, the benchmark case NPZ and CLIMADA HDF5.

Kalkan hazard NPZ (``format: kalkan-hazard``, version 1), written by :func:`save_hazard`: a NumPy ``.npz``
archive (a ZIP of ``.npy`` arrays, readable with ``numpy.load(path, allow_pickle=False)``) holding

=============== ================== ============ ===============================================
array           dtype              shape        meaning
=============== ================== ============ ===============================================
``data``        float32 or float64 (nnz,)       intensity values, in ``unit`` (kept as written)
``indices``     int32 or int64     (nnz,)       site (column) index of each value
``indptr``      int32 or int64     (events+1,)  CSR row pointer: event e is data[indptr[e]:indptr[e+1]]
``shape``       int64              (2,)         (events, sites)
``site_lon``    float64            (sites,)     WGS84 longitude, degrees
``site_lat``    float64            (sites,)     WGS84 latitude, degrees
``event_id``    int64              (events,)    unique event ids
``frequency``   float64            (events,)    annual frequency, events per year
``metadata``    unicode, 0-d       ()           JSON, see below
``site_vs30``   float64            (sites,)     optional: Vs30, m/s
``event_name``  unicode ``<U{n}``  (events,)    optional: fixed-width text, never Python objects
``event_year``  int64              (events,)    optional: calendar year of each event
``realisation`` int64              (events,)    optional: realisation (scenario) index
=============== ================== ============ ===============================================

``metadata`` is a JSON object: ``format`` ("kalkan-hazard"), ``format_version`` (1), ``peril``, ``imt``,
``unit``, ``frequency_unit`` ("1/year"), ``crs`` ("EPSG:4326"), ``source`` (where the hazard came from)
and ``created`` (``utc`` ISO 8601 time, ``kalkan_version``). Readers ignore arrays they do not know; a
change of meaning gets a new version. Files are written to a temporary file in the target directory and
renamed over the target, so a failed save leaves no file (and an existing file untouched).

Benchmark case NPZ (``load_case_hazard``): the ``hazard.npz`` written by ``climada_bench.py``.

CLIMADA HDF5 (``load_climada_hazard``): what ``climada.hazard.Hazard.write_hdf5`` writes (CLIMADA 6.1,
and the h5py centroid layout of CLIMADA 4 and earlier). The layout was learnt by reading CLIMADA's source
and files written by CLIMADA 6.1.0; no CLIMADA code is used or needed. ``docs/hazard-format.md`` has the
full description.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import re
import secrets
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

import kalkan
from kalkan.core.bounds import EVENT_FREQUENCY_MAX, INTENSITY_MAX_BY_UNIT
from kalkan.core.hazard.hazardset import PERILS, HazardSet, check_imt_unit
from kalkan.errors import InputError

__all__ = [
    "CASE_HAZ_TYPES",
    "CLIMADA_HAZ_TYPES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "hazard_provenance",
    "load_case_hazard",
    "load_climada_hazard",
    "load_hazard",
    "read_hazard_metadata",
    "save_hazard",
]

FORMAT_NAME = "kalkan-hazard"
FORMAT_VERSION = 1

PathLike = str | os.PathLike[str]

_REQUIRED = ("data", "indices", "indptr", "shape", "site_lon", "site_lat", "event_id", "frequency", "metadata")

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

# CLIMADA haz_type -> default (peril, IMT); the file's unit must be a unit of that IMT (or of the caller's).
CLIMADA_HAZ_TYPES: dict[str, tuple[str, str]] = {
    "EQ": ("earthquake", "PGA"),
    "FL": ("flood", "depth"),
    "RF": ("riverine_flood", "depth"),
    "TC": ("wind", "wind_speed"),
}

# CLIMADA frequency units -> factor to events per year. Units of days or hours are refused: converting them
# needs a year length that the file does not state.
_FREQUENCY_PER_YEAR: dict[str, float] = {
    "1/year": 1.0,
    "1/yr": 1.0,
    "1/y": 1.0,
    "1/a": 1.0,
    "annual": 1.0,
    "per year": 1.0,
    "1/month": 12.0,
    "1/decade": 0.1,
    "1/century": 0.01,
}

_EPOCH_ORDINAL = 719163  # datetime.date(1970, 1, 1).toordinal()
_MAX_ORDINAL = 3652059  # datetime.date.max.toordinal()


# --------------------------------------------------------------------------------------------------------------
# Kalkan NPZ
# --------------------------------------------------------------------------------------------------------------


def save_hazard(hazard: HazardSet, path: PathLike, *, compress: bool = False) -> Path:
    """Write ``hazard`` to ``path`` in Kalkan's hazard NPZ format; return the path.

    The file appears complete or not at all: it is written to a temporary file in the same directory,
    synced and renamed over ``path``. ``compress=True`` deflates the arrays (smaller, slower to read).
    """
    target = Path(path)
    arrays = _hazard_arrays(hazard)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise InputError(f"{target}: cannot create a file in {target.parent} ({exc.strerror or exc}).") from exc
    done = False
    try:
        with os.fdopen(fd, "wb") as fh:
            if compress:
                np.savez_compressed(fh, allow_pickle=False, **arrays)
            else:
                np.savez(fh, allow_pickle=False, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        done = True
    except OSError as exc:
        raise InputError(f"{target}: cannot write the hazard file ({exc.strerror or exc}).") from exc
    finally:
        if not done:
            with contextlib.suppress(OSError):
                tmp.unlink()
    _sync_directory(target.parent)
    return target


def load_hazard(path: PathLike) -> HazardSet:
    """Read a Kalkan hazard NPZ written by :func:`save_hazard`, keeping the intensity dtype.

    Every error names the file and the array; the HazardSet's validation names the file too.
    """
    p = Path(path)
    where = str(p)
    with _open_npz(p) as npz:
        meta = _kalkan_metadata(npz, where)
        missing = [name for name in _REQUIRED if name not in npz.files]
        if missing:
            raise InputError(f"{where}: missing array(s) {_names(missing)} of the {FORMAT_NAME} format.")
        intensity = _csr_from_parts(
            _npz_array(npz, "data", where),
            _npz_array(npz, "indices", where),
            _npz_array(npz, "indptr", where),
            _npz_array(npz, "shape", where),
            where,
            "intensity",
            strict_dtype=True,
        )
        optional: dict[str, Any] = {}
        for name in ("site_vs30", "event_year", "realisation"):
            if name in npz.files:
                arr = _npz_array(npz, name, where)
                optional[name] = _as_float64(arr, where, name) if name == "site_vs30" else _as_int64(arr, where, name)
        if "event_name" in npz.files:
            names = _npz_array(npz, "event_name", where)
            if names.dtype.kind != "U":
                raise InputError(f"{where}: 'event_name' has dtype {names.dtype}; expected fixed-width unicode.")
            optional["event_name"] = names
        return _plausible(
            HazardSet(
                peril=meta["peril"],
                imt=meta["imt"],
                unit=meta["unit"],
                site_lon=_as_float64(_npz_array(npz, "site_lon", where), where, "site_lon"),
                site_lat=_as_float64(_npz_array(npz, "site_lat", where), where, "site_lat"),
                event_id=_as_int64(_npz_array(npz, "event_id", where), where, "event_id"),
                frequency=_as_float64(_npz_array(npz, "frequency", where), where, "frequency"),
                intensity=intensity,
                source=where,
                owns_intensity=True,
                **optional,
            )
        )


def read_hazard_metadata(path: PathLike) -> dict[str, Any]:
    """The JSON metadata of a Kalkan hazard NPZ (format, peril, IMT, unit, source, creation), checked."""
    p = Path(path)
    with _open_npz(p) as npz:
        return _kalkan_metadata(npz, str(p))


def hazard_provenance(path: PathLike) -> str | None:
    """Where a hazard file's data came from (its metadata ``source``: e.g. the maps it was converted from, or an
    ILLUSTRATIVE label), or None for files that do not record it (CLIMADA, case files, unreadable metadata)."""
    p = Path(path)
    if p.suffix.lower() != ".npz":
        return None
    try:
        source = read_hazard_metadata(p).get("source")
    except InputError:
        return None
    return str(source) if source and str(source) != str(p) else None


def _hazard_arrays(hazard: HazardSet) -> dict[str, NDArray[Any]]:
    where = hazard.source
    matrix = hazard.intensity
    arrays: dict[str, NDArray[Any]] = {
        "data": np.ascontiguousarray(matrix.data),
        "indices": np.ascontiguousarray(matrix.indices),
        "indptr": np.ascontiguousarray(matrix.indptr),
        "shape": np.asarray(matrix.shape, dtype=np.int64),
        "site_lon": np.ascontiguousarray(hazard.site_lon, dtype=np.float64),
        "site_lat": np.ascontiguousarray(hazard.site_lat, dtype=np.float64),
        "event_id": np.ascontiguousarray(hazard.event_id, dtype=np.int64),
        "frequency": np.ascontiguousarray(hazard.frequency, dtype=np.float64),
    }
    if hazard.site_vs30 is not None:
        arrays["site_vs30"] = _as_float64(np.asarray(hazard.site_vs30), where, "site_vs30")
    if hazard.event_year is not None:
        arrays["event_year"] = _as_int64(np.asarray(hazard.event_year), where, "event_year")
    if hazard.realisation is not None:
        arrays["realisation"] = _as_int64(np.asarray(hazard.realisation), where, "realisation")
    if hazard.event_name is not None:
        arrays["event_name"] = _fixed_width_text(hazard.event_name, where)
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "peril": hazard.peril,
        "imt": hazard.imt,
        "unit": hazard.unit,
        "frequency_unit": "1/year",
        "crs": "EPSG:4326",
        "source": hazard.source,
        "created": {
            "utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "kalkan_version": kalkan.__version__,
        },
    }
    arrays["metadata"] = np.array(json.dumps(metadata, allow_nan=False, ensure_ascii=False))
    return arrays


def _fixed_width_text(values: Any, where: str) -> NDArray[np.str_]:
    arr = np.asarray(values)
    if arr.dtype.kind == "U":
        return np.ascontiguousarray(arr)
    if arr.dtype.kind == "O" and all(isinstance(v, str) for v in arr.ravel()):
        return np.asarray(arr.tolist(), dtype=np.str_).reshape(arr.shape)
    raise InputError(f"{where}: 'event_name' must hold text; found dtype {arr.dtype}.")


def _kalkan_metadata(npz: np.lib.npyio.NpzFile, where: str) -> dict[str, Any]:
    if "metadata" not in npz.files:
        raise InputError(f"{where}: no 'metadata' array: not a {FORMAT_NAME} file (save it with save_hazard).")
    raw = _npz_array(npz, "metadata", where)
    if raw.dtype.kind != "U" or raw.shape != ():
        raise InputError(
            f"{where}: 'metadata' must be a 0-d unicode array holding JSON; found {raw.dtype} {raw.shape}."
        )
    try:
        meta = json.loads(str(raw[()]))
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: 'metadata' is not valid JSON ({exc.msg} at character {exc.pos}).") from exc
    if not isinstance(meta, dict):
        raise InputError(f"{where}: 'metadata' must be a JSON object.")
    if meta.get("format") != FORMAT_NAME:
        raise InputError(f"{where}: metadata 'format' is {meta.get('format')!r}; expected {FORMAT_NAME!r}.")
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(f"{where}: metadata 'format_version' is {version!r}; expected a positive integer.")
    if version > FORMAT_VERSION:
        raise InputError(
            f"{where}: written in {FORMAT_NAME} version {version}; this Kalkan reads up to version {FORMAT_VERSION}.",
            hint="upgrade Kalkan to read this file.",
        )
    for key in ("peril", "imt", "unit"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise InputError(f"{where}: metadata '{key}' must be a non-empty text; found {meta.get(key)!r}.")
    for key, expected in (("frequency_unit", "1/year"), ("crs", "EPSG:4326")):
        if key in meta and meta[key] != expected:
            raise InputError(f"{where}: metadata '{key}' is {meta[key]!r}; this format version requires {expected!r}.")
    return meta


# --------------------------------------------------------------------------------------------------------------
# Benchmark case NPZ
# --------------------------------------------------------------------------------------------------------------


def load_case_hazard(path: PathLike) -> HazardSet:
    """Read the ``hazard.npz`` of a ``climada_bench.py`` case (EQ: PGA in g; FL: depth in m).

    The arrays are kept as stored (float64 intensity), so results can be compared with CLIMADA's to 1e-9.
    """
    p = Path(path)
    where = str(p)
    with _open_npz(p) as npz:
        missing = [name for name in _CASE_REQUIRED if name not in npz.files]
        if missing:
            raise InputError(f"{where}: missing array(s) {_names(missing)} of a benchmark case hazard.npz.")
        haz_type = _npz_text(npz, "haz_type", where)
        units = _npz_text(npz, "units", where)
        if haz_type not in CASE_HAZ_TYPES:
            known = ", ".join(f"{k} ({v[0]}, {v[1]} in {v[2]})" for k, v in CASE_HAZ_TYPES.items())
            raise InputError(f"{where}: haz_type {haz_type!r} is not supported; supported: {known}.")
        peril, imt, unit = CASE_HAZ_TYPES[haz_type]
        if units != unit:
            raise InputError(f"{where}: units {units!r} do not match haz_type {haz_type} ({imt} in {unit!r}).")
        intensity = _csr_from_parts(
            _npz_array(npz, "data", where),
            _npz_array(npz, "indices", where),
            _npz_array(npz, "indptr", where),
            _npz_array(npz, "shape", where),
            where,
            "intensity",
            strict_dtype=False,
        )
        return _plausible(
            HazardSet(
                peril=peril,
                imt=imt,
                unit=unit,
                site_lon=_as_float64(_npz_array(npz, "centroid_lon", where), where, "centroid_lon"),
                site_lat=_as_float64(_npz_array(npz, "centroid_lat", where), where, "centroid_lat"),
                event_id=_as_int64(_npz_array(npz, "event_id", where), where, "event_id"),
                frequency=_as_float64(_npz_array(npz, "frequency", where), where, "frequency"),
                intensity=intensity,
                source=where,
                owns_intensity=True,
            )
        )


# --------------------------------------------------------------------------------------------------------------
# CLIMADA HDF5
# --------------------------------------------------------------------------------------------------------------


def load_climada_hazard(
    path: PathLike, *, peril: str | None = None, imt: str | None = None, unit: str | None = None
) -> HazardSet:
    """Import a CLIMADA ``Hazard.write_hdf5`` file (CLIMADA 6.1, or the centroid layout of CLIMADA <= 4).

    ``peril``/``imt`` default from the file's ``haz_type`` (see :data:`CLIMADA_HAZ_TYPES`); the file's
    ``units`` must be a unit of the IMT. ``unit`` is used only when the file states none (CLIMADA's default
    is an empty text) and must agree with it otherwise. Frequencies are converted to events per year. A
    ``fraction`` matrix other than 1 where the intensity is non-zero is refused: Kalkan does not model the
    share of affected assets yet. Dates (proleptic Gregorian ordinals) become ``event_year``; a file whose
    dates are all 1 (CLIMADA's placeholder) has none. The intensity dtype is kept (CLIMADA writes float64).
    """
    p = Path(path)
    where = str(p)
    if not p.exists():
        raise InputError(f"{where}: file not found.")
    if not p.is_file() or not h5py.is_hdf5(p):
        raise InputError(f"{where}: not an HDF5 file; expected a file written by CLIMADA's Hazard.write_hdf5.")
    try:
        with h5py.File(p, "r") as h5:
            return _climada_hazard(h5, where, peril, imt, unit)
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:  # h5py's errors on damaged files
        raise InputError(f"{where}: cannot read the HDF5 file; it is damaged or not a CLIMADA hazard ({exc}).") from exc


def _climada_hazard(h5: Any, where: str, peril: str | None, imt: str | None, unit: str | None) -> HazardSet:
    missing = [name for name in ("intensity", "event_id", "frequency", "centroids") if name not in h5]
    if missing:
        raise InputError(
            f"{where}: missing dataset(s) {_names(missing)}; not a CLIMADA hazard file (Hazard.write_hdf5)."
        )
    haz_type = (_h5_text(h5, "haz_type", where) or "").strip()
    units = (_h5_text(h5, "units", where) or "").strip()
    peril, imt, unit = _climada_peril_imt(haz_type, units, peril, imt, unit, where)

    intensity = _h5_csr(h5["intensity"], where, "intensity")
    if "fraction" in h5:
        _check_fraction(_h5_csr(h5["fraction"], where, "fraction"), intensity, where)

    frequency = _as_float64(_h5_vector(h5, "frequency", where), where, "frequency")
    frequency_unit = _h5_text(h5, "frequency_unit", where)
    frequency = frequency * _per_year_factor(frequency_unit, where)

    event_id = _as_int64(_h5_vector(h5, "event_id", where), where, "event_id")
    event_name = _climada_event_names(h5, where)
    event_year = _climada_event_years(h5, where)

    site_lon, site_lat = _climada_centroids(h5["centroids"], where)
    if site_lon.size != intensity.shape[1]:
        raise InputError(
            f"{where}: the centroids have {site_lon.size} points but 'intensity' has {intensity.shape[1]} "
            "columns; they must match one to one."
        )
    return _plausible(
        HazardSet(
            peril=peril,
            imt=imt,
            unit=unit,
            site_lon=site_lon,
            site_lat=site_lat,
            event_id=event_id,
            frequency=frequency,
            intensity=intensity,
            event_name=event_name,
            event_year=event_year,
            source=where,
            owns_intensity=True,
        )
    )


def _climada_peril_imt(
    haz_type: str, units: str, peril: str | None, imt: str | None, unit: str | None, where: str
) -> tuple[str, str, str]:
    default = CLIMADA_HAZ_TYPES.get(haz_type)
    if default is None and (peril is None or imt is None):
        known = ", ".join(f"{k} ({p}, {i})" for k, (p, i) in CLIMADA_HAZ_TYPES.items())
        raise InputError(
            f"{where}: haz_type {haz_type!r} has no default Kalkan peril and intensity measure; "
            f"known haz_types: {known}.",
            hint=f"pass peril= (one of {', '.join(PERILS)}) and imt= explicitly.",
        )
    if default is not None:
        peril = default[0] if peril is None else peril
        imt = default[1] if imt is None else imt
    assert peril is not None and imt is not None
    if not units:
        if unit is None:
            raise InputError(
                f"{where}: the file states no intensity unit ('units' is empty or missing).",
                hint="pass unit= with the unit of the intensities.",
            )
        units = unit
    elif unit is not None and unit != units:
        raise InputError(f"{where}: the file states unit {units!r}, not the unit {unit!r} given.")
    try:
        check_imt_unit(imt, units, where)
    except InputError as exc:
        raise InputError(
            f"{exc.message} (CLIMADA haz_type {haz_type!r}, units {units!r})",
            hint="pass imt= with the intensity measure these units belong to (e.g. imt='MMI').",
        ) from exc
    return peril, imt, units


def _check_fraction(fraction: sparse.csr_matrix, intensity: sparse.csr_matrix, where: str) -> None:
    """Refuse a fraction (share of affected assets) other than 1 where the intensity is non-zero."""
    if fraction.shape != intensity.shape:
        raise InputError(f"{where}: 'fraction' has shape {fraction.shape}; 'intensity' has {intensity.shape}.")
    if fraction.nnz == 0:
        return  # CLIMADA: an empty fraction means 1 everywhere
    hit = intensity.copy()
    hit.data = (hit.data != 0).astype(np.int8)
    hit.eliminate_zeros()
    ones = fraction.copy()
    ones.data = (ones.data == 1).astype(np.int8)
    ones.eliminate_zeros()
    covered = sparse.csr_matrix(hit.multiply(ones))
    covered.eliminate_zeros()
    if covered.nnz == hit.nnz:
        return
    rest = sparse.csr_matrix(hit - covered)
    rest.eliminate_zeros()
    row = int(np.flatnonzero(np.diff(rest.indptr))[0])
    col = int(rest.indices[rest.indptr[row]])
    value = float(fraction[row, col])
    raise InputError(
        f"{where}: 'fraction' is {value!r} at event row {row}, site {col}, where the intensity is non-zero "
        f"({rest.nnz} of {hit.nnz} non-zero intensities). CLIMADA multiplies damage by this share of affected "
        "assets; Kalkan does not model fractions yet and refuses the file rather than ignore them.",
        hint="fold the fraction into the vulnerability, or write the hazard with fraction 1 (or empty).",
    )


def _per_year_factor(frequency_unit: str | None, where: str) -> float:
    if frequency_unit is None:
        return 1.0  # files written before CLIMADA 3.3 have no frequency_unit: their frequencies are annual
    key = " ".join(frequency_unit.strip().lower().split())
    if key not in _FREQUENCY_PER_YEAR:
        raise InputError(
            f"{where}: frequency_unit {frequency_unit!r} cannot be converted to events per year; "
            f"supported: {', '.join(_FREQUENCY_PER_YEAR)}."
        )
    return _FREQUENCY_PER_YEAR[key]


def _climada_event_names(h5: Any, where: str) -> NDArray[np.str_] | None:
    if "event_name" not in h5:
        return None
    raw = _h5_vector(h5, "event_name", where)
    if raw.size == 0:
        return None
    if raw.dtype.kind in "OSU":
        names = [_decode(v, where, "event_name") for v in raw]
    elif raw.dtype.kind in "iu":
        names = [str(int(v)) for v in raw]
    else:
        raise InputError(f"{where}: 'event_name' has dtype {raw.dtype}; expected text.")
    return np.asarray(names, dtype=np.str_)


def _climada_event_years(h5: Any, where: str) -> NDArray[np.int64] | None:
    if "date" not in h5:
        return None
    raw = _h5_vector(h5, "date", where)
    if raw.size == 0:
        return None
    ordinal = _as_int64(raw, where, "date")
    if np.all(ordinal == 1):
        return None  # CLIMADA's placeholder for "no date"
    bad = (ordinal < 1) | (ordinal > _MAX_ORDINAL)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: 'date' at event row {k} is {int(ordinal[k])}; expected a proleptic Gregorian ordinal "
            f"(1 = 0001-01-01) between 1 and {_MAX_ORDINAL}."
        )
    days = (ordinal - _EPOCH_ORDINAL).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _climada_centroids(node: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(lon, lat) of the centroids: CLIMADA 6.1's pandas frame or the older h5py datasets."""
    if not isinstance(node, h5py.Group):
        raise InputError(f"{where}: 'centroids' is a dataset; expected a group.")
    if "pandas_type" in node.attrs:
        return _pandas_centroids(node, where)
    return _legacy_centroids(node, where)


def _pandas_centroids(group: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """CLIMADA >= 6.1: a pandas 'fixed' frame whose point geometry is split into 'geometry.x'/'geometry.y'."""
    kind = _decode(group.attrs["pandas_type"], where, "centroids")
    if kind != "frame":
        raise InputError(
            f"{where}: the centroids are a pandas {kind!r} table; Kalkan reads the 'frame' layout CLIMADA writes."
        )
    meta = _pandas_metadata(group, where)
    _check_crs(meta.get("crs"), where)
    columns = _frame_columns(group, where)
    if "geometry" in (meta.get("wkb_columns") or []):
        raise InputError(
            f"{where}: the centroids are not all points (CLIMADA stored them as WKB shapes); "
            "Kalkan needs one point per centroid."
        )
    if "geometry.x" in columns and "geometry.y" in columns:
        lon = _frame_column(columns["geometry.x"], where, "geometry.x")
        lat = _frame_column(columns["geometry.y"], where, "geometry.y")
        return lon, lat
    if "geometry" in columns:
        raise InputError(
            f"{where}: the centroid coordinates are pickled shapely objects (written by CLIMADA 5.0 to 6.0); "
            "Kalkan does not load pickles from files.",
            hint="read the file with CLIMADA >= 6.1 and write it again (Hazard.from_hdf5(f).write_hdf5(f2)).",
        )
    raise InputError(f"{where}: the centroids frame has no 'geometry.x'/'geometry.y' columns.")


def _frame_columns(group: Any, where: str) -> dict[str, tuple[Any, int]]:
    """Column name -> (block values dataset, position in the block) of a pandas fixed-format frame."""
    columns: dict[str, tuple[Any, int]] = {}
    for key in group:
        match = re.fullmatch(r"block(\d+)_items", key)
        if match is None:
            continue
        values_key = f"block{match.group(1)}_values"
        if values_key not in group:
            raise InputError(f"{where}: 'centroids/{values_key}' is missing (the pandas frame is incomplete).")
        for pos, raw in enumerate(_read(group[key], where, f"centroids/{key}").ravel()):
            columns[_decode(raw, where, f"centroids/{key}")] = (group[values_key], pos)
    return columns


def _frame_column(entry: tuple[Any, int], where: str, name: str) -> NDArray[np.float64]:
    dataset, pos = entry
    label = f"centroids/{dataset.name.rsplit('/', 1)[-1]}"
    if dataset.dtype.kind not in "fiu":
        raise InputError(f"{where}: column '{name}' in '{label}' is not numeric ({dataset.dtype}).")
    values = _read(dataset, where, label)
    if values.ndim != 2:
        raise InputError(f"{where}: '{label}' has shape {values.shape}; expected a 2-d block.")
    transposed = bool(np.asarray(dataset.attrs.get("transposed", 0)).item())
    column = values[:, pos] if transposed else values[pos, :]
    return np.ascontiguousarray(column, dtype=np.float64)


class _PlainDataUnpickler(pickle.Unpickler):
    """Loads only plain data (dict, list, text, numbers); every class or function reference is refused.

    PyTables stores the pandas frame's ``metadata`` attribute (CRS and geometry columns) as a protocol-0
    pickle of a dict of text; refusing all globals means no code from the file can run.
    """

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _pandas_metadata(group: Any, where: str) -> dict[str, Any]:
    if "metadata" not in group.attrs:
        return {}
    raw = group.attrs["metadata"]
    data = bytes(raw) if isinstance(raw, bytes | np.bytes_) else str(raw).encode("utf-8")
    try:
        meta = _PlainDataUnpickler(io.BytesIO(data)).load()
    except Exception as exc:  # any malformed pickle: the file is bad, whatever the exception
        raise InputError(f"{where}: the centroids 'metadata' attribute cannot be read as plain data ({exc}).") from exc
    if not isinstance(meta, dict):
        raise InputError(f"{where}: the centroids 'metadata' attribute is not a mapping.")
    return meta


def _legacy_centroids(group: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """CLIMADA <= 4: 'lat'/'lon' (or 'latitude'/'longitude') datasets, or a raster 'meta' group."""
    _check_crs(_h5_text(group, "crs", where), where)
    for lat_name, lon_name in (("lat", "lon"), ("latitude", "longitude")):
        if lat_name in group and lon_name in group and group[lat_name].size > 0:
            lat = _as_float64(_h5_vector(group, lat_name, where, "centroids/"), where, f"centroids/{lat_name}")
            lon = _as_float64(_h5_vector(group, lon_name, where, "centroids/"), where, f"centroids/{lon_name}")
            if lat.shape != lon.shape:
                raise InputError(
                    f"{where}: 'centroids/{lat_name}' has {lat.size} values, 'centroids/{lon_name}' {lon.size}."
                )
            return lon, lat
    if "meta" in group:
        return _raster_centroids(group["meta"], where)
    raise InputError(
        f"{where}: 'centroids' has no coordinates: expected 'geometry.x'/'geometry.y' (CLIMADA 6.1), "
        "'lat'/'lon' or 'latitude'/'longitude' datasets, or a raster 'meta' group."
    )


def _raster_centroids(meta: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pixel centres of a north-up raster (rasterio affine a, b, c, d, e, f), row by row."""
    missing = [name for name in ("height", "width", "transform") if name not in meta]
    if missing:
        raise InputError(f"{where}: 'centroids/meta' lacks {_names(missing)}.")
    height = _as_int64(_h5_vector(meta, "height", where, "centroids/meta/"), where, "centroids/meta/height")
    width = _as_int64(_h5_vector(meta, "width", where, "centroids/meta/"), where, "centroids/meta/width")
    transform = _as_float64(_h5_vector(meta, "transform", where, "centroids/meta/"), where, "centroids/meta/transform")
    if height.size != 1 or width.size != 1 or transform.size < 6 or height[0] < 1 or width[0] < 1:
        raise InputError(f"{where}: 'centroids/meta' needs positive height, width and a 6-term transform.")
    a, b, c, d, e, f = (float(v) for v in transform[:6])
    if b != 0 or d != 0:
        raise InputError(f"{where}: the centroid raster is rotated (transform b={b}, d={d}); not supported.")
    xs = (c + a / 2) + np.arange(int(width[0])) * a
    ys = (f + e / 2) + np.arange(int(height[0])) * e
    return np.tile(xs, ys.size), np.repeat(ys, xs.size)


def _check_crs(crs: Any, where: str) -> None:
    """Accept WGS84 longitude/latitude (CLIMADA's default, also when the file states no CRS)."""
    if crs is None or (isinstance(crs, str) and not crs.strip()):
        return
    if isinstance(crs, str) and _is_wgs84_lonlat(crs):
        return
    shown = repr(crs) if len(repr(crs)) <= 100 else repr(crs)[:97] + "..."
    raise InputError(
        f"{where}: the centroids use the coordinate reference system {shown}; Kalkan needs WGS84 "
        "longitude/latitude degrees (EPSG:4326).",
        hint="reproject the centroids in CLIMADA (centroids.to_default_crs()) and write the hazard again.",
    )


def _is_wgs84_lonlat(text: str) -> bool:
    t = re.sub(r"\s+", "", text).upper()
    if t in {"EPSG:4326", "OGC:CRS84", "CRS84", "WGS84", "URN:OGC:DEF:CRS:EPSG::4326"}:
        return True
    if t.startswith("{"):
        return "EPSG:4326" in t
    if "+PROJ=LONGLAT" in t:
        return "+DATUM=WGS84" in t or "+ELLPS=WGS84" in t
    if re.match(r"^(GEOGCRS|GEOGCS|GEODCRS|GEOGRAPHICCRS)\[", t):
        if t.endswith(('ID["EPSG",4326]]', 'AUTHORITY["EPSG","4326"]]', 'ID["OGC","CRS84"]]')):
            return True
        tail_id = re.search(r'(ID|AUTHORITY)\["[^"]*","?[^"\]]*"?\]\]$', t)
        return tail_id is None and ("WGS_1984" in t or "WORLDGEODETICSYSTEM1984" in t)
    return False


# --------------------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------------------


def _csr_from_parts(
    data: NDArray[Any],
    indices: NDArray[Any],
    indptr: NDArray[Any],
    shape: NDArray[Any],
    where: str,
    name: str,
    *,
    strict_dtype: bool,
) -> sparse.csr_matrix:
    """Check CSR arrays fully (scipy checks only lengths) and build the matrix, with file-naming errors."""
    shape = np.asarray(shape)
    if shape.shape != (2,) or shape.dtype.kind not in "iu" or np.any(shape < 0):
        raise InputError(f"{where}: '{name}' shape is {shape.tolist()!r}; expected two non-negative integers.")
    n_rows, n_cols = int(shape[0]), int(shape[1])
    for part, arr in (("data", data), ("indices", indices), ("indptr", indptr)):
        if arr.ndim != 1:
            raise InputError(f"{where}: '{name}' {part} has shape {arr.shape}; expected one dimension.")
    if data.dtype not in (np.float32, np.float64):
        if strict_dtype or data.dtype.kind not in "iu":
            raise InputError(f"{where}: '{name}' data has dtype {data.dtype}; expected float32 or float64.")
        data = data.astype(np.float64)
    for part, arr in (("indices", indices), ("indptr", indptr)):
        if arr.dtype.kind not in "iu":
            raise InputError(f"{where}: '{name}' {part} has dtype {arr.dtype}; expected integers.")
    indices = indices.astype(np.int64) if indices.dtype.kind == "u" else indices
    indptr = indptr.astype(np.int64) if indptr.dtype.kind == "u" else indptr
    if indptr.size != n_rows + 1:
        raise InputError(
            f"{where}: '{name}' indptr has {indptr.size} entries; expected {n_rows + 1} (events + 1) for shape "
            f"({n_rows}, {n_cols})."
        )
    if indptr[0] != 0:
        raise InputError(f"{where}: '{name}' indptr starts at {int(indptr[0])}; expected 0.")
    steps = np.diff(indptr)
    if np.any(steps < 0):
        raise InputError(f"{where}: '{name}' indptr decreases at event row {int(np.flatnonzero(steps < 0)[0])}.")
    nnz = int(indptr[-1])
    if data.size != nnz or indices.size != nnz:
        raise InputError(
            f"{where}: '{name}' has {data.size} data and {indices.size} indices; indptr says {nnz} non-zeros."
        )
    if nnz and (int(indices.min()) < 0 or int(indices.max()) >= n_cols):  # no temporaries unless wrong
        bad = (indices < 0) | (indices >= n_cols)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            row = int(np.searchsorted(indptr, k, side="right") - 1)
            raise InputError(
                f"{where}: '{name}' has site index {int(indices[k])} at event row {row}; expected 0 to {n_cols - 1}."
            )
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols))
    matrix.sort_indices()
    # has_canonical_format (sorted, no duplicates) is checked in C without allocating; only a matrix that
    # fails it is searched for the duplicate to report.
    if nnz > 1 and not matrix.has_canonical_format:
        same_row = np.ones(nnz - 1, dtype=bool)
        starts = matrix.indptr[1:-1]
        starts = starts[(starts > 0) & (starts < nnz)]
        same_row[starts - 1] = False
        dup = same_row & (np.diff(matrix.indices) == 0)
        if dup.any():
            k = int(np.flatnonzero(dup)[0])
            row = int(np.searchsorted(matrix.indptr, k, side="right") - 1)
            raise InputError(
                f"{where}: '{name}' stores site {int(matrix.indices[k])} twice in event row {row}; "
                "each (event, site) must appear once."
            )
    return matrix


def _plausible(hazard: HazardSet) -> HazardSet:
    """Refuse intensities and frequencies beyond their plausibility bounds (:mod:`kalkan.core.bounds`): overflows
    such as 1e308 and unit errors would otherwise give infinite or meaningless losses."""
    where = hazard.source
    limit = INTENSITY_MAX_BY_UNIT.get(hazard.unit, math.inf)
    data = hazard.intensity.data
    if data.size and float(data.max()) > limit:
        k = int(np.argmax(data))
        row = int(np.searchsorted(hazard.intensity.indptr, k, side="right") - 1)
        raise InputError(
            f"{where}: 'intensity' at event row {row}, site {int(hazard.intensity.indices[k])} is {float(data[k])!r} "
            f"{hazard.unit}; expected at most {limit:g} {hazard.unit} for {hazard.imt} (an overflow or a unit error?)."
        )
    if hazard.frequency.size and float(hazard.frequency.max()) > EVENT_FREQUENCY_MAX:
        k = int(np.argmax(hazard.frequency))
        raise InputError(
            f"{where}: 'frequency' of event row {k} is {float(hazard.frequency[k])!r} per year; expected at most "
            f"{EVENT_FREQUENCY_MAX:g} events per year."
        )
    return hazard


def _open_npz(path: Path) -> np.lib.npyio.NpzFile:
    where = str(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError as exc:
        raise InputError(f"{where}: file not found.") from exc
    except OSError as exc:
        raise InputError(f"{where}: cannot read the file ({exc.strerror or exc}).") from exc
    if magic not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise InputError(f"{where}: not an NPZ archive (a ZIP of .npy arrays, as numpy.savez writes).")
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"{where}: cannot open the NPZ archive ({exc}).") from exc
    assert isinstance(npz, np.lib.npyio.NpzFile)
    return npz


def _check_declared_size(npz: np.lib.npyio.NpzFile, name: str, where: str) -> None:
    """Refuse an array whose header declares more bytes than the archive member holds (a damaged or forged
    header would otherwise make numpy allocate them: 1e11 floats is 745 GiB)."""
    member = f"{name}.npy"
    archive = npz.zip
    if archive is None:
        return
    try:
        info = archive.getinfo(member)
        with archive.open(member) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
    except (KeyError, AttributeError):
        return  # a missing member is reported by the caller
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"{where}: array '{name}' has a damaged header ({exc}).") from exc
    declared = math.prod(int(n) for n in shape) * max(int(dtype.itemsize), 1)
    if declared > info.file_size:
        raise InputError(
            f"{where}: array '{name}' declares shape {tuple(shape)} ({declared:,} bytes of {dtype}) but the archive "
            f"holds {info.file_size:,} bytes for it; the file is damaged or truncated."
        )


def _npz_array(npz: np.lib.npyio.NpzFile, name: str, where: str) -> NDArray[Any]:
    _check_declared_size(npz, name, where)
    try:
        arr = npz[name]
    except KeyError as exc:
        raise InputError(f"{where}: missing array '{name}'.") from exc
    except ValueError as exc:
        raise InputError(
            f"{where}: array '{name}' cannot be read without unpickling Python objects ({exc}); "
            "Kalkan reads only numeric and fixed-width text arrays."
        ) from exc
    except (OSError, EOFError, zipfile.BadZipFile, MemoryError) as exc:
        raise InputError(f"{where}: array '{name}' is damaged or too large to read ({exc}).") from exc
    assert isinstance(arr, np.ndarray)
    return arr


def _npz_text(npz: np.lib.npyio.NpzFile, name: str, where: str) -> str:
    arr = _npz_array(npz, name, where)
    if arr.dtype.kind not in "US" or arr.size != 1:
        raise InputError(f"{where}: '{name}' must be a single text value; found {arr.dtype} {arr.shape}.")
    return _decode(arr.reshape(-1)[0], where, name)


def _read(dataset: Any, where: str, label: str) -> NDArray[Any]:
    """A whole HDF5 dataset; one declared far larger than the file could hold is refused before reading."""
    try:
        declared = int(dataset.size) * int(dataset.dtype.itemsize)
        limit = 100 * os.path.getsize(dataset.file.filename) + (64 << 20)
    except (OSError, TypeError, ValueError, AttributeError):
        declared, limit = 0, 1
    if declared > limit:
        raise InputError(
            f"{where}: dataset '{label}' declares shape {dataset.shape} ({declared:,} bytes), far more than the "
            "file holds; the file is damaged or not a hazard file."
        )
    try:
        value = dataset[()]
    except (OSError, ValueError, TypeError, RuntimeError, MemoryError) as exc:
        raise InputError(f"{where}: dataset '{label}' cannot be read ({exc}).") from exc
    return np.asarray(value)


def _h5_vector(group: Any, name: str, where: str, prefix: str = "") -> NDArray[Any]:
    node = group[name]
    if not isinstance(node, h5py.Dataset):
        raise InputError(f"{where}: '{prefix}{name}' is a group; expected a dataset.")
    arr = _read(node, where, prefix + name)
    if arr.ndim != 1:
        raise InputError(f"{where}: '{prefix}{name}' has shape {arr.shape}; expected one dimension.")
    return arr


def _h5_text(group: Any, name: str, where: str) -> str | None:
    if name not in group:
        return None
    node = group[name]
    if not isinstance(node, h5py.Dataset):
        raise InputError(f"{where}: '{name}' is a group; expected a text dataset.")
    arr = _read(node, where, name)
    if arr.size != 1:
        raise InputError(f"{where}: '{name}' holds {arr.size} values; expected one text.")
    return _decode(arr.reshape(-1)[0], where, name)


def _h5_csr(node: Any, where: str, name: str) -> sparse.csr_matrix:
    """A CLIMADA sparse matrix: a group of data/indices/indptr with a 'shape' attribute, or a dense dataset."""
    if isinstance(node, h5py.Dataset):
        dense = _read(node, where, name)
        if dense.ndim != 2 or dense.dtype.kind not in "fiu":
            raise InputError(
                f"{where}: '{name}' has shape {dense.shape} and dtype {dense.dtype}; expected 2-d numbers."
            )
        if dense.dtype not in (np.float32, np.float64):
            dense = dense.astype(np.float64)
        return sparse.csr_matrix(dense)
    missing = [part for part in ("data", "indices", "indptr") if part not in node]
    if missing:
        raise InputError(f"{where}: missing dataset(s) {_names(f'{name}/{m}' for m in missing)}.")
    if "shape" in node.attrs:
        shape = np.asarray(node.attrs["shape"])
    elif "shape" in node:
        shape = _read(node["shape"], where, f"{name}/shape")
    else:
        raise InputError(f"{where}: '{name}' has no 'shape' attribute (events x centroids).")
    return _csr_from_parts(
        _h5_vector(node, "data", where, f"{name}/"),
        _h5_vector(node, "indices", where, f"{name}/"),
        _h5_vector(node, "indptr", where, f"{name}/"),
        shape,
        where,
        name,
        strict_dtype=False,
    )


def _decode(value: Any, where: str, name: str) -> str:
    if isinstance(value, bytes | np.bytes_):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{where}: '{name}' is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    if isinstance(value, str):
        return str(value)
    raise InputError(f"{where}: '{name}' should be text; found {type(value).__name__}.")


def _as_float64(arr: NDArray[Any], where: str, name: str) -> NDArray[np.float64]:
    if arr.dtype.kind not in "fiu":
        raise InputError(f"{where}: '{name}' has dtype {arr.dtype}; expected numbers.")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _as_int64(arr: NDArray[Any], where: str, name: str) -> NDArray[np.int64]:
    if arr.dtype.kind in "iu":
        return np.ascontiguousarray(arr, dtype=np.int64)
    if arr.dtype.kind == "f":
        whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2.0**63)
        if whole.all():
            return np.ascontiguousarray(arr, dtype=np.int64)
        k = int(np.flatnonzero(~whole)[0])
        raise InputError(f"{where}: '{name}' at position {k} is {float(arr[k])!r}; expected a whole number.")
    raise InputError(f"{where}: '{name}' has dtype {arr.dtype}; expected integers.")


def _names(names: Any) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); elsewhere it is a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def load_any_hazard(path: PathLike) -> HazardSet:
    """Read a hazard in whichever format the file is: CLIMADA HDF5 (.hdf5/.h5), Kalkan NPZ (it has a
    ``metadata`` entry) or a benchmark-case NPZ (``haz_type``)."""
    import zipfile

    p = Path(path)
    if p.suffix.lower() in (".hdf5", ".h5"):
        return load_climada_hazard(p)
    if p.suffix.lower() != ".npz":
        raise InputError(f"{p}: unknown hazard format; expected a Kalkan or case .npz, or a CLIMADA .hdf5 file.")
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
    except FileNotFoundError as exc:
        raise InputError(f"{p}: file not found.") from exc
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{p}: not a readable .npz archive ({exc}).") from exc
    if "metadata.npy" in names:
        return load_hazard(p)
    if "haz_type.npy" in names:
        return load_case_hazard(p)
    raise InputError(f"{p}: neither a Kalkan hazard (no 'metadata') nor a case hazard (no 'haz_type').")
