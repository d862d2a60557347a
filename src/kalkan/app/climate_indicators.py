"""Heat and cold indicators, delta-shifted futures and heat mortality for one founding city, as plain data.

The CLI (``kalkan climate indicators``) and the web layer call :func:`city_indicators`; everything it returns
is JSON-ready: every number has its unit and definition, the data source says whether it is reanalysis, the
gap report and the excluded years are included, and the mortality model names its published coefficients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from kalkan.catalog.cities import CITY_CLIMATE_ZONE, DEFAULT_CLIMATE_ZONE, SHIPPED_SERIES
from kalkan.core.climate.baseline import BASELINE_YEARS, period_of_years
from kalkan.core.climate.bias_adjustment import bias_adjust
from kalkan.core.climate.delta import shift, validate_monthly_delta
from kalkan.core.climate.heat_mortality import (
    BACCINI_2008_NORTH_CONTINENTAL,
    MMT_CITATION,
    MMT_PERCENTILE_BY_ZONE,
    ExposureResponse,
    heat_attributable_deaths,
    mmt_from_percentile,
)
from kalkan.core.climate.indicators import MAX_MISSING_FRACTION, IndicatorSet, compute_indicators
from kalkan.core.climate.scenarios import Scenario, regional_change
from kalkan.core.climate.series import DailySeries, series_label
from kalkan.core.coalition.model import CityFacts
from kalkan.errors import InputError
from kalkan.io.ar6 import load_tas_table
from kalkan.io.climate_normals import station_normals
from kalkan.io.crude_death_rates import crude_death_rate
from kalkan.io.daily_temperature import load_city_series
from kalkan.io.founding_cities import city_region, founding_city

MONTE_CARLO_SAMPLES = 1000
MONTE_CARLO_SEED = 20260101


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _indicators(ind: IndicatorSet, *, per_year: bool) -> dict[str, Any]:
    return {name: i.as_dict(per_year=per_year) for name, i in ind.indicators.items()}


def _window(ind: IndicatorSet) -> dict[str, Any]:
    return {
        "years_used": [min(ind.years_used), max(ind.years_used)] if ind.years_used else None,
        "n_years_used": len(ind.years_used),
        "years_excluded": {str(y): {"missing_fraction": f} for y, f in ind.years_excluded.items()},
        "n_years_excluded": len(ind.years_excluded),
        "exclusion_rule": f"years with more than {ind.max_missing_fraction:.0%} of calendar days missing are excluded",
    }


def normals_check(city_id: str, series: DailySeries, years: tuple[int, int] | None = None) -> dict[str, Any] | None:
    """The daily series against the city's station normals, month by month, so that a reanalysis or a short
    station record shows its bias before anyone reads its indicators: the series' monthly means of daily Tmax,
    Tmean and Tmin against the normals' (°C, series minus normals), and its monthly extremes against the
    station's records (a series above a record high, or far inside the records, says the data are off or
    smoothed). None when the city has no normals; nothing is adjusted."""
    normals = station_normals(city_id)
    if normals is None:
        return None
    keep = np.ones(series.dates.size, dtype=bool)
    if years is not None:
        keep = (series.years >= years[0]) & (series.years <= years[1])
    months = series.months
    mean = series.mean_temperature_c()
    pairs = (("tmax_mean_c", series.tmax_c), ("tmean_c", mean[0] if mean else None), ("tmin_mean_c", series.tmin_c))
    out_rows = []
    for m in range(1, 13):
        sel = keep & (months == m)
        rec: dict[str, Any] = {"month": m}
        for col, values in pairs:
            normal = normals.means.get(col, {}).get(m)
            if values is None or normal is None or not np.isfinite(values[sel]).any():
                continue
            got = float(np.nanmean(values[sel]))
            rec[col] = {"series": round(got, 2), "normal": normal, "difference": round(got - normal, 2)}
        for col, values, pick in (
            ("record_high_c", series.tmax_c, np.nanmax),
            ("record_low_c", series.tmin_c, np.nanmin),
        ):
            record = normals.records.get(col, {}).get(m)
            if record is not None and values is not None and np.isfinite(values[sel]).any():
                rec[col] = {"series_extreme": round(float(pick(values[sel])), 2), "record": record}
        out_rows.append(rec)
    diffs = [rec[c]["difference"] for rec in out_rows for c in ("tmax_mean_c", "tmean_c", "tmin_mean_c") if c in rec]
    above = [rec["month"] for rec in out_rows if "record_high_c" in rec
             and rec["record_high_c"]["series_extreme"] > rec["record_high_c"]["record"]]  # fmt: skip
    below = [rec["month"] for rec in out_rows if "record_low_c" in rec
             and rec["record_low_c"]["series_extreme"] < rec["record_low_c"]["record"]]  # fmt: skip
    return {
        "station": normals.station,
        "period": normals.period_text,
        "source": normals.source,
        "unit": "°C",
        "months": out_rows,
        "mean_abs_difference_c": round(float(np.mean(np.abs(diffs))), 2) if diffs else None,
        "months_above_record_high": above,
        "months_below_record_low": below,
        "note": "a check only: the series is not adjusted; normals and series cover different periods",
    }


def reanalysis_adjustment(city_id: str, series: DailySeries) -> tuple[DailySeries, dict[str, Any]]:
    """A reanalysis series bias-adjusted to the city's station normals where it has monthly means on file
    (:func:`kalkan.core.climate.bias_adjustment.bias_adjust`), with the record of what was done; a station series, or
    a city without normals, is returned as it is, and the record says why."""
    label = series_label(series.kind, series.source)
    if series.kind != "reanalysis":
        return series, {"applied": False, "reason": "station observations: no bias adjustment", "label": label}
    normals = station_normals(city_id)
    if normals is None or normals.period is None or not normals.has_means:
        why = "" if normals is None else f" (only record extremes of {normals.station}, no monthly means)"
        return series, {"applied": False, "reason": f"not bias-adjusted: no station normals on file{why}",
                        "label": label}  # fmt: skip
    adjusted, record = bias_adjust(series, normals.means, normals.period, station=normals.station)
    return adjusted, {**record.as_dict(), "normals_source": normals.source, "label": label}


def _baseline(
    city_id: str, series: DailySeries | None, baseline_years: tuple[int, int] | None, max_missing_fraction: float
) -> tuple[CityFacts, DailySeries, str, IndicatorSet, dict[str, Any]]:
    """The city's record, its series (the shipped one unless given; a reanalysis bias-adjusted to the station
    normals where the city has them), the series' caveat, the baseline set and the adjustment record."""
    city = founding_city(city_id)
    if series is None:
        series = load_city_series(city_id)
        caveat = SHIPPED_SERIES[city_id].caveat
    else:
        caveat = "user-supplied series"
    series, adjustment = reanalysis_adjustment(city_id, series)
    base = compute_indicators(series, years=baseline_years, max_missing_fraction=max_missing_fraction)
    if not base.years_used:
        raise InputError(
            f"{series.source}: no year in the window has at most {max_missing_fraction:.0%} missing days.",
            hint="Choose other baseline years or supply a more complete series.",
            code="input.empty",
            field="--baseline",
        )
    return city, series, caveat, base, adjustment


