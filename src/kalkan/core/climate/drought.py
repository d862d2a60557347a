"""Drought and water stress: monthly water balance P − PET, SPEI and SPI (via xclim), and their shift per scenario.

Method (see docs/drought.md):

* **PET** with ``xclim.indices.potential_evapotranspiration``: Hargreaves & Samani (1985) (``HG85``) from daily
  Tmax/Tmin and latitude when the series has them, summed to mm/month; otherwise Thornthwaite (1948)
  (``TW48``) from monthly mean temperature and latitude. xclim's TW48 gives the PET of a 30-day month, so
  each month is multiplied by N/30 (N = days in the month), the day-count adjustment of Thornthwaite (1948);
  xclim takes the heat index I of each calendar year from that year's own months, so a year with a missing
  month has no Thornthwaite PET.
* **Water balance** D = P − PET (mm/month); a month with any missing day of P or of temperature is missing
  (reported, never filled); a k-month sum is missing if any of its months is.
* **SPEI-k** (Vicente-Serrano et al. 2010): k-month sums of D fitted per calendar month to a 3-parameter
  log-logistic distribution by unbiased probability-weighted (L-)moments, in its generalized-logistic form so
  that left-skewed months fit too (:func:`fit_glo_lmoments`, as the SPEI authors' software, Beguería et al.
  2014), handed to xclim as scipy ``fisk`` parameters (mirrored for left skew), which maps them to the
  standard normal. Why not xclim's ``ML``: for the 3-parameter log-logistic the likelihood is unbounded as the
  location approaches the sample minimum, so with 20 values per month the ML fit lands on the minimum and its
  shape changes with 1e-12 noise; xclim's ``PWM`` needs the ``lmoments3`` package, which is not a dependency.
  **SPI-k** (McKee et al. 1993): k-month precipitation
  sums, 2-parameter gamma (location fixed at 0) by xclim ML (well posed for 2 parameters), zero-inflated
  (the share of zero sums in the calibration sample is the probability of zero).
* **Calibration** on 1995–2014 (the AR6 baseline) or the part of it the series covers, at least
  ``MIN_CALIBRATION_YEARS`` values per calendar month. The fitted parameters are then kept fixed, so a
  future series is measured against today's climate and the shift in drought frequency shows.
* **Delta method** for a scenario: each month's regional temperature change (°C) is *added* to daily Tmax,
  Tmin and Tmean (or to monthly Tmean) and precipitation is *multiplied* by (1 + ΔP/100), ΔP being the
  precipitation change scaled by global warming level (sparse data; :mod:`kalkan.core.climate.precipitation`).
  Variability and spell sequence stay those of the baseline weather.

Indices are dimensionless (units of standard deviations); xclim clips them to ±8.21 (probabilities that
round to 0 or 1 in float64): ``months_at_bound`` counts such months.

xclim: Bourgault et al. (2023), JOSS 8(85), 5415, doi:10.21105/joss.05415. It is imported inside functions
(~2–3 s), so ``import kalkan`` stays fast.
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from kalkan.core.climate.baseline import BASELINE_LABEL, BASELINE_YEARS
from kalkan.core.climate.delta import validate_monthly_delta
from kalkan.core.climate.precipitation import precipitation_change
from kalkan.core.climate.scenarios import Scenario, Statistic, TasTable, regional_change
from kalkan.core.climate.series import DailySeries, MonthlyWeather
from kalkan.errors import InputError

FloatArray = NDArray[np.float64]
PetMethod = Literal["hargreaves", "thornthwaite"]
IndexName = Literal["SPEI", "SPI"]

CALIBRATION_YEARS = BASELINE_YEARS
"""Calibration years: Kalkan's one climate baseline (kalkan.core.climate.baseline), the reference of the changes."""
MIN_CALIBRATION_YEARS = 10
"""Fewest values per calendar month needed to fit a distribution (WMO SPI guide asks for 30; 20 are available)."""
SCALES_MONTHS = (3, 12)
DROUGHT_THRESHOLD = -1.0
SEVERE_DROUGHT_THRESHOLD = -1.5
SPEI_DISTRIBUTION = "fisk"
SPI_DISTRIBUTION = "gamma"
FIT_METHOD = "ML"
INDEX_BOUND = 8.21
"""xclim clips standardized indices to ±8.21."""
SECONDS_PER_DAY = 86400.0
"""xclim returns PET in kg m⁻² s⁻¹; 1 kg m⁻² of water is 1 mm, so × 86,400 gives mm/day."""

