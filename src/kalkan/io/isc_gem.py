"""Read the ISC-GEM catalogue extract shipped with Kalkan (CC BY-SA 3.0; see its README), and ISC-GEM-style CSVs,
into :class:`kalkan.core.hazard.earthquake.catalogue.Catalogue`."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np

from kalkan.catalog.sources import data_source
from kalkan.core.hazard.earthquake import catalogue as cat
from kalkan.core.hazard.earthquake.catalogue import Catalogue
from kalkan.errors import InputError

COLUMNS = ("eventid", "origin_time_utc", "lat", "lon", "epicentre_quality", "depth_km", "depth_quality", "mw",
           "mw_source", "mw_quality")  # fmt: skip


def read_catalogue_rows(path: Path | str) -> list[dict[str, str]]:
    """The rows of a catalogue CSV as text, after checking that every column of :data:`COLUMNS` is there."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or set(COLUMNS) - set(reader.fieldnames):
                raise InputError(f"{path}: expected the columns {', '.join(COLUMNS)}.", code="input.missing", row=1)
            return list(reader)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.", code="input.not_found") from exc


def read_catalogue(path: Path) -> Catalogue:
    """Read a catalogue CSV with :data:`COLUMNS`; errors name the line and field."""
    path = Path(path)
    rows = read_catalogue_rows(path)
    cols: dict[str, list[object]] = {c: [] for c in COLUMNS}
    for i, row in enumerate(rows, start=2):
        for c in COLUMNS:
            cols[c].append(row[c])
        for c in ("lat", "lon", "depth_km", "mw"):
            try:
                float(row[c])
            except ValueError as exc:
                raise InputError(
                    f"{path}, line {i}, field '{c}': {row[c]!r} is not a number.", code="input.type", field=c, row=i
                ) from exc
    quality = [f"epicentre {e}, depth {d}, Mw {m}" for e, d, m in
               zip(cols["epicentre_quality"], cols["depth_quality"], cols["mw_quality"], strict=True)]  # fmt: skip
    return Catalogue(
        eventid=np.array(cols["eventid"], dtype=np.int64),
        origin_time_utc=np.array(cols["origin_time_utc"], dtype=str),
        lon=np.array(cols["lon"], dtype=np.float64),
        lat=np.array(cols["lat"], dtype=np.float64),
        depth_km=np.array(cols["depth_km"], dtype=np.float64),
        mw=np.array(cols["mw"], dtype=np.float64),
        mw_source=np.array(cols["mw_source"], dtype=str),
        quality=np.array(quality, dtype=str),
        source=str(path),
    )


@cache
def shipped_catalogue() -> Catalogue:
    """The ISC-GEM v7.0 Central Asia extract shipped in kalkan/data (CC BY-SA 3.0)."""
    return read_catalogue(data_source("isc_gem_catalogue_central_asia").paths()[0])


def read_catalogue_lenient(path: Path | str) -> tuple[Catalogue, tuple[str, ...]]:
    """Read an ISC-GEM-style CSV (:data:`COLUMNS`) keeping rows with empty or malformed numbers as NaN, so that
    :func:`kalkan.core.hazard.earthquake.regional_model.build_regional_model` can report and exclude them with
    counts; the problems are returned as messages naming line and field. A missing column is still an error."""
    path = Path(path)
    rows = read_catalogue_rows(path)
    problems: list[str] = []
    for i, row in enumerate(rows, start=2):
        for c in ("lat", "lon", "depth_km", "mw"):
            try:
                float(row[c])
            except (TypeError, ValueError):
                problems.append(f"{path.name}, line {i}, field '{c}': {row[c]!r} is not a number")
    ids = cat.parse_floats([r["eventid"] for r in rows])
    quality = [f"epicentre {r['epicentre_quality']}, depth {r['depth_quality']}, Mw {r['mw_quality']}" for r in rows]
    catalogue = Catalogue(
        eventid=np.where(np.isfinite(ids), ids, -1).astype(np.int64),
        origin_time_utc=np.array([r["origin_time_utc"] for r in rows], dtype=str),
        lon=cat.parse_floats([r["lon"] for r in rows]),
        lat=cat.parse_floats([r["lat"] for r in rows]),
        depth_km=cat.parse_floats([r["depth_km"] for r in rows]),
        mw=cat.parse_floats([r["mw"] for r in rows]),
        mw_source=np.array([r["mw_source"] for r in rows], dtype=str),
        quality=np.array(quality, dtype=str),
        source=str(path),
    )
    return catalogue, tuple(problems)