def _shifted(
    series: DailySeries,
    base: IndicatorSet,
    delta: Sequence[float],
    baseline_years: tuple[int, int] | None,
    max_missing_fraction: float,
    per_year: bool,
) -> tuple[dict[str, Any], DailySeries]:
    """The indicators of the series shifted by ``delta`` (12 monthly °C) with the baseline's thresholds, their
    change from the baseline, and the shifted series."""
    shifted_series = shift(series, delta)
    shifted = compute_indicators(
        shifted_series, years=baseline_years, thresholds=base.thresholds, max_missing_fraction=max_missing_fraction
    )
    record = {
        "monthly_delta_c": list(delta),
        "unit": "°C",
        "method": "delta method: each month's change added to daily Tmax, Tmin and Tmean; day-to-day "
        "variability unchanged; thresholds (percentiles, MMT) kept at baseline values",
        "indicators": _indicators(shifted, per_year=per_year),
        "change": {
            n: {
                "baseline": _round(b.value),
                "shifted": _round(shifted.indicators[n].value),
                "difference": None
                if b.value is None or shifted.indicators[n].value is None
                else round(float(shifted.indicators[n].value or 0.0) - b.value, 3),
                "unit": b.unit,
            }
            for n, b in base.indicators.items()
        },
    }
    return record, shifted_series