PET_LABELS: dict[str, str] = {
    "hargreaves": "Hargreaves & Samani (1985), xclim HG85, from daily Tmax/Tmin and latitude, summed per month",
    "thornthwaite": "Thornthwaite (1948), xclim TW48, from monthly mean temperature and latitude, × N/30 "
    "(days in month; xclim gives 30-day months); heat index per calendar year",
}
CITATIONS: dict[str, str] = {
    "SPEI": "Vicente-Serrano, S.M., Beguería, S., López-Moreno, J.I. (2010): A multiscalar drought index sensitive "
    "to global warming: the Standardized Precipitation Evapotranspiration Index. J. Climate 23, 1696-1718, "
    "doi:10.1175/2009JCLI2909.1",
    "SPI": "McKee, T.B., Doesken, N.J., Kleist, J. (1993): The relationship of drought frequency and duration to "
    "time scales. 8th Conf. on Applied Climatology, AMS, Anaheim, 179-184",
    "hargreaves": "Hargreaves, G.H., Samani, Z.A. (1985): Reference crop evapotranspiration from temperature. "
    "Applied Engineering in Agriculture 1(2), 96-99, doi:10.13031/2013.26773",
    "thornthwaite": "Thornthwaite, C.W. (1948): An approach toward a rational classification of climate. "
    "Geographical Review 38(1), 55-94, doi:10.2307/210739",
    "SPEI_fitting": "Beguería, S., Vicente-Serrano, S.M., Reig, F., Latorre, B. (2014): Standardized precipitation "
    "evapotranspiration index (SPEI) revisited: parameter fitting, evapotranspiration models, tools, datasets and "
    "drought monitoring. Int. J. Climatol. 34, 3001-3023, doi:10.1002/joc.3887; Hosking, J.R.M., Wallis, J.R. "
    "(1997): Regional Frequency Analysis. Cambridge University Press",
    "xclim": "Bourgault, P., Huard, D., Smith, T.J., et al. (2023): xclim: xarray-based climate data analytics. "
    "J. Open Source Software 8(85), 5415, doi:10.21105/joss.05415",
}


def _xclim() -> tuple[Any, Any, Any]:
    """``xclim.indices``, ``xclim.indices.stats`` and ``xarray``, imported on first use (slow import)."""
    return (
        importlib.import_module("xclim.indices"),
        importlib.import_module("xclim.indices.stats"),
        importlib.import_module("xarray"),
    )


