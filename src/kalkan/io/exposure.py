"""Exposure input/output: pick the reader or writer from the file name.

- ``.csv``: the Kalkan exposure CSV (:mod:`kalkan.io.exposure_csv`, columns in
  :mod:`kalkan.io.exposure_columns`);
- ``.xml``: an OpenQuake exposure model, with inline assets or CSV asset files (:mod:`kalkan.io.exposure_oq`);
- ``.gpkg``: a GeoPackage point layer in EPSG:4326 (:mod:`kalkan.io.geopackage`).

Every reader returns a validated :class:`~kalkan.core.exposure.table.Exposure` or raises an
:class:`~kalkan.errors.InputError` naming the file, the row (or asset, or feature) and the field. Every writer
writes a temporary file in the target directory and renames it, so a failed write leaves nothing half-done.
See ``docs/exposure.md``.
"""

from __future__ import annotations

import os
from pathlib import Path

from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError
from kalkan.io.exposure_csv import read_exposure_csv, write_exposure_csv
from kalkan.io.exposure_oq import read_exposure_oq, write_exposure_oq
from kalkan.io.geopackage import read_exposure_gpkg, write_exposure_gpkg

__all__ = [
    "FORMATS",
    "read_exposure",
    "read_exposure_csv",
    "read_exposure_gpkg",
    "read_exposure_oq",
    "write_exposure",
    "write_exposure_csv",
    "write_exposure_gpkg",
    "write_exposure_oq",
]

FORMATS = {".csv": "Kalkan exposure CSV", ".xml": "OpenQuake exposure model", ".gpkg": "GeoPackage point layer"}
"""File name suffix -> exposure format."""


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(f"{k} ({v})" for k, v in FORMATS.items())
        raise InputError(
            f"{path}: unknown exposure format {suffix or '(no suffix)'!r}; expected {known}.", code="input.unsupported"
        )
    return suffix


def read_exposure(
    path: str | os.PathLike[str],
    *,
    currency: str | None = None,
    price_year: int | None = None,
    layer: str | None = None,
    allow_empty: bool = False,
) -> Exposure:
    """Read an exposure file in the format its suffix names; ``layer`` is for GeoPackage only.

    ``currency`` and ``price_year`` state what the costs are in when the file does not say (default USD);
    when the file does say, they must agree with it. A file without assets (a header and no rows) is an
    error unless ``allow_empty``.
    """
    path = Path(path)
    suffix = _suffix(path)
    if layer is not None and suffix != ".gpkg":
        raise InputError(
            f"{path}: a layer can only be chosen in a GeoPackage (.gpkg).", code="input.options", field="--layer"
        )
    if suffix == ".csv":
        exposure = read_exposure_csv(path, currency=currency, price_year=price_year)
    elif suffix == ".xml":
        exposure = read_exposure_oq(path, currency=currency, price_year=price_year)
    else:
        exposure = read_exposure_gpkg(path, layer=layer, currency=currency, price_year=price_year)
    if len(exposure) == 0 and not allow_empty:
        raise InputError(
            f"{path}: no assets (the file has no data rows); an exposure needs at least one asset.", code="input.empty"
        )
    return exposure


def write_exposure(exposure: Exposure, path: str | os.PathLike[str]) -> Path:
    """Write ``exposure`` in the format the suffix of ``path`` names (``.xml`` also writes ``<stem>.csv``)."""
    path = Path(path)
    suffix = _suffix(path)
    if suffix == ".csv":
        return write_exposure_csv(exposure, path)
    if suffix == ".xml":
        return write_exposure_oq(exposure, path)
    return write_exposure_gpkg(exposure, path)
