"""Read a case ``hazard.npz`` event chunk by event chunk, so memory does not grow with the number of events.

Only the per-event and per-site vectors (frequency, event ids, row pointers, site coordinates) are loaded
whole; the intensity values and site indices, which are most of the file, are read sequentially from the
archive in chunks of events. Each chunk is checked as it is read (finite, non-negative intensities, site
indices in range); a bad value stops the run with an error naming the file and the event row, and the run
writes no output (results are written only at the end, atomically).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.hazardset import check_imt_unit
from kalkan.core.risk.engine import CsrChunk
from kalkan.errors import InputError
from kalkan.io.hazard.case_npz import CASE_HAZ_TYPES


class CaseHazardStream:
    """An EventSource over a case ``hazard.npz`` (see kalkan.io.case), with the hazard's small arrays."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        where = str(self.path)
        try:
            npz = np.load(self.path, allow_pickle=False)
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise InputError(f"{where}: not a readable .npz archive ({exc}).", code="input.unreadable") from exc
        with npz:
            missing = [k for k in ("data", "indices", "indptr", "shape", "frequency", "event_id", "centroid_lon",
                                   "centroid_lat", "haz_type", "units") if k not in npz.files]  # fmt: skip
            if missing:
                raise InputError(
                    f"{where}: missing array(s) {', '.join(missing)} of a case hazard.npz.",
                    code="input.missing",
                    field=missing[0],
                )
            haz_type = str(npz["haz_type"])
            if haz_type not in CASE_HAZ_TYPES:
                raise InputError(
                    f"{where}: haz_type {haz_type!r} is not supported; supported: EQ, FL.",
                    code="input.unsupported",
                    field="haz_type",
                )
            self.peril, self.imt, self.unit = CASE_HAZ_TYPES[haz_type]
            if str(npz["units"]) != self.unit:
                raise InputError(
                    f"{where}: units {str(npz['units'])!r} do not match haz_type {haz_type}.",
                    code="input.inconsistent",
                    field="units",
                )
            check_imt_unit(self.imt, self.unit, where)
            shape = np.asarray(npz["shape"]).astype(np.int64)
            self.indptr = np.asarray(npz["indptr"]).astype(np.int64)
            self.frequency = np.asarray(npz["frequency"], dtype=np.float64)
            self.event_id = np.asarray(npz["event_id"]).astype(np.int64)
            self.site_lon = np.asarray(npz["centroid_lon"], dtype=np.float64)
            self.site_lat = np.asarray(npz["centroid_lat"], dtype=np.float64)
        if shape.shape != (2,):
            raise InputError(f"{where}: 'shape' must hold (events, sites).", code="input.type", field="shape")
        self._n_events, self._n_sites = int(shape[0]), int(shape[1])
        if self._n_events == 0:
            raise InputError(f"{where}: the event set is empty (0 events).", code="input.empty")
        if self.indptr.shape != (self._n_events + 1,) or self.indptr[0] != 0 or np.any(np.diff(self.indptr) < 0):
            raise InputError(
                f"{where}: 'indptr' must start at 0 and not decrease, with one entry per event plus one.",
                code="input.inconsistent",
                field="indptr",
            )
        for name, arr, n in (("frequency", self.frequency, self._n_events), ("event_id", self.event_id, self._n_events),
                             ("centroid_lon", self.site_lon, self._n_sites),
                             ("centroid_lat", self.site_lat, self._n_sites)):  # fmt: skip
            if arr.shape != (n,):
                raise InputError(
                    f"{where}: '{name}' has shape {arr.shape}; expected ({n},).", code="input.inconsistent", field=name
                )
        bad = ~np.isfinite(self.frequency) | (self.frequency < 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{where}: 'frequency' at position {k} is {float(self.frequency[k])}; expected >= 0.",
                code="input.range",
                field="frequency",
                row=k,
            )
        self.nnz = int(self.indptr[-1])
        self._data_dtype = self._member_header("data")[0]

    @property
    def source(self) -> str:
        """The file the events are read from."""
        return str(self.path)

    @property
    def n_events(self) -> int:
        return self._n_events

    @property
    def n_sites(self) -> int:
        return self._n_sites

    @property
    def data_dtype(self) -> np.dtype[Any]:
        return self._data_dtype

    def _member_header(self, name: str) -> tuple[np.dtype[Any], tuple[int, ...]]:
        with zipfile.ZipFile(self.path) as zf, zf.open(f"{name}.npy") as fh:
            return _npy_header(fh, f"{self.path}:{name}")

    def chunks(self, events_per_chunk: int) -> Iterator[CsrChunk]:
        where = str(self.path)
        with zipfile.ZipFile(self.path) as zf, zf.open("data.npy") as fd, zf.open("indices.npy") as fi:
            d_dtype, d_shape = _npy_header(fd, f"{where}:data")
            i_dtype, i_shape = _npy_header(fi, f"{where}:indices")
            if d_shape != (self.nnz,) or i_shape != (self.nnz,):
                raise InputError(
                    f"{where}: 'data' and 'indices' must hold indptr[-1] = {self.nnz:,} values.",
                    code="input.inconsistent",
                    field="data",
                )
            if d_dtype.kind != "f" or i_dtype.kind not in "iu":
                raise InputError(
                    f"{where}: 'data' must be floating point and 'indices' integer.", code="input.type", field="data"
                )
            for start in range(0, self._n_events, events_per_chunk):
                stop = min(self._n_events, start + events_per_chunk)
                lo, hi = int(self.indptr[start]), int(self.indptr[stop])
                data = _read(fd, d_dtype, hi - lo, where)
                indices = _read(fi, i_dtype, hi - lo, where).astype(np.int32, copy=False)
                bad = ~np.isfinite(data) | (data < 0)
                if bad.any() or (indices.size and (indices.min() < 0 or indices.max() >= self._n_sites)):
                    k = int(np.flatnonzero(bad | (indices < 0) | (indices >= self._n_sites))[0])
                    row = start + int(np.searchsorted(self.indptr[start : stop + 1] - lo, k, side="right") - 1)
                    raise InputError(
                        f"{where}: event row {row}: intensity {float(data[k])} at site index {int(indices[k])}; "
                        f"expected a finite value >= 0 ({self.unit}) at a site 0-{self._n_sites - 1}.",
                        code="input.range",
                        field="intensity",
                        row=row,
                    )
                yield CsrChunk(start, stop, self.indptr[start : stop + 1] - lo, indices, data)


def _npy_header(fh: IO[bytes], where: str) -> tuple[np.dtype[Any], tuple[int, ...]]:
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    except ValueError as exc:
        raise InputError(f"{where}: not a .npy array ({exc}).", code="input.syntax") from exc
    if fortran and len(shape) > 1:
        raise InputError(f"{where}: a Fortran-ordered array is not supported.", code="input.unsupported")
    return np.dtype(dtype), tuple(shape)


def _read(fh: IO[bytes], dtype: np.dtype[Any], count: int, where: str) -> NDArray[Any]:
    buf = fh.read(count * dtype.itemsize)
    if len(buf) != count * dtype.itemsize:
        raise InputError(f"{where}: the archive ends early (truncated file?).", code="input.unreadable")
    return np.frombuffer(buf, dtype=dtype).copy() if not dtype.isnative else np.frombuffer(buf, dtype=dtype)