def city_indicators(
    city_id: str,
    *,
    monthly_delta_c: Sequence[float] | None = None,
    series: DailySeries | None = None,
    baseline_years: tuple[int, int] | None = BASELINE_YEARS,
    per_year: bool = False,
    exposure_response: ExposureResponse = BACCINI_2008_NORTH_CONTINENTAL,
    max_missing_fraction: float = MAX_MISSING_FRACTION,
) -> dict[str, Any]:
    """Every heat/cold indicator of a founding city (value, unit, definition), its data source, gap report and
    heat mortality; with ``monthly_delta_c`` (12 values, °C, January first) also the delta-shifted values.

    ``series`` replaces the shipped series (e.g. a user's station CSV); ``baseline_years`` (inclusive) is the
    window: Kalkan's one baseline, 1995-2014, unless another is chosen (None: the whole series); the output's
    ``baseline_period`` states it and the years actually used. Shifted indicators use the baseline's percentile
    thresholds and MMT (no adaptation).
    """
    delta = validate_monthly_delta(monthly_delta_c) if monthly_delta_c is not None else None
    city, series, caveat, base, adjustment = _baseline(city_id, series, baseline_years, max_missing_fraction)
    out = _today(city_id, city, series, caveat, base, per_year, baseline_years)
    out["bias_adjustment"] = adjustment
    shifted_series = None
    if delta is not None:
        out["shifted"], shifted_series = _shifted(series, base, delta, baseline_years, max_missing_fraction, per_year)
    out["heat_mortality"] = _mortality(city, series, shifted_series, base, exposure_response)
    out["normals_check"] = normals_check(city_id, series, baseline_years)
    return out


def _today(
    city_id: str,
    city: CityFacts,
    series: DailySeries,
    caveat: str,
    base: IndicatorSet,
    per_year: bool,
    baseline_years: tuple[int, int] | None,
) -> dict[str, Any]:
    """The report of today's indicators: data source and kind, gaps, baseline period and window, thresholds,
    indicators."""
    out: dict[str, Any] = {
        "city_id": city_id,
        "city": city.name_en,
        "data": {
            "source": series.source,
            "kind": series.kind,
            "label": series_label(series.kind, series.source),
            "reanalysis": series.kind == "reanalysis",
            "note": (
                "Reanalysis (gridded model) data, not station observations: absolute values and extremes may be "
                "biased; use for orders of magnitude and changes."
                if series.kind == "reanalysis"
                else "Station observations."
            ),
            "caveats": list(dict.fromkeys([*series.notes, caveat])),
            "licence": series.licence,
            "variables": [
                n
                for n, x in (("tmax_c", series.tmax_c), ("tmin_c", series.tmin_c), ("tmean_c", series.tmean_c))
                if x is not None
            ],
        },
        "gaps": series.gaps.as_dict(max_periods=50),
        "baseline_period": period_of_years(baseline_years, base.years_used, base.years_excluded),
        "window": _window(base),
        "thresholds": base.thresholds.as_dict(),
        "indicators": _indicators(base, per_year=per_year),
    }
    return out


