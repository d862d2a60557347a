"""Heat and cold indicators from a daily temperature series, per calendar year and as a mean over a window.

Definitions (all temperatures in °C; counts per calendar year):

* hot days: Tmax ≥ 35 °C, and Tmax above the baseline 90th / 95th percentile of daily Tmax;
* heat wave: ≥ 3 consecutive days with Tmax above the baseline 90th percentile of Tmax — the percentile
  heat-wave definition of Perkins & Alexander (2013, J. Climate 26, 4500–4517, doi:10.1175/JCLI-D-12-00383.1),
  here with a whole-year (not calendar-day) percentile so that only summer heat qualifies. Reported as
  their HWN (events), HWF (days), mean and longest duration (days) and mean excess over the threshold (°C);
* tropical nights: Tmin ≥ 20 °C (ETCCDI "TR" uses > 20 °C);
* frost days: Tmin < 0 °C (ETCCDI "FD");
* extreme-cold days: Tmin ≤ −25 °C, and Tmin below the baseline 5th percentile of Tmin;
* heating degree days: Σ max(0, 18 °C − Tmean); cooling degree days: Σ max(0, Tmean − 18 °C) (°C·day).

Percentiles use all valid days of the baseline years (numpy linear interpolation). A year with more than
``max_missing_fraction`` (default 10 %) of its calendar days missing is excluded and reported; counts in
the years kept are over their valid days (not scaled). A NaN day breaks a heat-wave run. Indicators that need
Tmax or Tmin are reported as not computable for a Tmean-only series: Tmax is never derived from Tmean.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kalkan.core.climate.series import DailySeries

FloatArray = NDArray[np.float64]

HOT_DAY_TMAX_C = 35.0
TROPICAL_NIGHT_TMIN_C = 20.0
FROST_TMIN_C = 0.0
EXTREME_COLD_TMIN_C = -25.0
HDD_BASE_C = 18.0
CDD_BASE_C = 18.0
HEATWAVE_MIN_DAYS = 3
MAX_MISSING_FRACTION = 0.10


@dataclass(frozen=True, slots=True)
class Thresholds:
    """City-specific thresholds (°C) from the baseline years: percentiles of daily Tmax and Tmin."""

    tmax_p90_c: float | None
    tmax_p95_c: float | None
    tmin_p05_c: float | None
    years: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 2)

        return {
            "tmax_p90_c": r(self.tmax_p90_c),
            "tmax_p95_c": r(self.tmax_p95_c),
            "tmin_p05_c": r(self.tmin_p05_c),
            "baseline_years": [min(self.years), max(self.years)] if self.years else None,
            "unit": "°C",
            "definition": "percentiles of all valid daily values in the baseline years (linear interpolation)",
        }


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator: per-year values, the mean over the kept years, its unit and definition.

    ``value`` is None when it cannot be computed; ``unavailable`` then says why.
    """

    name: str
    unit: str
    definition: str
    value: float | None
    per_year: dict[int, float]
    unavailable: str | None = None

    def as_dict(self, *, per_year: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "value": None if self.value is None else round(self.value, 3),
            "unit": self.unit,
            "definition": self.definition,
        }
        if self.unavailable:
            out["unavailable"] = self.unavailable
        if per_year:
            out["per_year"] = {str(y): round(v, 3) for y, v in self.per_year.items()}
        return out


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """All indicators of one series over one window, with the years used and excluded."""

    indicators: dict[str, Indicator]
    thresholds: Thresholds
    years_used: tuple[int, ...]
    years_excluded: dict[int, float]
    max_missing_fraction: float


def year_selection(
    series: DailySeries, years: tuple[int, int] | None = None, max_missing_fraction: float = MAX_MISSING_FRACTION
) -> tuple[tuple[int, ...], dict[int, float]]:
    """Years kept and years excluded (with their missing fraction of calendar days) within ``years``.

    A calendar day outside the series' span counts as missing, so partial first/last years are judged too.
    """
    missing = _missing(series)
    all_years = series.years
    lo, hi = (int(all_years.min()), int(all_years.max())) if years is None else years
    kept: list[int] = []
    excluded: dict[int, float] = {}
    for y in range(lo, hi + 1):
        n_cal = 366 if _is_leap(y) else 365
        in_year = all_years == y
        frac = (n_cal - int((in_year & ~missing).sum())) / n_cal
        if frac > max_missing_fraction:
            excluded[y] = round(frac, 4)
        else:
            kept.append(y)
    return tuple(kept), excluded


def baseline_thresholds(series: DailySeries, years: tuple[int, ...]) -> Thresholds:
    """90th/95th percentiles of daily Tmax and 5th percentile of Tmin (°C) over the valid days of ``years``."""
    sel = np.isin(series.years, np.asarray(years, dtype=np.int64))

    def pct(x: FloatArray | None, q: float) -> float | None:
        if x is None:
            return None
        v = x[sel]
        v = v[~np.isnan(v)]
        return float(np.percentile(v, q)) if v.size else None

    return Thresholds(pct(series.tmax_c, 90.0), pct(series.tmax_c, 95.0), pct(series.tmin_c, 5.0), tuple(years))


