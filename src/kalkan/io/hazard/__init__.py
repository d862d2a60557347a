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

The readers and writer are one module per format (:mod:`~kalkan.io.hazard.kalkan_npz`,
:mod:`~kalkan.io.hazard.case_npz`, :mod:`~kalkan.io.hazard.climada_hdf5`) over shared checks
(:mod:`~kalkan.io.hazard.checks`); :func:`load_any_hazard` reads whichever format a file is.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError
from kalkan.io.hazard.case_npz import CASE_HAZ_TYPES, load_case_hazard
from kalkan.io.hazard.checks import PathLike
from kalkan.io.hazard.climada_hdf5 import CLIMADA_HAZ_TYPES, load_climada_hazard
from kalkan.io.hazard.kalkan_npz import (
    FORMAT_NAME,
    FORMAT_VERSION,
    hazard_provenance,
    load_hazard,
    read_hazard_metadata,
    save_hazard,
)

__all__ = [
    "CASE_HAZ_TYPES",
    "CLIMADA_HAZ_TYPES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "hazard_provenance",
    "load_any_hazard",
    "load_case_hazard",
    "load_climada_hazard",
    "load_hazard",
    "read_hazard_metadata",
    "save_hazard",
]


def load_any_hazard(path: PathLike) -> HazardSet:
    """Read a hazard in whichever format the file is: CLIMADA HDF5 (.hdf5/.h5), Kalkan NPZ (it has a
    ``metadata`` entry) or a benchmark-case NPZ (``haz_type``)."""
    p = Path(path)
    if p.suffix.lower() in (".hdf5", ".h5"):
        return load_climada_hazard(p)
    if p.suffix.lower() != ".npz":
        raise InputError(
            f"{p}: unknown hazard format; expected a Kalkan or case .npz, or a CLIMADA .hdf5 file.",
            code="input.unsupported",
        )
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
    except FileNotFoundError as exc:
        raise InputError(f"{p}: file not found.", code="input.not_found") from exc
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{p}: not a readable .npz archive ({exc}).", code="input.unreadable") from exc
    if "metadata.npy" in names:
        return load_hazard(p)
    if "haz_type.npy" in names:
        return load_case_hazard(p)
    raise InputError(
        f"{p}: neither a Kalkan hazard (no 'metadata') nor a case hazard (no 'haz_type').", code="input.syntax"
    )