def city_indicator_scenarios(
    city_id: str,
    scenarios: Sequence[Scenario],
    *,
    series: DailySeries | None = None,
    baseline_years: tuple[int, int] | None = BASELINE_YEARS,
    per_year: bool = False,
    exposure_response: ExposureResponse = BACCINI_2008_NORTH_CONTINENTAL,
    max_missing_fraction: float = MAX_MISSING_FRACTION,
) -> dict[str, Any]:
    """:func:`city_indicators` today, plus ``futures``: for each :class:`kalkan.core.climate.scenarios.Scenario` the
    monthly warming of the city's AR6 region (its record, with window and global warming level), the shifted
    indicators, their change and heat mortality. The baseline is computed once."""
    region = city_region(city_id)
    table = load_tas_table()
    changes = [regional_change(sc, region, table) for sc in scenarios]  # unknown SSPs etc. fail before any work
    city, series, caveat, base, adjustment = _baseline(city_id, series, baseline_years, max_missing_fraction)
    out = _today(city_id, city, series, caveat, base, per_year, baseline_years)
    out["bias_adjustment"] = adjustment
    out["heat_mortality"] = _mortality(city, series, None, base, exposure_response)
    out["normals_check"] = normals_check(city_id, series, baseline_years)
    out["baseline_years"] = list(baseline_years) if baseline_years else None
    out["futures"] = []
    for change in changes:
        record, shifted_series = _shifted(
            series, base, change.delta_tas_monthly_c, baseline_years, max_missing_fraction, per_year
        )
        mortality = _mortality(city, series, shifted_series, base, exposure_response)
        out["futures"].append({
            "scenario": change.as_dict(),
            "method": record["method"],
            "indicators": record["indicators"],
            "change": record["change"],
            "heat_mortality": mortality.get("shifted"),
        })  # fmt: skip
    return out


def _mortality(
    city: CityFacts,
    series: DailySeries,
    shifted_series: DailySeries | None,
    base: IndicatorSet,
    er: ExposureResponse,
) -> dict[str, Any]:
    mean = series.mean_temperature_c()
    if mean is None:
        return {"unavailable": "needs daily mean temperature or both Tmax and Tmin"}
    tmean, how = mean
    keep = (series.years[:, None] == list(base.years_used)).any(axis=1)
    zone, zone_why = CITY_CLIMATE_ZONE.get(city.id, DEFAULT_CLIMATE_ZONE)
    pct = MMT_PERCENTILE_BY_ZONE[zone]
    mmt = mmt_from_percentile(tmean[keep], pct)
    population = float(city.population.value)
    cdr = crude_death_rate(city.country_iso3).as_dict()

    def run(t: Any) -> dict[str, object]:
        return heat_attributable_deaths(
            t[keep],
            mmt,
            er.rr_per_c,
            population,
            cdr["value"],
            rr_per_c_ci=(er.rr_per_c_low, er.rr_per_c_high),
            n_samples=MONTE_CARLO_SAMPLES,
            seed=MONTE_CARLO_SEED,
        ).as_dict()

    result: dict[str, Any] = {
        "model": "RR(T) = RR_per_C ^ max(0, Tmean - MMT); AF = 1 - 1/RR; deaths = mean daily AF x annual "
        "baseline deaths (population x crude death rate / 1000), annualised over the valid days",
        "exposure_response": {
            "rr_per_c": er.rr_per_c,
            "rr_per_c_95ci": [er.rr_per_c_low, er.rr_per_c_high],
            "exposure_in_source": er.exposure,
            "citation": er.citation,
        },
        "mmt": {
            "value_c": round(mmt, 2),
            "percentile": pct,
            "climate_zone": zone,
            "zone_reason": zone_why,
            "of": f"baseline daily mean temperature ({how})",
            "citation": MMT_CITATION,
        },
        "population": {
            "value": population,
            "year": city.population.year,
            "source": city.population.source,
        },
        "crude_death_rate": cdr,
        "baseline": run(tmean),
        "caveats": [
            "Exposure-response from European cities (no Central Asian estimate found); slope transferred from "
            "daily maximum apparent temperature to daily mean temperature.",
            "National crude death rate applied to the city, all ages, no seasonality.",
        ],
    }
    if shifted_series is not None:
        smean = shifted_series.mean_temperature_c()
        assert smean is not None
        result["shifted"] = run(smean[0])
        result["shifted_assumptions"] = "same population, death rate and MMT as today (no adaptation)"
    return result
