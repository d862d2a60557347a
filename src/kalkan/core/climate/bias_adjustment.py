"""Bias adjustment of a reanalysis daily series against a station's monthly normals (the delta/scaling method).

A reanalysis grid point is not the city's station: CFSR and NASA POWER cells are tens of km wide and hundreds of
metres off in height, so their monthly means can be off by several °C. Where the city has station normals, each
calendar month ``m`` of the series is shifted so that its mean over the normals' period equals the station's:

* temperature (Tmax, Tmin, Tmean; °C), **additive**: ``x'(d) = x(d) + (N_m - mean_m)``, where ``mean_m`` is the
  mean of the series' valid days of month ``m`` in the years it shares with the normals' period;
* precipitation (mm/day), **multiplicative**: ``p'(d) = p(d) * N_m / (mean_m * days_m)``, with ``N_m`` the
  normal monthly total (mm), ``mean_m`` the mean daily amount and ``days_m`` the mean length of month ``m`` over
  the same years, so that the mean monthly total becomes ``N_m``; a factor outside
  :data:`PRECIP_FACTOR_RANGE` is not applied (a dry model month cannot be scaled to a wet station month).

This is the "linear scaling" of Teutschbein & Seibert (2012), J. Hydrol. 456-457, 12-29, doi:10.1016/
j.jhydrol.2012.05.052: it corrects monthly means only, not variance or extremes. A month with fewer than
:data:`MIN_OVERLAP_YEARS` years of data in the shared period is not adjusted; every such choice is reported.
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.climate.series import DailySeries

MIN_OVERLAP_YEARS = 5
"""Fewest distinct years with data of a calendar month, within the normals' period, to adjust that month."""
PRECIP_FACTOR_RANGE = (0.1, 10.0)
"""Precipitation factors outside this range are not applied (and reported)."""

TEMPERATURE_NORMALS = {"tmax_c": "tmax_mean_c", "tmin_c": "tmin_mean_c", "tmean_c": "tmean_c"}
"""Series variable -> normals variable (monthly means of daily values, °C)."""

METHOD = (
    "linear scaling per calendar month (Teutschbein & Seibert 2012): temperatures shifted by (station normal - "
    "series mean) °C, precipitation multiplied by (station normal total / series mean total); means over the years "
    "the series shares with the normals' period; applied to every day of that calendar month; monthly means only "
    "(variance and extremes are not corrected)"
)


@dataclass(frozen=True, slots=True)
class BiasAdjustment:
    """What was adjusted: per calendar month the shift (°C) of each temperature and the precipitation factor."""

    applied: bool
    reason: str
    station: str | None = None
    normals_period: tuple[int, int] | None = None
    overlap_years: tuple[int, int] | None = None
    months: tuple[dict[str, Any], ...] = ()
    not_adjusted: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "reason": self.reason,
            "station": self.station,
            "normals_period": None if self.normals_period is None else list(self.normals_period),
            "overlap_years": None if self.overlap_years is None else list(self.overlap_years),
            "method": METHOD if self.applied else None,
            "months": list(self.months),
            "not_adjusted": list(self.not_adjusted),
            "units": {"temperature_shift": "°C", "precip_factor": "dimensionless"},
        }


def _month_mask(series: DailySeries, month: int, first: int, last: int) -> NDArray[np.bool_]:
    years = series.years
    return np.asarray((series.months == month) & (years >= first) & (years <= last), dtype=bool)


def bias_adjust(
    series: DailySeries,
    normals: Mapping[str, Mapping[int, float]],
    period: tuple[int, int],
    *,
    station: str,
    min_years: int = MIN_OVERLAP_YEARS,
) -> tuple[DailySeries, BiasAdjustment]:
    """The series adjusted to the station's monthly ``normals`` (``{"tmax_mean_c": {1: 9.0, ...}, ...}``: °C,
    and ``precip_mm`` mm/month) over ``period`` (years, inclusive), and the record of what was done."""
    first, last = max(period[0], int(series.years.min())), min(period[1], int(series.years.max()))
    if first > last:
        return series, BiasAdjustment(
            False, f"not bias-adjusted: the series ({int(series.years.min())}-{int(series.years.max())}) does not "
            f"overlap the normals' period {period[0]}-{period[1]}", station, period)  # fmt: skip
    adjusted: dict[str, NDArray[np.float64]] = {}
    months: list[dict[str, Any]] = []
    skipped: list[str] = []
    for m in range(1, 13):
        rec: dict[str, Any] = {"month": m}
        sel = _month_mask(series, m, first, last)
        for var, normal_var in TEMPERATURE_NORMALS.items():
            values = getattr(series, var)
            normal = normals.get(normal_var, {}).get(m)
            if values is None or normal is None:
                continue
            ok = sel & np.isfinite(values)
            if np.unique(series.years[ok]).size < min_years:
                skipped.append(f"{var} month {m}: fewer than {min_years} years of data in {first}-{last}")
                continue
            shift = float(normal) - float(values[ok].mean())
            out = adjusted.setdefault(var, values.copy())
            out[series.months == m] += shift
            rec[f"{var}_shift"] = round(shift, 4)
            rec[f"{var}_series_mean"] = round(float(values[ok].mean()), 4)
            rec[f"{var}_normal"] = float(normal)
        normal_p = normals.get("precip_mm", {}).get(m)
        if series.precip_mm is not None and normal_p is not None:
            p = series.precip_mm
            ok = sel & np.isfinite(p)
            if np.unique(series.years[ok]).size < min_years:
                skipped.append(f"precip_mm month {m}: fewer than {min_years} years of data in {first}-{last}")
            else:
                years_m = np.unique(series.years[sel])
                days = float(np.mean([_days_in_month(int(y), m) for y in years_m]))
                total = float(p[ok].mean()) * days
                factor = float(normal_p) / total if total > 0 else float("inf")
                lo, hi = PRECIP_FACTOR_RANGE
                if lo <= factor <= hi:
                    out_p = adjusted.setdefault("precip_mm", p.copy())
                    out_p[series.months == m] *= factor
                    rec["precip_factor"] = round(factor, 5)
                    rec["precip_series_mean_mm"] = round(total, 3)
                    rec["precip_normal_mm"] = float(normal_p)
                else:
                    skipped.append(f"precip_mm month {m}: factor {factor:.3g} outside {lo:g}-{hi:g} (series "
                                   f"{total:.1f} mm against the normal {normal_p:g} mm); not adjusted")  # fmt: skip
        if len(rec) > 1:
            months.append(rec)
    if not adjusted:
        why = "not bias-adjusted: the normals and the series share no variable with enough data"
        return series, BiasAdjustment(False, why, station, period, (first, last), (), tuple(skipped))
    note = f"bias-adjusted to the station normals of {station} ({period[0]}-{period[1]}), {first}-{last} overlap"
    new = dataclasses.replace(series, notes=(*series.notes, note), **adjusted)  # type: ignore[arg-type]
    return new, BiasAdjustment(True, note, station, period, (first, last), tuple(months), tuple(skipped))


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]
