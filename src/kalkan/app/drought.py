"""Drought (SPEI/SPI) today and its trend per climate scenario for one founding city, as plain JSON-ready data.

The CLI (``kalkan climate drought``) and the web layer call :func:`city_drought`. Every number carries its unit;
the data source says whether it is reanalysis; the calibration period, distributions, PET method and the
delta method are stated; gaps are reported, never filled. A city whose shipped series has no precipitation
(Ashgabat, Dushanbe: daily mean temperature only) gets ``available: false`` and the reason, unless the caller
supplies a series with precipitation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kalkan.app.climate_indicators import reanalysis_adjustment
from kalkan.catalog.cities import SHIPPED_SERIES, cities_without_precipitation
from kalkan.core.climate.baseline import period_of_months
from kalkan.core.climate.drought import (
    CALIBRATION_YEARS,
    CITATIONS,
    DISTRIBUTION_LABELS,
    DROUGHT_THRESHOLD,
    INDEX_BOUND,
    MIN_CALIBRATION_YEARS,
    PET_LABELS,
    SCALES_MONTHS,
    SEVERE_DROUGHT_THRESHOLD,
    DroughtStatistics,
    PetMethod,
    WaterBalance,
    baseline,
    scenario_drought,
    scenario_shifts,
)
from kalkan.core.climate.scenarios import DEFAULT_HORIZONS, SSPS, parse_ssp
from kalkan.core.climate.series import DailySeries, MonthlyWeather, series_label
from kalkan.errors import InputError
from kalkan.io.ar6 import load_tas_table
from kalkan.io.daily_temperature import load_city_series
from kalkan.io.founding_cities import city_region, founding_city

DELTA_METHOD = (
    "delta method on the baseline weather: each calendar month's regional temperature change (°C, AR6 Atlas CMIP6 "
    "ensemble statistic) added to daily Tmax/Tmin/Tmean (or monthly Tmean); precipitation multiplied by "
    "(1 + change/100), the change being scaled by global warming level (sparse data); PET and the indices "
    "recomputed against the BASELINE calibration, so shares show the shift in drought frequency. Variability, "
    "spell sequence and gaps are those of the baseline."
)


def _stats(stats: Sequence[DroughtStatistics]) -> dict[str, Any]:
    return {f"{s.index}-{s.scale_months}": s.as_dict() for s in stats}


def _annual(wb: WaterBalance, keep: np.ndarray[Any, np.dtype[np.bool_]]) -> dict[str, Any]:
    """Mean water-balance terms over the valid months of the window, × 12 (mm/year)."""

    def per_year(x: np.ndarray[Any, np.dtype[np.float64]]) -> float | None:
        v = x[keep & ~np.isnan(wb.balance_mm)]
        return round(float(v.mean()) * 12.0, 1) if v.size else None

    return {
        "precip_mm_per_year": per_year(wb.precip_mm),
        "pet_mm_per_year": per_year(wb.pet_mm),
        "balance_mm_per_year": per_year(wb.balance_mm),
        "tmean_c": None if not keep.any() else round(float(np.nanmean(wb.tmean_c[keep])), 2),
        "definition": "12 × mean of the valid months in the window; balance = P − PET",
    }


def _window_mask(wb: WaterBalance, first: str, last: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    m = wb.months.astype("datetime64[M]")
    return np.asarray((m >= np.datetime64(first, "M")) & (m <= np.datetime64(last, "M")), dtype=bool)


def _data_block(series: DailySeries | MonthlyWeather, caveat: str, latitude: float, lat_source: str) -> dict[str, Any]:
    if isinstance(series, DailySeries):
        variables = [
            n
            for n, x in (
                ("tmax_c", series.tmax_c),
                ("tmin_c", series.tmin_c),
                ("tmean_c", series.tmean_c),
                ("precip_mm", series.precip_mm),
            )
            if x is not None
        ]
        resolution = "daily"
    else:
        variables, resolution = ["precip_mm", "tmean_c"], "monthly"
    return {
        "source": series.source,
        "kind": series.kind,
        "label": series_label(series.kind, series.source),
        "reanalysis": series.kind == "reanalysis",
        "note": (
            "Reanalysis (gridded model) data, not station observations: precipitation and PET may be biased; "
            "the index is relative to the series' own climate, so its changes are more robust than its levels."
            if series.kind == "reanalysis"
            else "Observations (as supplied)."
        ),
        "caveats": list(dict.fromkeys([*series.notes, caveat])),
        "licence": series.licence,
        "resolution": resolution,
        "variables": variables,
        "latitude_deg": latitude,
        "latitude_source": lat_source,
    }


def _gaps(series: DailySeries | MonthlyWeather) -> dict[str, Any]:
    if isinstance(series, MonthlyWeather):
        return {"monthly": series.gaps_dict()}
    out: dict[str, Any] = {"temperature": series.gaps.as_dict(max_periods=20)}
    if series.precip_gaps is not None:
        out["precipitation"] = series.precip_gaps.as_dict(max_periods=20)
    out["rule"] = "a month with any missing day of precipitation or temperature is missing; k-month sums with a "
    out["rule"] += "missing month are missing; nothing is filled"
    return out


def _series_months(series: DailySeries | MonthlyWeather) -> tuple[str, str]:
    """First and last month (``YYYY-MM``) of a series."""
    months = series.months if isinstance(series, MonthlyWeather) else series.dates.astype("datetime64[M]")
    return str(months.min()), str(months.max())


def city_drought(
    city_id: str,
    *,
    ssp: Sequence[str] | None = None,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    percentile: float = 50.0,
    series: DailySeries | MonthlyWeather | None = None,
    calibration_years: tuple[int, int] = CALIBRATION_YEARS,
    latitude_deg: float | None = None,
    pet_method: PetMethod | None = None,
) -> dict[str, Any]:
    """SPEI-3/12 and SPI-3/12 of a founding city over the calibration period (Kalkan's one climate baseline,
    1995-2014, or the part of it the series covers, stated in ``baseline_period``), and their trend per
    SSP × horizon.

    ``ssp`` defaults to the four Atlas SSPs; ``percentile`` (0–100) is the across-model statistic of the
    temperature change and of the global warming level that scales precipitation. ``series`` replaces the
    shipped series (a user file with precipitation); ``latitude_deg`` defaults to the shipped grid point's
    latitude, or to the city's for a user series.
    """
    city = founding_city(city_id)
    ssps = [parse_ssp(s) for s in ssp] if ssp else list(SSPS)
    hs = [int(h) for h in horizons]
    if not 0 <= percentile <= 100:
        raise InputError(f"Percentile {percentile}: expected 0-100.", code="input.range", field="--percentile")
    region = city_region(city_id)
    head: dict[str, Any] = {
        "city_id": city_id,
        "city": city.name_en,
        "region": region,
        "cities_without_precipitation": list(cities_without_precipitation()),
    }
    if series is None:
        spec = SHIPPED_SERIES[city_id]
        series = load_city_series(city_id)
        caveat = spec.caveat
        lat = latitude_deg if latitude_deg is not None else spec.latitude_deg
        lat_source = "given" if latitude_deg is not None else "station or grid point of the shipped series"
    else:
        caveat = "user-supplied series"
        lat = latitude_deg
        lat_source = "given"
    if lat is None:
        lat = float(city.lat)
        lat_source = "city centre (founding_cities.json)"
    if isinstance(series, DailySeries):
        series, head["bias_adjustment"] = reanalysis_adjustment(city_id, series)
    else:
        head["bias_adjustment"] = {
            "applied": False,
            "label": series_label(series.kind, series.source),
            "reason": "station observations: no bias adjustment"
            if series.kind != "reanalysis"
            else "not bias-adjusted: a monthly series (the adjustment works on daily series)",
        }
    head["data"] = _data_block(series, caveat, lat, lat_source)
    head["gaps"] = _gaps(series)
    if isinstance(series, DailySeries) and series.precip_mm is None:
        return {
            **head,
            "available": False,
            "unavailable": (
                f"The shipped series for {city_id} ({series.source}) has no precipitation (daily mean temperature "
                "only), so no water balance, SPEI or SPI can be computed from it. Nothing is estimated in its place."
            ),
            "hint": "Supply a CSV with daily or monthly precip_mm and temperatures (kalkan climate drought CITY "
            "--precip-file FILE).",
        }
    base = baseline(series, lat, years=calibration_years, pet_method=pet_method)
    shifts = scenario_shifts(region, ssps, hs, percentile, load_tas_table())
    first, last = base.window
    head["baseline_period"] = period_of_months(calibration_years, first, last, *_series_months(series))
    keep = _window_mask(base.water_balance, first, last)
    rows: list[dict[str, Any]] = []
    for sh in shifts:
        fut = scenario_drought(series, base, sh)
        rows.append(
            {
                "ssp": sh.ssp,
                "ssp_label": SSPS[sh.ssp],
                "horizon": sh.horizon,
                "window": sh.window,
                "percentile": sh.percentile,
                "delta_t_annual_c": round(sh.delta_t_annual_c, 2),
                "delta_t_monthly_c": [round(x, 2) for x in sh.delta_t_monthly_c],
                "gwl_c": round(sh.gwl_c, 2),
                "precip_change_pct": round(sh.precip_change_pct, 1),
                "precip_change_pct_range": [round(x, 1) for x in sh.precip_change_pct_range],
                "precip_method": sh.precip_method,
                "water_balance": _annual(fut.water_balance, _window_mask(fut.water_balance, first, last)),
                "statistics": _stats(fut.statistics),
            }
        )
    wb = base.water_balance
    return {
        **head,
        "available": True,
        "method": {
            "pet_method": wb.pet_method,
            "pet": PET_LABELS[wb.pet_method],
            "water_balance": "P − PET per month, mm/month; monthly totals from complete months only",
            "indices": {k: DISTRIBUTION_LABELS[k] for k in ("SPEI", "SPI")},
            "scales_months": list(SCALES_MONTHS),
            "fit": "per calendar month on the calibration period; SPEI: unbiased PWMs (Vicente-Serrano et al. 2010); "
            "SPI: maximum likelihood (xclim 'ML'); parameters then fixed for every scenario",
            "calibration_years_requested": list(calibration_years),
            "calibration": [c.as_dict() for c in base.calibrations],
            "min_values_per_calendar_month": MIN_CALIBRATION_YEARS,
            "drought_month": f"index ≤ {DROUGHT_THRESHOLD:g} (moderate or worse); "
            f"severe: ≤ {SEVERE_DROUGHT_THRESHOLD:g}",
            "drought_event": f"run of consecutive months with index ≤ {DROUGHT_THRESHOLD:g}; a missing month ends it",
            "index_bound": f"xclim clips indices to ±{INDEX_BOUND}; months_at_bound counts them (values beyond the "
            "fitted distribution's support, mostly in hot futures); the mean is sensitive to them, shares are not",
            "delta_method": DELTA_METHOD,
            "statistic": f"p{percentile:g} across CMIP6 models of the regional temperature change and of the GWL",
            "engine": "xclim (standardized_index_fit_params, standardized_precipitation[_evapotranspiration]_index, "
            "potential_evapotranspiration)",
        },
        "baseline": {
            "window": f"{first} to {last}",
            "water_balance": _annual(wb, keep),
            "missing_months": list(wb.missing_months),
            "statistics": _stats(base.statistics),
        },
        "scenarios": rows,
        "units": {
            "index": "dimensionless (standard deviations of the fitted baseline distribution)",
            "share": "fraction of valid months in the window",
            "precip_mm_per_year": "mm/year",
            "pet_mm_per_year": "mm/year",
            "delta_t": "°C",
            "precip_change": "% of baseline",
        },
        "citations": {
            "spei": CITATIONS["SPEI"],
            "spi": CITATIONS["SPI"],
            "pet": CITATIONS[wb.pet_method],
            "xclim": CITATIONS["xclim"],
        },
    }