@dataclass(frozen=True, slots=True)
class HeatWaveStats:
    """Heat-wave statistics of one stretch of days: events, days, durations (days), excess over threshold (°C)."""

    events: int
    days: int
    max_duration_days: int
    excess_sum_c: float

    @property
    def mean_duration_days(self) -> float:
        return self.days / self.events if self.events else math.nan

    @property
    def mean_intensity_c(self) -> float:
        return self.excess_sum_c / self.days if self.days else math.nan


def heat_waves(tmax_c: FloatArray, threshold_c: float, min_days: int = HEATWAVE_MIN_DAYS) -> HeatWaveStats:
    """Runs of ≥ ``min_days`` consecutive days with Tmax > threshold; NaN days break a run."""
    above = np.nan_to_num(tmax_c, nan=-np.inf) > threshold_c
    m = np.concatenate([[0], above.astype(np.int8), [0]])
    edges = np.diff(m)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    lengths = ends - starts
    keep = lengths >= min_days
    excess = 0.0
    for s, e in zip(starts[keep], ends[keep], strict=True):
        excess += float(np.sum(tmax_c[s:e] - threshold_c))
    return HeatWaveStats(
        events=int(keep.sum()),
        days=int(lengths[keep].sum()),
        max_duration_days=int(lengths[keep].max()) if keep.any() else 0,
        excess_sum_c=excess,
    )


def count_days(x: FloatArray, predicate: Callable[[FloatArray], NDArray[np.bool_]]) -> int:
    """Number of valid (non-NaN) days where ``predicate`` holds."""
    v = x[~np.isnan(x)]
    return int(np.count_nonzero(predicate(v)))


def heating_degree_days(tmean_c: FloatArray, base_c: float = HDD_BASE_C) -> float:
    """Σ max(0, base − Tmean) over valid days, °C·day."""
    v = tmean_c[~np.isnan(tmean_c)]
    return float(np.sum(np.maximum(0.0, base_c - v)))


def cooling_degree_days(tmean_c: FloatArray, base_c: float = CDD_BASE_C) -> float:
    """Σ max(0, Tmean − base) over valid days, °C·day."""
    v = tmean_c[~np.isnan(tmean_c)]
    return float(np.sum(np.maximum(0.0, v - base_c)))


def compute_indicators(
    series: DailySeries,
    *,
    years: tuple[int, int] | None = None,
    thresholds: Thresholds | None = None,
    max_missing_fraction: float = MAX_MISSING_FRACTION,
) -> IndicatorSet:
    """Every indicator per kept year of ``years`` (inclusive) and its mean over those years.

    ``thresholds`` default to this series' own percentiles over the kept years; pass the baseline's
    thresholds when computing a shifted future so that changes are measured against today's climate.
    """
    kept, excluded = year_selection(series, years, max_missing_fraction)
    th = thresholds if thresholds is not None else baseline_thresholds(series, kept)
    ys = series.years
    tx, tn = series.tmax_c, series.tmin_c
    mean = series.mean_temperature_c()
    tm, tm_how = mean if mean is not None else (None, "")
    no_tmax = "needs daily Tmax; this source gives daily mean temperature only (Tmax is not derived from Tmean)"
    no_tmin = "needs daily Tmin; this source gives daily mean temperature only (Tmin is not derived from Tmean)"
    out: dict[str, Indicator] = {}

    def yearly(
        name: str, unit: str, definition: str, x: FloatArray | None, fn: Callable[[FloatArray], float], why: str
    ) -> None:
        if x is None:
            out[name] = Indicator(name, unit, definition, None, {}, why)
            return
        per = {y: fn(x[ys == y]) for y in kept}
        out[name] = Indicator(
            name,
            unit,
            definition,
            float(np.mean(list(per.values()))) if per else None,
            per,
            None if per else "no year with enough valid days",
        )

    def thr(t: float | None) -> float:
        return math.nan if t is None else t

    p90, p95, p05 = thr(th.tmax_p90_c), thr(th.tmax_p95_c), thr(th.tmin_p05_c)
    yearly(
        "hot_days_tmax_ge_35c",
        "days/year",
        "days with Tmax ≥ 35 °C",
        tx,
        lambda v: count_days(v, lambda a: a >= HOT_DAY_TMAX_C),
        no_tmax,
    )
    yearly(
        "hot_days_tmax_gt_p90",
        "days/year",
        f"days with Tmax > baseline 90th percentile of Tmax ({p90:.1f} °C)",
        tx,
        lambda v: count_days(v, lambda a: a > p90),
        no_tmax,
    )
    yearly(
        "hot_days_tmax_gt_p95",
        "days/year",
        f"days with Tmax > baseline 95th percentile of Tmax ({p95:.1f} °C)",
        tx,
        lambda v: count_days(v, lambda a: a > p95),
        no_tmax,
    )
    yearly(
        "tropical_nights_tmin_ge_20c",
        "nights/year",
        "days with Tmin ≥ 20 °C",
        tn,
        lambda v: count_days(v, lambda a: a >= TROPICAL_NIGHT_TMIN_C),
        no_tmin,
    )
    yearly(
        "frost_days_tmin_lt_0c",
        "days/year",
        "days with Tmin < 0 °C",
        tn,
        lambda v: count_days(v, lambda a: a < FROST_TMIN_C),
        no_tmin,
    )
    yearly(
        "extreme_cold_days_tmin_le_m25c",
        "days/year",
        "days with Tmin ≤ −25 °C",
        tn,
        lambda v: count_days(v, lambda a: a <= EXTREME_COLD_TMIN_C),
        no_tmin,
    )
    p05_def = f"days with Tmin < baseline 5th percentile of Tmin ({p05:.1f} °C)"
    yearly(
        "extreme_cold_days_tmin_lt_p05", "days/year", p05_def, tn, lambda v: count_days(v, lambda a: a < p05), no_tmin
    )
    no_mean = "needs daily mean temperature or both Tmax and Tmin"
    yearly(
        "heating_degree_days_base_18c",
        "°C·day/year",
        f"Σ max(0, 18 °C − Tmean); Tmean = {tm_how or 'n/a'}",
        tm,
        heating_degree_days,
        no_mean,
    )
    yearly(
        "cooling_degree_days_base_18c",
        "°C·day/year",
        f"Σ max(0, Tmean − 18 °C); Tmean = {tm_how or 'n/a'}",
        tm,
        cooling_degree_days,
        no_mean,
    )
    _heat_wave_indicators(out, tx, ys, kept, p90, no_tmax)
    return IndicatorSet(out, th, kept, excluded, max_missing_fraction)


