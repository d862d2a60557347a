"""Checks shared by the hazard readers: CSR arrays checked in full, plausibility bounds, NPZ members read safely
(declared sizes, no pickles), text decoding and numeric conversions, each error naming the file and the array."""

from __future__ import annotations

import contextlib
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kalkan.core.bounds import EVENT_FREQUENCY_MAX, INTENSITY_MAX_BY_UNIT
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError

PathLike = str | os.PathLike[str]


def csr_from_parts(
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
        raise InputError(
            f"{where}: '{name}' shape is {shape.tolist()!r}; expected two non-negative integers.",
            code="input.type",
            field=name,
        )
    n_rows, n_cols = int(shape[0]), int(shape[1])
    for part, arr in (("data", data), ("indices", indices), ("indptr", indptr)):
        if arr.ndim != 1:
            raise InputError(
                f"{where}: '{name}' {part} has shape {arr.shape}; expected one dimension.",
                code="input.type",
                field=name,
            )
    if data.dtype not in (np.float32, np.float64):
        if strict_dtype or data.dtype.kind not in "iu":
            raise InputError(
                f"{where}: '{name}' data has dtype {data.dtype}; expected float32 or float64.",
                code="input.type",
                field=name,
            )
        data = data.astype(np.float64)
    for part, arr in (("indices", indices), ("indptr", indptr)):
        if arr.dtype.kind not in "iu":
            raise InputError(
                f"{where}: '{name}' {part} has dtype {arr.dtype}; expected integers.", code="input.type", field=name
            )
    indices = indices.astype(np.int64) if indices.dtype.kind == "u" else indices
    indptr = indptr.astype(np.int64) if indptr.dtype.kind == "u" else indptr
    if indptr.size != n_rows + 1:
        raise InputError(
            f"{where}: '{name}' indptr has {indptr.size} entries; expected {n_rows + 1} (events + 1) for shape "
            f"({n_rows}, {n_cols}).",
            code="input.inconsistent",
            field=name,
        )
    if indptr[0] != 0:
        raise InputError(
            f"{where}: '{name}' indptr starts at {int(indptr[0])}; expected 0.", code="input.inconsistent", field=name
        )
    steps = np.diff(indptr)
    if np.any(steps < 0):
        raise InputError(
            f"{where}: '{name}' indptr decreases at event row {int(np.flatnonzero(steps < 0)[0])}.",
            code="input.inconsistent",
            field=name,
            row=int(np.flatnonzero(steps < 0)[0]),
        )
    nnz = int(indptr[-1])
    if data.size != nnz or indices.size != nnz:
        raise InputError(
            f"{where}: '{name}' has {data.size} data and {indices.size} indices; indptr says {nnz} non-zeros.",
            code="input.inconsistent",
            field=name,
        )
    if nnz and (int(indices.min()) < 0 or int(indices.max()) >= n_cols):  # no temporaries unless wrong
        bad = (indices < 0) | (indices >= n_cols)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            row = int(np.searchsorted(indptr, k, side="right") - 1)
            raise InputError(
                f"{where}: '{name}' has site index {int(indices[k])} at event row {row}; expected 0 to {n_cols - 1}.",
                code="input.range",
                field=name,
                row=row,
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
                "each (event, site) must appear once.",
                code="input.duplicate",
                field=name,
                row=row,
            )
    return matrix


def plausible(hazard: HazardSet) -> HazardSet:
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
            f"{hazard.unit}; expected at most {limit:g} {hazard.unit} for {hazard.imt} (an overflow or a unit error?).",
            code="input.range",
            field="intensity",
            row=row,
        )
    if hazard.frequency.size and float(hazard.frequency.max()) > EVENT_FREQUENCY_MAX:
        k = int(np.argmax(hazard.frequency))
        raise InputError(
            f"{where}: 'frequency' of event row {k} is {float(hazard.frequency[k])!r} per year; expected at most "
            f"{EVENT_FREQUENCY_MAX:g} events per year.",
            code="input.range",
            field="frequency",
            row=k,
        )
    return hazard


