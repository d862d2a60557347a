"""A city's own daily weather series in the store: imported once, then used by every climate command.

Why: the issue's rule is "daily temperature baselines per city from station data when a user imports it,
otherwise from the shipped series". A city's hydrometeorological service gives a CSV of daily Tmax/Tmin
(optionally Tmean and precipitation); it is checked row by row (:func:`kalkan.io.daily_temperature.
read_user_daily_csv`, or :func:`kalkan.io.daily_weather.read_user_weather_csv` when it has ``precip_mm``),
stored on its complete calendar with missing days as NULL (never filled) and its gap counts, and read back
as the same :class:`~kalkan.core.climate.series.DailySeries`. Each import is a version of the city's data: a
new one supersedes the current series (the city's own only with ``replace``) and the old one is kept.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kalkan import config
from kalkan.core.climate.series import DailySeries, Kind, gap_report
from kalkan.errors import InputError
from kalkan.io.daily_temperature import csv_header, read_user_daily_csv
from kalkan.io.daily_weather import read_user_weather_csv
from kalkan.store.database import store_scope
from kalkan.store.models import StationDay, StationSeries
from kalkan.store.registry import get_city
from kalkan.store.versions import current_version, new_version

CHUNK_ROWS = 5000


def read_station_file(path: Path, *, source: str, licence: str, kind: Kind = "station") -> DailySeries:
    """A user's daily CSV: ``date,tmax_c,tmin_c[,tmean_c][,precip_mm]`` (°C, mm/day), every row checked."""
    if "precip_mm" in csv_header(Path(path), "station CSV"):
        series = read_user_weather_csv(path, source=source, licence=licence, kind=kind)
        if not isinstance(series, DailySeries):
            raise InputError(
                f"{path}: a station series must be daily (a 'date' column), not monthly.",
                code="input.unsupported",
                field="month",
            )
        return series
    return read_user_daily_csv(path, source=source, licence=licence, kind=kind)


def _cell(values: np.ndarray[Any, Any] | None, i: int) -> float | None:
    if values is None:
        return None
    v = float(values[i])
    return None if math.isnan(v) else v


def save_station_series(
    session: Session, city_id: str, series: DailySeries, imported_from: str, *, replace: bool = False
) -> StationSeries:
    """Store ``series`` as a new current version of the city's station series in the caller's transaction
    (the previous one is kept; the city's own is superseded only with ``replace``)."""
    get_city(session, city_id)
    change = new_version(
        session, city_id, "station", origin="city", source=series.source, rows=int(series.dates.size),
        replace=replace, licence=series.licence, imported_from=imported_from,
    )  # fmt: skip
    g, pg = series.gaps, series.precip_gaps
    record = StationSeries(
        city_id=city_id, version_id=change.current.id, source=series.source, licence=series.licence, kind=series.kind,
        imported_from=imported_from, first_day=g.first_day, last_day=g.last_day, sentinel_days=g.sentinel_days,
        absent_days=g.absent_days, precip_sentinel_days=None if pg is None else pg.sentinel_days,
        precip_absent_days=None if pg is None else pg.absent_days,
    )  # fmt: skip
    session.add(record)
    session.flush()
    days = series.dates.astype("datetime64[D]").astype(object)
    rows: list[dict[str, Any]] = []
    for i, day in enumerate(days):
        rows.append({
            "series_id": record.id, "day": day, "tmax_c": _cell(series.tmax_c, i), "tmin_c": _cell(series.tmin_c, i),
            "tmean_c": _cell(series.tmean_c, i), "precip_mm": _cell(series.precip_mm, i),
        })  # fmt: skip
        if len(rows) == CHUNK_ROWS:
            session.execute(insert(StationDay), rows)
            rows = []
    if rows:
        session.execute(insert(StationDay), rows)
    return record


def load_station_series(session: Session, city_id: str) -> DailySeries | None:
    """The city's stored series as a DailySeries (gaps recomputed from the stored NULLs), or None."""
    version = current_version(session, city_id, "station")
    if version is None:
        return None
    record = session.execute(select(StationSeries).where(StationSeries.version_id == version.id)).scalar_one()
    rows = session.execute(
        select(StationDay.day, StationDay.tmax_c, StationDay.tmin_c, StationDay.tmean_c, StationDay.precip_mm)
        .where(StationDay.series_id == record.id)
        .order_by(StationDay.day)
    ).all()
    dates = np.array([np.datetime64(r[0], "D") for r in rows])
    cols = [np.array([np.nan if r[j] is None else r[j] for r in rows], dtype=np.float64) for j in range(1, 5)]
    present = [not all(r[j] is None for r in rows) for j in range(1, 5)]
    tmax, tmin, tmean, precip = (c if p else None for c, p in zip(cols, present, strict=True))
    missing = np.zeros(dates.size, dtype=bool)
    for c in (tmax, tmin, tmean):
        if c is not None:
            missing |= np.isnan(c)
    precip_gaps = None
    if precip is not None:
        precip_gaps = gap_report(
            dates, np.isnan(precip), sentinel_days=record.precip_sentinel_days or 0,
            absent_days=record.precip_absent_days or 0,
        )  # fmt: skip
    kind: Kind = "reanalysis" if record.kind == "reanalysis" else "station"
    return DailySeries(
        dates=dates, tmax_c=tmax, tmin_c=tmin, tmean_c=tmean, source=record.source, kind=kind, licence=record.licence,
        gaps=gap_report(dates, missing, sentinel_days=record.sentinel_days, absent_days=record.absent_days),
        notes=(f"imported into the store on {record.imported_at:%Y-%m-%d} from {record.imported_from}",),
        precip_mm=precip, precip_gaps=precip_gaps,
    )  # fmt: skip


def station_summary(session: Session, city_id: str) -> dict[str, Any] | None:
    """What is stored for the city (source, licence, kind, period, gaps), or None."""
    series = load_station_series(session, city_id)
    if series is None:
        return None
    return {
        "city_id": city_id,
        "source": series.source,
        "licence": series.licence,
        "kind": series.kind,
        "variables": [n for n in ("tmax_c", "tmin_c", "tmean_c", "precip_mm") if getattr(series, n) is not None],
        "gaps": series.gaps.as_dict(max_periods=20),
        "notes": list(series.notes),
    }


def stored_series_if_any(city_id: str) -> DailySeries | None:
    """The city's imported series when a store exists and has one; None when there is no store at all (the
    embedded database not created yet and no ``KALKAN_DATABASE_URL``), so climate commands work without one."""
    if not os.environ.get(config.DATABASE_URL_ENV, "").strip() and not config.default_sqlite_path().exists():
        return None
    with store_scope() as store, store.read() as session:
        get_city(session, city_id)
        return load_station_series(session, city_id)
