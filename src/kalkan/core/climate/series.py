"""Daily and monthly weather series as typed values: the data the climate indicators, bias adjustment and drought
indices compute on.

A daily series lies on a complete calendar from its first to its last date; a missing day is NaN and is
*reported* in a :class:`GapReport` (count, longest run, every missing period), never filled. Temperatures are in
°C (``*_c``), precipitation in mm per day (``precip_mm``) or, for :class:`MonthlyWeather`, mm per month. The
readers that build these values from files are :mod:`kalkan.io.daily_temperature` and
:mod:`kalkan.io.daily_weather`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Kind = Literal["station", "reanalysis"]
"""A series from a station (observations) or a reanalysis (a gridded model product: smooths extremes)."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GapPeriod:
    """A run of consecutive missing days, both ends inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class GapReport:
    """Missing days of a daily series: how many, the longest run and every missing period.

    ``sentinel_days`` counts days that held a missing-value sentinel in the file (they are also in
    ``missing_days``); ``absent_days`` counts calendar days that have no row at all.
    """

    first_day: date
    last_day: date
    total_days: int
    missing_days: int
    sentinel_days: int
    absent_days: int
    longest_gap_days: int
    periods: tuple[GapPeriod, ...]

    @property
    def missing_fraction(self) -> float:
        return self.missing_days / self.total_days if self.total_days else 0.0

    def as_dict(self, *, max_periods: int | None = None) -> dict[str, object]:
        periods = self.periods if max_periods is None else self.periods[:max_periods]
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "total_days": self.total_days,
            "missing_days": self.missing_days,
            "missing_fraction": round(self.missing_fraction, 4),
            "sentinel_days": self.sentinel_days,
            "absent_days": self.absent_days,
            "longest_gap_days": self.longest_gap_days,
            "gap_periods": len(self.periods),
            "periods": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "days": p.days} for p in periods],
            "periods_shown": len(periods),
            "filled": False,
        }


@dataclass(frozen=True, slots=True)
class DailySeries:
    """Daily temperatures (°C) on a complete calendar; NaN = missing; ``None`` = the source has no such variable.

    ``kind`` is ``"reanalysis"`` for gridded model/satellite products (NASA POWER, CFSR): they are not
    observations at the city and smooth extremes. ``precip_mm`` (mm/day) and its own ``precip_gaps`` are
    ``None`` when the source has no precipitation.
    """

    dates: NDArray[np.datetime64]
    tmax_c: NDArray[np.float64] | None
    tmin_c: NDArray[np.float64] | None
    tmean_c: NDArray[np.float64] | None
    source: str
    kind: Kind
    licence: str
    gaps: GapReport
    notes: tuple[str, ...] = field(default=())
    precip_mm: NDArray[np.float64] | None = None
    precip_gaps: GapReport | None = None

    @property
    def years(self) -> NDArray[np.int64]:
        return self.dates.astype("datetime64[Y]").astype(np.int64) + 1970

    @property
    def months(self) -> NDArray[np.int64]:
        return self.dates.astype("datetime64[M]").astype(np.int64) % 12 + 1

    def mean_temperature_c(self) -> tuple[NDArray[np.float64], str] | None:
        """Daily mean temperature (°C) and how it was obtained, or None when neither Tmean nor Tmax+Tmin exist.

        Gridded sources give Tmax and Tmin only; their daily mean is taken as (Tmax + Tmin)/2, the usual
        approximation (WMO-No. 1203 guide to climatological practices accepts it where hourly data are absent).
        """
        if self.tmean_c is not None:
            return self.tmean_c, "daily mean reported by the source"
        if self.tmax_c is not None and self.tmin_c is not None:
            return (self.tmax_c + self.tmin_c) / 2.0, "(Tmax + Tmin) / 2"
        return None


def gap_report(
    dates: NDArray[np.datetime64], missing: NDArray[np.bool_], *, sentinel_days: int = 0, absent_days: int = 0
) -> GapReport:
    """Count missing days, find the longest run and list every missing period of a complete daily calendar."""
    periods: list[GapPeriod] = []
    if missing.any():
        m = np.concatenate([[False], missing, [False]]).astype(np.int8)
        edges = np.diff(m)
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1) - 1
        periods = [GapPeriod(_to_date(dates[s]), _to_date(dates[e])) for s, e in zip(starts, ends, strict=True)]
    return GapReport(
        first_day=_to_date(dates[0]),
        last_day=_to_date(dates[-1]),
        total_days=int(dates.size),
        missing_days=int(missing.sum()),
        sentinel_days=sentinel_days,
        absent_days=absent_days,
        longest_gap_days=max((p.days for p in periods), default=0),
        periods=tuple(periods),
    )


def _to_date(d: np.datetime64) -> date:
    out = d.astype("datetime64[D]").item()
    assert isinstance(out, date)
    return out


@dataclass(frozen=True, slots=True)
class MonthlyWeather:
    """Monthly precipitation totals (mm/month) and mean temperatures (°C) on a complete month calendar.

    NaN = missing (an empty cell, a sentinel or a month without a row); ``missing_months`` lists them
    (``YYYY-MM``). ``tmean_c`` is the file's own mean, or (Tmax + Tmin)/2 where only those are given.
    """

    months: NDArray[np.datetime64]
    precip_mm: FloatArray
    tmean_c: FloatArray
    source: str
    kind: Kind
    licence: str
    missing_months: tuple[str, ...]
    absent_months: int
    notes: tuple[str, ...] = field(default=())

    def gaps_dict(self) -> dict[str, object]:
        """Missing months, JSON-ready; gaps are never filled."""
        return {
            "first_month": str(self.months[0]),
            "last_month": str(self.months[-1]),
            "total_months": int(self.months.size),
            "missing_months": len(self.missing_months),
            "absent_months": self.absent_months,
            "periods": list(self.missing_months[:50]),
            "filled": False,
        }


def series_label(kind: str, source: str) -> str:
    """How a series is named in every table and JSON record: a reanalysis is never shown as if it were a
    station."""
    if kind == "reanalysis":
        return f"REANALYSIS (gridded model, not a station) in place of station data: {source}"
    return f"station observations: {source}"