def _heat_wave_indicators(
    out: dict[str, Indicator], tx: FloatArray | None, ys: NDArray[np.int64], kept: tuple[int, ...], p90: float, why: str
) -> None:
    hw_def = (
        f"≥ {HEATWAVE_MIN_DAYS} consecutive days with Tmax > baseline 90th percentile of Tmax ({p90:.1f} °C) "
        "(Perkins & Alexander 2013, whole-year percentile); events counted within each calendar year"
    )
    names = {
        "heatwave_events": ("events/year", "number of heat waves per year (HWN)"),
        "heatwave_days": ("days/year", "days in heat waves per year (HWF)"),
        "heatwave_mean_duration": ("days/event", "mean heat-wave length over the window"),
        "heatwave_max_duration": ("days", "longest heat wave in the window (HWD)"),
        "heatwave_mean_intensity": ("°C", "mean excess of Tmax over the threshold on heat-wave days"),
    }
    if tx is None or math.isnan(p90):
        for key, (u, d) in names.items():
            out[key] = Indicator(key, u, f"{d}; {hw_def}", None, {}, why if tx is None else "no baseline percentile")
        return
    per = {y: heat_waves(tx[ys == y], p90) for y in kept}
    events = sum(s.events for s in per.values())
    days = sum(s.days for s in per.values())
    excess = sum(s.excess_sum_c for s in per.values())
    n = len(per)
    window: dict[str, tuple[float | None, dict[int, float]]] = {
        "heatwave_events": (events / n if n else None, {y: float(s.events) for y, s in per.items()}),
        "heatwave_days": (days / n if n else None, {y: float(s.days) for y, s in per.items()}),
        "heatwave_mean_duration": (
            days / events if events else None,
            {y: s.mean_duration_days for y, s in per.items() if s.events},
        ),
        "heatwave_max_duration": (
            float(max((s.max_duration_days for s in per.values()), default=0)) if n else None,
            {y: float(s.max_duration_days) for y, s in per.items()},
        ),
        "heatwave_mean_intensity": (
            excess / days if days else None,
            {y: s.mean_intensity_c for y, s in per.items() if s.days},
        ),
    }
    for name, (unit, d) in names.items():
        value, per_year = window[name]
        reason = (
            None if value is not None else ("no heat wave in the window" if n else "no year with enough valid days")
        )
        out[name] = Indicator(name, unit, f"{d}; {hw_def}", value, per_year, reason)


def _missing(series: DailySeries) -> NDArray[np.bool_]:
    missing = np.zeros(series.dates.size, dtype=bool)
    for x in (series.tmax_c, series.tmin_c, series.tmean_c):
        if x is not None:
            missing |= np.isnan(x)
    return missing


def _is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