@contextmanager
def _quiet(*, fitting: bool = False) -> Iterator[None]:
    """Silence xclim's and pandas' deprecation chatter around xclim calls (and optimiser warnings when fitting)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        if fitting:
            warnings.simplefilter("ignore", RuntimeWarning)
        yield


@dataclass(frozen=True, slots=True)
class WaterBalance:
    """Monthly precipitation, PET (mm/month) and mean temperature (°C); NaN = missing month (never filled)."""

    months: NDArray[np.datetime64]
    precip_mm: FloatArray
    pet_mm: FloatArray
    tmean_c: FloatArray
    pet_method: PetMethod
    latitude_deg: float
    missing_months: tuple[str, ...]

    @property
    def balance_mm(self) -> FloatArray:
        """Climatic water balance D = P − PET, mm/month."""
        return self.precip_mm - self.pet_mm


def _month_index(dates: NDArray[np.datetime64]) -> tuple[NDArray[np.datetime64], NDArray[np.intp]]:
    m = dates.astype("datetime64[M]")
    months = np.arange(m[0], m[-1] + 1)
    return months, (m - m[0]).astype(np.intp)


def days_in_month(months: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """Number of days of each month (datetime64[M])."""
    days: NDArray[np.int64] = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(np.int64)
    return days


def monthly_total(dates: NDArray[np.datetime64], x: FloatArray) -> tuple[NDArray[np.datetime64], FloatArray]:
    """Monthly sums of a daily series; a month with any missing or absent day is NaN (no filling)."""
    months, idx = _month_index(dates)
    total = np.bincount(idx, weights=np.nan_to_num(x), minlength=months.size)
    valid = np.bincount(idx, weights=(~np.isnan(x)).astype(float), minlength=months.size)
    return months, np.where(valid == days_in_month(months), total, np.nan)


def monthly_mean(dates: NDArray[np.datetime64], x: FloatArray) -> tuple[NDArray[np.datetime64], FloatArray]:
    """Monthly means of a daily series; a month with any missing or absent day is NaN (no filling)."""
    months, total = monthly_total(dates, x)
    return months, total / days_in_month(months)


def _time(xr: Any, stamps: NDArray[np.datetime64], x: FloatArray, units: str) -> Any:
    return xr.DataArray(x, coords={"time": stamps.astype("datetime64[ns]")}, dims="time", attrs={"units": units})


def _latitude(xr: Any, latitude_deg: float) -> Any:
    if not -90.0 <= latitude_deg <= 90.0:
        raise InputError(
            f"Latitude {latitude_deg!r}: expected degrees north within -90…90.", code="input.range", field="latitude"
        )
    return xr.DataArray(float(latitude_deg), attrs={"units": "degrees_north"})


def hargreaves_pet_mm_day(
    dates: NDArray[np.datetime64], tmax_c: FloatArray, tmin_c: FloatArray, latitude_deg: float
) -> FloatArray:
    """Daily PET (mm/day) by Hargreaves & Samani (1985) through xclim (``HG85``); NaN where a temperature is."""
    xi, _, xr = _xclim()
    with _quiet():
        pet = xi.potential_evapotranspiration(
            tasmin=_time(xr, dates, tmin_c, "degC"),
            tasmax=_time(xr, dates, tmax_c, "degC"),
            lat=_latitude(xr, latitude_deg),
            method="HG85",
        )
    out = np.asarray(pet.values, dtype=np.float64) * SECONDS_PER_DAY
    return np.where(np.isnan(tmax_c) | np.isnan(tmin_c), np.nan, out)


def thornthwaite_pet_mm_month(months: NDArray[np.datetime64], tmean_c: FloatArray, latitude_deg: float) -> FloatArray:
    """Monthly PET (mm/month) by Thornthwaite (1948) through xclim (``TW48``), adjusted by N/30.

    The heat index of a calendar year needs its 12 monthly means, so every month of a year with a missing
    (or absent) month is NaN.
    """
    xi, _, xr = _xclim()
    with _quiet():
        pet = xi.potential_evapotranspiration(
            tas=_time(xr, months.astype("datetime64[D]"), tmean_c, "degC"),
            lat=_latitude(xr, latitude_deg),
            method="TW48",
        )
    n = days_in_month(months)
    out = np.asarray(pet.values, dtype=np.float64) * SECONDS_PER_DAY * n * (n / 30.0)
    years = months.astype("datetime64[Y]")
    complete = {y for y in np.unique(years) if int(np.sum((years == y) & ~np.isnan(tmean_c))) == 12}
    keep = np.array([y in complete for y in years], dtype=bool)
    return np.where(keep, out, np.nan)


def default_pet_method(source: DailySeries | MonthlyWeather) -> PetMethod:
    """Hargreaves where daily Tmax and Tmin exist, else Thornthwaite (monthly mean temperature)."""
    if isinstance(source, DailySeries) and source.tmax_c is not None and source.tmin_c is not None:
        return "hargreaves"
    return "thornthwaite"


def water_balance(
    source: DailySeries | MonthlyWeather,
    latitude_deg: float,
    *,
    pet_method: PetMethod | None = None,
    first_month: str | None = None,
    last_month: str | None = None,
    delta_t_c: Sequence[float] | None = None,
    precip_factor: float = 1.0,
) -> WaterBalance:
    """Monthly P, PET and P − PET (mm/month) of ``source`` between two months (``YYYY-MM``, inclusive).

    ``delta_t_c`` (12 values, °C, January first) is added to every temperature of its calendar month and
    precipitation is multiplied by ``precip_factor`` (the delta method); both before PET is computed.
    """
    method = pet_method or default_pet_method(source)
    delta = np.asarray(validate_monthly_delta(delta_t_c) if delta_t_c is not None else [0.0] * 12)
    if not (math.isfinite(precip_factor) and precip_factor > 0):
        raise InputError(
            f"Precipitation factor {precip_factor!r}: expected a positive number.",
            code="input.range",
            field="precip_factor",
        )
    if isinstance(source, MonthlyWeather):
        if method == "hargreaves":
            raise InputError(
                "Hargreaves PET needs daily Tmax and Tmin; a monthly file allows Thornthwaite only.",
                code="input.options",
                field="pet",
            )
        sel = _between(source.months, first_month, last_month)
        months = source.months[sel]
        month_no = months.astype(np.int64) % 12
        tmean = source.tmean_c[sel] + delta[month_no]
        precip = source.precip_mm[sel] * precip_factor
        pet = thornthwaite_pet_mm_month(months, tmean, latitude_deg)
    else:
        if source.precip_mm is None:
            raise InputError(
                f"{source.source}: no precipitation in this series, so no water balance or drought index can be "
                "computed from it.",
                hint="Supply a CSV with daily or monthly precip_mm and temperatures (--precip-file).",
                code="input.missing",
                field="precip_mm",
            )
        sel = _between(source.dates.astype("datetime64[M]"), first_month, last_month)
        dates = source.dates[sel]
        if dates.size == 0:
            raise InputError(f"{source.source}: no day between {first_month} and {last_month}.", code="input.empty")
        per_day = delta[source.months[sel] - 1]
        months, precip = monthly_total(dates, source.precip_mm[sel] * precip_factor)
        if method == "hargreaves":
            if source.tmax_c is None or source.tmin_c is None:
                raise InputError(
                    f"{source.source}: Hargreaves PET needs daily Tmax and Tmin.", code="input.missing", field="tmax_c"
                )
            tx, tn = source.tmax_c[sel] + per_day, source.tmin_c[sel] + per_day
            _, pet = monthly_total(dates, hargreaves_pet_mm_day(dates, tx, tn, latitude_deg))
            _, tmean = monthly_mean(dates, (tx + tn) / 2.0)
        else:
            mean = source.mean_temperature_c()
            if mean is None:
                raise InputError(
                    f"{source.source}: Thornthwaite PET needs a daily mean temperature or Tmax and Tmin.",
                    code="input.missing",
                    field="tmean_c",
                )
            _, tmean = monthly_mean(dates, mean[0][sel] + per_day)
            pet = thornthwaite_pet_mm_month(months, tmean, latitude_deg)
    missing = np.isnan(precip) | np.isnan(pet)
    return WaterBalance(
        months=months,
        precip_mm=precip,
        pet_mm=pet,
        tmean_c=tmean,
        pet_method=method,
        latitude_deg=latitude_deg,
        missing_months=tuple(str(m) for m in months[missing]),
    )


def _between(months: NDArray[np.datetime64], first: str | None, last: str | None) -> NDArray[np.bool_]:
    m = months.astype("datetime64[M]")
    lo = np.datetime64(first, "M") if first else m.min()
    hi = np.datetime64(last, "M") if last else m.max()
    return np.asarray((m >= lo) & (m <= hi), dtype=bool)


def rolling_sum(x: FloatArray, window: int) -> FloatArray:
    """k-month running sums ending at each month; NaN if any month of the window is NaN or before the start."""
    out = np.full(x.size, np.nan)
    if window < 1:
        raise InputError(f"Time scale {window}: expected a number of months ≥ 1.", code="input.range", field="scale")
    if x.size >= window:
        c = np.concatenate([[0.0], np.cumsum(np.nan_to_num(x))])
        n = np.concatenate([[0], np.cumsum(np.isnan(x))])
        s = c[window:] - c[:-window]
        bad = (n[window:] - n[:-window]) > 0
        out[window - 1 :] = np.where(bad, np.nan, s)
    return out


@dataclass(frozen=True, slots=True)
class Calibration:
    """Fitted distribution parameters of one index at one time scale, per calendar month (xclim ``params``)."""

    index: IndexName
    scale_months: int
    first_month: str
    last_month: str
    min_values_per_month: int
    distribution: str
    fit_method: str
    params: Any
    """xclim ``params``; for SPEI a pair (direct months, mirrored months) of ``fisk`` parameter tables."""

    def as_dict(self) -> dict[str, object]:
        return {
            "index": f"{self.index}-{self.scale_months}",
            "period": f"{self.first_month} to {self.last_month}",
            "min_values_per_calendar_month": self.min_values_per_month,
            "distribution": self.distribution,
            "fit_method": FIT_LABELS[self.fit_method],
        }


FIT_LABELS = {
    "PWM": "unbiased probability-weighted moments / L-moments (Hosking & Wallis 1997), computed by Kalkan",
    "ML": "maximum likelihood (xclim 'ML')",
}
DISTRIBUTION_LABELS = {
    "SPEI": "3-parameter log-logistic (generalized-logistic form, mirrored for left skew) of k-month sums of "
    "P − PET, fitted by unbiased L-moments",
    "SPI": "2-parameter gamma (location fixed at 0) of k-month precipitation sums, zero-inflated",
}


def fit_glo_lmoments(x: FloatArray) -> tuple[float, float, float]:
    """Generalized logistic (ξ location, α scale, κ shape) by unbiased L-moments (Hosking & Wallis 1997, A.7).

    b_r = (1/n) Σ x_(i) C(i − 1, r)/C(n − 1, r) for ascending x_(i); λ₁ = b₀, λ₂ = 2b₁ − b₀,
    λ₃ = 6b₂ − 6b₁ + b₀, τ₃ = λ₃/λ₂; κ = −τ₃, α = λ₂ sin(κπ)/(κπ), ξ = λ₁ − α(1/κ − π/sin(κπ)).
    This is the 3-parameter log-logistic of Vicente-Serrano et al. (2010) written so that either skew
    sign fits (κ < 0: right-skewed log-logistic; κ > 0: its mirror image), as the SPEI authors' software does
    (Beguería et al. 2014). NaNs when fewer than 3 values or no spread.
    """
    v = np.sort(x[~np.isnan(x)])
    n = v.size
    if n < 3:
        return math.nan, math.nan, math.nan
    i = np.arange(1, n + 1, dtype=np.float64)
    b0 = float(v.mean())
    b1 = float(np.sum(v * (i - 1)) / (n * (n - 1)))
    b2 = float(np.sum(v * (i - 1) * (i - 2)) / (n * (n - 1) * (n - 2)))
    l2 = 2.0 * b1 - b0
    if not l2 > 0:
        return math.nan, math.nan, math.nan
    kappa = -(6.0 * b2 - 6.0 * b1 + b0) / l2
    if abs(kappa) < 1e-6:
        kappa = -1e-6 if kappa <= 0 else 1e-6
    k_pi = kappa * math.pi
    alpha = l2 * math.sin(k_pi) / k_pi
    return b0 - alpha * (1.0 / kappa - math.pi / math.sin(k_pi)), alpha, kappa


def glo_as_fisk(xi: float, alpha: float, kappa: float) -> tuple[tuple[float, float, float], bool]:
    """scipy ``fisk`` (c, loc, scale) of a generalized logistic, and whether it is mirrored (κ > 0).

    κ < 0: F(x) = fisk.cdf(x; c = −1/κ, loc = ξ + α/κ, scale = −α/κ). κ > 0: F(x) = 1 − fisk.cdf(−x; c = 1/κ,
    loc = −(ξ + α/κ), scale = α/κ), so the index is minus the index of −x under that fisk.
    """
    if kappa < 0:
        return (-1.0 / kappa, xi + alpha / kappa, -alpha / kappa), False
    return (1.0 / kappa, -(xi + alpha / kappa), alpha / kappa), True


def _fisk_params(xr: Any, values: FloatArray, first: str, last: str) -> Any:
    """xclim-shaped ``params`` (month × [c, loc, scale]) for scipy ``fisk``."""
    return xr.DataArray(
        values,
        dims=("month", "dparams"),
        coords={"month": np.arange(1, 13), "dparams": ["c", "loc", "scale"]},
        attrs={
            "calibration_period": (f"{first}-01", f"{last}-01"),
            "freq": "",
            "window": 1,
            "scipy_dist": "fisk",
            "method": "PWM",
            "group": "time.month",
            "units": "",
            "time_indexer": "{}",
        },
    )


def _variable(wb: WaterBalance, index: IndexName) -> FloatArray:
    return wb.balance_mm if index == "SPEI" else wb.precip_mm


def calibrate(
    wb: WaterBalance,
    index: IndexName,
    scale_months: int,
    years: tuple[int, int] = CALIBRATION_YEARS,
    min_years: int = MIN_CALIBRATION_YEARS,
) -> Calibration:
    """Fit the index distribution per calendar month on the k-month sums ending in ``years`` (inclusive).

    Sums may start before the first calibration year when the series has those months. Fewer than
    ``min_years`` valid sums for any calendar month is an :class:`InputError` naming the months.
    """
    _, xs, xr = _xclim()
    rolled = rolling_sum(_variable(wb, index), scale_months)
    yrs = wb.months.astype("datetime64[Y]").astype(np.int64) + 1970
    in_cal = (yrs >= years[0]) & (yrs <= years[1]) & ~np.isnan(rolled)
    month_no = wb.months.astype(np.int64) % 12
    counts = np.bincount(month_no[in_cal], minlength=12)
    if counts.min() < min_years:
        short = [f"{m + 1}: {counts[m]}" for m in range(12) if counts[m] < min_years]
        raise InputError(
            f"{index}-{scale_months}: too few valid {scale_months}-month values in {years[0]}-{years[1]} to "
            f"calibrate (need {min_years} per calendar month; month: count {', '.join(short)}).",
            hint=f"Supply a series that covers more of {BASELINE_LABEL}, or choose another calibration period.",
            code="input.empty",
            field="calibration",
        )
    idx = np.flatnonzero(in_cal)
    sel = slice(int(idx[0]), int(idx[-1]) + 1)
    first_month, last_month = str(wb.months[idx[0]]), str(wb.months[idx[-1]])
    if index == "SPEI":
        dist, method = SPEI_DISTRIBUTION, "PWM"
        sample = np.where(in_cal, rolled, np.nan)
        fits = [glo_as_fisk(*fit_glo_lmoments(sample[month_no == m])) for m in range(12)]
        unfit = [str(m + 1) for m, (f, _) in enumerate(fits) if not np.isfinite(f).all()]
        if unfit:
            raise InputError(
                f"SPEI-{scale_months}: no spread in calendar month(s) {', '.join(unfit)} to fit.",
                code="input.range",
                field="precip_mm",
            )
        direct = np.array([f if not mirrored else (np.nan,) * 3 for f, mirrored in fits])
        mirror = np.array([f if mirrored else (np.nan,) * 3 for f, mirrored in fits])
        params = (
            _fisk_params(xr, direct, first_month, last_month),
            _fisk_params(xr, mirror, first_month, last_month),
        )
    else:
        dist, method = SPI_DISTRIBUTION, FIT_METHOD
        da = _time(xr, wb.months[sel].astype("datetime64[D]"), rolled[sel], "mm/month")
        with _quiet(fitting=True):
            params = xs.standardized_index_fit_params(
                da, freq=None, window=1, dist=dist, method=method, zero_inflated=True, fitkwargs={"floc": 0.0}
            )
        if params.attrs.get("group") != "time.month":
            raise InputError(
                f"{index}: the monthly series was not recognised as monthly by xclim (internal error).",
                code="input.unsupported",
            )
    return Calibration(
        index=index,
        scale_months=scale_months,
        first_month=first_month,
        last_month=last_month,
        min_values_per_month=int(counts.min()),
        distribution=dist,
        fit_method=method,
        params=params,
    )


def standardized_index(wb: WaterBalance, cal: Calibration) -> FloatArray:
    """SPEI or SPI (dimensionless) of every month of ``wb`` against the fixed calibration ``cal``; NaN = missing."""
    xi, _, xr = _xclim()
    rolled = rolling_sum(_variable(wb, cal.index), cal.scale_months)
    da = _time(xr, wb.months.astype("datetime64[D]"), rolled, "mm/month")
    with _quiet(fitting=True):
        if cal.index == "SPEI":
            spei = xi.standardized_precipitation_evapotranspiration_index
            direct, mirror = cal.params
            a = np.asarray(spei(da, freq=None, window=1, params=direct).values, dtype=np.float64)
            b = -np.asarray(spei(-da, freq=None, window=1, params=mirror).values, dtype=np.float64)
            mirrored = np.isnan(direct.values[:, 0])[wb.months.astype(np.int64) % 12]
            values = np.where(mirrored, b, a)
        else:
            out = xi.standardized_precipitation_index(da, freq=None, window=1, params=cal.params)
            values = np.asarray(out.values, dtype=np.float64)
    return np.where(np.isnan(rolled), np.nan, values)


@dataclass(frozen=True, slots=True)
class DroughtStatistics:
    """Drought frequency of one index series: shares of months and events (runs of months ≤ −1)."""

    index: str
    scale_months: int
    months: int
    mean: float | None
    median: float | None
    share_le_m1: float | None
    share_le_m1_5: float | None
    events: int
    events_per_decade: float | None
    mean_duration_months: float | None
    max_duration_months: int
    months_at_bound: int

    def as_dict(self, digits: int = 3) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, digits)

        return {
            "index": f"{self.index}-{self.scale_months}",
            "months": self.months,
            "mean": r(self.mean),
            "median": r(self.median),
            "share_months_le_minus1": r(self.share_le_m1),
            "share_months_le_minus1_5": r(self.share_le_m1_5),
            "events": self.events,
            "events_per_decade": r(self.events_per_decade),
            "mean_duration_months": r(self.mean_duration_months),
            "max_duration_months": self.max_duration_months,
            "months_at_bound": self.months_at_bound,
            "unit": "index: dimensionless (standard deviations); shares: fraction of valid months",
        }


def drought_statistics(values: FloatArray, index: str, scale_months: int) -> DroughtStatistics:
    """Mean, shares of months with index ≤ −1 and ≤ −1.5, and drought events (runs ≤ −1; a NaN month ends one)."""
    valid = ~np.isnan(values)
    v = values[valid]
    n = int(v.size)
    dry = np.nan_to_num(values, nan=np.inf) <= DROUGHT_THRESHOLD
    edges = np.diff(np.concatenate([[0], dry.astype(np.int8), [0]]))
    lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return DroughtStatistics(
        index=index,
        scale_months=scale_months,
        months=n,
        mean=float(v.mean()) if n else None,
        median=float(np.median(v)) if n else None,
        share_le_m1=float(np.mean(v <= DROUGHT_THRESHOLD)) if n else None,
        share_le_m1_5=float(np.mean(v <= SEVERE_DROUGHT_THRESHOLD)) if n else None,
        events=int(lengths.size),
        events_per_decade=lengths.size / n * 120.0 if n else None,
        mean_duration_months=float(lengths.mean()) if lengths.size else None,
        max_duration_months=int(lengths.max()) if lengths.size else 0,
        months_at_bound=int(np.sum(np.abs(v) >= INDEX_BOUND - 1e-9)),
    )


@dataclass(frozen=True, slots=True)
class DroughtBaseline:
    """Calibrations and baseline statistics of every index and time scale over the calibration months."""

    water_balance: WaterBalance
    calibrations: tuple[Calibration, ...]
    statistics: tuple[DroughtStatistics, ...]
    window: tuple[str, str]
    first_month: str
    calibration_years: tuple[int, int]


def _work_window(
    source: DailySeries | MonthlyWeather, years: tuple[int, int], longest_scale: int
) -> tuple[str, str, str]:
    """(first month with lead-in for the longest sum, first calibration month, last month) within the series."""
    months = source.months if isinstance(source, MonthlyWeather) else source.dates.astype("datetime64[M]")
    lo, hi = np.datetime64(f"{years[0]}-01", "M"), np.datetime64(f"{years[1]}-12", "M")
    start = max(lo, months.min())
    end = min(hi, months.max())
    if start > end:
        raise InputError(
            f"The series ({months.min()} to {months.max()}) does not overlap the calibration period "
            f"{years[0]}-{years[1]}.",
            hint=f"Supply data covering {BASELINE_LABEL}, or choose a calibration period inside the series.",
            code="input.outside",
            field="calibration",
        )
    lead = max(months.min(), start - (longest_scale - 1))
    return str(lead), str(start), str(end)


def _in_window(wb: WaterBalance, first: str, last: str) -> NDArray[np.bool_]:
    return _between(wb.months, first, last)


def baseline(
    source: DailySeries | MonthlyWeather,
    latitude_deg: float,
    *,
    years: tuple[int, int] = CALIBRATION_YEARS,
    scales: Sequence[int] = SCALES_MONTHS,
    pet_method: PetMethod | None = None,
) -> DroughtBaseline:
    """Water balance, calibrated SPEI/SPI at each time scale and their statistics over the calibration months."""
    lead, first, last = _work_window(source, years, max(scales))
    wb = water_balance(source, latitude_deg, pet_method=pet_method, first_month=lead, last_month=last)
    cals = tuple(calibrate(wb, idx, k, years) for idx in ("SPEI", "SPI") for k in scales)
    keep = _in_window(wb, first, last)
    stats = tuple(drought_statistics(standardized_index(wb, c)[keep], c.index, c.scale_months) for c in cals)
    return DroughtBaseline(wb, cals, stats, (first, last), lead, years)


@dataclass(frozen=True, slots=True)
class ScenarioShift:
    """Monthly temperature change (°C, additive) and precipitation change (%, multiplicative) of one scenario."""

    ssp: str
    horizon: int
    window: str
    percentile: float
    delta_t_monthly_c: tuple[float, ...]
    delta_t_annual_c: float
    gwl_c: float
    precip_change_pct: float
    precip_change_pct_range: tuple[float, float]
    precip_method: str


@dataclass(frozen=True, slots=True)
class ScenarioDrought:
    """Drought statistics of the baseline weather shifted by one scenario, against the baseline calibration."""

    shift: ScenarioShift
    water_balance: WaterBalance
    statistics: tuple[DroughtStatistics, ...]


def scenario_drought(
    source: DailySeries | MonthlyWeather, base: DroughtBaseline, shift: ScenarioShift
) -> ScenarioDrought:
    """Apply a scenario by the delta method to the baseline window and recompute PET and every index."""
    wb = water_balance(
        source,
        base.water_balance.latitude_deg,
        pet_method=base.water_balance.pet_method,
        first_month=base.first_month,
        last_month=base.window[1],
        delta_t_c=shift.delta_t_monthly_c,
        precip_factor=1.0 + shift.precip_change_pct / 100.0,
    )
    keep = _in_window(wb, *base.window)
    stats = tuple(
        drought_statistics(standardized_index(wb, c)[keep], c.index, c.scale_months) for c in base.calibrations
    )
    return ScenarioDrought(shift, wb, stats)


def scenario_shifts(
    region: str, ssps: Sequence[str], horizons: Sequence[int], percentile: float, table: TasTable
) -> list[ScenarioShift]:
    """Regional monthly warming (AR6 Atlas CMIP6) and GWL-scaled precipitation change for each SSP × horizon.

    ``table``: the AR6 tas table (:func:`kalkan.io.ar6.load_tas_table` reads the shipped one)."""
    out: list[ScenarioShift] = []
    for ssp in ssps:
        for h in horizons:
            rc = regional_change(Scenario(ssp, h, Statistic(percentile=float(percentile))), region, table)
            pc = precipitation_change(region, rc.gwl_c)
            out.append(
                ScenarioShift(
                    ssp=rc.scenario.ssp,
                    horizon=h,
                    window=rc.window.label,
                    percentile=float(percentile),
                    delta_t_monthly_c=rc.delta_tas_monthly_c,
                    delta_t_annual_c=rc.delta_tas_c,
                    gwl_c=rc.gwl_c,
                    precip_change_pct=pc.mean_pct,
                    precip_change_pct_range=(pc.mean_low_pct, pc.mean_high_pct),
                    precip_method=pc.note,
                )
            )
    return out