def open_npz(path: Path) -> np.lib.npyio.NpzFile:
    where = str(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError as exc:
        raise InputError(f"{where}: file not found.", code="input.not_found") from exc
    except OSError as exc:
        raise InputError(f"{where}: cannot read the file ({exc.strerror or exc}).", code="input.unreadable") from exc
    if magic not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise InputError(
            f"{where}: not an NPZ archive (a ZIP of .npy arrays, as numpy.savez writes).", code="input.syntax"
        )
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"{where}: cannot open the NPZ archive ({exc}).", code="input.unreadable") from exc
    assert isinstance(npz, np.lib.npyio.NpzFile)
    return npz


def check_declared_size(npz: np.lib.npyio.NpzFile, name: str, where: str) -> None:
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
        raise InputError(
            f"{where}: array '{name}' has a damaged header ({exc}).", code="input.unreadable", field=name
        ) from exc
    declared = math.prod(int(n) for n in shape) * max(int(dtype.itemsize), 1)
    if declared > info.file_size:
        raise InputError(
            f"{where}: array '{name}' declares shape {tuple(shape)} ({declared:,} bytes of {dtype}) but the archive "
            f"holds {info.file_size:,} bytes for it; the file is damaged or truncated.",
            code="input.unreadable",
            field=name,
        )


def npz_array(npz: np.lib.npyio.NpzFile, name: str, where: str) -> NDArray[Any]:
    check_declared_size(npz, name, where)
    try:
        arr = npz[name]
    except KeyError as exc:
        raise InputError(f"{where}: missing array '{name}'.", code="input.missing", field=name) from exc
    except ValueError as exc:
        raise InputError(
            f"{where}: array '{name}' cannot be read without unpickling Python objects ({exc}); "
            "Kalkan reads only numeric and fixed-width text arrays.",
            code="input.unsafe",
            field=name,
        ) from exc
    except (OSError, EOFError, zipfile.BadZipFile, MemoryError) as exc:
        raise InputError(
            f"{where}: array '{name}' is damaged or too large to read ({exc}).", code="input.unreadable", field=name
        ) from exc
    assert isinstance(arr, np.ndarray)
    return arr


def npz_text(npz: np.lib.npyio.NpzFile, name: str, where: str) -> str:
    arr = npz_array(npz, name, where)
    if arr.dtype.kind not in "US" or arr.size != 1:
        raise InputError(
            f"{where}: '{name}' must be a single text value; found {arr.dtype} {arr.shape}.",
            code="input.type",
            field=name,
        )
    return decode_text(arr.reshape(-1)[0], where, name)


def decode_text(value: Any, where: str, name: str) -> str:
    if isinstance(value, bytes | np.bytes_):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{where}: '{name}' is not UTF-8 text ({exc.reason} at byte {exc.start}).",
                code="input.encoding",
                field=name,
            ) from exc
    if isinstance(value, str):
        return str(value)
    raise InputError(f"{where}: '{name}' should be text; found {type(value).__name__}.", code="input.type", field=name)


def as_float64(arr: NDArray[Any], where: str, name: str) -> NDArray[np.float64]:
    if arr.dtype.kind not in "fiu":
        raise InputError(f"{where}: '{name}' has dtype {arr.dtype}; expected numbers.", code="input.type", field=name)
    return np.ascontiguousarray(arr, dtype=np.float64)


def as_int64(arr: NDArray[Any], where: str, name: str) -> NDArray[np.int64]:
    if arr.dtype.kind in "iu":
        return np.ascontiguousarray(arr, dtype=np.int64)
    if arr.dtype.kind == "f":
        whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2.0**63)
        if whole.all():
            return np.ascontiguousarray(arr, dtype=np.int64)
        k = int(np.flatnonzero(~whole)[0])
        raise InputError(
            f"{where}: '{name}' at position {k} is {float(arr[k])!r}; expected a whole number.",
            code="input.type",
            field=name,
            row=k,
        )
    raise InputError(f"{where}: '{name}' has dtype {arr.dtype}; expected integers.", code="input.type", field=name)


def quoted_names(names: Any) -> str:
    return ", ".join(f"'{n}'" for n in names)


def sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (POSIX); elsewhere it is a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
