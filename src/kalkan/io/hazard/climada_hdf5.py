"""CLIMADA HDF5 hazards: what ``climada.hazard.Hazard.write_hdf5`` writes (CLIMADA 6.1, and the h5py centroid
layout of CLIMADA 4 and earlier). The layout was learnt by reading CLIMADA's source and files written by CLIMADA
6.1.0; no CLIMADA code is used or needed. ``docs/hazard-format.md`` has the full description."""

from __future__ import annotations

import io
import os
import pickle
import re
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kalkan.core.hazard.hazardset import PERILS, HazardSet, check_imt_unit
from kalkan.errors import InputError
from kalkan.io.hazard.checks import PathLike, as_float64, as_int64, csr_from_parts, decode_text, plausible, quoted_names

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
        raise InputError(f"{where}: file not found.", code="input.not_found")
    if not p.is_file() or not h5py.is_hdf5(p):
        raise InputError(
            f"{where}: not an HDF5 file; expected a file written by CLIMADA's Hazard.write_hdf5.", code="input.syntax"
        )
    try:
        with h5py.File(p, "r") as h5:
            return _climada_hazard(h5, where, peril, imt, unit)
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:  # h5py's errors on damaged files
        raise InputError(
            f"{where}: cannot read the HDF5 file; it is damaged or not a CLIMADA hazard ({exc}).",
            code="input.unreadable",
        ) from exc


def _climada_hazard(h5: Any, where: str, peril: str | None, imt: str | None, unit: str | None) -> HazardSet:
    missing = [name for name in ("intensity", "event_id", "frequency", "centroids") if name not in h5]
    if missing:
        raise InputError(
            f"{where}: missing dataset(s) {quoted_names(missing)}; not a CLIMADA hazard file (Hazard.write_hdf5).",
            code="input.missing",
            field=missing[0],
        )
    haz_type = (_h5_text(h5, "haz_type", where) or "").strip()
    units = (_h5_text(h5, "units", where) or "").strip()
    peril, imt, unit = _climada_peril_imt(haz_type, units, peril, imt, unit, where)

    intensity = _h5_csr(h5["intensity"], where, "intensity")
    if "fraction" in h5:
        _check_fraction(_h5_csr(h5["fraction"], where, "fraction"), intensity, where)

    frequency = as_float64(_h5_vector(h5, "frequency", where), where, "frequency")
    frequency_unit = _h5_text(h5, "frequency_unit", where)
    frequency = frequency * _per_year_factor(frequency_unit, where)

    event_id = as_int64(_h5_vector(h5, "event_id", where), where, "event_id")
    event_name = _climada_event_names(h5, where)
    event_year = _climada_event_years(h5, where)

    site_lon, site_lat = _climada_centroids(h5["centroids"], where)
    if site_lon.size != intensity.shape[1]:
        raise InputError(
            f"{where}: the centroids have {site_lon.size} points but 'intensity' has {intensity.shape[1]} "
            "columns; they must match one to one.",
            code="input.inconsistent",
            field="centroids",
        )
    return plausible(
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
            code="input.unknown",
            field="haz_type",
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
                code="input.missing",
                field="units",
            )
        units = unit
    elif unit is not None and unit != units:
        raise InputError(
            f"{where}: the file states unit {units!r}, not the unit {unit!r} given.",
            code="input.inconsistent",
            field="units",
        )
    try:
        check_imt_unit(imt, units, where)
    except InputError as exc:
        raise InputError(
            f"{exc.message} (CLIMADA haz_type {haz_type!r}, units {units!r})",
            hint="pass imt= with the intensity measure these units belong to (e.g. imt='MMI').",
            code=exc.code,
            field="units",
        ) from exc
    return peril, imt, units


def _check_fraction(fraction: sparse.csr_matrix, intensity: sparse.csr_matrix, where: str) -> None:
    """Refuse a fraction (share of affected assets) other than 1 where the intensity is non-zero."""
    if fraction.shape != intensity.shape:
        raise InputError(
            f"{where}: 'fraction' has shape {fraction.shape}; 'intensity' has {intensity.shape}.",
            code="input.inconsistent",
            field="fraction",
        )
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
        code="input.unsupported",
        field="fraction",
        row=row,
    )


def _per_year_factor(frequency_unit: str | None, where: str) -> float:
    if frequency_unit is None:
        return 1.0  # files written before CLIMADA 3.3 have no frequency_unit: their frequencies are annual
    key = " ".join(frequency_unit.strip().lower().split())
    if key not in _FREQUENCY_PER_YEAR:
        raise InputError(
            f"{where}: frequency_unit {frequency_unit!r} cannot be converted to events per year; "
            f"supported: {', '.join(_FREQUENCY_PER_YEAR)}.",
            code="input.unsupported",
            field="frequency_unit",
        )
    return _FREQUENCY_PER_YEAR[key]


