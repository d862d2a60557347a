"""Read the ISC-GEM catalogue extract shipped with Kalkan (CC BY-SA 3.0; see its README) and find events."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geometry import EARTH_MEAN_RADIUS_KM
from kalkan.errors import InputError

COLUMNS = ("eventid", "origin_time_utc", "lat", "lon", "epicentre_quality", "depth_km", "depth_quality", "mw",
           "mw_source", "mw_quality")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CatalogueEvent:
    """One ISC-GEM event: epicentre (WGS84 degrees), depth (km), moment magnitude and quality flags."""

    eventid: int
    origin_time_utc: str
    lon: float
    lat: float
    depth_km: float
    mw: float
    mw_source: str
    quality: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The catalogue as columns (one entry per event)."""

    eventid: NDArray[np.int64]
    origin_time_utc: NDArray[np.str_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    depth_km: NDArray[np.float64]
    mw: NDArray[np.float64]
    mw_source: NDArray[np.str_]
    quality: NDArray[np.str_]
    source: str

    def event(self, eventid: int) -> CatalogueEvent:
        k = np.flatnonzero(self.eventid == eventid)
        if k.size == 0:
            raise InputError(f"{self.source}: no event with id {eventid}.")
        i = int(k[0])
        return CatalogueEvent(int(self.eventid[i]), str(self.origin_time_utc[i]), float(self.lon[i]),
                              float(self.lat[i]), float(self.depth_km[i]), float(self.mw[i]), str(self.mw_source[i]),
                              str(self.quality[i]))  # fmt: skip

    def near(self, lon: float, lat: float, radius_km: float, min_mw: float = 0.0) -> list[CatalogueEvent]:
        """Events within ``radius_km`` of (lon, lat) by great-circle distance, largest magnitude first."""
        p1, p2 = np.radians(lat), np.radians(self.lat)
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(self.lon - lon) / 2) ** 2
        dist = 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.sqrt(a))
        idx = np.flatnonzero((dist <= radius_km) & (self.mw >= min_mw))
        idx = idx[np.argsort(-self.mw[idx], kind="stable")]
        return [self.event(int(self.eventid[i])) for i in idx]


def read_catalogue_rows(path: Path | str) -> list[dict[str, str]]:
    """The rows of a catalogue CSV as text, after checking that every column of :data:`COLUMNS` is there."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or set(COLUMNS) - set(reader.fieldnames):
                raise InputError(f"{path}: expected the columns {', '.join(COLUMNS)}.")
            return list(reader)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.") from exc


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
                raise InputError(f"{path}, line {i}, field '{c}': {row[c]!r} is not a number.") from exc
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
    from kalkan.catalog.sources import data_source

    return read_catalogue(data_source("isc_gem_catalogue_central_asia").paths()[0])
