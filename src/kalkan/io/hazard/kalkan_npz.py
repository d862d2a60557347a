"""Kalkan's own hazard NPZ (``format: kalkan-hazard``, version 1): :func:`save_hazard` and :func:`load_hazard`
(the layout is in :mod:`kalkan.io.hazard` and ``docs/hazard-format.md``)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

import kalkan
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError
from kalkan.io.hazard.checks import (
    PathLike,
    as_float64,
    as_int64,
    csr_from_parts,
    npz_array,
    open_npz,
    plausible,
    quoted_names,
    sync_directory,
)

FORMAT_NAME = "kalkan-hazard"


FORMAT_VERSION = 1


_REQUIRED = ("data", "indices", "indptr", "shape", "site_lon", "site_lat", "event_id", "frequency", "metadata")


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
        raise InputError(
            f"{target}: cannot create a file in {target.parent} ({exc.strerror or exc}).", code="output.unwritable"
        ) from exc
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
        raise InputError(
            f"{target}: cannot write the hazard file ({exc.strerror or exc}).", code="output.unwritable"
        ) from exc
    finally:
        if not done:
            with contextlib.suppress(OSError):
                tmp.unlink()
    sync_directory(target.parent)
    return target


def load_hazard(path: PathLike) -> HazardSet:
    """Read a Kalkan hazard NPZ written by :func:`save_hazard`, keeping the intensity dtype.

    Every error names the file and the array; the HazardSet's validation names the file too.
    """
    p = Path(path)
    where = str(p)
    with open_npz(p) as npz:
        meta = _kalkan_metadata(npz, where)
        missing = [name for name in _REQUIRED if name not in npz.files]
        if missing:
            raise InputError(
                f"{where}: missing array(s) {quoted_names(missing)} of the {FORMAT_NAME} format.",
                code="input.missing",
                field=missing[0],
            )
        intensity = csr_from_parts(
            npz_array(npz, "data", where),
            npz_array(npz, "indices", where),
            npz_array(npz, "indptr", where),
            npz_array(npz, "shape", where),
            where,
            "intensity",
            strict_dtype=True,
        )
        optional: dict[str, Any] = {}
        for name in ("site_vs30", "event_year", "realisation"):
            if name in npz.files:
                arr = npz_array(npz, name, where)
                optional[name] = as_float64(arr, where, name) if name == "site_vs30" else as_int64(arr, where, name)
        if "event_name" in npz.files:
            names = npz_array(npz, "event_name", where)
            if names.dtype.kind != "U":
                raise InputError(
                    f"{where}: 'event_name' has dtype {names.dtype}; expected fixed-width unicode.",
                    code="input.type",
                    field="event_name",
                )
            optional["event_name"] = names
        return plausible(
            HazardSet(
                peril=meta["peril"],
                imt=meta["imt"],
                unit=meta["unit"],
                site_lon=as_float64(npz_array(npz, "site_lon", where), where, "site_lon"),
                site_lat=as_float64(npz_array(npz, "site_lat", where), where, "site_lat"),
                event_id=as_int64(npz_array(npz, "event_id", where), where, "event_id"),
                frequency=as_float64(npz_array(npz, "frequency", where), where, "frequency"),
                intensity=intensity,
                source=where,
                owns_intensity=True,
                **optional,
            )
        )


def read_hazard_metadata(path: PathLike) -> dict[str, Any]:
    """The JSON metadata of a Kalkan hazard NPZ (format, peril, IMT, unit, source, creation), checked."""
    p = Path(path)
    with open_npz(p) as npz:
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
        arrays["site_vs30"] = as_float64(np.asarray(hazard.site_vs30), where, "site_vs30")
    if hazard.event_year is not None:
        arrays["event_year"] = as_int64(np.asarray(hazard.event_year), where, "event_year")
    if hazard.realisation is not None:
        arrays["realisation"] = as_int64(np.asarray(hazard.realisation), where, "realisation")
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
    raise InputError(
        f"{where}: 'event_name' must hold text; found dtype {arr.dtype}.", code="input.type", field="event_name"
    )


def _kalkan_metadata(npz: np.lib.npyio.NpzFile, where: str) -> dict[str, Any]:
    if "metadata" not in npz.files:
        raise InputError(
            f"{where}: no 'metadata' array: not a {FORMAT_NAME} file (save it with save_hazard).",
            code="input.missing",
            field="metadata",
        )
    raw = npz_array(npz, "metadata", where)
    if raw.dtype.kind != "U" or raw.shape != ():
        raise InputError(
            f"{where}: 'metadata' must be a 0-d unicode array holding JSON; found {raw.dtype} {raw.shape}.",
            code="input.type",
            field="metadata",
        )
    try:
        meta = json.loads(str(raw[()]))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: 'metadata' is not valid JSON ({exc.msg} at character {exc.pos}).",
            code="input.syntax",
            field="metadata",
        ) from exc
    if not isinstance(meta, dict):
        raise InputError(f"{where}: 'metadata' must be a JSON object.", code="input.type", field="metadata")
    if meta.get("format") != FORMAT_NAME:
        raise InputError(
            f"{where}: metadata 'format' is {meta.get('format')!r}; expected {FORMAT_NAME!r}.",
            code="input.unsupported",
            field="format",
        )
    version = meta.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(
            f"{where}: metadata 'format_version' is {version!r}; expected a positive integer.",
            code="input.type",
            field="format_version",
        )
    if version > FORMAT_VERSION:
        raise InputError(
            f"{where}: written in {FORMAT_NAME} version {version}; this Kalkan reads up to version {FORMAT_VERSION}.",
            hint="upgrade Kalkan to read this file.",
            code="input.unsupported",
            field="format_version",
        )
    for key in ("peril", "imt", "unit"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise InputError(
                f"{where}: metadata '{key}' must be a non-empty text; found {meta.get(key)!r}.",
                code="input.missing",
                field=key,
            )
    for key, expected in (("frequency_unit", "1/year"), ("crs", "EPSG:4326")):
        if key in meta and meta[key] != expected:
            raise InputError(
                f"{where}: metadata '{key}' is {meta[key]!r}; this format version requires {expected!r}.",
                code="input.unsupported",
                field=key,
            )
    return meta