def _climada_event_names(h5: Any, where: str) -> NDArray[np.str_] | None:
    if "event_name" not in h5:
        return None
    raw = _h5_vector(h5, "event_name", where)
    if raw.size == 0:
        return None
    if raw.dtype.kind in "OSU":
        names = [decode_text(v, where, "event_name") for v in raw]
    elif raw.dtype.kind in "iu":
        names = [str(int(v)) for v in raw]
    else:
        raise InputError(
            f"{where}: 'event_name' has dtype {raw.dtype}; expected text.", code="input.type", field="event_name"
        )
    return np.asarray(names, dtype=np.str_)


def _climada_event_years(h5: Any, where: str) -> NDArray[np.int64] | None:
    if "date" not in h5:
        return None
    raw = _h5_vector(h5, "date", where)
    if raw.size == 0:
        return None
    ordinal = as_int64(raw, where, "date")
    if np.all(ordinal == 1):
        return None  # CLIMADA's placeholder for "no date"
    bad = (ordinal < 1) | (ordinal > _MAX_ORDINAL)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: 'date' at event row {k} is {int(ordinal[k])}; expected a proleptic Gregorian ordinal "
            f"(1 = 0001-01-01) between 1 and {_MAX_ORDINAL}.",
            code="input.range",
            field="date",
            row=k,
        )
    days = (ordinal - _EPOCH_ORDINAL).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _climada_centroids(node: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(lon, lat) of the centroids: CLIMADA 6.1's pandas frame or the older h5py datasets."""
    if not isinstance(node, h5py.Group):
        raise InputError(f"{where}: 'centroids' is a dataset; expected a group.", code="input.type", field="centroids")
    if "pandas_type" in node.attrs:
        return _pandas_centroids(node, where)
    return _legacy_centroids(node, where)


def _pandas_centroids(group: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """CLIMADA >= 6.1: a pandas 'fixed' frame whose point geometry is split into 'geometry.x'/'geometry.y'."""
    kind = decode_text(group.attrs["pandas_type"], where, "centroids")
    if kind != "frame":
        raise InputError(
            f"{where}: the centroids are a pandas {kind!r} table; Kalkan reads the 'frame' layout CLIMADA writes.",
            code="input.unsupported",
            field="centroids",
        )
    meta = _pandas_metadata(group, where)
    _check_crs(meta.get("crs"), where)
    columns = _frame_columns(group, where)
    if "geometry" in (meta.get("wkb_columns") or []):
        raise InputError(
            f"{where}: the centroids are not all points (CLIMADA stored them as WKB shapes); "
            "Kalkan needs one point per centroid.",
            code="input.unsupported",
            field="centroids",
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
            code="input.unsafe",
            field="centroids",
        )
    raise InputError(
        f"{where}: the centroids frame has no 'geometry.x'/'geometry.y' columns.",
        code="input.missing",
        field="centroids",
    )


def _frame_columns(group: Any, where: str) -> dict[str, tuple[Any, int]]:
    """Column name -> (block values dataset, position in the block) of a pandas fixed-format frame."""
    columns: dict[str, tuple[Any, int]] = {}
    for key in group:
        match = re.fullmatch(r"block(\d+)_items", key)
        if match is None:
            continue
        values_key = f"block{match.group(1)}_values"
        if values_key not in group:
            raise InputError(
                f"{where}: 'centroids/{values_key}' is missing (the pandas frame is incomplete).",
                code="input.missing",
                field=f"centroids/{values_key}",
            )
        for pos, raw in enumerate(_read(group[key], where, f"centroids/{key}").ravel()):
            columns[decode_text(raw, where, f"centroids/{key}")] = (group[values_key], pos)
    return columns


def _frame_column(entry: tuple[Any, int], where: str, name: str) -> NDArray[np.float64]:
    dataset, pos = entry
    label = f"centroids/{dataset.name.rsplit('/', 1)[-1]}"
    if dataset.dtype.kind not in "fiu":
        raise InputError(
            f"{where}: column '{name}' in '{label}' is not numeric ({dataset.dtype}).", code="input.type", field=name
        )
    values = _read(dataset, where, label)
    if values.ndim != 2:
        raise InputError(
            f"{where}: '{label}' has shape {values.shape}; expected a 2-d block.", code="input.type", field=label
        )
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
        raise InputError(
            f"{where}: the centroids 'metadata' attribute cannot be read as plain data ({exc}).",
            code="input.unreadable",
            field="centroids",
        ) from exc
    if not isinstance(meta, dict):
        raise InputError(
            f"{where}: the centroids 'metadata' attribute is not a mapping.", code="input.type", field="centroids"
        )
    return meta


def _legacy_centroids(group: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """CLIMADA <= 4: 'lat'/'lon' (or 'latitude'/'longitude') datasets, or a raster 'meta' group."""
    _check_crs(_h5_text(group, "crs", where), where)
    for lat_name, lon_name in (("lat", "lon"), ("latitude", "longitude")):
        if lat_name in group and lon_name in group and group[lat_name].size > 0:
            lat = as_float64(_h5_vector(group, lat_name, where, "centroids/"), where, f"centroids/{lat_name}")
            lon = as_float64(_h5_vector(group, lon_name, where, "centroids/"), where, f"centroids/{lon_name}")
            if lat.shape != lon.shape:
                raise InputError(
                    f"{where}: 'centroids/{lat_name}' has {lat.size} values, 'centroids/{lon_name}' {lon.size}.",
                    code="input.inconsistent",
                    field=f"centroids/{lat_name}",
                )
            return lon, lat
    if "meta" in group:
        return _raster_centroids(group["meta"], where)
    raise InputError(
        f"{where}: 'centroids' has no coordinates: expected 'geometry.x'/'geometry.y' (CLIMADA 6.1), "
        "'lat'/'lon' or 'latitude'/'longitude' datasets, or a raster 'meta' group.",
        code="input.missing",
        field="centroids",
    )


def _raster_centroids(meta: Any, where: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pixel centres of a north-up raster (rasterio affine a, b, c, d, e, f), row by row."""
    missing = [name for name in ("height", "width", "transform") if name not in meta]
    if missing:
        raise InputError(
            f"{where}: 'centroids/meta' lacks {quoted_names(missing)}.", code="input.missing", field="centroids/meta"
        )
    height = as_int64(_h5_vector(meta, "height", where, "centroids/meta/"), where, "centroids/meta/height")
    width = as_int64(_h5_vector(meta, "width", where, "centroids/meta/"), where, "centroids/meta/width")
    transform = as_float64(_h5_vector(meta, "transform", where, "centroids/meta/"), where, "centroids/meta/transform")
    if height.size != 1 or width.size != 1 or transform.size < 6 or height[0] < 1 or width[0] < 1:
        raise InputError(
            f"{where}: 'centroids/meta' needs positive height, width and a 6-term transform.",
            code="input.range",
            field="centroids/meta",
        )
    a, b, c, d, e, f = (float(v) for v in transform[:6])
    if b != 0 or d != 0:
        raise InputError(
            f"{where}: the centroid raster is rotated (transform b={b}, d={d}); not supported.",
            code="input.unsupported",
            field="centroids/meta",
        )
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
        code="input.unsupported",
        field="crs",
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
            "file holds; the file is damaged or not a hazard file.",
            code="input.unreadable",
            field=label,
        )
    try:
        value = dataset[()]
    except (OSError, ValueError, TypeError, RuntimeError, MemoryError) as exc:
        raise InputError(
            f"{where}: dataset '{label}' cannot be read ({exc}).", code="input.unreadable", field=label
        ) from exc
    return np.asarray(value)


def _h5_vector(group: Any, name: str, where: str, prefix: str = "") -> NDArray[Any]:
    node = group[name]
    if not isinstance(node, h5py.Dataset):
        raise InputError(
            f"{where}: '{prefix}{name}' is a group; expected a dataset.", code="input.type", field=prefix + name
        )
    arr = _read(node, where, prefix + name)
    if arr.ndim != 1:
        raise InputError(
            f"{where}: '{prefix}{name}' has shape {arr.shape}; expected one dimension.",
            code="input.type",
            field=prefix + name,
        )
    return arr


def _h5_text(group: Any, name: str, where: str) -> str | None:
    if name not in group:
        return None
    node = group[name]
    if not isinstance(node, h5py.Dataset):
        raise InputError(f"{where}: '{name}' is a group; expected a text dataset.", code="input.type", field=name)
    arr = _read(node, where, name)
    if arr.size != 1:
        raise InputError(
            f"{where}: '{name}' holds {arr.size} values; expected one text.", code="input.type", field=name
        )
    return decode_text(arr.reshape(-1)[0], where, name)


def _h5_csr(node: Any, where: str, name: str) -> sparse.csr_matrix:
    """A CLIMADA sparse matrix: a group of data/indices/indptr with a 'shape' attribute, or a dense dataset."""
    if isinstance(node, h5py.Dataset):
        dense = _read(node, where, name)
        if dense.ndim != 2 or dense.dtype.kind not in "fiu":
            raise InputError(
                f"{where}: '{name}' has shape {dense.shape} and dtype {dense.dtype}; expected 2-d numbers.",
                code="input.type",
                field=name,
            )
        if dense.dtype not in (np.float32, np.float64):
            dense = dense.astype(np.float64)
        return sparse.csr_matrix(dense)
    missing = [part for part in ("data", "indices", "indptr") if part not in node]
    if missing:
        raise InputError(
            f"{where}: missing dataset(s) {quoted_names(f'{name}/{m}' for m in missing)}.",
            code="input.missing",
            field=f"{name}/{missing[0]}",
        )
    if "shape" in node.attrs:
        shape = np.asarray(node.attrs["shape"])
    elif "shape" in node:
        shape = _read(node["shape"], where, f"{name}/shape")
    else:
        raise InputError(
            f"{where}: '{name}' has no 'shape' attribute (events x centroids).", code="input.missing", field=name
        )
    return csr_from_parts(
        _h5_vector(node, "data", where, f"{name}/"),
        _h5_vector(node, "indices", where, f"{name}/"),
        _h5_vector(node, "indptr", where, f"{name}/"),
        shape,
        where,
        name,
        strict_dtype=False,
    )
